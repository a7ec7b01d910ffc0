"""The same packages by their bare names on both runtimes, through the Runtime interface."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import bridge


@pytest.fixture(autouse=True)
def _installed(npm_packages: Path) -> None:
    assert (npm_packages / "lodash").is_dir()


async def _json(rt: bridge.Runtime, value: Any) -> Any:
    return json.loads(await (await rt.eval("(v) => JSON.stringify(v)"))(value))


async def test_lodash_chunk(rt: bridge.Runtime) -> None:
    lodash = await rt.require("lodash")
    assert await _json(rt, await lodash.chunk([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]


async def test_dayjs_dates(rt: bridge.Runtime) -> None:
    dayjs = await rt.require("dayjs")
    assert await dayjs("2024-02-28").add(2, "day").format("YYYY-MM-DD") == "2024-03-01"


async def test_handlebars_template(rt: bridge.Runtime) -> None:
    handlebars = await rt.require("handlebars")
    template = await handlebars.compile("Hi {{name}}!")
    assert await template({"name": "Ada"}) == "Hi Ada!"


async def test_semver_and_marked(rt: bridge.Runtime) -> None:
    semver = await rt.require("semver")
    assert await semver.satisfies("1.2.3", "^1.0.0") is True
    marked = await rt.require("marked")
    assert await marked.marked.parse("# Title") == '<h1 id="title">Title</h1>\n'


async def test_a_missing_package_is_an_error_naming_it(rt: bridge.Runtime) -> None:
    with pytest.raises(bridge.ModuleNotFound, match="'left-pad' required from "):
        await rt.require("left-pad")
