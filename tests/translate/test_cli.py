"""`bridge translate`: output, --check/--diff/--write, exit codes, bad input."""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import _cli
from bridge._cli import main

CHAIN = "function f() {\n  return get().then(x => x + 1);\n}\n"
ASYNC = "async function f() {\n  const x = await get();\n  return x + 1;\n}\n"
STORED = "const p = get().then(x => x);\n"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_bytes(text.encode())
    return p


def test_prints_translation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "a.js", CHAIN)
    assert main(["translate", str(p)]) == 0
    out, err = capsys.readouterr()
    assert out == ASYNC and err == ""


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(CHAIN.encode())))
    assert main(["translate", "-"]) == 0
    assert capsys.readouterr().out == ASYNC


def test_diagnostics_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "a.js", STORED)
    assert main(["translate", str(p)]) == 0
    out, err = capsys.readouterr()
    assert out == STORED
    assert err.startswith(f"{p}:1:11: eager-start: ")


def test_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, "a.js", CHAIN)
    b = write(tmp_path, "b.js", ASYNC)
    assert main(["translate", "--check", str(b)]) == 0
    assert main(["translate", "--check", str(a), str(b)]) == 1
    assert f"{a}: would change" in capsys.readouterr().err
    assert a.read_text() == CHAIN  # --check never writes


def test_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, "a.js", CHAIN)
    assert main(["translate", "--diff", str(a)]) == 0
    out = capsys.readouterr().out
    assert f"--- {a}" in out and "-  return get().then(x => x + 1);" in out
    assert "+  const x = await get();" in out


def test_write_changes_only_changed_files(tmp_path: Path) -> None:
    a = write(tmp_path, "a.js", CHAIN)
    b = write(tmp_path, "b.js", ASYNC)
    os.chmod(a, 0o640)
    os.utime(b, (1_000_000, 1_000_000))
    assert main(["translate", "--write", str(a), str(b)]) == 0
    assert a.read_text() == ASYNC
    assert stat.S_IMODE(os.stat(a).st_mode) == 0o640
    assert os.stat(b).st_mtime == 1_000_000  # untouched
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".bridge-")] == []


def test_write_keeps_crlf(tmp_path: Path) -> None:
    a = write(tmp_path, "a.js", CHAIN.replace("\n", "\r\n").encode())
    assert main(["translate", "--write", str(a)]) == 0
    assert a.read_bytes() == ASYNC.replace("\n", "\r\n").encode()


def test_write_is_atomic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path, "a.js", CHAIN)

    def crash(src: str, dst: str) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(_cli.os, "replace", crash)
    assert main(["translate", "--write", str(a)]) == 2  # reported, not a traceback
    assert f"{a}: cannot write: disk on fire" in capsys.readouterr().err
    assert a.read_text() == CHAIN  # the original is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.js"]  # no temp file left


def test_syntax_error_exit_2_others_still_processed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.js", "const x = 1;\nfoo(;\n")
    good = write(tmp_path, "good.js", CHAIN)
    assert main(["translate", "--write", str(bad), str(good)]) == 2
    assert f"{bad}:2:5: syntax error" in capsys.readouterr().err
    assert good.read_text() == ASYNC
    assert bad.read_text() == "const x = 1;\nfoo(;\n"


def test_binary_and_undecodable_are_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = write(tmp_path, "b.js", b"\x00\x01\x02ELF")
    latin = write(tmp_path, "l.js", b"const s = '\xe9';\n")
    good = write(tmp_path, "good.js", CHAIN)
    assert main(["translate", "--check", str(binary), str(latin), str(good)]) == 2
    err = capsys.readouterr().err
    assert f"{binary}: binary file, skipped" in err
    assert f"{latin}: not UTF-8 text (byte 11), skipped" in err
    assert f"{good}: would change" in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["translate", str(tmp_path / "nope.js")]) == 2
    assert "nope.js: cannot read: No such file or directory" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["translate", "a.js", "b.js"], "several paths need --write, --check or --diff"),
        (["translate", "--write", "-"], "--write needs file paths, not stdin"),
        (["translate", "-", "a.js"], "'-' (stdin) cannot be combined with paths"),
    ],
)
def test_bad_usage(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["translate", "--to", "ruby", "a.js"]) == 2
    assert main(["frobnicate"]) == 2


def test_console_script_runs(tmp_path: Path) -> None:
    a = write(tmp_path, "a.js", CHAIN)
    proc = subprocess.run(
        [sys.executable, "-m", "bridge._cli", "translate", str(a)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout == ASYNC


# ---- found by adversarial QA: each of these printed a traceback or wrote the wrong thing


def test_diff_of_a_file_without_final_newline_applies_with_patch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a = write(tmp_path, "a.js", CHAIN.rstrip("\n"))
    b = write(tmp_path, "b.js", CHAIN)
    monkeypatch.chdir(tmp_path)
    assert main(["translate", "--diff", "a.js", "b.js"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("--- a.js\n+++ a.js\n@@ ")
    assert "\n }\n\\ No newline at end of file\n--- b.js\n+++ b.js\n" in out
    patch = shutil.which("patch")
    if patch is None:
        pytest.skip("no patch(1) here")
    subprocess.run([patch, "-p0", "-s"], input=out, text=True, check=True, timeout=30)
    assert a.read_text() == ASYNC.rstrip("\n")
    assert b.read_text() == ASYNC


def test_write_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = write(tmp_path, "real.js", CHAIN)
    link = tmp_path / "link.js"
    link.symlink_to("real.js")
    assert main(["translate", "--write", str(link)]) == 0
    assert link.is_symlink() and real.read_text() == ASYNC


def test_write_failure_is_reported_exit_2_and_leaves_no_temp(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path, "a.js", CHAIN)
    b = write(tmp_path, "b.js", CHAIN)
    (tmp_path / "a.py").mkdir()  # the Python translation of a.js has nowhere to go
    assert main(["translate", "--to", "python", "--write", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'a.py'}: cannot write: Is a directory" in err
    assert "Traceback" not in err
    assert (tmp_path / "b.py").read_text().startswith('"""Translated from')  # others still done
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.js", "a.py", "b.js", "b.py"]


def test_interrupted_write_leaves_the_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = write(tmp_path, "a.js", CHAIN)

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_cli.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        main(["translate", "--write", str(a)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.js"]
    assert a.read_text() == CHAIN


def test_directory_argument_is_named_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, "good.js", CHAIN)
    assert main(["translate", "--check", str(tmp_path), str(good)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path}: is a directory (pass its files: {tmp_path}/*.js)" in err
    assert f"{good}: would change" in err


def test_python_target_check_and_diff_compare_with_the_py_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.js", CHAIN)
    assert main(["translate", "--to", "python", "--check", "a.js"]) == 1
    assert "a.js: would change a.py" in capsys.readouterr().err
    assert main(["translate", "--to", "python", "--diff", "a.js"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("--- /dev/null\n+++ a.py\n@@ -0,0 +1,")  # a new file
    assert main(["translate", "--to", "python", "--write", "a.js"]) == 0
    assert main(["translate", "--to", "python", "--check", "a.js"]) == 0  # a.py is current
    assert main(["translate", "--to", "python", "--diff", "a.js"]) == 0
    assert capsys.readouterr().out == ""
    py = (tmp_path / "a.py").read_text()
    (tmp_path / "a.py").write_text(py.replace("async def f", "async def old"))
    assert main(["translate", "--to", "python", "--diff", "a.js"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("--- a.py\n+++ a.py\n") and "-async def old():\n+async def f():\n" in out
    assert (tmp_path / "a.js").read_text() == CHAIN  # the JS is never touched


def test_python_target_never_overwrites_its_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path, "a.py", CHAIN)  # JS in a file named .py
    assert main(["translate", "--to", "python", "--write", str(a)]) == 2
    assert f"{a}: the Python translation would overwrite the input" in capsys.readouterr().err
    assert a.read_text() == CHAIN


def test_too_deep_input_is_a_diagnostic_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = "function f() { return " + "get().then(x => " * 300 + "1" + ")" * 300 + "; }\n"
    a = write(tmp_path, "a.js", deep)
    assert main(["translate", "--check", str(a)]) == 0  # left alone, said why
    err = capsys.readouterr().err
    assert f"{a}:1:23: too-deep: " in err and "Traceback" not in err
    assert main(["translate", "--to", "python", str(a)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert re.search(rf"^{re.escape(str(a))}:1:\d+: too-deep: ", err, re.M), err


def test_closed_stdout_is_not_a_traceback(tmp_path: Path) -> None:
    big = write(tmp_path, "big.js", CHAIN * 200)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bridge._cli", "translate", str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| true`: the reader is gone before anything is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141  # what a shell reports for SIGPIPE
    assert "Traceback" not in err and "BrokenPipe" not in err
