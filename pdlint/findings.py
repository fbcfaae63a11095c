"""The one currency every room trades in: findings, where they point, and what was skipped.

Rules produce findings, reporters print them; neither knows about the other. The JSON shape of a
report (``Report.to_dict``) is a contract relied on by users' pipelines: see docs/ci.md.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import Any

REPORT_FORMAT_VERSION = 2
"""Version 2 (docs/ci.md): a drift report says what it checked: ``checked_at``, ``account``,
``policy`` and ``rules``."""


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """A number and its noun, agreeing: ``1 error``, ``2 errors``, ``0 errors``."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


class Severity(str, enum.Enum):
    """How much a finding matters; ordered so that ``ERROR`` is the highest."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def at_least(self, threshold: Severity) -> bool:
        return self.rank >= threshold.rank


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, order=True)
class Location:
    """A place in a policy file: 1-based line, 1-based column when known."""

    path: str
    line: int
    column: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "line": self.line}
        if self.column is not None:
            data["column"] = self.column
        return data


@dataclass(frozen=True, order=True)
class Resource:
    """The object a finding is about, documented or live (``type`` uses PagerDuty's names)."""

    type: str
    name: str | None = None
    id: str | None = None

    def __str__(self) -> str:
        label = self.name if self.name is not None else self.id
        return f"{self.type.replace('_', ' ')} {label!r}" if label else self.type.replace("_", " ")

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "name": self.name}


@dataclass(frozen=True)
class Waived:
    """Why a finding is accepted for now: the documented waiver that matched it."""

    reason: str
    owner: str
    expires: date
    location: Location | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
            "location": self.location.to_dict() if self.location else None,
        }


@dataclass(frozen=True)
class Finding:
    """One difference between what the policy documents and what is true.

    ``expected`` is the documented value and ``actual`` the live (or offending) value, both plain
    JSON-able data or None. ``location`` points at the policy line that documents the expectation.
    ``not_checked`` marks a finding that reports a check that could not be made, with what was
    not read (``Rule.not_checked`` sets it): skipped, never passed, unless waived.
    """

    rule: str
    name: str
    severity: Severity
    message: str
    resource: Resource
    expected: Any = None
    actual: Any = None
    location: Location | None = None
    waived: Waived | None = None
    not_checked: str | None = None

    @property
    def counts(self) -> bool:
        """Whether the finding can fail a run: waived findings never do."""
        return self.waived is None

    @property
    def leaves_unchecked(self) -> bool:
        """Whether the finding leaves its rule not checked in full: a check not made that no
        waiver accepts (``not_checked_skips``)."""
        return self.not_checked is not None and self.counts

    def with_waiver(self, waiver: Waived) -> Finding:
        return replace(self, waived=waiver)

    @property
    def key(self) -> str:
        """What makes a finding the same one across runs: the rule and the object, by PagerDuty id
        when the finding names one, else by name. Not the line (lines move as the policy is
        edited) nor the message (it carries the live value). SARIF's fingerprints and the drift
        history both follow findings by it; several findings may share one key."""
        return finding_key(self.rule, self.resource)

    def sort_key(self) -> tuple[Any, ...]:
        location = self.location or Location("~", 0)
        return (location.path, location.line, self.rule, self.resource.type,
                self.resource.name or "", self.resource.id or "", self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "resource": self.resource.to_dict(),
            "expected": self.expected,
            "actual": self.actual,
            "location": self.location.to_dict() if self.location else None,
            "waived": self.waived.to_dict() if self.waived else None,
            "not_checked": self.not_checked,
        }


def finding_key(rule: str, resource: Resource) -> str:
    """``Finding.key`` of a finding of ``rule`` about ``resource``, also for one read back from a
    JSON report: the rule, the object's type, and its PagerDuty id, else its name."""
    return "\x1f".join((rule, resource.type, resource.id or resource.name or ""))


@dataclass(frozen=True)
class Skipped:
    """A check that could not run, and why. Skipped is never reported as passed."""

    rule: str
    reason: str
    severity: Severity = Severity.WARNING

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason}


NOT_CHECKED_REASONS = 3
"""How many of a rule's reasons for checks not made its skip names; it counts the rest."""


def not_checked_skips(findings: Iterable[Finding]) -> list[Skipped]:
    """A skip for each rule with findings that report a check not made and no waiver accepts:
    the run did not check that rule in full, as if a collection it reads was not read, so it is
    incomplete (exit 2 unless the rule's skip is accepted by name), never passed."""
    reasons: dict[str, dict[str, None]] = {}
    counts: dict[str, int] = {}
    for finding in findings:
        if finding.not_checked is not None and finding.counts:
            reasons.setdefault(finding.rule, {})[finding.not_checked] = None
            counts[finding.rule] = counts.get(finding.rule, 0) + 1
    skips = []
    for rule, why in reasons.items():
        listed = "; ".join(list(why)[:NOT_CHECKED_REASONS])
        rest = len(why) - NOT_CHECKED_REASONS
        more = f"; and {counted(rest, 'other reason')}" if rest > 0 else ""
        skips.append(Skipped(rule, f"{counted(counts[rule], 'check')} not made (findings marked "
                                   f"not checked): {listed}{more}"))
    return skips


@dataclass(frozen=True)
class PolicyIdentity:
    """Which policy a run checked: the path it was given, each file's sha256, one sha256 over
    them all, and the git commit of the repository holding them (None outside one)."""

    path: str
    files: tuple[tuple[str, str], ...]
    """(path relative to the folder the files share, sha256 of its bytes), by path."""
    sha256: str
    git_commit: str | None = None
    git_modified: bool | None = None
    """Whether the files differ from ``git_commit`` (None when not in a git repository)."""

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256,
                "files": [{"path": name, "sha256": digest} for name, digest in self.files],
                "git_commit": self.git_commit, "git_modified": self.git_modified}


@dataclass(frozen=True)
class Checked:
    """What a drift run checked: the account as read at ``checked_at`` (when the snapshot was
    taken, for a snapshot), which account, which policy, and which rules. A report that says
    this can be kept and compared with later ones (``pdlint drift --record``)."""

    checked_at: datetime
    api_url: str
    subdomain: str | None
    policy: PolicyIdentity
    rules: tuple[str, ...]
    unchecked: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The rules of ``rules`` not checked in full, each with the collections it reads that were
    not read: skipped, never passed, whatever they found in the rest."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked_at": utc_second(self.checked_at),
            "account": {"api_url": self.api_url, "subdomain": self.subdomain},
            "policy": self.policy.to_dict(),
            "rules": list(self.rules),
            "unchecked": {rule: list(collections) for rule, collections in self.unchecked},
        }


@dataclass(frozen=True)
class Boundary:
    """The scope a run was limited to, and how many objects of each kind it left outside: a
    reader sees where the checks stopped. ``outside`` is by PagerDuty type, in a fixed order;
    a kind that could not be read, or whose scope is not known, is None (not known, not 0)."""

    teams: tuple[str, ...]
    services: tuple[str, ...]
    """The service name patterns; empty when every service of the teams is in scope."""
    outside: tuple[tuple[str, int | None], ...]

    def described(self) -> str:
        """``team 'Platform'`` or ``teams 'A', 'B'; services 'prod-*'``."""
        text = (f"team{'s' if len(self.teams) > 1 else ''} "
                + ", ".join(f"'{name}'" for name in self.teams))
        if self.services:
            text += "; services " + ", ".join(f"'{pattern}'" for pattern in self.services)
        return text

    def outside_text(self, *more: tuple[str, int | None]) -> str:
        """``3 services, 1 escalation policy, schedules not known, 1 team``, then the ``more``
        counts by noun."""
        def said(kind: str, count: int | None) -> str:
            noun = kind.replace("_", " ")
            plural = "escalation policies" if kind == "escalation_policy" else None
            return (counted(count, noun, plural) if count is not None
                    else f"{plural or noun + 's'} not known")
        return ", ".join(said(kind, count) for kind, count in (*self.outside, *more))

    def outside_phrase(self) -> str:
        """``outside the scope (team 'Platform'): 3 services, 1 team``."""
        return f"outside the scope ({self.described()}): {self.outside_text() or 'nothing counted'}"

    def to_dict(self) -> dict[str, Any]:
        return {"teams": list(self.teams), "services": list(self.services)}


def utc_second(moment: datetime) -> str:
    """``moment`` in UTC to the second, ISO 8601 with ``Z``: how every report writes a time."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Report:
    """Everything one run found, in a deterministic order; a drift run's report also says what
    it ``checked``."""

    findings: tuple[Finding, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    tool_version: str = field(default="")
    checked: Checked | None = None
    boundary: Boundary | None = None
    """The policy's scope; None when the run covered the whole account."""

    @classmethod
    def of(cls, findings: Iterable[Finding], skipped: Iterable[Skipped] = (),
           boundary: Boundary | None = None) -> Report:
        from pdlint import __version__

        return cls(
            findings=tuple(sorted(findings, key=Finding.sort_key)),
            skipped=tuple(sorted(set(skipped), key=lambda s: (s.rule, s.reason))),
            tool_version=__version__, boundary=boundary,
        )

    @property
    def complete(self) -> bool:
        return not self.skipped

    def summary(self) -> dict[str, int]:
        counts = {severity.value: 0 for severity in reversed(Severity)}
        for finding in self.findings:
            if finding.counts:
                counts[finding.severity.value] += 1
        counts["not_checked"] = sum(1 for finding in self.findings if finding.leaves_unchecked)
        counts["waived"] = sum(1 for finding in self.findings if not finding.counts)
        counts["skipped"] = len(self.skipped)
        return counts

    def fails(self, threshold: Severity | None) -> bool:
        """Whether the run fails at ``threshold`` (None means ``--fail-on never``)."""
        if threshold is None:
            return False
        if any(skip.severity.at_least(threshold) for skip in self.skipped):
            return True
        return any(f.counts and f.severity.at_least(threshold) for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": REPORT_FORMAT_VERSION,
            "tool": {"name": "pdlint", "version": self.tool_version},
            **(self.checked.to_dict() if self.checked else {}),
            "findings": [finding.to_dict() for finding in self.findings],
            "skipped": [skip.to_dict() for skip in self.skipped],
            "summary": self.summary(),
            **({"scope": self.boundary.to_dict(), "out_of_scope": dict(self.boundary.outside)}
               if self.boundary else {}),
        }
