"""The words every room shares."""

from __future__ import annotations

import pytest

from pdlint.findings import Finding, Resource, Severity, counted


@pytest.mark.parametrize(("count", "noun", "plural", "text"), [
    (1, "error", None, "1 error"),
    (2, "error", None, "2 errors"),
    (0, "error", None, "0 errors"),
    (1, "SLA breach", "SLA breaches", "1 SLA breach"),
    (3, "SLA breach", "SLA breaches", "3 SLA breaches"),
])
def test_a_count_agrees_with_its_noun(count: int, noun: str, plural: str | None,
                                      text: str) -> None:
    assert counted(count, noun, plural) == text


@pytest.mark.parametrize(
    ("resource", "key"),
    [
        (Resource("service", "Checkout", "PSVC1"), "SVC300\x1fservice\x1fPSVC1"),
        (Resource("service", "Checkout"), "SVC300\x1fservice\x1fCheckout"),
        (Resource("policy"), "SVC300\x1fpolicy\x1f"),
    ],
    ids=["by-id", "by-name-without-id", "no-object"],
)
def test_a_finding_key_is_rule_type_and_id_falling_back_to_name(
    resource: Resource, key: str
) -> None:
    finding = Finding("SVC300", "undocumented-service", Severity.ERROR, "m", resource)
    assert finding.key == key
