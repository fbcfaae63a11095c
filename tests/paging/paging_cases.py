"""The small accounts the paging path's tests share (tests/paging and PATH600 in tests/rules),
shaped as the list endpoints return them.

The window is two weeks from Monday 2026-03-02 12:00 UTC (``rule_cases.WINDOW``). Ann, Bob and
Lee are phoned at once for high urgency (Ann is pushed for low urgency); Cat is pushed at once
and phoned after 15 minutes; Dee is texted after 3 minutes and phoned after 7. Web, the
service, pages the escalation policy Main; Rota is the schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from rules.rule_cases import (
    WINDOW,
    Json,
    contact_method,
    escalation_policy,
    live_state,
    notification_rule,
    ref,
    schedule,
    service,
    user,
)

from pdlint.coverage import Interval
from pdlint.pagerduty.model import Service, parse_account
from pdlint.paging.path import Outcome, Overlay, Paths, Verdict, judged

UTC = timezone.utc
ANN, BOB, CAT, LEE, DEE = (ref("user", f"PU0000{number}", name) for number, name in enumerate(
    ("Ann Archer", "Bob Baker", "Cat Cole", "Lee Lead", "Dee Dunn"), start=1))
ROTA = ref("schedule", "PC00001", "Rota")
MAIN = ref("escalation_policy", "PE00001", "Main")
WEB = ref("service", "PS00001", "Web")
START, END = WINDOW.since, WINDOW.until
SATURDAY = datetime(2026, 3, 7, tzinfo=UTC)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment of March 2026, in UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def person(who: Json, *rules: tuple[str, str, int], **phone_changes: Any) -> Json:
    """A user with phone, SMS and push methods and rules given as (urgency, method, delay)."""
    number = who["id"][-1]
    methods = {kind: contact_method(f"PM{number}{index}", kind, "5550100")
               for index, kind in enumerate(("phone", "sms", "push_notification"))}
    methods["phone"].update(phone_changes)
    return user(who["id"], who["summary"], f"{who['summary'].split()[0].lower()}@ex.com",
                contact_methods=list(methods.values()),
                notification_rules=[notification_rule(f"PN{number}{index}", urgency,
                                                      methods[kind], delay)
                                    for index, (urgency, kind, delay) in enumerate(rules)])


PHONE = ("high", "phone", 0)
PEOPLE = {"ann": person(ANN, PHONE, ("low", "push_notification", 0)), "bob": person(BOB, PHONE),
          "lee": person(LEE, PHONE),
          "cat": person(CAT, ("high", "push_notification", 0), ("high", "phone", 15)),
          "dee": person(DEE, ("high", "sms", 3), ("high", "phone", 7))}


def rota(*entries: Json, **changes: Any) -> Json:
    """Rota, rendered as ``entries`` (its final schedule)."""
    return schedule("PC00001", "Rota", final_entries=list(entries)) | changes


SUN = {"id": "PV00001", "type": "schedule_v3_reference", "summary": "Sun"}


def sun(*shifts: tuple[datetime, datetime, Json]) -> Json:
    """The shift-based schedule Sun as ``GET /v3/schedules/{id}?include[]=final_schedule``
    answers: its computed shifts (start, end, who), its rotations left out."""
    return {"id": SUN["id"], "type": "schedule_v3", "name": "Sun", "time_zone": "UTC",
            "rotations": [],
            "final_schedule": {"type": "final_schedule", "computed_shift_assignments": [{
                "type": "computed_shift_assignment", "start_time": start.isoformat(),
                "end_time": end.isoformat(),
                "member": {"type": "user_member", "user_id": who["id"]},
                "source": {"type": "schedule_rotation", "rotation_id": "R1"}}
                for start, end, who in shifts]}}


def maintenance(window_id: str, start: datetime, end: datetime, *services: Json) -> Json:
    """A window as ``GET /maintenance_windows`` lists it."""
    return {"id": window_id, "type": "maintenance_window", "summary": "Database upgrade",
            "description": "Database upgrade", "start_time": start.isoformat(),
            "end_time": end.isoformat(), "services": list(services), "teams": [],
            "created_by": ref("user", "PU00001", "Ann Archer")}


def account_of(*, rules: Sequence[Json], num_loops: int | None = 0,
               schedules: Sequence[Json] = (),
               urgency_rule: Json | None = None, hours: Json | None = None,
               people: dict[str, Json] | None = None, status: str = "active",
               skipped: Sequence[str] = (), orchestrations: Sequence[Json] | None = None,
               windows: Sequence[Json] = (), shift_based: Sequence[Json] = (),
               policies: Sequence[Json] = ()) -> tuple[Paths, Service]:
    """Web's paths: Main's ``rules``, the ``schedules``, everyone in ``PEOPLE`` (and
    ``people``), Web's urgency rule and support hours, its orchestration (default: read,
    without rules; ``[]``: not read) and maintenance, and other escalation policies
    (``policies``), and the shift-based schedules read whole (``shift_based``)."""
    state = live_state(
        escalation_policies=[escalation_policy("PE00001", "Main", rules, num_loops=num_loops),
                             *policies],
        schedules=schedules, schedules_v3=shift_based,
        users=list({**PEOPLE, **(people or {})}.values()),
        services=[service("PS00001", "Web", escalation_policy=MAIN, urgency_rule=urgency_rule,
                          hours=hours, status=status)], skipped=skipped,
        service_orchestrations=orchestrations, maintenance_windows=windows)
    account = parse_account(state)
    web = account.services.by_id("PS00001")
    assert web is not None
    return Paths(account), web


def calls(paths: Paths, web: Service, urgency: str = "high",
          overlays: Sequence[Overlay] = ()) -> list[tuple[datetime, datetime, Any]]:
    """Each stretch of the window with the minute of the first call (or what stops it). The
    path judged against a few deadlines agrees with the path, moment by moment (``judged``):
    the judgements are worked out escalation by escalation, not from the path."""
    step = paths.service(web, urgency, Interval(START, END), overlays)
    for within in DEADLINES:
        assert paths.judgements(web, urgency, Interval(START, END), within, overlays) == (
            step.mapped(lambda outcome, within=within: _judgement_of(outcome, within))), within
    return [(stretch.start, stretch.end, _shown(outcome))
            for stretch, outcome in step.stretches(Interval(START, END))]


DEADLINES = (0, 5, 15, 60)
"""Minutes: at once, before, at and long after the calls of the people above."""


def _judgement_of(outcome: Outcome, within: int) -> tuple[Verdict, Outcome | None]:
    verdict = judged(outcome, within)
    return verdict, None if verdict is Verdict.MET else outcome


def _shown(outcome: Outcome) -> Any:
    if outcome.reach is None:
        return outcome.gate.why
    reach = outcome.reach
    return reach.call if reach.unread is None else (reach.call, reach.unread, reach.why)
