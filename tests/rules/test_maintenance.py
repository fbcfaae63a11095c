"""SVC310: documented services in a maintenance window during the check window, against the
windows the policy allows (a weekly slot or a date range, no longer than max_length)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rule_cases import Json, live_state, ref, rule_messages, run_rule, service

from pdlint.policy import load_policy
from pdlint.policy.model import Policy
from pdlint.rules.services import check_maintenance_window

DOCUMENTED = """\
tiers:
  tier-1:
    maintenance_windows:
      max_length: 4h
      allowed:
        - description: Sunday patching
          days: [sunday]
          start: "22:00"
          end: "03:00"
        - from: 2026-03-10
          until: 2026-03-11
services:
  - name: Web
    tier: tier-1
  - name: Admin
"""
"""Europe/London, the base organisation's zone: GMT in March, so local is UTC. The check window
is 2026-03-02 12:00 to 03-16 12:00 UTC; Sunday 2026-03-08 22:00 to Monday 03:00 is a slot."""

WEB, ADMIN = service("PS00001", "Web"), service("PS00002", "Admin")
CREATOR = ref("user", "PU00001", "Uma Fischer")


def window(start: str, end: str, *services: Json, description: str | None = "Upgrade",
           creator: Json | None = CREATOR, window_id: str = "PW00001") -> Json:
    body: Json = {"id": window_id, "type": "maintenance_window", "summary": description,
                  "start_time": start, "end_time": end,
                  "services": [ref("service", obj["id"], obj["name"]) for obj in services]}
    if description is not None:
        body["description"] = description
    if creator is not None:
        body["created_by"] = creator
    return body


@pytest.fixture
def policy(make_policy: Callable[[str], Policy]) -> Policy:
    return make_policy(DOCUMENTED)


@pytest.mark.parametrize(("windows", "expected"), [
    pytest.param([], [], id="none"),
    pytest.param([window("2026-03-08T22:30:00Z", "2026-03-09T02:30:00Z", WEB)], [],
                 id="inside-the-overnight-slot"),
    pytest.param([window("2026-03-10T09:00:00+00:00", "2026-03-10T12:00:00Z", WEB)], [],
                 id="inside-the-date-range"),
    pytest.param([window("2026-03-11T21:00:00Z", "2026-03-12T00:00:00Z", WEB)], [],
                 id="ends-as-the-range-ends"),
    pytest.param([window("2026-03-11T22:00:00Z", "2026-03-12T00:30:00Z", WEB)],
                 [("SVC310", "Web", "4h", 3)], id="runs-past-the-range"),
    pytest.param([window("2026-03-03T01:00:00Z", "2026-03-03T02:00:00Z", WEB)],
                 [("SVC310", "Web", "4h", 3)], id="a-tuesday-night"),
    pytest.param([window("2026-03-10T06:00:00Z", "2026-03-10T11:00:00Z", WEB)],
                 [("SVC310", "Web", "4h", 4)], id="longer-than-allowed"),
    pytest.param([window("2026-03-03T01:00:00Z", "2026-03-03T02:00:00Z", ADMIN)],
                 [("SVC310", "Admin", None, 15)], id="allowed-none"),
    pytest.param([window("2026-03-20T01:00:00Z", "2026-03-20T02:00:00Z", ADMIN)], [],
                 id="after-the-check-window"),
    pytest.param([window("2026-03-03T01:00:00Z", "2026-03-03T02:00:00Z",
                         service("PS00009", "Stray"))], [], id="undocumented-service"),
])
def test_maintenance_windows(policy: Policy, windows: list[Json],
                             expected: list[tuple[Any, ...]]) -> None:
    state = live_state(services=[WEB, ADMIN], maintenance_windows=windows)
    found = [(rule, name, wanted, line) for rule, name, wanted, _, line
             in run_rule(check_maintenance_window, policy, state)]
    assert found == expected


@pytest.mark.parametrize(("window_json", "message"), [
    pytest.param(window("2026-03-03T01:00:00Z", "2026-03-03T02:00:00Z", ADMIN),
                 "in maintenance 'Upgrade' from 2026-03-03 01:00 to 02:00 Europe/London, created "
                 "by Uma Fischer: the policy allows none", id="named"),
    pytest.param(window("2026-03-03T23:00:00Z", "2026-03-04T06:00:00Z", ADMIN,
                        description=None, creator=None),
                 "in maintenance (description not read) from 2026-03-03 23:00 to 2026-03-04 "
                 "06:00 Europe/London, creator not named: the policy allows none",
                 id="description-not-returned"),
    pytest.param(window("2026-03-03T23:00:00Z", "2026-03-04T06:00:00Z", ADMIN, description=""),
                 "in maintenance (no description) from 2026-03-03 23:00 to 2026-03-04 06:00 "
                 "Europe/London, created by Uma Fischer: the policy allows none",
                 id="empty-description"),
    pytest.param(window("2026-03-10T06:00:00Z", "2026-03-10T11:00:00Z", WEB),
                 "in maintenance 'Upgrade' from 2026-03-10 06:00 to 11:00 Europe/London, created "
                 "by Uma Fischer: 5h long, longer than the 4h allowed", id="too-long"),
    pytest.param(window("2026-03-03T01:00:00Z", "2026-03-03T02:00:00Z", WEB),
                 "in maintenance 'Upgrade' from 2026-03-03 01:00 to 02:00 Europe/London, created "
                 "by Uma Fischer: outside every allowed slot", id="outside"),
])
def test_the_finding_names_the_window(policy: Policy, window_json: Json, message: str) -> None:
    state = live_state(services=[WEB, ADMIN], maintenance_windows=[window_json])
    assert rule_messages(check_maintenance_window, policy, state) == [message]


def test_windows_not_read_are_not_judged(policy: Policy) -> None:
    """The run reports the collection skipped; no service is said to be free of maintenance."""
    state = live_state(services=[WEB, ADMIN], skipped=["maintenance_windows"])
    assert run_rule(check_maintenance_window, policy, state) == []


@pytest.mark.parametrize(("slot", "complaint"), [
    pytest.param("{days: [sunday], start: '02:00', end: '06:00', from: 2026-03-01, "
                 "until: 2026-03-02}", "allowed item 1: 'from' cannot be written beside the other "
                 "keys written here", id="weekly-and-dates"),
    pytest.param("{description: Someday}", "allowed item 1 is missing required key 'from'",
                 id="neither"),
    pytest.param("{days: [sunday]}", "allowed item 1 is missing required key 'start'",
                 id="weekly-unfinished"),
])
def test_a_slot_is_weekly_or_a_date_range(tmp_path: Path, slot: str, complaint: str) -> None:
    (tmp_path / "case.yaml").write_text(
        f"services:\n  - name: Web\n    maintenance_windows:\n      max_length: 4h\n"
        f"      allowed:\n        - {slot}\n")
    messages = [finding.message for finding in load_policy([tmp_path]).findings
                if finding.rule == "POL003"]
    assert any(complaint in message for message in messages), messages
