"""Popular npm packages, required by their bare names from Python, each doing real work.

The packages are installed from tests/packages/package-lock.json (the ``npm_packages``
fixture); this file sits next to their node_modules, as a user's script would.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import bridge


@pytest.fixture(autouse=True)
def _installed(npm_packages: Path) -> None:
    assert (npm_packages / "lodash").is_dir()


def _plain(value: Any) -> Any:
    """A JS value as plain JSON data, to compare with a literal."""
    return json.loads(bridge.eval("(v) => JSON.stringify(v)")(value))


SYNC_CASES: list[Any] = [
    (
        "lodash",
        lambda: _plain(bridge.require("lodash").chunk([1, 2, 3, 4, 5], 2)),
        [[1, 2], [3, 4], [5]],
    ),
    (
        "dayjs",
        lambda: bridge.require("dayjs")("2024-02-28").add(2, "day").format("YYYY-MM-DD"),
        "2024-03-01",
    ),
    (
        "date-fns",
        lambda: bridge.require("date-fns").format(
            bridge.eval("new Date(2024, 0, 31)"), "EEEE d MMMM yyyy"
        ),
        "Wednesday 31 January 2024",
    ),
    ("ms", lambda: bridge.require("ms")("2h"), 7_200_000),
    (
        "ajv",
        lambda: (lambda validate: [validate({"n": 1}), validate({"n": "x"})])(
            bridge.new(bridge.require("ajv").default)().compile(
                {"type": "object", "properties": {"n": {"type": "number"}}, "required": ["n"]}
            )
        ),
        [True, False],
    ),
    (
        "zod",
        lambda: _plain(
            bridge.require("zod")
            .z.object({"name": bridge.require("zod").z.string().min(2)})
            .safeParse({"name": "x"})
            .error.issues
        )[0]["code"],
        "too_small",
    ),
    ("validator", lambda: bridge.require("validator").isEmail("ada@example.com"), True),
    (
        "handlebars",
        lambda: bridge.require("handlebars").compile(
            "Hi {{name}}, {{#each xs}}<{{this}}>{{/each}}"
        )({"name": "Ada", "xs": ["a", "b"]}),
        "Hi Ada, <a><b>",
    ),
    (
        "mustache",
        lambda: bridge.require("mustache").render("{{#xs}}[{{.}}]{{/xs}}", {"xs": [1, 2]}),
        "[1][2]",
    ),
    (
        "marked",
        lambda: bridge.require("marked").marked.parse("# Title"),
        '<h1 id="title">Title</h1>\n',
    ),
    (
        "js-yaml",
        lambda: _plain(bridge.require("js-yaml").load("a: 1\nb: [x, y]")),
        {"a": 1, "b": ["x", "y"]},
    ),
    (
        "acorn",
        lambda: bridge.require("acorn").parse("let x = 1", {"ecmaVersion": 2020}).body[0].kind,
        "let",
    ),
    (
        "@babel/parser",
        lambda: (
            bridge.require("@babel/parser")
            .parse("const a = <b/>;", {"plugins": ["jsx"]})
            .program.body[0]
            .declarations[0]
            .init.type
        ),
        "JSXElement",
    ),
    ("semver", lambda: bridge.require("semver").satisfies("1.2.3", "^1.0.0"), True),
    ("qs", lambda: _plain(bridge.require("qs").parse("a[b]=c&d=1")), {"a": {"b": "c"}, "d": "1"}),
    (
        "decimal.js",
        lambda: bridge.new(bridge.require("decimal.js"))("0.1").plus("0.2").toString(),
        "0.3",
    ),
    (
        "prettier",
        lambda: bridge.require("prettier/standalone").format(
            "const a={b:1}",
            {"parser": "babel", "plugins": [bridge.require("prettier/parser-babel")]},
        ),
        "const a = { b: 1 };\n",
    ),
    pytest.param(
        "immer",
        lambda: list(
            bridge.eval(
                "(produce) => { const base = { n: 1 };"
                " const next = produce(base, (d) => { d.n = 2; }); return [base.n, next.n]; }"
            )(bridge.require("immer").produce)
        ),
        [1, 2],
        id="immer",
    ),
]


@pytest.mark.parametrize(
    ("package", "call", "expected"),
    SYNC_CASES,
    ids=[c[0] if isinstance(c, tuple) else c.values[0] for c in SYNC_CASES],
)
def test_package(package: str, call: Callable[[], Any], expected: Any) -> None:
    assert call() == expected


def test_immer_drafts_python_lists_and_dicts_and_leaves_them_alone() -> None:
    # immer drafts what it reads and calls the array methods on its drafts: pythonmonkey's own
    # list proxy crashed the process there, and wrote into the Python list.
    produce = bridge.require("immer").produce
    state = {"n": 1, "items": [1, 2], "rows": [{"tags": ["a"]}], "meta": {"seen": 0}}
    recipe = bridge.eval(
        "(d) => { d.n = 2; d.items.push(3); d.rows[0].tags.push('b'); d.meta.seen += 1 }"
    )
    changed = produce(state, recipe)
    assert state == {"n": 1, "items": [1, 2], "rows": [{"tags": ["a"]}], "meta": {"seen": 0}}
    assert changed["items"] == [1, 2, 3]
    assert changed["rows"][0]["tags"] == ["a", "b"]
    assert changed["meta"]["seen"] == 1
    numbers = [3, 1]
    assert produce(numbers, bridge.eval("(d) => { d.sort() }")) == [1, 3]
    assert numbers == [3, 1]
    assert produce(numbers, bridge.eval("(d) => {}")) is numbers  # unchanged: the same list


async def _double_later(i: float) -> float:
    await asyncio.sleep(0.01)
    return i * 2


async def test_bluebird_promises_are_awaitable_directly() -> None:
    Bluebird = bridge.require("bluebird")
    assert await Bluebird.delay(5, "late") == "late"
    assert _plain(await Bluebird.map([1, 2, 3], _double_later, {"concurrency": 2})) == [2, 4, 6]


async def test_p_limit_runs_python_coroutines_two_at_a_time() -> None:
    limit = bridge.require("p-limit")(2)
    running = {"now": 0, "most": 0}

    async def job(i: float) -> float:
        running["now"] += 1
        running["most"] = max(running["most"], running["now"])
        await asyncio.sleep(0.02)
        running["now"] -= 1
        return i * 2

    results = await bridge.eval(
        "(limit, job) => Promise.all([1, 2, 3, 4].map((i) => limit(() => job(i))))"
    )(limit, job)
    assert _plain(results) == [2, 4, 6, 8]
    assert running["most"] == 2


async def test_async_map_limit_with_a_python_async_def_iteratee() -> None:
    # async@3 awaits an iteratee only when it is tagged AsyncFunction; a Python async def is.
    result = await asyncio.wait_for(
        bridge.require("async").mapLimit([1, 2, 3], 2, _double_later), 10
    )
    assert _plain(result) == [2, 4, 6]


async def test_p_retry_retries_a_failing_python_coroutine() -> None:
    attempts = []

    async def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise ValueError("not yet")
        return "done"

    options = {"retries": 5, "minTimeout": 1, "factor": 1}
    assert await bridge.require("p-retry")(flaky, options) == "done"
    assert len(attempts) == 3


def test_a_node_only_package_says_what_it_needs() -> None:
    with pytest.raises(bridge.BridgeError, match="needs the operating system"):
        bridge.require("node:fs")


def test_built_ins_stand_in_with_their_browser_implementations_from_npm() -> None:
    """path, querystring and url come from path-browserify, querystring-es3 and url (npm),
    at the top and inside modules, and give what Node's built-ins give."""
    path = bridge.require("path")
    assert path.join("/a/b", "../c", "d.js") == "/a/c/d.js"
    assert bridge.require("node:path") is path
    assert bridge.require("querystring").stringify({"a": 1, "b": ["x", "y"]}) == "a=1&b=x&b=y"
    assert bridge.require("url").parse("http://h.example:8080/p?q=1").port == "8080"
    assert bridge.eval("require('path').extname('x/y.tar.gz')") == ".gz"


def test_a_missing_browser_implementation_says_which_package_to_install(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "app.py"
    script.write_text("import bridge\nbridge.require('path')\n", "utf-8")
    root = Path(__file__).resolve().parent.parent.parent
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "`npm install path-browserify` next to your script" in result.stderr
    assert "bridge.node()" in result.stderr


def test_crypto_assert_and_stream_stand_in_with_their_browser_implementations() -> None:
    """crypto is crypto-browserify (shipped with pythonmonkey, read with its package.json
    "browser" fields), assert and stream the npm packages assert and stream-browserify."""
    crypto = bridge.require("crypto")
    digest = crypto.createHash("sha256").update("abc").digest("hex")
    assert digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert crypto.createHmac("sha1", "key").update("x").digest("base64") == (
        "KgDo6DQ9+GxMGIsmPuyjMa+jFUg="
    )
    assert bridge.require("node:crypto") is crypto
    assert len(crypto.randomBytes(8)) == 8

    assert_ = bridge.require("assert")
    assert_.deepStrictEqual(bridge.eval("({a: [1]})"), bridge.eval("({a: [1]})"))
    with pytest.raises(bridge.JSError) as raised:
        assert_.deepStrictEqual(bridge.eval("({a: 1})"), bridge.eval("({a: 2})"))
    assert raised.value.name == "AssertionError"
    assert "strictly deep-equal" in raised.value.message


async def test_a_stream_pipeline_runs_on_the_browser_stream() -> None:
    upper = bridge.eval(
        """(stream) => new Promise((resolve, reject) => {
          const out = [];
          const up = new stream.Transform({
            transform(chunk, encoding, done) { done(null, String(chunk).toUpperCase()); },
          });
          stream.Readable.from(['a', 'b', 'c']).pipe(up)
            .on('data', (d) => out.push(String(d)))
            .on('end', () => resolve(out.join('')))
            .on('error', reject);
        })"""
    )
    assert await upper(bridge.require("stream")) == "ABC"


def test_a_users_package_wins_over_the_copy_pythonmonkey_bundles() -> None:
    """pythonmonkey bundles readable-stream 2 for its own use; the user's node_modules has 3."""
    here = str(Path(__file__).resolve().parent / "node_modules" / "readable-stream")
    assert bridge.eval("require.resolve('readable-stream')").startswith(here)
    assert bridge.eval("typeof require('readable-stream').Readable.from") == "function"
    assert bridge.require("readable-stream") is bridge.require(
        "./node_modules/readable-stream/readable.js"
    )
