"""The package's metadata as installers and indexes read it, and the release the docs tell users
to pin. (The sdist's own tests run in .ci/run, from the built and unpacked sdist.)"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

import pdlint

PROJECT = Path(__file__).resolve().parents[1]
PYTHON_CLASSIFIER = re.compile(r"Programming Language :: Python :: (3\.\d+)")


def supported_versions() -> list[tuple[int, int]]:
    classifiers = metadata.metadata("pdlint").get_all("Classifier") or []
    found = (PYTHON_CLASSIFIER.fullmatch(classifier) for classifier in classifiers)
    return sorted(tuple(map(int, match[1].split("."))) for match in found if match)


def test_the_metadata_declares_license_authors_keywords_and_python_versions() -> None:
    declared = metadata.metadata("pdlint")
    assert declared["Version"] == pdlint.__version__
    assert declared["License-Expression"] == "MIT"
    assert declared.get_all("License-File") == ["LICENSE"]
    assert declared["Author"] == "The pdlint authors"
    assert "pagerduty" in declared["Keywords"].split(",")
    assert supported_versions() == [(3, 10), (3, 11), (3, 12), (3, 13)]


def test_requires_python_is_the_oldest_supported_version() -> None:
    oldest = supported_versions()[0]
    assert metadata.metadata("pdlint")["Requires-Python"] == f">={oldest[0]}.{oldest[1]}"


def test_this_python_is_a_supported_one() -> None:
    """Tests that pass on an unsupported Python prove nothing about the supported ones."""
    assert sys.version_info[:2] in supported_versions()


def test_the_docs_name_the_release_of_this_version() -> None:
    """Every release tag the docs, the README and the hooks' comments tell users to pin is this
    version's: bumping the version without them fails here (docs/releasing.md). Lines that use
    another action name that action's release."""
    files = [PROJECT / "README.md", PROJECT / ".pre-commit-hooks.yaml", PROJECT / "action.yml",
             *sorted((PROJECT / "docs").glob("*.md"))]
    tags = {(path.name, tag) for path in files
            for line in path.read_text(encoding="utf-8").splitlines()
            if not re.search(r"uses: (?!OWNER/pdlint@)[\w.-]+/", line)
            for tag in re.findall(r"(?<![\w.])v\d+\.\d+\.\d+\b", line)}
    assert ("releasing.md", f"v{pdlint.__version__}") in tags
    assert {tag for _, tag in tags} == {f"v{pdlint.__version__}"}, sorted(tags)


def test_ci_runs_exactly_the_readme_s_test_command() -> None:
    """.ci/run's promise: what the README tells a contributor to run is what CI runs first."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    commands = [line for line in re.search(r"```sh\n(.*?)```", readme, re.S)[1].splitlines()
                if line and not line.startswith("#")]
    assert commands[1] in (PROJECT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
