"""Run a JS program and its translation in the embedded engine and compare what they do.

A program defines ``main()`` (sync or async) using the stubs below; ``outcome(program)``
runs it inside an async wrapper and returns ``{"outcome": {...}, "log": [...]}``: the settled
value (or the rejection's message) of ``main()`` and every side effect the stubs and the
handlers logged, in order. Stray work (fire-and-forget chains) gets a bounded grace period.

Stubs: ``ok(v, ms)`` resolves with v after ms; ``fail(m, ms)`` rejects with ``Error(m)``;
``thenable(v)`` and ``badThenable(m)`` are non-native thenables (a plain object with
``then``); ``aplus(v)`` is a thenable whose ``then`` returns a promise, so chains can start
on it directly; ``sleep(ms)``; ``log(x)`` records x and returns it.
"""

# ruff: noqa: E501  (tables of one-line JS programs read best unwrapped)
from __future__ import annotations

import json
from typing import Any

import bridge

PRELUDE = r"""
const __log = [];
const log = (x) => { __log.push(typeof x === "string" ? x : JSON.stringify(x)); return x; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ok = (v, ms = 0) => new Promise((r) => setTimeout(() => { __log.push("ok:" + JSON.stringify(v)); r(v); }, ms));
const fail = (m, ms = 0) => new Promise((_, j) => setTimeout(() => { __log.push("fail:" + m); j(new Error(m)); }, ms));
const thenable = (v) => ({ then(res, rej) { __log.push("thenable:" + JSON.stringify(v)); setTimeout(() => res(v), 0); } });
const aplus = (v) => ({ then(f, r) { __log.push("aplus:" + JSON.stringify(v)); return ok(v).then(f, r); } });
const badThenable = (m) => ({ then(res, rej) { __log.push("badThenable:" + m); setTimeout(() => rej(new Error(m)), 0); } });
"""

WRAPPER = """(async () => {
%s
%s
let __outcome;
try {
  const __v = await main();
  __outcome = { value: __v === undefined ? "<undefined>" : __v };
} catch (e) {
  // Engine-made TypeErrors word their message after the source text (`(destructured
  // parameter) is null` vs `null has no properties`): compare their class only.
  __outcome = { error: e instanceof TypeError ? "TypeError" : e instanceof Error ? e.name + ": " + e.message : "non-error: " + JSON.stringify(e) };
}
await sleep(%d);
return JSON.stringify({ outcome: __outcome, log: __log });
})()"""


def outcome(program: str, *, grace_ms: int = 40) -> dict[str, Any]:
    """What program's main() settles with, and the log, as seen in the embedded engine."""
    result = bridge.run(WRAPPER % (PRELUDE, program, grace_ms))
    data: dict[str, Any] = json.loads(result)
    return data


def translated(program: str) -> str:
    """The JS translation of program; asserts it parses (translate re-parses every output)."""
    return bridge.translate(program).code


def assert_equivalent(program: str, *, expect_change: bool = True) -> tuple[dict[str, Any], str]:
    """Run program and its translation; assert same outcome and log. Returns (outcome, code)."""
    result = bridge.translate(program)
    if expect_change:
        assert result.changed, f"nothing was rewritten: {result.diagnostics}"
    before = outcome(program)
    after = outcome(result.code)
    assert after == before, f"\n--- original\n{program}\n--- translation\n{result.code}"
    return before, result.code
