"""``pdlint init``: a first policy that documents the PagerDuty account as it is today.

The draft is the start of a review, not a policy anybody agreed: every value pdlint can read is
written as the account holds it, so that ``pdlint drift`` against the same account finds no
difference on the day it is written, and every place where a person must decide (business hours,
the severity matrix, what the format cannot express) carries a ``Review:`` comment. Objects keep
their names, with their ids as pins. Escalation times are converted to the policy's cumulative
form (PagerDuty's per-rule delays 10, 10, 20 become levels engaged after 10, 20 and 40 minutes).

What the account does that the drift rules object to whatever the policy says (a level resting
on one person, a responder who cannot be phoned, a deleted user in a rotation) cannot be
documented away: it is written as a waiver that expires after ``WAIVER_DAYS``, so that it is
accepted for now and reported again unless fixed or renewed. What those rules could not check is
never waived (skipped is never passed): a ``Review:`` comment says which check and why.
"""

from __future__ import annotations

import os
import re
import tempfile
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

import yaml

from pdlint.coverage import Interval, measure_rendered, weekly_hours
from pdlint.errors import PdlintError
from pdlint.files import (
    AlreadyThere,
    check_folder,
    repository_root,
    write_atomically,
    write_files,
)
from pdlint.findings import Finding, Resource, Skipped, counted
from pdlint.pagerduty.fetch import Progress, fetch_state_sync
from pdlint.pagerduty.model import (
    Account,
    EscalationPolicy,
    EscalationTarget,
    LiveObject,
    OrchestrationActions,
    Reference,
    Schedule,
    Service,
    SupportHours,
    TargetKind,
    WorkflowTrigger,
    parse_account,
)
from pdlint.pagerduty.settings import ClientConfig
from pdlint.pagerduty.state import (
    LiveState,
    TeamScope,
    Wanted,
    Window,
    account_subdomain,
    format_utc,
)
from pdlint.policy import load_policy
from pdlint.policy.model import WEEKDAYS, action_name, format_duration
from pdlint.rules.engine import drift
from pdlint.rules.escalation import check_single_responder
from pdlint.rules.orchestration import orchestration_of
from pdlint.rules.paths import check_paging_path
from pdlint.rules.people import check_unreachable_responder
from pdlint.rules.response import names_priority
from pdlint.rules.schedules import check_inactive_participant, rendered_window
from pdlint.rules.scope import Reach, no_such_team, unreadable_teams, within
from pdlint.zones import iana_name, zone_named

INSTALLED_SCHEMA = Path(__file__).parent / "schemas" / "policy.schema.json"
SCHEMA_FILE = Path("schemas") / "policy.schema.json"
POLICY_FILES = ("organisation.yaml", "escalation-policies.yaml", "schedules.yaml",
                "services.yaml", "waivers.yaml")
WAIVER_DAYS = 30
EXCEPTION_RULES = (check_single_responder, check_unreachable_responder,
                   check_inactive_participant, check_paging_path)
"""Drift rules about the account's own weaknesses, which no documentation can answer."""

BUSINESS_DAYS = WEEKDAYS[:5]
BUSINESS_START, BUSINESS_END = time(9), time(17)
TIER = "standard"
TIER_FIELDS = ("urgency", "acknowledgement_timeout", "auto_resolve_timeout",
               "requires_integration", "auto_pause_notifications", "alert_grouping")
LONGEST_AUTO_PAUSE = "15m"
"""PagerDuty holds a transient alert at most 900 seconds."""
RESPONSE_SLAS = ("5m", "15m", "1h", "4h", "8h", "24h", "48h", "72h", "7d")
POSTMORTEM_DEADLINES = ("48h", "7d")
SEVERITY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
NAME = re.compile(r"^\S(?:.*\S)?$", re.DOTALL)
NOT_READ = "not read"
"""What a commented entry writes for a part PagerDuty did not return (never empty)."""
_WIDTH = 100


class InitError(PdlintError):
    """The account cannot be documented as asked."""


class Quoted(str):
    """A value written in double quotes: times of day, which YAML 1.1 would read as numbers."""


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the order given, sequences indented under their key (as the
    example policy is written)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


class Flow(list[str]):
    """A short list written on one line: ``days: [monday, tuesday]``."""


_Dumper.add_representer(Quoted, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", str(value), style='"'))
_Dumper.add_representer(Flow, lambda dumper, value: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", list(value), flow_style=True))


@dataclass
class Entry:
    """One object of the draft and the comments a reviewer reads above it."""

    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    commented: bool = False
    """Written as comments, not drafted: PagerDuty did not return part of what the policy must
    state, so the reviewer completes it (never written as empty), and the draft still loads."""


Named = TypeVar("Named", bound=LiveObject)
Owned = EscalationPolicy | Schedule | Service
"""The objects a team owns."""


@dataclass(frozen=True)
class _Draft:
    """The account being documented, the window its schedules were rendered over, and the
    organisation's time zone."""

    live: Account
    window: Interval
    time_zone: str

    def team_name(self, reference: Reference) -> str | None:
        known = self.live.teams.by_id(reference.id)
        return (known.name if known else None) or reference.summary

    def first_team(self, live: Owned) -> str | None:
        teams = [self.team_name(team) for team in live.teams or ()]
        return next((name for name in teams if name and NAME.match(name)), None)

    def schedule_name(self, target: EscalationTarget) -> str | None:
        return self.live.schedule_named(target)

    def user_email(self, target: EscalationTarget) -> str | None:
        known = self.live.users.by_id(target.id)
        return known.email if known else None


class PolicyFilesThere(AlreadyThere):
    """The folder already holds policy files (``names``, whatever they are called): pdlint would
    read the draft together with them, so it writes beside them only when forced."""


@dataclass(frozen=True)
class InitRequest:
    """What ``pdlint init`` is asked: the folder, whether to write beside policy files already
    there, the organisation's name and time zone (None: the account's), the teams the draft is
    scoped to (none: the whole account), and how to read it."""

    folder: Path
    force: bool
    organisation: str | None
    time_zone: str | None
    client_config: ClientConfig
    window: Window
    teams: Sequence[str] = ()
    progress: Progress | None = None


@dataclass(frozen=True)
class Drafted:
    """What ``write_draft`` wrote (``files``), what it could not read (``skipped``), and the
    policy files of the folder it wrote beside (``others``), which pdlint reads with them."""

    files: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    others: tuple[str, ...]


def write_draft(request: InitRequest) -> Drafted:
    """Read the account and write the policy that documents it in ``request.folder``.

    The folder is checked before the account is read: a folder that cannot take the files, or
    (without ``force``) that holds policy files already, is refused with nothing read or written.
    """
    folder = request.folder
    present = existing_policy_files(folder)
    if present and not request.force:
        raise PolicyFilesThere(folder, present)
    check_folder(folder, POLICY_FILES, force=request.force)
    state = fetch_state_sync(  # every service's orchestration: the draft documents them all
        request.client_config, request.window, progress=request.progress,
        wanted=Wanted(TeamScope(tuple(request.teams)) if request.teams else None))
    schema = schema_home(folder)
    texts = draft_policy(state, organisation=request.organisation, time_zone=request.time_zone,
                         schema=schema_reference(folder, schema), teams=request.teams)
    place_schema(schema)
    write_files(folder, texts, force=request.force)
    return Drafted(tuple(texts), tuple(state.skipped),
                   tuple(sorted(set(present) - set(texts))))


def draft_policy(state: LiveState, *, organisation: str | None = None,
                 time_zone: str | None = None,
                 schema: str = "../schemas/policy.schema.json",
                 teams: Sequence[str] = ()) -> dict[str, str]:
    """The policy files (name -> YAML text) that document ``state``, waivers included.

    ``organisation`` and ``time_zone`` name the organisation (default: the account's subdomain,
    and the most common time zone of its schedules, else of its users, else UTC); ``schema`` is
    the ``$schema`` reference each file starts with (``place_schema``). ``teams`` (PagerDuty
    team names) drafts a policy scoped to them: a ``scope`` section, and only what it covers
    documented (``rules.scope.Reach``).
    """
    whole = parse_account(state)
    live, unsure = _scoped(whole, teams) if teams else (whole, None)
    zone = time_zone or _common_zone(live)
    if zone_named(zone) is None:
        raise InitError(f"{zone!r} is not an IANA time zone")
    account = _Draft(live, rendered_window(live), zone)
    today = live.fetched_at.date()
    services = _services(account)
    escalations = _escalation_policies(account, services)
    schedules = _schedules(account, escalations, services)
    team_entries = _teams(account, [*escalations, *schedules, *services])
    name = organisation or account_subdomain(state) or "Our organisation"
    header = _header(live, schema)
    bodies = {
        "organisation.yaml": _organisation_text(account, name, team_entries, services, teams,
                                                unsure),
        "escalation-policies.yaml": _section("escalation_policies", escalations),
        "schedules.yaml": _section("schedules", schedules),
        "services.yaml": _services_text(account, services),
    }
    files = {file: header + body for file, body in bodies.items() if body}
    waivers, unchecked = _exception_waivers(files, whole, today)
    notes = [
        "Review: each waiver accepts something the account does today that the drift rules "
        "report whatever the policy says. Fix it, or renew the waiver with a real reason, an "
        f"owner and a date, before it expires {WAIVER_DAYS} days after this draft."
    ] if waivers else []
    if waivers or unchecked:
        files["waivers.yaml"] = header + "".join(
            _comment(note, "") for note in [*notes, *unchecked]) + _section("waivers", waivers)
    return files


def _scoped(live: Account, teams: Sequence[str]) -> tuple[Account, str | None]:
    """The part of ``live`` the teams named cover, and why some of what they may page is not
    known (``Reach.unread``: not drafted); InitError for a team PagerDuty does not have or a
    team list the key may not read (an empty draft would document nothing)."""
    unreadable = unreadable_teams(live)
    if unreadable is not None:
        raise InitError(f"--team asks for a scope, but {unreadable}")
    found = set()
    for name in teams:
        team = live.teams.by_name(name)
        if team is None:
            raise InitError(f"--team {no_such_team(name, live)}")
        found.add(team.id)
    reach = Reach.of(live, frozenset(found))
    return within(live, reach), reach.unread


def schema_home(folder: Path) -> Path:
    """Where the policy in ``folder`` finds its schema: the ``schemas/policy.schema.json`` of the
    nearest folder above it that has one, up to the repository's root; else that of the
    repository's root (outside a repository, of the folder's parent), where ``place_schema``
    copies it."""
    here = Path(os.path.abspath(folder))
    root = repository_root(here) or here.parent
    for above in (here, *here.parents):
        if (above / SCHEMA_FILE).is_file():
            return above / SCHEMA_FILE
        if above == root:
            break
    return root / SCHEMA_FILE


def schema_reference(folder: Path, home: Path) -> str:
    """The ``$schema`` of files in ``folder``: the path of ``home`` relative to them, which
    resolves wherever the repository is checked out (an absolute path would work on the machine
    that wrote it only)."""
    return Path(os.path.relpath(home, os.path.abspath(folder))).as_posix()


def place_schema(home: Path) -> None:
    """Copy the schema installed with pdlint to ``home`` (``schema_home``) when nothing is there
    yet, so that the policy's ``$schema`` names a file the repository holds; a schema already
    there is the repository's and is kept."""
    if not home.is_file():
        write_atomically(home, INSTALLED_SCHEMA.read_text(encoding="utf-8"), parents=True)


def existing_policy_files(folder: Path) -> list[str]:
    """The policy files (``*.yaml``, ``*.yml``) already in ``folder``, by name."""
    if not folder.is_dir():
        return []
    return sorted(path.name for path in folder.iterdir()
                  if path.suffix in (".yaml", ".yml") and path.is_file())


# -- the organisation and the severity matrix ------------------------------------------------

def _common_zone(live: Account) -> str:
    for objects in (live.schedules, live.users):
        zones = Counter(zone for zone in (iana_name(str(obj.time_zone)) for obj in objects)
                        if zone)
        if zones:
            return zones.most_common(1)[0][0]
    return "UTC"


def _organisation_text(account: _Draft, name: str, teams: list[Entry],
                       services: list[_Service], scope: Sequence[str],
                       unsure: str | None) -> str:
    organisation = Entry({"organisation": {
        "name": name, "time_zone": account.time_zone,
        "business_hours": {"days": Flow(BUSINESS_DAYS), "start": Quoted(f"{BUSINESS_START:%H:%M}"),
                           "end": Quoted(f"{BUSINESS_END:%H:%M}")}}}, [
        "Review: the organisation's name, its time zone and its business hours are guesses "
        "(PagerDuty's API does not give them). Schedules documented with business_hours coverage "
        "were checked against these hours."])
    severities, notes = _severities(account.live)
    parts = [_mapping(organisation), _section("severities", severities, notes)]
    if any(entry.data.get("postmortem_within") for entry in severities):
        parts.append(_mapping(Entry({"postmortems": {
            "recorded_as": "incident_note", "link_pattern": r"https://\S+"}}, [
            "Review: where your postmortems are recorded. As drafted, any link in an incident "
            "note counts; write the pattern of your postmortem pages."])))
    tier = _tier(services)
    if tier:
        parts.append(_mapping(Entry({"tiers": {TIER: tier}}, [
            "Review: the settings most services share today, as one tier. Split the services "
            "into tiers by importance (customer-facing first), and give each tier the "
            "min_escalation_levels it needs."])))
    if teams:
        parts.append(_section("teams", teams))
    if scope:
        parts.append(_mapping(Entry({"scope": {"teams": Flow(scope)}}, [
            "Review: the part of the account the SOC 2 system covers. Only what these teams' "
            "services use is documented and checked; the rest of the account is counted, not "
            "checked. Add services: [name patterns] to narrow the teams' services.",
            *([f"Review: {unsure}, so whom it pages is not known: the schedules of other teams "
               "it may page are not drafted. Add those it pages."] if unsure else [])])))
    parts.append(PROGRAMME_PLACEHOLDER)
    return "\n".join(parts)


PROGRAMME_PLACEHOLDER = """\
# Review: the incident-response programme around the configuration. PagerDuty does not know it,
# so it is left for you to document: uncomment and fill in what your programme keeps. Until then
# nothing is asked of it (see docs/policy-format.md: training, exercises, corrective_actions).
#
# training:
#   valid_for: 365d
#   records:
#     - {person: someone@example.com, completed: 2026-01-15, course: Incident response}
#
# exercise_every: 12mo
# exercises:
#   - date: 2026-02-10
#     scenario: The primary database fails over during the evening peak
#     participants: [someone@example.com]
#     findings: [What the exercise found]
#     actions:
#       - {title: What is to be done, owner: someone@example.com, due: 2026-03-10}
#
# corrective_actions:
#   register: corrective-actions.csv   # columns incident, action, owner, due, closed_at
"""


def _severities(live: Account) -> tuple[list[Entry], list[str]]:
    """One severity per PagerDuty priority, most severe first, with placeholder values that
    satisfy the policy rules (SLAs in order, high urgency pages by phone and has a postmortem
    deadline)."""
    priorities = [priority for priority in live.priorities
                  if NAME.match(str(priority.name or ""))]
    names = [str(priority.name) for priority in priorities]
    priorities = [priority for position, priority in enumerate(priorities)
                  if names.index(str(priority.name)) == position]
    reason = live.priorities.skip_reason
    if not priorities:
        why = (f"the priorities could not be read ({reason})" if reason
               else "the account has no incident priorities")
        return [_severity("SEV1", "Critical", None, 0, 1, None),
                _severity("SEV2", "Minor", None, 1, 1, None)], [
            f"Review: {why}, so this severity matrix is only an example. Write your own."]
    high = 2 if len(priorities) >= 3 else 1
    entries = []
    used: set[str] = set()
    for position, priority in enumerate(priorities):
        name = str(priority.name)
        severity_id = name if SEVERITY_ID.match(name) and name not in used else (
            f"SEV{position + 1}")
        used.add(severity_id)
        description = priority.description
        entry = _severity(severity_id, name, description if _is_text(description) else None,
                          position, high, name)
        automation = _response_automation(live, name, entry.notes)
        if automation is not None:
            entry.data["response_automation"] = automation
        entries.append(entry)
    return entries, [
        "Review: one severity per PagerDuty priority, most severe first as the account orders "
        "them. The response SLAs, urgencies, channels and postmortem deadlines are placeholders "
        "that pass the policy rules: replace them with what your policy says."]


def _response_automation(live: Account, priority: str, notes: list[str]) -> dict[str, Any] | None:
    """The first enabled incident workflow (by name) a conditional trigger starts on incidents of
    ``priority``, with the actions it runs and, unless a trigger covers every service, the
    documented services it runs on; None when there is none."""
    if not (live.incident_workflows.read and live.workflow_triggers.read):
        notes.append("Review: the incident workflows or their triggers could not be read, so no "
                     "response automation is documented.")
        return None
    triggers: dict[str, list[WorkflowTrigger]] = {}
    for trigger in live.workflow_triggers:
        if (trigger.workflow is not None and trigger.workflow.id is not None
                and trigger.condition and names_priority(trigger, priority)):
            triggers.setdefault(trigger.workflow.id, []).append(trigger)
    workflows = sorted((workflow for workflow in live.incident_workflows
                        if workflow.id in triggers and workflow.is_enabled
                        and workflow.name and NAME.match(workflow.name)),
                       key=lambda workflow: str(workflow.name))
    for workflow in workflows:
        actions = list(dict.fromkeys(action_name(action_id)
                                     for action_id in workflow.action_ids() or ()))
        if not actions:
            continue
        data: dict[str, Any] = {"workflow": workflow.name}
        started = triggers[workflow.id]
        if not any(trigger.all_services for trigger in started):
            services = [str(service.name) for service in _unique(live.services)
                        if not service.disabled and any(trigger.covers(service.id) is True
                                                        for trigger in started)]
            if not services:
                continue
            data["services"] = Flow(services)
        data["actions"] = Flow(actions)
        notes.append(f"Review: incident workflow '{workflow.name}' runs on {priority} incidents "
                     "today; documented as the automation this severity requires, with the "
                     "actions it runs. Keep the ones your policy asks for.")
        return data
    return None


def _severity(severity_id: str, name: str, description: str | None, position: int,
              high: int, priority: str | None) -> Entry:
    urgent = position < high
    sla = (RESPONSE_SLAS[position] if position < len(RESPONSE_SLAS)
           else f"{position - len(RESPONSE_SLAS) + 8}d")
    data: dict[str, Any] = {"id": severity_id, "name": name}
    if description:
        data["description"] = description
    data.update({"response_sla": sla, "urgency": "high" if urgent else "low",
                 "channels": Flow(["phone", "sms"] if urgent else ["push", "email"]),
                 "business_hours_only": False})
    if urgent:
        data["postmortem_within"] = POSTMORTEM_DEADLINES[min(position, 1)]
    if priority is not None:
        data["pagerduty_priority"] = priority
    return Entry(data)


def _teams(account: _Draft, entries: Iterable[Entry]) -> list[Entry]:
    """The teams something in the draft belongs to, as the account lists them."""
    used = {entry.data["team"] for entry in entries if "team" in entry.data}
    found = []
    for team in account.live.teams:
        name = team.name
        if name in used:
            used.discard(name)
            data: dict[str, Any] = {"name": name, "id": team.id}
            if _is_text(team.description):
                data["description"] = team.description
            found.append(Entry(data))
    return found + [Entry({"name": name}) for name in sorted(used)]


# -- services --------------------------------------------------------------------------------

@dataclass
class _Service(Entry):
    """A documented service, its settings (None where the format cannot say what PagerDuty
    does) and the escalation policy it uses."""

    live: Service | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def escalation_policy(self) -> Reference | None:
        return self.live.escalation_policy if self.live else None

    @property
    def escalation_policy_id(self) -> str:
        return str(self.escalation_policy.id if self.escalation_policy else None)


def _services(account: _Draft) -> list[_Service]:
    found = []
    for live in _unique(account.live.services):
        if live.disabled:
            continue
        notes: list[str] = []
        service = _Service(_identity(account, live, notes), notes, live=live)
        if live.escalation_policy is None:
            notes.append("Review: PagerDuty returned the service without its escalation policy, "
                         "so no escalation policy lists it and the draft is incomplete: list it "
                         "under the policy that covers it (POL023).")
        service.settings = _settings(account.live, live, service.notes)
        maintenance = _maintenance(account, live, service.notes)
        if maintenance is not None:
            service.data["maintenance_windows"] = maintenance
        found.append(service)
    tier = _tier(found)
    low_priorities = {entry.data.get("pagerduty_priority")
                      for entry in _severities(account.live)[0] if entry.data["urgency"] == "low"}
    for service in found:
        if tier:
            service.data["tier"] = TIER
        for key in TIER_FIELDS:
            value = service.settings[key]
            if value is not None and tier.get(key) != value:
                service.data[key] = value
        if service.settings["support_hours"] is not None:
            service.data["support_hours"] = service.settings["support_hours"]
        _routing(account.live, service, low_priorities)
    return found


def _routing(live: Account, service: _Service, low_priorities: set[Any]) -> None:
    """What reaches the service: the monitoring tools of its integrations (a vendor's name,
    else the integration's), and the orchestration rules that hold back or lower its pages
    today (SVC311's, with the urgency and severities this draft documents), allowed for a
    reviewer to confirm."""
    assert service.live is not None
    sources = list(dict.fromkeys(
        text for integration in service.live.integrations or ()
        if (text := integration.vendor or integration.name) and NAME.match(text)))
    if sources:
        service.data["detection_sources"] = Flow(sources)
    if not live.orchestration_read(service.live):
        service.notes.append("Review: its event orchestration could not be read, so the policy "
                             "allows none of its rules as drafted.")
    orchestration = orchestration_of(live, service.live)
    high = service.settings["urgency"] == "high"
    rule = service.live.urgency_rule
    severity_based = rule is not None and rule.urgency == "severity_based"

    def lowers(actions: OrchestrationActions) -> bool:
        return high and ((actions.priority_id is not None
                          and _priority_name(live, actions.priority_id) in low_priorities)
                         or (severity_based and actions.urgency == "low"))

    acting = [rule.name for rule in orchestration.rules if not rule.disabled and (
        rule.actions.holds_back() is not None or lowers(rule.actions))] if orchestration else []
    if acting:
        service.data["allowed_orchestration_rules"] = Flow(list(dict.fromkeys(acting)))
        service.notes.append(
            "Review: these event orchestration rules keep alerts from paging (suppress, "
            "suspend, drop, resolve) or lower their urgency today; keep them here only if "
            "the policy accepts that.")


def _priority_name(live: Account, priority_id: str | None) -> str | None:
    priority = live.priorities.by_id(priority_id)
    return priority.name if priority else None


def _settings(account: Account, live: Service, notes: list[str]) -> dict[str, Any]:
    """The service's settings in the policy's words; None (and a note) where there are none."""
    hours = _support_hours(live.support_hours)
    word = live.urgency_rule.policy_word() if live.urgency_rule else None
    urgency = word if word in ("high", "low", "severity_based", "support_hours") else None
    if live.urgency_rule is None:
        notes.append("Review: PagerDuty returned the service without its urgency rule, so its "
                     "urgency is not documented.")
    elif urgency == "support_hours" and "support_hours" in live.unreturned:
        notes.append("Review: PagerDuty raises its urgency by support hours but returned the "
                     "service without them, so neither its urgency nor its support hours are "
                     "documented.")
        urgency = None
    elif urgency == "support_hours" and hours is None:
        notes.append("Review: PagerDuty raises its urgency by support hours that the policy "
                     "format cannot state (a time zone pdlint does not know, seconds, or "
                     "hours past midnight), so neither its urgency nor its support hours are "
                     "documented.")
        urgency = None
    elif urgency is None:
        notes.append("Review: its urgency rule (support hours other than high during and low "
                     "outside) cannot be stated in the policy format, so it is not documented.")
    settings: dict[str, Any] = {
        "urgency": urgency, "support_hours": hours if urgency == "support_hours" else None,
        "requires_integration": None if live.integrations is None else bool(live.integrations)}
    if live.integrations is None:
        notes.append("Review: PagerDuty did not list its integrations, so neither its monitoring "
                     "tools nor whether it requires an integration is documented.")
    for key, label, seconds in (
            ("acknowledgement_timeout", "acknowledgement", live.acknowledgement_timeout),
            ("auto_resolve_timeout", "auto-resolve", live.auto_resolve_timeout)):
        settings[key] = None if key in live.unreturned else _timeout(seconds)
        if key in live.unreturned:
            notes.append(f"Review: PagerDuty returned the service without its {label} timeout, "
                         "so it is not documented.")
        elif settings[key] is None:
            notes.append(f"Review: its {label} timeout ({seconds} seconds) is not whole minutes, "
                         "so it is not documented.")
    settings["auto_pause_notifications"] = _auto_pause(live, notes)
    grouping = account.alert_grouping_of(live)
    settings["alert_grouping"] = grouping.policy_word() if grouping else None
    if grouping is not None and settings["alert_grouping"] is None:
        notes.append(f"Review: its alert grouping is kept in Alert Grouping Setting "
                     f"{grouping.setting_id}, which "
                     + ("this API key cannot list" if account.alert_grouping_settings.read
                        else "could not be read")
                     + ", so it is not documented.")
    return settings


def _auto_pause(live: Service, notes: list[str]) -> str | None:
    """The longest the service holds transient alerts, as PagerDuty has it: ``disabled``, the
    pause, or PagerDuty's longest when it does not say; None when it was not read."""
    pause = live.auto_pause
    if pause is None:
        notes.append("Review: PagerDuty did not return its auto-pause settings, so they are not "
                     "documented.")
        return None
    if not pause.enabled:
        return "disabled"
    seconds = pause.pause_seconds
    notes.append("Review: PagerDuty holds alerts it judges transient before they page "
                 f"({f'for {seconds} seconds' if seconds else 'for a time it does not state'}"
                 "); allowed as drafted. A high-urgency service should page at once.")
    if not seconds or seconds % 60:
        return LONGEST_AUTO_PAUSE
    return _timeout(seconds)


def _maintenance(account: _Draft, live: Service, notes: list[str]) -> dict[str, Any] | None:
    """The maintenance windows PagerDuty holds the service in, under way or to come, each
    allowed as the date range it falls in, no longer than the longest; None when it has none.
    A review note names each: the draft accepts them, a person decides whether the policy
    should."""
    windows = account.live.maintenance_windows_of(live.id)
    if windows is None:
        notes.append("Review: its maintenance windows could not be read, so the policy allows "
                     "none as drafted.")
        return None
    if not windows:
        return None
    zone = zone_named(account.time_zone)
    assert zone is not None  # draft_policy checked it
    longest = max(window.end - window.start for window in windows)
    allowed = []
    for window in windows:
        start, end = window.start.astimezone(zone), window.end.astimezone(zone)
        slot: dict[str, Any] = {}
        if window.description and _is_text(window.description):
            slot["description"] = window.description
        slot["from"] = start.date()
        slot["until"] = (end - timedelta(microseconds=1)).date()
        allowed.append(slot)
        creator = window.created_by.summary if window.created_by else None
        described = ("description not read" if window.description is None
                     else window.description or "no description")
        notes.append(f"Review: PagerDuty holds it in maintenance from {start:%Y-%m-%d %H:%M} to "
                     f"{end:%Y-%m-%d %H:%M} ({described}"
                     f"{', by ' + creator if creator else ''}); allowed as drafted, it opens no "
                     "incident then. Decide which maintenance the policy allows.")
    minutes = -(-longest // timedelta(minutes=1))
    return {"max_length": format_duration(timedelta(minutes=max(minutes, 1))),
            "allowed": allowed}


def _support_hours(hours: SupportHours | None) -> dict[str, Any] | None:
    """PagerDuty's ``support_hours`` as the policy writes them (an IANA time zone for a Rails
    one), or None when it cannot."""
    zone = iana_name(str(hours.time_zone)) if hours is not None else None
    if hours is None or zone is None:
        return None
    days = hours.days_of_week or ()
    times = [_time_of_day(text) for text in (hours.start_time, hours.end_time)]
    if (not days or not all(1 <= day <= 7 for day in days)
            or times[0] is None or times[1] is None or times[1] <= times[0]):
        return None
    return {"time_zone": zone,
            "days": Flow([WEEKDAYS[day - 1] for day in sorted(set(days))]),
            "start": Quoted(f"{times[0]:%H:%M}"), "end": Quoted(f"{times[1]:%H:%M}")}


def _time_of_day(text: Any) -> time | None:
    """``"09:00:00"`` -> 09:00; None for seconds the policy cannot write, or not a time."""
    match = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])(?::00)?", str(text))
    return time(int(match[1]), int(match[2])) if match else None


def _timeout(seconds: int | None) -> str | None:
    """A timeout in seconds in the policy's words; null or 0 mean switched off."""
    if not seconds:
        return "disabled"
    return format_duration(timedelta(seconds=seconds)) if seconds % 60 == 0 else None


def _tier(services: Sequence[_Service]) -> dict[str, Any]:
    """The value most services share, for each setting every service can state."""
    tier: dict[str, Any] = {}
    for key in TIER_FIELDS:
        values = [service.settings[key] for service in services]
        if values and None not in values:
            tier[key] = Counter(values).most_common(1)[0][0]
    return tier


def _by_escalation_policy(services: Iterable[_Service]) -> dict[str, list[_Service]]:
    """The services grouped by the id of their escalation policy, in order."""
    groups: dict[str, list[_Service]] = {}
    for service in services:
        groups.setdefault(service.escalation_policy_id, []).append(service)
    return groups


def _services_text(account: _Draft, services: list[_Service]) -> str:
    """The services, grouped by the escalation policy that covers them."""
    if not services:
        return ""
    groups = _by_escalation_policy(services)
    disabled = sorted(str(live.name) for live in account.live.services if live.disabled)
    lines = [_comment("Not documented: disabled services, which open no incidents: "
                      f"{', '.join(disabled)}.", "")] if disabled else []
    lines.append("services:")
    for members in groups.values():
        policy = members[0].escalation_policy or Reference(None, None, None)
        known = account.live.escalation_policies.by_id(policy.id) if policy.id else None
        label = (known.name if known else None) or policy.summary or policy.id or NOT_READ
        lines.append(_comment(f"Escalation policy: {label}", "  ")
                     + "\n".join(_item(service) for service in members))
    return "\n".join(lines)


# -- escalation policies ---------------------------------------------------------------------

def _escalation_policies(account: _Draft, services: list[_Service]) -> list[Entry]:
    covered = _by_escalation_policy(services)
    unlinked = [str(service.data["name"]) for service in services
                if service.escalation_policy is None]
    return [_escalation_policy(account, live, [
        str(service.data["name"]) for service in covered.get(live.id, [])], unlinked)
        for live in _unique(account.live.escalation_policies)]


def _escalation_policy(account: _Draft, live: EscalationPolicy, covered: list[str],
                       unlinked: list[str]) -> Entry:
    """The policy's entry; written in comments (``Entry.commented``) when what the format needs
    of it was not read, or is not there to write: levels, their targets, when they are
    engaged. ``unlinked``: the services returned without their escalation policy."""
    notes: list[str] = []
    entry = Entry(_identity(account, live, notes), notes)
    if covered:
        entry.data["services"] = Flow(covered) if len(", ".join(covered)) < 60 else covered
    elif unlinked:
        entry.notes.append(
            "Review: it covers no documented service PagerDuty returned with its escalation "
            "policy; " + (f"whether it covers {unlinked[0]} is not known: PagerDuty returned "
                          "that service without its escalation policy." if len(unlinked) == 1
                          else f"whether it covers any of {', '.join(unlinked)} is not known: "
                          "PagerDuty returned those services without their escalation policy."))
    else:
        entry.notes.append("Review: it covers no documented service; delete it in PagerDuty, or "
                           "name the services it should cover.")
    loops = live.num_loops
    unsaid = []
    for key, field_name, value in (
            ("loops", "num_loops", loops),
            ("handoff_notifications", "on_call_handoff_notifications",
             live.handoff_notifications)):
        if value is None:
            unsaid.append(field_name)
        else:
            entry.data[key] = value
    if unsaid:
        entry.notes.append(f"Review: PagerDuty returned it without {' and '.join(unsaid)}, so "
                           f"{'they are' if len(unsaid) > 1 else 'it is'} not documented.")
    levels: list[dict[str, Any]] = []
    engaged: int | None = 0
    untimed, untargeted = [], []
    for number, escalation_rule in enumerate(live.rules or (), start=1):
        level: dict[str, Any] = {}
        if number > 1:
            level["engaged_after"] = (NOT_READ if engaged is None
                                      else format_duration(timedelta(minutes=engaged)))
        levels.append(level)
        if escalation_rule.delay_minutes is None:
            untimed.append(number)
        engaged = (None if engaged is None or escalation_rule.delay_minutes is None
                   else engaged + escalation_rule.delay_minutes)
        if escalation_rule.targets is None:
            level["targets"] = NOT_READ  # the entry is written in comments
            continue
        targets: list[dict[str, str | None]] = []
        for target in escalation_rule.targets:
            if target.is_schedule and account.live.schedule_of(target) is None and target.id:
                targets.append({"schedule_id": target.id})
                entry.notes.append(
                    f"Review: level {number} pages schedule {target.id}"
                    f"{f' ({target.summary})' if target.summary else ''}, which this API key "
                    "cannot list, so the policy names it by id.")
            elif target.is_schedule and account.schedule_name(target):
                targets.append({"schedule": account.schedule_name(target)})
            elif target.kind is TargetKind.USER and account.user_email(target):
                targets.append({"user": account.user_email(target)})
            elif target.kind is TargetKind.USER and target.id:
                targets.append({"user_id": target.id})
                entry.notes.append(
                    f"Review: level {number} pages user {target.id}"
                    f"{f' ({target.summary})' if target.summary else ''}, "
                    + ("whom PagerDuty listed without an email"
                       if account.live.users.by_id(target.id) else "whom this API key cannot list")
                    + ", so the policy names them by id.")
            else:
                entry.notes.append(f"Review: level {number} also pages {target.type} "
                                   f"{target.id}, which the account does not list.")
        if not targets:
            untargeted.append(number)
        level["targets"] = targets
    unread = _not_returned(account.live, "escalation_policy", live)
    if unread:
        entry.notes.append(
            f"Review: PagerDuty returned it without {' and '.join(unread)}, so it is not "
            "drafted: the policy must name each level's targets, which were not read. Complete "
            "it from PagerDuty and uncomment it.")
    untimed = [number for number in untimed if number < len(levels) or loops]
    if untimed:
        entry.notes.append(
            "Review: PagerDuty returned it without the escalation delay of "
            f"{_levels(untimed)}, so it is not drafted: the policy must say when each level "
            f"after the first is engaged{' and when it repeats' if loops else ''}, which was "
            "not read. Complete it from PagerDuty and uncomment it.")
    if not levels and live.rules is not None:
        entry.notes.append(
            "Review: PagerDuty returned it with no escalation rule, so it pages nobody and is "
            "not drafted: the policy must give it a level. Add its levels in PagerDuty and "
            "here, or delete it.")
    if untargeted:
        entry.notes.append(
            f"Review: {_levels(untargeted)} {'pages' if len(untargeted) == 1 else 'page'} no "
            "target the policy can name, so it is not drafted: the policy must name each "
            "level's targets. Complete it and uncomment it.")
    entry.commented = bool(unread or untimed or untargeted or not levels)
    entry.data["levels"] = NOT_READ if live.rules is None else levels
    if loops and live.rules is not None:
        entry.data["repeat_after"] = (NOT_READ if engaged is None
                                      else format_duration(timedelta(minutes=engaged)))
    return entry


def _levels(numbers: list[int]) -> str:
    """``level 2`` or ``levels 1, 2 and 3``."""
    if len(numbers) == 1:
        return f"level {numbers[0]}"
    return f"levels {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def _not_returned(live: Account, kind: str, obj: LiveObject) -> tuple[str, ...]:
    """What PagerDuty did not return of ``obj`` (``Account.not_returned``)."""
    return live.not_returned(Resource(kind, obj.name, obj.id))


# -- schedules -------------------------------------------------------------------------------

def _schedules(account: _Draft, escalations: list[Entry],
               services: list[_Service]) -> list[Entry]:
    targeted = {target["schedule"] for escalation in escalations
                for level in _read(escalation.data["levels"])
                for target in _read(level["targets"]) if "schedule" in target}
    unread = [f"'{escalation.data['name']}'" for escalation in escalations
              if _targets_unread(escalation)]
    unknown = (f"whether {unread[0]} does is not known: PagerDuty did not return all of its "
               "levels" if len(unread) == 1 else f"whether any of {', '.join(unread)} does is "
               "not known: PagerDuty did not return all of their levels")
    found = [_schedule(account, live) for live in _unique(
        [*account.live.schedules, *account.live.shift_based_schedules])]
    for entry in found:
        if entry.data["name"] in targeted:
            continue
        entry.notes.append("Review: no escalation policy pages it." if not unread else
                           f"Review: no escalation policy drafted pages it, but {unknown}.")
    _round_the_clock_first_levels(found, escalations, services)
    return found


def _targets_unread(escalation: Entry) -> bool:
    """Whether whom a drafted escalation policy pages is not known: its levels, or a level's
    targets, were not read."""
    levels = escalation.data["levels"]
    return levels == NOT_READ or any(level["targets"] == NOT_READ for level in levels)


def _read(items: list[dict[str, Any]] | str) -> list[dict[str, Any]]:
    """The levels or targets of a drafted escalation policy; none of those ``NOT_READ``."""
    return [] if isinstance(items, str) else items


def _schedule(account: _Draft, live: Schedule) -> Entry:
    notes: list[str] = []
    entry = Entry(_identity(account, live, notes), notes)
    zone_name = live.time_zone
    iana = iana_name(zone_name) if zone_name is not None else None
    if zone_name is None:
        entry.notes.append("Review: PagerDuty returned it without its time zone, so its time "
                           "zone and coverage are not documented.")
    elif iana is not None:
        entry.data["time_zone"] = iana
        coverage = _coverage(account, live, iana, entry.notes)
        if coverage:
            entry.data["coverage"] = coverage
    else:
        entry.notes.append(f"Review: its time zone {zone_name!r} is not one pdlint knows, so its "
                           "time zone and coverage are not documented.")
    layers = live.layers_in_force(account.live.window)
    turns = {layer.turn_seconds for layer in layers}
    unread_turn = next((layer for layer in layers if layer.turn_unread is not None), None)
    if unread_turn is not None:
        entry.notes.append(f"Review: the turn length of its layer '{unread_turn.name}' was not "
                           f"read ({unread_turn.turn_unread}), so no rotation_length is "
                           "documented.")
    elif len(turns) == 1:
        seconds = turns.pop()
        if seconds is not None and seconds > 0 and seconds % 60 == 0:
            entry.data["rotation_length"] = format_duration(timedelta(seconds=seconds))
    elif turns:
        entry.notes.append("Review: its layers hand over at different intervals, so no "
                           "rotation_length is documented.")
    people = live.members_in_force(account.live.window)
    if people:
        entry.data["min_participants"] = len(people)
    unread = [part for part in _not_returned(account.live, "schedule", live)
              if part != "its final schedule"]  # _coverage notes it
    if live.layers is None or people is None:
        entry.notes.append(
            f"Review: PagerDuty returned it without {' and '.join(unread)}, so "
            + ("its rotation_length and min_participants are" if live.layers is None
               else "its min_participants is") + " not documented.")
    return entry


def _coverage(account: _Draft, live: Schedule, zone_name: str,
              notes: list[str]) -> str | None:
    """``24x7`` when someone is on call throughout the window, else ``business_hours`` when
    the organisation's business hours (in the schedule's time zone, an IANA name) are covered,
    else None (and a note: not rendered is not "nobody on call")."""
    zone = zone_named(zone_name)
    assert zone is not None
    window = account.window
    span = f"{format_utc(window.start)} to {format_utc(window.end)}"
    final = live.final_schedule
    if final is None:
        notes.append("Review: PagerDuty returned no rendered final schedule, so its coverage "
                     "is not documented.")
        return None
    if final.problem is not None:
        notes.append(f"Review: its final schedule could not be read ({final.problem}), so its "
                     "coverage is not documented.")
        return None
    gaps = measure_rendered([window], final).gaps
    if not gaps:
        return "24x7"
    days = [WEEKDAYS.index(day) + 1 for day in BUSINESS_DAYS]
    business = measure_rendered(weekly_hours(window, zone, days, BUSINESS_START, BUSINESS_END),
                                final)
    first = gaps[0]
    uncovered = (f"from {span} the schedule leaves {counted(len(gaps), 'period')} with nobody "
                 f"on call (the first from {format_utc(first.start)} to {format_utc(first.end)})")
    if business.required and not business.gaps:
        notes.append(f"Review: {uncovered}, all outside business hours, so its coverage is "
                     "written as business_hours; write 24x7 if it must cover every hour.")
        return "business_hours"
    notes.append(f"Review: {uncovered}, in business hours too: state the coverage it must give.")
    return None


def _round_the_clock_first_levels(schedules: list[Entry], escalations: list[Entry],
                                  services: list[_Service]) -> None:
    """Drop ``business_hours`` coverage from schedules that alone make level 1 of a service that
    is high urgency around the clock: the policy could not say both (POL027)."""
    by_name = {entry.data["name"]: entry for entry in schedules}
    tier = _tier(services)
    covered = _by_escalation_policy(services)
    for escalation in (drafted for drafted in escalations if not drafted.commented):
        round_the_clock = [service.data["name"]
                           for service in covered.get(escalation.data["id"], [])
                           if service.data.get("urgency", tier.get("urgency")) == "high"]
        first = [by_name.get(target.get("schedule")) for target in
                 escalation.data["levels"][0]["targets"]]
        if not round_the_clock or not all(
                entry is not None and entry.data.get("coverage") == "business_hours"
                for entry in first):
            continue
        for entry in first:
            assert entry is not None
            del entry.data["coverage"]
            entry.notes.append(
                "Review: so its coverage is not documented: business_hours would contradict "
                f"level 1 of '{escalation.data['name']}', which pages for "
                f"{', '.join(round_the_clock)} at high urgency around the clock (POL027). "
                "Decide which is right.")


# -- waivers ---------------------------------------------------------------------------------

def _exception_waivers(files: Mapping[str, str], live: Account,
                       today: date) -> tuple[list[Entry], list[str]]:
    """A waiver for each finding of ``EXCEPTION_RULES`` on the drafted policy, and a ``Review:``
    note for each rule and object it could not check (``Finding.not_checked``): skipped is never
    passed, so those are not waived, nor the rule's other findings on that object, which the
    same waiver would accept (a waiver names a rule and an object)."""
    with tempfile.TemporaryDirectory(prefix="pdlint-init-") as scratch:
        for name, text in files.items():
            (Path(scratch) / name).write_text(text, encoding="utf-8")
        loaded = load_policy([scratch])
    if loaded.policy is None:
        problems = "; ".join(finding.message for finding in loaded.findings[:3])
        raise InitError(f"the drafted policy does not load ({problems}); please report this")
    report = drift(loaded.policy, live, today, EXCEPTION_RULES)
    owner = _owner(live)
    grouped: dict[tuple[str, Resource], list[Finding]] = {}
    for finding in report.findings:
        grouped.setdefault((finding.rule, finding.resource), []).append(finding)
    waivers, unchecked = [], []
    for (rule_id, resource), found in grouped.items():
        missed = [_sentence(finding.message) for finding in found
                  if finding.not_checked is not None]
        if missed:
            unchecked.append(
                f"Review: {rule_id} could not check {resource}, so no waiver of {rule_id} is "
                "drafted for it (one would accept what was not checked): drift reports it until "
                f"it can be checked. {' '.join(missed)}")
            continue
        written = {"type": resource.type} | (
            {"name": resource.name} if resource.name and NAME.match(resource.name) else {}) | (
            {"id": resource.id} if resource.id else {})
        waivers.append(Entry({
            "rule": rule_id, "resource": written,
            "reason": f"Found by pdlint init on {today.isoformat()}: " + " ".join(
                _sentence(finding.message) for finding in found),
            "owner": owner, "expires": today + timedelta(days=WAIVER_DAYS)}))
    return waivers, unchecked


def _sentence(message: str) -> str:
    return message[0].upper() + message[1:] + "."


def _owner(live: Account) -> str:
    """Who answers for the draft's waivers until a reviewer names someone: the account owner,
    else an admin, else anyone."""
    emails = [(user.role, user.email) for user in live.users
              if user.email is not None and "@" in user.email]
    for role in ("owner", "admin"):
        for user_role, email in emails:
            if user_role == role:
                return email
    return emails[0][1] if emails else "incident-response@example.com"


# -- writing YAML ----------------------------------------------------------------------------

def _header(live: Account, schema: str) -> str:
    fetched = format_utc(live.fetched_at.replace(microsecond=0))
    return (f"# yaml-language-server: $schema={schema}\n#\n"
            + _comment(f"Drafted by `pdlint init` from the PagerDuty account at {live.api_url} "
                       f"on {fetched}. It documents the account as it was then: review every "
                       "\"Review:\" comment, decide what the policy must be, and from then on "
                       "`pdlint drift` reports each difference from it.", "")
            + "\n")


def _unique(objects: Iterable[Named]) -> list[Named]:
    """Objects with a name the policy can hold, the first of each name (the policy names each
    object once; PagerDuty allows two of the same name)."""
    found: dict[str, Named] = {}
    for obj in objects:
        if obj.name is not None and NAME.match(obj.name) and obj.id:
            found.setdefault(obj.name, obj)
    return list(found.values())


def _identity(account: _Draft, live: Owned, notes: list[str]) -> dict[str, Any]:
    """The keys every documented object starts with: name, id, description, team (a note in
    ``notes`` when its teams were not returned: not read, not "no team")."""
    data: dict[str, Any] = {"name": live.name, "id": live.id}
    if _is_text(live.description):
        data["description"] = live.description
    team = account.first_team(live)
    if team:
        data["team"] = team
    elif live.teams is None:
        notes.append("Review: PagerDuty returned it without its teams, so its team is not "
                     "documented.")
    return data


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _comment(text: str, indent: str) -> str:
    return "\n".join(textwrap.wrap(text, _WIDTH - len(indent) - 2, initial_indent=f"{indent}# ",
                                   subsequent_indent=f"{indent}# ", break_long_words=False,
                                   break_on_hyphens=False)) + "\n"


def _dump(data: Any) -> str:
    """YAML of ``data``; a long text is folded early enough that its longest word (a time in a
    waiver's reason) still ends within the line: the emitter folds only after passing its
    width."""
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                          allow_unicode=True,
                          width=min(_WIDTH - 8, _WIDTH - 4 - _longest_word(data)))
    return text


def _longest_word(data: Any) -> int:
    if isinstance(data, str):
        return max((len(word) for word in data.split()), default=0) if len(data) > 60 else 0
    if isinstance(data, dict):
        return max((_longest_word(value) for value in data.values()), default=0)
    if isinstance(data, list):
        return max((_longest_word(value) for value in data), default=0)
    return 0


def _item(entry: Entry) -> str:
    """One list item, indented under its section key, with its notes above it (all of it
    comments when it is ``commented``)."""
    notes = "".join(_comment(note, "  ") for note in entry.notes)
    return notes + textwrap.indent(_dump([entry.data]), "  # " if entry.commented else "  ")


def _section(key: str, entries: Sequence[Entry], notes: Sequence[str] = ()) -> str:
    """The key and its items; the key commented too when every item is."""
    if not entries:
        return ""
    drafted = any(not entry.commented for entry in entries)
    return ("".join(_comment(note, "") for note in notes) + f"{'' if drafted else '# '}{key}:\n"
            + "\n".join(_item(entry) for entry in entries))


def _mapping(entry: Entry) -> str:
    return "".join(_comment(note, "") for note in entry.notes) + _dump(entry.data)
