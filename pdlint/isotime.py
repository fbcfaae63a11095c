"""ISO 8601 date-times as PagerDuty and the command line write them, read alike on every Python
pdlint supports.

Python 3.10's ``datetime.fromisoformat`` reads only what ``isoformat`` writes: no ``Z`` for UTC
(PagerDuty's usual form), no offset without a colon, fractions of 3 or 6 digits only; 3.11 reads
all of these and more (week dates, the basic format without separators). ``parse_datetime``
accepts the extended calendar form on every version and nothing else, so that a time means the
same, or is refused the same, whichever Python runs pdlint.
"""

from __future__ import annotations

import re
from datetime import datetime

_EXTENDED = re.compile(
    r"(?P<date>\d{4}-\d\d-\d\d)"
    r"(?:[T ](?P<clock>\d\d(?::\d\d(?::\d\d)?)?)(?:(?<=:\d\d:\d\d)[.,](?P<fraction>\d+))?"
    r"(?P<offset>[zZ]|[+-]\d\d(?::?\d\d)?)?)?"
)


_TO_THE_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
"""How PagerDuty writes most times (``Z`` or, in analytics, no offset after it): read as it
is, without being rebuilt (a year of incidents is hundreds of thousands of times)."""


def parse_datetime(text: str) -> datetime:
    """``text`` as a datetime: ``2026-01-31``, ``2026-01-31T09`` with or without minutes,
    seconds and any fraction of a second, then ``Z``, ``+01``, ``+0100``, ``+01:00`` or no
    offset (a naive datetime). Raises ``ValueError``."""
    if _TO_THE_SECOND.match(text) is not None:
        if len(text) == 19:
            return datetime.fromisoformat(text)
        if len(text) == 20 and text[19] in "zZ":
            return datetime.fromisoformat(text[:19] + "+00:00")
    match = _EXTENDED.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"Invalid isoformat string: {text!r}")
    normal = match["date"]
    if match["clock"]:
        normal += "T" + match["clock"]
        if match["fraction"]:
            normal += "." + match["fraction"][:6].ljust(6, "0")
        offset = match["offset"] or ""
        if offset in ("z", "Z"):
            offset = "+00:00"
        elif offset:
            offset = f"{offset[:3]}:{offset[-2:] if len(offset) > 3 else '00'}"
        normal += offset
    return datetime.fromisoformat(normal)
