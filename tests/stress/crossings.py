"""Crossings of each kind, many times over: time and RSS growth per batch, printed as a table.

``python tests/stress/crossings.py [--total N] [--batch N] [KIND ...]`` runs each kind in its own
process (one kind's garbage must not show up in another's RSS) and prints one row per kind:
time per batch (first, last, max) and RSS growth per batch after the first (warm-up) batch.
``nox -s stress`` runs the long form (1,000,000 of each); tests/stress/test_stress.py a short one.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import bridge


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6


async def _number_awaits() -> Callable[[int], Awaitable[Any]]:
    f = bridge.eval("(i) => Promise.resolve(i)")
    return f  # type: ignore[no-any-return]


async def _string_awaits() -> Callable[[int], Awaitable[Any]]:
    return bridge.eval("(i) => Promise.resolve('s' + i)")  # type: ignore[no-any-return]


async def _timers() -> Callable[[int], Awaitable[Any]]:
    return bridge.eval("(i) => new Promise((r) => setTimeout(() => r(i), 0))")  # type: ignore[no-any-return]


async def _rejections() -> Callable[[int], Awaitable[Any]]:
    f = bridge.eval("(i) => Promise.reject(new Error('e' + i))")

    async def one(i: int) -> None:
        with contextlib.suppress(bridge.JSError):
            await f(i)

    return one


async def _js_awaits_py_strings() -> Callable[[int], Awaitable[Any]]:
    async def py(x: float) -> str:
        return f"s{x:.0f}"

    bridge.expose("stressPyStr", py)
    return bridge.eval("async (i) => (await stressPyStr(i)).length")  # type: ignore[no-any-return]


async def _js_awaits_py_raising() -> Callable[[int], Awaitable[Any]]:
    async def py(x: float) -> str:
        raise ValueError(f"no {x:.0f}")

    bridge.expose("stressPyRaising", py)
    return bridge.eval(  # type: ignore[no-any-return]
        "async (i) => { try { await stressPyRaising(i) } catch (e) { return e.name } }"
    )


async def _strings_both_ways() -> Callable[[int], Awaitable[Any]]:
    def py(s: str) -> str:
        return s + "!"

    bridge.expose("stressPyEcho", py)
    f = bridge.eval("(s) => stressPyEcho(s + '?')")

    async def one(i: int) -> None:
        f(f"x{i}")

    return one


KINDS: dict[str, Callable[[], Awaitable[Callable[[int], Awaitable[Any]]]]] = {
    "await JS number": _number_awaits,
    "await JS short string": _string_awaits,
    "await JS setTimeout": _timers,
    "await JS rejected Error": _rejections,
    "JS awaits Python str": _js_awaits_py_strings,
    "JS awaits raising Python": _js_awaits_py_raising,
    "strings both ways (sync)": _strings_both_ways,
}


async def _measure(kind: str, total: int, batch: int) -> dict[str, Any]:
    one = await KINDS[kind]()
    times, rss = [], [_rss_mb()]
    for start in range(0, total, batch):
        t0 = time.perf_counter()
        for i in range(start, start + batch):
            await one(i)
        times.append(time.perf_counter() - t0)
        gc.collect()
        rss.append(_rss_mb())
    return {"times": times, "rss": rss}


def _worker(kind: str, total: int, batch: int) -> None:
    print(json.dumps(asyncio.run(_measure(kind, total, batch))))


def measure(kind: str, total: int, batch: int, timeout: float) -> dict[str, Any]:
    """Run one kind in a fresh process; its per-batch times (s) and RSS (MB) after each batch."""
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", kind, str(total), str(batch)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{kind}: worker failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def growth_per_batch(rss: list[float]) -> float:
    """RSS growth (MB) per batch after the first batch (the warm-up)."""
    if len(rss) < 3:
        return rss[-1] - rss[0]
    return (rss[-1] - rss[1]) / (len(rss) - 2)


def main(argv: list[str]) -> None:
    total, batch = 1_000_000, 100_000
    kinds = []
    args = iter(argv)
    for arg in args:
        if arg == "--total":
            total = int(next(args))
        elif arg == "--batch":
            batch = int(next(args))
        else:
            kinds.append(arg)
    rows = []
    for kind in kinds or list(KINDS):
        out = measure(kind, total, batch, timeout=3600)
        t = out["times"]
        rows.append(
            (
                kind,
                f"{t[0]:.2f}",
                f"{t[-1]:.2f}",
                f"{max(t):.2f}",
                f"{out['rss'][-1] - out['rss'][0]:.1f}",
                f"{growth_per_batch(out['rss']):+.2f}",
            )
        )
        print(f"  {kind}: {' | '.join(rows[-1][1:])}", file=sys.stderr, flush=True)
    head = (
        f"crossing ({total:,} each)",
        f"s first {batch:,}",
        f"s last {batch:,}",
        f"s max {batch:,}",
        "RSS total MB",
        f"MB per {batch:,} after warm-up",
    )
    widths = [max(len(r[i]) for r in [*rows, head]) for i in range(len(head))]
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(
            " | ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main(sys.argv[1:])
