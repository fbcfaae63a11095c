"""resolve_within counted to containment when the policy says how it is recorded: every hand
incident has the note "Investigating; customer impact appears limited." 20 minutes after its
creation, which this policy's convention reads as containment, so every incident documented with
resolve_within (P1 1h30m, P3 1h, P4 12h) is contained in time, the open #8 too."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from evidence_cases import POLICY, TOKEN, hand_account, run_evidence

from pdlint.sim import SimServer


def test_resolution_counts_to_containment(tmp_path: Path) -> None:
    policy = tmp_path / "policy"
    shutil.copytree(POLICY, policy)
    (policy / "containment.yaml").write_text(
        "containment:\n  recorded_as: incident_note\n  note_pattern: '^Investigating'\n",
        encoding="utf-8")
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
