"""Policy files -> plain data (dicts, lists, str, int, float, bool, None) that remembers its lines.

PyYAML composes the node graph, in C through libyaml where PyYAML was built with it (several
times faster; nodes keep their marks, line and column) and in Python otherwise; this module turns
nodes into plain data and records where each value is written. It also refuses what PyYAML would
accept silently: duplicate keys, alias expansion bombs, nesting past ``MAX_DEPTH``, oversized or
binary files. Both loaders give the same findings at the same places (tests run on each; the
parser's own words differ), where the Python one is driven to read as libyaml does: tabs between
tokens inside a line, a byte order mark starting a line, escapes naming no character
(``\\ud800``), and libyaml's nesting past its own limit is placed where the policy's is passed.
One difference is left, pinned by tests: a tab inside a plain (unquoted) scalar,
``team: Plat<TAB>form`` or at the start of a continuation line, or in a block scalar's header
(``|<TAB># note``) is read by libyaml and POL001 on the Python loader, whose scanner takes only
spaces there; changing that would mean copying PyYAML's scanner.

Problems in a file's content are findings (POL001 yaml-syntax, POL002 duplicate-key). Only a path
that cannot be read at all raises ``PolicyError``.
"""

from __future__ import annotations

import bisect
import codecs
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner, ScannerError

from pdlint.errors import reading
from pdlint.findings import Finding, Location, Resource
from pdlint.policy.model import PolicyError
from pdlint.policy.problems import DUPLICATE_KEY, YAML_SYNTAX
from pdlint.rule import Rule

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_EXPANSION = 10_000
POLICY_SUFFIXES = (".yaml", ".yml")

JsonPath = tuple[str | int, ...]

_SCALARS = SafeConstructor()
_TAG = "tag:yaml.org,2002:"
_TEXT_TAGS = frozenset({_TAG + "str", _TAG + "timestamp"})  # dates stay text; the model parses
_CONSTRUCTORS = {"null": _SCALARS.construct_yaml_null, "bool": _SCALARS.construct_yaml_bool,
                 "int": _SCALARS.construct_yaml_int, "float": _SCALARS.construct_yaml_float}
_TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels"
_MERGE_TAG = _TAG + "merge"
_STRING_TAG, _SEQUENCE_TAG, _MAPPING_TAG = _TAG + "str", _TAG + "seq", _TAG + "map"
_IMPLICIT_FIRSTS = frozenset(Resolver.yaml_implicit_resolvers)
"""The first characters of the plain texts an implicit resolver may read as other than a string
(digits, ``~``, ``t``, ``.``…); ``""`` stands for the empty text. There is no resolver for any
first character (a ``None`` key): ``Resolver`` has none."""
_ANCHOR_NAME = re.compile(r"[*&]([^\s,\[\]{}]+)")
_ESCAPE = re.compile(r'\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|.)|"', re.S)
"""An escape of a double-quoted scalar (its code, for ``\\x``, ``\\u``, ``\\U``), or its end."""
_SURROGATE = re.compile("[\ud800-\udfff]")
_BAD_ESCAPE = "found invalid Unicode character escape code"


@dataclass(frozen=True)
class PolicyFile:
    """One policy file as plain data, with the place of every value and key.

    A value is placed where it is written: a scalar at itself, a mapping or list at its key
    (``levels:``), a list item at its start. Places are looked up from the nodes the data was read
    from (``nodes``: for each mapping and list of ``data``, by ``id``, the nodes of its entries or
    items), and made into a ``Location`` only when asked: most values are never asked for theirs.
    """

    path: str
    data: Any
    root: Node | None
    nodes: Mapping[int, Any]
    """By the ``id`` of each mapping of ``data``, its entries' (key node, value node) by key; of
    each list, its items' nodes."""
    lines: _Lines

    def location(self, path: JsonPath) -> Location:
        """Where the value at ``path`` is written, or its nearest written ancestor."""
        key_node, node, _ = self._placed(path)
        if node is None:
            return Location(self.path, 1)
        return self._at(key_node if key_node is not None and type(node) is not ScalarNode
                        else node)

    def key_location(self, path: JsonPath) -> Location:
        """Where the key of the mapping entry at ``path`` is written."""
        key_node, _, found = self._placed(path)
        if key_node is None or found < len(path):
            return self.location(path)
        return self._at(key_node)

    def written(self, path: JsonPath) -> str | None:
        """The text written for the scalar at ``path`` when YAML did not read it as a string
        (``09:00`` is the number 540), so that messages can show both; else None."""
        _, node, found = self._placed(path)
        if found < len(path) or type(node) is not ScalarNode or node.tag in _TEXT_TAGS:
            return None
        text: str = node.value
        return text

    def entry_location(self, container: dict[str, Any] | list[Any], part: str | int) -> Location:
        """``location`` of ``container[part]``, for a mapping or list of ``data`` in hand."""
        entry = self.nodes[id(container)][part]
        if type(entry) is tuple:
            entry = entry[1] if type(entry[1]) is ScalarNode else entry[0]
        return self.lines.location(self.path, entry.start_mark)

    def _placed(self, path: JsonPath) -> tuple[Node | None, Node | None, int]:
        """The key node (None for a list item or the whole file) and node of the longest start
        of ``path`` that is written, and its length."""
        value, key_node, node = self.data, None, self.root
        for found, part in enumerate(path):
            if type(value) is dict and part in value:
                key_node, node = self.nodes[id(value)][part]
            elif type(value) is list and type(part) is int and 0 <= part < len(value):
                key_node, node = None, self.nodes[id(value)][part]
            else:
                return key_node, node, found
            value = value[part]
        return key_node, node, len(path)

    def _at(self, node: Node) -> Location:
        return self.lines.location(self.path, node.start_mark)


@dataclass(frozen=True)
class LoadedFiles:
    """The files that could be read, and POL001/POL002 findings about all of them."""

    files: tuple[PolicyFile, ...]
    findings: tuple[Finding, ...]


def policy_paths(paths: Sequence[str | Path]) -> tuple[Path, ...]:
    """Files named, and the ``*.yaml``/``*.yml`` files of folders named, sorted, each once."""
    found: dict[Path, Path] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            members = sorted(member for member in path.iterdir()
                             if member.suffix in POLICY_SUFFIXES and _policy_file(member))
            if not members:
                raise PolicyError(f"{path}: no policy files (*.yaml, *.yml) in this folder")
        elif path.is_file():
            members = [path]
        elif path.exists():
            raise PolicyError(f"{path}: not a file or folder")
        else:
            raise PolicyError(f"{path}: no such file or folder")
        for member in members:
            found.setdefault(member.resolve(), member)
    return tuple(sorted(found.values(), key=lambda member: member.as_posix()))


def _policy_file(member: Path) -> bool:
    """Whether ``member`` of a policy folder, named like a policy file, is one to read: a file
    (or a link to one). Anything else so named is an error rather than a file silently left
    out of the policy; a folder is not read."""
    if member.is_file() or member.is_dir():
        return member.is_file()
    if member.is_symlink():
        raise PolicyError(f"{member}: a symbolic link to {os.readlink(member)}, which does not "
                          "exist")
    raise PolicyError(f"{member}: not a file (a named pipe, socket or device); a policy file "
                      "must be a regular file")


def load_files(paths: Sequence[str | Path]) -> LoadedFiles:
    """Read every policy file under ``paths``; content problems become findings."""
    files: list[PolicyFile] = []
    findings: list[Finding] = []
    for path in policy_paths(paths):
        shown = display_path(path)
        if not _is_text(shown):  # it could be named in no report, SARIF or terminal
            shown = shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            findings.append(yaml_finding(YAML_SYNTAX, "the file name is not UTF-8 text; rename "
                                                      "the file", Location(shown, 1)))
            continue
        try:
            with reading(shown):
                text = _read_text(path, shown)
                root = _compose(text, shown)
                reader = _NodeReader(shown, text)
                data = reader.read(root)
        except _Unreadable as problem:
            findings.append(problem.finding)
            continue
        findings.extend(reader.duplicates)
        files.append(PolicyFile(shown, data, root, reader.nodes, reader.lines))
    return LoadedFiles(tuple(files), tuple(findings))


def _is_text(name: str) -> bool:
    """Whether a name from the file system is text (undecodable bytes come as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_path(path: Path) -> str:
    """The path as findings show it: relative to the working folder when inside it, with ``/``."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return Path(os.path.normpath(path)).as_posix()


def yaml_finding(rule: Rule, message: str, location: Location) -> Finding:
    """A POL001/POL002 finding: about the file, at the line where reading went wrong."""
    return rule.finding(message, Resource("policy_file", name=location.path), location=location)


class _Unreadable(Exception):
    """The file cannot be read as policy YAML; carries the POL001 finding that says why."""

    def __init__(self, message: str, location: Location) -> None:
        super().__init__(message)
        self.finding = yaml_finding(YAML_SYNTAX, message, location)


def _read_text(path: Path, shown: str) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise PolicyError(f"{shown}: cannot read: {error.strerror or error}") from error
    first_line = Location(shown, 1)
    if len(raw) > MAX_FILE_BYTES:
        raise _Unreadable(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; "
                          "split the policy into several files", first_line)
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00
        raise _Unreadable("the file is UTF-32 text; save it as UTF-8", first_line)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _Unreadable("the file is UTF-16 text; save it as UTF-8", first_line)
    if b"\x00" in raw:
        raise _Unreadable("the file is binary, not YAML text", first_line)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise _Unreadable(f"the file is not UTF-8 text: byte 0x{raw[error.start]:02x} cannot "
                          "be decoded; save it as UTF-8",
                          Location(shown, line, column)) from error


class _PythonLoader(Reader, Scanner, Parser, Composer, Resolver):
    """PyYAML's pure-Python loader, where PyYAML is built without libyaml: several times slower,
    and its recursive composer would overflow Python's stack on deep nesting, so it stops at
    ``MAX_DEPTH`` itself."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        Resolver.__init__(self)
        self._depth = 0

    def scan_to_next_token(self) -> None:
        """Skips what libyaml skips between tokens and PyYAML's scanner does not, so that both
        loaders read the same files: tabs as separation inside a line (in a flow collection, or
        where no simple key may start: after a key's ``:``, after a value), which YAML allows
        and PyYAML refuses, and a byte order mark at the start of a line. Tabs at the start of a
        block line are indentation, which YAML forbids, and stay an error on both."""
        while True:
            if self.index and self.column == 0 and self.peek() == "\ufeff":
                self.forward()
                self.column += 1  # libyaml counts it, and a key after it is indented
            super().scan_to_next_token()
            if self.peek() == "\t" and (self.flow_level or not self.allow_simple_key):
                while self.peek() in " \t":
                    self.forward()
            elif self.index == 0 or self.column != 0 or self.peek() != "\ufeff":
                return

    def scan_flow_scalar(self, style: str) -> Any:
        """A quoted scalar, with two of libyaml's checks PyYAML lacks: an escape that names no
        Unicode character (a surrogate, ``\\ud800``: no report could print it, or past U+10FFFF)
        is an error at its first hex digit, and an unknown escape is placed at its backslash."""
        begin = self.get_mark()
        try:
            token = super().scan_flow_scalar(style)
        except ValueError:  # chr() of a code past U+10FFFF
            token = None
        except ScannerError as error:
            mark = error.problem_mark
            if mark is not None and (error.problem or "").startswith("found unknown escape"):
                error.problem_mark = Mark(mark.name, mark.index - 1, mark.line, mark.column - 1,
                                          mark.buffer, mark.pointer - 1)
            raise
        if token is None or (style == '"' and _SURROGATE.search(token.value)):
            raise ScannerError("while scanning a double-quoted scalar", begin, _BAD_ESCAPE,
                               self._invalid_escape(begin))
        return token

    def _invalid_escape(self, begin: Mark) -> Mark:
        """The mark of the first hex digit of the first escape naming no Unicode character in
        the double-quoted scalar opened at ``begin``, counted by PyYAML's reader."""
        for escape in _ESCAPE.finditer(self.buffer, begin.pointer + 1):
            code = escape[1] or escape[2] or escape[3]
            if code and (0xD800 <= int(code, 16) <= 0xDFFF or int(code, 16) > 0x10FFFF):
                self.pointer, self.index = begin.pointer, begin.index
                self.line, self.column = begin.line, begin.column
                self.forward(escape.start() + 2 - begin.pointer)
                return self.get_mark()
            if escape[0] == '"':
                break
        return begin  # pragma: no cover - the scalar holds such an escape

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, _TOO_DEEP,
                    self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Composing(Protocol):
    def get_single_node(self) -> Node | None: ...
    def dispose(self) -> None: ...


LOADERS: dict[str, Callable[[str], _Composing]] = {"python": _PythonLoader}
if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _LibyamlLoader(CParser, Resolver):
        """libyaml composes the node graph in C, marks (line, column) included: several times
        faster. Its nesting limit is 1,000 levels; ``_NodeReader`` enforces the policy's own."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Resolver.__init__(self)
            self._plain_tags: dict[str, str] = {}

        def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
            """The tag of a node written without one, as ``Resolver`` gives it, for each of a
            policy's hundred thousand nodes. A mapping or list takes the default tag (a policy
            loader has no path resolvers). A plain scalar's tag depends on its text alone: a
            text no implicit resolver starts with (most names) is a string, and the others
            (``5m``, ``true``, ``09:00``) are written again and again, so each is resolved once."""
            if kind is not ScalarNode:
                return _MAPPING_TAG if kind is MappingNode else _SEQUENCE_TAG
            if not implicit[0] or value[:1] not in _IMPLICIT_FIRSTS:
                return _STRING_TAG
            known = self._plain_tags.get(value)
            if known is None:
                known = self._plain_tags[value] = super().resolve(  # type: ignore[no-untyped-call]
                    kind, value, implicit)
            return known

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            """Path resolvers only: there are none (libyaml calls this for every node)."""

        def ascend_resolver(self) -> None:
            """Path resolvers only: there are none (libyaml calls this for every node)."""

    LOADERS["libyaml"] = _LibyamlLoader
LOADER = "libyaml" if yaml.__with_libyaml__ else "python"
"""Which of ``LOADERS`` composes policy files: libyaml wherever PyYAML was built with it (tests
run every loader test on both)."""


def _compose(text: str, shown: str) -> Node | None:
    try:
        loader = LOADERS[LOADER](text)  # PyYAML's reader checks the characters here
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "not valid YAML"
        if error.context and error.problem:
            joined = ", " if error.problem.startswith("but ") else ": "
            problem = f"{error.context}{joined}{error.problem}"
        if error.problem == "exceeded maximum nesting depth":  # libyaml's own limit, above ours
            problem = _TOO_DEEP
            mark = _too_deep_at(text) or mark
        elif error.problem in ("found undefined alias", "second occurrence"):
            problem = _naming_the_anchor(problem, text, error.problem_mark)
        if (error.context_mark and error.problem_mark
                and error.problem_mark.index >= len(text.rstrip())):
            # An unclosed quote or bracket met at the end of the file: where it opened helps.
            problem = (f"{error.context} that starts here: {error.problem} at the end of the "
                       f"file (line {error.problem_mark.line + 1})")
            mark = error.context_mark
        elif mark is not None and (opened := _unclosed_quote_before(text, mark.line)):
            problem += f"; is the quote opened at line {opened} closed?"
        location = _Lines(text).location(shown, mark) if mark else Location(shown, 1)
        raise _Unreadable(f"YAML syntax: {problem}", location) from error
    except yaml.reader.ReaderError as error:  # a character YAML forbids: no mark, a position
        code = ord(error.character) if isinstance(error.character, str) else error.character
        position = error.position
        if text[position:position + 1] != chr(code):  # libyaml's is an offset in UTF-8 bytes
            position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        raise _Unreadable(f"YAML syntax: unacceptable character #x{code:04x}: {error.reason}",
                          Location(shown, line, column)) from error
    except yaml.YAMLError as error:
        raise _Unreadable(f"YAML syntax: {error}", Location(shown, 1)) from error
    except RecursionError as error:
        raise _Unreadable(_TOO_DEEP, Location(shown, 1)) from error


def _too_deep_at(text: str) -> Mark | None:
    """Where nesting first passes ``MAX_DEPTH``, as the Python loader finds it. libyaml stops
    at its own limit (1,000 levels) before composing anything, so without this its place would
    be hundreds of levels past the one the policy's limit names; None if the Python loader
    stops first at something libyaml reads (a tab inside a plain scalar)."""
    loader = _PythonLoader(text)
    try:
        loader.get_single_node()
    except yaml.composer.ComposerError as error:
        if error.problem == _TOO_DEEP:
            return error.problem_mark
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()
    return None


def _naming_the_anchor(problem: str, text: str, mark: Mark | None) -> str:
    """libyaml's messages about an alias or anchor do not name it, PyYAML's do: name it."""
    if mark is None or "'" in problem:
        return problem
    named = _ANCHOR_NAME.match(text, mark.index)
    if named is None:  # pragma: no cover - libyaml's mark is on the alias or anchor
        return problem
    return problem.replace(" alias", f" alias '{named[1]}'").replace(
        " anchor", f" anchor '{named[1]}'")


class _Lines:
    """Where a YAML mark is, in lines as editors, git and code scanning count them: ended by
    ``\n`` only. YAML also ends lines at ``\r``, NEL, U+2028 and U+2029; a file holding one
    would shift every later line number. A mark past the last line break (YAML's end of the
    file) is put at the end of the last line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] | None = None
        if any(char in text for char in "\x85\u2028\u2029") or (
                text.count("\r") != text.count("\r\n")):
            self.starts = [0, *(match.end() for match in re.finditer("\n", text))]
        self.count = text.count("\n") + (0 if text.endswith("\n") else 1)

    def location(self, shown: str, mark: Mark) -> Location:
        if self.starts is None and mark.line < self.count:  # the common case, first
            return Location(shown, mark.line + 1, mark.column + 1)
        if self.starts is not None:
            line = bisect.bisect_right(self.starts, mark.index)
            column = mark.index - self.starts[line - 1] + 1
        else:
            line, column = mark.line + 1, mark.column + 1
        if line > self.count:  # the end of a file whose last line ends with a line break
            last = self.text.rstrip("\n").rsplit("\n", 1)[-1]
            line, column = self.count, len(last) + 1
        return Location(shown, max(line, 1), column)


def _unclosed_quote_before(text: str, line: int) -> int | None:
    """The first line (1-based) before ``line`` (0-based) that ends inside a double-quoted
    string. A quote left open runs on to the next quote, and the parser stumbles lines later;
    the line where it opened is where to look (a string meant to span lines is named too, which
    as a question does no harm)."""
    for number, content in enumerate(text.splitlines()[:line], start=1):
        quote: str | None = None
        previous = " "
        for position, char in enumerate(content):
            if quote is None and char == "#" and previous.isspace():
                break  # a comment
            if char in "\"'" and (quote is None or quote == char):
                escaped = char == '"' and position > 0 and content[position - 1] == "\\"
                if not escaped:
                    quote = char if quote is None else None
            previous = char
        if quote == '"':
            return number
    return None


class _NodeReader:
    """Walks one file's node graph into plain data, keeping for each mapping and list the nodes
    of its entries or items (``PolicyFile.nodes``); holds the walk's state."""

    def __init__(self, shown: str, text: str) -> None:
        self.shown = shown
        self.lines = _Lines(text)
        self.nodes: dict[int, dict[str, tuple[Node, Node]] | list[Node]] = {}
        self.duplicates: list[Finding] = []
        # Whether a node may be reached twice (through an alias) or inside itself: not without
        # an anchor, and a file without "&" has none, so most files skip watching for either.
        self._anchored = "&" in text
        self._seen: set[int] = set()
        self._open: set[int] = set()
        self._expanded = 0

    def read(self, root: Node | None) -> Any:
        if root is None:
            return None
        return self._value(root, 0)

    def _at(self, node: Node) -> Location:
        return self.lines.location(self.shown, node.start_mark)

    def _value(self, node: Node, depth: int) -> Any:
        """The value of ``node``, ``depth`` levels inside the file's top level."""
        if self._anchored:
            self._count(node)
        if isinstance(node, ScalarNode):
            if node.tag in _TEXT_TAGS:  # most values: no conversion
                return node.value
            return self._scalar(node)
        if self._anchored and id(node) in self._open:
            raise _Unreadable("an alias refers to the collection that contains it",
                              self._at(node))
        if depth == MAX_DEPTH - 1 and node.value:  # its first entry is one level too deep
            first = node.value[0]
            raise _Unreadable(f"YAML syntax: {_TOO_DEEP}",
                              self._at(first[0] if type(node) is MappingNode else first))
        if not self._anchored:
            return self._collection(node, depth)
        self._open.add(id(node))
        try:
            return self._collection(node, depth)
        finally:
            self._open.discard(id(node))

    def _collection(self, node: Node, depth: int) -> Any:
        kind = type(node)
        if kind is SequenceNode:
            self._require_tag(node, "seq")
            items = [self._value(item, depth + 1) for item in node.value]
            self.nodes[id(items)] = node.value
            return items
        if kind is MappingNode:
            self._require_tag(node, "map")
            return self._mapping(node, depth)  # type: ignore[arg-type]
        raise _Unreadable("unsupported YAML node", self._at(node))  # pragma: no cover

    def _count(self, node: Node) -> None:
        """Aliases may repeat a node; past a budget that is an expansion bomb, not a policy."""
        if id(node) not in self._seen:
            self._seen.add(id(node))
            return
        self._expanded += 1
        if self._expanded > MAX_ALIAS_EXPANSION:
            raise _Unreadable(f"aliases expand to more than {MAX_ALIAS_EXPANSION} extra values; "
                              "write the values out", self._at(node))

    def _require_tag(self, node: Node, kind: str) -> None:
        if node.tag != _TAG + kind:
            raise _Unreadable(f"unsupported YAML tag {_shown_tag(node)}", self._at(node))

    def _mapping(self, node: MappingNode, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        entries: dict[str, tuple[Node, Node]] = {}
        self._entries(node, result, entries, depth, merged=False)
        self.nodes[id(result)] = entries
        return result

    def _entries(self, node: MappingNode, result: dict[str, Any],
                 entries: dict[str, tuple[Node, Node]], depth: int, *, merged: bool) -> None:
        """Reads into ``result`` the entries of ``node`` it does not have yet, then those of
        its ``<<`` merges (explicit keys win, as YAML says); a key written twice outside merges
        is POL002."""
        merges: list[Node] = []
        for entry in node.value:
            key_node, value_node = entry
            if key_node.tag == _MERGE_TAG:
                merges.extend(value_node.value if type(value_node) is SequenceNode
                              else [value_node])
                continue
            key = self._key(key_node)
            if key in entries:
                if not merged:
                    self.duplicates.append(yaml_finding(
                        DUPLICATE_KEY, f"duplicate key '{key}' (first written at line "
                        f"{self._at(entries[key][0]).line}); YAML would silently keep only one",
                        self._at(key_node)))
                continue
            entries[key] = entry
            result[key] = self._value(value_node, depth + 1)
        for source in merges:
            if type(source) is not MappingNode:
                raise _Unreadable("a << merge takes a mapping or a list of mappings",
                                  self._at(source))
            if id(source) in self._open:
                raise _Unreadable("a << merge refers to the mapping that contains it",
                                  self._at(source))
            self._count(source)
            self._open.add(id(source))
            try:
                self._entries(source, result, entries, depth, merged=True)
            finally:
                self._open.discard(id(source))

    def _key(self, node: Node) -> str:
        if not isinstance(node, ScalarNode):
            raise _Unreadable("a mapping key must be a plain value, not a list or mapping",
                              self._at(node))
        # Keys are names: ``on:`` or ``1:`` mean the text written, not true or 1.
        return str(node.value)

    def _scalar(self, node: ScalarNode) -> Any:
        """A scalar that is not text: a number, true or false, null (or a tag refused)."""
        tag = node.tag.removeprefix(_TAG)
        if tag not in _CONSTRUCTORS:
            raise _Unreadable(f"unsupported YAML tag {_shown_tag(node)}", self._at(node))
        try:
            value = _CONSTRUCTORS[tag](node)
            str(value)  # what cannot be printed cannot be reported either
        except (KeyError, ValueError) as error:  # a tag the value does not fit: !!bool maybe
            if tag == "int" and "limit" in str(error):  # Python's 4,300 digits
                raise _Unreadable(f"a number too long to read ({len(node.value):,} characters)",
                                  self._at(node)) from error
            article = "an" if tag == "int" else "a"
            raise _Unreadable(f"{node.value!r} is not a YAML {tag} ({_shown_tag(node)}); remove "
                              f"the tag or write {article} {tag}", self._at(node)) from error
        return value


def _shown_tag(node: Node) -> str:
    return "!!" + node.tag.removeprefix(_TAG) if node.tag.startswith(_TAG) else node.tag
