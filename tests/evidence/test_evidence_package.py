"""The package appears complete or not at all, and says which policy it was checked against."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from evidence_cases import register_policy, run_evidence

from pdlint.errors import PdlintError
from pdlint.evidence import package as package_module
from pdlint.evidence.package import (
    EvidencePackage,
    PackageError,
    policy_copy_names,
    policy_provenance,
    policy_sources,
)
from pdlint.files import AlreadyThere
from pdlint.policy import load_policy
from pdlint.sim import Fault, Faults, SimServer


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def test_a_failure_before_commit_leaves_no_folder(tmp_path: Path) -> None:
    target = tmp_path / "package"
    with pytest.raises(RuntimeError), EvidencePackage(target, force=False) as package:
        package.write_text("index.html", "<p>half</p>")
        raise RuntimeError("the disk is full")
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_commit_writes_the_manifest_and_renames(tmp_path: Path) -> None:
    target = tmp_path / "package"
    with EvidencePackage(target, force=False) as package:
        package.write_text("a.txt", "a")
        package.write_text("policy/p.yaml", "p: 1\n")
        package.commit({"format": "test"})
    manifest = json.loads((target / "manifest.json").read_text())
    assert [entry["path"] for entry in manifest["files"]] == ["a.txt", "policy/p.yaml"]
    assert manifest["format"] == "test"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("parts", [
    pytest.param(["<p>", "naïve — 東京 \U0001f600", "</p>\n"], id="short-parts"),
    pytest.param(["a" * 5 + "é—" * (1 << 20) + "\U0001f600", "", "\r\n end"], id="parts-of-slices"),
    pytest.param([], id="none"),
])
def test_a_file_written_in_parts_holds_them_joined_in_utf8(
        tmp_path: Path, parts: list[str]) -> None:
    with EvidencePackage(tmp_path / "package", force=False) as package:
        package.write_parts("index.html", iter(parts))
        package.write_text("whole.html", "".join(parts))
        written = (package.staging / "index.html").read_bytes()
        assert written == "".join(parts).encode("utf-8")
        assert written == (package.staging / "whole.html").read_bytes()


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "move-aside"])
def test_force_replaces_the_previous_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             exchange: bool) -> None:
    if not exchange:
        monkeypatch.setattr(package_module, "_exchange", lambda first, second: False)
    target = tmp_path / "package"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with EvidencePackage(target, force=True) as package:
        package.write_text("new.txt", "new")
        package.commit({})
    assert sorted(path.name for path in target.iterdir()) == ["manifest.json", "new.txt"]
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(("prepare", "force", "message"), [
    ("folder", False, "already exists; it is replaced only when forced"),
    ("file", True, "is not a folder"),
    ("no-parent", False, "does not exist; create it first"),
    ("link", True, "is a symbolic link; give the folder it names"),
])
def test_targets_that_are_refused(tmp_path: Path, prepare: str, force: bool,
                                  message: str) -> None:
    target = tmp_path / "package"
    if prepare == "folder":
        target.mkdir()
    elif prepare == "file":
        target.write_text("not a folder")
    elif prepare == "link":
        (tmp_path / "elsewhere").mkdir()
        target.symlink_to("elsewhere")
    else:
        target = tmp_path / "missing" / "package"
    with pytest.raises((PackageError, AlreadyThere), match=message):
        EvidencePackage(target, force=force)


def test_an_existing_package_is_refused_before_any_request(hand_server: SimServer,
                                                           tmp_path: Path) -> None:
    target = tmp_path / "package"
    target.mkdir()
    with pytest.raises(AlreadyThere):
        run_evidence(hand_server, target)
    assert hand_server.requests == []


def test_an_api_failure_mid_write_leaves_the_previous_package_intact(
        hand_server: SimServer, tmp_path: Path) -> None:
    target = tmp_path / "package"
    run_evidence(hand_server, target)
    before = {path.name: path.read_bytes() for path in target.iterdir() if path.is_file()}
    # every note request fails, after the register has started streaming
    hand_server.faults = Faults(scripted=(Fault("status", path="/incidents", status=500),))
    with pytest.raises(PdlintError, match="notes"):
        run_evidence(hand_server, target, force=True, max_attempts=1)
    after = {path.name: path.read_bytes() for path in target.iterdir() if path.is_file()}
    assert after == before
    assert leftovers(tmp_path) == []


def test_an_api_failure_mid_write_leaves_no_new_folder(hand_server: SimServer,
                                                       tmp_path: Path) -> None:
    hand_server.faults = Faults(scripted=(Fault("status", path="/incidents", status=500),))
    with pytest.raises(PdlintError):
        run_evidence(hand_server, tmp_path / "package", max_attempts=1)
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def git(folder: Path, *arguments: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *arguments], check=True,
                          capture_output=True, text=True).stdout.strip()


def test_policy_provenance_from_git(tmp_path: Path) -> None:
    policy = tmp_path / "policy"
    policy.mkdir()
    document = policy / "organisation.yaml"
    document.write_text("organisation: {}\n")
    assert policy_provenance([str(document)]).git_commit is None
    git(tmp_path, "init", "-q")
    git(tmp_path, "-c", "user.email=a@b.c", "-c", "user.name=A", "add", ".")
    git(tmp_path, "-c", "user.email=a@b.c", "-c", "user.name=A", "commit", "-qm", "policy")
    head = git(tmp_path, "rev-parse", "HEAD")
    assert policy_provenance([str(document)]).git_commit == head
    assert policy_provenance([str(document)]).git_modified is False
    document.write_text("organisation: {name: changed}\n")
    assert policy_provenance([str(document)]).git_modified is True


def test_policy_copies_keep_their_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    first, second = tmp_path / "a" / "x.yaml", tmp_path / "a" / "b" / "x.yaml"
    assert policy_copy_names([str(first), str(second)]) == {
        str(first): "policy/x.yaml", str(second): "policy/b/x.yaml"}


@pytest.mark.parametrize(("recorded_as", "named", "read"), [
    ("register", True, True),
    ("incident_note", True, False),  # a register named beside notes is not read, nor copied
    ("incident_note", False, False),
])
def test_the_register_postmortems_are_read_from_is_a_source_of_the_evidence(
        tmp_path: Path, recorded_as: str, named: bool, read: bool) -> None:
    policy = load_policy([register_policy(tmp_path, "pm.csv")]).policy
    assert policy is not None and policy.postmortems is not None
    postmortems = policy.postmortems
    changed = replace(policy, postmortems=replace(
        postmortems, recorded_as=replace(postmortems.recorded_as, value=recorded_as),
        register=postmortems.register if named else None))
    register = (str(tmp_path / "policy" / "pm.csv"),) if read else ()
    assert policy_sources(changed) == (*policy.files, *register)
