"""The one entry point: every format renders, deterministically, importing only what it needs."""

from __future__ import annotations

import subprocess
import sys

import pytest
from report_cases import FINDINGS, RULES, SCHEDULES_FORBIDDEN

from pdlint.errors import PdlintError
from pdlint.findings import Report
from pdlint.report import FORMATS, render


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_the_same_text_whatever_order_the_findings_came_in(fmt: str) -> None:
    forward = render(Report.of(FINDINGS, [SCHEDULES_FORBIDDEN]), fmt, rules=RULES)
    backward = render(Report.of(reversed(FINDINGS), [SCHEDULES_FORBIDDEN]), fmt,
                      rules=tuple(reversed(RULES)))
    assert forward == backward
    assert forward.endswith("\n")
    assert "EP103" in forward


def test_an_unknown_format_is_a_usage_error_not_a_traceback() -> None:
    with pytest.raises(PdlintError, match="unknown report format 'yaml'; choose one of text, "
                                           "json, sarif, github, junit, markdown") as raised:
        render(Report.of([]), "yaml", rules=RULES)
    assert raised.value.exit_code == 2


@pytest.mark.parametrize(
    ("fmt", "loaded"),
    [
        ("text", {"pdlint.report", "pdlint.report.rule_meta", "pdlint.report.text",
                  "pdlint.report.wording"}),
        ("json", {"pdlint.report", "pdlint.report.rule_meta", "pdlint.report.json_report",
                  "pdlint.report.indented_json"}),
    ],
)
def test_render_imports_only_the_module_of_the_format_asked_for(fmt: str, loaded: set[str]) -> None:
    probe = (
        "import sys\n"
        "from pdlint.findings import Report\n"
        "from pdlint.report import render\n"
        f"render(Report.of([]), {fmt!r}, rules=())\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('pdlint.report'))))\n"
        "print('httpx' in sys.modules, 'xml.etree.ElementTree' in sys.modules)\n"
    )
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.splitlines()
    assert set(output[0].split()) == loaded
    assert output[1] == "False False"
