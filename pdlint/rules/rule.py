"""What a rule is: an id, a name, why it exists, its SOC 2 criterion, and one pure check.

A family module declares each rule with the ``rule`` decorator; ``registry.py`` lists the family
modules, which makes it the one place the catalogue is assembled.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pdlint.findings import Finding, Location, Resource, Severity


class Mode(str, enum.Enum):
    """When a rule runs: on the policy files alone, or against the live account."""

    LINT = "lint"
    DRIFT = "drift"


@dataclass(frozen=True)
class Rule:
    """A rule of the catalogue. ``check`` is pure: (policy[, state]) -> findings."""

    id: str
    name: str
    title: str
    severity: Severity
    criterion: str
    rationale: str
    mode: Mode
    check: Callable[..., Iterable[Finding]] | None = None

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


def rule(
    id: str,
    name: str,
    *,
    title: str,
    severity: Severity,
    criterion: str,
    mode: Mode,
) -> Callable[[Callable[..., Iterable[Finding]]], Rule]:
    """Declare a rule; the decorated function's docstring is its rationale (shown in docs)."""

    def declare(check: Callable[..., Iterable[Finding]]) -> Rule:
        rationale = " ".join((check.__doc__ or "").split())
        return Rule(id, name, title, severity, criterion, rationale, mode, check)

    return declare
