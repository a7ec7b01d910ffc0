"""The Python target's subset, construct by construct: before/after tables and refusals.

``FIXES``: JS in, the exact Python out (the helpers a module carries are left out of the
comparison; ``HELPERS_USED`` checks which ones it carries). ``UNSUPPORTED``: JS outside the
subset and the exact diagnostic, position included. The CLI tests check the issue's contract:
``path:line:col: unsupported: <construct>``, exit 2, nothing written for that file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import bridge
from bridge.translate.python import helpers as _py_helpers

P = pytest.param


def user_code(code: str) -> str:
    """The translation without its imports and helpers."""
    for helper in _py_helpers.HELPERS.values():
        code = code.replace(helper.source.rstrip("\n"), "")
    lines = [line for line in code.splitlines() if not line.startswith("import ")]
    return "\n".join(lines).strip("\n") + "\n"


def py(source: str) -> str:
    return user_code(bridge.translate(source, to="python").code)


GUARD = '    if v is None:\n        raise TypeError("cannot read properties of None")\n'

FIXES = [
    P(
        "function add(a, b) { return a * b - 1; }",
        "def add(a, b):\n    return a * b - 1\n",
        id="function",
    ),
    P("const square = (x) => x * x;", "def square(x):\n    return x * x\n", id="arrow-to-def"),
    P(
        "const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));",
        "async def wait(ms):\n    await asyncio.sleep(ms / 1000)\n",
        id="timer-promise",
    ),
    P(
        "async function f() { await new Promise((r) => setTimeout(() => r(5), 250)); }",
        "async def f():\n    await asyncio.sleep(0.25, 5)\n",
        id="timer-promise-with-value",
    ),
    P(
        "function f(xs) { return xs.filter((x) => x > 1).map((x, i) => x * i); }",
        "def f(xs):\n    return [x * i for i, x in enumerate([x for x in xs if x > 1])]\n",
        id="map-filter",
    ),
    P(
        "function f(a, b) {\n  if (a === null) {\n    return b ?? 0;\n  } else if (!b) {\n"
        "    return -1;\n  }\n  return a.length;\n}",
        "def f(a, b):\n    if a is None:\n        return b if b is not None else 0\n"
        "    elif not b:\n        return -1\n    return len(a)\n",
        id="if-elif-nullish-length",
    ),
    P(
        "function f(p) { return p.then((v) => v * 2, (e) => -1); }",
        "async def f(p):\n    try:\n        v = await _settle(p)\n    except Exception:\n"
        "        return -1\n    else:\n        return v * 2\n",
        id="then-two-handlers-try-else",
    ),
    P(
        "function f(p) { return p.catch((e) => e.message).finally(() => log('done')); }",
        "async def f(p):\n    try:\n        return await _settle(p)\n"
        "    except Exception as e:\n        return str(e)\n    finally:\n"
        '        await _settle(log("done"))\n',
        id="catch-finally",
    ),
    P(
        "async function f() { const [a, b] = await Promise.all([g(1), g(2)]); return [a, b]; }",
        "async def f():\n    a, b = await asyncio.gather(_settle(g(1)), _settle(g(2)))\n"
        "    return [a, b]\n",
        id="all-destructured",
    ),
    P(
        "async function f() {\n  try {\n    await g();\n  } catch (e) {\n"
        "    throw new Error(`g: ${e.message}`);\n  }\n}",
        "async def f():\n    try:\n        await _settle(g())\n    except Exception as e:\n"
        '        raise Exception(f"g: {e}") from e\n',
        id="catch-rethrow-message",
    ),
    P(
        "let n = 0;\nn++;\nconst o = { a: 1, [k]: 2, ...rest };\nconst { a, b: c } = o;\n"
        "const [x, , y] = arr;",
        'n = 0\nn += 1\no = {"a": 1, k: 2, **rest}\na = o["a"]\nc = o["b"]\n'
        "x = arr[0]\ny = arr[2]\n",
        id="declarations-destructuring",
    ),
    P(
        "function f(name) { console.log(`hi ${name}`, 3); console.log('n', name.length); }",
        'def f(name):\n    print(f"hi {_js_str(name)}", 3)\n    print("n", len(name))\n',
        id="console-log-to-print",
    ),
    P(
        "const x = 1;\nfunction f() {\n  if (x) {\n    const x = 2;\n    return x;\n  }\n"
        "  return x;\n}",
        "x = 1\n\n\ndef f():\n    if x:\n        x_2 = 2\n        return x_2\n    return x\n",
        id="block-scope-renamed",
    ),
    P(
        "let count = 0;\nfunction bump() {\n  count += 1;\n}",
        "count = 0\n\n\ndef bump():\n    global count\n    count += 1\n",
        id="global-assignment",
    ),
    P(
        "function f(def, lambda) { return def - lambda; }",
        "def f(def_, lambda_):\n    return def_ - lambda_\n",
        id="python-keywords-renamed",
    ),
    P(
        "function f(xs, o) {\n  xs.forEach((x, i) => {\n    if (x > 1) return;\n    log(x, i);\n"
        "  });\n  for (const [k, v] of Object.entries(o)) {\n    log(k);\n  }\n}",
        "def f(xs, o):\n    for i, x in enumerate(xs):\n        if x > 1:\n            continue\n"
        "        log(x, i)\n    for k, _v in o.items():\n        log(k)\n",
        id="forEach-and-object-entries",
    ),
    P(
        "function f() {\n  g(), h();\n  const y = (g(), 2);\n  return y;\n}",
        "def f():\n    g()\n    h()\n    y = (g(), 2)[-1]\n    return y\n",
        id="comma-operator",
    ),
    P(
        "function f({ tries = 3, wait = tries * 10 } = {}) { return wait; }",
        'def f(arg=None):\n    if arg is None:\n        arg = {}\n    tries = arg.get("tries")\n'
        '    if tries is None:\n        tries = 3\n    wait = arg.get("wait")\n'
        "    if wait is None:\n        wait = tries * 10\n    return wait\n",
        id="defaults-evaluated-per-call",
    ),
    P(
        "function f(xs) {\n  for (let i = 0; i < xs.length; i++) log(xs[i]);\n"
        "  for (let j = 10; j >= 0; j -= 2) log(j);\n}",
        "def f(xs):\n    for i in range(len(xs)):\n        log(xs[i])\n"
        "    for j in range(10, -1, -2):\n        log(j)\n",
        id="counting-for-loops",
    ),
    P(
        "function f(e) { console.error('failed:', e.message); }",
        'def f(e):\n    print("failed:", str(e), file=sys.stderr)\n',
        id="console-error-to-stderr",
    ),
    P(
        "async function run() {}\nrun().catch((e) => console.error(e.message));",
        "async def run():\n    pass\n\n\nasync def main():\n    try:\n        await run()\n"
        "    except Exception as e:\n        print(str(e), file=sys.stderr)\n\n\n"
        'if __name__ == "__main__":\n    asyncio.run(main())\n',
        id="top-level-chain-run",
    ),
    P(
        "function load(u) {\n  return fetch(u).then((r) => r.json());\n}",
        "async def load(u):\n    r = await _settle(fetch(u))\n    return await _settle(r.json())\n",
        id="method-of-unknown-value",
    ),
    P(
        "function f(db) {\n  db.open();\n  return db.query('q').then((rows) => rows.length);\n}",
        'async def f(db):\n    db.open()\n    rows = await _settle(db.query("q"))\n'
        "    return len(rows)\n",
        id="method-of-unknown-value-as-statement",
    ),
    P(
        "function f(p) {\n  return p.then((x) => {\n    if (x) return 'await me';\n"
        "    return 2;\n  });\n}",
        "async def f(p):\n    x = await _settle(p)\n\n    def step(x):\n        if x:\n"
        '            return "await me"\n        return 2\n\n    return step(x)\n',
        id="early-return-step-that-awaits-nothing-is-a-plain-def",
    ),
    # Decided where the line is written, from the JS tree (no pass over emitted text):
    P(
        "async function f() {\n  try { await a(); } catch (e) { throw e; }\n"
        "  try { await a(); } catch (e) {}\n}",
        "async def f():\n    try:\n        await _settle(a())\n    except Exception:\n"
        "        raise\n    with contextlib.suppress(Exception):\n        await _settle(a())\n",
        id="rethrow-is-a-bare-raise-and-an-empty-catch-a-suppress",
    ),
    P(
        "function f(c, a) {\n  let x;\n  if (c) { x = a.length; } else { x = 0; }\n  return x;\n}",
        "def f(c, a):\n    x = None\n    x = len(a) if c else 0\n    return x\n",
        id="if-else-assigning-one-name-is-a-conditional-expression",
    ),
    P(
        "async function f(v) {\n  const { a, b } = v;\n  const n = v.size;\n"
        "  const m = await g();\n  return b;\n}",
        f"async def f(v):\n{GUARD}"
        '    b = v["b"]\n'
        f"{GUARD}"
        "    await _settle(g())\n    return await _settle(b)\n",
        id="names-nothing-reads-keep-only-what-their-value-does",
    ),
    P(
        "async function f() {\n  const [a, b] = await Promise.all([g(1), g(2)]);\n"
        "  return a + b;\n}",
        "async def f():\n    a, b = await asyncio.gather(_settle(g(1)), _settle(g(2)))\n"
        "    return _js_add(a, b)\n",
        id="gathered-values-destructured-in-one-assignment",
    ),
    P(
        "function f(p) {\n  return p.then((v) => v + 1).catch((e) => 0).finally(() => log(1));\n}",
        "async def f(p):\n    try:\n        v = await _settle(p)\n        return _js_add(v, 1)\n"
        "    except Exception:\n        return 0\n    finally:\n        await _settle(log(1))\n",
        id="each-branch-of-a-returned-chain-returns",
    ),
    P(
        "async function main() {}\nmain();",
        'async def main():\n    pass\n\n\nif __name__ == "__main__":\n    asyncio.run(main())\n',
        id="top-level-run",
    ),
]


@pytest.mark.parametrize(("source", "expected"), FIXES)
def test_translation(source: str, expected: str) -> None:
    assert py(source) == expected


def test_typescript_types_are_erased() -> None:
    source = (
        "interface User { id: number; name: string }\n"
        "type Id = number;\n"
        "async function load(id: Id, tag?: string, n: number = 2): Promise<User> {\n"
        "  const u = { id, name: 'u' } as User;\n"
        "  return u!;\n"
        "}\n"
        "function main(): Promise<string> {\n"
        "  return load(1).then((u: User) => u.name);\n"
        "}\n"
    )
    code = bridge.translate(source, to="python", filename="load.ts").code
    assert user_code(code) == (
        '"""Translated from load.ts by ``bridge translate --to python``.\n"""\n\n\n'
        "async def load(id, tag=None, n=2):\n"
        '    u = {"id": id, "name": "u"}\n'
        "    return u\n\n\n"
        "async def main():\n"
        "    u = await load(1)\n"
        '    return u["name"]\n'
    )


HELPERS_USED = [
    P("const f = (x) => x - 1;", set(), id="none"),
    P("const f = (x) => `${x}`;", {"_js_str", "_js_number"}, id="template-needs-js-str"),
    P("async function f(g) { return await g(); }", {"_settle"}, id="await-unknown"),
    P(
        "async function f(a, b) { return Promise.race([a(), b()]); }",
        {"_race", "_started", "_running", "_settle"},
        id="race",
    ),
]


@pytest.mark.parametrize(("source", "helpers"), HELPERS_USED)
def test_only_the_helpers_used_are_written(source: str, helpers: set[str]) -> None:
    code = bridge.translate(source, to="python").code
    written = {name for name in _py_helpers.HELPERS if _py_helpers.HELPERS[name].source in code}
    assert written == helpers
    assert ("import asyncio" in code) == ("asyncio." in user_code(code) or "_race" in helpers)


UNSUPPORTED = [
    P("class A {}", "1:1: unsupported: class", id="class"),
    P("function f() {\n  return this.x;\n}", "2:10: unsupported: this", id="this"),
    P(
        "for (let i = 0; i < xs.length; i++) {\n  xs.push(i);\n}",
        "1:1: unsupported: for (;;) loop other than counting over a fixed range",
        id="c-for-bound-changes",
    ),
    P(
        "const fs = [];\nfor (const x of [1, 2]) {\n  fs.push(() => x);\n}",
        "3:11: unsupported: a function inside a loop that uses the loop's variables",
        id="closure-over-loop-variable",
    ),
    P("const r = /a/;", "1:11: unsupported: regular expression", id="regex"),
    P(
        "switch (x) {\n  case 1:\n    a();\n  case 2:\n    b();\n}",
        "2:3: unsupported: switch case that falls through to the next",
        id="switch-fallthrough",
    ),
    P(
        "function f(p) {\n  const q = p.then(g);\n  return q;\n}",
        "2:13: unsupported: promise chain stored before it is awaited (eager start)",
        id="stored-chain",
    ),
    P("x?.y;", "1:1: unsupported: optional chaining (?.)", id="optional-chaining"),
    P("function* g() {}", "1:1: unsupported: generator function", id="generator"),
    P("const x = a == b;", "1:11: unsupported: operator ==", id="loose-equality"),
    P("const t = void x;", "1:11: unsupported: operator void", id="void"),
    P(
        "const xs = [1];\nxs.length = 0;",
        "2:1: unsupported: assignment to .length",
        id="set-length",
    ),
    P(
        "throw 'text';",
        "1:7: unsupported: throw of a value that is not an Error",
        id="throw-string",
    ),
    P(
        "p.then(function () { return arguments[0]; });",
        "1:29: unsupported: a `function` handler uses `arguments`, which inlining would rebind",
        id="arguments",
    ),
    P(
        "console.log('%s!', x);",
        "1:13: unsupported: console.log format directives (%)",
        id="format-directive",
    ),
    P("export const x = 1;", "1:1: unsupported: export", id="export"),
    P(
        "function f(g) {\n  return g().then((xs) => xs.reduce((a, b) => a + b));\n}",
        "2:27: unsupported: method call .reduce()",
        id="js-builtin-method-on-unknown-value",
    ),
    P(
        "function f() {\n  return [1].find((x) => x);\n}",
        "2:10: unsupported: method call .find()",
        id="js-builtin-method-on-array",
    ),
    P(
        "const o = { m: 1 };\no.m();",
        "2:1: unsupported: method call .m()",
        id="method-of-an-object-literal",
    ),
    P(
        "function f() {\n  return g().then(() => Date.now());\n}",
        "2:25: unsupported: method call .now()",
        id="method-of-a-js-global",
    ),
    P(
        "function f(g) {\n  return g().then((s) => s.slice(1, 2, 3));\n}",
        "2:26: unsupported: method call .slice()",
        id="mapped-method-in-a-form-the-mapping-lacks",
    ),
    P(
        "function f(x) {\n  process.stdout.write(x);\n}",
        "2:3: unsupported: method call .write()",
        id="method-of-a-value-read-from-a-js-global",
    ),
    P(
        "async function w(x) {}\nasync function f(xs) {\n  const ps = [];\n"
        "  for (const x of xs) {\n    ps.push(w(x));\n  }\n  await Promise.all(ps);\n}",
        "5:13: unsupported: promise used as a value before it is awaited (eager start)",
        id="async-call-collected-in-a-list",
    ),
    P(
        "async function w() {}\nfunction f() {\n  return log(w());\n}",
        "3:14: unsupported: promise used as a value before it is awaited (eager start)",
        id="async-call-passed-on",
    ),
    P(
        "async function f(p) {\n  try {\n    return p;\n  } catch (e) {\n    return 0;\n  }\n}",
        "3:12: unsupported: promise returned inside try (write return await)",
        id="promise-returned-inside-try",
    ),
    # JS starts these calls at once; read back later (o.q, a[0]) they were returned or
    # awaited as plain data: a coroutine never run, a different value.
    P(
        "function main() {\n  return ok(1).then(() => ({ q: ok(2) })).then((o) => o.q);\n}",
        "2:33: unsupported: call that may return a promise, stored in an object (eager start)",
        id="promise-stored-in-an-object",
    ),
    P(
        "async function main() {\n  const a = [fetchUser(1)];\n  return await a[0];\n}",
        "2:14: unsupported: call that may return a promise, stored in an array (eager start)",
        id="promise-stored-in-an-array",
    ),
    P(
        "function main() {\n  const cache = {};\n  cache.p = ok(3);\n"
        "  return ok(0).then(() => cache.p);\n}",
        "3:13: unsupported: call that may return a promise, stored in a property (eager start)",
        id="promise-stored-in-a-property",
    ),
]


@pytest.mark.parametrize(("source", "where"), UNSUPPORTED)
def test_unsupported_is_named_with_its_place(source: str, where: str) -> None:
    line, column, message = where.split(":", 2)
    text = message.removeprefix(" unsupported: ")
    with pytest.raises(bridge.TranslationError, match=f"^{_re_escape(text)}$") as info:
        bridge.translate(source, to="python")
    assert (info.value.rule, info.value.line, info.value.column) == (
        "unsupported",
        int(line),
        int(column),
    )


def _re_escape(text: str) -> str:
    import re

    return re.escape(text)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import sys, bridge._cli as c; sys.exit(c.main())", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def test_cli_reports_unsupported_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "bad.js").write_text("const ok = 1;\nclass A {}\n", encoding="utf-8")
    proc = _cli("translate", "bad.js", "--to", "python", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "bad.js:2:1: unsupported: class\n"
    assert proc.stdout == ""


def test_cli_write_skips_only_the_unsupported_file(tmp_path: Path) -> None:
    (tmp_path / "bad.js").write_text("class A {}\n", encoding="utf-8")
    (tmp_path / "good.js").write_text("const f = (x) => x * 2;\n", encoding="utf-8")
    proc = _cli("translate", "bad.js", "good.js", "--to", "python", "--write", cwd=tmp_path)
    assert proc.returncode == 2
    assert "bad.js:1:1: unsupported: class" in proc.stderr
    assert not (tmp_path / "bad.py").exists()
    assert (
        (tmp_path / "good.py").read_text(encoding="utf-8").endswith("def f(x):\n    return x * 2\n")
    )
