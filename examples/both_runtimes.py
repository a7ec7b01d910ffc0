"""One function, two runtimes: the same code against bridge.embedded() and bridge.node().

Code written against ``bridge.Runtime`` runs on either: the embedded engine (SpiderMonkey in
this process) or a Node.js child process. Run: python examples/both_runtimes.py
"""

from __future__ import annotations

import asyncio
import shutil

import bridge


async def summarize(rt: bridge.Runtime) -> str:
    """JS code that awaits a Python coroutine, called from Python; the same on both runtimes."""

    async def lookup(name: str) -> int:
        await asyncio.sleep(0.01)
        return len(name)

    rt.expose("lookup", lookup)
    total = await rt.eval(
        "async (names) => (await Promise.all(names.map((n) => lookup(n)))).reduce((a, b) => a + b)"
    )
    letters = await total(["ada", "grace", "linus"])
    try:
        await rt.eval("Promise.reject(new RangeError('too far'))")
    except ValueError as err:  # a JS RangeError is a bridge.JSRangeError, also a ValueError
        failure = type(err).__name__
    return f"{rt.name}: {int(letters)} letters, then {failure}"


async def main() -> None:
    async with bridge.embedded() as rt:
        print(await summarize(rt))
    if shutil.which("node") is None:
        print("node: not installed, skipped")
        return
    async with bridge.node() as rt:
        print(await summarize(rt))


if __name__ == "__main__":
    asyncio.run(main())
