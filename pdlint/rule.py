"""The rule contract: what a rule is (an id, a name, why it exists, its SOC 2 criterion), and the
one signature of every check, a pure function of a ``Context``.

A leaf: it imports ``findings`` only (the policy and account types are named for the type
checker, not imported at run time), so the policy reader can report POL001–POL004 through their
``Rule`` objects, and the catalogue can be handed to a rule without the rule importing it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from pdlint.findings import Finding, Location, Resource, Severity, Skipped

if TYPE_CHECKING:
    from pdlint.pagerduty.model import Account
    from pdlint.policy.model import Policy


class Mode(str, enum.Enum):
    """When a rule runs: on the policy files alone, or against the live account."""

    LINT = "lint"
    DRIFT = "drift"


@dataclass(frozen=True)
class Context:
    """What a check sees: the policy, the live account (None in lint), the day waivers and
    expiries are judged on, and the catalogue: when each rule runs, by rule id."""

    policy: Policy
    account: Account | None
    today: date
    catalogue: Mapping[str, Mode]

    @property
    def live(self) -> Account:
        """The live account; a drift rule run without one is a programming error."""
        if self.account is None:
            raise LookupError("a drift rule needs the live account")
        return self.account


Check = Callable[[Context], Iterable[Finding]]


def made_elsewhere(context: Context) -> Iterable[Finding]:
    """The check of a rule whose findings are made where the evidence is: by the policy reader
    (POL001-POL004) or by the engine, which holds every rule's findings (WAV901)."""
    return ()


@dataclass(frozen=True)
class Rule:
    """A rule of the catalogue. ``check`` is pure: the context in, findings out."""

    id: str
    name: str
    title: str
    severity: Severity
    criterion: str
    rationale: str
    mode: Mode
    check: Check
    reads: tuple[str, ...] = ()
    """The account's collections the check reads (``pagerduty.state.COLLECTIONS``, the names a
    collection not read is skipped under): while one is not read, the rule is skipped, never
    passed, whatever findings it made on the rest."""

    def finding(
        self,
        message: str,
        resource: Resource,
        *,
        expected: Any = None,
        actual: Any = None,
        location: Location | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule; ``severity`` overrides the default only where a rule says why."""
        return Finding(
            rule=self.id,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            resource=resource,
            expected=expected,
            actual=actual,
            location=location,
        )

    def not_checked(
        self,
        message: str,
        resource: Resource,
        *,
        why: str,
        expected: Any = None,
        actual: Any = None,
        location: Location | None = None,
    ) -> Finding:
        """A finding of this rule that reports a check it could not make, ``why`` saying what was
        not read: a warning, marked (``Finding.not_checked``) so that the run is incomplete
        while no waiver accepts it, never passed."""
        return replace(self.finding(message, resource, expected=expected, actual=actual,
                                    location=location, severity=Severity.WARNING),
                       not_checked=why)

    def not_returned(
        self,
        what: str,
        part: str,
        resource: Resource,
        *,
        name: str | None,
        expected: Any = None,
        actual: Any = None,
        location: Location | None = None,
    ) -> Finding:
        """A finding that ``what`` is not checked because PagerDuty returned the object
        ``resource`` names (``name``, as returned) without ``part``: the finding's words and
        its ``why`` in one wording (``returned_without``)."""
        kind = resource.type.replace("_", " ")
        return self.not_checked(f"{what} not checked: {returned_without(part, kind)}", resource,
                                why=returned_without(part, kind, name), expected=expected,
                                actual=actual, location=location)


def returned_without(part: str, kind: str, name: str | None = None) -> str:
    """``PagerDuty returned the service without its teams``: why a check was not made, in a
    finding's words (not read, never empty); given the object's ``name``, ``PagerDuty returned
    service 'Checkout' without its teams``, the ``why`` of ``Rule.not_checked``, which names the
    object because the run's skips list it apart from the finding."""
    named = f"the {kind}" if name is None else f"{kind} '{name}'"
    return f"PagerDuty returned {named} without {part}"


def unchecked(rules: Iterable[Rule], skipped: Iterable[Skipped],
              ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each of ``rules`` that ``skipped`` leaves not checked in full, with the names of those
    skips (``Checked.unchecked``): the collections it reads not read, and its own id when its
    findings report checks not made (``findings.not_checked_skips``)."""
    unread = {skip.rule for skip in skipped}
    return tuple((each.id, names) for each in rules
                 if (names := tuple(name for name in (*each.reads, each.id) if name in unread)))


def rule(
    id: str,
    name: str,
    *,
    title: str,
    severity: Severity,
    criterion: str,
    mode: Mode,
    reads: tuple[str, ...] = (),
) -> Callable[[Check], Rule]:
    """Declare a rule; the decorated function's docstring is its rationale (shown in docs), and a
    drift rule names the collections of the account it ``reads``."""

    def declare(check: Check) -> Rule:
        rationale = " ".join((check.__doc__ or "").split())
        return Rule(id, name, title, severity, criterion, rationale, mode, check, reads)

    return declare
