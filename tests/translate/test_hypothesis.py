"""Random chains: every one hypothesis draws must translate to code that behaves the same.

Chains are built from a base (a promise that resolves or rejects after a few ms, a
non-native thenable) and 1-5 steps (then / then(a, b) / catch / finally) whose handlers
return values, return promises or thenables, throw, log, return early, or are not functions;
each is placed where the translator rewrites chains (returned, awaited, arrow body). The
original and the translation run in the embedded engine; value-or-rejection and log order
must match, and the translation must parse (translate re-parses; we parse again here).
"""

# ruff: noqa: E501  (handler templates read best on one line)
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bridge
from bridge.translate._parse import parse

from .harness import outcome

BASES = [
    "ok(1, {ms})",
    "ok(5, {ms})",
    "fail('base', {ms})",
    # A non-native thenable as the base must be adopted first: the stubs' `then` is not a
    # full Promises/A+ implementation (it returns nothing), which `.then(f).then(g)` needs.
    "Promise.resolve(thenable(2))",
    "Promise.resolve(badThenable('tb'))",
    "Promise.resolve(3)",
    "ok(x, {ms})",  # reads the function's own `x`, which handlers' parameters shadow
]

# {i} makes each handler's log line unique, so a reordering shows up.
VALUE_HANDLERS = [
    "x => x + {i}",
    "x => {{ log('h{i} ' + x); return x; }}",
    "x => ok(typeof x === 'number' ? x * 2 : {i}, {ms})",
    "x => fail('h{i}', {ms})",
    "x => {{ throw new Error('t{i}'); }}",
    "x => log('l{i}')",
    "x => thenable({i})",
    "x => {{ if (typeof x === 'number' && x > 3) return 'big{i}'; log('small{i}'); return x; }}",
    "function (x) {{ log('fn{i}'); return [x]; }}",
    "() => {{ log('noarg{i}'); }}",
    "async x => {{ await sleep({ms}); log('async{i}'); return {i}; }}",
    "x => ok({i}, {ms}).then(y => y + 100)",
    "y => {{ const x = y; log('shadow' + x); return [x, {i}]; }}",
    "(v) => x",
    "x => log('p{i}') + 1",  # a plain value whose computation has a side effect
    "x => {{ try {{ if (x === 1) return fail('tf{i}'); return ok(x, 1); }} catch (e) {{ return 'no'; }} finally {{ log('hf{i}'); }} }}",
    "async x => {{ try {{ return await fail('af{i}'); }} catch (e) {{ return 'c' + e.message; }} }}",
    "x => {{ for (const k of [1, 2, 3]) {{ if (k === x) return k * 10; }} log('none{i}'); }}",
    "null",
    "H.inc",  # method references: read when the chain is built, called with this undefined
    "H.swap",  # replaces H.inc: a later H.inc step still calls the one read at build time
    "H.nf",  # not a function: the value passes through
]
ERROR_HANDLERS = [
    "e => 'recovered{i}'",
    "e => {{ log('saw ' + e.message); throw e; }}",
    "e => {{ throw new Error('c{i}'); }}",
    "e => fail('c{i}', {ms})",
    "(e) => e.message",
    "() => ok({i}, {ms})",
    "null",
    "H.recover",
    "H.nf",
]
FINALLY_HANDLERS = [
    "() => log('f{i}')",
    "() => ok(0, {ms})",
    "() => {{ throw new Error('f{i}'); }}",
    "() => fail('ff{i}', {ms})",
    "() => {{ log('fin{i}'); return 42; }}",
    "() => log('fp{i}') + 1",
    "H.fin",
    "H.nf",
]

# The object the method-reference handlers are read from; each program gets its own.
HANDLERS = (
    "const H = { inc(v) { log('inc' + (this === H ? ' bound' : '')); return typeof v === 'number' ? v + 1 : v; }, "
    "swap(v) { H.inc = (w) => log('swapped') && w; return v; }, "
    "recover(e) { log('rec ' + e.message); return 'r'; }, fin() { log('fin'); return ok(0); }, nf: 5 };\n"
)

ms = st.sampled_from([0, 1, 3])


def _handlers(templates: list[str], method_refs: bool) -> list[str]:
    return templates if method_refs else [t for t in templates if not t.startswith("H.")]


@st.composite
def steps(draw: st.DrawFn, method_refs: bool = True) -> str:
    value_handlers = _handlers(VALUE_HANDLERS, method_refs)
    error_handlers = _handlers(ERROR_HANDLERS, method_refs)
    finally_handlers = _handlers(FINALLY_HANDLERS, method_refs)
    out = []
    for i in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["then", "then", "then2", "catch", "finally"]))
        fmt = {"i": i, "ms": draw(ms)}
        if kind == "then":
            out.append(f".then({draw(st.sampled_from(value_handlers)).format(**fmt)})")
        elif kind == "then2":
            a = draw(st.sampled_from(value_handlers)).format(**fmt)
            b = draw(st.sampled_from(error_handlers)).format(**fmt)
            out.append(f".then({a}, {b})")
        elif kind == "catch":
            out.append(f".catch({draw(st.sampled_from(error_handlers)).format(**fmt)})")
        else:
            out.append(f".finally({draw(st.sampled_from(finally_handlers)).format(**fmt)})")
    return "".join(out)


@st.composite
def programs(draw: st.DrawFn, method_refs: bool = True) -> str:
    """A random chain in a random place; ``method_refs``: handlers may be methods of ``H``
    (the Python target has no objects holding functions)."""
    base = draw(st.sampled_from(BASES)).format(ms=draw(ms))
    chain = base + draw(steps(method_refs))
    place = draw(st.sampled_from(["returned", "awaited", "arrow", "return-await", "statement"]))
    return (HANDLERS if method_refs else "") + _placed(chain, place)


def _placed(chain: str, place: str) -> str:
    if place == "returned":
        return f"function main() {{ const x = 7; log('start'); return {chain}; }}"
    if place == "awaited":
        return (
            f"async function main() {{ const x = 7; const r = await {chain}; log('r'); return r; }}"
        )
    if place == "arrow":
        return f"const x = 7;\nconst main = () => {chain};"
    if place == "statement":
        # fire-and-forget: it must finish in the grace period and handle its own rejection
        return (
            f"function main() {{ const x = 7; {chain}.catch(e => log('ff ' + e.message)); "
            "log('sync'); return sleep(60).then(() => 'end'); }"
        )
    return (
        f"async function main() {{ const x = 7; try {{ return await {chain}; }} "
        "finally { log('out'); } }"
    )


@settings(
    max_examples=150,  # ~12 s; raised to 1500 locally once (all equivalent)
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(programs())
def test_random_chains_are_equivalent(program: str) -> None:
    result = bridge.translate(program)
    assert parse(result.code).syntax_problem() is None
    before = outcome(program)
    after = outcome(result.code)
    assert after == before, f"\n--- original\n{program}\n--- translation\n{result.code}"
    # The chain itself is always one the translator can rewrite: anything else is a gap.
    assert result.changed, result.diagnostics
