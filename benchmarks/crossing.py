"""Crossing the boundary: bridge against raw pythonmonkey, measured in one run.

Prints one table: what was measured | bridge | reference | ratio (bridge / reference).

* await of a resolved JS promise from Python: bridge, raw pythonmonkey, and a plain asyncio
  future (call_soon + await: the cheapest await that goes through the loop);
* JS awaiting an async Python function (a JS loop of awaits), bridge vs raw;
* a JS async loop of 100,000 awaits (promise jobs only), bridge vs raw, and (printed under the
  table) the same loop on a bare deque drain with none of bridge's checks, the floor for any
  Python-side job queue: the gap to it is bridge's own cost per job;
* RSS growth per 100,000 Python awaits of a JS promise (of a number, of a short string), over
  200,000, bridge vs raw.

Raw and bridge run in separate worker processes (a loop bridge touched batches pythonmonkey's
jobs, and raw pythonmonkey's leaks would pollute bridge's RSS). Times are CPU time of the
process (the machine is shared, so wall time mostly measures the neighbours), the best of
several alternating rounds. Run: ``python benchmarks/crossing.py`` (``nox -s bench``). The raw
column imports pythonmonkey directly, on purpose.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import json
import subprocess
import sys
import time
from typing import Any

AWAITS = 10_000  # Python awaits of a resolved JS promise, per round
JS_AWAITS_PY = 5_000  # JS awaits of an async Python function, per round
INNER_ROUNDS = 2  # rounds of the per-await measurements inside one worker
JS_LOOP = 100_000  # awaits in the JS async loop
JS_LOOP_ROUNDS = 2  # JS loops per worker (best of JS_LOOP_ROUNDS * ROUNDS)
RSS_AWAITS = 200_000
ROUNDS = 2

LIST_CALLS = 20_000
LIST_MAPS = 50
AWAIT_JS = "(i) => Promise.resolve(i)"
AWAIT_JS_STR = "(i) => Promise.resolve('s' + i)"
AWAIT_JS_ERROR = "(i) => Promise.reject(new Error('e' + i))"
AWAIT_PY = "async (f, n) => { let s = 0; for (let i = 0; i < n; i++) s += await f(i); return s; }"
JS_LOOP_SRC = (
    f"(async () => {{ let s = 0; for (let i = 0; i < {JS_LOOP}; i++) s += await i; return s; }})()"
)


_clock = time.process_time


def _engine(mode: str) -> Any:
    if mode == "raw":
        import pythonmonkey

        return pythonmonkey.eval
    import bridge

    return bridge.eval


async def _per_await(make: Any, n: int) -> float:
    f = make()
    for i in range(1000):
        await f(i)
    start = _clock()
    for i in range(n):
        await f(i)
    return (_clock() - start) / n * 1e6


async def _timings(mode: str) -> dict[str, float]:
    js = _engine(mode)
    loop = asyncio.get_running_loop()

    async def plain_future() -> float:
        start = _clock()
        for i in range(AWAITS):
            fut = loop.create_future()
            loop.call_soon(fut.set_result, i)
            await fut
        return (_clock() - start) / AWAITS * 1e6

    async def py_fn(i: float) -> float:
        return i

    async def js_awaits_py() -> float:
        start = _clock()
        await js_loop_over_py(py_fn, JS_AWAITS_PY)
        return (_clock() - start) / JS_AWAITS_PY * 1e6

    def list_call() -> float:
        f, items = js("(l) => l.length"), [1, 2, 3]
        start = _clock()
        for _ in range(LIST_CALLS):
            f(items)
        return (_clock() - start) / LIST_CALLS * 1e6

    def list_map() -> float:
        f, items = js("(l) => l.map((x) => x * 2).length"), list(range(10_000))
        start = _clock()
        for _ in range(LIST_MAPS):
            f(items)
        return (_clock() - start) / LIST_MAPS * 1e3

    js_loop_over_py = js(AWAIT_PY)
    await js_loop_over_py(py_fn, 500)
    rounds = [
        {
            "future_us": await plain_future(),
            "await_js_us": await _per_await(lambda: js(AWAIT_JS), AWAITS),
            "js_awaits_py_us": await js_awaits_py(),
            "list_call_us": list_call(),
            "list_map_ms": list_map(),
        }
        for _ in range(INNER_ROUNDS)
    ]
    out = _best(rounds)
    out["js_loop_s"] = min([await _js_loop(js) for _ in range(JS_LOOP_ROUNDS)])
    if mode == "bridge":
        # The same loop with SpiderMonkey capturing an async stack for every promise, as raw
        # pythonmonkey does (bridge captures them for debuggee realms only; see README).
        from bridge.embedded import _edges as _runtime

        if _runtime.set_async_stacks(True):
            out["js_loop_async_stacks_s"] = min([await _js_loop(js) for _ in range(JS_LOOP_ROUNDS)])
            _runtime.set_async_stacks(False)
        # The floor for any Python-side job queue: the same loop drained by a bare deque
        # (no reference release, no checks: it leaks, so it runs last and only for timing).
        # bridge's own share of a promise job is the gap between this and js_loop_s.
        _bare_job_queue(loop)
        out["js_loop_bare_s"] = await _js_loop(js)
    return out


async def _js_loop(js: Any) -> float:
    start = _clock()
    await js(JS_LOOP_SRC)
    return _clock() - start


def _bare_job_queue(loop: asyncio.AbstractEventLoop) -> None:
    jobs: collections.deque[Any] = collections.deque()
    push, popleft = jobs.append, jobs.popleft
    scheduled = [False]

    def drain() -> None:
        while jobs:
            popleft()()
        scheduled[0] = False

    def call_soon_threadsafe(callback: Any, *args: Any, context: Any = None) -> None:
        push(callback)
        if not scheduled[0]:
            scheduled[0] = True
            loop.call_soon(drain)

    vars(loop)["call_soon_threadsafe"] = call_soon_threadsafe


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6


async def _rss(mode: str) -> dict[str, float]:
    evaluate = _engine(mode)
    number, text = evaluate(AWAIT_JS), evaluate(AWAIT_JS_STR)
    rejected = evaluate(AWAIT_JS_ERROR)
    # The Python function crosses once (each crossing makes a new JS function for it).
    bind = evaluate(
        "(f) => async (n) => { let s = ''; for (let i = 0; i < n; i++) s = await f(i); return s; }"
    )

    async def error(i: int) -> None:
        with contextlib.suppress(Exception):  # bridge's JSError, raw pm's SpiderMonkeyError
            await rejected(i)

    async def py_str(x: float) -> str:
        return f"s{x:.0f}"

    js_loop = bind(py_str)

    async def js_awaits_py_str(i: int) -> None:
        await js_loop(1)

    kinds = {
        "rss_mb_per_100k": number,
        "rss_str_mb_per_100k": text,
        "rss_err_mb_per_100k": error,
        "rss_jspy_mb_per_100k": js_awaits_py_str,
    }
    out = {}
    for key, one in kinds.items():
        for i in range(10_000):  # warm up: first-use allocations are not growth
            await one(i)
        gc.collect()
        before = _rss_mb()
        for i in range(RSS_AWAITS):
            await one(i)
        gc.collect()
        out[key] = (_rss_mb() - before) * 100_000 / RSS_AWAITS
    return out


def _worker(kind: str, mode: str) -> None:
    measure = _timings if kind == "time" else _rss
    print(json.dumps(asyncio.run(measure(mode))))


def _run(kind: str, mode: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", kind, mode],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"worker {kind}/{mode} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def _best(rounds: list[dict[str, float]]) -> dict[str, float]:
    return {key: min(r[key] for r in rounds) for key in rounds[0]}


def main() -> None:
    raw_rounds, bridge_rounds = [], []
    for _ in range(ROUNDS):  # alternate, so load on the machine hits both alike
        raw_rounds.append(_run("time", "raw"))
        bridge_rounds.append(_run("time", "bridge"))
    raw, br = _best(raw_rounds), _best(bridge_rounds)
    raw_rss_all, br_rss_all = _run("rss", "raw"), _run("rss", "bridge")
    raw_rss, br_rss = raw_rss_all["rss_mb_per_100k"], br_rss_all["rss_mb_per_100k"]
    raw_str, br_str = raw_rss_all["rss_str_mb_per_100k"], br_rss_all["rss_str_mb_per_100k"]

    rows = [
        (
            "await a resolved JS promise (vs plain asyncio future)",
            f"{br['await_js_us']:.1f} us",
            f"{br['future_us']:.1f} us (asyncio)",
            br["await_js_us"] / br["future_us"],
        ),
        (
            "await a resolved JS promise from Python",
            f"{br['await_js_us']:.1f} us",
            f"{raw['await_js_us']:.1f} us (raw pm)",
            br["await_js_us"] / raw["await_js_us"],
        ),
        (
            "JS awaits an async Python function",
            f"{br['js_awaits_py_us']:.1f} us",
            f"{raw['js_awaits_py_us']:.1f} us (raw pm)",
            br["js_awaits_py_us"] / raw["js_awaits_py_us"],
        ),
        (
            "call a JS function with a Python list of 3 (an array view of it)",
            f"{br['list_call_us']:.1f} us",
            f"{raw['list_call_us']:.1f} us (raw pm)",
            br["list_call_us"] / raw["list_call_us"],
        ),
        (
            "JS maps over a Python list of 10,000",
            f"{br['list_map_ms']:.2f} ms",
            f"{raw['list_map_ms']:.2f} ms (raw pm)",
            br["list_map_ms"] / raw["list_map_ms"],
        ),
        (
            f"JS async loop of {JS_LOOP:,} awaits",
            f"{br['js_loop_s']:.2f} s",
            f"{raw['js_loop_s']:.2f} s (raw pm)",
            br["js_loop_s"] / raw["js_loop_s"],
        ),
        (
            f"RSS growth per 100,000 awaits (of {RSS_AWAITS:,})",
            f"{br_rss:.1f} MB",
            f"{raw_rss:.1f} MB (raw pm)",
            br_rss / raw_rss if raw_rss else float("nan"),
        ),
        (
            f"RSS growth per 100,000 awaits of short strings (of {RSS_AWAITS:,})",
            f"{br_str:.1f} MB",
            f"{raw_str:.1f} MB (raw pm)",
            br_str / raw_str if raw_str else float("nan"),
        ),
    ]
    for key, what in (
        ("rss_err_mb_per_100k", "RSS growth per 100,000 awaits of rejected JS Errors"),
        ("rss_jspy_mb_per_100k", "RSS growth per 100,000 JS awaits of Python strs"),
    ):
        b, r = br_rss_all[key], raw_rss_all[key]
        rows.append(
            (
                f"{what} (of {RSS_AWAITS:,})",
                f"{b:.1f} MB",
                f"{r:.1f} MB (raw pm)",
                b / r if r else float("nan"),
            )
        )
    head = ("what was measured", "bridge", "reference", "ratio")
    widths = [max(len(str(r[i])) for r in [*rows, head]) for i in range(3)]
    line = f"{head[0]:<{widths[0]}} | {head[1]:>{widths[1]}} | {head[2]:>{widths[2]}} | {head[3]}"
    print(line)
    print("-" * len(line))
    for what, bridge_col, ref_col, ratio in rows:
        cols = f"{what:<{widths[0]}} | {bridge_col:>{widths[1]}} | {ref_col:>{widths[2]}}"
        print(f"{cols} | {ratio:.2f}")
    speedup = raw["js_loop_s"] / br["js_loop_s"]
    bare = br["js_loop_bare_s"]
    per_job_us = (br["js_loop_s"] - bare) / JS_LOOP * 1e6  # one promise job per `await i`
    print(f"\npromise-heavy JS loop: bridge is {speedup:.1f}x faster than raw pythonmonkey")
    if "js_loop_async_stacks_s" in br:
        with_stacks = br["js_loop_async_stacks_s"]
        print(
            f"  with async stacks captured for every promise (BRIDGE_ASYNC_STACKS=1, raw pm's "
            f"setting): {with_stacks:.2f} s, {raw['js_loop_s'] / with_stacks:.1f}x faster than raw"
        )
    print(
        f"  on a bare deque (no leak release, no checks, async stacks off): {bare:.2f} s, "
        f"{raw['js_loop_s'] / bare:.1f}x raw; bridge's own share: {per_job_us:+.2f} us per job"
    )
    print("targets: await ratio <= 1.0; JS loop >= 3x faster; RSS growth < 2 MB per 100,000 awaits")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], sys.argv[3])
    else:
        main()
