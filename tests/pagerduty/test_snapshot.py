"""Snapshots: versioned JSON, redacted by default, written atomically, loaded with clear errors."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from pagerduty_cases import SMALL_ACCOUNT

from pdlint import files as files_module
from pdlint.files import FileWriteError
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.snapshot import (
    REDACTED,
    SnapshotError,
    load_snapshot,
    write_snapshot,
)
from pdlint.pagerduty.state import LiveState

ADDRESSES = ("ada@acme.example", "grace@acme.example", "5550100", "5550101")


def contact_methods(state: LiveState) -> list[dict[str, Any]]:
    """Every contact method, including those nested in notification rules."""
    return [method for user in state.users for method in
            [*user["contact_methods"], *(rule["contact_method"]
                                         for rule in user["notification_rules"])]]


def test_round_trip_without_redaction_gives_an_equal_state(small_state: LiveState,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    written = write_snapshot(small_state, path, redact_addresses=False)
    assert written == small_state
    assert load_snapshot(path) == small_state


def test_round_trip_with_redaction_gives_the_redacted_state(small_state: LiveState,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    written = write_snapshot(small_state, path)
    assert load_snapshot(path) == written
    assert written != small_state


def test_redaction_hides_every_address_and_keeps_type_and_label(small_state: LiveState,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    written = write_snapshot(small_state, path)
    text = path.read_text()
    # user emails stay (the policy names people by email); contact-method addresses go
    assert "5550100" not in text and "5550101" not in text
    for method in contact_methods(written):
        assert method["address"] == REDACTED
    originals = contact_methods(small_state)
    assert [(m["type"], m["label"]) for m in contact_methods(written)] == \
        [(m["type"], m["label"]) for m in originals]
    assert all(m["address"] != REDACTED for m in originals), "the input state was modified"
    assert json.loads(text)["redacted"] is True


def test_document_carries_the_contract_fields(small_state: LiveState, tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    write_snapshot(small_state, path)
    document = json.loads(path.read_text())
    assert {key: document[key] for key in ("format", "format_version", "api_url", "fetched_at",
                                           "window")} == {
        "format": "pdlint-snapshot", "format_version": 1, "api_url": "https://api.pagerduty.com",
        "fetched_at": "2026-03-02T00:00:05Z",
        "window": {"since": "2026-03-02T00:00:00Z", "until": "2026-03-16T00:00:00Z"}}
    assert document["pdlint_version"]
    assert set(document["objects"]) == {"escalation_policies", "schedules", "schedules_v3",
                                        "services", "users", "teams", "priorities",
                                        "maintenance_windows", "incident_workflows",
                                        "workflow_triggers", "service_orchestrations",
                                        "event_orchestrations", "orchestration_routers",
                                        "alert_grouping_settings"}


def test_each_object_is_one_line_and_only_holders_of_addresses_are_copied(
        small_state: LiveState, tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    written = write_snapshot(small_state, path)
    lines = path.read_text().splitlines()
    for kind, items in written.objects.items():
        for obj in items:
            assert f"   {json.dumps(obj, ensure_ascii=False)}," in lines or \
                f"   {json.dumps(obj, ensure_ascii=False)}" in lines, (kind, obj.get("id"))
    assert all(new is old for new, old in zip(written.schedules, small_state.schedules,
                                              strict=True))
    assert all(new is not old for new, old in zip(written.users, small_state.users,
                                                  strict=True))


@pytest.mark.parametrize("redact", [True, False])
def test_snapshots_are_private_redacted_or_not(small_state: LiveState, tmp_path: Path,
                                               redact: bool) -> None:
    """Redacted, a snapshot still names every responder, their login email and when each is on
    call: it is readable by its owner only either way (docs/security.md)."""
    path = tmp_path / "snap.json"
    write_snapshot(small_state, path, redact_addresses=redact)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
        small_state: LiveState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "snap.json"
    path.write_text("the previous snapshot")

    def fail(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "replace", fail)
    with pytest.raises(FileWriteError, match=r"snap\.json: No space left on device"):
        write_snapshot(small_state, path)
    assert path.read_text() == "the previous snapshot"
    assert os.listdir(tmp_path) == ["snap.json"]


def test_an_interrupted_write_leaves_no_temporary(
        small_state: LiveState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(descriptor: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files_module.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_snapshot(small_state, tmp_path / "snap.json")
    assert os.listdir(tmp_path) == []


def test_writing_into_a_missing_folder_is_a_clear_error(small_state: LiveState,
                                                       tmp_path: Path) -> None:
    with pytest.raises(FileWriteError, match=r"cannot write .*nowhere.*snap\.json"):
        write_snapshot(small_state, tmp_path / "nowhere" / "snap.json")


def _document() -> dict[str, Any]:
    return json.loads(SMALL_ACCOUNT.read_text())


def _with(**changes: Any) -> str:
    document = _document()
    for key, value in changes.items():
        if value is None:
            document.pop(key)
        else:
            document[key] = value
    return json.dumps(document)


def _without_collections(*kinds: str) -> str:
    document = json.loads(_with())
    for kind in kinds:
        document["objects"].pop(kind)
    return json.dumps(document)


@pytest.mark.parametrize(("content", "message"), [
    (None, r"snap\.json: no such snapshot file"),
    ("{not json", r"snap\.json:1: not valid JSON"),
    ("[]", r"snap\.json: not a pdlint snapshot"),
    (_with(format="something-else"), r"snap\.json: not a pdlint snapshot"),
    (_with(format_version=2), r"snap\.json: snapshot format version 2 is not supported"),
    (_with(format_version=None), r"snap\.json: snapshot format version None"),
    (_with(objects=None), r"snap\.json: objects is missing or not a dict"),
    (_with(objects={"incidents": []}), r"snap\.json: unknown collections in objects: incidents"),
    (_with(objects={"users": {"id": "P1"}}), r"snap\.json: objects\.users is not a list"),
    (_with(window={"since": "2026-03-02T00:00:00Z"}), r"snap\.json: window\.until is missing"),
    (_with(window={"since": "2026-03-02T00:00:00Z", "until": "yesterday"}),
     r"snap\.json: window\.until 'yesterday' is not an ISO 8601 time"),
    (_with(fetched_at="2026-03-02T00:00:00"), r"snap\.json: fetched_at .* has no time zone"),
    (_with(window={"since": "2026-03-03T00:00:00Z", "until": "2026-03-02T00:00:00Z"}),
     r"snap\.json: until .* is not after since"),
    (_with(skipped=[{"reason": "x"}]), r"snap\.json: skipped entries need a collection"),
    (_with(window={"since": "1999-12-31T00:00:00Z", "until": "2000-01-02T00:00:00Z"}),
     r"snap\.json: the window .* is not between 2000-01-01 and 2100-01-01"),
    (_without_collections("users", "schedules_v3"),
     r"snap\.json: objects lacks schedules_v3, users, and skipped does not say why"),
])
def test_bad_snapshots_are_refused_naming_the_file(tmp_path: Path, content: str | None,
                                                   message: str) -> None:
    path = tmp_path / "snap.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SnapshotError, match=message) as caught:
        load_snapshot(path)
    assert caught.value.exit_code == 2


def test_skipped_collections_survive_the_round_trip(tmp_path: Path) -> None:
    document = _document()
    document["skipped"] = [{"collection": "priorities", "reason": "the plan lacks priorities"}]
    document["objects"].pop("priorities")
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(document))
    state = load_snapshot(path)
    assert state.skip_reason("priorities") == "the plan lacks priorities"
    write_snapshot(state, tmp_path / "again.json", redact_addresses=False)
    assert load_snapshot(tmp_path / "again.json") == state


def test_a_collection_older_snapshots_lack_is_not_read_rather_than_none(tmp_path: Path) -> None:
    """Snapshots written before pdlint read maintenance windows hold none: not "none open"."""
    document = _document()
    document["objects"].pop("maintenance_windows")
    document["pdlint_version"] = "0.0.9"
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(document))
    state = load_snapshot(path)
    assert state.skip_reason("maintenance_windows") == (
        "not in this snapshot: pdlint 0.0.9 did not read maintenance_windows")
    assert parse_account(state).maintenance_windows_of("PSERV01") is None


def test_orchestrations_older_snapshots_lack_are_not_read(tmp_path: Path) -> None:
    """Absent is not empty: drift on such a snapshot skips what needs the orchestrations
    instead of finding no orchestration rule."""
    path = tmp_path / "snap.json"
    path.write_text(_without_collections("service_orchestrations", "event_orchestrations",
                                         "orchestration_routers"))
    account = parse_account(load_snapshot(path))
    assert {skip.rule: skip.reason for skip in account.skipped} == {
        kind: f"not in this snapshot: pdlint 0.1.0 did not read {kind}"
        for kind in ("service_orchestrations", "event_orchestrations", "orchestration_routers")}
    assert not account.event_orchestrations.read


def test_alert_grouping_settings_older_snapshots_lack_are_not_read(tmp_path: Path) -> None:
    """A service of such a snapshot that references a setting has its grouping not known,
    never "none"."""
    path = tmp_path / "snap.json"
    path.write_text(_without_collections("alert_grouping_settings"))
    account = parse_account(load_snapshot(path))
    assert account.skip_reason("alert_grouping_settings") == (
        "not in this snapshot: pdlint 0.1.0 did not read alert_grouping_settings")
    assert not account.alert_grouping_settings.read
