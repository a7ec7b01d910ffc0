"""pythonmonkey finds the running loop on every Python, and never a stale one.

pythonmonkey 1.4.1's wheel for 3.13 reads the running loop at the wrong thread-state offset
for CPython 3.13.0; bridge mirrors asyncio's pointer there (bridge/_runtime.py). These tests
pass on every supported Python; on 3.13 they fail without the mirror.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

import bridge


def test_promise_jobs_and_timers_run_in_each_new_loop() -> None:
    async def main() -> list[float]:
        return [
            await bridge.eval("Promise.resolve(1).then(x => x + 1)"),
            await bridge.eval("new Promise(r => setTimeout(() => r(3), 5))"),
            await bridge.eval("(async x => (await x) * 2)")(asyncio.sleep(0.001, 2)),
        ]

    for _ in range(3):
        assert asyncio.run(main()) == [2.0, 3.0, 4.0]


def test_no_stale_loop_after_the_loop_stopped() -> None:
    async def main() -> float:
        return await bridge.eval("Promise.resolve(7)")  # type: ignore[no-any-return]

    assert asyncio.run(main()) == 7.0
    with pytest.raises(bridge.RuntimeNotReady, match="no asyncio loop is running"):
        bridge.eval("Promise.resolve(1).then(x => x)")


def test_a_loop_in_another_thread_does_not_disturb_the_engine() -> None:
    done = threading.Event()

    def other() -> None:
        asyncio.run(asyncio.sleep(0.01))
        done.set()

    async def main() -> float:
        thread = threading.Thread(target=other)
        thread.start()
        value = await bridge.eval("new Promise(r => setTimeout(() => r(9), 20))")
        thread.join(5)
        return value  # type: ignore[no-any-return]

    assert asyncio.run(main()) == 9.0
    assert done.is_set()
