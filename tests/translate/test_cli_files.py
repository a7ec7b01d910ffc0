"""`bridge translate`'s files: what --write refuses, leftovers, odd names, odd bytes.

--write replaces a file only when nothing else would be lost: never a read-only file, a
file with other hard links, or one that changed (edited, deleted, created) while it was
being translated; a killed run leaves no temporary file behind.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import bridge as _bridge
from bridge._cli import main
from bridge.translate._parse import MAX_SOURCE_BYTES

CHAIN = "function f() {\n  return get().then(x => x + 1);\n}\n"
ASYNC = "async function f() {\n  const x = await get();\n  return x + 1;\n}\n"
ROOT = Path(__file__).resolve().parents[2]


def during_translation(monkeypatch: pytest.MonkeyPatch, act: Callable[[], None]) -> None:
    """Run act while the CLI translates (after it read its input, before it writes)."""
    module = importlib.import_module("bridge.translate")  # `bridge.translate` is the function
    real = module.translate

    def translate_and_act(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        act()
        return result

    monkeypatch.setattr(module, "translate", translate_and_act)


def test_read_only_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a.js"
    a.write_text(CHAIN)
    a.chmod(0o444)
    assert main(["translate", "--write", str(a)]) == 2
    assert f"{a}: cannot write: read-only file (not written;" in capsys.readouterr().err
    assert a.read_text() == CHAIN and stat.S_IMODE(a.stat().st_mode) == 0o444


def test_file_edited_during_the_run_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    a = tmp_path / "a.js"
    a.write_text(CHAIN)
    during_translation(monkeypatch, lambda: a.write_text(CHAIN + "// edited\n"))
    assert main(["translate", "--write", str(a)]) == 2
    assert f"{a}: cannot write: edited while translating" in capsys.readouterr().err
    assert a.read_text() == CHAIN + "// edited\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.js"]


def test_file_deleted_during_the_run_is_not_recreated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    a = tmp_path / "a.js"
    a.write_text(CHAIN)
    during_translation(monkeypatch, a.unlink)
    assert main(["translate", "--write", str(a)]) == 2
    assert f"{a}: cannot write: deleted while translating" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_python_file_created_during_the_write_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    a = tmp_path / "a.js"
    a.write_text(CHAIN)
    py = tmp_path / "a.py"
    real_fsync = os.fsync

    def fsync_and_create(fd: int) -> None:  # while the new text goes to disk
        real_fsync(fd)
        if not py.exists():
            py.write_text("mine = 1\n")

    monkeypatch.setattr(os, "fsync", fsync_and_create)
    assert main(["translate", "--to", "python", "--write", str(a)]) == 2
    assert f"{py}: cannot write: created while translating" in capsys.readouterr().err
    assert py.read_text() == "mine = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.js", "a.py"]


def test_hard_linked_file_is_refused_and_the_links_stay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = tmp_path / "a.js"
    a.write_text(CHAIN)
    b = tmp_path / "b.js"
    os.link(a, b)
    assert main(["translate", "--write", str(a)]) == 2
    assert f"{a}: cannot write: has 2 hard links" in capsys.readouterr().err
    assert a.read_text() == CHAIN and os.path.samefile(a, b)


def test_write_keeps_the_mode_of_an_existing_python_file(tmp_path: Path) -> None:
    a = tmp_path / "a.js"
    a.write_text(CHAIN)
    py = tmp_path / "a.py"
    py.write_text("old = 1\n")
    py.chmod(0o600)
    assert main(["translate", "--to", "python", "--write", str(a)]) == 0
    assert "async def f" in py.read_text() and stat.S_IMODE(py.stat().st_mode) == 0o600


def test_kill_9_while_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    a = tmp_path / "a.js"
    a.write_text(CHAIN)
    flag = tmp_path / "fsyncing"
    # The run stops in its fsync of the new text (the slow part of a write) until killed.
    script = (
        "import os, sys, time\n"
        "def stuck(fd):\n"
        f"    open({str(flag)!r}, 'w').close()\n"
        "    time.sleep(60)\n"
        "os.fsync = stuck\n"
        "from bridge._cli import main\n"
        f"main(['translate', '--write', {str(a)!r}])\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    flag.unlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.js"]
    assert a.read_text() == CHAIN


def test_leftovers_of_dead_runs_are_removed_by_the_next_write(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    leftover = tmp_path / f".bridge-{int(dead.stdout)}-abc123.tmp"
    leftover.write_text("half a file")
    live = tmp_path / f".bridge-{os.getpid()}-def456.tmp"  # a run still going: kept
    live.write_text("being written")
    mine = tmp_path / ".bridge-notes.tmp"  # not the pattern: kept
    mine.write_text("not ours")
    a = tmp_path / "a.js"
    a.write_text(CHAIN)
    assert main(["translate", "--write", str(a)]) == 0
    assert a.read_text() == ASYNC
    assert not leftover.exists() and live.exists() and mine.exists()


def test_diff_header_quotes_a_name_with_a_newline_as_git_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a\nb.js").write_text(CHAIN)
    (tmp_path / 'q"é.js').write_text(CHAIN)
    assert main(["translate", "--diff", "a\nb.js", 'q"é.js']) == 0
    out = capsys.readouterr().out
    assert out.startswith('--- "a\\nb.js"\n+++ "a\\nb.js"\n@@ ')
    assert '\n--- "q\\"\\303\\251.js"\n+++ "q\\"\\303\\251.js"\n@@ ' in out
    git = shutil.which("git")
    if git is None:
        pytest.skip("no git here")
    subprocess.run([git, "init", "-q", "."], check=True, timeout=30)
    subprocess.run([git, "apply", "-p0"], input=out, text=True, check=True, timeout=30)
    assert (tmp_path / "a\nb.js").read_text() == ASYNC
    assert (tmp_path / 'q"é.js').read_text() == ASYNC


def test_nul_in_a_string_anywhere_is_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = "function f() {\n  return get().then(x => x);\n}\n"
    late = tmp_path / "late.js"
    late.write_bytes(b"// " + b"x" * 9000 + b'\nconst s = "a\x00b";\n' + chain.encode())
    early = tmp_path / "early.js"
    early.write_bytes(b'const s = "a\x00b"; /* \x00 */\n' + chain.encode())
    assert main(["translate", "--write", str(late), str(early)]) == 0
    for p in (late, early):
        assert b'"a\x00b"' in p.read_bytes() and b"await get()" in p.read_bytes()
    # NUL outside a literal is still an error, and NUL-ridden data is still binary.
    bad = tmp_path / "bad.js"
    bad.write_bytes(b"// " + b"x" * 9000 + b"\nconst s = \x00;\n")
    utf16 = tmp_path / "utf16.js"
    utf16.write_bytes(chain.encode("utf-16-le"))
    assert main(["translate", "--check", str(bad), str(utf16)]) == 2
    err = capsys.readouterr().err
    assert re.search(rf"^{re.escape(str(bad))}:2:\d+: syntax error$", err, re.M), err
    assert f"{utf16}: binary file, skipped" in err


def test_over_the_size_limit_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = tmp_path / "huge.js"
    with open(huge, "wb") as f:
        f.truncate(MAX_SOURCE_BYTES + 1)  # sparse: refused by its size alone
    assert main(["translate", "--check", str(huge)]) == 2
    assert f"{huge}: larger than 5 MiB, the most the translator takes; skipped" in (
        capsys.readouterr().err
    )
    with pytest.raises(_bridge.TranslationError) as info:
        _bridge.translate("x;" * (MAX_SOURCE_BYTES // 2 + 1))
    assert info.value.rule == "too-large"


def test_write_without_unnamed_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where O_TMPFILE is missing (not Linux, some filesystems) a named temporary is used.
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    a = tmp_path / "a.js"
    a.write_text(CHAIN)
    a.chmod(0o640)
    assert main(["translate", "--write", str(a)]) == 0
    assert a.read_text() == ASYNC and stat.S_IMODE(a.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.js"]
