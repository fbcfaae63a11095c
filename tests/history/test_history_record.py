"""The history record beside each report (docs/ci.md, "The history record"): read in the
report's place, it gives the same runs, summary and evidence as the report; a record that is
damaged or does not match its report is named, and its report read instead."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from history_cases import API, DAILY, F1, F3, F4, SINCE, UNTIL, report, write_history
from pdlint_process import run_pdlint

from pdlint.coverage import Interval
from pdlint.evidence.history import history_entry, history_section
from pdlint.findings import Location
from pdlint.history.folder import RECORD_SUFFIX, RECORD_VERSION, History, Stream, read_history
from pdlint.history.record import add_run
from pdlint.history.summary import open_drifts, render_history

STREAM = Stream(API, "acme", "policy")
NAME = "20261101T060000Z.json"
RECORD = NAME + RECORD_SUFFIX


def reports_only(folder: Path) -> Path:
    """A copy of ``folder`` without its history records: a folder as written before them."""
    copy = folder.with_name(folder.name + "-reports")
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(f"*{RECORD_SUFFIX}"))
    return copy


def added(folder: Path, document: dict[str, Any]) -> Path:
    folder.mkdir(exist_ok=True)
    add_run(folder, NAME.removesuffix(".json"), json.dumps(document))
    return folder


def hide_reports(folder: Path) -> None:
    """Every report's bytes made unreadable, their size kept: what is read then is the
    records."""
    for report_path in folder.glob("*.json"):
        report_path.write_bytes(b" " * report_path.stat().st_size)


def finding(rule: str, kind: str, id_: str | None, name: str | None, message: str,
            severity: str = "error", waived: bool = False, not_checked: str | None = None,
            ) -> dict[str, Any]:
    return {"rule": rule, "name": "a-rule", "severity": severity, "message": message,
            "resource": {"type": kind, "id": id_, "name": name}, "expected": None,
            "actual": None, "location": None,
            "waived": {"reason": "accepted"} if waived else None, "not_checked": not_checked}


BASE = report("2026-11-01T06:00:00Z", (F1, F3, F4))
WINDOW = "PagerDuty returned maintenance window PMW1 without its services"
NOT_CHECKED = {**BASE, "findings": [
    finding("SVC310", "service", "PSV1", "Payments", "maintenance windows not checked",
            "warning", not_checked=WINDOW),
    finding("SVC310", "service", "PSV2", "Checkout", "maintenance windows not checked",
            "warning", waived=True, not_checked=WINDOW),
    finding("PATH600", "service", "PSV1", "Payments", "P1: paging path not checked", "warning",
            not_checked=WINDOW),
    finding("PATH600", "service", "PSV1", "Payments", "P2: paged at minute 40"),
    finding("EP103", "escalation_policy", "PEP1", "Production", "Production differs")]}
"""Checks not made, one waived, and a key (PATH600 of Payments) that was checked as well."""


@pytest.mark.parametrize("document", [
    pytest.param(BASE, id="errors-warnings-waived"),
    pytest.param(report("2026-11-01T06:00:00Z", (F1,), incomplete=True), id="incomplete"),
    pytest.param(report("2026-11-01T06:00:00Z", ()), id="no-findings"),
    pytest.param({**BASE, "findings": [
        finding("PATH600", "service", "PSV1", "Payments", "P1: paged at minute 20"),
        finding("PATH600", "service", "PSV1", "Payments", "P2: paged at minute 40", "warning"),
        finding("PATH600", "service", "PSV1", "Payments", "P3 accepted", "info", waived=True)]},
        id="one-key-three-findings"),
    pytest.param({**BASE, "findings": [
        finding("EP100", "escalation_policy", None, "Documented only", "missing"),
        finding("POL001", "policy", None, None, "no object at all"),
        finding("SVC302", "service", "PSV2", "Zahlungsdienst \u00fc\u2603",
                'a "quoted"\ttab,\na line break and \u00e9\u202e')]},
        id="names-ids-and-text"),
    pytest.param(NOT_CHECKED, id="checks-not-made"),
    pytest.param({**BASE, "checked_at": "2026-11-01T07:00:00.5+01:00",
                  "account": {"api_url": API + "/", "subdomain": None},
                  "policy": {**BASE["policy"], "git_commit": "a" * 40}},
                 id="time-account-policy"),
])
def test_a_run_s_record_reads_back_as_its_report(tmp_path: Path, document: dict[str, Any],
                                                 ) -> None:
    folder = added(tmp_path / "history", document)
    assert sorted(path.name for path in folder.iterdir()) == [NAME, RECORD]
    from_reports = read_history(reports_only(folder))
    hide_reports(folder)
    from_records = read_history(folder)
    assert from_records.unreadable == from_reports.unreadable == ()
    assert from_records.runs == from_reports.runs
    assert len(from_records.runs) == 1


def test_a_run_s_checks_not_made_are_kept_apart_from_its_findings(tmp_path: Path) -> None:
    folder = added(tmp_path / "history", NOT_CHECKED)
    hide_reports(folder)
    [run] = read_history(folder).runs
    assert [(finding.rule, finding.resource.name, finding.message)
            for finding in run.findings] == [
        ("PATH600", "Payments", "P2: paged at minute 40"),
        ("EP103", "Production", "Production differs")]
    assert [(finding.rule, finding.resource.name, finding.waived)
            for finding in run.not_checked] == [("SVC310", "Payments", False),
                                                ("SVC310", "Checkout", True)]
    assert tuple(run.counts) == (2, 2, 0, 1, 2)  # error, warning, info, waived, not checked


def sections(history: History) -> tuple[str, str, dict[str, Any]]:
    """What `pdlint history` prints, in text and Markdown, and the evidence's section, of
    ``history`` as if it were in the folder ``history``."""
    history = replace(history, folder=Path("history"))
    section, _ = history_section(history, STREAM, Interval(SINCE, UNTIL), DAILY,
                                 Location("policy/org.yaml", 7, 3), None)
    opened = open_drifts(history)
    return (render_history(history, opened, markdown=False),
            render_history(history, opened, markdown=True), history_entry(section))


def test_history_and_the_evidence_say_the_same_from_the_records_as_from_the_reports(
        tmp_path: Path) -> None:
    folder = write_history(tmp_path / "history", records=True)
    from_reports = sections(read_history(reports_only(folder)))
    hide_reports(folder)
    from_records = sections(read_history(folder))
    assert from_records == from_reports
    text, _, entry = from_records
    assert "SCH201" in text and len(entry["runs"]) == 9  # not a summary of nothing


def resealed(record: Path, edit: Callable[[list[str]], list[str]]) -> None:
    """The record with its lines (after the first) edited, and a SHA-256 that matches them: a
    record pdlint did not write, which only the content's own checks can refuse."""
    lines = edit(record.read_text(encoding="utf-8").split("\n")[1:-1])
    body = "".join(f"{line}\n" for line in lines)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    record.write_text(f"pdlint history record {RECORD_VERSION} sha256:{digest}\n{body}",
                      encoding="utf-8")


def flip_a_byte(record: Path) -> None:
    data = bytearray(record.read_bytes())
    data[-20] ^= 0x01
    record.write_bytes(bytes(data))


def cut_short(record: Path) -> None:
    record.write_bytes(record.read_bytes()[:-30])


def another_first_line(record: Path) -> None:
    record.write_text("{}\n" + record.read_text(encoding="utf-8").split("\n", 1)[1],
                      encoding="utf-8")


def report_edited(record: Path) -> None:
    report_path = record.with_name(NAME)
    report_path.write_text(report_path.read_text(encoding="utf-8").replace(
        "Production differs", "Production differs!"), encoding="utf-8")


def one_key_twice(record: Path) -> None:
    resealed(record, lambda lines: [*lines, lines[-1]])


def three_counts(record: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        header = json.loads(lines[0])
        return [json.dumps({**header, "counts": header["counts"][:3]}), *lines[1:]]
    resealed(record, edit)


def unknown_severity(record: Path) -> None:
    resealed(record, lambda lines: [lines[0], *(line.replace('"error"', '"fatal"')
                                                for line in lines[1:])])


@pytest.mark.parametrize(("damage", "reason"), [
    (flip_a_byte, "damaged: its content is not what was written (SHA-256)"),
    (cut_short, "damaged: its content is not what was written (SHA-256)"),
    (another_first_line, "not a history record (its first line is not pdlint's)"),
    (report_edited, f"does not match its report {NAME}, which is 1,244 bytes long, not 1,243 "
                    "as recorded"),
    (one_key_twice, "damaged: it holds two findings of one key"),
    (three_counts, "damaged: counts is not 5 numbers"),
    (unknown_severity, "damaged: a finding's severity, waiver or not-checked mark is not one "
                       "pdlint writes"),
])
def test_a_damaged_record_is_named_and_its_report_read_instead(
        tmp_path: Path, damage: Callable[[Path], None], reason: str) -> None:
    folder = added(tmp_path / "history", report("2026-11-01T06:00:00Z", (F1, F3, F4)))
    damage(folder / RECORD)
    history = read_history(folder)
    assert [(item.name, item.reason) for item in history.unreadable] == [
        (RECORD, f"{reason}; its report was read instead")]
    assert history.runs == read_history(reports_only(folder)).runs
    assert [run.name for run in history.runs] == [NAME]


def test_pdlint_history_exits_2_naming_a_damaged_record(tmp_path: Path) -> None:
    folder = write_history(tmp_path / "history", records=True)
    flip_a_byte(folder / RECORD)
    result = run_pdlint("history", str(folder))
    assert result.returncode == 2
    assert (f"  {RECORD}: damaged: its content is not what was written (SHA-256); its report "
            "was read instead") in result.stdout
    assert "10 runs of 1 account and policy" in result.stdout  # the report counted instead
    assert RECORD in result.stderr


def test_a_record_without_its_report_is_named_and_counts_for_nothing(tmp_path: Path) -> None:
    folder = write_history(tmp_path / "history", records=True)
    (folder / NAME).unlink()
    history = read_history(folder)
    assert [(item.name, item.reason) for item in history.unreadable] == [
        (RECORD, f"a history record without its report {NAME}")]
    assert NAME not in [run.name for run in history.runs]
    assert len(history.runs) == 9


def test_a_record_of_a_newer_format_leaves_the_report_to_be_read(tmp_path: Path) -> None:
    folder = added(tmp_path / "history", BASE)
    (folder / RECORD).write_text(f"pdlint history record {RECORD_VERSION + 1} sha256:"
                                 + "0" * 64 + "\nanything\n", encoding="utf-8")
    history = read_history(folder)
    assert history.unreadable == ()
    assert history.runs == read_history(reports_only(folder)).runs


def as_version_1(record: Path) -> None:
    """The record as version 1 wrote it: no finding says whether it reports a check not made,
    and the counts leave them out."""
    _, header, *lines = record.read_text(encoding="utf-8").split("\n")[:-1]
    counts = json.loads(header)
    body = "".join(f"{line}\n" for line in [
        json.dumps({**counts, "counts": counts["counts"][:4]}),
        *(json.dumps(json.loads(line)[:7]) for line in lines)])
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    record.write_text(f"pdlint history record 1 sha256:{digest}\n{body}", encoding="utf-8")


def test_a_record_of_version_1_leaves_the_report_to_be_read_for_its_checks_not_made(
        tmp_path: Path) -> None:
    folder = added(tmp_path / "history", NOT_CHECKED)
    as_version_1(folder / RECORD)
    history = read_history(folder)
    assert history.unreadable == ()
    assert history.runs == read_history(reports_only(folder)).runs
    assert len(history.runs[0].not_checked) == 2
