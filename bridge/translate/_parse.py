"""Parsing: JavaScript and TypeScript source -> a tree-sitter tree, and syntax errors located.

Used by every translator stage (the JS and the Python target alike): parse once, keep the
bytes, and refer to source by byte ranges of tree-sitter nodes. Columns reported to users are
1-based and counted in characters, not bytes, so that editors jump to the right place.

The grammar is picked by file extension (``.js .mjs .cjs .jsx`` -> JavaScript with JSX,
``.ts .mts .cts`` -> TypeScript, ``.tsx`` -> TSX); without a filename the input is JavaScript.

A syntax error is any ERROR or MISSING node (tree-sitter recovers from errors silently), plus
the few mistakes its grammar accepts and every JavaScript engine rejects (``early_error``).
Sources over ``MAX_SOURCE_BYTES`` (5 MiB) are refused: tree-sitter's tree alone takes ~55 bytes
of memory per byte of source.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

from .._exceptions import TranslationError

if TYPE_CHECKING:
    from ._analyse import NamePositions

EXTENSIONS = {
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
}


# A translation's peak memory is 60-150 bytes per byte of source (tree-sitter's tree alone
# is ~55): 5 MiB stays under ~800 MB and ~20 s. Hand-written modules are far smaller (the
# largest well-known ones are ~3 MB); larger files are bundles or generated code.
MAX_SOURCE_BYTES = 5 * 1024 * 1024


@functools.cache
def language(name: str) -> Language:
    """The tree-sitter Language for ``javascript``, ``typescript`` or ``tsx`` (loaded once)."""
    if name == "javascript":
        return Language(tree_sitter_javascript.language())
    if name == "typescript":
        return Language(tree_sitter_typescript.language_typescript())
    if name == "tsx":
        return Language(tree_sitter_typescript.language_tsx())
    raise ValueError(f"unknown language {name!r}")


@functools.cache
def _parser(name: str) -> Parser:
    return Parser(language(name))


def language_for(filename: str | None) -> str:
    """The grammar name for a filename (by extension); JavaScript when unknown or None."""
    if filename is None:
        return "javascript"
    return EXTENSIONS.get(os.path.splitext(filename)[1].lower(), "javascript")


@dataclass(frozen=True)
class SyntaxProblem:
    """Where a source first fails to parse: 1-based line and character column."""

    line: int
    column: int


@dataclass
class Parsed:
    """One parsed source: the bytes every node's range refers to, and the tree."""

    source: bytes
    tree: Tree
    language: str

    @property
    def root(self) -> Node:
        return self.tree.root_node

    def text(self, node: Node) -> str:
        """The exact source text of a node."""
        return self.source[node.start_byte : node.end_byte].decode("utf-8")

    def position(self, byte: int) -> tuple[int, int]:
        """1-based (line, character column) of a byte offset (a table built once: a module
        with thousands of diagnostics must not rescan its text for each)."""
        if self._lines is None:
            self._lines = _LineTable(self.source)
        return self._lines.position(byte)

    _lines: _LineTable | None = None
    _names: NamePositions | None = None
    # node id -> (method, receiver) or None: whether a call is a then/catch/finally step
    step_memo: dict[int, tuple[str, Node] | None] = field(default_factory=dict)
    _functions: tuple[list[int], list[Node], list[int]] | None = None
    _kinds_any: dict[tuple[str, ...], tuple[list[int], list[Node]]] = field(default_factory=dict)
    _kinds: dict[str, tuple[list[int], list[Node]]] | None = None
    _assigned: frozenset[int] | None = None

    def assigned_positions(self) -> frozenset[int]:
        """Start bytes of identifiers that are assigned to (``x =``, ``x +=``, ``x++``...)."""
        if self._assigned is None:
            from ._analyse import assigned_positions

            self._assigned = assigned_positions(self)
        return self._assigned

    def name_positions(self) -> NamePositions:
        """Start bytes of every name of the module, by name, sorted (see NamePositions)."""
        if self._names is None:
            from ._analyse import NamePositions

            self._names = NamePositions(self)
        return self._names

    def nodes_of(self, kind: str) -> tuple[list[int], list[Node]]:
        """(start bytes, nodes) of every node of one statement kind, sorted, built once."""
        if self._kinds is None:
            from ._analyse import statement_index

            self._kinds = statement_index(self)
        return self._kinds.get(kind, ([], []))

    def nodes_of_any(self, kinds: tuple[str, ...]) -> tuple[list[int], list[Node]]:
        """(start bytes, nodes) of every node of any of the statement kinds, sorted (by start;
        on a tie, in the order of kinds), built once per tuple of kinds."""
        if len(kinds) == 1:
            return self.nodes_of(kinds[0])
        found = self._kinds_any.get(kinds)
        if found is None:
            nodes = sorted(
                (n for kind in kinds for n in self.nodes_of(kind)[1]), key=lambda n: n.start_byte
            )
            found = self._kinds_any[kinds] = ([n.start_byte for n in nodes], nodes)
        return found

    def functions(self) -> tuple[list[int], list[Node], list[int]]:
        """(start bytes, nodes, enclosing function's index) of every function of the module,
        sorted, built once."""
        if self._functions is None:
            from ._analyse import function_index

            self._functions = function_index(self)
        return self._functions

    def syntax_problem(self) -> SyntaxProblem | None:
        """The first ERROR or MISSING node, or None when the source parses cleanly."""
        return first_error(self)


def encode(source: str) -> bytes:
    """source as UTF-8; a lone surrogate (which UTF-8 cannot hold) is a located error."""
    try:
        return source.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = source.count("\n", 0, exc.start) + 1
        column = exc.start - (source.rfind("\n", 0, exc.start) + 1) + 1
        code = ord(source[exc.start])
        raise TranslationError(
            f"lone surrogate U+{code:04X} in the source (not valid Unicode text; "
            f"write it as an escape such as \\u{code:04x})",
            line=line,
            column=column,
            rule="encoding",
        ) from None


def check_size(data: bytes) -> None:
    """Refuse a source over MAX_SOURCE_BYTES, before parsing it."""
    if len(data) > MAX_SOURCE_BYTES:
        raise TranslationError(
            f"the source is {len(data) / 2**20:.1f} MiB; the translator takes at most "
            f"{MAX_SOURCE_BYTES // 2**20} MiB",
            rule="too-large",
        )


def parse(source: str | bytes, filename: str | None = None, *, lang: str | None = None) -> Parsed:
    """Parse source (str is encoded as UTF-8) with the grammar its filename asks for."""
    data = encode(source) if isinstance(source, str) else source
    name = lang or language_for(filename)
    # tree-sitter's lexers read a NUL byte as the end of the input, so a NUL inside a string
    # or comment (valid JS) would be an error. U+0001 is the same to a JS lexer (neither a
    # line terminator, space nor identifier character), has the same length, and is read
    # as a character: the tree of the stand-in text is the tree of the real one.
    tree_input = data.replace(b"\0", b"\x01") if b"\0" in data else data
    return Parsed(data, _parser(name).parse(tree_input), name)


def first_error(parsed: Parsed) -> SyntaxProblem | None:
    """Locate the earliest syntax error: an ERROR or MISSING node, else an early error."""
    root = parsed.root
    if not root.has_error:
        byte = early_error(parsed)
        if byte is None:
            return None
        line, column = parsed.position(byte)
        return SyntaxProblem(line, column)
    node = root
    # Descend to the innermost error: an outer ERROR node often spans everything from the
    # last good statement, while the innermost one sits where the parser got stuck.
    while True:
        nxt = next((c for c in node.children if c.has_error or c.is_missing), None)
        if nxt is None:
            break
        node = nxt
    line, column = parsed.position(node.start_byte)
    return SyntaxProblem(line, column)


# What tree-sitter's grammar accepts and JS rejects in scripts and modules alike, matched by
# one query (in C, in one pass: following node.parent in Python costs the depth of the node
# each time, quadratic on a chain thousands of steps deep). Patterns naming a node type a
# grammar does not have are left out for that grammar.
_EARLY_PATTERNS: dict[str, list[str]] = {
    # an expression statement cannot start with `function`, `class` or `async function`
    "head": [
        "(expression_statement) @statement",
        '(function_expression . ["function" "async"] @head)',
        '(function . ["function" "async"] @head)',
        '(class . "class" @head)',
    ],
    # an arrow function as an operand: `!x => 1`, `a + x => 1`
    "operand": [
        "(unary_expression argument: (arrow_function) @operand)",
        "(binary_expression left: (arrow_function) @operand)",
        "(binary_expression right: (arrow_function) @operand)",
        "(update_expression argument: (arrow_function) @operand)",
        "(await_expression (arrow_function) @operand)",
    ],
    "flags": ["(regex_flags) @flags"],
    # await outside an async function, or `await` as a name inside one
    "await": [
        '(await_expression . "await" @await)',
        '(for_in_statement "await" @await)',
        '((identifier) @await_name (#eq? @await_name "await"))',
        # not async: `await` is no keyword there
        "(class_static_block) @function",
        "(field_definition) @function",
        "(public_field_definition) @function",
    ],
    # errors in strict code only, which a module is (a source with import or export is one)
    "strict": [
        "(program (import_statement) @module)",
        "(program (export_statement) @module)",
        "(with_statement) @strict",
        '(unary_expression operator: "delete" argument: (identifier) @strict)',
        "(labeled_statement body: (function_declaration) @strict)",
        '((number) @strict (#match? @strict "^0[0-9]"))',  # legacy octal: 017, 09
        r'((escape_sequence) @strict (#match? @strict "^\\\\([1-9]|0[0-9])"))',  # "\01", "\8"
    ],
    # holes: `{a,,b}`, `f(,a)`... (arrays may have them)
    "hole": [],
}
_FUNCTION_KINDS = (
    "function_declaration",
    "function_expression",
    "function",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
    "generator_function",
)
_STRICT_WORDS = '"let" "static" "yield" "implements" "package" "protected" "interface" "private"'
for _kind in (
    "identifier",
    "shorthand_property_identifier",
    "shorthand_property_identifier_pattern",
):
    _EARLY_PATTERNS["strict"].append(
        f'(({_kind}) @strict (#any-of? @strict {_STRICT_WORDS} "public"))'
    )
for _kind in ("object", "object_pattern", "arguments", "named_imports", "export_clause"):
    _EARLY_PATTERNS["hole"] += [f'({_kind} "," @hole . ",")', f'({_kind} . "," @hole)']
# A group of patterns is matched only when its text is in the source: each pattern costs
# time on every node of the tree, and most modules have no holes, no `await`...
_EARLY_TRIGGERS = {
    "operand": re.compile(rb"=>"),
    "await": re.compile(rb"await"),
    "strict": re.compile(rb"\b(?:import|export)\b"),
    "hole": re.compile(rb"[,({]\s*,"),
}
_FLAGS = re.compile(rb"(?!.*(.).*\1)[dgimsuyv]*")


@functools.cache
def _early_query(lang: str, groups: tuple[str, ...]) -> Query:
    def compiles(pattern: str) -> bool:
        try:
            Query(language(lang), pattern)
        except Exception:  # a node type or field this grammar does not have
            return False
        return True

    patterns = [p for g in groups for p in _EARLY_PATTERNS[g] if compiles(p)]
    if "await" in groups:  # one pattern per capture: each pattern costs time on every node
        kinds = [k for k in _FUNCTION_KINDS if compiles(f"({k})")]
        patterns.append("[" + " ".join(f"({k})" for k in kinds) + "] @function")
        patterns.append("[" + " ".join(f'({k} "async")' for k in kinds) + "] @async")
    query: Query = Query(language(lang), "\n".join(patterns))
    return query


def early_error(parsed: Parsed) -> int | None:
    """The byte of the first mistake that tree-sitter's grammar lets through and that every
    JS engine reports as a SyntaxError (an "early error"), or None. A source with import or
    export is a module, so strict code; any other is accepted when it is valid as a script
    or as a module."""
    groups = tuple(
        g
        for g in _EARLY_PATTERNS
        if g not in _EARLY_TRIGGERS or _EARLY_TRIGGERS[g].search(parsed.source)
    )
    found = QueryCursor(_early_query(parsed.language, groups)).captures(parsed.root)
    bad: list[int] = []
    statements = {n.start_byte for n in found.get("statement", [])}
    bad += [n.start_byte for n in found.get("head", []) if n.start_byte in statements]
    bad += [n.start_byte for n in found.get("operand", [])]
    bad += [n.start_byte for n in found.get("hole", [])]
    for n in found.get("flags", []):
        flags = parsed.source[n.start_byte : n.end_byte]
        if not _FLAGS.fullmatch(flags) or (b"u" in flags and b"v" in flags):
            bad.append(n.start_byte)
    module = bool(found.get("module"))
    if module:  # `await` is no name anywhere in a module either
        bad += [n.start_byte for n in found.get("strict", []) + found.get("await_name", [])]
    awaits = found.get("await", [])
    names = [] if module else found.get("await_name", [])
    if awaits or names:
        asyncs = {n.id for n in found.get("async", [])}
        functions = [(n.start_byte, n.end_byte, n.id in asyncs) for n in found.get("function", [])]
        points = [(n.start_byte, True) for n in awaits] + [(n.start_byte, False) for n in names]
        for byte, keyword, in_async in _innermost(functions, points):
            # the keyword at module level is top-level await (a module), fine
            if (keyword and in_async is False) or (not keyword and in_async is True):
                bad.append(byte)
    return min(bad, default=None)


def _innermost(
    functions: list[tuple[int, int, bool]], points: list[tuple[int, bool]]
) -> list[tuple[int, bool, bool | None]]:
    """For each point (byte, tag): (byte, tag, whether the innermost function holding it is
    async, None outside any), in one sweep: functions nest, so open ones form a stack."""
    functions.sort(key=lambda f: (f[0], -f[1]))
    points.sort()
    out: list[tuple[int, bool, bool | None]] = []
    stack: list[tuple[int, int, bool]] = []
    i = 0
    for byte, tag in points:
        while i < len(functions) and functions[i][0] <= byte:
            while stack and stack[-1][1] <= functions[i][0]:
                stack.pop()
            stack.append(functions[i])
            i += 1
        while stack and stack[-1][1] <= byte:
            stack.pop()
        out.append((byte, tag, stack[-1][2] if stack else None))
    return out


class _LineTable:
    """Byte offset -> (line, character column), each in logarithmic time."""

    _STRIDE = 1 << 16

    def __init__(self, source: bytes) -> None:
        self.source = source
        self.starts = [0] + [m.end() for m in re.finditer(b"\n", source)]
        self.ascii = source.isascii()
        # Characters before every _STRIDE-th byte: a UTF-8 character is one byte that is
        # not a continuation byte (0b10xxxxxx); an offset is always at a character start.
        self.chars = [0]
        if not self.ascii:
            for k in range(self._STRIDE, len(source) + 1, self._STRIDE):
                chunk = source[k - self._STRIDE : k]
                self.chars.append(self.chars[-1] + len(chunk) - _continuations(chunk))

    def _chars_before(self, byte: int) -> int:
        if self.ascii:
            return byte
        k = min(byte // self._STRIDE, len(self.chars) - 1)
        chunk = self.source[k * self._STRIDE : byte]
        return self.chars[k] + len(chunk) - _continuations(chunk)

    def position(self, byte: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, byte)
        start = self.starts[line - 1]
        return line, self._chars_before(byte) - self._chars_before(start) + 1


_NOT_CONTINUATION = bytes(b for b in range(256) if not 0x80 <= b < 0xC0)


def _continuations(chunk: bytes) -> int:
    return len(chunk.translate(None, _NOT_CONTINUATION))


def deepest(parsed: Parsed) -> tuple[int, int, int]:
    """(depth, line, column) of the most deeply nested node, found without recursion: where
    to point when a source nests deeper than the translator's recursion can follow."""
    cursor = parsed.root.walk()
    depth = best = 0
    best_byte = 0
    while True:
        if depth > best:
            best, best_byte = depth, cursor.node.start_byte if cursor.node else 0
        if cursor.goto_first_child():
            depth += 1
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                line, column = parsed.position(best_byte)
                return best, line, column
            depth -= 1
