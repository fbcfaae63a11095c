"""Reading the history folder: every file that is a drift report becomes a run; every file that
is not (corrupt, truncated, another tool's, a report that does not say what it checked) is
named with the reason and counted nowhere."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pdlint.errors import PdlintError
from pdlint.findings import REPORT_FORMAT_VERSION, Resource, Severity, Skipped, finding_key
from pdlint.isotime import parse_datetime

FIRST_HISTORY_VERSION = 2
"""The first report format that says when and what it checked (docs/ci.md)."""


class HistoryError(PdlintError):
    """The history folder cannot be read at all (exit 2)."""


class NotARun(ValueError):
    """A file of the folder that is not a drift report pdlint can count, and why."""


@dataclass(frozen=True)
class Stream:
    """One account checked against one policy path: runs of different streams are never
    merged, as their findings say nothing about each other."""

    api_url: str
    subdomain: str | None
    policy_path: str

    def __str__(self) -> str:
        account = f"{self.subdomain} ({self.api_url})" if self.subdomain else self.api_url
        return f"{account} against {self.policy_path}"


@dataclass(frozen=True)
class RecordedFinding:
    """A finding as a recorded report holds it, with the key that follows it across runs."""

    key: str
    rule: str
    severity: Severity
    message: str
    resource: Resource
    waived: bool


@dataclass(frozen=True)
class Run:
    """One recorded drift run: the account as read at ``checked_at``."""

    name: str
    checked_at: datetime
    stream: Stream
    policy_sha256: str
    git_commit: str | None
    rules: frozenset[str]
    skipped: tuple[Skipped, ...]
    findings: tuple[RecordedFinding, ...]

    @property
    def complete(self) -> bool:
        """Whether every check of the run ran: only a complete run can tell that a drift is
        gone (skipped is never passed)."""
        return not self.skipped


@dataclass(frozen=True)
class Unreadable:
    """A file of the folder that was skipped, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class History:
    """The folder's runs in time order, and the files that are not runs."""

    folder: Path
    runs: tuple[Run, ...]
    unreadable: tuple[Unreadable, ...]

    def streams(self) -> dict[Stream, tuple[Run, ...]]:
        """The runs of each account and policy, in time order; the stream with the most runs
        first."""
        grouped: dict[Stream, list[Run]] = {}
        for run in self.runs:
            grouped.setdefault(run.stream, []).append(run)
        ordered = sorted(grouped.items(), key=lambda item: (-len(item[1]), str(item[0])))
        return {stream: tuple(runs) for stream, runs in ordered}


def read_history(folder: Path) -> History:
    """Every run recorded in ``folder``. Hidden files (a run's file being written) are not
    looked at; every other file that is not a drift report is in ``unreadable``."""
    try:
        entries = sorted(path for path in folder.iterdir() if not path.name.startswith("."))
    except OSError as error:
        raise HistoryError(f"cannot read the history folder {folder}: "
                           f"{error.strerror}") from None
    runs: list[Run] = []
    unreadable: list[Unreadable] = []
    for path in entries:
        try:
            runs.append(read_run(path))
        except NotARun as error:
            unreadable.append(Unreadable(path.name, str(error)))
    runs.sort(key=lambda run: (run.checked_at, run.name))
    return History(folder, tuple(runs), tuple(unreadable))


def read_run(path: Path) -> Run:
    """The run recorded in ``path``; ``NotARun`` saying why it is not one."""
    if not path.is_file():
        raise NotARun("not a file")
    try:
        document = json.loads(path.read_bytes())
    except OSError as error:
        raise NotARun(f"cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise NotARun("not JSON text (not UTF-8)") from None
    except json.JSONDecodeError as error:
        raise NotARun(f"not JSON (line {error.lineno}, column {error.colno}: {error.msg})"
                      ) from None
    return run_of(path.name, document)


def run_of(name: str, document: Any) -> Run:
    """The run a parsed report describes; ``NotARun`` naming the first key that is wrong."""
    report = _mapping(document, "the document")
    tool = report.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "pdlint":
        raise NotARun("not a pdlint report (no tool.name \"pdlint\")")
    version = report.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise NotARun("no report format version")
    if version < FIRST_HISTORY_VERSION:
        raise NotARun(f"a report of format version {version}, which does not say when or what "
                      "it checked")
    if version > REPORT_FORMAT_VERSION:
        raise NotARun(f"a report of format version {version}, newer than this pdlint reads "
                      f"({REPORT_FORMAT_VERSION})")
    if "checked_at" not in report:
        raise NotARun("not a drift report (no checked_at)")
    account = _mapping(report.get("account"), "account")
    policy = _mapping(report.get("policy"), "policy")
    return Run(
        name=name,
        checked_at=_time(report.get("checked_at"), "checked_at"),
        stream=Stream(_text(account.get("api_url"), "account.api_url").rstrip("/"),
                      _optional_text(account.get("subdomain"), "account.subdomain"),
                      _text(policy.get("path"), "policy.path")),
        policy_sha256=_text(policy.get("sha256"), "policy.sha256"),
        git_commit=_optional_text(policy.get("git_commit"), "policy.git_commit"),
        rules=frozenset(_text(rule, "rules[]") for rule in _list(report.get("rules"), "rules")),
        skipped=tuple(_skipped(entry) for entry in _list(report.get("skipped"), "skipped")),
        findings=tuple(_finding(entry, index) for index, entry
                       in enumerate(_list(report.get("findings"), "findings"))),
    )


SEVERITIES = {severity.value: severity for severity in Severity}


def _finding(entry: Any, index: int) -> RecordedFinding:
    where = f"findings[{index}]"
    finding = _mapping(entry, where)
    rule = _text(finding.get("rule"), f"{where}.rule")
    resource_entry = _mapping(finding.get("resource"), f"{where}.resource")
    resource = Resource(_text(resource_entry.get("type"), f"{where}.resource.type"),
                        _optional_text(resource_entry.get("name"), f"{where}.resource.name"),
                        _optional_text(resource_entry.get("id"), f"{where}.resource.id"))
    value = finding.get("severity")
    severity = SEVERITIES.get(value) if isinstance(value, str) else None
    if severity is None:
        raise NotARun(f"{where}.severity is not error, warning or info")
    return RecordedFinding(finding_key(rule, resource), rule, severity,
                           _text(finding.get("message"), f"{where}.message"), resource,
                           finding.get("waived") is not None)


def _skipped(entry: Any) -> Skipped:
    skip = _mapping(entry, "skipped[]")
    return Skipped(_text(skip.get("rule"), "skipped[].rule"),
                   _text(skip.get("reason"), "skipped[].reason"))


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise NotARun(f"{what} is not a JSON object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise NotARun(f"{what} is not a list")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise NotARun(f"{what} is not text")
    return value


def _optional_text(value: Any, what: str) -> str | None:
    return None if value is None else _text(value, what)


def _time(value: Any, what: str) -> datetime:
    text = _text(value, what)
    try:
        moment = parse_datetime(text)
    except ValueError:
        raise NotARun(f"{what} {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise NotARun(f"{what} {text!r} has no time zone")
    return moment.astimezone(timezone.utc)
