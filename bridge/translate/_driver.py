"""The JS pipeline: parse, find chains, lower each (or diagnose why not), splice, re-parse.

A chain is rewritten only when every rule agrees; a function becomes ``async`` only when every
chain it returns is rewritten. The output is parsed again; a rewrite that would not parse is
dropped (and reported) rather than emitted.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
from collections import defaultdict
from dataclasses import dataclass

from tree_sitter import Node

from .._exceptions import TranslationError
from . import _fork
from ._analyse import FUNCTION_TYPES, Index, Unsafe, chain_nodes, describe, step_calls
from ._emit_js import Edit, JSEmitter, apply
from ._lower import Lowered, lower
from ._model import Diagnostic, Translation
from ._parse import Parsed, parse


def parse_or_raise(source: str | bytes, filename: str | None) -> Parsed:
    """Parse, or raise TranslationError(rule="syntax") at the first syntax error."""
    parsed = parse(source, filename)
    problem = parsed.syntax_problem()
    if problem is not None:
        raise TranslationError(
            f"syntax error at line {problem.line}, column {problem.column}",
            line=problem.line,
            column=problem.column,
            rule="syntax",
        )
    return parsed


def _diag(parsed: Parsed, node: Node, rule: str, message: str) -> Diagnostic:
    line, col = parsed.position(node.start_byte)
    # One line, whatever source text a rule quoted (a handler spread over several lines).
    return Diagnostic(line, col, rule, " ".join(message.split()))


def lower_chains(
    parsed: Parsed, index: Index, nodes: list[Node]
) -> tuple[list[Lowered], list[Diagnostic]]:
    """The chains of nodes (outermost step calls, in source order) lowered, plus diagnostics
    for those left alone. Chains of one function must come in one call (sibling returns)."""
    diagnostics: list[Diagnostic] = []
    claimed: list[tuple[int, int]] = []
    lowered: list[Lowered] = []
    failed_functions: set[int] = set()
    for node in nodes:
        s = node.start_byte
        # Claimed ranges are disjoint and claimed in source order: only the last can hold s.
        if claimed and claimed[-1][0] <= s < claimed[-1][1]:
            continue  # part of a chain already rewritten (its text is copied as it is)
        chain = describe(parsed, node)
        try:
            low = lower(parsed, index, chain)
        except (Unsafe, RecursionError) as exc:
            if isinstance(exc, Unsafe):
                diagnostics.append(_diag(parsed, exc.node, exc.rule, exc.message))
            else:  # handlers nested hundreds deep: past what the rules' recursion follows
                diagnostics.append(
                    _diag(parsed, node, "too-deep", "the chain nests too deeply to rewrite")
                )
                # The chains nested in it are left alone with it: each would fail the same
                # way, one level less deep, for a cost cubic in the depth.
                claimed.append((node.start_byte, node.end_byte))
            if chain.function is not None and chain.context.value in ("returned", "arrow-body"):
                failed_functions.add(chain.function.id)
            continue
        claimed.append((low.placement.replace.start_byte, low.placement.replace.end_byte))
        lowered.append(low)
    kept = []
    for low in lowered:
        fn = low.placement.make_async
        if fn is not None and fn.id in failed_functions:
            diagnostics.append(
                _diag(
                    parsed,
                    low.chain.node,
                    "sibling-return",
                    "another chain this function returns is left alone, so the function "
                    "cannot become async",
                )
            )
            continue
        kept.append(low)
    diagnostics.extend(sync_throw_notes(parsed, kept))
    return kept, diagnostics


# Expressions that can throw when evaluated (a call, `new`, reading a property of a value
# that may be null, `throw`); reading a local, a literal or `this.x` cannot.
_THROWS = frozenset(
    {
        "call_expression",
        "new_expression",
        "member_expression",
        "subscript_expression",
        "throw_statement",
        "object_pattern",
        "array_pattern",
    }
)
_NESTED_SCOPES = FUNCTION_TYPES | {"class_body", "class_declaration", "class"}


def sync_throw_notes(parsed: Parsed, kept: list[Lowered]) -> list[Diagnostic]:
    """One note for each function made async that evaluates something able to throw
    synchronously before its chains, located at the first such place and naming each: such
    a throw now rejects the returned promise instead of reaching the caller. The call a
    chain starts on is taken to report its failures by rejecting, as promise-returning
    functions do by convention, and is not named."""
    chains: dict[int, tuple[Node, list[tuple[int, int]]]] = {}
    for low in kept:
        fn = low.placement.make_async
        if fn is None:
            continue
        r = low.placement.replace
        chains.setdefault(fn.id, (fn, []))[1].append((r.start_byte, r.end_byte))
    notes = []
    for fn, replaced in chains.values():
        places: list[Node] = []
        stack = [c for c in reversed(fn.children) if c.type != "identifier"]
        while stack:
            n = stack.pop()
            if any(s <= n.start_byte and n.end_byte <= e for s, e in replaced):
                continue
            if n.type in _NESTED_SCOPES:
                continue  # defined here, run later (or never)
            if n.type == "return_statement":
                continue  # a promise it returns beside the chains: like a chain's first call
            if n.type in _THROWS and not _this_property(n):
                places.append(n)  # the outermost place: its parts would repeat it
                continue
            stack.extend(reversed(n.named_children))
        if not places:
            continue
        name_node = fn.child_by_field_name("name")
        name = f"`{parsed.text(name_node)}`" if name_node is not None else "the function"
        # Named by their text, not their position: a note from a later round is moved into
        # the input (see _locate), and positions inside its message would not follow.
        named = [f"`{_snippet(parsed, n)}`" for n in places[:_NAMED_PLACES]]
        if len(places) > _NAMED_PLACES:
            more = len(places) - _NAMED_PLACES
            named.append(f"{more} more place{'s' if more > 1 else ''}")
        notes.append(
            _diag(
                parsed,
                places[0],
                "sync-throw",
                f"{name} becomes async: a synchronous throw from {', '.join(named)} now "
                "rejects its promise instead of reaching the caller",
            )
        )
    return notes


_NAMED_PLACES = 3  # more would not fit a line; the count says how many are left


def _snippet(parsed: Parsed, node: Node, width: int = 40) -> str:
    """node's source on one line, shortened to about width characters."""
    text = " ".join(parsed.text(node).split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _this_property(node: Node) -> bool:
    obj = node.child_by_field_name("object") if node.type == "member_expression" else None
    return obj is not None and obj.type == "this"


def _edits(emitter: JSEmitter, lows: list[Lowered]) -> list[Edit]:
    edits: list[Edit] = []
    seen_async: set[int] = set()
    for low in lows:
        for e in emitter.edits(low):
            if e.start == e.end and e.text == b"async ":
                if e.start in seen_async:
                    continue
                seen_async.add(e.start)
            edits.append(e)
    return edits


# Below this many step calls a module is translated in one process: forking costs ~5 ms.
PARALLEL_STEPS = 400


def _split(parsed: Parsed, nodes: list[Node]) -> tuple[int, int] | None:
    """Where to cut nodes (step calls, in source order) in two for two processes, and the
    source byte where the second half starts: a top-level statement boundary (no function,
    so no rewrite, spans it) near the middle; None when no cut is balanced."""
    starts = [c.start_byte for c in parsed.root.children]

    def top(i: int) -> int:
        return bisect.bisect_right(starts, nodes[i].start_byte)

    mid = len(nodes) // 2
    for delta in range(len(nodes) // 4):
        for k in (mid - delta, mid + delta):
            if 0 < k < len(nodes) and top(k - 1) != top(k):
                return k, starts[top(k) - 1]
    return None


@dataclass(frozen=True)
class _Piece:
    """One half of the output, parsed on its own by the process that wrote it: its text,
    whether it parsed cleanly, and the byte ranges of its first and last top-level
    statements (comments aside), to check the seam between the halves."""

    text: bytes
    clean: bool
    first: tuple[int, int] | None = None
    last: tuple[int, int] | None = None


def _piece(parsed: Parsed, edits: list[Edit], lo: int, hi: int) -> _Piece:
    """The output of source[lo:hi] with edits (all inside it), parsed on its own."""
    text = apply(parsed.source[lo:hi], [Edit(e.start - lo, e.end - lo, e.text) for e in edits])
    tree = parse(text, lang=parsed.language)
    if tree.syntax_problem() is not None:
        return _Piece(text, False)
    stmts = [c for c in tree.root.children if c.type != "comment"]
    if not stmts:
        return _Piece(text, True)
    return _Piece(
        text,
        True,
        (stmts[0].start_byte, stmts[0].end_byte),
        (stmts[-1].start_byte, stmts[-1].end_byte),
    )


def _joined_parse(a: _Piece, b: _Piece, out: bytes, lang: str) -> bool:
    """Whether out, which is a.text + b.text, parses cleanly, known without parsing it all.

    Each half parsed cleanly on its own; what joining them could change is only at the seam,
    if the last statement of a and the first of b ran into each other (ASI, a regex read as
    a division...). The seam (those two statements and what lies between) is parsed on its
    own: when it parses cleanly into the same two statements, the parser leaves the seam in
    the state it starts b in, so the whole parses as the two halves did."""
    if not (a.clean and b.clean) or len(out) != len(a.text) + len(b.text):
        return False
    if not (out.startswith(a.text) and out.endswith(b.text)):
        return False
    if a.last is None or b.first is None:
        return True  # one side is only comments and blank lines
    head = a.text[a.last[0] :]
    seam = parse(head + b.text[: b.first[1]], lang=lang)
    if seam.syntax_problem() is not None:
        return False
    stmts = [c for c in seam.root.children if c.type != "comment"]
    return [(c.start_byte, c.end_byte) for c in stmts] == [
        (0, a.last[1] - a.last[0]),
        (len(head) + b.first[0], len(head) + b.first[1]),
    ]


def _copies_a_chain(emitter: JSEmitter, calls: list[Node]) -> bool:
    """Whether a rewrite copied a whole step call as it was: a chain inside a handler body
    that was inlined (nested in a callback, or after an early ``return``), which the rules
    saw only as part of the outer chain; translating the output again rewrites it."""
    merged: list[list[int]] = []
    for s, e in sorted(emitter.copied_all):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    starts = [m[0] for m in merged]
    for call in calls:
        i = bisect.bisect_right(starts, call.start_byte) - 1
        if i >= 0 and call.end_byte <= merged[i][1]:
            return True
    return False


def _rewrite(
    parsed: Parsed, index: Index, optional_catch: bool
) -> tuple[bytes, list[Lowered] | None, list[Diagnostic], bool, bool]:
    """The output, the lowered chains (None when half of them were lowered in a child
    process, which sends only its edits), the diagnostics, whether the output is known
    to parse (else the caller parses it), and whether it holds chains copied as they were
    (``_copies_a_chain``).

    A large module is lowered in two halves at once, the second in a forked child (see
    ``_fork``); each process finds the chains of its half, lowers and emits them, and parses
    its half of the output (see ``_joined_parse``). The halves are independent, so the
    result is the serial one, except through names handed out at module level
    (``Index.module_names``): when either half handed out any, or the child failed, the
    parent lowers the second half itself, after the first."""

    calls = step_calls(parsed)

    def emit(lows: list[Lowered]) -> tuple[list[Edit], bool]:
        emitter = JSEmitter(parsed, optional_catch=optional_catch)
        edits = _edits(emitter, lows)
        return edits, _copies_a_chain(emitter, calls)

    def part(lo: int, hi: int) -> tuple[list[Edit], list[Diagnostic], bool, _Piece, bool]:
        lows, diagnostics = lower_chains(parsed, index, chain_nodes(parsed, lo, hi, calls))
        edits, again = emit(lows)
        return edits, diagnostics, index.module_names(), _piece(parsed, edits, lo, hi), again

    def serial(lo: int = 0) -> tuple[list[Lowered], list[Diagnostic]]:
        return lower_chains(parsed, index, chain_nodes(parsed, lo, calls=calls))

    cut = _split(parsed, calls) if len(calls) >= PARALLEL_STEPS and _fork.available() else None
    child = None
    if cut is not None:
        byte, end = cut[1], len(parsed.source)
        child = _fork.start(lambda: part(byte, end))
    if child is None:
        lows, diagnostics = serial()
        edits, again = emit(lows)
        return apply(parsed.source, edits), lows, diagnostics, False, again
    try:
        edits, diagnostics, module_names, first, again = part(0, byte)
    except BaseException:
        child.cancel()
        raise
    second = child.result()
    if second is None or module_names or second[2]:
        lows, more = serial(byte)
        more_edits, more_again = emit(lows)
        edits += more_edits
        return apply(parsed.source, edits), None, diagnostics + more, False, again or more_again
    edits += second[0]
    out = apply(parsed.source, edits)
    parses = _joined_parse(first, second[3], out, parsed.language)
    return out, None, diagnostics + second[1], parses, again or second[4]


# The ECMAScript editions the output may be held to; from ES2019 on, `catch {` may be emitted.
TARGETS = ("es2017", "es2018", "es2019", "es2020", "es2021", "es2022", "es2023", "es2024", "esnext")

# A chain nested n deep in inlined handler bodies needs n + 1 rounds; past this many the
# output so far is returned (each round's output is a complete, parsed translation).
MAX_ROUNDS = 16


def translate_js(
    source: str, *, filename: str | None = None, target: str = "es2017"
) -> Translation:
    """``bridge.translate(source, to="js")``: see ``bridge.translate.translate``.

    Runs rounds until nothing is left to rewrite, so that one call reaches the fixed point:
    a chain the rules saw only as text inside an inlined handler (a callback's, or after an
    early ``return``) is rewritten by the next round. Diagnostics of later rounds are
    located in the input by ``_locate``."""
    if target not in TARGETS:
        raise TranslationError(
            f"unknown target {target!r}: expected one of {', '.join(TARGETS)}", rule="usage"
        )
    optional_catch = TARGETS.index(target) >= TARGETS.index("es2019")
    texts = [source]
    code, diagnostics, again = _round(source, filename, optional_catch)
    found = set(diagnostics)
    while again and code != texts[-1] and len(texts) < MAX_ROUNDS:
        texts.append(code)
        code, more, again = _round(code, filename, optional_catch)
        for d in _locate(more, texts):
            if d not in found:
                found.add(d)
                diagnostics.append(d)
    diagnostics.sort(key=lambda d: (d.line, d.column, d.rule))
    return Translation(code, code != source, tuple(diagnostics))


def _locate(diagnostics: list[Diagnostic], texts: list[str]) -> list[Diagnostic]:
    """Diagnostics about texts[-1] (the output of the rounds before) moved to where they
    point in texts[0] (the input): through each round's unchanged lines; a place inside a
    rewritten statement goes to that statement's first line."""
    out = diagnostics
    for old, new in zip(reversed(texts[:-1]), reversed(texts[1:]), strict=True):
        a, b = old.splitlines(), new.splitlines()
        ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        moved = []
        for d in out:
            i = d.line - 1
            for tag, i1, i2, j1, j2 in ops:
                if j1 <= i < j2 or (j1 == j2 == i):
                    if tag == "equal":
                        moved.append(dataclasses.replace(d, line=i1 + (i - j1) + 1))
                    else:
                        moved.append(_in_rewrite(d, a, i1, i2, b[i] if i < len(b) else ""))
                    break
            else:
                moved.append(d)
        out = moved
    return out


def _in_rewrite(d: Diagnostic, a: list[str], i1: int, i2: int, line: str) -> Diagnostic:
    """d, on line (of a rewritten statement's output), moved into the input lines a[i1:i2]
    that statement replaced: to the line it was copied from (re-indented) when there is
    one, else to the statement's first line."""
    text = line.lstrip()
    for k in range(i1, min(i2, len(a))):
        if text and a[k].lstrip() == text:
            shift = (len(a[k]) - len(text)) - (len(line) - len(text))
            return dataclasses.replace(d, line=k + 1, column=max(1, d.column + shift))
    first = a[i1] if i1 < len(a) else ""
    return dataclasses.replace(d, line=i1 + 1, column=len(first) - len(first.lstrip()) + 1)


def _round(
    source: str, filename: str | None, optional_catch: bool
) -> tuple[str, list[Diagnostic], bool]:
    """One pass over source: the output, its diagnostics, and whether another pass may
    rewrite more (see ``_copies_a_chain``)."""
    parsed = parse_or_raise(source, filename)
    out, lows, diagnostics, parses, again = _rewrite(parsed, Index(parsed), optional_catch)
    if not parses and out != parsed.source and parse(out, filename).syntax_problem() is not None:
        if lows is None:  # lowered in two processes: lower again here, to try each function
            lows, diagnostics = lower_chains(parsed, Index(parsed), chain_nodes(parsed))
        emitter = JSEmitter(parsed, optional_catch=optional_catch)
        # Keep only the rewrites that parse on their own, then check the combination again.
        good: list[Lowered] = []
        by_fn: dict[int, list[Lowered]] = defaultdict(list)
        for low in lows:
            key = low.placement.make_async.id if low.placement.make_async else -low.chain.node.id
            by_fn[key].append(low)
        for group in by_fn.values():
            trial = apply(parsed.source, _edits(emitter, group))
            if parse(trial, filename).syntax_problem() is None:
                good.extend(group)
            else:
                for low in group:
                    diagnostics.append(
                        _diag(
                            parsed,
                            low.chain.node,
                            "internal",
                            "the rewrite did not parse; the chain is left alone",
                        )
                    )
        emitter = JSEmitter(parsed, optional_catch=optional_catch)
        out = apply(parsed.source, _edits(emitter, good))
        again = _copies_a_chain(emitter, step_calls(parsed))
        if parse(out, filename).syntax_problem() is not None:  # pragma: no cover
            out, again = parsed.source, False
    return out.decode("utf-8"), diagnostics, again
