"""What a reporter may know about a rule, in a leaf of its own so that every format module can
name it without importing the room's entry point (which imports them)."""

from __future__ import annotations

from typing import Protocol

from pdlint.findings import Severity


class RuleMeta(Protocol):
    """What a reporter may know about a rule: its catalogue entry, never its check."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def criterion(self) -> str: ...

    @property
    def rationale(self) -> str: ...

    @property
    def mode(self) -> str: ...

    @property
    def reads(self) -> tuple[str, ...]:
        """The account's collections the rule reads: while one is not read (a skip under its
        name), the rule is skipped, never passed."""
        ...
