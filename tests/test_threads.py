"""The thread policy: the engine belongs to the main thread; other threads get WrongThread."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest

import bridge

HINT = (
    r"run the JS work on the main thread, e\.g\. submit it to the event loop the main thread "
    r"runs with asyncio\.run_coroutine_threadsafe\(coro, main_loop\); if your event loop runs "
    r"in another thread, use the Node\.js runtime \(bridge\.node\(\)\)"
)


def _in_thread(fn: Callable[[], object]) -> BaseException | None:
    caught: list[BaseException] = []

    def target() -> None:
        try:
            fn()
        except BaseException as exc:
            caught.append(exc)

    t = threading.Thread(target=target, name="worker-1")
    t.start()
    t.join(10)
    return caught[0] if caught else None


def test_eval_from_other_thread_is_wrong_thread() -> None:
    bridge.eval("0")  # the engine is started (on the main thread)
    exc = _in_thread(lambda: bridge.eval("1 + 1"))
    assert isinstance(exc, bridge.WrongThread)
    owner = r"main thread \('MainThread'\) and cannot be used from thread 'worker-1': "
    with pytest.raises(bridge.WrongThread, match=owner + HINT):
        raise exc


def test_wrapped_function_from_other_thread_is_wrong_thread() -> None:
    fn = bridge.eval("(function twice(x) { return 2 * x; })")
    exc = _in_thread(lambda: fn(2))
    assert isinstance(exc, bridge.WrongThread)
    assert fn(2) == 4  # and the engine is still fine on its own thread


async def test_marshalling_onto_the_loop_thread_works() -> None:
    loop = asyncio.get_running_loop()

    async def on_loop() -> float:
        return await bridge.eval("Promise.resolve(5)")  # type: ignore[no-any-return]

    def worker() -> float:
        return asyncio.run_coroutine_threadsafe(on_loop(), loop).result(10)

    assert await asyncio.to_thread(worker) == 5


async def test_executor_callbacks_still_reach_the_loop() -> None:
    # The loop's call_soon_threadsafe is replaced for pythonmonkey's jobs; other threads must
    # still get the real, thread-safe method.
    loop = asyncio.get_running_loop()
    bridge.eval("0")
    await bridge.eval("Promise.resolve()")
    done = loop.create_future()

    def later() -> None:
        time.sleep(0.01)
        loop.call_soon_threadsafe(done.set_result, 1)

    threading.Thread(target=later).start()
    assert await asyncio.wait_for(done, 5) == 1


def test_first_use_off_main_thread_is_wrong_thread() -> None:
    code = (
        "import threading, bridge\n"
        "out = []\n"
        "def w():\n"
        "    try: bridge.eval('1')\n"
        "    except bridge.WrongThread as e: out.append(str(e))\n"
        "t = threading.Thread(target=w, name='early'); t.start(); t.join()\n"
        "print(out[0])\n"
        "print(bridge.eval('40 + 2'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.splitlines()
    assert "cannot be started from thread 'early'" in first
    assert second == "42.0"
