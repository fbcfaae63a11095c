"""A policy that documents a simulated account as it is configured, for the benchmarks.

The bench needs a policy as large as the account it checks (every escalation policy, schedule
and service documented) so that rule evaluation does all of its work. It is written from the
simulator's own account objects, one file per section like the example policy, and passes
``pdlint lint`` without errors. Where the generated account is not what a policy would demand
(schedules with gaps, people reachable by push only), the drift check reports it, as it would
on a real account.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from pdlint.sim import Account

Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/policy.schema.json\n"
POSTMORTEM_LINK = r"https://wiki\.bigcorp\.example/postmortems/\S+"
REGISTER_FILE = "postmortems.csv"


def duration(minutes: int) -> str:
    """Minutes as the policy writes a duration, largest unit first: 90 -> ``1h30m``."""
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    text = "".join(f"{value}{unit}" for value, unit in ((days, "d"), (hours, "h"), (minutes, "m"))
                   if value)
    return text or "0m"


def timeout(seconds: int | None) -> str:
    return "disabled" if seconds is None else duration(seconds // 60)


def policy_sections(account: Account, postmortems: dict[str, str],
                    ) -> dict[str, dict[str, Any]]:
    """The policy's files (name -> content), documenting ``account``'s configuration;
    ``postmortems`` is the policy's ``postmortems`` block."""
    teams = account.teams_by_id
    users = account.users_by_id
    schedules = account.schedules_by_id

    def team_of(team_ids: Iterable[str]) -> dict[str, str]:
        first = next(iter(team_ids), None)
        return {"team": teams[first].name} if first else {}

    documented_policies = [policy for policy in account.escalation_policies
                           if policy.id in account.services_by_policy]
    paged = {target.id for policy in documented_policies for rule in policy.rules
             for target in rule.targets if target.kind == "schedule"}
    used_teams = {team for objects in (account.escalation_policies, account.schedules,
                                       account.services) for obj in objects
                  for team in obj.team_ids[:1]}
    organisation = {
        "organisation": {
            "name": account.name, "time_zone": account.time_zone,
            "business_hours": {"days": list(DAY_NAMES[:5]), "start": "09:00", "end": "17:00"}},
        "severities": _severities(_priority_names(account)),
        "postmortems": postmortems,
        "tiers": {
            "production": {"description": "Production services.", "min_escalation_levels": 1,
                           "requires_integration": False}},
        "teams": [{"name": team.name} for team in account.teams if team.id in used_teams],
    }
    escalation_policies = {"escalation_policies": [
        {"name": policy.name, **team_of(policy.team_ids), "loops": policy.num_loops,
         "handoff_notifications": policy.on_call_handoff_notifications,
         "levels": _levels(policy.rules, schedules, users),
         **({"repeat_after": duration(sum(rule.escalation_delay_in_minutes
                                           for rule in policy.rules))}
            if policy.num_loops else {})}
        for policy in documented_policies]}
    schedule_section = {"schedules": [
        {"name": schedule.name, **team_of(schedule.team_ids), "time_zone": schedule.time_zone,
         **({} if any(layer.restrictions for layer in schedule.layers)
            else {"coverage": "24x7"}),
         "rotation_length": duration(schedule.layers[0].rotation_turn_length_seconds // 60),
         "min_participants": len(schedule.user_ids)}
        for schedule in account.schedules if schedule.id in paged]}
    services = {"services": [_service(service, account, team_of(service.team_ids))
                             for service in account.services]}
    return {"organisation.yaml": organisation,
            "escalation-policies.yaml": escalation_policies,
            "schedules.yaml": schedule_section, "services.yaml": services}


def _severities(priority_names: list[str]) -> list[dict[str, Any]]:
    """Four severities on the account's four highest priorities; only the first pages at night
    and needs a postmortem (so that the evidence run looks up a quarter of the incidents)."""
    shapes = [
        {"name": "Critical", "response_sla": "5m", "urgency": "high",
         "channels": ["phone", "sms"], "business_hours_only": False,
         "postmortem_within": "48h"},
        {"name": "High", "response_sla": "30m", "urgency": "low", "channels": ["push", "email"],
         "business_hours_only": False},
        {"name": "Medium", "response_sla": "4h", "urgency": "low", "channels": ["push"],
         "business_hours_only": True},
        {"name": "Low", "response_sla": "next_business_day", "urgency": "low",
         "channels": ["email"], "business_hours_only": True},
    ]
    return [{"id": f"SEV{rank}", **shape, "pagerduty_priority": name}
            for rank, (shape, name) in enumerate(zip(shapes, priority_names, strict=False), 1)]


def _levels(rules: Iterable[Any], schedules: dict[str, Any], users: dict[str, Any],
            ) -> list[dict[str, Any]]:
    levels = []
    engaged = 0
    for number, rule in enumerate(rules, 1):
        targets = [{"schedule": schedules[target.id].name} if target.kind == "schedule"
                   else {"user": users[target.id].email} for target in rule.targets]
        levels.append({"name": f"Level {number}", **(
            {"engaged_after": duration(engaged)} if number > 1 else {}), "targets": targets})
        engaged += rule.escalation_delay_in_minutes
    return levels


def _service(service: Any, account: Account, team: dict[str, str]) -> dict[str, Any]:
    rule = service.urgency_rule
    urgency = "support_hours" if rule.type == "use_support_hours" else rule.urgency
    documented: dict[str, Any] = {
        "name": service.name, "tier": "production", **team,
        "escalation_policy": account.escalation_policies_by_id[
            service.escalation_policy_id].name,
        "urgency": urgency,
        "acknowledgement_timeout": timeout(service.acknowledgement_timeout),
        "auto_resolve_timeout": timeout(service.auto_resolve_timeout)}
    hours = service.support_hours
    if hours is not None:
        documented["support_hours"] = {
            "time_zone": hours.time_zone,
            "days": [DAY_NAMES[day - 1] for day in hours.days_of_week],
            "start": hours.start_time[:5], "end": hours.end_time[:5]}
    return documented


def write_policy(account: Account, folder: Path, *, register: bool) -> Path:
    """Write the policy documenting ``account`` into ``folder`` (created); returns ``folder``.

    With ``register`` the policy keeps postmortems in a register file written beside it (the
    account's postmortem notes of the severities that require one), so that the evidence reads
    no incident's notes; otherwise postmortems are incident notes, looked up one by one.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if register:
        postmortems = {"recorded_as": "register", "register": REGISTER_FILE}
        _write_register(account, folder / REGISTER_FILE)
    else:
        postmortems = {"recorded_as": "incident_note", "link_pattern": POSTMORTEM_LINK}
    for name, content in policy_sections(account, postmortems).items():
        text = yaml.dump(content, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
        (folder / name).write_text(SCHEMA_LINE + text, encoding="utf-8")
    return folder


def postmortem_priorities(account: Account) -> frozenset[str]:
    """Names of the priorities whose incidents need a postmortem under the generated policy."""
    return frozenset(severity["pagerduty_priority"]
                     for severity in _severities(_priority_names(account))
                     if "postmortem_within" in severity)


def _priority_names(account: Account) -> list[str]:
    return [priority.name for priority in sorted(account.priorities,
                                                 key=lambda priority: -priority.order)]


def _write_register(account: Account, path: Path) -> None:
    due = postmortem_priorities(account)
    names = {priority.id: priority.name for priority in account.priorities}
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(("incident", "postmortem", "completed_at"))
        for incident in account.incidents:
            if names.get(incident.priority_id or "") not in due:
                continue
            for note in incident.notes[:1]:
                writer.writerow((incident.id, note.content.split()[-1],
                                 note.created_at.isoformat().replace("+00:00", "Z")))
