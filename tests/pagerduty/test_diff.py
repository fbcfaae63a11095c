"""Diff of two snapshots: exactly the changes, matched by name, volatile fields left out."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from pdlint.findings import Skipped
from pdlint.pagerduty.diff import diff_states, render_diff_json, render_diff_text
from pdlint.pagerduty.snapshot import redact
from pdlint.pagerduty.state import LiveState, Window

Objects = dict[str, list[dict[str, Any]]]


def edited(state: LiveState, edit: Callable[[Objects], None]) -> LiveState:
    objects = {kind: copy.deepcopy(list(items)) for kind, items in state.objects.items()}
    edit(objects)
    return replace(state, objects={kind: tuple(items) for kind, items in objects.items()})


def set_delay(objects: Objects) -> None:
    objects["escalation_policies"][0]["escalation_rules"][0]["escalation_delay_in_minutes"] = 20


def add_team(objects: Objects) -> None:
    objects["teams"].append({"id": "PTEAM02", "type": "team", "name": "Search"})


def remove_priority(objects: Objects) -> None:
    objects["priorities"].pop()


def rename_service(objects: Objects) -> None:
    objects["services"][0]["name"] = "Payments gateway"


def swap_rules(objects: Objects) -> None:
    rules = objects["escalation_policies"][0]["escalation_rules"]
    rules.reverse()


def swap_targets(objects: Objects) -> None:
    objects["escalation_policies"][0]["escalation_rules"][1]["targets"].reverse()


def swap_rotation(objects: Objects) -> None:
    objects["schedules"][0]["schedule_layers"][0]["users"].reverse()


def reorder_contact_methods(objects: Objects) -> None:
    objects["users"][0]["contact_methods"].reverse()


def incident_status(objects: Objects) -> None:
    objects["services"][0]["status"] = "critical"
    objects["services"][0]["last_incident_timestamp"] = "2026-03-03T00:00:00Z"


def disable_service(objects: Objects) -> None:
    objects["services"][0]["status"] = "disabled"


def change_address(objects: Objects) -> None:
    objects["users"][0]["contact_methods"][1]["address"] = "5550199"


@pytest.mark.parametrize(("edit", "expected"), [
    (set_delay, {"escalation_policies": {"changed": [{
        "name": "Payments", "id": "PEPOL01", "changes": [{
            "path": "escalation_rules[0].escalation_delay_in_minutes", "kind": "changed",
            "old": 10, "new": 20}]}]}}),
    (add_team, {"teams": {"added": ["Search"]}}),
    (remove_priority, {"priorities": {"removed": ["P2"]}}),
    (rename_service, {"services": {"changed": [{
        "name": "Payments API -> Payments gateway", "id": "PSERV01", "changes": [{
            "path": "name", "kind": "changed", "old": "Payments API",
            "new": "Payments gateway"}]}]}}),
    (swap_targets, {}),
    (reorder_contact_methods, {}),
    (incident_status, {}),
    (disable_service, {"services": {"changed": [{
        "name": "Payments API", "id": "PSERV01", "changes": [{
            "path": "status", "kind": "changed", "old": "active", "new": "disabled"}]}]}}),
    (change_address, {"users": {"changed": [{
        "name": "Ada Lovelace", "id": "PUAAAA1", "changes": [{
            "path": "contact_methods[1].address", "kind": "changed", "old": "5550100",
            "new": "5550199"}]}]}}),
])
def test_diff_shows_exactly_the_changes(small_state: LiveState, edit: Callable[[Objects], None],
                                        expected: dict[str, Any]) -> None:
    result = diff_states(small_state, edited(small_state, edit)).to_dict()["collections"]
    assert {kind: {key: value for key, value in changes.items() if value}
            for kind, changes in result.items() if any(changes.values())} == expected


@pytest.mark.parametrize("edit", [swap_rules, swap_rotation])
def test_order_that_means_something_is_compared(small_state: LiveState,
                                                edit: Callable[[Objects], None]) -> None:
    assert not diff_states(small_state, edited(small_state, edit)).empty


def test_identical_snapshots_have_no_differences(small_state: LiveState) -> None:
    result = diff_states(small_state, small_state)
    assert result.empty
    assert render_diff_text(result) == "no differences\n"


def test_rendered_entries_are_compared_only_over_the_same_window(small_state: LiveState) -> None:
    def shorten_shift(objects: Objects) -> None:
        final = objects["schedules"][0]["final_schedule"]
        final["rendered_schedule_entries"][0]["end"] = "2026-03-08T00:00:00Z"
        final["rendered_coverage_percentage"] = 92.9

    changed = edited(small_state, shorten_shift)
    same_window = diff_states(small_state, changed)
    assert [field.path for field in same_window.collections[1].changed[0].changes] == [
        "final_schedule.rendered_coverage_percentage",
        "final_schedule.rendered_schedule_entries[0].end"]
    later = replace(changed, window=Window.starting(small_state.window.since + timedelta(days=1)))
    other_window = diff_states(small_state, later)
    assert other_window.empty
    assert any("different windows" in note for note in other_window.notes)


def test_redacted_addresses_are_not_differences(small_state: LiveState) -> None:
    result = diff_states(small_state, redact(small_state))
    assert result.empty
    assert any("redacted" in note for note in result.notes)


def test_a_collection_unread_on_one_side_is_not_reported_as_removed(
        small_state: LiveState) -> None:
    without = replace(small_state, objects={**small_state.objects, "priorities": ()},
                      skipped=(Skipped("priorities", "HTTP 402"),))
    result = diff_states(small_state, without)
    assert result.empty
    assert result.skipped == (Skipped("priorities", "not read in new (HTTP 402)"),)
    assert render_diff_text(result) == ("no differences in what was compared\n"
                                        "priorities: not compared: not read in new (HTTP 402)\n")
    document = json.loads(render_diff_json(result))
    assert document["collections"]["priorities"] == {
        "added": None, "removed": None, "changed": None,
        "not_compared": "not read in new (HTTP 402)"}
    assert document["skipped"] == [{"rule": "priorities", "reason": "not read in new (HTTP 402)"}]


def drop_num_loops(objects: Objects) -> None:
    del objects["escalation_policies"][0]["num_loops"]


def drop_first_target(objects: Objects) -> None:
    del objects["escalation_policies"][0]["escalation_rules"][1]["targets"][0]


@pytest.mark.parametrize(("edit", "old_to_new", "kind", "words"), [
    (drop_num_loops, True, "not_returned_in_new", "1, not returned in the new snapshot"),
    (drop_num_loops, False, "not_returned_in_old", "not returned in the old snapshot, now 1"),
])
def test_a_field_one_side_lacks_is_not_returned_not_removed(
        small_state: LiveState, edit: Callable[[Objects], None], old_to_new: bool, kind: str,
        words: str) -> None:
    """PagerDuty left the key out at one reading: not returned, never "removed" or "added"."""
    sides = (small_state, edited(small_state, edit))
    result = diff_states(*(sides if old_to_new else sides[::-1]))
    (change,) = result.collections[0].changed[0].changes
    assert (change.path, change.kind) == ("num_loops", kind)
    assert f"      num_loops: {words}\n" in render_diff_text(result)


def test_an_item_gone_from_a_list_is_removed(small_state: LiveState) -> None:
    result = diff_states(small_state, edited(small_state, drop_first_target))
    assert {change.kind for change in result.collections[0].changed[0].changes} == {"removed"}


def test_duplicate_names_are_told_apart_by_id(small_state: LiveState) -> None:
    def twin(objects: Objects) -> None:
        objects["teams"].append({**objects["teams"][0], "id": "PTEAM09"})

    result = diff_states(small_state, edited(small_state, twin))
    assert result.collections[5].kind == "teams"
    teams = result.collections[5]
    assert (teams.added, teams.removed, teams.changed) == (("Payments [PTEAM09]",), (), ())


def test_text_and_json_renderings(small_state: LiveState) -> None:
    def several(objects: Objects) -> None:
        set_delay(objects)
        add_team(objects)
        remove_priority(objects)

    result = diff_states(small_state, edited(small_state, several))
    assert render_diff_text(result) == (
        "escalation policies\n"
        "  ~ Payments\n"
        "      escalation_rules[0].escalation_delay_in_minutes: 10 -> 20\n"
        "teams\n"
        "  + Search\n"
        "priorities\n"
        "  - P2\n")
    document = json.loads(render_diff_json(result))
    assert document["version"] == 2
    assert document["collections"]["teams"]["added"] == ["Search"]
    assert render_diff_json(result) == render_diff_json(
        diff_states(small_state, edited(small_state, several)))
