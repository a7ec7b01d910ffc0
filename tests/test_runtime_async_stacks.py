"""Async stack capture: off by default (as in Firefox without devtools), on by opt-in."""

from __future__ import annotations

import os
import subprocess
import sys

import bridge

STACK = (
    "(async () => { async function a() { await null; throw new Error('x'); }"
    " async function b() { await a(); }"
    " try { await b(); } catch (e) { return e.stack; } })()"
)


async def test_async_caller_frames_are_not_captured_by_default() -> None:
    stack = await bridge.eval(STACK)
    assert stack.startswith("a@<eval>:1:")
    assert "async*" not in stack


async def test_sync_frames_are_still_in_the_stack() -> None:
    stack = bridge.eval(
        "(() => { function inner() { return new Error('s').stack; } return inner(); })()"
    )
    assert stack.splitlines()[0].startswith("inner@<eval>:1:")
    assert len(stack.splitlines()) >= 2


def test_bridge_async_stacks_env_keeps_async_frames() -> None:
    code = f"import bridge\nprint(bridge.run({STACK!r}))\n"
    env = {**os.environ, "BRIDGE_ASYNC_STACKS": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "async*b@<run>:1:" in proc.stdout


async def test_set_async_stacks_toggles_capture() -> None:
    from bridge.embedded import _edges as _runtime

    try:
        assert _runtime.set_async_stacks(True) is True
        assert "async*b@<eval>:1:" in await bridge.eval(STACK)
    finally:
        assert _runtime.set_async_stacks(False) is True
    assert "async*" not in await bridge.eval(STACK)
