"""Awaiting across the boundary both ways: to_future, to_js, expose, blocking."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import multiprocessing
import threading
import time

import pytest

import bridge
from bridge.embedded import _engine


async def test_to_future_of_js_promise_and_thenable() -> None:
    fut = bridge.to_future(bridge.eval("Promise.resolve(1)"))
    assert isinstance(fut, asyncio.Future)
    assert await fut == 1
    thenable = bridge.eval("({ then(resolve) { setTimeout(() => resolve('adopted'), 1); } })")
    assert await bridge.to_future(thenable) == "adopted"
    rejecting = bridge.eval("({ then(_, reject) { reject(new RangeError('no')); } })")
    with pytest.raises(bridge.JSRangeError, match="no"):
        await bridge.to_future(rejecting)


async def test_to_future_of_python_awaitables() -> None:
    async def coro() -> str:
        return "c"

    assert await bridge.to_future(coro()) == "c"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert await bridge.to_future(pool.submit(lambda: "t")) == "t"


async def test_to_future_rejects_plain_values() -> None:
    with pytest.raises(
        TypeError, match=r"bridge\.to_future: int is neither awaitable nor a JS thenable"
    ):
        bridge.to_future(3)
    with pytest.raises(TypeError, match="neither awaitable"):
        bridge.to_future(bridge.eval("({ a: 1 })"))


def test_to_future_and_to_js_need_a_loop() -> None:
    async def coro() -> None:
        pass

    c = coro()
    with pytest.raises(bridge.RuntimeNotReady, match=r"bridge\.to_js needs a running asyncio loop"):
        bridge.to_js(c)
    c.close()
    with pytest.raises(
        bridge.RuntimeNotReady, match=r"bridge\.to_future needs a running asyncio loop"
    ):
        bridge.to_future(bridge.eval("({ then() {} })"))


async def test_js_awaits_python_coroutine_task_and_futures() -> None:
    is_promise_then = bridge.eval("async (p) => [p instanceof Promise, await p]")

    async def coro() -> str:
        await asyncio.sleep(0.001)
        return "coro"

    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    loop.call_later(0.001, fut.set_result, "future")
    # spawn, not fork: forking a process that runs the JS engine's threads is unsafe; `pow` is a
    # builtin, so the child has nothing of ours to import.
    spawn = multiprocessing.get_context("spawn")
    with (
        concurrent.futures.ThreadPoolExecutor(1) as threads,
        concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as procs,
    ):
        cases = {
            "coro": bridge.to_js(coro()),
            "task": bridge.to_js(asyncio.ensure_future(coro())),
            "future": bridge.to_js(fut),
            "thread": bridge.to_js(threads.submit(lambda: "thread")),
            "process": bridge.to_js(procs.submit(pow, 6, 2)),
            "plain": bridge.to_js("plain"),
        }
        got = {k: list(await is_promise_then(v)) for k, v in cases.items()}
    assert got == {
        "coro": [True, "coro"],
        "task": [True, "coro"],
        "future": [True, "future"],
        "thread": [True, "thread"],
        "process": [True, 36],
        "plain": [True, "plain"],
    }


async def test_to_js_of_bridge_promise_and_generic_awaitable() -> None:
    class Awaitable:
        def __await__(self):  # type: ignore[no-untyped-def]
            yield from asyncio.sleep(0).__await__()
            return "generic"

    assert (
        await bridge.eval("(p) => p.then((v) => v + '!')")(bridge.to_js(Awaitable())) == "generic!"
    )
    if hasattr(bridge, "Promise"):
        p = bridge.Promise.resolve("from bridge.Promise")
        assert await bridge.eval("async (p) => await p")(bridge.to_js(p)) == "from bridge.Promise"


async def test_expose_async_function_returns_native_promise() -> None:
    calls: list[tuple[object, ...]] = []

    async def fetch_user(uid: float, opts: object) -> dict[str, object]:
        calls.append((uid, opts))
        await asyncio.sleep(0.001)
        return {"id": uid, "name": "ada"}

    bridge.expose("fetchUser", fetch_user)
    out = await bridge.eval(
        "(async () => { const p = fetchUser(7, 'x'); const u = await p;"
        " return [p instanceof Promise, u.id, u.name]; })()"
    )
    assert list(out) == [True, 7, "ada"]
    assert calls == [(7, "x")]


async def test_expose_sync_function_and_value() -> None:
    bridge.expose("add", lambda a, b: a + b)
    bridge.expose("config", {"debug": True})
    assert bridge.eval("add(2, 3) + (config.debug ? 1 : 0)") == 6


async def test_js_callback_args_are_wrapped_functions() -> None:
    got: list[object] = []

    def take(fn: bridge.JSFunction) -> object:
        got.append(fn)
        return fn(20)

    bridge.expose("take", take)
    assert bridge.eval("take(function plus1(x) { return x + 1; })") == 21
    assert isinstance(got[0], bridge.JSFunction)


async def test_blocking_runs_in_executor_without_blocking_loop() -> None:
    main = threading.get_ident()
    threads: list[int] = []

    def slow(x: float) -> float:
        threads.append(threading.get_ident())
        time.sleep(0.05)
        return x + 1

    bridge.expose("slow", bridge.blocking(slow))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    t = asyncio.ensure_future(ticker())
    result = await bridge.eval("slow(41)")
    t.cancel()
    assert result == 42
    assert threads and threads[0] != main
    assert ticks >= 3  # the loop kept running while slow() slept


async def test_blocking_with_own_executor_and_error() -> None:
    def fail() -> None:
        raise OSError("disk")

    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="mine") as pool:
        names: list[str] = []
        bridge.expose(
            "where", bridge.blocking(lambda: names.append(threading.current_thread().name), pool)
        )
        bridge.expose("fail", bridge.blocking(fail, pool))
        await bridge.eval("where()")
        assert names[0].startswith("mine")
        msg = await bridge.eval("fail().catch((e) => `${e.name}: ${e.message}`)")
    assert msg == "OSError: disk"


def test_blocking_needs_callable() -> None:
    with pytest.raises(TypeError, match=r"bridge\.blocking needs a callable, not int"):
        bridge.blocking(3)  # type: ignore[arg-type]


async def test_gather_python_and_js_work() -> None:
    async def py_work() -> str:
        await asyncio.sleep(0.01)
        return "py"

    js_work = bridge.eval("new Promise((r) => setTimeout(() => r('js'), 10))")
    start = time.perf_counter()
    assert await asyncio.gather(py_work(), js_work) == ["py", "js"]
    assert time.perf_counter() - start < 0.5


async def test_to_js_rejections_reach_js_as_python_error() -> None:
    async def fails() -> None:
        raise LookupError("no such row")

    def fails_in_thread() -> None:
        raise PermissionError("denied")

    describe = bridge.eval(
        "async (p) => { try { await p; } catch (e) {"
        " return [e instanceof PythonError, e.name, e.message]; } }"
    )
    assert list(await describe(bridge.to_js(fails()))) == [True, "LookupError", "no such row"]
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        got = await describe(bridge.to_js(pool.submit(fails_in_thread)))
    assert list(got) == [True, "PermissionError", "denied"]


async def test_exposed_sync_function_error_is_python_error() -> None:
    def parse(text: str) -> int:
        return int(text)

    bridge.expose("parseInt10", parse)
    got = bridge.eval(
        "(() => { try { parseInt10('x'); }"
        " catch (e) { return [e.name, e.message.includes('x')]; } })()"
    )
    assert list(got) == ["ValueError", True]


async def test_expose_returns_the_object_and_checks_the_name() -> None:
    obj = {"a": 1}
    assert bridge.expose("exposedObj", obj) is obj
    with pytest.raises(TypeError, match=r"bridge\.expose: name must be a str, not int"):
        bridge.expose(3, obj)  # type: ignore[arg-type]


async def test_js_function_wrapper_surface() -> None:
    fn = bridge.eval("(function area(w, h) { return w * h; })")
    assert repr(fn) == "<JS function area>"
    fn.unit = "m2"
    assert fn.unit == "m2"
    assert "unit" in dir(fn)
    assert fn == bridge.eval("(f) => f")(fn)
    assert fn != bridge.eval("(function area() {})")
    assert fn(3, 4) == 12


async def test_js_function_results_are_wrapped() -> None:
    make = bridge.eval("() => function inner(x) { return x + 1; }")
    inner = make()
    assert isinstance(inner, bridge.JSFunction)
    assert inner(1) == 2
    err = bridge.eval("() => new RangeError('returned, not thrown')")()
    assert isinstance(err, bridge.JSRangeError)


def test_run_raises_the_mapped_rejection() -> None:
    with pytest.raises(bridge.JSTypeError, match="from run"):
        bridge.run("Promise.reject(new TypeError('from run'))")


def test_calling_js_that_needs_a_loop_without_one() -> None:
    later = bridge.eval("(ms) => new Promise((r) => setTimeout(r, ms))")
    with pytest.raises(bridge.RuntimeNotReady, match=r"through bridge\.run"):
        later(1)


async def test_functions_handed_to_js_are_not_kept_alive_by_bridge() -> None:
    import weakref

    def make() -> weakref.ref[object]:
        def throwaway() -> None:
            pass

        bridge.eval("(f) => typeof f")(throwaway)
        return weakref.ref(throwaway)

    ref = make()
    gc.collect()
    _engine.engine().collect()  # JS drops its proxy of the function only in its GC
    gc.collect()
    assert ref() is None
