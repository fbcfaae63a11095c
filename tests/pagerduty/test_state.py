"""LiveState, and the account parsed from it: indexed lookups, windows, and what a skipped
collection looks like."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pdlint.evidence.model import iso
from pdlint.findings import Skipped
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import (
    COLLECTIONS,
    DEFAULT_WINDOW,
    LiveState,
    ReversedWindow,
    Window,
    format_utc,
)

UTC = timezone.utc


@pytest.mark.parametrize(("moment", "timespec", "text"), [
    pytest.param(datetime(2026, 3, 1, 9, 5, 7, 250_000, tzinfo=UTC), "auto",
                 "2026-03-01T09:05:07.250000Z", id="fraction-kept"),
    pytest.param(datetime(2026, 3, 1, 9, 5, 7, 999_999, tzinfo=UTC), "seconds",
                 "2026-03-01T09:05:07Z", id="fraction-dropped-not-rounded"),
    pytest.param(datetime(2026, 3, 1, 10, 5, 7, 500_000, tzinfo=timezone(timedelta(hours=1))),
                 "seconds", "2026-03-01T09:05:07Z", id="converted-to-utc"),
    pytest.param(datetime(999, 3, 1, 9, 5, 7, 1_000, tzinfo=UTC), "milliseconds",
                 "0999-03-01T09:05:07.001Z", id="year-of-four-digits"),
])
def test_times_are_written_in_utc_with_a_z(moment: datetime, timespec: str, text: str) -> None:
    assert format_utc(moment, timespec) == text
    if timespec == "seconds":  # the evidence package's one time format
        assert iso(moment) == text


@pytest.mark.parametrize(("kind", "key", "value", "expected_id"), [
    ("users", "id", "PUBBBB2", "PUBBBB2"),
    ("users", "name", "Ada Lovelace", "PUAAAA1"),
    ("schedules", "name", "Payments primary", "PSCHED1"),
    ("escalation_policies", "id", "PEPOL01", "PEPOL01"),
    ("services", "name", "Payments API", "PSERV01"),
    ("priorities", "name", "P2", "PPRIO02"),
    ("teams", "name", "payments", None),  # names are exact
    ("services", "id", "PNOPE00", None),
])
def test_lookup(small_state: LiveState, kind: str, key: str, value: str,
                expected_id: str | None) -> None:
    collection = getattr(parse_account(small_state), kind)
    found = collection.by_id(value) if key == "id" else collection.by_name(value)
    assert (found.id if found else None) == expected_id


@pytest.mark.parametrize(("email", "expected_id"), [
    ("grace@acme.example", "PUBBBB2"),
    ("GRACE@Acme.Example", "PUBBBB2"),
    ("nobody@acme.example", None),
])
def test_user_by_email(small_state: LiveState, email: str, expected_id: str | None) -> None:
    found = parse_account(small_state).user_by_email(email)
    assert (found.id if found else None) == expected_id


def test_convenience_properties_are_the_collections(small_state: LiveState) -> None:
    for kind in COLLECTIONS:
        assert getattr(small_state, kind) == small_state.collection(kind)
    assert [user["name"] for user in small_state.users] == ["Ada Lovelace", "Grace Hopper"]


def test_unknown_collection_is_an_error_not_an_empty_answer(small_state: LiveState) -> None:
    with pytest.raises(KeyError, match="escalation_polices"):
        small_state.collection("escalation_polices")


def test_skipped_collection_reads_empty_with_its_reason() -> None:
    state = LiveState(
        api_url="https://api.pagerduty.com", fetched_at=datetime(2026, 3, 2, tzinfo=UTC),
        window=Window.starting(datetime(2026, 3, 2, tzinfo=UTC)), objects={},
        skipped=(Skipped("priorities", "GET /priorities: the account's plan lacks this feature"),))
    assert state.priorities == ()
    assert state.skip_reason("priorities") == \
        "GET /priorities: the account's plan lacks this feature"
    assert state.skip_reason("users") is None


@pytest.mark.parametrize(("since", "until", "message"), [
    (datetime(2026, 3, 2), datetime(2026, 3, 3, tzinfo=UTC), "no time zone"),
    (datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC), "is not after"),
    (datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC), "is not after"),
    (datetime(1999, 12, 31, 23, 59, tzinfo=UTC), datetime(2000, 1, 2, tzinfo=UTC),
     "is not between 2000-01-01 and 2100-01-01"),
    (datetime(2099, 12, 1, tzinfo=UTC), datetime(2100, 1, 1, 0, 0, 1, tzinfo=UTC),
     "is not between 2000-01-01 and 2100-01-01"),
])
def test_window_refuses_naive_or_empty_ranges(since: datetime, until: datetime,
                                              message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Window(since, until)


def test_window_is_normalised_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    window = Window.starting(datetime(2026, 3, 2, 2, 0, tzinfo=plus_two), timedelta(days=1))
    assert window.since == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert window.since.tzinfo is UTC
    assert window.to_dict() == {"since": "2026-03-02T00:00:00Z", "until": "2026-03-03T00:00:00Z"}


def test_unknown_collection_in_objects_is_refused() -> None:
    with pytest.raises(ValueError, match="incidents"):
        LiveState(api_url="https://api.pagerduty.com", fetched_at=datetime(2026, 3, 2, tzinfo=UTC),
                  window=Window.starting(datetime(2026, 3, 2, tzinfo=UTC)),
                  objects={"incidents": ()})


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        pytest.param("2026-03-02T12:00:30.123456+00:00", "2026-03-03T12:00:30.999999+00:00",
                     {"since": "2026-03-02T12:00:30Z", "until": "2026-03-03T12:00:30Z"},
                     id="fractions-dropped"),
        pytest.param("2026-03-02T13:00:00+01:00", "2026-03-02T13:00:01+00:00",
                     {"since": "2026-03-02T12:00:00Z", "until": "2026-03-02T13:00:01Z"},
                     id="to-utc"),
    ],
)
def test_windows_are_whole_utc_seconds(since: str, until: str, expected: dict[str, str]) -> None:
    window = Window(datetime.fromisoformat(since), datetime.fromisoformat(until))
    assert window.to_dict() == expected


def test_repr_counts_objects_instead_of_printing_them() -> None:
    """asyncio formats the main task's result on Python 3.11; a state's repr must stay short."""
    entries = [{"start": "2026-03-02T00:00:00Z", "end": "2026-03-03T00:00:00Z",
                "user": {"id": f"PU{index:05}"}} for index in range(5000)]
    schedule = {"id": "PSCHED1", "name": "Primary",
                "final_schedule": {"rendered_schedule_entries": entries}}
    state = LiveState(
        api_url="https://api.pagerduty.com", fetched_at=datetime(2026, 3, 2, tzinfo=UTC),
        window=Window.starting(datetime(2026, 3, 2, tzinfo=UTC)),
        objects={"schedules": [schedule], "users": [{"id": "PU00001"}, {"id": "PU00002"}]})
    text = repr(state)
    assert "schedules: 1" in text and "users: 2" in text
    assert "PU00003" not in text and len(text) < 1000


NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(("since", "until", "expected"), [
    (None, None, (NOW, NOW + DEFAULT_WINDOW)),
    (NOW - DAY, None, (NOW - DAY, NOW - DAY + DEFAULT_WINDOW)),
    (None, NOW + DAY, (NOW + DAY - DEFAULT_WINDOW, NOW + DAY)),
    (NOW - DAY, NOW + DAY, (NOW - DAY, NOW + DAY)),
])
def test_the_window_asked_for_defaults_a_missing_end(
        since: datetime | None, until: datetime | None,
        expected: tuple[datetime, datetime]) -> None:
    window = Window.asked(since, until, NOW)
    assert (window.since, window.until) == expected


def test_a_reversed_window_asked_for_names_both_ends() -> None:
    with pytest.raises(ReversedWindow) as reversed_window:
        Window.asked(NOW, NOW - DAY, NOW)
    assert (reversed_window.value.since, reversed_window.value.until) == (NOW, NOW - DAY)


def test_a_window_asked_for_past_the_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match="the window is not between 2000-01-01 and 2100-01-01"):
        Window.asked(None, datetime(1, 1, 5, tzinfo=UTC), NOW)
