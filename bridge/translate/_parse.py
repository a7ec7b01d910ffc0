"""Parsing: JavaScript and TypeScript source -> a tree-sitter tree, and syntax errors located.

Used by every translator stage (the JS and the Python target alike): parse once, keep the
bytes, and refer to source by byte ranges of tree-sitter nodes. Columns reported to users are
1-based and counted in characters, not bytes, so that editors jump to the right place.

The grammar is picked by file extension (``.js .mjs .cjs .jsx`` -> JavaScript with JSX,
``.ts`` -> TypeScript, ``.tsx`` -> TSX); without a filename the input is JavaScript.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Tree

if TYPE_CHECKING:
    from ._analyse import NamePositions

EXTENSIONS = {
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".tsx": "tsx",
}


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
        """1-based (line, character column) of a byte offset."""
        line_start = self.source.rfind(b"\n", 0, byte) + 1
        line = self.source.count(b"\n", 0, byte) + 1
        column = len(self.source[line_start:byte].decode("utf-8", errors="replace")) + 1
        return line, column

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


def parse(source: str | bytes, filename: str | None = None, *, lang: str | None = None) -> Parsed:
    """Parse source (str is encoded as UTF-8) with the grammar its filename asks for."""
    data = source.encode("utf-8") if isinstance(source, str) else source
    name = lang or language_for(filename)
    return Parsed(data, _parser(name).parse(data), name)


def first_error(parsed: Parsed) -> SyntaxProblem | None:
    """Locate the earliest syntax error (tree-sitter marks them as ERROR or MISSING nodes)."""
    root = parsed.root
    if not root.has_error:
        return None
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
