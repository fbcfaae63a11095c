"""The corrective action register: a CSV file the policy names, read with the policy so that
lint reports a malformed row at its file and line and every other check sees only good rows.

Columns ``incident`` (PagerDuty id or number, ``#`` optional), ``action``, ``owner``, ``due`` (a
date: the last day it is due) and ``closed_at`` (empty while open; a date, or an ISO 8601
date-time).
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from pdlint.findings import Location
from pdlint.policy.model import CorrectiveAction

CORRECTIVE_ACTION_COLUMNS = ("incident", "action", "owner", "due", "closed_at")
Problem = tuple[Location, str]


def load_corrective_actions(path: Path) -> tuple[tuple[CorrectiveAction, ...],
                                                 tuple[Problem, ...]]:
    """The register's good rows, and a problem (file and line, what is wrong) for each bad one
    or for a file that cannot be read at all."""
    where = str(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.DictReader(stream)
            missing = [column for column in CORRECTIVE_ACTION_COLUMNS
                       if column not in (reader.fieldnames or ())]
            if missing:
                return (), ((Location(where, 1), (
                    f"the corrective action register needs the columns "
                    f"{', '.join(CORRECTIVE_ACTION_COLUMNS)}; missing: {', '.join(missing)}")),)
            actions: list[CorrectiveAction] = []
            problems: list[Problem] = []
            for row in reader:
                location = Location(where, reader.line_num)
                action = _action(row, location)
                if isinstance(action, str):
                    problems.append((location, action))
                else:
                    actions.append(action)
    except FileNotFoundError:
        return (), ((Location(where, 1), "the corrective action register does not exist"),)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        return (), ((Location(where, 1), f"cannot read the corrective action register: "
                                         f"{reason}"),)
    return tuple(actions), tuple(problems)


def _action(row: dict[str, str | None], location: Location) -> CorrectiveAction | str:
    """The row as an action, or what is wrong with it."""
    cells = {column: (row.get(column) or "").strip() for column in CORRECTIVE_ACTION_COLUMNS}
    empty = [column for column in ("incident", "action", "owner", "due") if not cells[column]]
    if empty:
        return f"{', '.join(empty)} must not be empty"
    try:
        due = date.fromisoformat(cells["due"])
    except ValueError:
        return f"due {cells['due']!r} is not a date like 2026-03-31"
    closed_at: date | datetime | None = None
    if cells["closed_at"]:
        try:
            closed_at = (date.fromisoformat(cells["closed_at"]) if len(cells["closed_at"]) == 10
                         else datetime.fromisoformat(cells["closed_at"].replace("Z", "+00:00")))
        except ValueError:
            return (f"closed_at {cells['closed_at']!r} is not a date or an ISO 8601 date-time "
                    "(leave it empty while the action is open)")
    return CorrectiveAction(cells["incident"].removeprefix("#"), cells["action"], cells["owner"],
                            due, closed_at, location)
