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
        (["translate", "a.js", "b.js"], "with a directory or several files, use --write"),
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
    a = write(tmp_path, "a.py", CHAIN)  # JS in a file named .py: refused for its name
    assert main(["translate", "--to", "python", "--write", str(a)]) == 2
    assert f"{a}: not a JavaScript/TypeScript file" in capsys.readouterr().err
    link = tmp_path / "a.js"
    link.symlink_to(a)  # a.js is a.py: its translation would replace it
    assert main(["translate", "--to", "python", "--write", str(link)]) == 2
    assert f"{link}: the Python translation would overwrite the input" in capsys.readouterr().err
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


# ---------------------------------------------------------------- as black/prettier users expect


def tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def test_directory_is_walked_skipping_what_formatters_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()  # a work tree: its root .gitignore applies below it
    tree(
        tmp_path,
        {
            ".gitignore": "build/\n*.gen.js\n",
            "src/a.js": CHAIN,
            "src/deep/b.ts": CHAIN,
            "src/deep/e.mts": CHAIN,
            "src/deep/f.cts": "const x: number = 1;\n",
            "src/c.mjs": ASYNC,
            "src/x.gen.js": CHAIN,
            "src/notes.txt": CHAIN,
            "src/tool.py": "print(1)\n",
            "src/build/out.js": CHAIN,
            "src/node_modules/m/index.js": CHAIN,
            "src/.cache/h.js": CHAIN,
            "src/.hidden.js": CHAIN,
            "src/vendor/.gitignore": "*.js\n!keep.js\n",
            "src/vendor/drop.js": CHAIN,
            "src/vendor/keep.js": CHAIN,
        },
    )
    monkeypatch.chdir(tmp_path)
    assert main(["translate", "--check", "src"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "src/a.js: would change",
        "src/deep/b.ts: would change",
        "src/deep/e.mts: would change",
        "src/vendor/keep.js: would change",
        "4 files would be rewritten, 2 files left unchanged",
    ]
    assert main(["translate", "--write", "src"]) == 0
    assert capsys.readouterr().err == "4 files rewritten, 2 files left unchanged\n"
    assert (tmp_path / "src/deep/b.ts").read_text() == ASYNC
    assert (tmp_path / "src/deep/e.mts").read_text() == ASYNC
    assert (tmp_path / "src/x.gen.js").read_text() == CHAIN  # ignored: untouched
    assert (tmp_path / "src/node_modules/m/index.js").read_text() == CHAIN
    assert main(["translate", "--check", "src"]) == 0
    assert capsys.readouterr().err == "0 files would be rewritten, 6 files left unchanged\n"


def test_check_and_diff_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, "a.js", CHAIN)
    b = write(tmp_path, "b.js", ASYNC)
    assert main(["translate", "--check", "--diff", str(a), str(b)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"--- {a}\n+++ {a}\n") and "+async function f() {" in out
    assert str(b) not in out
    assert f"{a}: would change" in err
    assert main(["translate", "--check", "--diff", str(b)]) == 0
    assert capsys.readouterr().out == ""


def test_quiet_keeps_only_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, "a.js", CHAIN)
    s = write(tmp_path, "s.js", STORED)  # left alone, with a diagnostic
    bad = write(tmp_path, "bad.js", "function (\n")
    assert main(["translate", "--check", "-q", str(a), str(s), str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"{bad}:1:") and "syntax error" in err[0]
    assert main(["translate", "--write", "--quiet", str(a), str(s)]) == 0
    assert capsys.readouterr().err == ""
    assert a.read_text() == ASYNC


def test_stdin_filename_picks_the_grammar_and_names_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ts = "function f(): Promise<number> {\n  return get().then((x: number) => x + 1);\n}\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ts.encode())))
    assert main(["translate", "--stdin-filename", "src/a.ts"]) == 0
    assert capsys.readouterr().out == (
        "async function f(): Promise<number> {\n  const x: number = await get();\n"
        "  return x + 1;\n}\n"
    )
    # Read as JavaScript, the type annotations are a syntax error, reported under that name.
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ts.encode())))
    assert main(["translate", "--stdin-filename", "src/a.js"]) == 2
    assert capsys.readouterr().err.startswith("src/a.js:1:")


def test_other_extensions_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    py = write(tmp_path, "tool.py", "x = 1\n")
    a = write(tmp_path, "a.js", CHAIN)
    assert main(["translate", "--check", str(py), str(a)]) == 2
    err = capsys.readouterr().err
    assert f"{py}: not a JavaScript/TypeScript file" in err
    assert f"{a}: would change" in err
    assert py.read_text() == "x = 1\n"


def test_usage_when_stdin_is_a_terminal(tmp_path: Path) -> None:
    master, slave = os.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "bridge._cli", "translate"],
            stdin=slave,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: bridge translate")
    assert "no PATH given and stdin is a terminal" in proc.stderr


def test_settings_from_the_nearest_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    catch = "function f() {\n  return get().catch(() => 0);\n}\n"
    tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.bridge.translate]\ntarget = "es2019"\n'
            'exclude = ["src/generated/", "*.min.js"]\n',
            "src/a.js": catch,
            "src/a.min.js": CHAIN,
            "src/generated/g.js": CHAIN,
        },
    )
    monkeypatch.chdir(tmp_path / "src")
    assert main(["translate", "--write", "."]) == 0
    assert "catch {" in (tmp_path / "src/a.js").read_text()  # target from the settings
    assert (tmp_path / "src/generated/g.js").read_text() == CHAIN
    assert (tmp_path / "src/a.min.js").read_text() == CHAIN
    # An explicit file is translated even when excluded (as black does); the option wins.
    write(tmp_path / "src", "a.js", catch)
    assert main(["translate", "--target", "es2017", "a.js"]) == 0
    assert "} catch (error) {" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[tool.bridge.translate]\ntarjet = 1\n", "unknown key 'tarjet'"),
        ("[tool.bridge.translate]\nexclude = 3\n", "exclude must be a list"),
        ("[tool.bridge.translate\n", "cannot read the settings"),
        ('[tool.bridge.translate]\ntarget = "es5"\n', "unknown --target 'es5'"),
    ],
)
def test_bad_settings_exit_2_naming_the_file(
    tmp_path: Path, toml: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "pyproject.toml", toml)
    a = write(tmp_path, "a.js", CHAIN)
    assert main(["translate", "--check", str(a)]) == 2
    assert message in capsys.readouterr().err
    assert a.read_text() == CHAIN


def test_a_directory_without_a_mode_is_bad_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "a.js", CHAIN)
    assert main(["translate", str(tmp_path)]) == 2
    assert "with a directory or several files, use --write, --check or --diff" in (
        capsys.readouterr().err
    )


def test_python_target_walks_directories_too(tmp_path: Path) -> None:
    tree(tmp_path, {"src/a.js": CHAIN, "src/node_modules/m.js": CHAIN})
    assert main(["translate", "--to", "python", "--write", str(tmp_path / "src")]) == 0
    assert sorted(p.name for p in (tmp_path / "src").iterdir()) == ["a.js", "a.py", "node_modules"]


def test_pre_commit_hook_runs_check_and_diff(tmp_path: Path) -> None:
    # The hook's entry, run as pre-commit runs it: the command, then the staged files.
    hooks = (Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text()
    assert "- id: bridge-translate-check" in hooks
    entry = re.search(r"^  entry: (.+)$", hooks, re.M)
    assert entry is not None and entry.group(1) == "bridge translate --check --diff"
    a = write(tmp_path, "a.js", CHAIN)
    b = write(tmp_path, "b.js", ASYNC)
    assert main([*entry.group(1).split()[1:], str(a), str(b)]) == 1
    assert main([*entry.group(1).split()[1:], str(b)]) == 0
