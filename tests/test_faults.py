"""Faults the embedded runtime must survive: event-loop order, timers, deep recursion, Ctrl-C,
exits, fork, promises that can never settle. Crashes and hangs are tested in subprocesses."""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path
from typing import Any

import pytest

import bridge

ROOT = Path(__file__).resolve().parent.parent


def run_script(
    code: str, *, timeout: float = 60, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with this checkout's bridge importable."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
        **kwargs,
    )


# --- event-loop order: microtasks drain after every task -----------------------------------------


async def test_microtasks_drain_after_each_timer_callback() -> None:
    log: list[str] = []
    await bridge.eval(
        """(log) => new Promise((done) => {
            setTimeout(() => { log('t1'); Promise.resolve().then(() => log('m')) }, 0);
            setTimeout(() => { log('t2'); done() }, 0);
        })"""
    )(log.append)
    assert log == ["t1", "m", "t2"]


async def test_microtasks_drain_after_each_timer_callback_nested() -> None:
    log: list[str] = []
    await bridge.eval(
        """(log) => new Promise((done) => {
            setTimeout(() => {
                log('t1');
                Promise.resolve().then(() => {
                    log('m1');
                    setTimeout(() => { log('t3'); Promise.resolve().then(() => log('m4')) }, 0);
                    Promise.resolve().then(() => log('m2'));
                });
            }, 0);
            setTimeout(() => { log('t2'); Promise.resolve().then(() => log('m3')) }, 0);
            setTimeout(done, 20);
        })"""
    )(log.append)
    assert log == ["t1", "m1", "m2", "t2", "m3", "t3", "m4"]


async def test_microtasks_drain_after_each_python_callback_into_js() -> None:
    log: list[str] = []
    js = bridge.eval("(log, x) => { log('c' + x); Promise.resolve().then(() => log('m' + x)) }")
    loop = asyncio.get_running_loop()
    loop.call_soon(js, log.append, 1)
    loop.call_soon(js, log.append, 2)
    await asyncio.sleep(0.01)
    assert log == ["c1", "m1", "c2", "m2"]


async def test_awaiting_js_still_yields_to_other_tasks() -> None:
    # The drain runs right after the task step, but awaiting a JS promise still goes through
    # the loop: other tasks (and timeouts) are not starved by a loop of awaits.
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.ensure_future(ticker())
    f = bridge.eval("(i) => Promise.resolve(i)")
    for i in range(100):
        await f(i)
    task.cancel()
    assert ticks >= 50


# --- timers --------------------------------------------------------------------------------------


async def test_timers_interval_clear_and_arguments() -> None:
    got = await bridge.eval(
        """new Promise((done) => {
            let n = 0;
            const t = setInterval((a, b) => {
                n += a + b;
                if (n >= 9) { clearInterval(t); done(n) }
            }, 1, 1, 2);
        })"""
    )
    assert got == 9
    cleared = await bridge.eval(
        """new Promise((done) => {
            const t = setTimeout(() => done('fired'), 5);
            clearTimeout(t);
            setTimeout(() => done('cleared'), 15);
        })"""
    )
    assert cleared == "cleared"
    assert (
        await bridge.eval("new Promise((r) => { globalThis.__r = r; setTimeout('__r(7)', 0) })")
        == 7
    )
    assert bridge.eval("(t) => typeof +t")(bridge.eval("setTimeout(() => 0, 0)")) == "number"


async def test_a_throwing_timer_reaches_the_loop_exception_handler() -> None:
    seen: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    try:
        await bridge.eval(
            "new Promise((r) => { setTimeout(() => { throw new TypeError('boom') }, 0); "
            "setTimeout(r, 5) })"
        )
    finally:
        loop.set_exception_handler(None)
    assert len(seen) == 1
    assert isinstance(seen[0]["exception"], bridge.JSTypeError)


def test_timers_do_not_keep_loops_alive() -> None:
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def one() -> None:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        await bridge.eval("new Promise((r) => setTimeout(r, 0))")
        bridge.eval("setTimeout(() => 0, 10000)")  # still pending when the loop closes

    for _ in range(20):
        asyncio.run(one())
    gc.collect()
    assert sum(ref() is not None for ref in loops) <= 1  # the last one may be attached still


# --- deep recursion: a RecursionError, never a crash ---------------------------------------------

RECURSION = """
    import sys
    import bridge

    def py(n):
        return js(n - 1) + 1 if n > 0 else 0

    bridge.expose("py", py)
    js = bridge.eval("(n) => n > 0 ? py(n - 1) + 1 : 0")
    assert js(450) == 450, "not as deep as half of raw pythonmonkey's depth"

    def at(k):
        if k:
            return at(k - 1)
        try:
            return js(2049)
        except RecursionError:
            return "RecursionError"

    results = {at(k) for k in range(0, 40)}
    print(sorted(map(str, results)))
    assert sys.getrecursionlimit() == LIMIT
"""


@pytest.mark.parametrize("limit", [1000, 150])
def test_recursion_through_js_is_a_recursion_error_not_a_crash(limit: int) -> None:
    code = RECURSION.replace("LIMIT", str(limit))
    if limit != 1000:
        code = code.replace(
            "    import sys\n", f"    import sys\n    sys.setrecursionlimit({limit})\n"
        )
        code = code.replace("js(450) == 450", "js(10) == 10")
    proc = run_script(code, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "['RecursionError']"
