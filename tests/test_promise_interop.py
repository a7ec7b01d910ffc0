"""bridge.Promise with the real JS engine, both directions.

Python -> JS: JS awaits a bridge.Promise handed over by bridge.to_js, by bridge.expose, or
returned by an exposed function, and gets its value or its rejection as DESIGN.md maps it.
JS -> Python: JS promises and JS thenables are adopted by bridge.Promise and its combinators.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

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
