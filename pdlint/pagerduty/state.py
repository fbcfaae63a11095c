"""LiveState: the account's objects exactly as the API returned them, what a snapshot stores.

The typed model (``model.py``, and through it the rules) imports this module, so it must stay
free of network code (no httpx). Objects are kept raw (the dicts PagerDuty sent) so that a
snapshot can store them verbatim and a drift run from a snapshot sees exactly what the live run
saw; everything that reads them parses them first (``model.parse_account``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from pdlint.findings import Skipped

COLLECTIONS: tuple[str, ...] = (
    "escalation_policies",
    "schedules",
    "schedules_v3",
    "services",
    "users",
    "teams",
    "priorities",
    "maintenance_windows",
    "incident_workflows",
    "workflow_triggers",
    "service_orchestrations",
    "event_orchestrations",
    "orchestration_routers",
    "alert_grouping_settings",
)
"""Every collection a LiveState may hold. ``schedules_v3`` holds shift-based schedules, which
``GET /schedules`` never returns; they have their own shape (rotations, not layers).
``maintenance_windows`` holds those under way or to come when the state was read.

Collections read object by object, for want of a listing, keep each answer under the id it was
asked for: ``service_orchestrations`` holds ``{"service_id", "orchestration_path", "active"}``
(the answers of ``GET /event_orchestrations/services/{id}`` and, when read, of its ``/active``),
``orchestration_routers`` ``{"event_orchestration_id", "orchestration_path"}``. A service's
orchestration is read only when the run wants it (``Wanted.services``): a service not disabled
that has no entry was not read, which is not "no orchestration"."""

DEFAULT_WINDOW = timedelta(days=30)
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)
"""A window lies within these: PagerDuty holds nothing older, and a window out to the end of the
calendar would overflow the arithmetic of every rendered week."""


def as_utc(moment: datetime, what: str = "time") -> datetime:
    """``moment`` in UTC; naive datetimes are refused because a guess would shift every entry."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} {moment.isoformat()} has no time zone")
    return moment.astimezone(timezone.utc)


def format_utc(moment: datetime, timespec: str = "auto") -> str:
    """ISO 8601 in UTC with a ``Z``, the form PagerDuty accepts and snapshots store;
    ``timespec`` as ``datetime.isoformat`` takes it (``"seconds"`` drops the fraction).

    Written from the date and the time of day, which have no offset to format: an aware
    ``isoformat`` asks the time zone for its offset and writes ``+00:00`` to be replaced, twice
    the time (a year's evidence package writes about half a million times once each)."""
    if moment.tzinfo is not timezone.utc:  # most times are already in UTC: a register has 10^6
        moment = as_utc(moment)
    return f"{moment.date().isoformat()}T{moment.time().isoformat(timespec)}Z"


class ReversedWindow(ValueError):
    """A window whose end is not after its start."""

    def __init__(self, since: datetime, until: datetime) -> None:
        self.since = since
        self.until = until
        super().__init__(f"until {format_utc(until)} is not after since {format_utc(since)}")


def _outside_calendar() -> ValueError:
    """The error of a window past the end of Python's calendar, worded as one outside pdlint's."""
    return ValueError(f"the window is not between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}")


@dataclass(frozen=True)
class Window:
    """The time range over which schedules are rendered (and incidents counted): [since, until).

    Both ends are whole seconds, as PagerDuty renders schedules: a fraction would leave a
    sub-second sliver past the last rendered entry that reads as a coverage gap.
    """

    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        since = as_utc(self.since, "since").replace(microsecond=0)
        until = as_utc(self.until, "until").replace(microsecond=0)
        if until <= since:
            raise ReversedWindow(since, until)
        if since < EARLIEST or until > LATEST:
            raise ValueError(f"the window {format_utc(since)} to {format_utc(until)} is not "
                             f"between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}")
        object.__setattr__(self, "since", since)
        object.__setattr__(self, "until", until)

    @classmethod
    def starting(cls, since: datetime, length: timedelta = DEFAULT_WINDOW) -> Window:
        """The window of ``length`` from ``since``; a ``ValueError`` for one that would end
        past the calendar pdlint reads (or Python's)."""
        try:
            return cls(since, as_utc(since, "since") + length)
        except OverflowError:
            raise _outside_calendar() from None

    @classmethod
    def asked(cls, since: datetime | None, until: datetime | None, now: datetime) -> Window:
        """The window from ``since`` to ``until``: a missing end is ``DEFAULT_WINDOW`` from the
        other, and with neither the window starts ``now``. Raises ``ReversedWindow``, or a
        ``ValueError`` for a window outside the calendar pdlint reads."""
        try:
            start = since if since is not None else (
                until - DEFAULT_WINDOW if until is not None else now)
            end = until if until is not None else start + DEFAULT_WINDOW
        except OverflowError:
            raise _outside_calendar() from None
        return cls(start, end)

    def to_dict(self) -> dict[str, str]:
        return {"since": format_utc(self.since), "until": format_utc(self.until)}


@dataclass(frozen=True)
class TeamScope:
    """What a read limited to some teams needs to know: the teams, by name, and the services
    documented by name, which are looked for wherever they are (one moved out of the teams is
    still seen, and reported)."""

    teams: tuple[str, ...]
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentedServices:
    """The services a policy documents, as the read can find them before any rule runs: by
    pinned id, else by exact name. ``rules.matching`` also pairs a documented service with a
    live one renamed; the read cannot, so a renamed service's orchestration is not read (SVC311
    says so, and the rename is a finding of its own)."""

    names: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()

    def hold(self, service: Mapping[str, Any]) -> bool:
        """Whether the service, as the API returned it, is one of these."""
        identity, name = service.get("id"), service.get("name")
        return ((isinstance(identity, str) and identity in self._ids)
                or (isinstance(name, str) and name in self._names))

    @functools.cached_property
    def _ids(self) -> frozenset[str]:
        """``ids`` as a set: a policy of 5,000 services looked through a tuple for each of
        5,000 services is 25 million comparisons."""
        return frozenset(self.ids)

    @functools.cached_property
    def _names(self) -> frozenset[str]:
        return frozenset(self.names)


@dataclass(frozen=True)
class Wanted:
    """What a run reads of the account, as its policy decides, handed to the read as plain data
    (the read never imports the policy): the teams that bound the services listed (``scope``),
    and the services whose event orchestration is read (``services``; None reads every
    service's, as ``pdlint init``, which documents them all, and ``pdlint snapshot``, which
    keeps the account for any policy, need). ``Wanted()`` reads everything."""

    scope: TeamScope | None = None
    services: DocumentedServices | None = None


EVERYTHING = Wanted()
"""The read of a run without a policy: every service, and every service's orchestration."""


@dataclass(frozen=True)
class LiveState:
    """What the account held at ``fetched_at``, by collection, with what could not be read.

    ``objects`` maps a collection name (see ``COLLECTIONS``) to the API objects in API order.
    ``skipped`` lists the collections that could not be read: each ``Skipped.rule`` is the
    collection name and ``reason`` says why (e.g. the plan lacks priorities). A skipped collection
    reads as empty: check ``skip_reason`` before concluding that something is missing.
    The checks read the typed ``pdlint.pagerduty.model.Account`` parsed from it, never these
    dicts: this is what a snapshot stores.
    """

    api_url: str
    fetched_at: datetime
    window: Window
    objects: Mapping[str, tuple[dict[str, Any], ...]]
    skipped: tuple[Skipped, ...] = ()
    totals: Mapping[str, int] = field(default_factory=dict)
    """How many objects the account holds of a collection read only in part (the services of
    a ``TeamScope``); a collection absent here was read whole."""

    def __post_init__(self) -> None:
        unknown = sorted(set(self.objects) - set(COLLECTIONS))
        if unknown:
            raise ValueError(f"unknown collections: {', '.join(unknown)}")
        objects = {kind: tuple(self.objects.get(kind, ())) for kind in COLLECTIONS}
        object.__setattr__(self, "objects", MappingProxyType(objects))
        object.__setattr__(self, "fetched_at", as_utc(self.fetched_at, "fetched_at"))
        object.__setattr__(self, "skipped", tuple(self.skipped))
        object.__setattr__(self, "totals", MappingProxyType(dict(self.totals)))

    def __repr__(self) -> str:
        """Counts, not contents: a year of rendered schedules is hundreds of MB as text, and
        asyncio formats the result of the main task when ``asyncio.run`` restores its SIGINT
        handler on Python 3.11, so a full repr would cost seconds on every live run."""
        counts = ", ".join(f"{kind}: {len(items)}" for kind, items in self.objects.items())
        return (f"LiveState(api_url={self.api_url!r}, fetched_at={format_utc(self.fetched_at)}, "
                f"window={self.window!r}, objects={{{counts}}}, skipped={self.skipped!r})")

    def collection(self, kind: str) -> tuple[dict[str, Any], ...]:
        """The objects of ``kind`` in API order; empty if none or skipped (see ``skip_reason``)."""
        _check_kind(kind)
        return self.objects[kind]

    def skip_reason(self, kind: str) -> str | None:
        """Why ``kind`` could not be read, or None when it was read in full."""
        _check_kind(kind)
        return next((skip.reason for skip in self.skipped if skip.rule == kind), None)

    @property
    def escalation_policies(self) -> tuple[dict[str, Any], ...]:
        return self.objects["escalation_policies"]

    @property
    def schedules(self) -> tuple[dict[str, Any], ...]:
        return self.objects["schedules"]

    @property
    def schedules_v3(self) -> tuple[dict[str, Any], ...]:
        return self.objects["schedules_v3"]

    @property
    def services(self) -> tuple[dict[str, Any], ...]:
        return self.objects["services"]

    @property
    def users(self) -> tuple[dict[str, Any], ...]:
        return self.objects["users"]

    @property
    def teams(self) -> tuple[dict[str, Any], ...]:
        return self.objects["teams"]

    @property
    def priorities(self) -> tuple[dict[str, Any], ...]:
        return self.objects["priorities"]

    @property
    def maintenance_windows(self) -> tuple[dict[str, Any], ...]:
        return self.objects["maintenance_windows"]

    @property
    def incident_workflows(self) -> tuple[dict[str, Any], ...]:
        return self.objects["incident_workflows"]

    @property
    def workflow_triggers(self) -> tuple[dict[str, Any], ...]:
        return self.objects["workflow_triggers"]

    @property
    def service_orchestrations(self) -> tuple[dict[str, Any], ...]:
        return self.objects["service_orchestrations"]

    @property
    def event_orchestrations(self) -> tuple[dict[str, Any], ...]:
        return self.objects["event_orchestrations"]

    @property
    def orchestration_routers(self) -> tuple[dict[str, Any], ...]:
        return self.objects["orchestration_routers"]

    @property
    def alert_grouping_settings(self) -> tuple[dict[str, Any], ...]:
        return self.objects["alert_grouping_settings"]


def account_subdomain(state: LiveState) -> str | None:
    """The account's subdomain (``acme`` of acme.pagerduty.com), read from any object's page;
    None when no object names one."""
    for items in state.objects.values():
        for obj in items:
            host = urlsplit(str(obj.get("html_url") or "")).hostname or ""
            if host.endswith(".pagerduty.com") and host.count(".") == 2:
                return host.split(".")[0]
    return None


def _check_kind(kind: str) -> None:
    if kind not in COLLECTIONS:
        raise KeyError(f"unknown collection {kind!r}; known: {', '.join(COLLECTIONS)}")
