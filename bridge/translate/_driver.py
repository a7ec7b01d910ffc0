"""The JS pipeline: parse, find chains, lower each (or diagnose why not), splice, re-parse.

A chain is rewritten only when every rule agrees; a function becomes ``async`` only when every
chain it returns is rewritten. The output is parsed again; a rewrite that would not parse is
dropped (and reported) rather than emitted.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass

from tree_sitter import Node

from .._exceptions import TranslationError
from . import _fork
from ._analyse import Index, Unsafe, chain_nodes, describe, step_calls
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
    return Diagnostic(line, col, rule, message)


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
    return kept, diagnostics


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


def _rewrite(
    parsed: Parsed, index: Index, optional_catch: bool
) -> tuple[bytes, list[Lowered] | None, list[Diagnostic], bool]:
    """The output, the lowered chains (None when half of them were lowered in a child
    process, which sends only its edits), the diagnostics, and whether the output is known
    to parse (else the caller parses it).

    A large module is lowered in two halves at once, the second in a forked child (see
    ``_fork``); each process finds the chains of its half, lowers and emits them, and parses
    its half of the output (see ``_joined_parse``). The halves are independent, so the
    result is the serial one, except through names handed out at module level
    (``Index.module_names``): when either half handed out any, or the child failed, the
    parent lowers the second half itself, after the first."""

    calls = step_calls(parsed)

    def part(lo: int, hi: int) -> tuple[list[Edit], list[Diagnostic], bool, _Piece]:
        lows, diagnostics = lower_chains(parsed, index, chain_nodes(parsed, lo, hi, calls))
        edits = _edits(JSEmitter(parsed, optional_catch=optional_catch), lows)
        return edits, diagnostics, index.module_names(), _piece(parsed, edits, lo, hi)

    def serial(lo: int = 0) -> tuple[list[Lowered], list[Diagnostic]]:
        return lower_chains(parsed, index, chain_nodes(parsed, lo, calls=calls))

    cut = _split(parsed, calls) if len(calls) >= PARALLEL_STEPS and _fork.available() else None
    child = None
    if cut is not None:
        byte, end = cut[1], len(parsed.source)
        child = _fork.start(lambda: part(byte, end))
    if child is None:
        lows, diagnostics = serial()
        return (
            apply(parsed.source, _edits(JSEmitter(parsed, optional_catch=optional_catch), lows)),
            lows,
            diagnostics,
            False,
        )
    try:
        edits, diagnostics, module_names, first = part(0, byte)
    except BaseException:
        child.cancel()
        raise
    second = child.result()
    if second is None or module_names or second[2]:
        lows, more = serial(byte)
        edits += _edits(JSEmitter(parsed, optional_catch=optional_catch), lows)
        return apply(parsed.source, edits), None, diagnostics + more, False
    edits += second[0]
    out = apply(parsed.source, edits)
    return out, None, diagnostics + second[1], _joined_parse(first, second[3], out, parsed.language)


# The ECMAScript editions the output may be held to; from ES2019 on, `catch {` may be emitted.
TARGETS = ("es2017", "es2018", "es2019", "es2020", "es2021", "es2022", "es2023", "es2024", "esnext")


def translate_js(
    source: str, *, filename: str | None = None, target: str = "es2017"
) -> Translation:
    """``bridge.translate(source, to="js")``: see ``bridge.translate.translate``."""
    if target not in TARGETS:
        raise TranslationError(
            f"unknown target {target!r}: expected one of {', '.join(TARGETS)}", rule="usage"
        )
    optional_catch = TARGETS.index(target) >= TARGETS.index("es2019")
    parsed = parse_or_raise(source, filename)
    out, lows, diagnostics, parses = _rewrite(parsed, Index(parsed), optional_catch)
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
        out = apply(parsed.source, _edits(emitter, good))
        if parse(out, filename).syntax_problem() is not None:  # pragma: no cover
            out = parsed.source
    code = out.decode("utf-8")
    diagnostics.sort(key=lambda d: (d.line, d.column, d.rule))
    return Translation(code, code != source, tuple(diagnostics))
