"""resolve_within counted to containment when the policy says how it is recorded: every hand
incident has the note "Investigating; customer impact appears limited." 20 minutes after its
creation, which this policy's convention reads as containment, so every incident documented with
resolve_within (P1 1h30m, P3 1h, P4 12h) is contained in time, the open #8 too."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from evidence_cases import POLICY, TOKEN, hand_account, run_evidence

from pdlint.sim import Fault, Faults, SimServer
from pdlint.sim.account import incident_id


def containment_policy(folder: Path) -> Path:
    """The evidence policy, with containment recorded as a note starting "Investigating"."""
    policy = folder / "policy"
    shutil.copytree(POLICY, policy)
    (policy / "containment.yaml").write_text(
        "containment:\n  recorded_as: incident_note\n  note_pattern: '^Investigating'\n",
        encoding="utf-8")
    return policy


def test_resolution_counts_to_containment(tmp_path: Path) -> None:
    policy = containment_policy(tmp_path)
    with SimServer(hand_account(), token=TOKEN) as server:
        evidence = run_evidence(server, tmp_path / "package", policy=policy)
    assert {item.severity: (item.incidents, item.within, item.breached, item.pending)
            for item in evidence.resolution} == {
        "P1": (3, 3, 0, 0), "P3": (1, 1, 0, 0), "P4": (3, 3, 0, 0)}
    document = json.loads((tmp_path / "package" / "evidence.json").read_text(encoding="utf-8"))
    assert {item["measured_to"] for item in document["resolution"]} == {
        "containment or resolution"}
    with (tmp_path / "package" / "incidents.csv").open(encoding="utf-8") as stream:
        register = {row["number"]: row for row in csv.DictReader(stream)}
    assert (register["8"]["contained_at"], register["8"]["resolution"]) == (
        "2026-03-01T12:20:00Z", "within")
    assert register["7"]["contained_at"] == ""  # P5: no severity, not looked for


SECOND = incident_id(1)
"""#2: P1, resolved in 2 h (late for 1h30m), contained 20 min in."""


@pytest.mark.parametrize(("faults", "why"), [
    pytest.param(Faults(scripted=(Fault("omit_field", f"/incidents/{SECOND}/notes",
                                        field="content"),)),
                 f"#2 (PagerDuty did not return the notes of incident {SECOND}: "
                 "notes[0].content)", id="note-text-not-returned"),
    pytest.param(Faults(forbidden={f"/incidents/{SECOND}/notes": 403}),
                 f"#2 (GET /incidents/{SECOND}/notes", id="notes-refused"),
])
def test_containment_not_read_is_judged_by_resolution_and_said(
        tmp_path: Path, faults: Faults, why: str) -> None:
    """#2's notes refused, or returned without their text (content, which the spec
    requires): its containment is not read, never "not contained" unsaid; it is judged by its
    resolution alone (late), and both resolution and postmortems list it as skipped."""
    with SimServer(hand_account(), token=TOKEN, faults=faults) as server:
        evidence = run_evidence(server, tmp_path / "package",
                                policy=containment_policy(tmp_path))
    assert {item.severity: (item.incidents, item.within, item.breached, item.pending)
            for item in evidence.resolution} == {
        "P1": (3, 2, 1, 0), "P3": (1, 1, 0, 0), "P4": (3, 3, 0, 0)}
    assert [skip.rule for skip in evidence.skipped] == ["resolution", "postmortems"]
    resolution, postmortems = evidence.skipped
    assert "judged by their resolution alone: " + why in resolution.reason
    assert "#2" in postmortems.reason and "#1" not in postmortems.reason
