"""`bridge translate`: output, --check/--diff/--write, exit codes, bad input."""

from __future__ import annotations

import io
import os
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


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = write(tmp_path, "a.js", CHAIN)

    def crash(src: str, dst: str) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(_cli.os, "replace", crash)
    with pytest.raises(OSError, match="disk on fire"):
        main(["translate", "--write", str(a)])
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
