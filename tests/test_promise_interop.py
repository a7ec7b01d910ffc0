"""bridge.Promise with the real JS engine, both directions.

Python -> JS: JS awaits a bridge.Promise handed over by bridge.to_js, by bridge.expose, or
returned by an exposed function, and gets its value or its rejection as DESIGN.md maps it.
JS -> Python: JS promises and JS thenables are adopted by bridge.Promise and its combinators.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bridge
from bridge import AggregateError, JSError, JSRejection, JSTypeError, Promise

pytestmark = pytest.mark.timeout(20)


def js(code: str) -> Any:
    return bridge.eval(code)


# --- JS awaiting bridge.Promise ---------------------------------------------------------------


async def test_js_awaits_a_promise_given_by_to_js() -> None:
    double = js("(async (p) => (await p) * 2)")
    promise = Promise.resolve(20).then(lambda v: v + 1)
    assert await double(bridge.to_js(promise)) == 42


async def test_js_awaits_a_pending_promise_resolved_later_from_python() -> None:
    promise, resolve, _ = Promise.with_resolvers()
    waiting = js("(async (p) => 'got ' + (await p))")(bridge.to_js(promise))
    await asyncio.sleep(0.01)
    assert not waiting.done()
    resolve("it")
    assert await waiting == "got it"


async def test_js_chains_then_on_a_promise_returned_by_an_exposed_function() -> None:
    bridge.expose("makePromise", lambda n: Promise.resolve(n).then(lambda v: v + 1))
    assert await js("makePromise(1).then(v => v * 10)") == 20


async def test_js_awaits_an_exposed_promise() -> None:
    bridge.expose("exposedPromise", Promise.resolve("exposed"))
    assert await js("(async () => await exposedPromise)()") == "exposed"


async def test_js_sees_a_rejection_as_python_error_and_python_gets_the_same_exception() -> None:
    error = ValueError("from a bridge.Promise")
    seen = await js(
        "(async (p) => { try { await p } catch (e) {"
        " return [e instanceof Error, e.name, e.message] } })"
    )(bridge.to_js(Promise.reject(error)))
    assert list(seen) == [True, "ValueError", "from a bridge.Promise"]
    rethrow = js("(async (p) => { await p })")
    with pytest.raises(ValueError) as caught:
        await rethrow(bridge.to_js(Promise.reject(error)))
    assert caught.value is error


async def test_a_js_error_through_a_bridge_promise_reaches_js_as_the_same_object() -> None:
    original = js("new TypeError('made in JS')")
    rejected = js("(e) => Promise.reject(e)")(original)
    same = js("(o) => async (p) => { try { await p } catch (e) { return e === o } }")(original)
    assert await same(bridge.to_js(Promise.resolve(rejected))) is True


# --- bridge.Promise adopting JS promises and thenables ----------------------------------------


async def test_resolving_with_a_js_promise_adopts_its_value() -> None:
    assert await Promise.resolve(js("Promise.resolve(5)")).then(lambda v: v + 1) == 6


async def test_a_handler_returning_a_js_promise_is_adopted() -> None:
    later = Promise.resolve(1).then(lambda v: js("new Promise(r => setTimeout(() => r(99), 5))"))
    assert await later == 99


async def test_a_js_rejection_is_adopted_as_the_mapped_exception() -> None:
    with pytest.raises(JSTypeError, match="js bad") as caught:
        await Promise.resolve(js("Promise.reject(new TypeError('js bad'))"))
    assert caught.value.name == "TypeError"


async def test_a_js_thenable_is_adopted_through_its_then() -> None:
    thenable = js("({ then(resolve, reject) { setTimeout(() => resolve('via then'), 1) } })")
    assert await Promise.resolve(thenable) == "via then"
    rejecting = js("({ then(resolve, reject) { reject(new RangeError('thenable says no')) } })")
    with pytest.raises(JSError, match="thenable says no"):
        await Promise.resolve(rejecting)


async def test_combinators_take_js_promises_among_python_awaitables() -> None:
    async def coroutine() -> str:
        return "coroutine"

    inputs = [
        js("Promise.resolve('js')"),
        js("new Promise(r => setTimeout(() => r('js later'), 5))"),
        coroutine(),
        Promise.resolve("bridge"),
        js("({ then(r) { r('js thenable') } })"),
    ]
    assert await Promise.all(inputs) == ["js", "js later", "coroutine", "bridge", "js thenable"]


async def test_all_settled_maps_js_rejections() -> None:
    result = await Promise.all_settled(
        [js("Promise.reject(42)"), js("Promise.reject(new Error('e'))"), js("Promise.resolve(1)")]
    )
    assert [r["status"] for r in result] == ["rejected", "rejected", "fulfilled"]
    assert isinstance(result[0]["reason"], JSRejection) and result[0]["reason"].value == 42
    assert isinstance(result[1]["reason"], JSError) and result[1]["reason"].message == "e"
    assert result[2]["value"] == 1


async def test_race_between_a_js_timer_and_python() -> None:
    js_slow = js("new Promise(r => setTimeout(() => r('js'), 200))")
    assert await Promise.race([js_slow, asyncio.sleep(0.01, "python")]) == "python"
    js_fast = js("new Promise(r => setTimeout(() => r('js'), 1))")
    assert await Promise.race([js_fast, asyncio.sleep(0.2, "python")]) == "js"


async def test_any_collects_js_and_python_rejections_in_input_order() -> None:
    with pytest.raises(AggregateError) as caught:
        await Promise.any([js("Promise.reject(new Error('js'))"), Promise.reject(KeyError("py"))])
    first, second = caught.value.errors
    assert isinstance(first, JSError) and first.message == "js"
    assert isinstance(second, KeyError)


async def test_to_future_of_a_bridge_promise() -> None:
    future = bridge.to_future(Promise.resolve(3).then(lambda v: v * 3))
    assert isinstance(future, asyncio.Future)
    assert await future == 9


def test_bridge_run_of_a_coroutine_awaiting_both_kinds() -> None:
    async def main() -> list[Any]:
        return await Promise.all([js("Promise.resolve('a')"), Promise.resolve("b")])

    assert bridge.run(main()) == ["a", "b"]


# --- handler order: bridge.Promise against the engine's own Promise ---------------------------
#
# Random programs of promise operations run twice, once as JS in the engine and once with
# bridge.Promise; the order in which handlers run must be the same. Handlers return plain values
# (adopting a pending promise takes fewer job turns here than in ECMAScript: README).

HANDLERS = ["none", "ret", "throw"]
COMBINATORS = ["all", "all_settled", "race", "any"]


@st.composite
def programs(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    ops: list[tuple[Any, ...]] = []
    promises = pending_count = 0
    for k in range(draw(st.integers(1, 14))):
        kinds = ["resolved", "rejected", "pending"]
        kinds += ["then", "then", "catch", "comb"] if promises else []
        kinds += ["settle", "settle"] if pending_count else []
        kind = draw(st.sampled_from(kinds))
        if kind == "resolved":
            ops.append((kind, draw(st.integers(0, 9))))
        elif kind == "rejected":
            ops.append((kind, k))
        elif kind == "pending":
            ops.append((kind,))
            pending_count += 1
        elif kind == "then":
            index = draw(st.integers(0, promises - 1))
            ops.append(
                (kind, index, draw(st.sampled_from(HANDLERS)), draw(st.sampled_from(HANDLERS)), k)
            )
        elif kind == "catch":
            ops.append((kind, draw(st.integers(0, promises - 1)), k))
        elif kind == "comb":
            inputs = draw(st.lists(st.integers(0, promises - 1), max_size=3))
            ops.append((kind, draw(st.sampled_from(COMBINATORS)), inputs))
        else:
            ops.append((kind, draw(st.integers(0, pending_count - 1)), draw(st.booleans()), k))
        promises += kind not in ("settle",)
    return ops


JS_PRELUDE = """
const log = [], P = [], R = [];
const desc = v => typeof v === 'number' ? String(v) : Array.isArray(v) ? 'a' + v.length : 'o';
const msg = e => e instanceof AggregateError ? 'agg' + e.errors.length : String(e.message);
"""


def js_handler(kind: str, tag: str, on_value: bool) -> str:
    shown = "desc(x)" if on_value else "msg(x)"
    if kind == "none":
        return "undefined"
    end = f"return {len(tag)};" if kind == "ret" else f"throw new Error('t{tag}');"
    return f"(x => {{ log.push('{tag}:' + {shown}); {end} }})"


def js_program(ops: list[tuple[Any, ...]]) -> str:
    lines = ["(() => {", JS_PRELUDE]
    names = {"all": "all", "all_settled": "allSettled", "race": "race", "any": "any"}
    for op in ops:
        if op[0] == "resolved":
            lines.append(f"P.push(Promise.resolve({op[1]}));")
        elif op[0] == "rejected":
            lines.append(f"P.push(Promise.reject(new Error('e{op[1]}')));")
        elif op[0] == "pending":
            lines.append("P.push(new Promise((res, rej) => R.push([res, rej])));")
        elif op[0] == "then":
            _, i, f, r, k = op
            fulfilled = js_handler(f, f"h{k}f", True)
            rejected = js_handler(r, f"h{k}r", False)
            lines.append(f"P.push(P[{i}].then({fulfilled}, {rejected}));")
        elif op[0] == "catch":
            lines.append(f"P.push(P[{op[1]}].catch({js_handler('ret', f'c{op[2]}', False)}));")
        elif op[0] == "comb":
            inputs = ", ".join(f"P[{i}]" for i in op[2])
            lines.append(f"P.push(Promise.{names[op[1]]}([{inputs}]));")
        else:
            _, j, fulfil, k = op
            lines.append(f"R[{j}][0]({k});" if fulfil else f"R[{j}][1](new Error('s{k}'));")
    lines.append(
        "P.forEach((p, i) => p.then(v => log.push('end' + i + ':' + desc(v)),"
        " e => log.push('end' + i + '!' + msg(e))));"
    )
    # The log read once the jobs ran: a JS array crosses to Python as a copy.
    lines.append("return () => log; })()")
    return "\n".join(lines)


def py_program(ops: list[tuple[Any, ...]]) -> list[str]:
    log: list[str] = []
    promises: list[Promise[Any]] = []
    resolvers: list[Any] = []

    def desc(v: Any) -> str:
        return str(v) if isinstance(v, int) else f"a{len(v)}" if isinstance(v, list) else "o"

    def msg(e: Any) -> str:
        return f"agg{len(e.errors)}" if isinstance(e, AggregateError) else str(e)

    def handler(kind: str, tag: str, on_value: bool) -> Any:
        if kind == "none":
            return None

        def run(x: Any) -> int:
            log.append(f"{tag}:{desc(x) if on_value else msg(x)}")
            if kind == "throw":
                raise ValueError(f"t{tag}")
            return len(tag)

        return run

    for op in ops:
        if op[0] == "resolved":
            promises.append(Promise.resolve(op[1]))
        elif op[0] == "rejected":
            promises.append(Promise.reject(ValueError(f"e{op[1]}")))
        elif op[0] == "pending":
            resolvers.append(Promise.with_resolvers())
            promises.append(resolvers[-1].promise)
        elif op[0] == "then":
            _, i, f, r, k = op
            promises.append(
                promises[i].then(handler(f, f"h{k}f", True), handler(r, f"h{k}r", False))
            )
        elif op[0] == "catch":
            promises.append(promises[op[1]].catch(handler("ret", f"c{op[2]}", False)))
        elif op[0] == "comb":
            combinator = getattr(Promise, op[1])
            promises.append(combinator([promises[i] for i in op[2]]))
        else:
            _, j, fulfil, k = op
            if fulfil:
                resolvers[j].resolve(k)
            else:
                resolvers[j].reject(ValueError(f"s{k}"))
    for i, promise in enumerate(promises):
        promise.then(
            lambda v, i=i: log.append(f"end{i}:{desc(v)}"),
            lambda e, i=i: log.append(f"end{i}!{msg(e)}"),
        )
    return log


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=programs())
async def test_handlers_run_in_the_same_order_as_in_the_engine(ops: list[tuple[Any, ...]]) -> None:
    read_js_log = js(js_program(ops))
    py_log = py_program(ops)
    for _ in range(20):  # both job queues drain within a few loop turns
        await asyncio.sleep(0)
    assert [str(entry) for entry in read_js_log()] == py_log


async def test_an_adopted_js_rejection_nobody_handles_is_reported_once_as_the_promise() -> None:
    # One report, for the bridge.Promise that took over the rejection, not also for the JS one.
    seen: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    try:
        Promise.resolve(js("Promise.reject(new RangeError('nobody handles this'))"))
        for _ in range(5):
            await asyncio.sleep(0.005)
            gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert len(seen) == 1
    assert isinstance(seen[0]["promise"], Promise)
    assert isinstance(seen[0]["exception"], JSError)
    assert seen[0]["exception"].message == "nobody handles this"
