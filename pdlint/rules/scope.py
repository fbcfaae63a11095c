"""SCP100, SVC307, and the boundary of the policy's ``scope``: which live objects a run checks.

A scoped policy covers the services of its teams (those whose names match its service
patterns, when it writes some), the escalation policies of those teams and those the services
use, and the schedules of the teams and those the escalation policies in scope page, whatever
team owns them, and the people those page (``Reach.users``: drift reaches people through the
objects it checks, so the account's users are left whole). Everything else is counted, not
checked (``Report.boundary``). A documented object outside the scope is still
checked as documented, and SCP100 reports that it left the scope. SVC307, the team of a
documented service, lives here because of it: a service moved to a team outside the scope is
one drift, which SCP100 reports naming both teams, not SVC307 as well.

Absent is not empty: an object whose teams PagerDuty did not return (the shift-based listing
returns references without them) is in scope, so nothing unread drops out of the check (SVC300
reports an undocumented service among them as not checked, not as undocumented). The schedules
and people an escalation policy in scope may page through levels, targets or a layer's users
PagerDuty did not return are not known to be in scope or out (``Reach.unsure``): neither checked
nor counted outside, their changes kept in the evidence, and SCP100 reports a documented one not
checked, never outside; so are the escalation policies of other teams (and what they page) that
a service in scope returned without its escalation policy may use, or that one returned without
its teams uses. A scope team PagerDuty does not have, or a team list the key may not read, ends
the run (``ScopeError``) rather than leave an empty scope that would pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from pdlint.errors import PdlintError
from pdlint.findings import Boundary, Finding, Resource, Severity
from pdlint.pagerduty.model import Account, Collection, LiveObject, Reference, TargetKind
from pdlint.pagerduty.state import DocumentedServices, TeamScope, Wanted
from pdlint.policy.model import Policy, Scope, Team
from pdlint.policy.model import Reference as Named
from pdlint.rule import Context, Mode, returned_without, rule
from pdlint.rules.escalation import escalation_pairs
from pdlint.rules.matching import Defined, both_sides, live_resource
from pdlint.rules.schedules import schedule_pairs
from pdlint.rules.services import service_pairs, team_name, teams_text

L = TypeVar("L", bound=LiveObject)


class _Owned(Defined, Protocol):
    """A documented object a team may own: a service, an escalation policy or a schedule."""

    @property
    def team(self) -> Named[Team] | None: ...


class ScopeError(PdlintError):
    """The scope cannot be told in the account: a team it names is not there, or the team list
    could not be read (exit 2)."""


def unreadable_teams(account: Account) -> str | None:
    """Why no team can be told in the account (its team list could not be read), or None."""
    reason = account.teams.skip_reason
    return None if reason is None else (
        f"PagerDuty's team list could not be read ({reason}), so nothing can be told in or out "
        "of scope")


def no_such_team(name: str, account: Account) -> str:
    """``'Platfrom' is not a team in PagerDuty; did you mean 'Platform'?``"""
    names = [str(known.name) for known in account.teams if known.name]
    hint = difflib.get_close_matches(name, names, n=1)
    return f"'{name}' is not a team in PagerDuty" + (f"; did you mean '{hint[0]}'?" if hint
                                                      else "")


def scope_team_ids(scope: Scope, account: Account) -> frozenset[str]:
    """The live ids of the scope's teams: a documented team's pinned id, else the team of that
    name. Raises ``ScopeError`` at the policy line of a team PagerDuty does not have."""
    unreadable = unreadable_teams(account)
    if unreadable is not None:
        raise ScopeError(f"{scope.location}: the scope names teams, but {unreadable}")
    found = set()
    for team in scope.teams:
        pinned = team.target.id.value if team.target and team.target.id else None
        live = account.teams.by_id(pinned) or account.teams.by_name(team.name)
        if live is None:
            raise ScopeError(f"{team.location}: scope team {no_such_team(team.name, account)}")
        found.add(live.id)
    return frozenset(found)


def wanted(policy: Policy) -> Wanted:
    """What a run checking ``policy`` reads of the account (``pagerduty.fetch``): with a scope
    its teams' services, and the documented services to look for outside them; and the event
    orchestrations of the documented services, found as ``rules.matching`` pairs them before
    renames (by pinned id, else by name)."""
    names = tuple(service.name for service in policy.services)
    team_scope = None if policy.scope is None else TeamScope(policy.scope.team_names, names)
    return Wanted(team_scope, DocumentedServices(names, tuple(
        service.id.value for service in policy.services if service.id is not None)))


def _teams_of(obj: LiveObject) -> tuple[Reference, ...] | None:
    teams: tuple[Reference, ...] | None = getattr(obj, "teams", None)
    return teams


@dataclass(frozen=True)
class Reach:
    """The ids of the live objects inside a scope, by kind."""

    services: frozenset[str]
    escalation_policies: frozenset[str]
    schedules: frozenset[str]
    """Layer-based and shift-based."""
    users: frozenset[str]
    """Those the escalation policies in scope page, directly or through their schedules."""
    teams: frozenset[str]
    unsure: frozenset[str] = frozenset()
    """The escalation policies, schedules and users in reach only because what might use or
    page them was not read (``unread``: a service in scope returned without its escalation
    policy or teams, levels or a layer's users): not known to be in scope or out, so neither
    checked (``within``) nor counted outside (``bounded``); their changes stay in the evidence
    (nothing unread drops out)."""
    unread: str | None = None
    """Why some of the reach cannot be told, naming the first part PagerDuty did not return."""

    @classmethod
    def of(cls, account: Account, team_ids: frozenset[str],
           service_named: Callable[[str], bool] = lambda name: True) -> Reach:
        """What the teams of ``team_ids`` hold and reach; ``service_named`` narrows their
        services by name (the scope's patterns)."""
        def of_teams(obj: LiveObject) -> bool:
            teams = _teams_of(obj)
            return teams is None or any(team.id in team_ids for team in teams)

        services = {service.id for service in account.services
                    if of_teams(service) and service_named(service.name or "")}
        # A service returned without its teams is checked as in scope, but not known to be:
        # the escalation policy it uses is not brought in (``_policies_unsure``).
        used = {str(service.escalation_policy.id) for service in account.services
                if service.id in services and service.teams is not None
                and service.escalation_policy is not None}
        policies = [escalation for escalation in account.escalation_policies
                    if of_teams(escalation) or escalation.id in used]
        targets = [target for escalation in policies for level in escalation.rules or ()
                   for target in level.targets or ()]
        paged = {str(target.id) for target in targets if target.is_schedule}
        every_schedule = (*account.schedules, *account.shift_based_schedules)
        schedules = {schedule.id for schedule in every_schedule
                     if of_teams(schedule) or schedule.id in paged}
        users = {str(target.id) for target in targets if target.kind is TargetKind.USER}
        for schedule in account.schedules:
            if schedule.id in schedules:
                users.update(schedule.members_in_force(account.window) or ())
                users.update(shift.user_id for shift in (
                    schedule.final_schedule.shifts if schedule.final_schedule else ())
                    if shift.user_id is not None)
        # An escalation policy not known to be in scope, or levels not read, may page any
        # schedule or person; a layer's users not read, anyone.
        unsure_policies, unread = _policies_unsure(
            account, services, frozenset(escalation.id for escalation in policies))
        unread = unread or _first_not_returned(account, "escalation_policy", policies)
        unsure_schedules = set() if unread is None else {
            schedule.id for schedule in every_schedule} - schedules
        unread = unread or _first_not_returned(account, "schedule", [
            schedule for schedule in account.schedules if schedule.id in schedules and (
                schedule.layers is None or schedule.members_in_force(account.window) is None)])
        unsure_users = set() if unread is None else {user.id for user in account.users} - users
        inside = {escalation.id for escalation in policies}
        return cls(frozenset(services), frozenset(inside | unsure_policies),
                   frozenset(schedules | unsure_schedules), frozenset(users | unsure_users),
                   team_ids, frozenset(unsure_policies | unsure_schedules | unsure_users), unread)


def _policies_unsure(account: Account, services: set[str],
                     inside: frozenset[str]) -> tuple[set[str], str | None]:
    """The escalation policies outside ``inside`` that a service in scope (of ``services``) may
    use: any, for one returned without its escalation policy; the one it uses, for one returned
    without its teams (checked as in scope, but not known to be); and why, naming the first."""
    every = {escalation.id for escalation in account.escalation_policies}
    unsure: set[str] = set()
    why = None
    for service in account.services:
        reference = service.escalation_policy
        if service.id not in services or (reference is not None and service.teams is not None):
            continue
        part, maybe = (("escalation policy", every) if reference is None
                       else ("teams", {str(reference.id)}))
        more = maybe - inside - unsure
        if more and why is None:
            why = returned_without(f"its {part}", "service", service.name)
        unsure |= more
    return unsure, why


def _first_not_returned(account: Account, kind: str,
                        objects: Iterable[LiveObject]) -> str | None:
    """What PagerDuty did not return of the first of ``objects`` returned without part of
    what says whom they page (``Account.not_returned``), or None when all were whole."""
    for obj in objects:
        parts = [part for part in account.not_returned(Resource(kind, obj.name, obj.id))
                 if part != "its final schedule"]
        if parts:
            return returned_without(" and ".join(parts), kind.replace("_", " "), obj.name)
    return None


def scope_reach(scope: Scope, account: Account) -> Reach:
    """What the policy's scope covers in ``account``; ``ScopeError`` as ``scope_team_ids``."""
    return Reach.of(account, scope_team_ids(scope, account), scope.matches_service)


def within(account: Account, reach: Reach, keep: frozenset[str] = frozenset()) -> Account:
    """``account`` with only the services, escalation policies and schedules ``reach`` covers
    (not those it is unsure of), and those whose ids are in ``keep`` (users and teams are left
    whole)."""
    def kept(collection: Collection[L], inside: frozenset[str]) -> Collection[L]:
        return Collection(tuple(obj for obj in collection if obj.id in keep or (
            obj.id in inside and obj.id not in reach.unsure)), collection.skip_reason)

    return replace(
        account, services=kept(account.services, reach.services),
        escalation_policies=kept(account.escalation_policies, reach.escalation_policies),
        schedules=kept(account.schedules, reach.schedules),
        shift_based_schedules=kept(account.shift_based_schedules, reach.schedules))


def bounded(policy: Policy, account: Account) -> tuple[Account, Boundary | None]:
    """The account as the policy's scope sees it: the objects inside the scope and the
    documented ones, and how many of each kind were left outside (None, not known, for a kind
    not read or the scope is not sure of some of: ``Reach.unsure``); the account itself, and no
    boundary, when the policy has no scope."""
    scope = policy.scope
    if scope is None:
        return account, None
    reach = scope_reach(scope, account)
    documented = frozenset(live.id for _, live in _documented_live(policy, account))
    outside: list[tuple[str, int | None]] = []
    for kind, collections, inside in (
            ("service", (account.services,), reach.services),
            ("escalation_policy", (account.escalation_policies,), reach.escalation_policies),
            ("schedule", (account.schedules, account.shift_based_schedules), reach.schedules)):
        # A service whose teams were not returned is checked as in scope, but not known to be.
        unsure = any(obj.id in reach.unsure or (kind == "service" and obj.id in inside
                                                 and _teams_of(obj) is None)
                     for collection in collections for obj in collection)
        if not all(collection.read for collection in collections) or unsure:
            outside.append((kind, None))
            continue
        held = sum(len(collection) if collection.total is None else collection.total
                   for collection in collections)
        outside.append((kind, held - sum(1 for collection in collections
                                         for obj in collection if obj.id in inside)))
    outside.append(("team", len(account.teams) - len(reach.teams)))
    return within(account, reach, documented), Boundary(
        scope.team_names, tuple(pattern.value for pattern in scope.services), tuple(outside))


@rule("SCP100", "outside-scope", title="Documented objects are inside the scope",
      severity=Severity.ERROR, criterion="CC8.1", mode=Mode.DRIFT,
      reads=("teams", "services", "escalation_policies", "schedules", "schedules_v3"))
def check_outside_scope(context: Context) -> Iterator[Finding]:
    """The policy's ``scope`` is the system the SOC 2 report describes. A documented service,
    escalation policy or schedule that PagerDuty now holds outside it (moved to another team,
    or a service renamed past the scope's patterns) has left the audited system without the
    policy saying so: its incidents are no longer counted in the evidence. Both teams are
    named (and SVC307 says nothing more of a service); move the object back, or change the
    policy. A documented schedule of another team that an escalation policy in the scope may
    page through levels or targets PagerDuty did not return, or a documented escalation policy of
    another team that a service in the scope returned without its escalation policy (or teams)
    may use, is reported as not checked, never outside the scope; so is a documented service
    returned without its teams (checked as in the scope, but not known to be)."""
    policy = context.policy
    scope = policy.scope
    if scope is None:
        return
    account = context.live
    reach = scope_reach(scope, account)
    inside = {"service": reach.services, "escalation_policy": reach.escalation_policies,
              "schedule": reach.schedules}
    for documented, live in _documented_live(policy, account):
        if documented.resource.type == "service" and _teams_of(live) is None:
            yield check_outside_scope.not_checked(
                f"scope not checked: {returned_without('its teams', 'service')}, so whether it "
                f"is in the scope ({_scope_text(scope)}) cannot be told",
                live_resource(documented, live),
                why=returned_without("its teams", "service", live.name),
                location=documented.location)
        elif live.id in reach.unsure:
            who, does = (("a service", "uses") if documented.resource.type
                         == "escalation_policy" else ("an escalation policy", "pages"))
            yield check_outside_scope.not_checked(
                f"scope not checked: {reach.unread}, so whether {who} in the scope "
                f"({_scope_text(scope)}) {does} it cannot be told",
                live_resource(documented, live), why=str(reach.unread),
                location=documented.location)
        elif live.id not in inside[documented.resource.type]:
            live_teams = [name for _, name in (team_name(reference, account)
                                               for reference in _teams_of(live) or ())]
            written = documented.team.name if documented.team else None
            why = ("its name matches none of the scope's service patterns"
                   if _only_by_pattern(live, scope, account) else "outside the scope")
            wanted = f"in team '{written}'" if written else "without a team"
            yield check_outside_scope.finding(
                f"belongs to {teams_text(live_teams)} in PagerDuty, {why} "
                f"({_scope_text(scope)}); documented {wanted}",
                live_resource(documented, live),
                expected=written or list(scope.team_names), actual=live_teams,
                location=documented.location)


@rule("SVC307", "team", title="Services belong to the documented team",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("services", "teams"))
def check_team(context: Context) -> Iterator[Finding]:
    """The team a service belongs to is who answers for it, and whose members may change it. The
    documented team must be among the service's teams in PagerDuty. A service whose team took
    it out of the policy's ``scope`` is reported once, by SCP100, which names both teams. Not
    checked when the team list could not be read (an account without the Teams feature has
    none); a service PagerDuty returned without its teams is reported as not checked (not read,
    not "no team")."""
    policy = context.policy
    account = context.live
    if not account.teams.read:
        return
    inside = None if policy.scope is None else scope_reach(policy.scope, account).services
    for documented, live in both_sides(service_pairs(policy, account)):
        team = documented.team
        if team is None or (inside is not None and live.id not in inside):
            continue
        if live.teams is None:
            yield check_team.not_returned(
                "team", "its teams", live_resource(documented, live),
                name=live.name, expected=team.name, actual=None, location=team.location)
            continue
        pinned = team.target.id.value if team.target and team.target.id else None
        live_teams = [team_name(reference, account) for reference in live.teams]
        if not any(name == team.name or (pinned and team_id == pinned)
                   for team_id, name in live_teams):
            names = [name for _, name in live_teams]
            yield check_team.finding(
                f"belongs to {teams_text(names)}, documented '{team.name}'",
                live_resource(documented, live), expected=team.name, actual=names,
                location=team.location)


def _documented_live(policy: Policy, account: Account) -> list[tuple[_Owned, LiveObject]]:
    """Every documented service, escalation policy and schedule with its live counterpart."""
    services = list(both_sides(service_pairs(policy, account)))
    policies = list(both_sides(escalation_pairs(policy, account)))
    schedules = list(both_sides(schedule_pairs(policy, account)))
    return [*services, *policies, *schedules]


def _only_by_pattern(live: LiveObject, scope: Scope, account: Account) -> bool:
    """A service of a scope team whose name the patterns leave out."""
    team_ids = scope_team_ids(scope, account)
    return bool(scope.services) and any(
        team.id in team_ids for team in _teams_of(live) or ()) and not scope.matches_service(
            live.name or "")


def _scope_text(scope: Scope) -> str:
    return Boundary(scope.team_names, tuple(pattern.value for pattern in scope.services),
                    ()).described()
