"""An object pdlint pairs with the policy's by its name, returned without it: the answer is
refused (exit 2, one line naming the object), as one without its id is, never read as "no such
object" (a documented escalation policy reported missing, its real drift unchecked)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_cases import NOW, TOKEN, WINDOW
from pdlint_process import run_pdlint

from pdlint.sim import Fault, Faults, SimServer, demo_account

PROJECT = Path(__file__).resolve().parents[2]

NAMED = [
    pytest.param("escalation_policies", "escalation policy", id="escalation-policy"),
    pytest.param("schedules", "schedule", id="schedule"),
    pytest.param("services", "service", id="service"),
    pytest.param("teams", "team", id="team"),
    pytest.param("priorities", "priority", id="priority"),
    pytest.param("incident_workflows", "incident workflow", id="incident-workflow"),
]
"""The collection (its snapshot key, its API path without the slash) and how errors name it."""


def refused(kind: str) -> str:
    """The one line of a refusal of a ``kind`` without its name."""
    return (rf"pdlint: error: {kind} P\w+( \('[^']+'\))?: name is missing; pdlint finds every "
            rf"{kind} by its name\n")


def drift(env: dict[str, str] | None, *arguments: str) -> tuple[int, str, str]:
    done = run_pdlint("drift", "--policy", "policy", "--quiet", *arguments, env=env,
                      cwd=PROJECT)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("names") / "snap.json"
    with SimServer(demo_account(NOW), token=TOKEN) as server:
        env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        saved = run_pdlint("snapshot", "-o", str(path), "--quiet", *WINDOW, env=env)
        assert saved.returncode == 0, saved.stderr
    yield path


@pytest.mark.parametrize(("key", "kind"), NAMED)
def test_a_live_object_without_its_name_is_refused(key: str, kind: str) -> None:
    faults = Faults(scripted=(Fault("omit_field", f"/{key}", field="name"),))
    with SimServer(demo_account(NOW), token=TOKEN, faults=faults) as server:
        env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        code, out, err = drift(env, *WINDOW)
    assert (code, out) == (2, "")
    assert re.fullmatch(refused(kind), err), err


@pytest.mark.parametrize(("key", "kind"), NAMED)
def test_a_snapshot_object_without_its_name_is_refused(snapshot: Path, tmp_path: Path, key: str,
                                                       kind: str) -> None:
    saved = json.loads(snapshot.read_text(encoding="utf-8"))
    first = saved["objects"][key][0]
    del first["name"]
    changed = tmp_path / "snap.json"
    changed.write_text(json.dumps(saved), encoding="utf-8")
    code, out, err = drift(None, "--snapshot", str(changed))
    assert (code, out) == (2, "")
    assert re.fullmatch(refused(kind), err), err
    assert f"{kind} {first['id']}" in err
