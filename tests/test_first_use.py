"""What a newcomer meets first: the command's help and version, syntax errors that say where,
``bridge.run`` in a notebook, ``bridge.blocking`` called as the function it wraps."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import traceback
import warnings
from pathlib import Path

import pytest

import bridge
from bridge._cli import main


def _bridge(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bridge", *args], capture_output=True, text=True, timeout=60
    )


def test_python_m_bridge_prints_the_version() -> None:
    proc = _bridge("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"bridge {bridge.__version__} (pythonmonkey ")


def test_top_level_help_has_a_description_commands_and_examples(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Python and JavaScript awaiting each other" in out
    assert "translate" in out and "--version" in out
    assert "examples:\n  bridge translate app.js" in out


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "required: COMMAND" in capsys.readouterr().err


def test_eval_syntax_error_says_where_as_python_does() -> None:
    with pytest.raises(bridge.JSSyntaxError) as info:
        bridge.eval("let a = 1;\nlet x = ;", filename="broken.js")
    err = info.value
    assert isinstance(err, SyntaxError)
    assert (err.filename, err.lineno, err.offset, err.text) == ("broken.js", 2, 9, "let x = ;")
    assert str(err) == "SyntaxError: expected expression, got ';' (broken.js, line 2)"
    shown = "".join(traceback.format_exception_only(type(err), err))
    assert 'File "broken.js", line 2\n    let x = ;\n            ^\n' in shown


def test_eval_syntax_error_counts_lines_from_lineno() -> None:
    with pytest.raises(bridge.JSSyntaxError) as info:
        bridge.eval("1 +", filename="cell.js", lineno=10)
    assert (info.value.filename, info.value.lineno, info.value.text) == ("cell.js", 10, "1 +")


def test_required_file_syntax_error_says_where(tmp_path: Path) -> None:
    bad = tmp_path / "bad.js"
    bad.write_text("exports.a = 1;\nexports.b = ;\n")
    with pytest.raises(bridge.JSSyntaxError) as info:
        bridge.require(bad)
    err = info.value
    assert (err.filename, err.lineno, err.offset) == (str(bad), 2, 13)
    assert err.text is not None and err.text.strip() == "exports.b = ;"


def test_runtime_syntax_error_is_still_mapped() -> None:
    with pytest.raises(bridge.JSSyntaxError) as info:
        bridge.eval("JSON.parse('{')", filename="conf.js")
    err = info.value
    assert err.name == "SyntaxError" and "JSON.parse" in err.message
    assert err.filename is None and str(err) == f"SyntaxError: {err.message}"  # its place: .stack
    assert "@conf.js:1:" in err.stack


async def test_run_inside_a_running_loop_says_to_await() -> None:
    async def work() -> int:
        return 1

    coro = work()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a "coroutine was never awaited" warning fails here
        running = r"event loop is running in this thread \(async code, Jupyter, IPython\): "
        with pytest.raises(bridge.BridgeError, match=running + "await the coroutine instead$"):
            bridge.run(coro)
    assert coro.cr_frame is None  # closed, so nothing is left to warn about later
    with pytest.raises(bridge.BridgeError, match=r"use await bridge\.eval\(source\) instead"):
        bridge.run("Promise.resolve(1)")


def test_run_returns_what_the_coroutine_returns() -> None:
    async def work() -> str:
        await asyncio.sleep(0)
        return "done"

    assert bridge.run(work()) == "done"
    assert bridge.run(work()) == "done"  # again: every call gets its own loop


async def test_blocking_passes_keywords_through() -> None:
    def scale(x: int, *, by: int = 1) -> int:
        return x * by

    scaled = bridge.blocking(scale)
    assert await scaled(3, by=4) == 12
    assert await scaled(3) == 3


def test_promise_chained_before_any_loop_runs_in_the_first_loop() -> None:
    # A fresh process: the first promise work of the thread happens with no loop running.
    script = (
        "import asyncio\n"
        "from bridge import Promise\n"
        "chain = Promise.resolve(2).then(lambda x: x * 21)\n"
        "async def main():\n"
        "    print(await asyncio.wait_for(chain, 5))\n"
        "asyncio.run(main())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert (proc.returncode, proc.stdout) == (0, "42\n"), proc.stderr


def test_engine_starts_after_stdin_was_read() -> None:
    # IPython's prompt, input() or piped data: pythonmonkey's start used to fail on it.
    script = (
        "import sys, bridge\nline = sys.stdin.readline().strip()\nprint(line, bridge.eval('6*7'))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], input="read\n", capture_output=True, text=True, timeout=60
    )
    assert (proc.returncode, proc.stdout) == (0, "read 42.0\n"), proc.stderr
