"""Python and JavaScript work running concurrently, gathered from either side.

Three timers of 50 ms each (one Python, two JS) finish in about 50 ms in total, whether Python
gathers them with ``asyncio.gather`` or JS with ``Promise.all``.
"""

from __future__ import annotations

import asyncio
import time

import bridge

JS_SLEEP = "(ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms))"


async def py_sleep(ms: float, value: str) -> str:
    await asyncio.sleep(ms / 1000)
    return value


async def main() -> None:
    js_sleep = bridge.eval(JS_SLEEP)

    start = time.perf_counter()
    results = await asyncio.gather(
        py_sleep(50, "python"), js_sleep(50, "js 1"), js_sleep(50, "js 2")
    )
    took = (time.perf_counter() - start) * 1000
    print(f"asyncio.gather over Python and JS: {results} in {took:.0f} ms (not 150)")

    bridge.expose("pySleep", py_sleep)
    start = time.perf_counter()
    results = await bridge.eval(
        f"Promise.all([pySleep(50, 'python 1'), pySleep(50, 'python 2'), ({JS_SLEEP})(50, 'js')])"
    )
    took = (time.perf_counter() - start) * 1000
    print(f"JS Promise.all over Python and JS: {list(results)} in {took:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
