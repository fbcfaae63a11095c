"""Reading the history folder: a file that is not a drift report is named with the reason and
counted nowhere; reports of another account or policy are kept apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from history_cases import API, F1, report, write_history

from pdlint.history.folder import HistoryError, Stream, read_history

GOOD = json.dumps(report("2026-11-01T06:00:00Z", (F1,)))


@pytest.mark.parametrize(("name", "content", "reason"), [
    pytest.param("notes.txt", "weekly notes", "not JSON (line 1, column 1: Expecting value)",
                 id="not-json"),
    pytest.param("20261102T060000Z.json", GOOD[:200],
                 "not JSON (line 1, column 195: Unterminated string starting at)",
                 id="truncated"),
    pytest.param("latin1.json", b"\xe9t\xe9", "not JSON text (not UTF-8)", id="not-utf8"),
    pytest.param("drift.sarif", json.dumps({"version": "2.1.0", "runs": []}),
                 'not a pdlint report (no tool.name "pdlint")', id="sarif"),
    pytest.param("old.json", json.dumps({**json.loads(GOOD), "version": 1}),
                 "a report of format version 1, which does not say when or what it checked",
                 id="version-1"),
    pytest.param("future.json", json.dumps({**json.loads(GOOD), "version": 99}),
                 "a report of format version 99, newer than this pdlint reads (2)",
                 id="newer-version"),
    pytest.param("lint.json", json.dumps({key: value for key, value in json.loads(GOOD).items()
                                          if key != "checked_at"}),
                 "not a drift report (no checked_at)", id="lint-report"),
    pytest.param("when.json", json.dumps({**json.loads(GOOD), "checked_at": "yesterday"}),
                 "checked_at 'yesterday' is not an ISO 8601 time", id="bad-time"),
    pytest.param("local.json", json.dumps({**json.loads(GOOD),
                                           "checked_at": "2026-11-01T06:00:00"}),
                 "checked_at '2026-11-01T06:00:00' has no time zone", id="no-zone"),
    pytest.param("severity.json", GOOD.replace('"error"', '["error"]'),
                 "findings[0].severity is not error, warning or info", id="bad-severity"),
    pytest.param("list.json", "[]", "the document is not a JSON object", id="a-list"),
])
def test_a_file_that_is_not_a_drift_report_is_named_and_not_counted(
        tmp_path: Path, name: str, content: str | bytes, reason: str) -> None:
    (tmp_path / "20261101T060000Z.json").write_text(GOOD, encoding="utf-8")
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    history = read_history(tmp_path)
    assert [run.name for run in history.runs] == ["20261101T060000Z.json"]
    assert [(item.name, item.reason) for item in history.unreadable] == [(name, reason)]


def test_hidden_files_of_runs_being_written_are_not_looked_at(tmp_path: Path) -> None:
    (tmp_path / ".20261101T060000Z.k2j3.tmp").write_text(GOOD[:10], encoding="utf-8")
    (tmp_path / "sub").mkdir()
    history = read_history(tmp_path)
    assert history.runs == ()
    assert [(item.name, item.reason) for item in history.unreadable] == [("sub", "not a file")]


def test_other_accounts_and_policies_are_kept_apart(tmp_path: Path) -> None:
    write_history(tmp_path)
    for name, document in {
        "other-account.json": report("2026-11-02T07:00:00Z", (F1,), subdomain="globex"),
        "other-policy.json": report("2026-11-02T08:00:00Z", (F1,), policy="staging/policy"),
    }.items():
        (tmp_path / name).write_text(json.dumps(document), encoding="utf-8")
    streams = read_history(tmp_path).streams()
    assert {stream: len(runs) for stream, runs in streams.items()} == {
        Stream(API, "acme", "policy"): 10,
        Stream(API, "globex", "policy"): 1,
        Stream(API, "acme", "staging/policy"): 1,
    }
    assert next(iter(streams)) == Stream(API, "acme", "policy")  # the most runs first


def test_a_folder_that_cannot_be_read_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match=f"cannot read the history folder {tmp_path / 'no'}"):
        read_history(tmp_path / "no")
