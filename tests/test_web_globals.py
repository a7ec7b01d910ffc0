"""The web globals real libraries expect behave as in Node on the cases checked here."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import bridge

CHECKS = Path(__file__).parent / "data" / "web_globals.js"


def test_web_globals_give_what_node_gives() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH")
    source = CHECKS.read_text("utf-8")
    in_node = subprocess.run(
        [node, "-e", f"console.log(eval({json.dumps(source)}))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    embedded = bridge.eval(source)
    assert json.loads(embedded) == json.loads(in_node)
    assert len(json.loads(embedded)) == 24


async def test_queue_microtask_runs_before_timers() -> None:
    log = await bridge.eval(
        "new Promise((done) => { const log = [];"
        " setTimeout(() => { log.push('timer'); done(log); }, 0);"
        " queueMicrotask(() => log.push('microtask')); })"
    )
    assert list(log) == ["microtask", "timer"]


def test_random_uuids_differ() -> None:
    assert bridge.eval("crypto.randomUUID()") != bridge.eval("crypto.randomUUID()")


async def test_process_next_tick_runs_its_callback_with_its_arguments() -> None:
    got = await bridge.eval(
        "new Promise((done) => process.nextTick((a, b) => done([a, b]), 'x', 2))"
    )
    assert list(got) == ["x", 2]


def test_process_env_is_the_environment_of_the_process() -> None:
    import os

    assert bridge.eval("process.env.PATH") == os.environ["PATH"]
    # no versions.node: code looking for Node takes its browser path
    assert bridge.eval("process.versions.node") is None
