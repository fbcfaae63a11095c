"""A hand-made drift history: eleven daily runs around a ten-day period, with the figures an
auditor would compute from them by hand (see test_timeline.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pdlint_process import run_pdlint
from sim_client import fast_config

from pdlint.findings import Location
from pdlint.history.record import add_run
from pdlint.pagerduty.fetch import fetch_state_sync
from pdlint.pagerduty.snapshot import write_snapshot
from pdlint.pagerduty.state import Window
from pdlint.policy.model import Sourced
from pdlint.sim import SimServer

PROJECT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
API = "https://api.pagerduty.com"
RULES = ["EP101", "EP103", "SCH201", "SVC302", "USR400"]

# (rule, resource type, id, name, severity, waived)
F1 = ("EP103", "escalation_policy", "PEP1", "Production", "error", False)
F2 = ("SVC302", "service", "PSV1", "Payments API", "error", False)
F3 = ("USR400", "user", "PU1", "Pavel Novak", "warning", False)
F4 = ("SCH201", "schedule", "PS1", "Platform - Secondary", "error", True)
F5 = ("EP101", "escalation_policy", "PEP2", "Payments", "error", False)

# Runs at 06:00 UTC: none on 4 November; the run of 5 November could not read the users.
RUNS: dict[str, tuple[tuple[Any, ...], ...]] = {
    "2026-10-31": (F1, F4),
    "2026-11-01": (F1, F4),
    "2026-11-02": (F1, F4),
    "2026-11-03": (F3, F4),
    "2026-11-05": (F2, F4),
    "2026-11-06": (F2, F3, F4),
    "2026-11-07": (F2, F3, F4),
    "2026-11-08": (F3, F4),
    "2026-11-09": (F3, F4, F5),
    "2026-11-10": (F3, F4),
}
INCOMPLETE = {"2026-11-05"}
DAILY = Sourced(timedelta(days=1), Location("policy/organisation.yaml", 13, 3), "1d")
"""``drift_check_every: 1d``, as the policy documents it."""
SINCE = datetime(2026, 11, 1, tzinfo=timezone.utc)
UNTIL = datetime(2026, 11, 11, tzinfo=timezone.utc)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def report(checked_at: str, findings: tuple[tuple[Any, ...], ...], *, incomplete: bool = False,
           subdomain: str | None = "acme", policy: str = "policy") -> dict[str, Any]:
    """A drift JSON report (format 2) as `pdlint drift --format json` writes it."""
    return {
        "version": 2, "tool": {"name": "pdlint", "version": "0.1.0"},
        "checked_at": checked_at,
        "account": {"api_url": API, "subdomain": subdomain},
        "policy": {"path": policy, "sha256": "0" * 64, "files": [], "git_commit": None,
                   "git_modified": None},
        "rules": RULES,
        "findings": [{
            "rule": rule, "name": "a-rule", "severity": severity,
            "message": f"{name} differs", "resource": {"type": kind, "id": id_, "name": name},
            "expected": None, "actual": None, "location": None,
            "waived": {"reason": "accepted", "owner": "o@example.com", "expires": "2027-01-01",
                       "location": None} if waived else None,
        } for rule, kind, id_, name, severity, waived in findings],
        "skipped": [{"rule": "users", "reason": "HTTP 403"}] if incomplete else [],
        "summary": {},
    }


def write_history(folder: Path, *, records: bool = False) -> Path:
    """The runs of ``RUNS`` in ``folder``, named as `pdlint drift --record` names them; with
    ``records``, added as it adds them (each report with its history record), else the reports
    alone, as a folder written before history records were."""
    folder.mkdir(exist_ok=True)
    for day, findings in RUNS.items():
        stem = day.replace("-", "") + "T060000Z"
        text = json.dumps(report(f"{day}T06:00:00Z", findings, incomplete=day in INCOMPLETE))
        if records:
            add_run(folder, stem, text)
        else:
            (folder / f"{stem}.json").write_text(text, encoding="utf-8")
    return folder


def snapshot_at(path: Path, server: SimServer, taken: datetime) -> Path:
    """A snapshot of the account ``server`` serves, saying it was taken at ``taken``: a run of
    a schedule, on the day the test pretends it is."""
    state = fetch_state_sync(fast_config(server), Window.starting(NOW))
    write_snapshot(replace(state, fetched_at=taken), path)
    return path


def record_run_of(folder: Path, env: dict[str, str], taken: datetime, *accepted: str) -> None:
    """`pdlint drift --record` of the account ``env`` names into ``folder``/history, as read at
    ``taken``: `pdlint snapshot` reads it over HTTP and the snapshot is dated ``taken`` (its
    ``fetched_at``, the only thing a test cannot wait for); drift checks it against
    ``folder``/policy (exit 1, the demo's errors), ``accepted`` its ``--accept-skip`` options."""
    snapshot = folder / f"snapshot-{taken:%Y%m%d}.json"
    read = run_pdlint("snapshot", "-o", str(snapshot), "--quiet", "--since",
                      f"{taken:%Y-%m-%dT%H:%M:%SZ}", env=env)
    assert read.returncode == 0, read.stderr
    document = json.loads(snapshot.read_text(encoding="utf-8"))
    document["fetched_at"] = f"{taken:%Y-%m-%dT%H:%M:%S}.000000Z"
    snapshot.write_text(json.dumps(document), encoding="utf-8")
    drift = run_pdlint("drift", "--policy", "policy", "--snapshot", str(snapshot), "--record",
                       str(folder / "history"), "--quiet", *accepted, cwd=folder)
    assert drift.returncode == 1, drift.stderr
