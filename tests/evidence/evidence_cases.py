"""Shared data of the evidence tests (a module name unique across test folders).

``hand_account`` is the demo account with eight incidents whose figures are worked out by hand in
``EXPECTED_*`` below, over the four weeks of ``PERIOD`` (New York is UTC-5 throughout).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sim_client import fast_config

from pdlint.evidence import Evidence, EvidenceRequest, write_evidence
from pdlint.sim import Account, SimServer, demo_account
from pdlint.sim.account import Incident, IncidentTimeline, Note, ResponderRequest, incident_id

FIXTURES = Path(__file__).parent.parent / "fixtures" / "evidence"
POLICY = FIXTURES / "policy"
REGISTER = FIXTURES / "register.csv"
TOKEN = "evidence-Token_4242"

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)  # a Monday
SINCE = datetime(2026, 2, 2, tzinfo=timezone.utc)
UNTIL = datetime(2026, 3, 2, tzinfo=timezone.utc)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


# (priority, created, seconds to acknowledge or None, resolved after seconds or None,
#  postmortem note written at, other note)
HAND_INCIDENTS: tuple[tuple[str, str, int | None, int | None, str | None], ...] = (
    # 1 P1: ack in 3 min (within); postmortem the next morning (on time).
    ("P1", "2026-02-03T15:00", 180, 3600, "2026-02-04T10:00"),
    # 2 P1: ack in 9 min (breach, 4 min late); no postmortem (missing; due Feb 12 17:00Z).
    ("P1", "2026-02-10T15:00", 540, 7200, None),
    # 3 P1: ack in exactly 5 min (within: the deadline is inclusive); postmortem on Feb 20
    #   10:00Z, after it was due (Feb 19 16:00Z): late.
    ("P1", "2026-02-17T15:00", 300, 3600, "2026-02-20T10:00"),
    # 4 P4 on Friday 16:00 New York: due Monday 17:00 New York (22:00Z); ack Monday 10:00 NY.
    ("P4", "2026-02-06T21:00", 66 * 3600, 67 * 3600, None),
    # 5 P4 on Saturday: due Monday Feb 16 22:00Z; ack Tuesday 09:00 New York: breach.
    ("P4", "2026-02-14T15:00", 71 * 3600, 72 * 3600, None),
    # 6 P3 resolved after 90 min without an acknowledgement: breach.
    ("P3", "2026-02-24T15:00", None, 5400, None),
    # 7 P5, a priority the policy does not document: in the register only.
    ("P5", "2026-02-25T15:00", 600, 3600, None),
    # 8 P4 on Sunday: due Monday Mar 2 22:00Z, after NOW; open and unacknowledged: pending.
    ("P4", "2026-03-01T12:00", None, None, None),
)
POSTMORTEM_LINK = "https://wiki.acme.example/postmortems/{id}"
# The P1 incidents' communication (notify_within 30m: responders and subscribers): #1 asked for
# a responder after 10 min and has a subscriber (in time); #2 asked after 45 min (late); #3 has
# a subscriber but asked for nobody (missing).
HAND_COMMUNICATION = {0: (600, True), 1: (2700, True), 2: (None, True)}
EXPECTED_COMMUNICATION = {"P1": (3, 1, 1, 1, 0, 0)}  # required, in time, late, missing, pending,
#                                                      not judged
EXPECTED_COMMUNICATION_EXCEPTIONS = {"P1": [(2, "late"), (3, "missing")]}

EXPECTED_SLA = {  # severity: (incidents, within, breached, pending, acknowledged, median, p90)
    "P1": (3, 2, 1, 0, 3, 300.0, 540.0),
    "P3": (1, 0, 1, 0, 0, None, None),
    "P4": (3, 1, 1, 1, 2, 237600.0, 255600.0),
}
EXPECTED_BREACHES = {"P1": [2], "P3": [6], "P4": [5]}
# Resolution against resolve_within (P1 1h30m, P3 1h, P4 12h): #1 and #3 in 1 h, #2 in 2 h
# (late); #6 in 90 min (late); #4 in 67 h and #5 in 72 h (late), #8 still open at NOW, 24 h
# after it was created and 12 h past its deadline (late, no resolution time). Nearest-rank
# median and p90 of P4's two resolution times, 241200 and 259200 s: positions 1 and 2.
EXPECTED_RESOLUTION = {  # severity: (incidents, within, breached, pending, resolved, median, p90)
    "P1": (3, 2, 1, 0, 3, 3600.0, 7200.0),
    "P3": (1, 0, 1, 0, 1, 5400.0, 5400.0),
    "P4": (3, 0, 3, 0, 2, 241200.0, 259200.0),
}
EXPECTED_RESOLUTION_BREACHES = {"P1": [2], "P3": [6], "P4": [4, 5, 8]}
EXPECTED_POSTMORTEMS = {"P1": (3, 1, 1, 1, 0)}  # required, on time, late, missing, pending
# With REGISTER instead of notes: #1 on time; PQ00001 (#2) and #3 late.
EXPECTED_REGISTER_POSTMORTEMS = {"P1": (3, 1, 2, 0, 0)}
EXPECTED_COVERAGE = {  # schedule: (share, gaps)
    "Platform - Primary": (1.0, []),
    "Platform - Secondary": (640 / 672, [
        (utc("2026-02-07T05:00"), utc("2026-02-07T13:00")),
        (utc("2026-02-14T05:00"), utc("2026-02-14T13:00")),
        (utc("2026-02-21T05:00"), utc("2026-02-21T13:00")),
        (utc("2026-02-28T05:00"), utc("2026-02-28T13:00")),
    ]),
    "Engineering Managers": (1.0, []),
}
EXPECTED_CHANGES = {"total": 5, "documented": 2,
                    "by_type": {"escalation_policies": 1, "schedules": 1, "services": 3}}


def hand_account() -> Account:
    account = demo_account(NOW)
    priorities = {priority.name: priority.id for priority in account.priorities}
    service = next(item for item in account.services if item.name == "Checkout API")
    responder = account.users[0].id
    incidents = []
    for index, (priority, created, ack, resolve, postmortem) in enumerate(HAND_INCIDENTS):
        created_at = utc(created)
        notes = [Note(f"PW{index:05d}", created_at + timedelta(minutes=20), responder,
                      "Investigating; customer impact appears limited.")]
        if postmortem is not None:
            link = POSTMORTEM_LINK.format(id=incident_id(index))
            notes.append(Note(f"PX{index:05d}", utc(postmortem), responder, f"Postmortem: {link}"))
        request_after, subscribed = HAND_COMMUNICATION.get(index, (None, False))
        incidents.append(Incident(
            index=index, title=f"Hand incident {index + 1}", service_id=service.id,
            escalation_policy_id=service.escalation_policy_id, urgency="high",
            created_at=created_at, assigned_user_id=responder,
            priority_id=priorities[priority],
            acknowledged_at=None if ack is None else created_at + timedelta(seconds=ack),
            acknowledged_by=None if ack is None else responder,
            resolved_at=None if resolve is None else created_at + timedelta(seconds=resolve),
            resolved_by=None if resolve is None else responder,
            notes=tuple(notes),
            responder_requests=() if request_after is None else (ResponderRequest(
                f"PR{index:05d}", created_at + timedelta(seconds=request_after), responder,
                (account.users[1].id,), "Please join."),),
            subscriber_user_ids=(account.users[2].id,) if subscribed else ()))
    return replace(account, incidents=IncidentTimeline.of(incidents))



def run_evidence(server: SimServer, output: Path, *, policy: Path = POLICY, force: bool = False,
                 since: datetime = SINCE, until: datetime = UNTIL, **config: object) -> Evidence:
    return write_evidence(EvidenceRequest(
        policy_paths=(str(policy),), since=since, until=until, output=output, force=force,
        client_config=fast_config(server, **config), now=NOW))


def register_policy(folder: Path, register: str, more_rows: str = "") -> Path:
    """The evidence policy copied into ``folder``, with postmortems recorded in ``REGISTER``
    (and ``more_rows``) copied to ``register`` (relative to the policy's folder, as the policy
    names it)."""
    policy = folder / "policy"
    shutil.copytree(POLICY, policy)
    organisation = policy / "organisation.yaml"
    text, count = re.subn(r"  recorded_as: incident_note\n  link_pattern: .*\n",
                          f"  recorded_as: register\n  register: {register}\n",
                          organisation.read_text(encoding="utf-8"))
    assert count == 1
    organisation.write_text(text, encoding="utf-8")
    (policy / register).parent.mkdir(parents=True, exist_ok=True)
    (policy / register).write_bytes(REGISTER.read_bytes() + more_rows.encode())
    return policy
