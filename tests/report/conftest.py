"""Reports built from ``report_cases`` and a guard for running inside GitHub Actions."""

from __future__ import annotations

import pytest
from report_cases import FINDINGS, SCHEDULES_FORBIDDEN

from pdlint.findings import Report


@pytest.fixture
def full_report() -> Report:
    """Every kind of entry a report holds."""
    return Report.of(FINDINGS, [SCHEDULES_FORBIDDEN])


@pytest.fixture
def complete_report() -> Report:
    """The same findings from a run that saw the whole account."""
    return Report.of(FINDINGS)


@pytest.fixture(autouse=True)
def no_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering in a GitHub Actions job must not write into that job's own summary."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
