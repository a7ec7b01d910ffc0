"""The JS pipeline: parse, find chains, lower each (or diagnose why not), splice, re-parse.

A chain is rewritten only when every rule agrees; a function becomes ``async`` only when every
chain it returns is rewritten. The output is parsed again; a rewrite that would not parse is
dropped (and reported) rather than emitted.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from tree_sitter import Node

from .._exceptions import TranslationError
from . import _fork
from ._analyse import Index, Unsafe, chain_nodes, describe
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


def analyse_js(parsed: Parsed) -> tuple[list[Lowered], list[Diagnostic]]:
    """Every chain lowered (those that can be) plus diagnostics for the rest."""
    return lower_chains(parsed, Index(parsed), chain_nodes(parsed))


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


# Below this many chains a module is translated in one process: forking costs ~5 ms.
PARALLEL_CHAINS = 200


def _split(parsed: Parsed, nodes: list[Node]) -> int | None:
    """Where to cut nodes in two for two processes: at a top-level statement boundary (no
    function, so no rewrite, spans it) near the middle; None when no cut is balanced."""
    starts = [c.start_byte for c in parsed.root.children]

    def top(i: int) -> int:
        return bisect.bisect_right(starts, nodes[i].start_byte)

    mid = len(nodes) // 2
    for delta in range(len(nodes) // 4):
        for k in (mid - delta, mid + delta):
            if 0 < k < len(nodes) and top(k - 1) != top(k):
                return k
    return None


def _rewrite(
    parsed: Parsed, index: Index, emitter: JSEmitter, nodes: list[Node]
) -> tuple[list[Edit], list[Lowered] | None, list[Diagnostic]]:
    """Edits and diagnostics for every chain, plus the lowered chains (None when half of them
    were lowered in a child process, which sends only its edits and diagnostics).

    A large module is lowered in two halves at once, the second in a forked child (see
    ``_fork``). The halves are independent, so the result is the serial one, except through
    names handed out at module level (``Index.module_names``): when either half handed out
    any, or the child failed, the parent lowers the second half itself, after the first."""

    def part(chunk: list[Node]) -> tuple[list[Edit], list[Diagnostic], bool]:
        lows, diagnostics = lower_chains(parsed, index, chunk)
        return _edits(emitter, lows), diagnostics, index.module_names()

    cut = _split(parsed, nodes) if len(nodes) >= PARALLEL_CHAINS and _fork.available() else None
    child = _fork.start(lambda: part(nodes[cut:])) if cut is not None else None
    if child is None:
        lows, diagnostics = lower_chains(parsed, index, nodes)
        return _edits(emitter, lows), lows, diagnostics
    try:
        edits, diagnostics, module_names = part(nodes[:cut])
    except BaseException:
        child.cancel()
        raise
    second = child.result()
    if second is None or module_names or second[2]:
        second = part(nodes[cut:])
    return edits + second[0], None, diagnostics + second[1]


def translate_js(source: str, *, filename: str | None = None) -> Translation:
    """``bridge.translate(source, to="js")``: see ``bridge.translate.translate``."""
    parsed = parse_or_raise(source, filename)
    nodes = chain_nodes(parsed)
    emitter = JSEmitter(parsed)
    edits, lows, diagnostics = _rewrite(parsed, Index(parsed), emitter, nodes)
    out = apply(parsed.source, edits)
    if edits and parse(out, filename).syntax_problem() is not None:
        if lows is None:  # lowered in two processes: lower again here, to try each function
            lows, diagnostics = lower_chains(parsed, Index(parsed), nodes)
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
