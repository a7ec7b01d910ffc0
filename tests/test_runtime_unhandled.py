"""Unhandled JS rejections that never reach Python: reported once, after the microtask drain."""

from __future__ import annotations

import asyncio
import gc
import sys
from typing import Any

import bridge


def _collect() -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: seen.append(ctx))
    return seen


async def _turns(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def test_js_only_unhandled_rejection_is_reported_once() -> None:
    seen = _collect()
    assert bridge.eval("Promise.reject(new Error('nobody')); 0") == 0
    await _turns()
    await asyncio.sleep(0.01)
    gc.collect()
    await _turns()
    assert [c["message"] for c in seen] == ["Unhandled promise rejection"]
    exc = seen[0]["exception"]
    assert type(exc) is bridge.JSError
    assert str(exc) == "Error: nobody"


async def test_rejection_inside_a_job_is_reported_with_its_mapped_class() -> None:
    seen = _collect()
    bridge.eval("Promise.resolve().then(() => { throw new RangeError('in job'); }); null")
    await _turns()
    assert len(seen) == 1
    assert isinstance(seen[0]["exception"], bridge.JSRangeError)
    assert str(seen[0]["exception"]) == "RangeError: in job"


async def test_rejection_handled_a_tick_later_in_the_same_drain_is_not_reported() -> None:
    seen = _collect()
    bridge.eval(
        "const p1 = Promise.reject(new Error('later'));"
        "Promise.resolve().then(() => null).then(() => p1.catch(() => {})); 0"
    )
    await bridge.eval(
        "(async () => { async function f() { throw new TypeError('sync'); }"
        " try { await f(); } catch (e) {} })()"
    )
    await _turns()
    gc.collect()
    await _turns()
    assert seen == []


async def test_rejection_awaited_from_python_is_not_reported() -> None:
    seen = _collect()
    fut = bridge.eval("Promise.reject(new TypeError('awaited'))")
    await _turns()
    try:
        await fut
    except bridge.JSTypeError as exc:
        assert str(exc) == "TypeError: awaited"
    else:
        raise AssertionError("no rejection")
    del fut
    gc.collect()
    await _turns()
    assert seen == []


async def test_null_undefined_and_primitive_reasons_do_not_crash() -> None:
    seen = _collect()
    bridge.eval("Promise.reject(null); Promise.reject(undefined); Promise.reject(42); 0")
    await _turns()
    reasons = [c["exception"] for c in seen]
    assert all(isinstance(r, bridge.JSRejection) for r in reasons)
    assert [(r.value, r.is_null) for r in reasons] == [(None, True), (None, False), (42.0, False)]


async def test_timers_keep_running_after_an_unhandled_rejection() -> None:
    seen = _collect()
    result = await bridge.eval(
        "Promise.reject(new Error('x'));new Promise((r) => setTimeout(() => r('timer ran'), 10))"
    )
    assert result == "timer ran"
    assert len(seen) == 1


async def test_python_exception_rejected_into_js_and_dropped_there_is_reported_as_itself() -> None:
    seen = _collect()
    boom = KeyError("from python")

    async def failing() -> None:
        raise boom

    bridge.eval("(p) => { p.then(() => 'never'); }")(bridge.to_js(failing()))
    for _ in range(10):
        await asyncio.sleep(0)
    assert len(seen) == 1
    assert seen[0]["exception"] is boom


async def test_rejections_handled_late_leave_nothing_behind() -> None:
    # Each one is noted (its reason converted) and dropped again when the handler comes: the
    # references pythonmonkey leaks on a converted error's jsError and on a number must be
    # released then. Measured against the same work with a fulfilled promise (each promise
    # job leaks one block inside pythonmonkey, with or without bridge).
    seen = _collect()

    async def blocks_per_call(src: str) -> float:
        fn = bridge.eval(src)
        for i in range(300):
            fn(i)
        await _turns()
        gc.collect()
        before = sys.getallocatedblocks()
        for i in range(3000):
            fn(i)
        await _turns()
        gc.collect()
        return (sys.getallocatedblocks() - before) / 3000

    baseline = await blocks_per_call("(i) => { Promise.resolve(i).then(() => {}); }")
    # Not a string reason: pythonmonkey leaks one block for every JS string reaching Python
    # (any call returning one, too), tracker or not.
    for reason in ("new Error('x' + i)", "i + 0.5", "null", "undefined", "({i})"):
        src = f"(i) => {{ Promise.reject({reason}).catch(() => {{}}); }}"
        assert await blocks_per_call(src) - baseline < 0.2, reason
    assert seen == []


def test_rejection_made_with_no_loop_is_reported_once_a_loop_runs() -> None:
    bridge.eval("Promise.reject(new SyntaxError('before any loop')); 0")
    seen: list[dict[str, Any]] = []

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: seen.append(ctx))
        await _turns()

    asyncio.run(main())
    assert len(seen) == 1
    assert isinstance(seen[0]["exception"], bridge.JSSyntaxError)
