"""Schema-valid policy files -> one ``Policy``: merged, durations parsed, references resolved.

Any file may hold any top-level key. Lists are concatenated in file order; a name (or pinned id)
defined twice is reported at every place it is defined (POL004) and the first definition is the
one used. The input has passed the schema, so every shape here is known to be right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pdlint.findings import Finding, Location, Resource
from pdlint.policy.load import JsonPath, PolicyFile
from pdlint.policy.model import (
    AllowedMaintenance,
    Containment,
    CorrectiveActions,
    EscalationPolicy,
    Exercise,
    ExerciseAction,
    Hours,
    IncidentSeverity,
    Level,
    MaintenanceSlot,
    Organisation,
    Policy,
    Postmortems,
    Recurrence,
    Reference,
    ResponseAutomation,
    ResponseSla,
    Schedule,
    Scope,
    Service,
    Sourced,
    Target,
    TargetKind,
    Team,
    Tier,
    Training,
    TrainingRecord,
    Waiver,
    first_by,
    parse_duration,
    parse_recurrence,
)
from pdlint.policy.problems import DUPLICATE_DEFINITION
from pdlint.policy.registers import load_corrective_actions
from pdlint.policy.schema import schema_finding

T = TypeVar("T")
V = TypeVar("V")


class _Definition(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def location(self) -> Location: ...


D = TypeVar("D", bound=_Definition)


class _View:
    """One mapping of one policy file, with the way to each value's line: ``parent`` is the
    mapping or list of the file's data that holds it (None for the whole file)."""

    __slots__ = ("data", "file", "parent", "path")

    def __init__(self, file: PolicyFile, path: JsonPath, data: dict[str, Any],
                 parent: dict[str, Any] | list[Any] | None) -> None:
        self.file = file
        self.path = path
        self.data = data
        self.parent = parent

    @property
    def location(self) -> Location:
        if self.parent is None:
            return self.file.location(self.path)
        return self.file.entry_location(self.parent, self.path[-1])

    def at(self, key: str) -> Location:
        return self.file.entry_location(self.data, key)

    def text(self, key: str) -> Sourced[str] | None:
        return self.sourced(key, str)

    def sourced(self, key: str, convert: Callable[[Any], T]) -> Sourced[T] | None:
        if key not in self.data:
            return None
        raw = self.data[key]
        return Sourced(convert(raw), self.at(key), raw if isinstance(raw, str) else None)

    def child(self, key: str) -> _View | None:
        value = self.data.get(key)
        return (_View(self.file, (*self.path, key), value, self.data) if isinstance(value, dict)
                else None)

    def items(self, key: str) -> Iterator[_View]:
        items: list[Any] = self.data.get(key) or []
        for index, item in enumerate(items):
            yield _View(self.file, (*self.path, key, index), item, items)

    def names(self, key: str) -> tuple[Sourced[str], ...]:
        names: list[Any] = self.data.get(key) or []
        location = self.file.entry_location
        return tuple(Sourced(str(name), location(names, index))
                     for index, name in enumerate(names))

    def names_if_written(self, key: str) -> tuple[Sourced[str], ...] | None:
        """``names``, or None when the key is not written (an empty list is written)."""
        return self.names(key) if key in self.data else None


def build_policy(files: Iterable[PolicyFile]) -> tuple[Policy | None, list[Finding]]:
    """Merge valid files into a Policy; None when the merged policy lacks a required section."""
    return _Builder(tuple(files)).build()


class _Builder:
    """Builds the sections in dependency order, collecting POL003/POL004 findings on the way."""

    def __init__(self, files: tuple[PolicyFile, ...]) -> None:
        self.files = files
        self.findings: list[Finding] = []

    def build(self) -> tuple[Policy | None, list[Finding]]:
        organisations = self._singletons("organisation")
        severity_views = list(self._sections("severities"))
        missing = [key for key, found in (("organisation", organisations),
                                          ("severities", severity_views)) if not found]
        if missing:
            for key in missing:
                self._missing(key)
            return None, self.findings
        organisation = self._organisation(organisations[0])
        teams = self._unique("team", [self._team(view) for view in self._sections("teams")])
        team_names = first_by(teams, lambda team: team.name)
        severities = [self._severity(view, rank) for rank, view in enumerate(severity_views)]
        self._report_duplicates("severity", [(item.id, item.location) for item in severities])
        postmortem_views = self._singletons("postmortems")
        corrective = self._singletons("corrective_actions")
        training = self._singletons("training")
        containment = self._singletons("containment")
        scope = self._singletons("scope")
        tiers = self._unique("tier", [self._tier(view, organisation)
                                      for view in self._tier_views()])
        schedules = self._unique("schedule", [self._schedule(view, team_names)
                                              for view in self._sections("schedules")])
        schedule_names = first_by(schedules, lambda schedule: schedule.name)
        policies = self._unique("escalation_policy", [
            self._escalation_policy(view, team_names, schedule_names)
            for view in self._sections("escalation_policies")])
        tier_names = first_by(tiers, lambda tier: tier.name)
        coverage = _Coverage.of(policies)
        services = self._unique("service", [
            self._service(view, organisation, tier_names, team_names, coverage)
            for view in self._sections("services")])
        return Policy(
            organisation=organisation,
            teams=tuple(teams),
            severities=tuple(severities),
            postmortems=self._postmortems(postmortem_views[0]) if postmortem_views else None,
            tiers=tuple(tiers),
            escalation_policies=tuple(policies),
            schedules=tuple(schedules),
            services=tuple(services),
            waivers=tuple(self._waiver(view) for view in self._sections("waivers")),
            files=tuple(policy_file.path for policy_file in self.files),
            sections=self._section_keys(),
            corrective_actions=self._corrective_actions(corrective[0]) if corrective else None,
            exercise_every=self._exercise_every(),
            exercises=tuple(self._exercise(view) for view in self._sections("exercises")),
            training=self._training(training[0]) if training else None,
            containment=self._containment(containment[0]) if containment else None,
            scope=self._scope(scope[0], team_names) if scope else None,
        ), self.findings

    # --- merging -----------------------------------------------------------------------------

    def _sections(self, key: str) -> Iterator[_View]:
        for policy_file in self.files:
            if isinstance(policy_file.data, dict) and key in policy_file.data:
                yield from _View(policy_file, (), policy_file.data, None).items(key)

    def _section_keys(self) -> dict[str, Location]:
        keys: dict[str, Location] = {}
        for policy_file in self.files:
            if isinstance(policy_file.data, dict):
                for key in policy_file.data:
                    keys.setdefault(key, policy_file.key_location((key,)))
        return keys

    def _singletons(self, key: str) -> list[_View]:
        views = [_View(policy_file, (key,), policy_file.data[key], policy_file.data)
                 for policy_file in self.files
                 if isinstance(policy_file.data, dict) and key in policy_file.data]
        self._report_duplicates(key, [(key, view.file.key_location((key,))) for view in views],
                                label=f"the {key} section")
        return views

    def _tier_views(self) -> Iterator[_View]:
        for policy_file in self.files:
            if isinstance(policy_file.data, dict):
                tiers = policy_file.data.get("tiers") or {}
                for name, tier in tiers.items():
                    yield _View(policy_file, ("tiers", name), tier, tiers)

    def _unique(self, kind: str, definitions: list[D]) -> list[D]:
        """Report names, and pinned ids, defined more than once; keep every definition."""
        self._report_duplicates(kind, [(item.name, item.location) for item in definitions])
        pinned: list[tuple[str, Location]] = []
        for item in definitions:
            pinned_id: Sourced[str] | None = getattr(item, "id", None)
            if pinned_id is not None:
                pinned.append((pinned_id.value, pinned_id.location))
        self._report_duplicates(kind, pinned, label=f"{kind.replace('_', ' ')} id '{{name}}'")
        return definitions

    def _report_duplicates(self, kind: str, named: list[tuple[str, Location]],
                           label: str | None = None) -> None:
        places: dict[str, list[Location]] = {}
        for name, location in named:
            places.setdefault(name, []).append(location)
        for name, locations in places.items():
            for location in locations if len(locations) > 1 else ():
                others = ", ".join(str(other) for other in locations if other != location)
                shown = (label or f"{kind.replace('_', ' ')} '{{name}}'").format(name=name)
                self.findings.append(DUPLICATE_DEFINITION.finding(
                    f"{shown} is defined more than once (also at {others}); "
                    "only the first definition is used",
                    Resource(kind, name=name), location=location))

    def _missing(self, key: str) -> None:
        self.findings.append(schema_finding(
            f"the policy has no '{key}' section; one of its files must define it",
            Location(self.files[0].path, 1), Resource("policy_file")))

    # --- sections ----------------------------------------------------------------------------

    def _organisation(self, view: _View) -> Organisation:
        time_zone = _required(view.text("time_zone"))
        return Organisation(
            name=_required(view.text("name")), time_zone=time_zone,
            business_hours=_hours(_required(view.child("business_hours")), time_zone),
            location=view.location,
            drift_check_every=view.sourced("drift_check_every", parse_duration))

    def _team(self, view: _View) -> Team:
        return Team(name=view.data["name"], id=view.text("id"),
                    description=view.text("description"), location=view.location)

    def _severity(self, view: _View, rank: int) -> IncidentSeverity:
        return IncidentSeverity(
            id=view.data["id"], rank=rank, name=_required(view.text("name")),
            description=view.text("description"),
            response_sla=_required(view.sourced("response_sla", _response_sla)),
            urgency=_required(view.sourced("urgency", str)),  # type: ignore[arg-type]
            channels=_required(view.sourced("channels", tuple)),
            business_hours_only=_required(view.sourced("business_hours_only", bool)),
            postmortem_within=view.sourced("postmortem_within", parse_duration),
            pagerduty_priority=view.text("pagerduty_priority"),
            location=view.location,
            resolve_within=view.sourced("resolve_within", parse_duration),
            notify_within=view.sourced("notify_within", parse_duration),
            notify=view.sourced("notify", tuple),
            response_automation=_response_automation(view.child("response_automation")),
            first_page_within=view.sourced("first_page_within", parse_duration))

    def _postmortems(self, view: _View) -> Postmortems:
        folder = Path(view.file.path).parent
        return Postmortems(
            recorded_as=_required(view.sourced("recorded_as", str)),  # type: ignore[arg-type]
            link_pattern=view.text("link_pattern"), field=view.text("field"),
            register=view.sourced("register", lambda name: folder / name),
            location=view.location)

    def _containment(self, view: _View) -> Containment:
        return Containment(
            recorded_as=_required(view.sourced("recorded_as", str)),  # type: ignore[arg-type]  # the schema's enum
            note_pattern=view.text("note_pattern"), field=view.text("field"),
            location=view.location)

    def _scope(self, view: _View, teams: dict[str, Team]) -> Scope:
        return Scope(
            teams=tuple(Reference(name.value, name.location, teams.get(name.value))
                        for name in view.names("teams")),
            services=view.names("services"), location=view.location)

    def _corrective_actions(self, view: _View) -> CorrectiveActions:
        register = _required(view.sourced(
            "register", lambda name: Path(view.file.path).parent / name))
        actions, problems = load_corrective_actions(register.value)
        return CorrectiveActions(register, actions, problems, view.location)

    def _exercise_every(self) -> Sourced[Recurrence] | None:
        """The one ``exercise_every`` of the policy (a scalar: POL004 when written twice)."""
        places = [(policy_file, policy_file.data["exercise_every"]) for policy_file in self.files
                  if isinstance(policy_file.data, dict) and "exercise_every" in policy_file.data]
        self._report_duplicates("exercise_every", [
            ("exercise_every", policy_file.key_location(("exercise_every",)))
            for policy_file, _ in places], label="exercise_every")
        if not places:
            return None
        policy_file, text = places[0]
        return Sourced(parse_recurrence(str(text)), policy_file.location(("exercise_every",)))

    def _exercise(self, view: _View) -> Exercise:
        return Exercise(
            date=_required(view.sourced("date", date.fromisoformat)),
            scenario=_required(view.text("scenario")),
            participants=view.names("participants"), findings=view.names("findings"),
            actions=tuple(ExerciseAction(
                title=_required(action.text("title")), owner=_required(action.text("owner")),
                due=_required(action.sourced("due", date.fromisoformat)),
                closed=action.sourced("closed", lambda day: None if day is None
                                      else date.fromisoformat(day)),
                location=action.location) for action in view.items("actions")),
            location=view.location)

    def _training(self, view: _View) -> Training:
        return Training(
            valid_for=_required(view.sourced("valid_for", parse_duration)),
            records=tuple(TrainingRecord(
                person=_required(record.text("person")),
                completed=_required(record.sourced("completed", date.fromisoformat)),
                course=_required(record.text("course")), location=record.location)
                for record in view.items("records")),
            location=view.location)

    def _tier(self, view: _View, organisation: Organisation) -> Tier:
        support_hours = view.child("support_hours")
        return Tier(
            name=str(view.path[-1]), description=view.text("description"),
            urgency=view.sourced("urgency", str),  # type: ignore[arg-type]
            support_hours=_hours(support_hours, organisation.time_zone) if support_hours else None,
            acknowledgement_timeout=view.sourced("acknowledgement_timeout", _timeout),
            auto_resolve_timeout=view.sourced("auto_resolve_timeout", _timeout),
            requires_integration=view.sourced("requires_integration", bool),
            min_escalation_levels=view.sourced("min_escalation_levels", int),
            location=view.file.key_location(view.path),
            maintenance_windows=_maintenance(view, organisation),
            auto_pause_notifications=view.sourced("auto_pause_notifications", _timeout),
            alert_grouping=view.text("alert_grouping"))

    def _schedule(self, view: _View, teams: dict[str, Team]) -> Schedule:
        return Schedule(
            name=view.data["name"], id=view.text("id"), description=view.text("description"),
            team=_reference(view, "team", teams), time_zone=view.text("time_zone"),
            coverage=view.sourced("coverage", str),  # type: ignore[arg-type]
            rotation_length=view.sourced("rotation_length", parse_duration),
            min_participants=view.sourced("min_participants", int),
            location=view.location)

    def _escalation_policy(self, view: _View, teams: dict[str, Team],
                           schedules: dict[str, Schedule]) -> EscalationPolicy:
        return EscalationPolicy(
            name=view.data["name"], id=view.text("id"), description=view.text("description"),
            team=_reference(view, "team", teams), services=view.names("services"),
            loops=view.sourced("loops", int),
            handoff_notifications=view.sourced("handoff_notifications", str),  # type: ignore[arg-type]
            levels=tuple(_level(level, number, schedules)
                         for number, level in enumerate(view.items("levels"), start=1)),
            repeat_after=view.sourced("repeat_after", parse_duration),
            location=view.location)

    def _service(self, view: _View, organisation: Organisation, tiers: dict[str, Tier],
                 teams: dict[str, Team], coverage: _Coverage) -> Service:
        tier = _reference(view, "tier", tiers)
        defaults = tier.target if tier is not None else None

        def own_or_tier(own: V | None, key: str) -> V | None:
            """A value the service writes wins; else its tier's, located at the tier's line."""
            return own if own is not None or defaults is None else getattr(defaults, key)

        own_hours = view.child("support_hours")
        return Service(
            name=view.data["name"], id=view.text("id"), description=view.text("description"),
            tier=tier, team=_reference(view, "team", teams),
            escalation_policy=coverage.of_service(view),
            urgency=own_or_tier(view.sourced("urgency", str), "urgency"),  # type: ignore[arg-type]
            support_hours=own_or_tier(
                _hours(own_hours, organisation.time_zone) if own_hours else None, "support_hours"),
            acknowledgement_timeout=own_or_tier(
                view.sourced("acknowledgement_timeout", _timeout), "acknowledgement_timeout"),
            auto_resolve_timeout=own_or_tier(
                view.sourced("auto_resolve_timeout", _timeout), "auto_resolve_timeout"),
            requires_integration=own_or_tier(
                view.sourced("requires_integration", bool), "requires_integration"),
            min_escalation_levels=own_or_tier(
                view.sourced("min_escalation_levels", int), "min_escalation_levels"),
            location=view.location,
            maintenance_windows=own_or_tier(_maintenance(view, organisation),
                                            "maintenance_windows"),
            auto_pause_notifications=own_or_tier(
                view.sourced("auto_pause_notifications", _timeout), "auto_pause_notifications"),
            alert_grouping=own_or_tier(view.text("alert_grouping"), "alert_grouping"),
            detection_sources=view.names_if_written("detection_sources"),
            allowed_orchestration_rules=view.names_if_written("allowed_orchestration_rules"))

    def _waiver(self, view: _View) -> Waiver:
        resource = view.data["resource"]
        return Waiver(
            rule=_required(view.text("rule")),
            resource=Sourced(Resource(resource["type"], name=resource.get("name"),
                                      id=resource.get("id")), view.at("resource")),
            reason=_required(view.text("reason")), owner=_required(view.text("owner")),
            expires=_required(view.sourced("expires", date.fromisoformat)),
            location=view.location)


def _level(view: _View, number: int, schedules: dict[str, Schedule]) -> Level:
    engaged_after = view.sourced("engaged_after", parse_duration)
    return Level(
        number=number, name=view.text("name"),
        engaged_after=engaged_after or Sourced(timedelta(0), view.location),
        acknowledge_within=view.sourced("acknowledge_within", parse_duration),
        targets=tuple(_target(target, schedules) for target in view.items("targets")),
        location=view.location)


def _target(view: _View, schedules: dict[str, Schedule]) -> Target:
    kind: TargetKind = next(key for key in ("schedule", "user", "user_id", "schedule_id")
                            if key in view.data)
    name = view.data[kind]
    return Target(kind=kind, name=name, location=view.at(kind),
                  schedule=schedules.get(name) if kind == "schedule" else None)


@dataclass(frozen=True)
class _Coverage:
    """Which escalation policy covers a service, looked up by name (thousands of services)."""

    by_name: dict[str, EscalationPolicy]
    listing: dict[str, Reference[EscalationPolicy]]

    @classmethod
    def of(cls, policies: list[EscalationPolicy]) -> _Coverage:
        listing: dict[str, Reference[EscalationPolicy]] = {}
        for policy in policies:
            for entry in policy.services:
                listing.setdefault(entry.value, Reference(policy.name, entry.location, policy))
        return cls(first_by(policies, lambda policy: policy.name), listing)

    def of_service(self, view: _View) -> Reference[EscalationPolicy] | None:
        """The service's own ``escalation_policy``, else the first policy that lists it."""
        return _reference(view, "escalation_policy", self.by_name) or self.listing.get(
            view.data["name"])


def _reference(view: _View, key: str, defined: dict[str, V]) -> Reference[V] | None:
    name = view.data.get(key)
    return None if name is None else Reference(name, view.at(key), defined.get(name))


def _hours(view: _View, default_zone: Sourced[str]) -> Hours:
    return Hours(
        days=_required(view.sourced("days", tuple)),
        start=_required(view.sourced("start", time.fromisoformat)),
        end=_required(view.sourced("end", time.fromisoformat)),
        time_zone=view.text("time_zone") or default_zone,
        location=view.file.key_location(view.path))


def _maintenance(view: _View, organisation: Organisation) -> AllowedMaintenance | None:
    allowed = view.child("maintenance_windows")
    if allowed is None:
        return None
    slots = tuple(MaintenanceSlot(
        weekly=_hours(slot, organisation.time_zone) if "days" in slot.data else None,
        dates=(_required(slot.sourced("from", date.fromisoformat)),
               _required(slot.sourced("until", date.fromisoformat)))
        if "from" in slot.data else None,
        description=slot.text("description"), location=slot.location)
        for slot in allowed.items("allowed"))
    return AllowedMaintenance(
        max_length=_required(allowed.sourced("max_length", parse_duration)), slots=slots,
        location=allowed.file.key_location(allowed.path))


def _response_automation(view: _View | None) -> ResponseAutomation | None:
    if view is None:
        return None
    return ResponseAutomation(
        workflow=_required(view.text("workflow")),
        services=view.names("services") if "services" in view.data else None,
        actions=view.names("actions"), location=view.file.key_location(view.path))


def _response_sla(text: str) -> ResponseSla:
    return ResponseSla(None if text == "next_business_day" else parse_duration(text))


def _timeout(text: str) -> timedelta | None:
    """``disabled`` is None: PagerDuty stores a switched-off timeout as null."""
    return None if text == "disabled" else parse_duration(text)


def _required(value: T | None) -> T:
    """A value the schema requires; its absence here is a bug, not a policy problem."""
    if value is None:
        raise AssertionError("the schema requires this value")
    return value
