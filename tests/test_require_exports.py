"""bridge.require and require inside modules and bridge.eval code: package.json "exports" as Node
resolves it for require() (conditions require, node, default; subpath patterns), and bad input
as clear errors that name the file. Each case is checked against Node itself where Node agrees."""

from __future__ import annotations

import json
import shutil
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
    nm = tmp_path / "node_modules"
    exports = {".": "./lib/index.js", "./public": "./lib/public.js"}
    _write(nm / "hid" / "package.json", json.dumps({"name": "hid", "exports": exports}))
    _write(nm / "hid" / "lib" / "index.js", "module.exports = 'hid main';")
    _write(nm / "hid" / "lib" / "public.js", "module.exports = 'public';")
    _write(nm / "hid" / "lib" / "secret.js", "module.exports = 'secret';")
    conditions = {
        "name": "cond",
        "main": "./dist/main.js",
        "exports": {
            ".": {
                "import": "./dist/esm.mjs",
                "node": {"require": "./dist/node.cjs"},
                "default": "./dist/default.js",
            },
            "./feature/*": {"require": "./dist/feat-*.js"},
            "./package.json": "./package.json",
        },
    }
    _write(nm / "cond" / "package.json", json.dumps(conditions))
    for name, value in [
        ("main.js", "main"),
        ("node.cjs", "node-require"),
        ("default.js", "default"),
        ("feat-x.js", "feat-x"),
    ]:
        _write(nm / "cond" / "dist" / name, f"module.exports = {value!r};")
    _write(nm / "cond" / "dist" / "esm.mjs", "export default 'esm';")
    sugar = {"name": "sugar", "exports": {"require": "./r.js", "default": "./d.js"}}
    _write(nm / "sugar" / "package.json", json.dumps(sugar))
    _write(nm / "sugar" / "r.js", "module.exports = 'sugar-require';")
    _write(nm / "sugar" / "d.js", "module.exports = 'sugar-default';")
    esm = {"name": "esmonly", "type": "module", "main": "index.js"}
    _write(nm / "esmonly" / "package.json", json.dumps(esm))
    _write(nm / "esmonly" / "index.js", "export const x = 1;")
    _write(tmp_path / "bad.json", '{"a": 1,')
    _write(tmp_path / "mod.mjs", "export default 5;")
    _write(tmp_path / "cjs_with_export.js", "export const y = 2;")
    _write(tmp_path / "a.js", "exports.a = 1; exports.b = require('./b.js').b; exports.done = 1;")
    _write(tmp_path / "b.js", "const a = require('./a.js'); exports.b = 'a.done=' + a.done;")
    _write(
        tmp_path / "nested.js",
        """
        exports.values = [require('hid'), require('hid/public'), require('cond'),
            require('cond/feature/x'), require('sugar'), require.resolve('hid/public')];
        exports.secret = () => require('hid/lib/secret.js');
        """,
    )
    return tmp_path


def _run(script: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env
    )


GOOD = ["hid", "hid/public", "cond", "cond/feature/x", "sugar", "./a.js"]


def test_exports_resolve_as_node_resolves_them(project: Path) -> None:
    script = project / "app.py"
    _write(
        script,
        f"""
        import json, bridge
        out = {{}}
        for spec in {GOOD!r}:
            value = bridge.require(spec)
            out[spec] = value if isinstance(value, str) else dict(value)
        nested = bridge.require("./nested.js")
        out["nested"] = list(nested.values)
        out["eval"] = bridge.eval("[require('cond'), require('./a.js').b]")
        print(json.dumps(out))
        """,
    )
    result = _run(script)
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    public = str(project / "node_modules" / "hid" / "lib" / "public.js")
    assert got["nested"] == [
        "hid main",
        "public",
        "node-require",
        "feat-x",
        "sugar-require",
        public,
    ]
    assert got["eval"] == ["node-require", "a.done=undefined"]
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the comparison with Node is skipped")
    check = (
        f"const out = {{}}; for (const s of {json.dumps(GOOD)}) out[s] = require(s);"
        " console.log(JSON.stringify(out))"
    )
    expected = subprocess.run(
        [node, "-e", check], cwd=project, capture_output=True, text=True, timeout=60, check=True
    )
    assert {k: got[k] for k in GOOD} == json.loads(expected.stdout)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            'bridge.require("hid/lib/secret.js")',
            "PackagePathNotExported",
            ["'./lib/secret.js' is not exported", "hid/package.json"],
        ),
        (
            'bridge.require("./nested.js").secret()',
            "PackagePathNotExported",
            ["'./lib/secret.js' is not exported"],
        ),
        (
            'bridge.require("esmonly")',
            "BridgeError",
            ["ES module", "esmonly/index.js", "bridge.node()"],
        ),
        ('bridge.require("./mod.mjs")', "BridgeError", ["ES module", "mod.mjs", "bridge.node()"]),
        ('bridge.require("./bad.json")', "JSSyntaxError", ["bad.json", "JSON.parse"]),
        (
            'bridge.require("./cjs_with_export.js")',
            "JSSyntaxError",
            ["cjs_with_export.js", "bridge.node()"],
        ),
        (
            'bridge.run(bridge.embedded().import_("hid"))',
            "BridgeError",
            ["not ES modules", "rt.import_"],
        ),
    ],
)
def test_bad_input_is_a_clear_error_naming_the_file(
    project: Path, call: str, error: str, words: list[str]
) -> None:
    script = project / "app.py"
    _write(
        script,
        f"""
        import bridge
        try:
            {call}
        except Exception as exc:
            print(type(exc).__name__)
            print(exc)
        """,
    )
    result = _run(script)
    assert result.returncode == 0, result.stderr
    name, _, message = result.stdout.partition("\n")
    assert name == error, result.stdout
    for word in words:
        assert word in message, message
    assert "Traceback" not in result.stdout + result.stderr
