"""The adversarial suite reports what it tried and how that ended, for docs/reliability.md."""

from __future__ import annotations

import pytest
from adversarial_cases import TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for kind, count in sorted(TALLY.items()):
        terminalreporter.write_line(f"pdlint adversarial: {count:,} {kind}")
