"""Memory and time of values crossing, against pythonmonkey's leaks: strings handed to JS equal
on arrival and back and never a collection that grows with the square of their number (bridge
hands JS copies, not lent buffers); JS strings, functions and numbers that reached Python freed
(sys.getallocatedblocks stays flat)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bridge
from bridge.embedded import _engine

ROOT = Path(__file__).resolve().parent.parent

TEXTS = [
    "",
    "a",
    "plain ascii",
    "latin-1: h\u00e9 \u00ff",
    "BMP: \u4e2d\u6587 \u20ac",
    "astral: \U0001f600",
    "ends with the mark \U00100000",
    "\U00100000",
    "x" * 70_000,  # longer than what is copied: lent as before
    "y" * 70_000 + "\U00100000",
    "z" * 65_536,
]


@pytest.mark.parametrize("text", TEXTS, ids=lambda t: repr(t[:12]) + f"+{len(t)}")
async def test_a_string_crosses_unchanged_every_way(text: str) -> None:
    echo = bridge.eval("(s) => s")
    length = bridge.eval("(s) => s.length")
    codes = bridge.eval("(s) => Array.from(s, (c) => c.codePointAt(0))")
    assert echo(text) == text
    assert length(text) == len(text.encode("utf-16-le")) // 2
    if len(text) < 100:
        assert codes(text) == [ord(c) for c in text]

    def sync() -> str:
        return text

    async def later() -> str:
        return text

    def fails() -> None:
        raise ValueError(text)

    bridge.expose("stringsSync", sync)
    bridge.expose("stringsLater", later)
    bridge.expose("stringsFails", fails)
    got = bridge.eval(
        """async () => {
            let message;
            try { stringsFails() } catch (e) { message = e.message }
            const a = stringsSync();
            const b = await stringsLater();
            return [a, b, message, a === b, a === message, a.length];
        }"""
    )
    a, b, message, same_ab, same_am, n = await got()
    assert (a, b, message) == (text, text, text)
    assert same_ab and same_am
    assert n == len(text.encode("utf-16-le")) // 2


async def test_collecting_strings_handed_to_js_does_not_grow_quadratically() -> None:
    """20,000 strings handed to JS, then a full collection: seconds when pythonmonkey lent
    their buffers (16.7 s measured), milliseconds as copies. The bound is 200 times the
    measured time, far below the stall."""
    length = bridge.eval("(s) => s.length")

    async def later(i: float) -> str:
        return f"later {i:.0f}"

    bridge.expose("stringsLaterN", later)
    loop_js = bridge.eval(
        "async (n) => { let k = 0;"
        " for (let i = 0; i < n; i++) k += (await stringsLaterN(i)).length; return k }"
    )
    _engine.engine().collect()
    for i in range(10_000):
        length(f"argument {i}")
    await loop_js(10_000)
    started = time.perf_counter()
    _engine.engine().collect()
    assert time.perf_counter() - started < 2.0


def test_js_strings_that_reached_python_are_freed_whole() -> None:
    """Each JS string that reached Python used to keep pythonmonkey's 88-byte object forever
    (72 from 3.12, where it is made and dropped for a copy): arrays of strings, JS errors (name,
    message, stack) and awaited strings all leaked that way."""
    pair = bridge.eval("(i) => ['a' + i, '\u00e9' + i, '\u4e2d' + i]")
    text = bridge.eval("(i) => 'b' + i")

    def once(i: int) -> None:
        a, b, c = pair(i)
        assert (a, b, c, text(i)) == (f"a{i}", f"\u00e9{i}", f"\u4e2d{i}", f"b{i}")

    for i in range(1000):
        once(i)
    gc.collect()
    before = sys.getallocatedblocks()
    for i in range(10_000):
        once(i)
    gc.collect()
    assert (sys.getallocatedblocks() - before) / 10_000 < 0.5  # was 4 (one per string)


async def test_awaiting_js_promises_leaves_no_memory_behind() -> None:
    """Every promise job hands pythonmonkey's wrapper of a JS function to Python, whose
    24-byte object was never freed: one block per await."""
    make = bridge.eval("(i) => i % 2 ? Promise.resolve(i) : new Promise((r) => r('s' + i))")
    for i in range(1000):
        await make(i)
    gc.collect()
    before = sys.getallocatedblocks()
    for i in range(10_000):
        await make(i)
    gc.collect()
    assert (sys.getallocatedblocks() - before) / 10_000 < 0.2  # was 1.0 (numbers), 2.0 (strings)


def test_numbers_passed_to_python_functions_and_timers_leave_nothing() -> None:
    """A JS number passed to a Python function kept its float forever (one block per call),
    and every setTimeout one for its delay."""
    seen: list[float] = []

    def keep_some(x: float, y: float) -> None:
        if x < 3:
            seen.append(x)  # what Python keeps stays valid

    async def later(x: float) -> float:
        return x * 2

    bridge.expose("memKeep", keep_some)
    bridge.expose("memLater", later)
    calls = bridge.eval("(n) => { for (let i = 0; i < n; i++) memKeep(i + 0.5, i); }")
    awaits = bridge.eval(
        "async (n) => { let t = 0; for (let i = 0; i < n; i++) t += await memLater(i + 0.5);"
        " await new Promise((r) => setTimeout(r, 0.5)); return t; }"
    )

    async def both() -> None:
        calls(5_000)
        await awaits(2_000)

    def once() -> None:
        bridge.run(both())

    once()
    gc.collect()
    _engine.engine().collect()
    before = sys.getallocatedblocks()
    once()
    gc.collect()
    _engine.engine().collect()
    gc.collect()
    assert (sys.getallocatedblocks() - before) / 7_000 < 0.2  # was 3 per call, 1 per await
    assert seen == [0.5, 1.5, 2.5, 0.5, 1.5, 2.5]


def test_js_strings_alive_at_exit_go_quietly() -> None:
    code = (
        "import bridge\n"
        "kept = [bridge.eval('(i) => [\"a\" + i, String(i)]')(i) for i in range(2000)]\n"
        "print('done')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "done\n", "")
