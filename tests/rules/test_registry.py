"""The registry loads the families of a mode only when a run of that mode asks, and holds the
drift families to ``DRIFT_RULE_IDS``, which lint reads instead of loading them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pdlint.rule import Mode
from pdlint.rules import registry


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    registry.rules_for.cache_clear()
    yield
    registry.rules_for.cache_clear()


def test_lint_knows_when_every_rule_of_the_catalogue_runs() -> None:
    assert registry.rule_modes() == {rule.id: rule.mode for rule in registry.catalogue()}
    assert {rule.id for rule in registry.rules_for(Mode.DRIFT)} == registry.DRIFT_RULE_IDS


@pytest.mark.parametrize(("listed", "named"), [
    pytest.param(registry.DRIFT_RULE_IDS - {"PATH600"}, "PATH600", id="a-rule-not-listed"),
    pytest.param(registry.DRIFT_RULE_IDS | {"SVC399"}, "SVC399", id="a-listed-rule-not-declared"),
])
def test_the_drift_families_must_declare_exactly_the_listed_ids(
        fresh_registry: None, monkeypatch: pytest.MonkeyPatch, listed: frozenset[str],
        named: str) -> None:
    monkeypatch.setattr(registry, "DRIFT_RULE_IDS", listed)
    with pytest.raises(RuntimeError, match=named):
        registry.rules_for(Mode.DRIFT)


def test_a_family_declares_rules_of_its_own_mode_only(
        fresh_registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with_escalation = (*registry._lint_families(), registry._drift_families()[0])
    monkeypatch.setattr(registry, "_lint_families", lambda: with_escalation)
    with pytest.raises(RuntimeError, match="EP100"):
        registry.rules_for(Mode.LINT)
