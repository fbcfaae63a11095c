"""A crash is not a finding: every unexpected exception ends in exit 2 with one line naming what
was being read and how to report it (the traceback only with ``--debug`` or PDLINT_DEBUG=1),
and the inputs an outside probe crashed pdlint with are findings or clear errors instead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from adversarial_cases import POLICY, Ran, run_main, sim_env

from pdlint.sim import SimServer, demo_account


def one_line_error(ran: Ran) -> str:
    assert ran.code == 2, ran
    assert "Traceback" not in ran.stderr
    [line] = ran.stderr.splitlines()
    assert line.startswith("pdlint: error: "), line
    return line


def crash_in_lint_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(paths: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("pdlint.rules.engine.lint_paths", broken)


def test_an_unexpected_exception_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    crash_in_lint_rules(monkeypatch)
    line = one_line_error(run_main("lint", str(POLICY)))
    assert line.startswith("pdlint: error: unexpected ZeroDivisionError in `pdlint lint`: "
                           "division by zero; this is a bug in pdlint ")
    assert "PDLINT_DEBUG=1" in line


@pytest.mark.parametrize(("arguments", "env"), [(("--debug",), {}), ((), {"PDLINT_DEBUG": "1"})])
def test_the_traceback_only_when_debugging(monkeypatch: pytest.MonkeyPatch,
                                           arguments: tuple[str, ...], env: dict[str, str]) -> None:
    crash_in_lint_rules(monkeypatch)
    with pytest.raises(ZeroDivisionError):
        run_main(*arguments, "lint", str(POLICY), env=env)


def test_the_line_names_the_endpoint_being_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from pdlint.pagerduty.client import PagerDutyClient

    real = PagerDutyClient.iter_classic

    def iter_classic(self: PagerDutyClient, path: str, *args: Any,
                     **kwargs: Any) -> AsyncIterator[dict[str, Any]]:
        if path == "/teams":
            raise ValueError("an answer nobody foresaw")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(PagerDutyClient, "iter_classic", iter_classic)
    with SimServer(demo_account(), token="t0k3n") as server:
        line = one_line_error(run_main("snapshot", "-o", "-", "--quiet", env=sim_env(server)))
    assert line.startswith("pdlint: error: unexpected ValueError while reading GET /teams: "
                           "an answer nobody foresaw;"), line


def test_the_line_names_the_policy_file_being_read(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    def broken(self: Any, node: Any, path: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("pdlint.policy.load._NodeReader._scalar", broken)
    (tmp_path / "teams.yaml").write_text("teams: [a]\n")
    line = one_line_error(run_main("lint", str(tmp_path)))
    assert f"unexpected RuntimeError while reading {tmp_path.as_posix()}/teams.yaml: boom;" in line
