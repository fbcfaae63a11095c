"""Read everything the drift checks need, concurrently, with the fewest requests the API allows.

One listing per collection, expanded with ``include[]`` rather than one request per object:
users come with their contact methods and notification rules, and schedules come rendered over
the window (``GET /schedules`` takes ``include[]=schedule_layers|final_schedule`` with
``since``/``until``). Shift-based (v3) schedules are invisible to ``GET /schedules``: they are
listed from ``/v3/schedules``, which gives references only, and each is then read whole with
``GET /v3/schedules/{id}?include[]=final_schedule`` over the window (its rotations, events and
computed shifts) into their own collection, ``schedules_v3``: one request per schedule, as the
API offers no other way.
Maintenance windows are listed twice, ``filter=ongoing`` and ``filter=future``, each of every
service: drift judges what is under way or to come, and the spec does not define ``open``. A
read limited to some teams lists them whole too: ``team_ids[]`` selects by a window's own teams,
not its services' (a window on a documented service outside the teams would be missed), and
``service_ids[]`` of the teams' services waits for their listing and cannot do with fewer
than the whole listings' two requests while fewer than a hundred windows of each kind are
listed (more, for many services: a URL holds a few dozen ids).

With a ``TeamScope`` (a policy limited to some teams) the services are listed by the teams'
``team_ids[]``, the one listing whose scoped part is known before anything else is read; one
``total`` request counts the account's services, and each documented service the teams do not
hold is looked for by name. The escalation policies, schedules and people in scope are those the
teams' services reach, whatever team owns them, so they are listed whole and bounded after
reading (``rules.scope``): listing them by team would miss them, and reading them one by one
costs a request each. When the teams cannot be read or a name is not a team, the services are
listed whole, and the scope's check says what is wrong.

Services come with their integrations (``include[]=integrations``: each one's name and vendor,
the monitoring tool it is for). What has no listing is read object by object after the listing
it hangs on, with one request each: the event orchestration of each service the run wants
(``GET /event_orchestrations/services/{id}``, plus ``/active`` only for an orchestration with a
rule or a catch-all that acts, since an orchestration that does nothing needs no status), and
the router of every global orchestration (``GET /event_orchestrations/{id}/router``). Only the
documented services' orchestrations are checked, so a run with a policy reads those alone
(``Wanted.services``: by pinned id or exact name, handed over with the scope once the policy is
loaded, as plain data); ``init``, which documents every service, and ``snapshot``, which keeps
the account for any policy, read every service's. A disabled service's is never read: no
incident is created on it, whatever its orchestration does.
Alert Grouping Settings, where PagerDuty now keeps a service's alert grouping, are one listing
of the whole account (``GET /alert_grouping_settings``, paged by its ``after`` cursor), not one
request per service that references one; a 404 there, like a 402 or 403, skips them (a plan
without the feature).

A collection the token or the plan may not read (402/403), or one longer than offset pagination
can reach, is recorded as skipped with the reason; so is the shift-based listing when it answers
400 or 404 (it is Early Access, and what an account without it gets is not documented), the
maintenance windows on a 404, and an event orchestration read answering 404 (a plan without the
feature). A refused token (401) ends the run, as does a 400 or 404 on any other listing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Protocol, TypeVar

from pdlint.concurrency import all_or_cancel, hand, read_alongside, run_loop
from pdlint.errors import reading
from pdlint.findings import Skipped
from pdlint.pagerduty.client import PagerDutyClient
from pdlint.pagerduty.errors import OffsetCeilingExceeded, PermissionDenied, ResponseError
from pdlint.pagerduty.pagination import PAGE_SIZE
from pdlint.pagerduty.settings import ClientConfig
from pdlint.pagerduty.state import EVERYTHING, LiveState, Wanted, Window

T = TypeVar("T")
R = TypeVar("R", bound="list[dict[str, Any]] | _Part | Skipped")

class Progress(Protocol):
    """Told ``(collection, objects read so far, objects the API announced)`` as pages arrive;
    the total is None where the listing does not say it."""

    def __call__(self, kind: str, count: int, total: int | None = None) -> None: ...


def no_progress(kind: str, count: int, total: int | None = None) -> None:
    """The ``Progress`` of a run that shows none."""


V3_PAGE_SIZE = 1000
"""``GET /v3/schedules`` pages up to 1000 (the spec's maximum), unlike the classic 100."""
V3_ABSENT_STATUSES = frozenset({400, 404})
"""Shift-based schedules are Early Access and what an account without them gets is not
documented (the spec lists 400, 401, 403 and 500 for the listing): a 400 or 404 there is read
as "not available to this account", not as a request pdlint got wrong. A 5xx is retried as
anywhere."""

ABSENT_STATUSES = frozenset({404})
"""A 404 on a listing of a feature some plans lack is read as "not available to this account";
402 and 403 are skipped on every listing."""


@dataclass(frozen=True)
class _Listing:
    """How one collection is listed: path, the response key, and query parameters."""

    path: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    page_size: int = PAGE_SIZE
    trim: Callable[[dict[str, Any]], None] | None = None
    """Applied to each object as it arrives, to drop what no check reads."""
    absent_statuses: frozenset[int] = frozenset()
    """Error statuses that may mean the account lacks the endpoint: the collection is skipped
    with the reason instead of ending the run."""
    cursor: bool = False
    """Paged by cursor (``next_cursor``) rather than by offset."""
    cursor_names: tuple[str, str] = ("cursor", "next_cursor")
    """The cursor's parameter and the answer's field that gives the next one."""
    union_of: tuple[dict[str, Any], ...] = ()
    """When given, the collection is the union of one listing per set of these parameters, read
    concurrently; an object two of them return is kept once."""
    detail: Callable[[PagerDutyClient, dict[str, Any]], Awaitable[dict[str, Any]]] | None = None
    """Reads each listed object whole, where the listing gives references only."""


@dataclass(frozen=True)
class _FollowUp:
    """A collection read object by object from the objects of a listing (no listing of its
    own): ``read`` asks for one object's part, for each object the run ``wants``."""

    kind: str
    read: Callable[[PagerDutyClient, dict[str, Any]], Awaitable[dict[str, Any]]]
    wants: Callable[[Wanted, dict[str, Any]], bool] | None = None
    """Which objects the run wants read, by what the policy hands over; None: every one, read
    at once without waiting for the policy."""
    absent_statuses: frozenset[int] = ABSENT_STATUSES


def _orchestration_wanted(wanted: Wanted, service: dict[str, Any]) -> bool:
    """A service not disabled (its events page nobody whatever the orchestration does) that
    the run wants: every one, or those the policy documents."""
    return service.get("status") != "disabled" and (
        wanted.services is None or wanted.services.hold(service))


async def _service_orchestration(client: PagerDutyClient,
                                 service: dict[str, Any]) -> dict[str, Any]:
    """A service's orchestration, and whether it is active when that matters: only the rules
    of an active orchestration act on events, and one without rules or a catch-all action
    does nothing whatever its status."""
    path = f"/event_orchestrations/services/{service['id']}"
    answer = await client.get(path)
    orchestration = answer.get("orchestration_path")
    record: dict[str, Any] = {"service_id": service["id"], "orchestration_path": orchestration}
    if _acts(orchestration):
        record["active"] = (await client.get(f"{path}/active")).get("active")
    return record


def _acts(orchestration: Any) -> bool:
    """Whether an orchestration path has a rule, or a catch-all with an action."""
    if not isinstance(orchestration, dict):
        return False
    catch_all = orchestration.get("catch_all")
    actions = catch_all.get("actions") if isinstance(catch_all, dict) else None
    return bool(actions) or any(isinstance(rule_set, dict) and rule_set.get("rules")
                                for rule_set in orchestration.get("sets") or ())


async def _router(client: PagerDutyClient, orchestration: dict[str, Any]) -> dict[str, Any]:
    answer = await client.get(f"/event_orchestrations/{orchestration['id']}/router")
    return {"event_orchestration_id": orchestration["id"],
            "orchestration_path": answer.get("orchestration_path")}


FOLLOW_UPS: dict[str, tuple[_FollowUp, ...]] = {
    "services": (_FollowUp("service_orchestrations", _service_orchestration,
                           _orchestration_wanted),),
    "event_orchestrations": (_FollowUp("orchestration_routers", _router),),
}
"""The collections read from each listing's objects, once the listing is whole."""


def _shift_based_detail(window: Window) -> Callable[[PagerDutyClient, dict[str, Any]],
                                                     Awaitable[dict[str, Any]]]:
    async def read(client: PagerDutyClient, reference: dict[str, Any]) -> dict[str, Any]:
        """A shift-based schedule whole: its rotations and events, and the shifts computed
        over the window (``GET /v3/schedules`` lists references only)."""
        answer = await client.get(f"/v3/schedules/{reference['id']}", {
            "include[]": ["final_schedule"], "since": window.since, "until": window.until,
            "time_zone": "UTC"})
        schedule: dict[str, Any] = answer.get("schedule") or {}
        return schedule
    return read


def _listings(window: Window) -> dict[str, _Listing]:
    return {
        "escalation_policies": _Listing("/escalation_policies", "escalation_policies", {
            "include[]": ["escalation_rule_assignment_strategies"]}),
        "schedules": _Listing("/schedules", "schedules", {
            "include[]": ["schedule_layers", "final_schedule"],
            "since": window.since, "until": window.until, "time_zone": "UTC"}),
        "services": _Listing("/services", "services", {
            "include[]": ["auto_pause_notifications_parameters", "integrations"]}),
        "users": _Listing("/users", "users", {
            "include[]": ["contact_methods", "notification_rules"]}),
        "teams": _Listing("/teams", "teams"),
        "priorities": _Listing("/priorities", "priorities"),
        "schedules_v3": _Listing("/v3/schedules", "schedules", page_size=V3_PAGE_SIZE,
                                 absent_statuses=V3_ABSENT_STATUSES,
                                 detail=_shift_based_detail(window)),
        "maintenance_windows": _Listing(
            "/maintenance_windows", "maintenance_windows", absent_statuses=ABSENT_STATUSES,
            union_of=({"filter": "ongoing"}, {"filter": "future"})),
        "incident_workflows": _Listing("/incident_workflows", "incident_workflows",
                                       {"include[]": ["steps"]},
                                       absent_statuses=ABSENT_STATUSES),
        "workflow_triggers": _Listing("/incident_workflows/triggers", "triggers",
                                      absent_statuses=ABSENT_STATUSES, cursor=True),
        "event_orchestrations": _Listing("/event_orchestrations", "orchestrations",
                                         absent_statuses=ABSENT_STATUSES),
        "alert_grouping_settings": _Listing(
            "/alert_grouping_settings", "alert_grouping_settings",
            absent_statuses=ABSENT_STATUSES, cursor=True, cursor_names=("after", "after")),
    }


@dataclass(frozen=True)
class _Part:
    """Some of a collection's objects, and how many the account holds."""

    objects: list[dict[str, Any]]
    total: int | None


async def fetch_state(
    client: PagerDutyClient, window: Window, *, progress: Progress | None = None,
    layer_renderings: bool = True, wanted: Awaitable[Wanted] | None = None,
) -> LiveState:
    """The account's state now, schedules rendered over ``window``.

    With ``layer_renderings`` False each schedule layer's ``rendered_schedule_entries`` are
    dropped as the schedules arrive: no check reads them (the final schedule holds who is on
    call, the layers' definitions who rotates), and over an audit year they are a third of the
    state's memory. Snapshots keep them, as they keep what the API returned. ``wanted``
    (awaited when the services are listed: the policy may still be loading; everything when
    None) limits the services read and the services whose orchestration is read.

    Raises ``AuthenticationError`` for a refused token and the other ``PagerDutyError``s when the
    API stays unavailable; never returns a collection partially read.
    """
    fetched_at = datetime.now(timezone.utc)
    report = progress or no_progress
    listings = _listings(window)
    if not layer_renderings:
        listings["schedules"] = replace(listings["schedules"], trim=_drop_layer_renderings)
    asked = asyncio.ensure_future(wanted if wanted is not None else _known(EVERYTHING))
    teams = asyncio.ensure_future(_read_collection(client, listings["teams"], "teams", report))
    try:
        read = await all_or_cancel([_with_follow_ups(
            client, kind, teams if kind == "teams"
            else _read_services(client, listing, report, teams, asked) if kind == "services"
            else _read_collection(client, listing, kind, report), asked, report)
            for kind, listing in listings.items()])
    finally:
        asked.cancel()
    results = [result for result, _ in read]
    followed = {kind: result for _, found in read for kind, result in found.items()}
    objects = {kind: tuple(result.objects if isinstance(result, _Part) else result)
               for kind, result in zip(listings, results, strict=True)
               if not isinstance(result, Skipped)}
    objects |= {kind: tuple(result) for kind, result in followed.items()
                if not isinstance(result, Skipped)}
    totals = {kind: result.total for kind, result in zip(listings, results, strict=True)
              if isinstance(result, _Part) and result.total is not None}
    skipped = tuple(result for result in [*results, *followed.values()]
                    if isinstance(result, Skipped))
    return LiveState(api_url=client.config.api_url, fetched_at=fetched_at, window=window,
                     objects=objects, skipped=skipped, totals=totals)


async def _read_services(
    client: PagerDutyClient, listing: _Listing, report: Progress,
    teams: Awaitable[list[dict[str, Any]] | Skipped], asked: Awaitable[Wanted],
) -> list[dict[str, Any]] | Skipped | _Part:
    """The services: all of them, or with a scope the teams' services, every documented one
    found by name, and the account's count."""
    wanted = (await asked).scope
    team_ids = _team_ids(await teams, wanted.teams) if wanted is not None else None
    if wanted is None or team_ids is None:
        return await _read_collection(client, listing, "services", report)
    by_team = replace(listing, params={**listing.params, "team_ids[]": team_ids})
    objects = await _read_collection(client, by_team, "services", report)
    if isinstance(objects, Skipped):
        return objects
    held = {name for obj in objects if isinstance(name := obj.get("name"), str)}
    missing = [name for name in dict.fromkeys(wanted.services) if name not in held]

    async def count() -> int | None:
        with reading("GET /services"):
            total = (await client.get(listing.path, {"limit": 1, "total": True})).get("total")
        return total if isinstance(total, int) and not isinstance(total, bool) else None

    async def named(name: str) -> list[dict[str, Any]] | Skipped:
        return await _read_collection(
            client, replace(listing, params={**listing.params, "name": name}), "services",
            no_progress)

    total, *found = await all_or_cancel([count(), *map(named, missing)])
    seen = {key for obj in objects if isinstance(key := obj.get("id"), str)}
    for more in found:
        for obj in more if isinstance(more, list) else ():
            key = obj.get("id")
            if not isinstance(key, str):  # kept, for the model to name
                objects.append(obj)
            elif key not in seen:
                seen.add(key)
                objects.append(obj)
    return _Part(objects, total if isinstance(total, int) else None)


def _team_ids(teams: list[dict[str, Any]] | Skipped, names: tuple[str, ...]) -> list[str] | None:
    """The ids of the teams named, or None when the teams were not read or a name is not one."""
    if isinstance(teams, Skipped):
        return None
    by_name = {name: team.get("id") for team in teams if isinstance(name := team.get("name"), str)}
    ids = [by_name.get(name) for name in names]
    return None if any(not isinstance(found, str) for found in ids) else [
        str(found) for found in ids]


async def _with_follow_ups(
    client: PagerDutyClient, kind: str, reading: Awaitable[R], asked: Awaitable[Wanted],
    report: Progress,
) -> tuple[R, dict[str, list[dict[str, Any]] | Skipped]]:
    """A collection as ``reading`` gives it, and those read from the objects the run wants
    once it is whole; a follow-up of a collection that could not be read is skipped for the
    same reason."""
    found = await reading
    followed: dict[str, list[dict[str, Any]] | Skipped] = {}
    for follow_up in FOLLOW_UPS.get(kind, ()):
        if isinstance(found, Skipped):
            followed[follow_up.kind] = Skipped(rule=follow_up.kind, reason=found.reason)
            continue
        parents = found.objects if isinstance(found, _Part) else found
        if follow_up.wants is not None:
            wanted = await asked
            parents = [obj for obj in parents if follow_up.wants(wanted, obj)]
        followed[follow_up.kind] = await _read_follow_up(client, follow_up, parents, report)
    return found, followed


async def _read_follow_up(
    client: PagerDutyClient, follow_up: _FollowUp, parents: list[dict[str, Any]],
    report: Progress,
) -> list[dict[str, Any]] | Skipped:
    """One request (or two) per parent object, concurrently; the whole collection, or why it
    cannot be read."""
    try:
        with reading(f"the {follow_up.kind.replace('_', ' ')}"):
            return await _each(client, follow_up.read, parents, follow_up.kind, report)
    except (PermissionDenied, ResponseError) as error:
        if isinstance(error, ResponseError) and error.status not in follow_up.absent_statuses:
            raise
        return Skipped(rule=follow_up.kind, reason=str(error))


async def _read_collection(
    client: PagerDutyClient, listing: _Listing, kind: str, report: Progress,
) -> list[dict[str, Any]] | Skipped:
    """The whole collection, or why it cannot be read (never a part of it)."""
    if listing.union_of:
        return await _read_union(client, listing, kind, report)
    objects: list[dict[str, Any]] = []
    announced: list[int] = []
    try:
        with reading(f"GET {listing.path}"):
            pages = (client.iter_cursor(listing.path, listing.key, listing.params,
                                        page_size=listing.page_size,
                                        cursor_names=listing.cursor_names) if listing.cursor
                     else client.iter_classic(listing.path, listing.key, listing.params,
                                              page_size=listing.page_size,
                                              on_total=announced.append))
            async for obj in pages:
                if listing.trim is not None:
                    listing.trim(obj)
                objects.append(obj)
                report(kind, len(objects), announced[0] if announced else None)
            if listing.detail is not None:
                objects = await _each(client, listing.detail, objects, kind, report)
    except (PermissionDenied, OffsetCeilingExceeded, ResponseError) as error:
        if isinstance(error, ResponseError) and error.status not in listing.absent_statuses:
            raise
        return Skipped(rule=kind, reason=str(error))
    return objects


async def _read_union(
    client: PagerDutyClient, listing: _Listing, kind: str, report: Progress,
) -> list[dict[str, Any]] | Skipped:
    counts = [0] * len(listing.union_of)
    totals: list[int | None] = [None] * len(listing.union_of)

    def part(index: int) -> Progress:
        """Reports the listings' sums: the total once every listing has announced its own."""
        def told(kind: str, count: int, total: int | None = None) -> None:
            counts[index], totals[index] = count, total
            report(kind, sum(counts), None if None in totals else sum(filter(None, totals)))
        return told

    parts = await all_or_cancel([
        _read_collection(client, replace(listing, params={**listing.params, **extra},
                                         union_of=()), kind, part(index))
        for index, extra in enumerate(listing.union_of)])
    objects: dict[Any, dict[str, Any]] = {}
    for read in parts:
        if isinstance(read, Skipped):
            return read
        for obj in read:
            objects.setdefault(obj.get("id"), obj)
    return list(objects.values())


async def _each(client: PagerDutyClient,
                read: Callable[[PagerDutyClient, dict[str, Any]], Awaitable[T]],
                objects: list[dict[str, Any]], kind: str, report: Progress) -> list[T]:
    """``read`` of each object, concurrently and in order, counted as they arrive."""
    done: list[int] = []

    async def one(obj: dict[str, Any]) -> T:
        found = await read(client, obj)
        done.append(1)
        report(kind, len(done), len(objects))
        return found

    return await all_or_cancel([one(obj) for obj in objects])


def _drop_layer_renderings(schedule: dict[str, Any]) -> None:
    for layer in schedule.get("schedule_layers") or ():
        if isinstance(layer, dict):
            layer.pop("rendered_schedule_entries", None)


def fetch_state_sync(config: ClientConfig, window: Window, *, progress: Progress | None = None,
                     wanted: Wanted = EVERYTHING) -> LiveState:
    """``fetch_state`` for a caller without an event loop: one of its own, for this read."""
    return run_loop(_fetch(config, window, progress, _known(wanted)))


async def _known(wanted: Wanted) -> Wanted:
    return wanted


def fetch_state_alongside(config: ClientConfig, window: Window, alongside: Callable[[], T], *,
                          progress: Progress | None = None,
                          wanted_of: Callable[[T], Wanted] | None = None,
                          ) -> tuple[T, LiveState]:
    """The state read (``pdlint.concurrency.read_alongside``) while ``alongside`` runs here:
    drift loads and lints the policy while the fetch mostly waits on the network and the rate
    limit, and hands the read what it wants of the account (``wanted_of`` the policy: the
    scope its services wait for, the documented services whose orchestrations it reads;
    everything without). An error of ``alongside`` wins over the fetch's, and cancels the
    fetch."""
    handed: concurrent.futures.Future[Wanted] = concurrent.futures.Future()

    def work(reading: object) -> T:
        value = alongside()
        hand(handed, wanted_of(value) if wanted_of is not None else EVERYTHING)
        return value

    return read_alongside(
        lambda: _fetch(config, window, progress, asyncio.wrap_future(handed)), work,
        name="pdlint-fetch")


async def _fetch(config: ClientConfig, window: Window, progress: Progress | None,
                 wanted: Awaitable[Wanted]) -> LiveState:
    async with PagerDutyClient(config) as client:
        return await fetch_state(client, window, progress=progress, wanted=wanted)
