"""A module that uses a promise library: chains whose rewrite would hand a native Promise to
someone expecting the library's promise are left alone (found in a real project, where a
rewritten function broke its callers' ``.reduce``); awaited chains and callbacks are not."""

from __future__ import annotations

import pytest

import bridge

REQUIRES = [
    "const BB = require('bluebird')\n",
    'const Promise = require("bluebird");\n',
    "import Q from 'q';\n",
    "import { all } from 'when/keys';\n",
]


@pytest.mark.parametrize("head", REQUIRES)
def test_a_returned_chain_is_left_alone(head: str) -> None:
    src = head + "function entries(b) {\n  return read(b).then(d => parse(d));\n}\n"
    result = bridge.translate(src, filename="m.mjs" if "import" in head else None)
    assert not result.changed
    assert [(d.line, d.rule) for d in result.diagnostics] == [(3, "promise-library")]
    assert "native Promise" in result.diagnostics[0].message


def test_a_fire_and_forget_chain_is_left_alone() -> None:
    src = "const BB = require('bluebird')\nfunction go() {\n  run().then(() => log(1));\n}\n"
    result = bridge.translate(src)
    assert not result.changed and result.diagnostics[0].rule == "promise-library"


@pytest.mark.parametrize(
    "body",
    [
        # awaited: the value is the same whatever the promise's class
        "async function f() {\n  const v = await read(1).then(d => d + 1);\n  return v;\n}\n",
        # a callback: only the callee sees its result
        "test('reads', t => {\n  return read(1).then(d => t.equal(d, 1));\n});\n",
    ],
)
def test_awaited_chains_and_callbacks_are_rewritten(body: str) -> None:
    result = bridge.translate("const BB = require('bluebird')\n" + body)
    assert result.changed and result.diagnostics == ()


@pytest.mark.parametrize(
    "head",
    ["// we used to require('bluebird') here\n", "const q = require('./q')\n", "const x = 'q'\n"],
)
def test_other_mentions_are_not_a_library(head: str) -> None:
    src = head + "function f() {\n  return read(1).then(d => d);\n}\n"
    # A comment that names the library still counts (a scan of the text): the safe side.
    expected = "bluebird" not in head
    assert bridge.translate(src).changed is expected
