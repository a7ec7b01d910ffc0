"""Finding promise chains in a parsed module and describing them with the chain model.

``find_chains(parsed)`` returns every outermost ``x.then(...)/.catch(...)/.finally(...)``
call chain as a ``Chain``; ``Index`` answers the name questions the rules ask (is this name
used anywhere else in that function? is this name a word of the file?). Everything is found
by position in indexes built from one query over the module (``module_scan``): names, then
statements, functions and try statements by kind, rather than by walking or climbing the tree
in Python (``Node.parent`` descends from the root each time), so a 20,000-line file takes a
fraction of a second.

Analysis never refuses: refusing is the rules' job (``Unsafe``), so that every refusal has a
rule name and a message.
"""

from __future__ import annotations

import bisect
import functools
import re
import weakref
from collections import defaultdict
from collections.abc import Iterator, Set
from typing import overload

from tree_sitter import Node, Query, QueryCursor

from ._model import Chain, Context, Handler, HandlerKind, Param, Sink, Step
from ._parse import Parsed, language

STEP_NAMES = ("then", "catch", "finally")
_STEP_BYTES = {name.encode(): name for name in STEP_NAMES}

FUNCTION_TYPES = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",  # older grammars
        "arrow_function",
        "method_definition",
        "generator_function",
        "generator_function_declaration",
    }
)
# Identifier-like node types whose text is a name in some scope.
NAME_TYPES = (
    "identifier",
    "shorthand_property_identifier",
    "shorthand_property_identifier_pattern",
)


class Unsafe(Exception):
    """A rule found that a chain cannot be rewritten equivalently; carries the diagnostic."""

    def __init__(self, rule: str, message: str, node: Node) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.node = node


@functools.cache
def _query(lang: str, text: str) -> Query:
    query: Query = Query(language(lang), text)
    return query


def captures(parsed: Parsed, node: Node, text: str) -> dict[str, list[Node]]:
    """Run a tree-sitter query below node (in C: this is what keeps analysis fast).

    Over the whole module, the standard queries are answered from one combined pass
    (``module_scan``) instead of one tree traversal each."""
    if node == parsed.root and text in _SCANNED:
        scan = module_scan(parsed)
        return {name: scan.get(f"{_SCANNED[text]}.{name}", []) for name in _names_of(text)}
    return QueryCursor(_query(parsed.language, text)).captures(node)


def _names_of(text: str) -> set[str]:
    return set(re.findall(r"@([A-Za-z_.]+)", text))


def module_scan(parsed: Parsed) -> dict[str, list[Node]]:
    """All standard module-wide queries in one traversal, captures prefixed by query number."""
    cached = getattr(parsed, "_scan", None)
    if cached is None:
        parts = [
            re.sub(r"@([A-Za-z_]+)", rf"@{prefix}.\1", text) for text, prefix in _SCANNED.items()
        ]
        cached = QueryCursor(_query(parsed.language, "\n".join(parts))).captures(parsed.root)
        object.__setattr__(parsed, "_scan", cached)
    return cached


_NAMES_QUERY = " ".join(f"({t}) @n" for t in NAME_TYPES)
# Every method call; step_calls keeps the then/catch/finally ones. Asking the query for the
# property (`function: (member_expression property: ...)`) keeps a match pending across
# the whole receiver, which on a chain is the rest of the chain: quadratic (11 s for a
# chain of 10,000 steps, against 0.06 s for this).
_STEP_QUERY = "(call_expression function: (member_expression)) @call"
# `\bnew\s+Name`, with the word boundary checked behind the literal `new`: a pattern that
# starts with a literal lets the regex engine jump between its occurrences (~40x faster).
_NEW_NAME = re.compile(rb"new(?<!\wnew)\s+([A-Za-z_$][A-Za-z0-9_$]*)")


class NamePositions:
    """Start bytes of every name of the module, by name, in order; read like a dict
    (``get(name, default)``).

    ASCII sources (nearly all) are searched with a regular expression over the source with its
    strings and comments blanked out, skipping property names after ``.`` (``...spread`` is
    kept): a superset of the identifier nodes (object keys count too), which only ever makes
    the name checks more careful. Each name is searched for when first asked about: the rules
    ask about a few dozen names, so collecting all of them up front cost more. Other sources
    use the tree's identifier nodes, all collected at once."""

    def __init__(self, parsed: Parsed) -> None:
        # A weak reference: the Parsed keeps this index, and a cycle would keep both alive
        # until the next cyclic GC pass (paused while translating).
        self._parsed = weakref.ref(parsed)
        self._memo: dict[str, list[int]] = {}
        self._masked: bytes | None = None
        self._all: dict[str, list[int]] | None = None

    @overload
    def get(self, name: str) -> list[int] | None: ...
    @overload
    def get(self, name: str, default: list[int]) -> list[int]: ...

    def get(self, name: str, default: list[int] | None = None) -> list[int] | None:
        found = self._memo.get(name)
        if found is None:
            found = self._memo[name] = self._find(name)
        return found if found else default

    def _find(self, name: str) -> list[int]:
        parsed = self._parsed()
        assert parsed is not None  # asked through its Parsed
        src = parsed.source
        if not src.isascii():
            if self._all is None:
                self._all = _tree_names(parsed)
            return self._all.get(name, [])
        if not _IDENT.fullmatch(name):
            return []
        if self._masked is None:
            self._masked = _masked(parsed)
        word = re.escape(name.encode("ascii"))
        # A whole name: not after `.` (a property) or a name character, unless after `...`
        # (a spread); not followed by a name character. The literal comes first, so that the
        # search can skip ahead from one occurrence to the next.
        pattern = word + rb"(?:(?<=\.\.\." + word + rb")|(?<![.\w$]" + word + rb"))(?![\w$])"
        return [m.start() for m in re.finditer(pattern, self._masked)]


_IDENT = re.compile(r"[A-Za-z_$][\w$]*", re.ASCII)


def _tree_names(parsed: Parsed) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = defaultdict(list)
    src = parsed.source
    for node in captures(parsed, parsed.root, _NAMES_QUERY).get("n", []):
        positions[src[node.start_byte : node.end_byte].decode()].append(node.start_byte)
    for lst in positions.values():
        lst.sort()
    return dict(positions)


def _masked(parsed: Parsed) -> bytes:
    """The source with strings and comments blanked out (templates are kept: their ${...}
    hold real names)."""
    masked = bytearray(parsed.source)
    strings = captures(parsed, parsed.root, TEMPLATES_QUERY).get("t", [])
    comments = captures(parsed, parsed.root, COMMENTS_QUERY).get("c", [])
    for node in strings + comments:
        if node.type != "template_string":
            masked[node.start_byte : node.end_byte] = b" " * (node.end_byte - node.start_byte)
    return bytes(masked)


_ASSIGNED_QUERY = """
(assignment_expression left: (_) @a)
(augmented_assignment_expression left: (_) @a)
(update_expression argument: (_) @a)
(for_in_statement left: (_) @a)
"""


def assigned_positions(parsed: Parsed) -> frozenset[int]:
    out: set[int] = set()
    for target in captures(parsed, parsed.root, _ASSIGNED_QUERY).get("a", []):
        target = unparen(target)
        if target.type == "identifier":
            out.add(target.start_byte)
        elif target.type in ("array_pattern", "object_pattern"):
            for n in walk(target):
                if n.type in ("identifier", "shorthand_property_identifier_pattern"):
                    out.add(n.start_byte)
    return frozenset(out)


INDEXED_KINDS = (
    "try_statement",
    "return_statement",
    "throw_statement",
    "variable_declaration",
    "function_declaration",
    "generator_function_declaration",
)


def statement_index(parsed: Parsed) -> dict[str, tuple[list[int], list[Node]]]:
    """One query over the module for the statement kinds rules look for, by kind, sorted."""
    out = {}
    for kind, nodes in captures(parsed, parsed.root, _STATEMENTS_QUERY).items():
        nodes.sort(key=lambda n: n.start_byte)
        out[kind] = ([n.start_byte for n in nodes], nodes)
    return out


def own_nodes(parsed: Parsed, body: Node, fn: Node, types: tuple[str, ...]) -> list[Node]:
    """Nodes of the given types inside body that belong to fn (not to a nested function).

    Found by position, without climbing the tree (tree-sitter answers ``Node.parent`` by
    descending from the root): a node is fn's unless it lies inside a function that starts
    inside body (a nested function's own node, a declaration, is still fn's)."""
    lo_byte, hi_byte = body.start_byte, body.end_byte
    starts, nodes = parsed.nodes_of_any(types)
    a = bisect.bisect_left(starts, lo_byte)
    b = bisect.bisect_left(starts, hi_byte)
    if a == b:
        return []
    candidates = nodes[a:b]
    fstarts, fnodes, _ = parsed.functions()
    lo = bisect.bisect_left(fstarts, lo_byte)
    hi = bisect.bisect_left(fstarts, hi_byte)
    # The outermost functions nested in body, in order: everything inside one is not fn's.
    holes: list[tuple[int, int, int]] = []
    for f in fnodes[lo:hi]:
        if f.start_byte >= (holes[-1][1] if holes else -1):
            holes.append((f.start_byte, f.end_byte, f.id))
    if holes:
        hole_starts = [h[0] for h in holes]
        found = []
        for n in candidates:
            i = bisect.bisect_right(hole_starts, n.start_byte) - 1
            if i < 0 or n.end_byte > holes[i][1] or n.id == holes[i][2]:
                found.append(n)
        candidates = found
    return candidates


def function_index(parsed: Parsed) -> tuple[list[int], list[Node], list[int]]:
    """(start bytes, nodes, index of the enclosing function or -1) of every function of the
    module, sorted by start (outer first on ties)."""
    nodes = captures(parsed, parsed.root, FUNCTIONS_QUERY).get("fn", [])
    nodes.sort(key=lambda n: (n.start_byte, -n.end_byte))
    parents: list[int] = []
    ends: list[int] = []
    open_: list[int] = []  # the functions around the current one, innermost last
    for j, f in enumerate(nodes):
        end = f.end_byte
        ends.append(end)
        while open_ and ends[open_[-1]] < end:  # functions nest or are disjoint
            open_.pop()
        parents.append(open_[-1] if open_ else -1)
        open_.append(j)
    return [n.start_byte for n in nodes], nodes, parents


class Index:
    """Every name occurrence of a module, by name, sorted by position."""

    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed
        self.positions = parsed.name_positions()
        # Fresh names must not collide with anything, not even a property or a word in a
        # comment (a reader would be misled), so they avoid every word of the file.
        self._word_memo: dict[str, bool] = {}
        self._words: set[str] | None = None
        # Names handed out, by region (a function node's id; -1 for the module): a region's
        # own, and its own plus its nested regions'. A fresh name must be free in the region,
        # in every region nested in it and in every region around it: it shadows nothing.
        self._own: dict[int, set[str]] = defaultdict(set)
        self._subtree: dict[int, set[str]] = defaultdict(set)
        self._next: dict[tuple[str, int], int] = {}
        # Names used as constructors anywhere (`new Foo`): such functions cannot become async.
        self.constructed = {m.group(1).decode("ascii") for m in _NEW_NAME.finditer(parsed.source)}

    def occurs_outside(
        self, name: str, region: Node | None, inside: Node, ignoring: Set[int] = frozenset()
    ) -> bool:
        """Whether name occurs in region (whole module when None) outside the node inside;
        ``ignoring``: start bytes of occurrences that do not count."""
        pos = self.positions.get(name)
        if not pos:
            return False
        start, end = (0, len(self.parsed.source)) if region is None else _range(region)
        lo, hi = bisect.bisect_left(pos, start), bisect.bisect_left(pos, end)
        a, b = _range(inside)
        in_inside = bisect.bisect_left(pos, b) - bisect.bisect_left(pos, a)
        in_region = hi - lo
        if ignoring:
            in_region -= sum(1 for at in pos[lo:hi] if at in ignoring)
        return in_region > in_inside  # inside lies within region

    def is_word(self, name: str) -> bool:
        """Whether name is a word of the file (anywhere: code, property, string, comment).

        Usually asked of a few candidate names only, so each is looked for in the source
        (memoized) rather than every word of the file collected; past _WORD_SCANS names
        (a chain of thousands of steps asks for as many), the words are collected once."""
        if self._words is not None:
            return name in self._words
        found = self._word_memo.get(name)
        if found is None:
            if len(self._word_memo) >= _WORD_SCANS:
                self._words = {w.decode() for w in set(_WORD.findall(self.parsed.source))}
                return name in self._words
            found = self._word_memo[name] = _has_word(self.parsed.source, name.encode())
        return found

    def module_names(self) -> bool:
        """Whether a name was handed out at module level (every region's fresh names then
        depend on it: see ``fresh``)."""
        return bool(self._own.get(-1))

    def fresh(self, base: str, region: Node | None = None, *, property_ok: bool = False) -> str:
        """A name for a temporary of region (a function; None for the module): base, base2...

        Used nowhere in the file, and not handed out to this region, to a region inside it or
        to one around it, so it shadows nothing; two separate functions may both get
        ``value``. ``property_ok``: a word found only as property names after ``.``
        (``this.onData``) counts as unused (a variable of that name shadows nothing)."""
        rid = -1 if region is None else region.id
        around = [] if region is None else [-1, *_function_ids_around(self.parsed, region)]
        n = self._next.get((base, rid), 1)
        while True:
            name = base if n == 1 else f"{base}{n}"
            if (
                (
                    not self.is_word(name)
                    or (property_ok and _only_as_property(self.parsed.source, name))
                )
                and name not in _RESERVED
                and name not in self._subtree[rid]
                and not any(name in self._own[a] for a in around)
            ):
                break
            n += 1
        self._next[(base, rid)] = n + 1
        self._own[rid].add(name)
        for a in (rid, *around):
            self._subtree[a].add(name)
        return name


def _only_as_property(source: bytes, name: str) -> bool:
    """Whether every occurrence of the word name follows a ``.`` that is not ``...``."""
    word = re.escape(name.encode())
    for m in re.finditer(rb"(?<![A-Za-z0-9_$])" + word + rb"(?![A-Za-z0-9_$])", source):
        at = m.start() - 1
        while at >= 0 and source[at] in b" \t\r\n":
            at -= 1
        if at < 0 or source[at] != ord(".") or source[max(at - 2, 0) : at + 1] == b"...":
            return False
    return True


def _has_word(source: bytes, word: bytes) -> bool:
    """Whether word (a name) is one of the words ``[A-Za-z_$][A-Za-z0-9_$]*`` that a scan of
    source from left to right finds: a whole word, where digits before it (``2value``) do
    not belong to a word unless a letter comes before them."""
    at = source.find(word)
    while at >= 0:
        end = at + len(word)
        if end == len(source) or source[end] not in _WORD_BYTES:
            start = at
            while start > 0 and source[start - 1] in _DIGITS:
                start -= 1
            if start == 0 or source[start - 1] not in _WORD_BYTES:
                return True
        at = source.find(word, at + 1)
    return False


# The words _has_word finds, all at once (a left-to-right scan: `2value` holds `value`).
_WORD = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*")
_WORD_SCANS = 64
_DIGITS = frozenset(b"0123456789")
_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$")


def _function_ids_around(parsed: Parsed, node: Node) -> list[int]:
    out = []
    p = function_of(parsed, node)
    while p is not None:
        out.append(p.id)
        p = function_of(parsed, p)
    return out


_RESERVED = frozenset({"arguments", "eval", "await", "yield", "let", "static", "implements"})


def _range(node: Node) -> tuple[int, int]:
    return node.start_byte, node.end_byte


def walk(node: Node) -> Iterator[Node]:
    """Every node below node (pre-order), node included."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def walk_own(node: Node) -> Iterator[Node]:
    """Nodes below node that belong to node's function: nested functions are not entered
    (a nested function node itself is yielded, its insides are not)."""
    stack = list(reversed(node.children))
    while stack:
        n = stack.pop()
        yield n
        if n.type not in FUNCTION_TYPES:
            stack.extend(reversed(n.children))


def function_of(parsed: Parsed, node: Node) -> Node | None:
    """The innermost function around node (not node itself: its nearest ancestor of a
    FUNCTION_TYPES type), found by position in the module's function index instead of
    climbing parent by parent (each Node.parent is a descent from the root).

    The function starting last before node is inside the one sought (or is it), which is then
    found among its enclosing functions."""
    starts, fns, parents = parsed.functions()
    start, end = node.start_byte, node.end_byte
    i = bisect.bisect_right(starts, start) - 1
    while i >= 0:
        f = fns[i]
        # Around node: covers it, and is not node itself or inside it (a node whose range is
        # a function's, like `x => 1` as a statement without a semicolon, is outside it).
        if f.end_byte >= end and (f.start_byte != start or f.end_byte != end):
            return f
        i = parents[i]
    return None


def is_async(fn: Node | None) -> bool:
    if fn is None:
        return False
    if fn.type in _STARTS_WITH_ASYNC:  # `async` can only come first: one child looked at
        first = fn.child(0)
        return first is not None and first.type == "async"
    return any(c.type == "async" for c in fn.children)


# Function kinds whose `async` keyword, when present, is their first child (methods may have
# modifiers and decorators before it).
_STARTS_WITH_ASYNC = frozenset({"arrow_function", "function_expression", "function_declaration"})


def is_generator(fn: Node) -> bool:
    t = fn.type
    if t.startswith("generator_function"):
        return True
    if t in _STARTS_WITH_ASYNC:  # `function*` has node types of its own; arrows cannot be
        return False
    return any(c.type == "*" for c in fn.children)  # a method: `*gen() {}`


def unparen(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        child = node.named_children[0]
        assert child is not None
        node = child
    return node


def _step_of(parsed: Parsed, call: Node) -> tuple[str, Node] | None:
    """(method, receiver) when call is ``receiver.then/catch/finally(...)`` (no ``?.``)."""
    if call.type != "call_expression":
        return None
    memo = parsed.step_memo
    key = call.id
    if key in memo:
        return memo[key]
    memo[key] = found = _step_of_uncached(parsed, call)
    return found


def _step_of_uncached(parsed: Parsed, call: Node) -> tuple[str, Node] | None:
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "member_expression":
        return None
    prop = fn.child_by_field_name("property")
    obj = fn.child_by_field_name("object")
    if prop is None or obj is None or prop.type != "property_identifier":
        return None
    src = parsed.source
    name = src[prop.start_byte : prop.end_byte]
    if name not in _STEP_BYTES:
        return None
    # `p?.then(f)` and `p.then?.(f)` may not call anything: not a chain. Only when a `?`
    # sits between the receiver and the arguments are the children looked at.
    args = call.child_by_field_name("arguments")
    after = call.end_byte if args is None else args.start_byte
    maybe_optional = b"?" in src[obj.end_byte : prop.start_byte] or b"?" in src[fn.end_byte : after]
    if maybe_optional and (
        any(c.type == "optional_chain" for c in fn.children)
        or any(c.type == "optional_chain" for c in call.children)
    ):
        return None
    return _STEP_BYTES[name], obj


def step_calls(parsed: Parsed) -> list[Node]:
    """Every ``x.then/catch/finally(...)`` call of the module (steps, and calls that look
    like them), in source order."""
    src = parsed.source
    found = []
    for call in captures(parsed, parsed.root, _STEP_QUERY).get("call", []):
        fn = call.child_by_field_name("function")
        prop = fn.child_by_field_name("property") if fn is not None else None
        if prop is not None and src[prop.start_byte : prop.end_byte] in _STEP_BYTES:
            found.append(call)
    return sorted(found, key=_start)


def _start(node: Node) -> int:
    return node.start_byte


def chain_nodes(
    parsed: Parsed, lo: int = 0, hi: int | None = None, calls: list[Node] | None = None
) -> list[Node]:
    """The outermost step call of every chain (of those starting in source[lo:hi], a range
    of whole top-level statements), in source order (outer before inner). ``calls``: the
    module's ``step_calls``, when the caller has them already."""
    if calls is None:
        calls = step_calls(parsed)
    if lo > 0 or hi is not None:
        starts = [c.start_byte for c in calls]
        a = bisect.bisect_left(starts, lo)
        calls = calls[a : len(calls) if hi is None else bisect.bisect_left(starts, hi)]
    # A call is outermost unless it is the receiver of another step (what _outer climbs
    # through). Marked top-down from each step: climbing with Node.parent (which tree-sitter
    # answers by descending from the root) made a chain of n steps cost O(n^3).
    receivers: set[int] = set()
    for call in calls:
        found = _step_of(parsed, call)
        if found is not None and found[1].type == "call_expression":
            receivers.add(found[1].id)
    seen: set[tuple[int, int]] = set()
    nodes = []
    for call in calls:
        if call.id in receivers:
            continue
        key = _range(call)
        if key not in seen:
            seen.add(key)
            nodes.append(call)
    nodes.sort(key=lambda n: (n.start_byte, -n.end_byte))
    return nodes


def find_chains(parsed: Parsed) -> list[Chain]:
    """Every outermost promise chain of the module, in source order."""
    return [describe(parsed, node) for node in chain_nodes(parsed)]


def describe(parsed: Parsed, outer: Node) -> Chain:
    """The Chain model of an outermost step call."""
    steps: list[Step] = []
    node = outer
    while True:
        found = _step_of(parsed, node)
        if found is None:
            break
        method, receiver = found
        steps.append(_step(parsed, method, node))
        node = receiver
    steps.reverse()
    base = node
    fn = function_of(parsed, outer)
    context, statement, sink = _context(parsed, outer)
    return Chain(
        node=outer,
        base=base,
        steps=steps,
        context=context,
        statement=statement,
        function=fn,
        function_is_async=is_async(fn),
        sink=sink,
    )


def call_args(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [c for c in args.named_children if c.type != "comment"]


def _step(parsed: Parsed, method: str, call: Node) -> Step:
    args = call_args(call)
    handlers = [describe_handler(parsed, a) for a in args]
    if method == "then":
        return Step(
            "then",
            call,
            on_fulfilled=handlers[0] if handlers else None,
            on_rejected=handlers[1] if len(handlers) > 1 else None,
            args=args,
        )
    if method == "catch":
        return Step("catch", call, on_rejected=handlers[0] if handlers else None, args=args)
    return Step("finally", call, on_finally=handlers[0] if handlers else None, args=args)


_NON_CALLABLE = frozenset(
    {
        "number",
        "string",
        "template_string",
        "null",
        "undefined",
        "true",
        "false",
        "object",
        "array",
        "regex",
    }
)


def describe_handler(parsed: Parsed, node: Node) -> Handler:
    node_u = unparen(node)
    if node_u.type in ("arrow_function", "function_expression", "function"):
        kind = HandlerKind.ARROW if node_u.type == "arrow_function" else HandlerKind.FUNCTION
        body = node_u.child_by_field_name("body")
        handler = Handler(node_u, kind, body=body, is_async=is_async(node_u))
        handler.params = _params(parsed, node_u, body)
        return handler
    if node_u.type in _NON_CALLABLE or (
        node_u.type == "identifier" and parsed.text(node_u) == "undefined"
    ):
        return Handler(node_u, HandlerKind.NON_CALLABLE)
    return Handler(node_u, HandlerKind.REFERENCE)


def _params(parsed: Parsed, fn: Node, body: Node | None) -> list[Param]:
    single = fn.child_by_field_name("parameter")
    if single is not None:
        nodes = [single]
    else:
        params = fn.child_by_field_name("parameters")
        nodes = [] if params is None else [c for c in params.named_children if c.type != "comment"]
    result = []
    positions = parsed.name_positions()
    assigned_at = parsed.assigned_positions()
    for p in nodes:
        pattern = p
        if p.type in ("required_parameter", "optional_parameter"):
            pat = p.child_by_field_name("pattern")
            pattern = pat if pat is not None else p
        if pattern.type == "identifier":
            names: tuple[str, ...] = (parsed.text(pattern),)
        else:
            names = tuple(sorted(_bound_names(parsed, pattern)))
        used = assigned = False
        if body is not None:
            for name in names:
                # the file's name index, bisected to the body: no tree walk per handler
                pos = positions.get(name, [])
                lo = bisect.bisect_left(pos, body.start_byte)
                hi = bisect.bisect_left(pos, body.end_byte)
                if lo < hi:
                    used = True
                    assigned = assigned or not assigned_at.isdisjoint(pos[lo:hi])
        result.append(Param(p, pattern, names, used, assigned))
    return result


def _bound_names(parsed: Parsed, pattern: Node) -> set[str]:
    """Names a parameter pattern binds (not default values, not property keys)."""
    # An explicit stack, not a recursive closure: a closure that calls itself is a reference
    # cycle, which kept every Parsed (tree, memos) alive until the next cyclic GC pass.
    out: set[str] = set()
    stack = [pattern]
    while stack:
        n = stack.pop()
        t = n.type
        if t in ("identifier", "shorthand_property_identifier_pattern"):
            out.add(parsed.text(n))
        elif t == "pair_pattern":
            value = n.child_by_field_name("value")
            if value is not None:
                stack.append(value)
        elif t in ("assignment_pattern", "object_assignment_pattern"):
            left = n.child_by_field_name("left")
            if left is not None:
                stack.append(left)
        elif t in ("object_pattern", "array_pattern", "rest_pattern"):
            stack.extend(n.named_children)
    return out


def _is_assigned(ident: Node) -> bool:
    parent = ident.parent
    while parent is not None and parent.type in (
        "parenthesized_expression",
        "array_pattern",
        "object_pattern",
        "pair_pattern",
        "shorthand_property_identifier_pattern",
        "rest_pattern",
    ):
        ident, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type in ("assignment_expression", "augmented_assignment_expression"):
        return parent.child_by_field_name("left") == ident
    if parent.type == "update_expression":
        return True
    return parent.type in ("for_in_statement",) and parent.child_by_field_name("left") == ident


def _unparenthesized(node: Node) -> tuple[Node, Node | None]:
    """``node`` with the parentheses around it, and the parent of the outermost pair."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    return node, parent


def _context(parsed: Parsed, chain: Node) -> tuple[Context, Node | None, Sink | None]:
    node, parent = _unparenthesized(chain)
    if parent is None:
        return Context.VALUE, None, None
    t = parent.type
    if t == "return_statement":
        return Context.RETURNED, parent, Sink("return")
    if t == "arrow_function" and parent.child_by_field_name("body") == node:
        return Context.ARROW_BODY, node, Sink("return")
    if t == "expression_statement":
        return Context.STATEMENT, parent, Sink("discard")
    if t == "await_expression":
        return _awaited(parsed, parent)
    if t in ("variable_declarator", "assignment_expression", "public_field_definition"):
        return Context.STORED, parent, None
    return Context.VALUE, None, None


def _awaited(parsed: Parsed, await_node: Node) -> tuple[Context, Node | None, Sink | None]:
    node, parent = _unparenthesized(await_node)
    if parent is None:
        return Context.VALUE, None, None
    t = parent.type
    if t == "return_statement":
        return Context.AWAITED, parent, Sink("return")
    if t == "expression_statement":
        return Context.AWAITED, parent, Sink("discard")
    if t == "variable_declarator" and parent.child_by_field_name("value") == node:
        decl = parent.parent
        if (
            decl is not None
            and decl.type in ("lexical_declaration", "variable_declaration")
            and decl.named_child_count == 1
            and decl.parent is not None
        ):
            kind = parsed.text(decl.children[0])
            where = decl.parent.type
            if where in ("statement_block", "program", "switch_case", "switch_default"):
                return Context.AWAITED, decl, Sink("declare", parent, kind)
            if (
                where == "export_statement"
                and decl.parent.child_by_field_name("declaration") == decl
            ):
                # `export const x = await chain;` at a module's top level
                return Context.AWAITED, decl.parent, Sink("declare", parent, f"export {kind}")
    if t == "assignment_expression" and parent.child_by_field_name("right") == node:
        left = parent.child_by_field_name("left")
        stmt = parent.parent
        if (
            left is not None
            and left.type == "identifier"
            and stmt is not None
            and stmt.type == "expression_statement"
        ):
            return Context.AWAITED, stmt, Sink("assign", left)
    return Context.VALUE, None, None


# The module-wide queries answered by one combined pass (see ``captures``).
FUNCTIONS_QUERY = " ".join(f"({t}) @fn" for t in sorted(FUNCTION_TYPES - {"function"}))
TEMPLATES_QUERY = "(template_string) @t (string) @t"
COMMENTS_QUERY = "(comment) @c"
_STATEMENTS_QUERY = " ".join(f"({t}) @{t}" for t in INDEXED_KINDS)
_SCANNED: dict[str, str] = {
    q: f"q{i}"
    for i, q in enumerate(
        [
            _STEP_QUERY,
            _ASSIGNED_QUERY,
            _STATEMENTS_QUERY,
            FUNCTIONS_QUERY,
            TEMPLATES_QUERY,
            COMMENTS_QUERY,
        ]
    )
}
