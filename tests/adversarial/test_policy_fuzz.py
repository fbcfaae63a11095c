"""Hostile policy files: every input ends in findings (or one clear error, exit 2), never in a
traceback, never in a hang.

The example policy is mutated two ways: as data (every schema type swapped, keys deleted, added
and misspelt, sections duplicated, values nested deeper) and as text and bytes (hostile YAML —
tags, anchors, aliases, bombs, deep nesting, huge scalars — lines duplicated, deleted and cut,
odd encodings, stray bytes). Each input is linted directly and through ``pdlint lint`` in every
report format. CI runs a few derandomised examples of each; the long run (marked slow) explores
thousands: ``pytest -m slow tests/adversarial/test_policy_fuzz.py``.
"""

from __future__ import annotations

import codecs
import json
import re
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from adversarial_cases import POLICY, TALLY, run_main, time_limit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdlint_process import run_pdlint

from pdlint.findings import Report, Severity
from pdlint.policy.schema import conformance_check, jsonschema_validator
from pdlint.report import FORMATS
from pdlint.rules.lint import lint_paths

BASE = {path.name: path.read_bytes()
        for path in sorted([*POLICY.glob("*.yaml"), *POLICY.glob("*.csv")])}
YAML_FILES = sorted(name for name in BASE if name.endswith(".yaml"))
DEADLINE_SECONDS = 10.0
"""Per input; the slowest mutated policy lints in well under a second."""
RULE_ID = re.compile(r"^POL\d{3}$")

FAST = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
LONG = settings(max_examples=2_500, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


def lint_checked(files: dict[str, bytes], kind: str, output_format: str) -> Report:
    """Lint ``files`` as a policy folder directly and through ``pdlint lint``, asserting that
    both end well; the report, for tests that look further."""
    TALLY[f"inputs fuzzed: {kind}"] += 1
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "policy"
        folder.mkdir()
        for name, content in files.items():
            (folder / name).write_bytes(content)
        with time_limit(DEADLINE_SECONDS):
            report = lint_paths([folder])
            ran = run_main("lint", "--format", output_format, str(folder))
        assert_well_formed(report, {folder / name: content for name, content in files.items()})
        assert (ran.code, ran.stderr) == (1 if report.fails(Severity.ERROR) else 0, "")
        assert_parses(ran.stdout, output_format, report)
    return report


def assert_well_formed(report: Report, files: dict[Path, bytes]) -> None:
    """Each finding: a POL rule, a message, and a place inside the file it names. (A message
    quoting a key or value written over several lines spans several lines too.)"""
    for finding in report.findings:
        assert RULE_ID.match(finding.rule), finding
        assert finding.message.strip(), finding
        if finding.location is None:
            continue
        content = files.get(Path(finding.location.path))
        assert content is not None, f"{finding.location.path} is not a policy file"
        # lines as editors and code scanning count them: ended by \n only (YAML's other line
        # breaks, \r, NEL, U+2028 and U+2029, must not shift the lines after them). A register
        # (CSV) is read as the csv module reads it, where a lone \r ends a row too.
        last_line = max(1, content.count(b"\n") + (0 if content.endswith(b"\n") else 1))
        if Path(finding.location.path).suffix not in (".yaml", ".yml"):
            last_line += content.count(b"\r")
        assert 1 <= finding.location.line <= last_line, (finding.location, finding.message)
        assert finding.location.column is None or finding.location.column >= 1


def assert_parses(output: str, output_format: str, report: Report) -> None:
    """Machine-read formats are valid: strict JSON (no NaN) and well-formed XML."""
    if output_format in ("json", "sarif"):
        document = json.loads(output, parse_constant=_refuse_constant)
        if output_format == "json":
            assert len(document["findings"]) == len(report.findings)
    elif output_format == "junit":
        ElementTree.fromstring(output)


def _refuse_constant(name: str) -> Any:
    raise AssertionError(f"{name} is not JSON")


def fuzz_tests(policies: st.SearchStrategy[dict[str, bytes]], kind: str,
               ) -> tuple[Callable[[], None], Callable[[], None]]:
    """The property that every policy ``policies`` draws lints cleanly in any format, with each
    YAML loader, as a fast test for CI and a long run marked slow."""

    def lints_cleanly(files: dict[str, bytes], output_format: str) -> None:
        lint_checked(files, kind, output_format)

    def test() -> Callable[[], None]:
        each_loader = pytest.mark.usefixtures("each_yaml_loader")
        return each_loader(given(policies, st.sampled_from(FORMATS))(lints_cleanly))

    return FAST(test()), pytest.mark.slow(LONG(test()))


# -- mutations of the policy as data --------------------------------------------------------

TRICKY_TEXTS = (
    "", " ", "5m", "0m", "1h30m", "99999999999999d", "36501d", "next_business_day", "disabled",
    "09:00", "24:00", "America/New_York", "Mars/Olympus_Mons", "../../etc/passwd", "P1", "P9",
    "2027-02-30", "0001-01-01", "9999-12-31", "(((", "(a+)+$", "\u202e\u2066", "\x00", "\x1b[2J",
    "a" * 5_000, "cto@acme.example", "nobody@example.com", "high", "low", "24x7",
    "business_hours", "severity_based", "support_hours", "phone", "sms", "schedule", "user",
    "Platform - Primary", "Production - Platform", "Checkout API", "Platform", "tier-1", "tier-9",
    "SVC306", "EP103", "POL003", "monday", "always",
    # an outside probe's: tz-database folders and an overlong zone, patterns Python cannot compile
    "America", "Etc", "Europe/" + "x" * 300, "a{4294967296}", "(" * 1000 + "a" + ")" * 1000,
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(TRICKY_TEXTS),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(TRICKY_TEXTS) | st.text(max_size=10),
                                        inner, max_size=3), max_leaves=8)

Path_ = tuple[Any, ...]


def node_paths(value: Any, path: Path_ = ()) -> list[Path_]:
    """Every place in a YAML document, container or scalar, the root first."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += node_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += node_paths(item, (*path, index))
    return found


def at(document: Any, path: Path_) -> Any:
    for part in path:
        document = document[part]
    return document


def mutate_once(document: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> Any:
    """One edit at a drawn place: replace (any type), delete, add a key or item, duplicate,
    nest one level deeper, or misspell a key."""
    path = draw(st.sampled_from(node_paths(document)))
    operation = draw(st.sampled_from(("replace", "delete", "add", "duplicate", "nest",
                                      "misspell")))
    if not path:
        return draw(VALUES) if operation == "replace" else document
    parent, key = at(document, path[:-1]), path[-1]
    if operation == "replace":
        parent[key] = draw(VALUES)
    elif operation == "delete":
        del parent[key]
    elif operation == "nest":
        parent[key] = draw(st.sampled_from(([parent[key]], {"value": parent[key]})))
    elif operation == "misspell" and isinstance(key, str) and key:
        cut = draw(st.integers(0, len(key) - 1))
        parent[key[:cut] + key[cut + 1:]] = parent.pop(key)
    elif isinstance(parent, list):
        parent.append(parent[key] if operation == "duplicate" else draw(VALUES))
    elif isinstance(parent, dict):
        new_key = draw(st.sampled_from(TRICKY_TEXTS) | st.text(max_size=10))
        parent[new_key] = parent[key] if operation == "duplicate" else draw(VALUES)
    return document


@st.composite
def mutated_data(draw: Callable[[st.SearchStrategy[Any]], Any]) -> dict[str, bytes]:
    files = dict(BASE)
    for name in draw(st.lists(st.sampled_from(sorted(BASE)), min_size=1, max_size=2,
                              unique=True)):
        document = yaml.safe_load(BASE[name])
        for _ in range(draw(st.integers(1, 4))):
            document = mutate_once(document, draw)
        text = yaml.safe_dump(document, allow_unicode=draw(st.booleans()), sort_keys=False,
                              default_flow_style=draw(st.sampled_from((False, None, True))))
        files[name] = text.encode("utf-8")
    return files


test_mutated_policy_data_ends_in_findings, test_mutated_policy_data_long_run = fuzz_tests(
    mutated_data(), "policy data mutations")


@st.composite
def mutated_document(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Any:
    """One file of the example policy as data, edited one to four times."""
    document = yaml.safe_load(BASE[draw(st.sampled_from(YAML_FILES))])
    for _ in range(draw(st.integers(1, 4))):
        document = mutate_once(document, draw)
    return document


def agrees_with_jsonschema(document: Any) -> None:
    TALLY["inputs fuzzed: schema checks compared"] += 1
    assert conformance_check()(document) is jsonschema_validator().is_valid(document)


test_the_compiled_schema_check_agrees_with_jsonschema = FAST(
    given(mutated_document())(agrees_with_jsonschema))
test_the_compiled_schema_check_agrees_with_jsonschema_long_run = pytest.mark.slow(
    LONG(given(mutated_document())(agrees_with_jsonschema)))


# -- mutations of the policy as text and bytes ----------------------------------------------

BILLION_LAUGHS = "\n".join(
    ["lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"lol{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 9)])
FRAGMENTS = (
    "!!python/object/apply:os.system ['false']", "!!python/object/new:subprocess.Popen [[x]]",
    "!!python/name:os.system", "!!binary aGVsbG8=", "!!set {a: null}", "!!omap [{a: 1}]",
    "!!timestamp 2026-01-01", "!!float 1", "!!int '7'", "!!str 5m", "!local x",
    "!<tag:example.com,2026:x> y", "&anchor 5m", "*anchor", "*missing", "&loop [*loop]",
    "<<: *anchor", "<<: {name: merged}", "{", "[", "}", "]", "'", '"', "- ", ": ", "? ", "|",
    ">-", "%TAG ! tag:example.com,2026:", "--- ", "...", "9" * 5_000, "0x" + "f" * 5_000,
    "1e400", "-.inf", ".NaN", "0o17", "1_000", "0b101", "190:20:30", "~", "null", "yes", "on",
    "{" * 100 + "}" * 100, "[" * 70 + "]" * 70, "\t", "\u00a0", "\u2028", "\ufeff", '"\\0\\e"',
    "x" * 100_000, BILLION_LAUGHS,
    "!!bool maybe", "!!int twelve", "!!float many", "\x85", "\u2029", "\r", "{a: 1, ",
)
ENCODINGS = ("utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
             "utf-32", "latin-1", "cp1252")


@st.composite
def mutated_text(draw: Callable[[st.SearchStrategy[Any]], Any]) -> dict[str, bytes]:
    name = draw(st.sampled_from(sorted(BASE)))
    lines = BASE[name].decode("utf-8").split("\n")
    for _ in range(draw(st.integers(1, 4))):
        place = draw(st.integers(0, len(lines)))
        operation = draw(st.sampled_from(("insert", "insert", "duplicate", "delete", "swap",
                                          "character")))
        if operation == "insert":
            indent = " " * draw(st.sampled_from((0, 2, 4, 6, 3)))
            fragment = draw(st.sampled_from(FRAGMENTS) | st.text(max_size=12))
            shape = draw(st.sampled_from(("{i}key: {f}", "{i}- {f}", "{i}{f}", "{i}name: {f}")))
            lines.insert(place, shape.format(i=indent, f=fragment))
        elif lines and operation in ("duplicate", "delete", "swap", "character"):
            place = min(place, len(lines) - 1)
            if operation == "duplicate":
                lines.insert(place, lines[place])
            elif operation == "delete":
                del lines[place]
            elif operation == "swap":
                other = draw(st.integers(0, len(lines) - 1))
                lines[place], lines[other] = lines[other], lines[place]
            elif lines[place]:
                column = draw(st.integers(0, len(lines[place]) - 1))
                lines[place] = (lines[place][:column] + draw(st.characters())
                                + lines[place][column + 1:])
    content = "\n".join(lines).encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(content)))
        content = content[:cut] + draw(st.binary(max_size=4)) + content[cut:]
    if draw(st.integers(0, 9)) == 0:
        content = content[:draw(st.integers(0, len(content)))]
    return {**BASE, name: content}


test_mutated_policy_text_ends_in_findings, test_mutated_policy_text_long_run = fuzz_tests(
    mutated_text(), "policy text mutations")


# -- hostile documents, one by one, with the exact findings they must give ------------------

EXTRA = "waivers: []  # none yet\n"
"""A valid extra policy file, adding nothing; each hostile document below takes its place."""
MERGED_TIERS = """\
tiers:
  tier-3: &batch
    description: Batch jobs.
    min_escalation_levels: 1
    urgency: low
  tier-4:
    <<: *batch
    description: Reports.
"""


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


HOSTILE: dict[str, tuple[bytes, list[tuple[str, int, str]]]] = {  # content: (rule, line, start)
    "billion laughs": (utf8(BILLION_LAUGHS + "\n"), [
        ("POL001", 1, "aliases expand to more than 10000 extra values")]),
    "alias of its own collection": (utf8("teams: &a [*a]\n"), [
        ("POL001", 1, "an alias refers to the collection that contains it")]),
    "merge of its own mapping": (utf8("teams:\n  - &a\n    <<: *a\n    name: x\n"), [
        ("POL001", 2, "a << merge refers to the mapping that contains it")]),
    "undefined alias": (utf8("teams:\n  - name: *nowhere\n"), [
        ("POL001", 2, "YAML syntax: found undefined alias 'nowhere'")]),
    "an anchor and a merge, used fairly": (utf8(MERGED_TIERS), [
        ("POL023", 2, "tier 'tier-3' is defined but unused"),
        ("POL023", 6, "tier 'tier-4' is defined but unused")]),
    "flow nesting 100,000 deep": (utf8("teams: " + "[" * 100_000 + "]" * 100_000 + "\n"), [
        ("POL001", 1, "YAML syntax: nesting deeper than 64 levels")]),
    "block nesting 200 deep": (utf8("teams:\n" + "".join("  " * depth + "  -\n"
                                                          for depth in range(200))), [
        ("POL001", 65, "YAML syntax: nesting deeper than 64 levels")]),
    "python object tag": (utf8("teams:\n  - name: !!python/object/apply:os.system "
                               "['touch pwned']\n"), [
        ("POL001", 2, "unsupported YAML tag !!python/object/apply:os.system")]),
    "python name tag": (utf8("teams: !!python/name:os.system\n"), [
        ("POL001", 1, "unsupported YAML tag !!python/name:os.system")]),
    "binary tag": (utf8("teams:\n  - name: !!binary aGVsbG8=\n"), [
        ("POL001", 2, "unsupported YAML tag !!binary")]),
    "set tag": (utf8("teams: !!set {a: null}\n"), [("POL001", 1, "unsupported YAML tag !!set")]),
    "local tag": (utf8("teams:\n  - name: !secret x\n"), [
        ("POL001", 2, "unsupported YAML tag !secret")]),
    "UTF-8 with a BOM": (codecs.BOM_UTF8 + utf8(EXTRA), []),
    "UTF-16 with a BOM": (EXTRA.encode("utf-16"), [
        ("POL001", 1, "the file is UTF-16 text; save it as UTF-8")]),
    "UTF-16 without a BOM": (EXTRA.encode("utf-16-le"), [
        ("POL001", 1, "the file is binary, not YAML text")]),
    "UTF-32": (EXTRA.encode("utf-32"), [
        ("POL001", 1, "the file is UTF-32 text; save it as UTF-8")]),
    "Latin-1": (EXTRA.replace("none yet", "aucune dérogation").encode("latin-1"), [
        ("POL001", 1, "the file is not UTF-8 text: byte 0xe9 cannot be decoded")]),
    "invalid UTF-8": (b"teams:\n  - name: Platform\xff\n", [
        ("POL001", 2, "the file is not UTF-8 text: byte 0xff cannot be decoded")]),
    "a NUL byte": (b"teams:\n  - name: Plat\x00form\n", [
        ("POL001", 1, "the file is binary, not YAML text")]),
    "a control character": (b"teams:\n  - name: Plat\x07form\n", [
        ("POL001", 2, "YAML syntax: unacceptable character #x0007: ")]),
    "larger than 2 MiB": (utf8("# " + "x" * (2 * 1024 * 1024) + "\n" + EXTRA), [
        ("POL001", 1, "the file is larger than 2 MiB")]),
    "a 5,000-digit number": (utf8("teams:\n  - name: " + "9" * 5_000 + "\n"), [
        ("POL001", 2, "a number too long to read (5,000 characters)")]),
    "a duration past any calendar": (utf8(
        "tiers:\n  tier-9:\n    acknowledgement_timeout: 99999999999999d\n"
        "    min_escalation_levels: 1\n"), [
        ("POL003", 3, "acknowledgement_timeout: not a duration like 30m or disabled, got "
                      "'99999999999999d' (longer than 100 years)")]),
    "a duplicate key": (utf8("teams:\n  - name: Platform\n    name: Data\n"), [
        ("POL002", 3, "duplicate key 'name' (first written at line 2)")]),
    "two documents": (utf8(EXTRA + "---\n" + EXTRA), [
        ("POL001", 2, "YAML syntax: expected a single document in the stream")]),
    "a list at the top": (utf8("- teams\n"), [
        ("POL003", 1, "the file: expected a mapping, got a list")]),
    "a mapping as a key": (utf8("teams:\n  - {name: x}: y\n"), [
        ("POL001", 2, "a mapping key must be a plain value, not a list or mapping")]),
    "a cut-off file": (utf8("teams:\n  - name: 'Platf"), [
        ("POL001", 2, "YAML syntax: while scanning a quoted scalar that starts here: found "
                      "unexpected end of stream at the end of the file (line 2)")]),
}


@pytest.mark.usefixtures("each_yaml_loader")
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_documents_give_exact_findings(case: str, tmp_path: Path) -> None:
    content, expected = HOSTILE[case]
    report = lint_checked({**BASE, "teams.yaml": content}, "hostile documents", "text")
    found = [(finding.rule, finding.location.line if finding.location else 0, finding.message)
             for finding in report.findings]
    assert [(rule, line) for rule, line, _ in found] == [(rule, line) for rule, line, _
                                                        in expected], found
    for (_, _, message), (_, _, start) in zip(found, expected, strict=True):
        assert message.startswith(start), message
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


@pytest.mark.parametrize("case", ["billion laughs", "python object tag", "UTF-16 with a BOM",
                                  "a duration past any calendar"])
def test_the_lint_command_as_a_separate_process(case: str, tmp_path: Path) -> None:
    """The hook as pre-commit runs it: its own process, compiler-style lines, exit 1."""
    content, expected = HOSTILE[case]
    folder = tmp_path / "policy"
    folder.mkdir()
    for name, base in {**BASE, "teams.yaml": content}.items():
        (folder / name).write_bytes(base)
    result = run_pdlint("lint", "policy", cwd=tmp_path, timeout=DEADLINE_SECONDS * 3)
    assert (result.returncode, result.stderr) == (1, "")
    (rule, line, message), = expected
    assert f"policy/teams.yaml:{line}:" in result.stdout and f" {rule} {message}" in result.stdout


def test_an_unreadable_policy_path_is_one_clear_error(tmp_path: Path) -> None:
    ran = run_main("lint", str(tmp_path / "missing"))
    assert (ran.code, ran.stdout) == (2, "")
    assert ran.stderr == f"pdlint: error: {tmp_path / 'missing'}: no such file or folder\n"
