"""ISO 8601 times mean the same on every supported Python: the forms PagerDuty writes (``Z``,
milliseconds) that Python 3.10's ``fromisoformat`` refuses are read, and the forms only 3.11
reads are refused everywhere. .ci/run runs this table on each version."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pdlint.isotime import parse_datetime

UTC = timezone.utc
PARIS_WINTER = timezone(timedelta(hours=1))


@pytest.mark.parametrize(("text", "moment"), [
    ("2026-01-31T09:00:00Z", datetime(2026, 1, 31, 9, tzinfo=UTC)),
    ("2026-01-31T09:00:00z", datetime(2026, 1, 31, 9, tzinfo=UTC)),
    ("2026-01-31T09:00:00.123Z", datetime(2026, 1, 31, 9, 0, 0, 123000, tzinfo=UTC)),
    ("2026-01-31T09:00:00.5Z", datetime(2026, 1, 31, 9, 0, 0, 500000, tzinfo=UTC)),
    ("2026-01-31T09:00:00,25+00:00", datetime(2026, 1, 31, 9, 0, 0, 250000, tzinfo=UTC)),
    ("2026-01-31T09:00:00.1234567Z", datetime(2026, 1, 31, 9, 0, 0, 123456, tzinfo=UTC)),
    ("2026-01-31T10:00:00+01:00", datetime(2026, 1, 31, 10, tzinfo=PARIS_WINTER)),
    ("2026-01-31T10:00:00+0100", datetime(2026, 1, 31, 10, tzinfo=PARIS_WINTER)),
    ("2026-01-31T10:00+01", datetime(2026, 1, 31, 10, tzinfo=PARIS_WINTER)),
    ("2026-01-31T04:00:00-05:00", datetime(2026, 1, 31, 4, tzinfo=timezone(-timedelta(hours=5)))),
    ("2026-01-31 09:00:00Z", datetime(2026, 1, 31, 9, tzinfo=UTC)),
    ("2026-01-31T09:00:05", datetime(2026, 1, 31, 9, 0, 5)),  # analytics: in the zone asked
    ("2026-01-31T09", datetime(2026, 1, 31, 9)),
    ("2026-01-31T09:30", datetime(2026, 1, 31, 9, 30)),
    ("2026-01-31", datetime(2026, 1, 31)),
    (" 2026-01-31T09:00:00Z\n", datetime(2026, 1, 31, 9, tzinfo=UTC)),
])
def test_the_extended_form_is_read(text: str, moment: datetime) -> None:
    parsed = parse_datetime(text)
    assert (parsed, parsed.utcoffset()) == (moment, moment.utcoffset())


@pytest.mark.parametrize("text", [
    "20260131T090000Z",            # basic format: Python 3.11 only
    "2026-W05-6T09:00:00Z",        # week date: Python 3.11 only
    "2026-01-31T09.5",             # a fraction of an hour
    "2026-01-31T09:00.5",          # a fraction of a minute
    "2026-01-31T09:00:00+1",       # a one-digit offset
    "2026-01-31T09:00:00ZZ",
    "2026-02-30T09:00:00Z",        # no such day
    "2026-01-31T24:00:00Z",
    "2026-02-30T09:00:00",
    "2026-01-31T09:00:00Y",
    "yesterday",
    "",
])
def test_other_forms_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"isoformat|day is out of range|hour must be"):
        parse_datetime(text)
