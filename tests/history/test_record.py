"""`pdlint drift --record DIR`: one new report a run, named by its time, and its history record,
complete, never rewritten, even by two runs at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from history_cases import PROJECT
from pdlint_process import run_pdlint

from pdlint import files
from pdlint.files import FileWriteError, write_new
from pdlint.history.folder import read_record, read_run


def record(snapshot: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    return run_pdlint("drift", "--policy", "policy", "--snapshot", str(snapshot), "--record",
                      str(folder), "--format", "json", "--quiet", cwd=PROJECT)


def test_each_run_adds_its_json_report_named_by_the_time_the_account_was_read(
        demo_snapshot: Path, tmp_path: Path) -> None:
    folder = tmp_path / "history"
    first = record(demo_snapshot, folder)
    assert first.returncode == 1, first.stderr
    name = "20260302T120007Z.json"  # the snapshot was taken at 12:00:07.25
    assert sorted(os.listdir(folder)) == [name, f"{name}.record"]
    assert (folder / name).read_text(encoding="utf-8") == first.stdout
    assert f"recorded {folder / name}" in first.stderr
    kept = (folder / name).read_bytes(), (folder / f"{name}.record").read_bytes()
    second = record(demo_snapshot, folder)
    assert second.returncode == 1, second.stderr
    assert sorted(os.listdir(folder)) == [
        "20260302T120007Z-2.json", "20260302T120007Z-2.json.record", name, f"{name}.record"]
    assert ((folder / name).read_bytes(),
            (folder / f"{name}.record").read_bytes()) == kept  # never rewritten
    assert {(folder / name).stat().st_mode & 0o777 for name in os.listdir(folder)} == {0o644}


def test_the_record_holds_what_the_report_says(demo_snapshot: Path, tmp_path: Path) -> None:
    folder = tmp_path / "history"
    assert record(demo_snapshot, folder).returncode == 1
    report = folder / "20260302T120007Z.json"
    from_report = read_run(report, {})
    assert from_report.findings  # the demo account's drifts
    assert read_record(folder / f"{report.name}.record", report, {}) == from_report


def test_two_runs_at_once_each_keep_their_report(demo_snapshot: Path, tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    arguments = [sys.executable, "-m", "pdlint", "drift", "--policy", "policy", "--snapshot",
                 str(demo_snapshot), "--record", str(folder), "--format", "json", "--quiet"]
    runs = [subprocess.Popen(arguments, cwd=PROJECT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [1, 1], outputs
    reports = ["20260302T120007Z-2.json", "20260302T120007Z.json"]
    assert sorted(os.listdir(folder)) == sorted([*reports, *(f"{name}.record"
                                                             for name in reports)])
    recorded = sorted(line.removeprefix("recorded ") for _, err in outputs
                      for line in err.splitlines() if line.startswith("recorded "))
    assert recorded == [str(folder / name) for name in reports]
    for name in reports:
        assert json.loads((folder / name).read_text(encoding="utf-8"))["version"] == 2
        assert read_record(folder / f"{name}.record", folder / name, {}) == read_run(
            folder / name, {})


def test_a_name_taken_between_the_check_and_the_write_is_not_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The injected race: another run writes the same name just before this one names its
    file. Its file stays as it wrote it; this run takes the next name."""
    real_link = os.link

    def another_run_first(source: str, destination: Path) -> None:
        if destination.name == "run.json":
            destination.write_text("the other run's report", encoding="utf-8")
        real_link(source, destination)

    monkeypatch.setattr(files.os, "link", another_run_first)
    assert write_new(tmp_path, "run", ".json", "this run's report") == tmp_path / "run-2.json"
    assert (tmp_path / "run.json").read_text(encoding="utf-8") == "the other run's report"
    assert (tmp_path / "run-2.json").read_text(encoding="utf-8") == "this run's report"
    assert sorted(os.listdir(tmp_path)) == ["run-2.json", "run.json"]  # no temporary file left


def test_the_files_beside_go_with_the_name_taken_and_replace_one_left_alone(
        tmp_path: Path) -> None:
    """A record whose report is gone (removed by hand) is replaced by the record of the report
    that takes the name; the sizes handed to ``beside`` are the file's as written."""
    (tmp_path / "run.json.record").write_text("a record left alone", encoding="utf-8")
    (tmp_path / "run-2.json").write_text("taken", encoding="utf-8")

    def beside(size: int) -> dict[str, str]:
        return {".record": f"the record of {size} bytes"}

    assert write_new(tmp_path, "run", ".json", "caf\u00e9\n", beside) == tmp_path / "run.json"
    assert (tmp_path / "run.json.record").read_text(encoding="utf-8") == (
        "the record of 6 bytes")
    assert write_new(tmp_path, "run", ".json", "{}", beside) == tmp_path / "run-3.json"
    assert sorted(os.listdir(tmp_path)) == ["run-2.json", "run-3.json", "run-3.json.record",
                                            "run.json", "run.json.record"]


def test_a_folder_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(FileWriteError, match=f"cannot write in {tmp_path / 'file'}"):
        write_new(tmp_path / "file", "run", ".json", "{}")


def test_a_record_folder_that_is_a_file_is_refused_before_anything_is_read(
        demo_snapshot: Path, tmp_path: Path) -> None:
    (tmp_path / "history").write_text("", encoding="utf-8")
    result = record(demo_snapshot, tmp_path / "history")
    assert (result.returncode, result.stdout) == (2, "")
    assert f"'--record': Directory '{tmp_path / 'history'}' is a file" in result.stderr
