"""The configuration change log of the period, from PagerDuty's Audit Trail (``/audit/records``).

Records are read in 31-day chunks (the API refuses a longer ``since``..``until``), newest chunk
first, each chunk with cursor pagination and newest record first, so ``changes.csv`` is in
reverse time order throughout. Only the objects pdlint documents are asked for:
escalation policies, schedules, services, users and teams. Priorities are not root resources of
the Audit Trail, so their changes cannot be listed (docs/evidence.md says so).

The account-wide endpoint needs an admin or account-owner token on a plan with Audit Trail; a
403 or 402 makes the whole change log a skipped section, never a partial one.

PagerDuty keeps audit records for 12 months, and has none before 2020-12-02: the part of a period
before that is not read, and the package names it as not available rather than "no changes".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import IO, TYPE_CHECKING

from pdlint.coverage import Interval
from pdlint.evidence.model import ChangeSummary, ConfigurationChange, FieldValues, iso
from pdlint.pagerduty.model import Account
from pdlint.pagerduty.records import AuditRecord, parse_audit_record
from pdlint.policy.model import Policy
from pdlint.report.tabular import csv_rows
from pdlint.rules.scope import Reach

if TYPE_CHECKING:
    from pdlint.pagerduty.client import PagerDutyClient

AUDIT_RETENTION_YEARS = 1
AUDIT_TRAIL_START = datetime(2020, 12, 2, tzinfo=timezone.utc)
"""PagerDuty has no audit records before this day."""
AUDITED_TYPES = ("escalation_policies", "schedules", "services", "users", "teams")
AUDIT_SPAN = timedelta(days=31)
CHANGE_COLUMNS = ("id", "at", "actor", "action", "resource_type", "resource_id",
                  "resource_name", "documented", "fields", "values")
SHOWN_DOCUMENTED_CHANGES = 200
NOT_READ = "not read"
"""What a change's fields say when PagerDuty returned its record without details."""

Documented = Callable[[str, str | None, str | None], bool | None]
"""(resource type, id, name) -> whether the policy documents that object; None when that cannot
be told (the record names no type, or the user's email was not read)."""
NOT_KNOWN = "not known"
"""A change's ``documented`` cell when whether the policy documents its object cannot be told."""


def chunks_newest_first(since: datetime, until: datetime,
                        span: timedelta = AUDIT_SPAN) -> Iterator[tuple[datetime, datetime]]:
    """``[since, until)`` cut into consecutive chunks of at most ``span``, the latest first."""
    end = until
    while end > since:
        start = max(since, end - span)
        yield start, end
        end = start


def audit_records_kept_from(now: datetime) -> datetime:
    """The earliest time PagerDuty still has audit records for at ``now``: 12 months back (from
    29 February, the 28th), and never before the Audit Trail's first day."""
    year = now.year - AUDIT_RETENTION_YEARS
    try:
        year_ago = now.replace(year=year)
    except ValueError:
        year_ago = now.replace(year=year, day=28)
    return max(year_ago, AUDIT_TRAIL_START)


def documented_in(policy: Policy, account: Account | None) -> Documented:
    """Whether an audited object is documented: by its id where the policy pins one, else by
    name; a user by the email the policy names as an escalation target, not known when the
    users, that user or its email were not read (absent is not "not documented")."""
    emails = {target.name.casefold() for escalation in policy.escalation_policies
              for level in escalation.levels for target in level.targets if target.kind == "user"}
    lookups: Mapping[str, tuple[str, Callable[[str], object]]] = {
        "escalation_policies": ("escalation_policy", policy.escalation_policy),
        "schedules": ("schedule", policy.schedule),
        "services": ("service", policy.service),
        "teams": ("team", policy.team),
    }

    def documented(resource_type: str, resource_id: str | None, name: str | None,
                   ) -> bool | None:
        if resource_type == "users":
            user = account.users.by_id(resource_id) if account else None
            email = user.email if user else None
            return None if email is None else email.casefold() in emails
        if not resource_type:  # the record's root came without its type
            return None
        if resource_type not in lookups:
            return False
        kind, by_name = lookups[resource_type]
        return bool((resource_id and policy.by_id(kind, resource_id))
                    or (name and by_name(name)))

    return documented


def not_known_note(summary: ChangeSummary) -> str:
    """What follows the count of changes to documented objects when some changes' objects
    cannot be told documented or not: those are in neither count (absent is not "no")."""
    unknown = summary.documented_unknown
    return (f"; {unknown} to objects not known to be documented or not (their type, or the "
            "user's email, was not read)" if unknown else "")


def change_from_record(record: AuditRecord, documented: Documented) -> ConfigurationChange:
    """An audit record as a change-log row."""
    resource_type = _resource_type(record.root.type or "")
    actors = [actor.summary or actor.id or actor.type for actor in record.actors or ()]
    unread = record.fields is None and record.references is None
    names = [change.name for change in record.fields or ()] + list(record.references or ())
    return ConfigurationChange(
        id=record.id,
        at=record.execution_time,
        actor=", ".join(actor for actor in actors if actor) or "unknown",
        action=record.action,
        resource_type=resource_type,
        resource_id=record.root.id,
        resource_name=record.root.summary,
        documented=documented(resource_type, record.root.id, record.root.summary),
        fields=None if unread else tuple(name for name in names if name),
        values=None if unread else tuple(
            FieldValues(change.name, change.before, change.after)
            for change in record.fields or () if change.name and change.valued),
    )


def _resource_type(reference_type: str) -> str:
    """``escalation_policy_reference`` -> ``escalation_policies``, the audit filter's spelling."""
    kind = reference_type.removesuffix("_reference")
    return {"escalation_policy": "escalation_policies"}.get(kind, kind + "s" if kind else "")


async def audit_records(
    client: PagerDutyClient, since: datetime, until: datetime,
) -> AsyncIterator[AuditRecord]:
    """Every audit record of the audited types in the period, newest first, each once: a record
    at a chunk's boundary is in both chunks (``since`` and ``until`` are both inclusive), so ids
    are remembered across the whole period, not per chunk."""
    seen: set[str] = set()
    for start, end in chunks_newest_first(since, until):
        async for record in client.iter_cursor(
                "/audit/records", "records", {"root_resource_types[]": list(AUDITED_TYPES)},
                since=start, until=end):
            parsed = parse_audit_record(record)
            if parsed.id not in seen:
                seen.add(parsed.id)
                yield parsed


def changed_in_scope(reach: Reach) -> Callable[[ConfigurationChange], bool]:
    """Whether a change is to an object the scope covers: a service, escalation policy,
    schedule, team or person of ``reach``; a change to anything else is outside."""
    covered = {"services": reach.services, "escalation_policies": reach.escalation_policies,
               "schedules": reach.schedules, "teams": reach.teams, "users": reach.users}
    return lambda change: change.resource_id in covered.get(change.resource_type, ())


class ChangeLog:
    """Writes ``changes.csv`` as records stream in, and keeps the figures for the report; a
    change ``in_scope`` refuses is only counted (``outside_scope``)."""

    def __init__(self, stream: IO[str],
                 in_scope: Callable[[ConfigurationChange], bool] | None = None) -> None:
        self._in_scope = in_scope
        self.outside_scope: int | None = None if in_scope is None else 0
        self._stream = stream
        stream.write(csv_rows((CHANGE_COLUMNS,)))
        self._by_type: Counter[str] = Counter()
        self._by_action: Counter[str] = Counter()
        self._documented_changes: list[ConfigurationChange] = []
        self._changes: list[ConfigurationChange] = []
        self.total = 0
        self.documented = 0
        self.documented_unknown = 0

    def add(self, change: ConfigurationChange) -> None:
        if self._in_scope is not None and not self._in_scope(change):
            self.outside_scope = (self.outside_scope or 0) + 1
            return
        self._stream.write(csv_rows(((
            change.id, iso(change.at), change.actor, change.action, change.resource_type,
            change.resource_id, change.resource_name,
            NOT_KNOWN if change.documented is None else "yes" if change.documented else "no",
            NOT_READ if change.fields is None else "; ".join(change.fields),
            NOT_READ if change.values is None else "; ".join(map(str, change.values))),)))
        self.total += 1
        self._changes.append(change)
        self._by_type[change.resource_type] += 1
        self._by_action[change.action] += 1
        if change.documented is None:
            self.documented_unknown += 1
        if change.documented:
            self.documented += 1
            if len(self._documented_changes) < SHOWN_DOCUMENTED_CHANGES:
                self._documented_changes.append(change)

    def summary(self, unavailable: Interval | None) -> ChangeSummary:
        return ChangeSummary(
            unavailable=unavailable,
            total=self.total,
            documented=self.documented,
            documented_unknown=self.documented_unknown,
            by_type=tuple(sorted(self._by_type.items())),
            by_action=tuple(sorted(self._by_action.items())),
            documented_changes=tuple(self._documented_changes),
            shown_limit=SHOWN_DOCUMENTED_CHANGES,
            every_change=tuple(self._changes),
            outside_scope=self.outside_scope,
        )
