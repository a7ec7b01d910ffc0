"""The Node.js runtime against a real node: values, handles, errors, calls both ways, lifecycle."""

from __future__ import annotations

import asyncio
import gc
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

import bridge

needs_node = pytest.mark.skipif(
    not (os.environ.get("BRIDGE_NODE") or shutil.which("node")),
    reason="Node.js is not installed (not on PATH)",
)
pytestmark = [needs_node, pytest.mark.timeout(60)]


@pytest.fixture
async def rt() -> Any:
    async with bridge.node() as runtime:
        yield runtime


async def test_bytes_cross_as_buffers_both_ways(rt: Any) -> None:
    data = bytes(range(256)) * 1000
    echo = await rt.eval("(b) => [Buffer.isBuffer(b), b.length, b]")
    is_buffer, length, back = await echo(data)
    assert (is_buffer, length, back) == (True, len(data), data)


async def test_strings_and_numbers_json_cannot_all_carry_cross_intact(rt: Any) -> None:
    # Lone surrogates (JS strings may hold them) and extreme numbers, both ways.
    echo = await rt.eval("(x) => [x, typeof x, x.length]")
    for value in ("\ud800", "a\udfffb", "é€😀", "\x00"):
        back, kind, _ = await echo(value)
        assert (back, kind) == (value, "string")
    assert await rt.eval("'\\ud83d'.length") == 1
    assert await rt.eval("'x\\ud83d'") == "x\ud83d"
    numbers = await rt.eval("(xs) => xs.map((x) => x * 1)")
    assert await numbers([1.7976931348623157e308, 5e-324, -0.0, 2**53 - 1]) == [
        1.7976931348623157e308,
        5e-324,
        -0.0,
        2**53 - 1,
    ]
    assert await rt.eval("(x) => typeof x")(2**64) == "bigint"
    assert await rt.eval("2n ** 70n") == 2**70


async def test_same_js_object_is_the_same_proxy(rt: Any) -> None:
    first = await rt.eval("globalThis.shared = new Map(); shared")
    assert await rt.eval("shared") is first
    await first.set("k", 5)
    assert await rt.eval("shared.get('k')") == 5


async def test_a_proxy_sent_back_is_the_same_js_object(rt: Any) -> None:
    m = await rt.eval("globalThis.m2 = new Map(); m2")
    assert await rt.eval("(x) => x === m2")(m) is True


async def test_attribute_assignment_and_deletion_are_ordered(rt: Any) -> None:
    obj = await rt.eval("globalThis.box = new (class Box {})(); box")
    obj.value = [1, 2]
    assert await rt.eval("box.value") == [1, 2]
    del obj.value
    assert await rt.eval("'value' in box") is False


async def test_python_objects_cross_as_handles_and_come_back(rt: Any) -> None:
    token = object()
    same = await rt.eval("(x) => x")(token)
    assert same is token


async def test_errors_keep_class_cause_and_aggregate(rt: Any) -> None:
    with pytest.raises(bridge.JSError) as info:
        await rt.eval("throw new Error('outer', {cause: new TypeError('inner')})")
    assert info.value.message == "outer"
    assert isinstance(info.value.__cause__, bridge.JSTypeError)
    with pytest.raises(bridge.JSAggregateError) as agg:
        await rt.eval("Promise.any([Promise.reject(new Error('a')), Promise.reject(1)])")
    assert [type(e) for e in agg.value.errors] == [bridge.JSError, bridge.JSRejection]
    with pytest.raises(bridge.JSSyntaxError):
        await rt.eval("this is not js", filename="bad.js")


async def test_a_js_error_thrown_back_through_python_is_the_same_object(rt: Any) -> None:
    async def relay(f: Any) -> Any:
        return await f()

    rt.expose("relay", relay)
    same = await rt.eval(
        "const e = new Error('mine'); relay(() => { throw e }).catch((x) => x === e)"
    )
    assert same is True


async def test_python_errors_reach_js_and_come_back_as_themselves(rt: Any) -> None:
    err = ValueError("bad input")

    def fail() -> None:
        raise err

    rt.expose("fail", fail)
    assert await rt.eval("fail().catch((e) => [e.name, e.message])") == [
        "PythonError",
        "ValueError: bad input",
    ]
    with pytest.raises(ValueError) as info:
        await rt.eval("fail()")
    assert info.value is err


async def test_require_bare_names_from_cwd_and_import(rt: Any) -> None:
    path = await rt.require("path")
    assert await path.join("a", "b") == "a/b"
    esm = await rt.import_("./esm.mjs")
    assert await esm.answer == 42
    assert await esm.default("py") == "hi py"


async def test_ten_thousand_pipelined_calls(rt: Any) -> None:
    double = await rt.eval("(x) => x * 2")
    results = await asyncio.gather(*(double(i) for i in range(10_000)))
    assert results == [2 * i for i in range(10_000)]


async def test_answers_of_mixed_sizes_settled_out_of_order_come_back_whole(rt: Any) -> None:
    # Small answers and ones far larger than the read buffer, interleaved by timers in Node.
    rng = random.Random(5)
    sizes = [0, 1, 100, 70_000, 300_000, 2_000_000]
    datas = [rng.randbytes(rng.choice(sizes)) for _ in range(120)]
    echo = await rt.eval(
        "async (x, ms) => { await new Promise((r) => setTimeout(r, ms)); return x }"
    )
    back = await asyncio.gather(*(echo([d, i], rng.randrange(3)) for i, d in enumerate(datas)))
    assert back == [[d, i] for i, d in enumerate(datas)]
    assert await echo("after", 0) == "after"


async def test_handles_are_freed_when_python_drops_them(rt: Any) -> None:
    await rt.eval("globalThis.made = new FinalizationRegistry(() => globalThis.freed++)")
    await rt.eval("globalThis.freed = 0")
    for _ in range(20):
        await rt.eval("(() => { const o = {f() {}}; made.register(o, 1); return o })()")
    gc.collect()
    deadline = time.monotonic() + 20
    freed = 0
    while time.monotonic() < deadline and freed < 20:
        await asyncio.sleep(0.02)  # the batched free message goes out on a later loop turn
        await rt._collect()
        freed = await rt.eval("freed")
    assert freed == 20
    assert rt._received == {}


async def test_python_functions_are_freed_when_js_drops_them(rt: Any) -> None:
    for _ in range(20):
        await rt.eval("(f) => typeof f")(lambda: None)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(rt._py) > 0:
        await rt._collect()
    assert rt._py == {}


async def test_process_death_fails_pending_and_later_awaits_with_runtime_gone() -> None:
    async with bridge.node() as rt:
        pending = asyncio.ensure_future(rt.eval("new Promise(() => {})"))
        await asyncio.sleep(0.05)
        with pytest.raises(bridge.RuntimeGone) as info:
            await asyncio.wait_for(rt.eval("console.error('last words'); process.exit(3)"), 10)
        assert info.value.returncode == 3
        assert "last words" in info.value.stderr
        with pytest.raises(bridge.RuntimeGone):
            await asyncio.wait_for(pending, 10)
        with pytest.raises(bridge.RuntimeGone):
            await rt.eval("1")


async def test_close_fails_pending_awaits() -> None:
    rt = await bridge.node().start()
    pending = asyncio.ensure_future(rt.eval("new Promise(() => {})"))
    await asyncio.sleep(0.05)
    await asyncio.wait_for(rt.close(), 10)
    with pytest.raises(bridge.RuntimeGone):
        await asyncio.wait_for(pending, 5)
    await rt.close()  # idempotent


async def test_missing_node_is_a_clear_error() -> None:
    with pytest.raises(bridge.BridgeError, match=r"cannot start Node\.js"):
        await bridge.node(node="/nonexistent/node").start()


async def test_a_node_name_not_on_path_is_a_clear_error() -> None:
    with pytest.raises(bridge.BridgeError, match=r"no 'node-that-is-not-there' on PATH"):
        await bridge.node(node="node-that-is-not-there").start()


async def test_cwd_is_nodes_working_directory_and_where_bare_names_are_found(
    tmp_path: Any,
) -> None:
    package = tmp_path / "node_modules" / "here-only"
    package.mkdir(parents=True)
    (package / "index.js").write_text("module.exports = { where: 'tmp' };")
    async with bridge.node(cwd=tmp_path) as rt:
        assert await rt.eval("process.cwd()") == str(tmp_path)
        assert (await rt.require("here-only"))["where"] == "tmp"
    async with bridge.node() as rt:  # the same name from this test's folder and cwd: absent
        with pytest.raises(bridge.ModuleNotFound, match="here-only"):
            await rt.require("here-only")


async def test_import_of_a_missing_module_names_it_and_the_calling_file(rt: Any) -> None:
    here = os.path.abspath(__file__)
    with pytest.raises(bridge.ModuleNotFound, match=r"'no-such-esm-package' required from "):
        await rt.import_("no-such-esm-package")
    missing = os.path.join(os.path.dirname(here), "no-such-file.mjs")
    expected = re.escape(f"required from {here}: no file '{missing}'") + "$"
    with pytest.raises(bridge.ModuleNotFound, match=expected):
        await rt.import_("./no-such-file.mjs")


async def test_import_resolves_as_an_es_module_would_from_the_python_side(tmp_path: Any) -> None:
    # An "import"-only package, and a dual one whose import build differs from its require one.
    modules = tmp_path / "node_modules"
    only = modules / "import-only"
    only.mkdir(parents=True)
    (only / "package.json").write_text(
        '{"name": "import-only", "type": "module", "exports": {"import": "./index.js"}}'
    )
    (only / "index.js").write_text("export const kind = 'esm';")
    dual = modules / "dual-build"
    dual.mkdir()
    (dual / "package.json").write_text(
        '{"name": "dual-build", "exports": {"import": "./esm.mjs", "require": "./cjs.cjs"}}'
    )
    (dual / "esm.mjs").write_text("export const kind = 'import build';")
    (dual / "cjs.cjs").write_text("exports.kind = 'require build';")
    async with bridge.node(cwd=tmp_path) as rt:
        assert await (await rt.import_("import-only")).kind == "esm"
        assert await (await rt.import_("dual-build")).kind == "import build"
        assert (await rt.require("dual-build"))["kind"] == "require build"


async def test_a_module_that_requires_a_missing_one_fails_with_nodes_own_error(
    tmp_path: Any,
) -> None:
    package = tmp_path / "node_modules" / "needs-missing"
    package.mkdir(parents=True)
    (package / "index.js").write_text("module.exports = require('not-installed-dep');")
    async with bridge.node(cwd=tmp_path) as rt:
        with pytest.raises(bridge.JSError, match="Cannot find module 'not-installed-dep'"):
            await rt.require("needs-missing")


async def test_a_cwd_that_does_not_exist_is_a_clear_error(tmp_path: Any) -> None:
    with pytest.raises(bridge.BridgeError, match=r"cannot start Node\.js in .*: no such"):
        await bridge.node(cwd=tmp_path / "missing").start()


async def test_env_is_nodes_whole_environment() -> None:
    env = {**os.environ, "BRIDGE_TEST_ONLY": "given"}
    async with bridge.node(env=env) as rt:
        assert await rt.eval("process.env.BRIDGE_TEST_ONLY") == "given"
    async with bridge.node(env={"PATH": os.environ.get("PATH", "")}) as rt:
        assert await rt.eval("Object.keys(process.env).sort()") == ["PATH"]


async def test_unhandled_rejection_in_node_is_reported_once() -> None:
    seen: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, ctx: seen.append(ctx))
    try:
        async with bridge.node() as rt:
            await rt.eval("Promise.reject(new RangeError('nobody')); 1")
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.02)
    finally:
        loop.set_exception_handler(None)
    assert len(seen) == 1
    assert isinstance(seen[0]["exception"], bridge.JSRangeError)


def test_node_dies_with_a_killed_python() -> None:
    script = (
        "import asyncio, bridge\n"
        "async def main():\n"
        "    async with bridge.node() as rt:\n"
        "        print(await rt.eval('process.pid'), flush=True)\n"
        "        await asyncio.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env)
    try:
        assert proc.stdout is not None
        pid = int(proc.stdout.readline())
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"node {pid} outlived its killed Python")
    finally:
        proc.kill()


async def test_signal_aborts_when_the_task_is_cancelled(rt: Any) -> None:
    await rt.eval("globalThis.seen = null")

    async def waits() -> None:
        watch = await rt.eval(
            "(s) => new Promise((_, reject) => s.addEventListener('abort', () => {"
            " globalThis.seen = s.reason.name; reject(s.reason) }))"
        )
        await watch(rt.signal())

    task = asyncio.ensure_future(waits())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(100):
        if await rt.eval("seen") is not None:
            break
        await asyncio.sleep(0.02)
    assert await rt.eval("seen") == "AbortError"


async def test_an_old_node_is_refused_with_its_version(tmp_path: Any) -> None:
    real = shutil.which("node")
    preload = tmp_path / "old.js"
    preload.write_text(
        "Object.defineProperty(process, 'versions', {value: {...process.versions, node: '16.0.0'}})"
    )
    fake = tmp_path / "node"
    fake.write_text(f'#!/bin/sh\nexec {real} -r {preload} "$@"\n')
    fake.chmod(0o755)
    with pytest.raises(bridge.BridgeError, match=r"Node\.js 16\.0\.0 .* is too old"):
        await bridge.node(node=str(fake)).start()
