"""The engine inside asyncio: eval, run, globals, require, new, microtasks, no-loop errors."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
from pathlib import Path

import pytest

import bridge


def test_eval_sync_needs_no_loop() -> None:
    assert bridge.eval("1 + 2") == 3
    assert bridge.eval("'a' + 'b'") == "ab"


def test_eval_promise_work_without_loop_raises_runtime_not_ready() -> None:
    with pytest.raises(
        bridge.RuntimeNotReady, match=r"call it from async code, or run it through bridge\.run"
    ):
        bridge.eval("Promise.resolve(1).then((x) => x)")
    with pytest.raises(bridge.RuntimeNotReady, match="no asyncio loop is running"):
        bridge.eval("setTimeout(() => 0, 0)")


def test_eval_reports_filename_and_line_in_stack() -> None:
    with pytest.raises(bridge.JSError) as info:
        bridge.eval("\n\nthrow new Error('where')", filename="my.js")
    assert "my.js:3" in info.value.stack


async def test_await_js_promise() -> None:
    assert await bridge.eval("Promise.resolve(42)") == 42
    assert await bridge.eval("new Promise((r) => setTimeout(() => r('late'), 5))") == "late"


async def test_jobs_drain_before_timers() -> None:
    log: list[str] = []
    bridge.eval(
        "(log) => { Promise.resolve().then(() => log('a')).then(() => log('b'));"
        " setTimeout(() => log('c'), 0); }"
    )(log.append)
    await asyncio.sleep(0.02)
    assert log == ["a", "b", "c"]


async def test_long_chain_finishes_in_one_loop_turn() -> None:
    # A 1000-step chain settles before a callback scheduled after it: jobs are microtasks.
    seen: list[object] = []
    p = bridge.eval(
        "let p = Promise.resolve(0); for (let i = 0; i < 1000; i++) p = p.then((x) => x + 1); p"
    )
    asyncio.get_running_loop().call_soon(lambda: seen.append(p.done()))
    assert await p == 1000
    await asyncio.sleep(0)
    assert seen == [True]


def test_run_js_source_and_coroutine() -> None:
    assert bridge.run("Promise.resolve(7)") == 7
    assert bridge.run("6 * 7") == 42

    async def main() -> float:
        return await bridge.eval("new Promise((r) => setTimeout(() => r(5), 1))") * 2  # type: ignore[no-any-return]

    assert bridge.run(main()) == 10


def test_run_rejects_other_types() -> None:
    with pytest.raises(TypeError, match=r"bridge\.run takes JS source"):
        bridge.run(42)  # type: ignore[arg-type]


def test_asyncio_run_again_and_again() -> None:
    for i in range(5):
        assert asyncio.run(_await_timer(i)) == i


async def _await_timer(i: int) -> float:
    return await bridge.eval(f"new Promise((r) => setTimeout(() => r({i}), 1))")  # type: ignore[no-any-return]


def test_globals_is_global_this() -> None:
    bridge.globals["fromPython"] = 12
    assert bridge.eval("globalThis.fromPython") == 12
    assert bridge.eval("typeof PythonError") == "function"


def test_require_relative_to_caller_with_one_cache() -> None:
    counter = bridge.require("./data/counter.js")
    again = bridge.require(Path(__file__).parent / "data" / "counter.js")
    assert counter is again
    assert counter.loads == 1
    assert counter.kind == "counter"


async def test_function_properties_and_methods_keep_this() -> None:
    counter = bridge.require("./data/counter.js")
    assert await counter.delay(1, "done") == "done"
    made = counter.create(5)
    assert made["value"] == 5


def test_new_constructs() -> None:
    counter = bridge.require("./data/counter.js")
    c = bridge.new(counter)(10)
    assert c.add(5) == 15
    with pytest.raises(bridge.JSTypeError, match="must be called with new"):
        counter(1)


def test_missing_function_property_is_attribute_error() -> None:
    fn = bridge.eval("(function named() {})")
    with pytest.raises(AttributeError, match="JS function 'named' has no property 'nope'"):
        fn.nope  # noqa: B018


async def test_wrapped_function_goes_back_as_itself() -> None:
    fn = bridge.eval("(function f() {})")
    assert bridge.eval("(a) => (b) => a === b")(fn)(fn) is True


async def test_unhandled_rejection_reported_once(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, object]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, ctx: seen.append(ctx))
    bridge.eval("Promise.reject(new RangeError('dropped'))")
    await asyncio.sleep(0.01)
    gc.collect()
    assert len(seen) == 1
    assert seen[0]["message"] == "Unhandled promise rejection"
    assert isinstance(seen[0]["exception"], bridge.JSRangeError)


async def test_rejection_handled_later_is_not_reported_and_timers_survive() -> None:
    seen: list[dict[str, object]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: seen.append(ctx))
    result = await bridge.eval(
        """(async () => {
            const timer = new Promise((r) => setTimeout(() => r('timer ran'), 20));
            const p = Promise.reject(new Error('later'));
            async function thrower() { throw new TypeError('sync throw'); }
            const q = thrower();
            await null;
            const caught = [];
            try { await p; } catch (e) { caught.push(e.message); }
            await q.catch((e) => caught.push(e.message));
            caught.push(await timer);
            return caught.join(', ');
        })()"""
    )
    gc.collect()
    assert result == "later, sync throw, timer ran"
    assert seen == []


def test_process_exits_zero_with_pending_promises() -> None:
    code = (
        "import asyncio, bridge\n"
        "async def forever():\n"
        "    await asyncio.sleep(1000)\n"
        "async def main():\n"
        "    bridge.expose('forever', forever)\n"
        "    global keep\n"
        "    keep = [bridge.eval('forever()'), bridge.eval('new Promise(() => {})'),\n"
        "            bridge.eval('(async () => { await forever(); })()')]\n"
        "    bridge.eval('setTimeout(() => {}, 100000)')\n"
        "    print('leaving')\n"
        "asyncio.run(main())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "leaving\n"
    assert "Traceback" not in proc.stderr


async def test_no_false_uncaught_printed(capfd: pytest.CaptureFixture[str]) -> None:
    fired = await bridge.eval(
        "(async () => { const t = new Promise((r) => setTimeout(() => r('fired'), 10));"
        " try { await Promise.reject(new Error('handled')); } catch (e) {} return await t; })()"
    )
    gc.collect()
    assert fired == "fired"
    assert "Uncaught" not in capfd.readouterr().err


def test_uvloop_is_refused_with_a_clear_error() -> None:
    pytest.importorskip("uvloop")
    # In a subprocess: if the refusal ever regressed, pythonmonkey would segfault the run.
    code = (
        "import asyncio, uvloop, bridge\n"
        "async def main():\n"
        "    try:\n"
        "        bridge.eval('Promise.resolve().then(() => 1); setTimeout(() => 0, 0)')\n"
        "    except bridge.BridgeError as e:\n"
        "        print(e)\n"
        "uvloop.run(main())\n"
        "print(bridge.run('Promise.resolve(3)'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    message, after = proc.stdout.splitlines()
    assert message.startswith("bridge cannot run JS on uvloop's event loop (uvloop.Loop)")
    assert "Use asyncio's default loop" in message
    assert after == "3.0"  # the default loop still works afterwards


async def test_js_promise_settling_after_cancel_is_dropped() -> None:
    seen: list[dict[str, object]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: seen.append(ctx))
    settle = bridge.eval("globalThis.settlers = []; () => settlers.splice(0).forEach((f) => f())")
    resolved = bridge.eval("new Promise((r) => settlers.push(() => r(1)))")
    rejected = bridge.eval("new Promise((_, j) => settlers.push(() => j(new Error('late'))))")
    resolved.cancel()
    rejected.cancel()
    settle()
    await asyncio.sleep(0.01)
    gc.collect()
    assert resolved.cancelled() and rejected.cancelled()
    assert seen == []


async def test_numbers_from_js_do_not_leak() -> None:
    # pythonmonkey hands a JS number over as a float with one reference too many; bridge drops
    # it (returned from a call, and settled by a promise).
    random = bridge.eval("() => 2.5 * Math.random() + 1")
    values = [random() for _ in range(300)]
    counts = [sys.getrefcount(v) for v in values]
    # Released in batches of 64 (one C call each): at most the last batch still waits, with
    # bridge's and pythonmonkey's lost reference (5); the rest have only the list's, the
    # loop variable's and getrefcount's argument (3).
    assert set(counts) <= {3, 5}
    assert counts.count(3) >= 300 - 64

    halve = bridge.eval("(x) => Promise.resolve(x / 2)")
    for i in range(500):
        await halve(i)
    gc.collect()
    before = sys.getallocatedblocks()
    for i in range(5000):
        await halve(i)
    gc.collect()
    per_await = (sys.getallocatedblocks() - before) / 5000
    # One 24-byte block per job stays: pythonmonkey's JSFunctionProxy never frees itself.
    assert per_await < 1.5


def test_run_adopts_a_js_thenable() -> None:
    src = "({ then(resolve) { setTimeout(() => resolve('adopted'), 1); } })"
    assert bridge.run(src) == "adopted"
