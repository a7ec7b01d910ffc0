"""bridge.Promise against plain asyncio futures and against the `promise` package (PyPI).

Same work on each side, measured in this one run (median of REPEAT runs, fresh loop each):

* a chain of 100,000 `then` steps, each adding one (asyncio: a future per step, whose done
  callback sets the next one; `promise`: its own `then` chain, read with `.get()`);
* 10,000 pending promises through `all`, then each resolved (asyncio: a done callback per
  future counting down to one result future, as `all` does);
* memory of a promise loop written recursively (each step returns the next promise), 100,000
  vs 1,000,000 steps: tracemalloc peak. Constant memory means the two peaks are about equal.

Targets (issue 3): >= 2x faster than `promise`, within 2x of asyncio futures, constant memory.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from typing import Any

from bridge import Promise

# This file is itself named promise.py: take its folder off the path so that `import promise`
# finds the PyPI package, not this script.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(__file__)]
try:
    from promise import Promise as PyPIPromise
except ImportError:  # pragma: no cover - `nox -s bench` installs it
    PyPIPromise = None

CHAIN = 100_000
MANY = 10_000
REPEAT = 3


def inc(value: int) -> int:
    return value + 1


def timed(fn: Callable[[], Any], expect: Any) -> float:
    """Median seconds of REPEAT runs of fn (which checks its own result against expect)."""
    runs = []
    for _ in range(REPEAT):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
        assert result == expect, (result, expect)
    return statistics.median(runs)


# --- chain of `then` steps ------------------------------------------------------------------


def chain_bridge() -> int:
    async def main() -> int:
        promise = Promise.resolve(0)
        for _ in range(CHAIN):
            promise = promise.then(inc)
        return await promise

    return asyncio.run(main())


def chain_asyncio() -> int:
    def step(following: asyncio.Future[int], done: asyncio.Future[int]) -> None:
        following.set_result(inc(done.result()))

    async def main() -> int:
        loop = asyncio.get_running_loop()
        first = current = loop.create_future()
        for _ in range(CHAIN):
            following = loop.create_future()
            current.add_done_callback(partial(step, following))
            current = following
        first.set_result(0)
        return await current

    return asyncio.run(main())


def chain_pypi() -> int:
    promise = PyPIPromise.resolve(0)
    for _ in range(CHAIN):
        promise = promise.then(inc)
    return promise.get()  # type: ignore[no-any-return]


# --- 10,000 promises through `all` ----------------------------------------------------------


def all_bridge() -> int:
    async def main() -> int:
        pending = [Promise.with_resolvers() for _ in range(MANY)]
        together = Promise.all([each.promise for each in pending])
        for index, each in enumerate(pending):
            each.resolve(index)
        return len(await together)

    return asyncio.run(main())


def all_asyncio() -> int:
    async def main() -> int:
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in range(MANY)]
        result: asyncio.Future[list[int]] = loop.create_future()
        values: list[Any] = [None] * MANY
        remaining = [MANY]

        def element(index: int, future: asyncio.Future[int]) -> None:
            values[index] = future.result()
            remaining[0] -= 1
            if remaining[0] == 0:
                result.set_result(values)

        for index, future in enumerate(futures):
            future.add_done_callback(partial(element, index))
        for index, future in enumerate(futures):
            future.set_result(index)
        return len(await result)

    return asyncio.run(main())


def all_pypi() -> int:
    pending = [PyPIPromise() for _ in range(MANY)]
    together = PyPIPromise.all(pending)
    for index, each in enumerate(pending):
        each.do_resolve(index)
    return len(together.get())


# --- memory of a recursive promise loop -----------------------------------------------------


def loop_peak(steps: int) -> tuple[int, float]:
    """tracemalloc peak (bytes) and seconds of `step(0)` where each step returns the next."""

    def step(i: int) -> Any:
        return i if i >= steps else Promise.resolve(i + 1).then(step)

    async def main() -> Any:
        return await step(0)

    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    result = asyncio.run(main())
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result == steps, result
    return peak, seconds


def ratio(ours: float, theirs: float) -> str:
    return f"{theirs / ours:.2f}x faster" if ours <= theirs else f"{ours / theirs:.2f}x slower"


def main() -> None:
    if PyPIPromise is None:
        sys.exit("benchmarks/promise.py needs the `promise` package: pip install promise==2.3")
    rows = []
    for name, ours, theirs in (
        (f"chain of {CHAIN:,} then steps", chain_bridge, (chain_asyncio, chain_pypi)),
        (f"{MANY:,} promises through all", all_bridge, (all_asyncio, all_pypi)),
    ):
        expect = CHAIN if "chain" in name else MANY
        mine = timed(ours, expect)
        for label, fn in zip(("asyncio future callbacks", "promise==2.3"), theirs, strict=True):
            other = timed(fn, expect)
            reference = f"{label}: {other * 1e3:.0f} ms"
            rows.append((name, f"{mine * 1e3:.0f} ms", reference, ratio(mine, other)))
    small, small_s = loop_peak(100_000)
    large, large_s = loop_peak(1_000_000)
    rows.append(
        (
            "recursive promise loop, tracemalloc peak",
            f"1M steps: {large / 1024:.0f} KiB ({large_s:.1f} s)",
            f"100k steps: {small / 1024:.0f} KiB ({small_s:.1f} s)",
            f"{large / small:.2f}x the memory for 10x the steps",
        )
    )
    header = ("what was measured", "bridge.Promise", "reference", "ratio")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    line = " | ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*header).rstrip())
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(line.format(*row).rstrip())


if __name__ == "__main__":
    main()
