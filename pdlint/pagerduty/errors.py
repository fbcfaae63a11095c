"""What can go wrong reading PagerDuty, as one hierarchy of ``PdlintError``s (exit code 2).

``ConfigurationError``: the settings cannot reach the API. ``ReadOnlyViolation``: a request that
could write was stopped unsent. ``PagerDutyError`` and its kinds: the API could not give what
was asked, each saying which request and why; callers catch the kind they can act on
(``PermissionDenied`` becomes a skipped check, ``OffsetCeilingExceeded`` a split window).
"""

from __future__ import annotations

from pdlint.errors import PdlintError

OFFSET_CEILING = 10_000
"""PagerDuty answers 400 (error code 2002) when offset + limit exceeds this."""


class ConfigurationError(PdlintError):
    """The connection settings are unusable (no token, an insecure URL, an unknown region)."""


class ReadOnlyViolation(PdlintError):
    """pdlint tried to send a request that could change the account; it was stopped unsent."""


class PagerDutyError(PdlintError):
    """PagerDuty's API could not give what was asked; says which request and why."""

    summary = "the request failed"

    def __init__(
        self,
        method: str,
        path: str,
        *,
        status: int | None = None,
        api_message: str | None = None,
        api_code: int | None = None,
        detail: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.api_message = api_message
        self.api_code = api_code
        self.detail = detail
        self.attempts = 1
        super().__init__(str(self))

    def describe(self) -> str:
        """What went wrong, in words, when the raiser gave no more specific ``detail``."""
        return self.summary

    def __str__(self) -> str:
        return self.worded(self.detail or self.describe())

    def worded(self, detail: str) -> str:
        """The error's text, with ``detail`` saying what went wrong."""
        parts = [f"{self.method} {self.path}: {detail}"]
        facts = []
        if self.attempts > 1:
            facts.append(f"{self.attempts} attempts")
        if self.status is not None:
            facts.append(f"HTTP {self.status}")
        if self.api_message or self.api_code is not None:
            code = f" {self.api_code}" if self.api_code is not None else ""
            facts.append(f"PagerDuty error{code}: {self.api_message or 'no message'}")
        if facts:
            parts.append(f"({'; '.join(facts)})")
        return " ".join(parts)


class AuthenticationError(PagerDutyError):
    summary = "the token was refused; check the API token and the service region"


class PermissionDenied(PagerDutyError):
    """403/402: the token or the plan may not read this. Callers record a skipped check."""

    def describe(self) -> str:
        if self.status == 402:
            return "the account's plan lacks this feature"
        return "the token may not read this"


class RateLimited(PagerDutyError):
    summary = "PagerDuty's rate limit was reached"


class ApiUnavailable(PagerDutyError):
    summary = "PagerDuty did not answer successfully"


class ResponseError(PagerDutyError):
    summary = "the response was not what the API documents"


class PaginationError(PagerDutyError):
    summary = "the listing was inconsistent between pages"


class OffsetCeilingExceeded(PaginationError):
    """A classic listing is longer than PagerDuty lets offset pagination reach."""

    summary = f"the listing is longer than offset pagination can reach ({OFFSET_CEILING:,})"

