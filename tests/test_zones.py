"""Time zones as PagerDuty writes them (IANA or Rails names), and their comparison by meaning."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from pdlint.zones import RAILS_ZONES, iana_name, live_zone, same_zone, zone_named

REFERENCE = date(2026, 3, 1)


@pytest.mark.parametrize(("rails", "iana"), sorted(RAILS_ZONES.items()))
def test_every_rails_name_means_a_zone_this_machine_knows(rails: str, iana: str) -> None:
    assert isinstance(zone_named(iana), ZoneInfo)
    # "UTC" and "Singapore" are IANA names too, kept as such: the same clock either way.
    assert same_zone(rails, iana, REFERENCE)


@pytest.mark.parametrize(("written", "iana"), [
    pytest.param("Eastern Time (US & Canada)", "America/New_York", id="rails-eastern"),
    pytest.param("Alaska", "America/Juneau", id="rails-alaska"),
    pytest.param("International Date Line West", "Etc/GMT+12", id="rails-first"),
    pytest.param("Samoa", "Pacific/Apia", id="rails-last"),
    pytest.param("Edinburgh", "Europe/London", id="rails-city-of-another-zone"),
    pytest.param("America/New_York", "America/New_York", id="iana-kept"),
    pytest.param("UTC", "UTC", id="iana-name-rails-knows-too"),
    pytest.param("Eastern Time", None, id="rails-name-cut-short"),
    pytest.param("eastern time (us & canada)", None, id="rails-names-are-exact"),
    pytest.param("Mars/Olympus", None, id="unknown"),
    pytest.param("", None, id="empty"),
])
def test_iana_name(written: str, iana: str | None) -> None:
    assert iana_name(written) == iana
    assert live_zone(written) == (None if iana is None else ZoneInfo(iana))


def test_the_policy_zone_stays_iana_only() -> None:
    assert zone_named("Eastern Time (US & Canada)") is None
    assert zone_named("America/New_York") == ZoneInfo("America/New_York")


@pytest.mark.parametrize(("first", "second", "same"), [
    pytest.param("America/New_York", "America/New_York", True, id="same-name"),
    pytest.param("Eastern Time (US & Canada)", "America/New_York", True, id="rails-and-iana"),
    pytest.param("Alaska", "America/Anchorage", True, id="juneau-keeps-anchorage-clock"),
    pytest.param("Europe/London", "Europe/Dublin", True, id="london-dublin"),
    pytest.param("London", "Edinburgh", True, id="two-rails-names-one-zone"),
    pytest.param("Etc/UTC", "UTC", True, id="utc-aliases"),
    pytest.param("America/New_York", "America/Chicago", False, id="an-hour-apart"),
    pytest.param("Europe/London", "UTC", False, id="summer-time-differs"),
    pytest.param("America/Phoenix", "America/Denver", False, id="no-summer-time-in-arizona"),
    pytest.param("Pacific Time (US & Canada)", "Tijuana", True, id="same-rules-in-tijuana"),
    pytest.param("Mountain Time (US & Canada)", "Arizona", False, id="rails-mountain-arizona"),
    pytest.param("Mars/Olympus", "America/New_York", False, id="unknown-and-known"),
    pytest.param("Mars/Olympus", "Mars/Elysium", False, id="two-unknowns"),
    pytest.param("Mars/Olympus", "Mars/Olympus", True, id="unknown-matches-itself"),
])
def test_same_zone(first: str, second: str, same: bool) -> None:
    assert same_zone(first, second, REFERENCE) is same
    assert same_zone(second, first, REFERENCE) is same


@pytest.mark.parametrize(("reference", "same"), [
    pytest.param(date(2004, 6, 1), False, id="2004-indiana-kept-no-summer-time"),
    pytest.param(date(2026, 6, 1), True, id="2026-indiana-keeps-new-york-clock"),
])
def test_same_zone_is_judged_over_the_reference_years(reference: date, same: bool) -> None:
    # Indiana has kept summer time, and so New York's clock, only since April 2006.
    assert same_zone("Indiana (East)", "America/New_York", reference) is same
