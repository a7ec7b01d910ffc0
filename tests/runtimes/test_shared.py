"""The same awaits behave the same on both runtimes (the ``rt`` fixture runs each test on both)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest

import bridge

pytestmark = pytest.mark.timeout(30)


async def test_eval_gives_settled_json_like_values_by_value(rt: Any) -> None:
    assert await rt.eval("1 + 2") == 3
    assert await rt.eval("Promise.resolve({a: [1, 'x', null], b: true})") == {
        "a": [1, "x", None],
        "b": True,
    }


async def test_attribute_and_call_compose_until_awaited(rt: Any) -> None:
    assert await rt.globals.Math.max(3, 9, 4) == 9
    assert await rt.globals.JSON.stringify([1, 2]) == "[1,2]"


async def test_objects_with_methods_come_back_as_proxies(rt: Any) -> None:
    obj = await rt.eval("({n: 2, twice() { return this.n * 2 }})")
    assert await obj.twice() == 4
    assert await obj.n == 2


async def test_require_is_relative_to_the_calling_file(rt: Any) -> None:
    helper = await rt.require("./helper.js")
    assert await helper.double(21) == 42
    assert await helper.later("done") == "done"


async def test_a_missing_module_names_itself_the_calling_file_and_where_it_looked(
    rt: Any,
) -> None:
    here = os.path.abspath(__file__)
    folder = os.path.dirname(here)
    with pytest.raises(bridge.ModuleNotFound) as bare:
        await rt.require("no-such-package-anywhere")
    assert "'no-such-package-anywhere'" in str(bare.value)
    assert f"required from {here}" in str(bare.value)
    assert f"searched {os.path.join(folder, 'node_modules')}, " in str(bare.value)
    with pytest.raises(bridge.ModuleNotFound) as relative:
        await rt.require("./no-such-file")
    assert f"no file '{os.path.join(folder, 'no-such-file')}'" in str(relative.value)
    assert isinstance(relative.value, ImportError)


async def test_new_constructs_and_methods_keep_this(rt: Any) -> None:
    helper = await rt.require("./helper.js")
    counter = await rt.new(helper.Counter)(10)
    assert await counter.bump() == 11
    assert await counter.bump() == 12


async def test_js_errors_are_bridge_errors(rt: Any) -> None:
    with pytest.raises(bridge.JSTypeError):
        await rt.eval("null.x")
    with pytest.raises(bridge.JSRangeError):
        await rt.eval("Promise.reject(new RangeError('far'))")


async def test_js_awaits_an_exposed_python_coroutine(rt: Any) -> None:
    async def add(a: int, b: int) -> int:
        await asyncio.sleep(0)
        return a + b

    rt.expose("pyAdd", add)
    assert await rt.eval("pyAdd(2, 3).then((x) => x * 10)") == 50


async def test_concurrent_awaits(rt: Any) -> None:
    results = await asyncio.gather(*(rt.globals.Math.abs(-i) for i in range(50)))
    assert results == list(range(50))


async def test_async_for_over_a_js_async_generator(rt: Any) -> None:
    gen = rt.eval("(async function* () { yield 1; yield 'two'; yield [3] })()")
    assert [item async for item in gen] == [1, "two", [3]]
