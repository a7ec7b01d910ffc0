"""The Node.js runtime: bridge.node() against JSPyBridge (``javascript`` on PyPI), one run.

Prints one table: what was measured | bridge.node() | JSPyBridge | ratio (bridge / JSPyBridge).

* start-up: from nothing to the first call's answer (bridge: ``async with bridge.node()``;
  JSPyBridge: its import, which starts its Node process);
* a sequential call: ``await f(i)`` one after the other (JSPyBridge: ``f(i)``, synchronous),
  the first FIRST in a new runtime, and again after WARM (both sides warmed the same way);
* 10,000 concurrent calls: ``asyncio.gather`` of 10,000 awaits (JSPyBridge has no async API:
  not measured);
* JS awaiting Python: a JS loop of ``await f(i)`` on a Python function, after WARM of them;
* a 10 MB round trip: bytes to a JS echo and back (Buffers in binary frames); JSPyBridge cannot
  carry bytes, so its column sends a 10 MB str.

Then RSS of both processes over 1,000,000 calls that create and drop a handle each (skipped
with ``--quick``). Wall time, best of ROUNDS (both sides are two processes, so CPU time of
one would mislead).
JSPyBridge runs in a worker process; its column says why when it is not installed. Run:
``python benchmarks/node.py`` (``nox -s bench``).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import bridge
from bridge.node import _frames

SEQUENTIAL = 2_000
FIRST = 500  # the first calls in a new runtime, timed on their own
# Calls before a per-call figure is timed, on both sides: V8 optimizes hot code after a few
# thousand calls (the first 500 cost about twice what later ones do). Not more: JSPyBridge
# 1.2.6 gave wrong answers after 4,000 to 5,000 calls of one function (a JS async function
# then returned [[13], None] at once instead of its number).
WARM = 3_000
CONCURRENT = 10_000
JS_AWAITS_PY = 2_000
BIG = 10 * 1024 * 1024
ROUNDS = 3
JS_LOOP = "async (f, n) => { let s = 0; for (let i = 0; i < n; i++) s += await f(i); return s; }"


def best(samples: list[float]) -> float:
    return min(samples)


async def _sequential(call: Callable[[int], Awaitable[Any]]) -> tuple[float, float]:
    """Seconds per awaited call(i), one after the other: over the first FIRST calls, and over
    SEQUENTIAL more once WARM have been made."""

    async def each(times: int) -> float:
        t = time.perf_counter()
        for i in range(times):
            await call(i)
        return (time.perf_counter() - t) / times

    first = await each(FIRST)
    await each(WARM - FIRST)
    return first, await each(SEQUENTIAL)


async def measure_bridge() -> dict[str, float]:
    keys = ("start", "first", "seq", "conc", "jspy", "big", "big_again")
    out: dict[str, list[float]] = {k: [] for k in keys}
    for _ in range(ROUNDS):
        t = time.perf_counter()
        async with bridge.node() as rt:
            await rt.eval("1")
            out["start"].append(time.perf_counter() - t)
            f = await rt.eval("(i) => i")
            first, seq = await _sequential(f)
            out["first"].append(first)
            out["seq"].append(seq)
            t = time.perf_counter()
            await asyncio.gather(*(f(i) for i in range(CONCURRENT)))
            out["conc"].append(time.perf_counter() - t)

            async def py(i: int) -> int:
                return i

            loop = await rt.eval(JS_LOOP)
            await loop(py, WARM)
            t = time.perf_counter()
            await loop(py, JS_AWAITS_PY)
            out["jspy"].append((time.perf_counter() - t) / JS_AWAITS_PY)
            data = b"x" * BIG
            t = time.perf_counter()
            back = await f(data)
            out["big"].append(time.perf_counter() - t)
            assert back == data
            t = time.perf_counter()  # the same again: both sides' buffers have grown already
            back = await f(data)
            out["big_again"].append(time.perf_counter() - t)
            assert back == data
    return {k: best(v) for k, v in out.items()}


JSPY_WORKER = f"""
import json, sys, time
t = time.perf_counter()
from javascript import eval_js, globalThis
globalThis.Math.abs(-1)
start = time.perf_counter() - t
f = eval_js("return (i) => i")
t = time.perf_counter()
for i in range({FIRST}):
    f(i)
first = (time.perf_counter() - t) / {FIRST}
for i in range({WARM - FIRST}):
    f(i)
t = time.perf_counter()
for i in range({SEQUENTIAL // 4}):
    f(i)
seq = (time.perf_counter() - t) / {SEQUENTIAL // 4}
loop = eval_js("return {JS_LOOP}")
loop(lambda i: i, {WARM}, timeout=120)
t = time.perf_counter()
loop(lambda i: i, {JS_AWAITS_PY // 4}, timeout=120)
jspy = (time.perf_counter() - t) / {JS_AWAITS_PY // 4}
data = "x" * {BIG}
t = time.perf_counter()
assert f(data, timeout=120) == data
big = time.perf_counter() - t
print(json.dumps(dict(start=start, first=first, seq=seq, jspy=jspy, big=big)))
"""


def measure_jspybridge() -> dict[str, float] | str:
    runs: list[dict[str, float]] = []
    for _ in range(ROUNDS):
        try:
            proc = subprocess.run(
                [sys.executable, "-c", JSPY_WORKER], capture_output=True, text=True, timeout=300
            )
        except subprocess.TimeoutExpired:
            return "JSPyBridge timed out"
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["?"])[-1]
            return f"JSPyBridge not measured: {last}"
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return {k: best([r[k] for r in runs]) for k in runs[0]}


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


ECHO_JS = (
    "const s = new (require('net').Socket)({ fd: Number(process.argv[1]),"
    " readable: true, writable: true }); s.on('data', (d) => s.write(d));"
)


class _Echoed(asyncio.BufferedProtocol):
    """Resolves ``waiting`` once ``size`` bytes are back, read into one reused buffer (as
    bridge reads Node's answers)."""

    def __init__(self, size: int) -> None:
        self.buffer = bytearray(64 * 1024)
        self.size = size
        self.got = 0
        self.waiting: asyncio.Future[None] | None = None

    def get_buffer(self, sizehint: int) -> bytearray:
        return self.buffer

    def buffer_updated(self, nbytes: int) -> None:
        self.got += nbytes
        if self.got >= self.size and self.waiting is not None:
            self.got -= self.size
            self.waiting.set_result(None)


async def measure_floor() -> tuple[float, float]:
    """The floor under any call into Node from asyncio on this machine: 60 bytes sent over a
    socketpair to a Node process that echoes them, awaited, one after the other. Timed as
    bridge's calls are: the first FIRST in a new process, then SEQUENTIAL after WARM."""
    rounds = [await _floor_round() for _ in range(ROUNDS)]
    return best([r[0] for r in rounds]), best([r[1] for r in rounds])


async def _floor_round() -> tuple[float, float]:
    import socket

    ours, theirs = socket.socketpair()
    proc = await asyncio.create_subprocess_exec(
        "node", "-e", ECHO_JS, str(theirs.fileno()), pass_fds=(theirs.fileno(),)
    )
    theirs.close()
    loop = asyncio.get_running_loop()
    message = b"x" * 60
    transport, echoed = await loop.create_unix_connection(lambda: _Echoed(len(message)), sock=ours)

    def echo(_: int) -> asyncio.Future[None]:
        echoed.waiting = loop.create_future()
        transport.write(message)
        return echoed.waiting

    first, warm = await _sequential(echo)
    transport.close()
    proc.kill()
    await proc.wait()
    return first, warm


async def measure_gather_floor() -> float:
    """The floor under CONCURRENT calls in asyncio itself, with no I/O at all: gather over
    that many coroutines, each awaiting a future that is resolved once all have started."""
    loop = asyncio.get_running_loop()
    samples = []
    for _ in range(ROUNDS):
        futures: list[asyncio.Future[int]] = []

        async def one(futures: list[asyncio.Future[int]]) -> int:
            future: asyncio.Future[int] = loop.create_future()
            futures.append(future)
            return await future

        t = time.perf_counter()
        gathered = asyncio.gather(*(one(futures) for _ in range(CONCURRENT)))
        await asyncio.sleep(0)
        for future in futures:
            future.set_result(1)
        await gathered
        samples.append(time.perf_counter() - t)
    return best(samples)


HANDLE_CALLS = 1_000_000
IN_FLIGHT = (10_000, 1_000)  # calls awaited together (asyncio.gather), in two runs


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


async def measure_handles(in_flight: int) -> list[tuple[int, float, float, float, float]]:
    """RSS of Python and of Node over HANDLE_CALLS calls that each return a new JS object (a
    handle proxy in Python), dropped at once, in_flight of them awaited together; the JS heap
    Node's live objects use, and the size V8 gave its young generation (new space): (calls,
    Python MB, Node MB, Node heap in use MB, new space MB)."""
    samples = []
    async with bridge.node() as rt:
        make = await rt.eval("() => ({})")
        node_mem = await rt.eval(
            "() => { const m = process.memoryUsage(); const young = require('v8')"
            ".getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');"
            " return [m.rss / 1e6, m.heapUsed / 1e6, young.space_size / 1e6]; }"
        )
        for done in range(in_flight, HANDLE_CALLS + 1, in_flight):
            await asyncio.gather(*(make() for _ in range(in_flight)))
            if done % (HANDLE_CALLS // 5) == 0 or done == HANDLE_CALLS // 10:
                gc.collect()
                await asyncio.sleep(0.05)  # the batched frees reach Node
                rss, heap, young = await node_mem()
                samples.append((done, _rss_mb(), rss, heap, young))
    return samples


def measure_codec() -> tuple[float, float]:
    """Encode + decode of a call frame and its answer: bridge's (orjson) and the standard
    library's json, the reference it replaced."""
    call = {"op": "run", "id": 12345, "root": ["h", 7], "ops": [["get", "f"], ["call", [1]]]}
    answer = b'{"id":12345,"ok":1}'

    def ours() -> None:
        _frames.dumps(call)
        _frames.loads(answer)

    def stdlib() -> None:
        json.dumps(call, separators=(",", ":"), allow_nan=False).encode()
        json.loads(answer)

    results = []
    for fn in (ours, stdlib):
        samples = []
        for _ in range(ROUNDS):
            t = time.perf_counter()
            for _ in range(100_000):
                fn()
            samples.append((time.perf_counter() - t) / 100_000)
        results.append(best(samples))
    return results[0], results[1]


def main() -> None:
    if "--quick" not in sys.argv:  # about a minute
        for in_flight in IN_FLIGHT:
            print(
                f"RSS over {HANDLE_CALLS:,} calls that create and drop a JS handle each, "
                f"{in_flight:,} in flight at a time"
            )
            print("| calls | Python RSS | Node RSS | Node JS heap in use | V8 young generation |")
            print("|---|---|---|---|---|")
            for done, py_mb, node_mb, heap_mb, young_mb in asyncio.run(measure_handles(in_flight)):
                print(
                    f"| {done:,} | {py_mb:.1f} MB | {node_mb:.1f} MB | {heap_mb:.1f} MB "
                    f"| {young_mb:.1f} MB |"
                )
            print()
        print(
            "(Node's RSS settles at a level set by how many calls are in flight, not by how many "
            "were made: V8 sizes its young generation to what survives its minor collections, "
            "up to semi-spaces of 16 MB; NODE_OPTIONS=--max-semi-space-size=2 bounds it)\n"
        )
    ours = asyncio.run(measure_bridge())
    floor_first, floor = asyncio.run(measure_floor())
    gather_floor = asyncio.run(measure_gather_floor())
    theirs = measure_jspybridge()
    other: dict[str, Any] = theirs if isinstance(theirs, dict) else {}
    rows = [
        ("start-up to the first answer", "start"),
        (f"sequential call, the first {FIRST} (per call)", "first"),
        (f"sequential call, after {WARM:,} (per call)", "seq"),
        (f"{CONCURRENT:,} concurrent calls (total)", "conc"),
        ("JS awaiting Python (per await)", "jspy"),
        ("10 MB round trip (bytes; JSPyBridge: str)", "big"),
        ("the same, a second time in the runtime", "big_again"),
    ]
    print(f"node {bridge.__version__} benchmark, best of {ROUNDS}")
    print(f"| {'what':<42} | {'bridge.node()':>13} | {'JSPyBridge':>12} | {'ratio':>6} |")
    print(f"|{'-' * 44}|{'-' * 15}|{'-' * 14}|{'-' * 8}|")
    for label, key in rows:
        b, j = ours[key], other.get(key)
        ratio = f"{b / j:.2f}" if j else "n/a"
        print(f"| {label:<42} | {fmt(b):>13} | {fmt(j):>12} | {ratio:>6} |")
    print(
        f"\nfloor: asyncio <-> Node echo of 60 bytes over a socketpair, {fmt(floor)} per round "
        f"trip on this machine after {WARM:,} (bridge's sequential call is "
        f"{ours['seq'] / floor:.2f}x that); the first {FIRST} in a new Node process: "
        f"{fmt(floor_first)} each (bridge's: {ours['first'] / floor_first:.2f}x)"
    )
    print(
        f"floor: asyncio.gather over {CONCURRENT:,} coroutines awaiting futures, no I/O, "
        f"{fmt(gather_floor)} ({fmt(gather_floor / CONCURRENT)} each; bridge's "
        f"{CONCURRENT:,} concurrent calls are {ours['conc'] / gather_floor:.2f}x that)"
    )
    codec, stdlib = measure_codec()
    print(
        f"frame JSON (encode a call, decode its answer): {fmt(codec)} with orjson, "
        f"{fmt(stdlib)} with the standard library's json ({codec / stdlib:.2f})"
    )
    if not isinstance(theirs, dict):
        print(f"\n{theirs}")
    else:
        print("\nJSPyBridge has no async API: the concurrent row is bridge only.")


if __name__ == "__main__":
    main()
