"""bridge.require resolves as Node does: bare names through node_modules, relative paths, errors."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), "utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with packages in node_modules the way npm lays them out, and a script below."""
    nm = tmp_path / "node_modules"
    _write(nm / "greet" / "package.json", json.dumps({"name": "greet", "main": "lib/main.js"}))
    _write(
        nm / "greet" / "lib" / "main.js",
        """
        const data = require('../data.json');
        const { shout } = require('@acme/tools');
        exports.hello = (who) => shout(`${data.word}, ${who}`);
        """,
    )
    _write(nm / "greet" / "data.json", json.dumps({"word": "hello"}))
    _write(nm / "@acme" / "tools" / "index.js", "exports.shout = (s) => s.toUpperCase() + '!';")
    _write(nm / "@acme" / "tools" / "package.json", json.dumps({"name": "@acme/tools"}))
    _write(tmp_path / "src" / "local.js", "module.exports = { twice: (x) => 2 * x };")
    return tmp_path


def _run(script: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env
    )


def test_bare_names_scoped_packages_json_and_relative_paths_resolve_from_the_script(
    project: Path,
) -> None:
    script = project / "src" / "app.py"
    _write(
        script,
        """
        import bridge
        print(bridge.require("greet").hello("ada"))
        print(bridge.require("@acme/tools").shout("x"))
        print(bridge.require("./local.js").twice(21))
        print(bridge.require("./local").twice(1))
        print(bridge.require("greet") == bridge.require("greet"))
        """,
    )
    result = _run(script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:5] == ["HELLO, ADA!", "X!", "42.0", "2.0", "True"]


def test_a_missing_package_names_the_specifier_the_requiring_file_and_the_folders(
    project: Path,
) -> None:
    script = project / "src" / "app.py"
    _write(
        script,
        """
        import bridge
        try:
            bridge.require("left-pad")
        except ImportError as exc:
            print(type(exc).__name__, exc)
        """,
    )
    result = _run(script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        f"ModuleNotFound cannot find module 'left-pad' required from {script}"
    )
    assert f"{project / 'src' / 'node_modules'}, {project / 'node_modules'}" in result.stdout


def test_a_missing_relative_file_names_the_path_tried(project: Path) -> None:
    script = project / "app.py"
    _write(
        script,
        """
        import bridge
        try:
            bridge.require("./lib/nope")
        except bridge.ModuleNotFound as exc:
            print(exc)
        """,
    )
    result = _run(script)
    assert result.returncode == 0, result.stderr
    assert f"no file '{project / 'lib' / 'nope'}'" in result.stdout


@pytest.mark.parametrize("name", ["fs", "node:fs", "http", "child_process", "node:os"])
def test_node_only_built_ins_say_they_need_node(name: str) -> None:
    import bridge

    with pytest.raises(
        bridge.BridgeError, match=r"Node\.js built-in that needs the operating system"
    ):
        bridge.require(name)


@pytest.mark.parametrize("name", ["events", "util", "buffer"])
def test_built_ins_with_browser_implementations_resolve(name: str) -> None:
    import bridge

    assert bridge.require(name) is not None
