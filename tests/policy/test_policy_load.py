"""Reading policy files: YAML failures become POL001/POL002 findings at exact places."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from policy_cases import places
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from pdlint.findings import Location
from pdlint.policy import PolicyError, load, load_policy
from pdlint.policy.load import MAX_FILE_BYTES, load_files, policy_paths

pytestmark = pytest.mark.usefixtures("each_yaml_loader")

BILLION_LAUGHS = b"""\
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
"""

# (id, file content, rule, line, column, parts of the message). Where the parser's own words
# differ between libyaml and PyYAML, only the words both use are checked.
YAML_CASES: list[tuple[str, bytes, str, int, int | None, str | tuple[str, ...]]] = [
    ("syntax error", b"severities:\n  - id: P1\n   name: x\n", "POL001", 3, 4,
     "YAML syntax:"),
    ("unclosed flow list", b"organisation:\n  name: [a, b\n", "POL001", 2, 9,
     ("YAML syntax: while parsing a flow sequence that starts here: ", "expected ',' or ']'",
      " at the end of the file (line 3)")),
    ("quote left open mid-file", b'organisation:\n  name: "Acme # it\'s\n  time_zone: UTC\n'
     b'  x: "1"\n', "POL001", 4, 7, "; is the quote opened at line 2 closed?"),
    ("unclosed quote", b'organisation:\n  name: "unterminated\n  x: 1\n', "POL001", 2, 9,
     "while scanning a quoted scalar that starts here: found unexpected end of stream at the end "
     "of the file (line 4)"),
    ("tab indentation", b"organisation:\n\tname: x\n", "POL001", 2, 1,
     ("YAML syntax: ", "found character", "that cannot start any token")),
    ("duplicate key", b"organisation:\n  name: A\n  name: B\n", "POL002", 3, 3,
     "duplicate key 'name' (first written at line 2)"),
    ("duplicate top-level key", b"teams: []\nschedules: []\nteams: []\n", "POL002", 3, 1,
     "duplicate key 'teams' (first written at line 1)"),
    ("alias expansion bomb", BILLION_LAUGHS, "POL001", 1, None, "aliases expand to more than"),
    ("recursive alias", b"teams: &t [*t]\n", "POL001", 1, 8,
     "an alias refers to the collection that contains it"),
    ("recursive merge", b"tiers: &t {<<: *t}\n", "POL001", 1, 8,
     "a << merge refers to the mapping that contains it"),
    ("nesting past the limit", b"[" * 200 + b"]" * 200, "POL001", 1, 65,
     "nesting deeper than 64 levels"),
    # libyaml stops at its own limit (1,000 levels) before composing: placed where ours is passed.
    ("nesting bomb", b"[" * 100_000 + b"]" * 100_000, "POL001", 1, 65,
     "nesting deeper than 64 levels"),
    ("nesting past libyaml's own limit", b"teams: " + b"[" * 2000 + b"]" * 2000 + b"\n", "POL001",
     1, 8 + 63, "nesting deeper than 64 levels"),  # the 64th "[" inside the top mapping
    ("undefined alias", b"teams:\n  - name: *nowhere\n", "POL001", 2, 11,
     "YAML syntax: found undefined alias 'nowhere'"),
    ("duplicate anchor", b"a: &x 1\nb: &x 2\n", "POL001", 2, 4, "found duplicate anchor 'x'"),
    ("nesting past the limit through an alias", b"a: &a " + b"[" * 40 + b"]" * 40 + b"\nb: "
     + b"[" * 30 + b"*a" + b"]" * 30 + b"\n", "POL001", 1, 40, "nesting deeper than 64 levels"),
    ("two documents", b"teams: []\n---\nschedules: []\n", "POL001", 2, 1,
     "expected a single document in the stream, but found another document"),
    ("python object tag", b"teams: !!python/object:os.system [x]\n", "POL001", 1, 8,
     "unsupported YAML tag !!python/object:os.system"),
    ("binary scalar tag", b"teams: !!binary aGVsbG8=\n", "POL001", 1, 8,
     "unsupported YAML tag !!binary"),
    ("mapping as a key", b"? [a, b]\n: c\n", "POL001", 1, 3, "a mapping key must be a plain value"),
    ("binary file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "POL001", 1, None,
     "the file is binary, not YAML text"),
    ("latin-1 file", b"organisation:\n  name: Caf\xe9\n", "POL001", 2, 12,
     "not UTF-8 text: byte 0xe9"),
    ("utf-16 file", "teams: []\n".encode("utf-16"), "POL001", 1, None,
     "the file is UTF-16 text; save it as UTF-8"),
    # Escapes naming no Unicode character, at the first hex digit: PyYAML's own scanner would
    # keep a surrogate, which no report can print, or fail past U+10FFFF.
    ("escaped surrogate", b'organisation:\n  name: "Plat\\ud800form"\n', "POL001", 2, 16,
     "found invalid Unicode character escape code"),
    ("escaped surrogate pair", b'teams: "\\ud83d\\ude00"\n', "POL001", 1, 11,
     "found invalid Unicode character escape code"),
    ("escape past U+10FFFF", b'teams: "ok \\u00e9 \\U00110000"\n', "POL001", 1, 21,
     "found invalid Unicode character escape code"),
    ("unknown escape", b'organisation:\n  name: "Acme\\q"\n', "POL001", 2, 14,
     "found unknown escape character"),
    ("tab after a list dash", b"teams:\n  -\tname: A\n", "POL001", 2, 4,
     "that cannot start any token"),
    # libyaml skips a byte order mark starting a line but counts its column: "schedules" is
    # then indented under the top mapping.
    ("byte order mark starting a line", b"teams: []\n\xef\xbb\xbfschedules: []\n", "POL001", 2, 2,
     "YAML syntax: while parsing a block mapping"),
]


@pytest.mark.parametrize(("content", "rule", "line", "column", "fragment"),
                         [pytest.param(*case[1:], id=case[0]) for case in YAML_CASES])
def test_yaml_failures(tmp_path: Path, content: bytes, rule: str, line: int,
                       column: int | None, fragment: str | tuple[str, ...]) -> None:
    (tmp_path / "broken.yaml").write_bytes(content)
    loaded = load_policy([tmp_path])
    (finding,) = [finding for finding in loaded.findings if finding.rule == rule]
    assert finding.location is not None and finding.location.line == line
    if column is not None:
        assert finding.location.column == column
    for part in (fragment,) if isinstance(fragment, str) else fragment:
        assert part in finding.message
    assert (finding.resource.type, finding.resource.name) == ("policy_file", finding.location.path)
    assert loaded.policy is None


def test_oversized_file(tmp_path: Path) -> None:
    (tmp_path / "huge.yaml").write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    (finding,) = load_policy([tmp_path]).findings
    assert (finding.rule, finding.location and finding.location.line) == ("POL001", 1)
    assert "larger than 2 MiB" in finding.message


def test_a_broken_file_does_not_hide_problems_in_the_others(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("teams: [\n")
    (tmp_path / "b.yaml").write_text("teams:\n  - name: A\n  - nmae: B\n")
    assert places(load_policy([tmp_path]).findings) == [
        ("POL001", "a.yaml", 1), ("POL003", "b.yaml", 3), ("POL003", "b.yaml", 3)]


@pytest.mark.parametrize("content", [b"", b"# nothing yet\n", b"---\n", b"\xef\xbb\xbfteams: []\n"],
                         ids=["empty", "comment only", "empty document", "utf-8 BOM"])
def test_files_without_content_are_fine(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "empty.yaml").write_bytes(content)
    assert load_files([tmp_path]).findings == ()


@pytest.mark.parametrize(("content", "data"), [
    (b"organisation:\n  name:\tAcme\n", {"organisation": {"name": "Acme"}}),
    (b"organisation:\n  name: Acme\t\n", {"organisation": {"name": "Acme"}}),
    (b"teams: []\t# none yet\n", {"teams": []}),
    (b"teams: [\t{name:\tA},\n\tB ]\n", {"teams": [{"name": "A"}, "B"]}),
    (b"a:\t&x 1\nb: *x\t\n", {"a": 1, "b": 1}),
    (b"a: 1\n\xef\xbb\xbf# a byte order mark before a comment\n", {"a": 1}),
], ids=["after a key", "after a value", "before a comment", "inside a flow collection",
        "before an anchor and after an alias", "byte order mark starting a comment line"])
def test_tabs_separating_tokens_inside_a_line_are_read(tmp_path: Path, content: bytes,
                                                      data: Any) -> None:
    """YAML lets tabs separate tokens inside a line (not indent one): libyaml reads these, and
    PyYAML's own scanner is driven to."""
    (tmp_path / "p.yaml").write_bytes(content)
    loaded = load_files([tmp_path])
    assert loaded.findings == ()
    assert loaded.files[0].data == data


@pytest.mark.parametrize(("content", "data", "python_place"), [
    (b"organisation:\n  name: Acme\tCorp\n", {"organisation": {"name": "Acme\tCorp"}}, (2, 14)),
    (b"organisation:\n  name: Acme\n    \tCorp\n", {"organisation": {"name": "Acme Corp"}},
     (3, 5)),
    (b"organisation:\n  name: |\t# the name\n    Acme\n", {"organisation": {"name": "Acme\n"}},
     (2, 10)),
], ids=["between words", "starting a continuation line", "in a block scalar's header"])
def test_a_tab_inside_an_unquoted_value_is_read_by_libyaml_only(
        tmp_path: Path, each_yaml_loader: str, content: bytes, data: Any,
        python_place: tuple[int, int]) -> None:
    """The one difference left between the loaders (``load``'s docstring, docs/policy-format.md):
    PyYAML's scanner takes only spaces inside a plain scalar and a block scalar's header. Pinned
    so that a change of either is noticed."""
    (tmp_path / "p.yaml").write_bytes(content)
    loaded = load_files([tmp_path])
    if each_yaml_loader == "libyaml":
        assert loaded.findings == ()
        assert loaded.files[0].data == data
    else:
        (finding,) = loaded.findings
        assert finding.rule == "POL001" and finding.location is not None
        assert (finding.location.line, finding.location.column) == python_place


def test_nesting_past_libyamls_limit_after_what_only_libyaml_reads(tmp_path: Path,
                                                                   each_yaml_loader: str) -> None:
    """libyaml's own nesting limit is placed where the Python loader finds the policy's passed;
    where that loader stops earlier, at a tab inside a plain scalar, libyaml's place is kept
    (its 1,000th level)."""
    (tmp_path / "p.yaml").write_bytes(b"a: b\tc\nteams: " + b"[" * 2000 + b"]" * 2000 + b"\n")
    (finding,) = load_files([tmp_path]).findings
    assert finding.location is not None
    if each_yaml_loader == "libyaml":
        assert (finding.location.line, finding.location.column) == (2, 8 + 999)
        assert "nesting deeper than 64 levels" in finding.message
    else:
        assert (finding.location.line, finding.location.column) == (1, 6)  # "c"


def test_values_keep_their_positions(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "escalation_policies:\n"
        "  - name: Main\n"
        "    levels:\n"
        "      - targets: [{schedule: S}]\n"
        "        engaged_after: 5m\n"
        "    support: &hours {start: '09:00'}\n"
        "    other: {<<: *hours, end: '17:00'}\n")
    (loaded,) = load_files([tmp_path]).files

    def at(*path: str | int) -> tuple[int, int | None]:
        location = loaded.location(path)
        return location.line, location.column

    assert at() == (1, 1)
    assert at("escalation_policies", 0) == (2, 5)
    assert at("escalation_policies", 0, "name") == (2, 11)
    assert at("escalation_policies", 0, "levels") == (3, 5)  # a collection: its key
    assert at("escalation_policies", 0, "levels", 0, "engaged_after") == (5, 24)
    assert at("escalation_policies", 0, "levels", 0, "targets", 0, "schedule") == (4, 30)
    assert at("escalation_policies", 0, "other", "start") == (6, 29)  # merged: where written
    assert loaded.data["escalation_policies"][0]["other"] == {"end": "17:00", "start": "09:00"}


@pytest.mark.parametrize(("path", "value", "key"), [
    (("escalation_policies", 0, "levels", 0, "nothing"), (4, 9), (4, 9)),
    (("escalation_policies", 0, "levels", 7), (3, 5), (3, 5)),
    (("escalation_policies", 0, "levels", -1), (3, 5), (3, 5)),
    (("escalation_policies", 0, "levels", "0"), (3, 5), (3, 5)),
    (("escalation_policies", 0, "name", 0), (2, 11), (2, 11)),
    (("escalation_policies", "0"), (1, 1), (1, 1)),
    (("escalation_policies", 0, "levels", 0, "engaged_after"), (5, 24), (5, 9)),
    (("escalation_policies", 0, "levels", 0), (4, 9), (4, 9)),  # a list item has no key
    (("escalation_policies",), (1, 1), (1, 1)),
    ((), (1, 1), (1, 1)),
])
def test_places_of_paths_written_or_not(tmp_path: Path, path: tuple[str | int, ...],
                                        value: tuple[int, int], key: tuple[int, int]) -> None:
    """Messages place any path jsonschema names: where it is written, else where its nearest
    written ancestor is; a mapping entry's key where the entry is written."""
    (tmp_path / "p.yaml").write_text(
        "escalation_policies:\n"
        "  - name: Main\n"
        "    levels:\n"
        "      - targets: [{schedule: S}]\n"
        "        engaged_after: 5m\n")
    (loaded,) = load_files([tmp_path]).files
    assert (loaded.location(path).line, loaded.location(path).column) == value
    assert (loaded.key_location(path).line, loaded.key_location(path).column) == key


def test_an_empty_file_is_placed_at_its_first_line(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("# nothing yet\n")
    (loaded,) = load_files([tmp_path]).files
    assert loaded.location(("teams", 0)) == loaded.key_location(("teams",)) == Location(
        loaded.path, 1)


def test_scalars_are_read_as_plain_data_with_their_written_text(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("a: 17:00\nb: 2027-03-31\nc: yes\nd: ~\ne: '5'\n1: on\n")
    (loaded,) = load_files([tmp_path]).files
    assert loaded.data == {"a": 1020, "b": "2027-03-31", "c": True, "d": None, "e": "5",
                           "1": True}
    assert loaded.written(("a",)) == "17:00"
    assert loaded.written(("1",)) == "on"
    assert loaded.written(("e",)) is None  # a string: written as read
    assert loaded.written(("b",)) is None  # a date stays text
    assert loaded.written(("z",)) is None  # not written


def test_folders_are_read_in_name_order_and_each_file_once(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yml", "c.txt", "README.md"):
        (tmp_path / name).write_text("teams: []\n")
    found = policy_paths([tmp_path, tmp_path / "b.yaml"])
    assert [path.name for path in found] == ["a.yml", "b.yaml"]


@pytest.mark.parametrize(("make", "message"), [
    (lambda root: root / "missing", "no such file or folder"),
    (lambda root: root, "no policy files (*.yaml, *.yml) in this folder"),
])
def test_paths_that_cannot_be_read_raise(tmp_path: Path, make, message: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(message)):
        load_policy([make(tmp_path)])
    assert PolicyError("x").exit_code == 2


def test_unreadable_file_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file the user may not read (simulated: CI runs as root, who reads every file)."""
    policy_file = tmp_path / "secret.yaml"
    policy_file.write_text("teams: []\n")
    real_open = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "secret.yaml":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(PolicyError, match=r"secret\.yaml: cannot read: Permission denied"):
        load_policy([policy_file])


def test_paths_are_shown_relative_to_the_working_folder(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "x.yaml").write_text("teams: [\n")
    monkeypatch.chdir(tmp_path)
    (absolute,) = load_policy([tmp_path / "policy"]).findings
    (relative,) = load_policy(["./policy/"]).findings
    assert absolute.location and relative.location
    assert absolute.location.path == relative.location.path == "policy/x.yaml"


@pytest.mark.parametrize("text", [
    "", "name", "Payments API", "5m", "09:00", "17:00:00", "2027-03-31", "true", "True", "yes",
    "No", "on", "OFF", "~", "null", "Null", "0", "-1", "+2", "0x1F", "0o17", "1_000", "1e3",
    ".5", ".inf", "-.Inf", ".NaN", "<<", "=", "!x", "&x", "*x", "t", "y", "n"])
@pytest.mark.parametrize("implicit", [(True, False), (False, True), (False, False)],
                         ids=["plain", "quoted", "tagged"])
def test_libyaml_resolves_each_text_as_pyyaml_does(text: str,
                                                  implicit: tuple[bool, bool]) -> None:
    """The libyaml loader's own ``resolve`` (skipping work most texts need not) gives the tag
    PyYAML's resolver gives, for scalars plain or not and for collections."""
    if "libyaml" not in load.LOADERS:
        pytest.skip("PyYAML is built without libyaml here")
    ours, pyyaml = load.LOADERS["libyaml"](""), Resolver()
    for kind, value, written in ((ScalarNode, text, implicit), (SequenceNode, None, implicit[0]),
                                 (MappingNode, None, implicit[0])):
        assert ours.resolve(kind, value, written) == pyyaml.resolve(  # type: ignore[attr-defined]
            kind, value, written)
    assert ours.resolve(ScalarNode, text, implicit) == ours.resolve(  # type: ignore[attr-defined]
        ScalarNode, text, implicit)  # remembered
