"""Reading the history folder: every file that is a drift report becomes a run; every file that
is not (corrupt, truncated, another tool's, a report that does not say what it checked) is
named with the reason and counted nowhere. A report with its history record beside it
(``record.py``) is read from the record, a few hundred times less to read than the report."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple, cast

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
    not_checked: bool
    """It reports a check the rule could not make (the report's ``not_checked``): for its key,
    the run is one that did not look, never one that saw a drift or its end."""


class Counts(NamedTuple):
    """How many findings a run reported: by severity, those nobody waived, then the waived,
    then those nobody waived that report a check not made (counted in their severity too, as
    the report's summary counts them)."""

    error: int
    warning: int
    info: int
    waived: int
    not_checked: int

    @classmethod
    def of(cls, findings: Iterable[RecordedFinding]) -> Counts:
        counts = dict.fromkeys(SEVERITIES, 0)
        waived = not_checked = 0
        for finding in findings:
            if finding.waived:
                waived += 1
            else:
                counts[finding.severity.value] += 1
                not_checked += finding.not_checked
        return cls(counts["error"], counts["warning"], counts["info"], waived, not_checked)


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
    """The first finding of each key the run checked, in the report's order: what follows a
    drift from run to run (a later one of the same key is the same drift)."""
    not_checked: tuple[RecordedFinding, ...]
    """The first finding of each key whose every finding reports a check not made: the run did
    not look at these keys, so it neither saw their drift nor saw it gone."""
    counts: Counts
    """Of every finding of the report."""

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


RECORD_SUFFIX = ".record"
"""A report's history record is named as the report, then this: ``20260302T061704Z.json.record``."""
RECORD_FORMAT = "pdlint history record"
RECORD_VERSION = 2
"""The version of the history record format this pdlint writes and reads (docs/ci.md). A
record of version 1 does not say which findings report a check not made, so its report is read
in its place."""

_FIRST_LINE = re.compile(re.escape(RECORD_FORMAT).encode("ascii")
                         + rb" (\d+) sha256:([0-9a-f]{64})")

_KEY = attrgetter("key")

Known = dict[Any, RecordedFinding]
"""The findings read so far, by what they were read from: a finding the same over a year of
runs is one object, read once."""


class DamagedRecord(ValueError):
    """A history record that cannot stand for its report, and why."""


def read_history(folder: Path) -> History:
    """Every run recorded in ``folder``, from each report's history record where there is one.
    Hidden files (a run's file being written) are not looked at; every other file that is not a
    drift report is in ``unreadable``, and so is a history record that is damaged, does not
    match its report (whose own findings are then read) or has no report."""
    try:
        entries = sorted(path for path in folder.iterdir() if not path.name.startswith("."))
    except OSError as error:
        raise HistoryError(f"cannot read the history folder {folder}: "
                           f"{error.strerror}") from None
    names = {path.name for path in entries}
    known: Known = {}
    runs: list[Run] = []
    unreadable: list[Unreadable] = []
    for path in entries:
        if path.name.endswith(RECORD_SUFFIX):
            report = path.name.removesuffix(RECORD_SUFFIX)
            if report not in names:
                unreadable.append(Unreadable(path.name, f"a history record without its report "
                                                        f"{report}"))
            continue
        record = path.with_name(path.name + RECORD_SUFFIX)
        if record.name in names:
            try:
                recorded = read_record(record, path, known)
            except DamagedRecord as error:
                unreadable.append(Unreadable(record.name, f"{error}; its report was read "
                                                          "instead"))
            else:
                if recorded is not None:
                    runs.append(recorded)
                    continue
        try:
            runs.append(read_run(path, known))
        except NotARun as error:
            unreadable.append(Unreadable(path.name, str(error)))
    runs.sort(key=lambda run: (run.checked_at, run.name))
    return History(folder, tuple(runs), tuple(unreadable))


def read_run(path: Path, known: Known) -> Run:
    """The run recorded in the report ``path``; ``NotARun`` saying why it is not one."""
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
    return run_of(path.name, document, known)


def run_of(name: str, document: Any, known: Known) -> Run:
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
    findings = [_finding(entry, index, known) for index, entry
                in enumerate(_list(report.get("findings"), "findings"))]
    first: dict[str, RecordedFinding] = {}
    for finding in findings:
        kept = first.setdefault(finding.key, finding)
        if kept.not_checked and not finding.not_checked:
            first[finding.key] = finding  # the key was checked after all: that is its finding
    return _run(name, report, tuple(first.values()), Counts.of(findings))


_NOT_CHECKED = attrgetter("not_checked")


def _run(name: str, identity: Mapping[str, Any], findings: tuple[RecordedFinding, ...],
         counts: Counts) -> Run:
    """The run of ``findings`` (one a key) with what ``identity`` (a report, or a history
    record's header, which holds the same keys) says of it."""
    not_checked: tuple[RecordedFinding, ...] = ()
    if any(map(_NOT_CHECKED, findings)):
        not_checked = tuple(finding for finding in findings if finding.not_checked)
        findings = tuple(finding for finding in findings if not finding.not_checked)
    account = _mapping(identity.get("account"), "account")
    policy = _mapping(identity.get("policy"), "policy")
    return Run(
        name=name,
        checked_at=_time(identity.get("checked_at"), "checked_at"),
        stream=Stream(_text(account.get("api_url"), "account.api_url").rstrip("/"),
                      _optional_text(account.get("subdomain"), "account.subdomain"),
                      _text(policy.get("path"), "policy.path")),
        policy_sha256=_text(policy.get("sha256"), "policy.sha256"),
        git_commit=_optional_text(policy.get("git_commit"), "policy.git_commit"),
        rules=frozenset(_text(rule, "rules[]") for rule in _list(identity.get("rules"), "rules")),
        skipped=tuple(_skipped(entry) for entry in _list(identity.get("skipped"), "skipped")),
        findings=findings,
        not_checked=not_checked,
        counts=counts,
    )


SEVERITIES = {severity.value: severity for severity in Severity}


def _finding(entry: Any, index: int, known: Known) -> RecordedFinding:
    where = f"findings[{index}]"
    finding = _mapping(entry, where)
    rule = _text(finding.get("rule"), f"{where}.rule")
    resource = _mapping(finding.get("resource"), f"{where}.resource")
    value = finding.get("severity")
    severity = SEVERITIES.get(value) if isinstance(value, str) else None
    if severity is None:
        raise NotARun(f"{where}.severity is not error, warning or info")
    fields = (rule, _text(resource.get("type"), f"{where}.resource.type"),
              _optional_text(resource.get("id"), f"{where}.resource.id"),
              _optional_text(resource.get("name"), f"{where}.resource.name"), severity,
              finding.get("waived") is not None,
              _text(finding.get("message"), f"{where}.message"),
              _optional_text(finding.get("not_checked"), f"{where}.not_checked") is not None)
    recorded = known.get(fields)
    if recorded is None:
        recorded = known[fields] = _recorded(*fields)
    return recorded


def _recorded(rule: str, kind: str, id_: str | None, name: str | None, severity: Severity,
              waived: bool, message: str, not_checked: bool) -> RecordedFinding:
    resource = Resource(kind, name, id_)
    return RecordedFinding(finding_key(rule, resource), rule, severity, message, resource, waived,
                           not_checked)


def history_record(run: Run, report_bytes: int) -> str:
    """The history record of ``run``, whose report is ``report_bytes`` long (docs/ci.md, "The
    history record"): a first line naming the format and the SHA-256 of the rest; a header, the
    report's identity as the report writes it (with what a run holds that the report does not
    say as such: its counts, its size); then one line a finding, the first of each key: those
    the run checked, then those it could not."""
    header = {"checked_at": run.checked_at.isoformat(),
              "account": {"api_url": run.stream.api_url, "subdomain": run.stream.subdomain},
              "policy": {"path": run.stream.policy_path, "sha256": run.policy_sha256,
                         "git_commit": run.git_commit},
              "rules": sorted(run.rules), "skipped": [skip.to_dict() for skip in run.skipped],
              "counts": list(run.counts), "report_bytes": report_bytes}
    body = "".join([_line(header), *(_line([finding.rule, finding.resource.type,
                                            finding.resource.id, finding.resource.name,
                                            finding.severity.value, finding.waived,
                                            finding.message, finding.not_checked])
                                     for finding in (*run.findings, *run.not_checked))])
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return f"{RECORD_FORMAT} {RECORD_VERSION} sha256:{digest}\n{body}"


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def read_record(path: Path, report: Path, known: Known) -> Run | None:
    """The run of ``report`` as its history record ``path`` holds it; None for a record of
    another format version (the report is read instead: a newer one this pdlint cannot read, or
    version 1, which does not mark the findings of checks not made); ``DamagedRecord`` for one
    that is not whole or does not match the report."""
    try:
        data = path.read_bytes()
        size = report.stat().st_size
    except OSError as error:
        raise DamagedRecord(f"cannot be read: {error.strerror}") from None
    first = data[:data.find(b"\n")]
    match = _FIRST_LINE.fullmatch(first)
    if match is None:
        raise DamagedRecord("not a history record (its first line is not pdlint's)")
    if int(match[1]) != RECORD_VERSION:
        return None
    if hashlib.sha256(memoryview(data)[len(first) + 1:]).hexdigest().encode("ascii") != match[2]:
        raise DamagedRecord("damaged: its content is not what was written (SHA-256)")
    try:
        _, header_line, *lines = data.decode("utf-8").split("\n")
        if lines and not lines[-1]:
            lines.pop()  # the end of the last line
        header = _mapping(json.loads(header_line), "the header")
        counts = _list(header.get("counts"), "counts")
        if len(counts) != len(Counts._fields):
            raise NotARun(f"counts is not {len(Counts._fields)} numbers")
        run = _run(report.name, header, _recorded_lines(lines, known),
                   Counts(*map(_count, counts)))
        recorded_size = _count(header.get("report_bytes"), "report_bytes")
    except ValueError as error:  # not UTF-8, not JSON, or not what pdlint writes (NotARun)
        raise DamagedRecord(f"damaged: {error}") from None
    keys = [*map(_KEY, run.findings), *map(_KEY, run.not_checked)]
    if len(set(keys)) < len(keys):
        raise DamagedRecord("damaged: it holds two findings of one key")
    if recorded_size != size:
        raise DamagedRecord(f"does not match its report {report.name}, which is {size:,} "
                            f"bytes long, not {recorded_size:,} as recorded")
    return run


def _recorded_lines(lines: list[str], known: Known) -> tuple[RecordedFinding, ...]:
    """The findings of a history record's lines, each line not seen before read once."""
    findings = list(map(known.get, lines))
    if None in findings:
        for index, line in enumerate(lines):
            if findings[index] is None:
                findings[index] = known[line] = _recorded_line(line)
    return tuple(cast("list[RecordedFinding]", findings))


def _recorded_line(line: str) -> RecordedFinding:
    """The finding of a history record's line; ``NotARun`` when it is not one."""
    fields = _list(json.loads(line), "a finding")
    if len(fields) != 8:
        raise NotARun("a finding is not 8 values")
    rule, kind, id_, name, severity, waived, message, not_checked = fields
    if (not isinstance(severity, str) or severity not in SEVERITIES
            or not isinstance(waived, bool) or not isinstance(not_checked, bool)):
        raise NotARun("a finding's severity, waiver or not-checked mark is not one pdlint "
                      "writes")
    return _recorded(_text(rule, "a rule"), _text(kind, "a resource type"),
                     _optional_text(id_, "a resource id"),
                     _optional_text(name, "a resource name"), SEVERITIES[severity], waived,
                     _text(message, "a message"), not_checked)


def _count(value: Any, what: str = "a count") -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise NotARun(f"{what} is not a number")
    return value


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
