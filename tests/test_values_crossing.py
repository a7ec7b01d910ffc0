"""Values that real libraries hand over: thenables, methods, callbacks, errors held as data."""

from __future__ import annotations

import asyncio

import pytest

import bridge


async def test_a_plain_js_thenable_is_awaitable_directly() -> None:
    thenable = bridge.eval("({ then(ok) { setTimeout(() => ok('late'), 5); } })")
    assert await thenable == "late"


async def test_a_rejecting_thenable_raises_the_mapped_error() -> None:
    thenable = bridge.eval("({ then(_, fail) { fail(new RangeError('no')); } })")
    with pytest.raises(bridge.JSRangeError, match="no"):
        await thenable


async def test_awaiting_a_js_object_that_is_no_thenable_gives_the_object_as_js_await_does() -> None:
    obj = bridge.eval("({ a: 1 })")
    assert await obj is obj


def test_a_function_read_as_a_property_is_the_function_itself() -> None:
    obj = bridge.eval(
        "globalThis.holder = { C: class K { static make() { return this === holder.C; } },"
        " g: Object.assign(function g() { return 2; }, { p: 5 }) }"
    )
    assert obj.g.p == 5  # own properties of the function, not of a bound copy
    assert bridge.eval("(f) => f === holder.g")(obj.g) is True
    assert obj.C.make() is True  # a static method's `this` is its class
    instance = bridge.new(obj.C)()
    assert bridge.eval("(o) => o instanceof holder.C")(instance) is True


def test_a_method_called_through_its_object_binds_this_also_for_dict_method_names() -> None:
    obj = bridge.eval("({ v: 1, get(k) { return this.v + k; }, keys() { return [this.v]; } })")
    assert obj.get(2) == 3
    assert obj.keys() == [1]


def test_python_callables_get_at_most_the_arguments_their_signature_accepts() -> None:
    doubled = bridge.eval("(f) => [1, 2, 3].map(f)")(lambda x: x * 2)
    assert list(doubled) == [2, 4, 6]

    def takes_two(x, i):  # type: ignore[no-untyped-def]
        return f"{x}@{i}"

    assert list(bridge.eval("(f) => ['a'].map(f)")(takes_two)) == ["a@0.0"]  # JS numbers are floats

    def takes_any(*args):  # type: ignore[no-untyped-def]
        return len(args)

    assert list(bridge.eval("(f) => ['a'].map(f)")(takes_any)) == [3]


async def test_an_exposed_async_def_gets_at_most_the_arguments_it_accepts() -> None:
    async def times_ten(x: float) -> float:
        await asyncio.sleep(0)
        return x * 10

    result = await bridge.eval("(f) => Promise.all([1, 2].map(f))")(times_ten)
    assert list(result) == [10, 20]


def test_an_exposed_async_def_looks_like_a_js_async_function() -> None:
    async def work() -> None:
        return None

    check = bridge.eval(
        "(f) => [f[Symbol.toStringTag], Object.prototype.toString.call(f), typeof f]"
    )
    assert list(check(work)) == ["AsyncFunction", "[object AsyncFunction]", "function"]


def test_js_object_equals_a_dict_only_with_the_same_keys_and_values() -> None:
    obj = bridge.eval("({ a: 1, b: { c: 'x' } })")
    assert obj == {"a": 1, "b": {"c": "x"}}
    assert obj != {"a": 1, "b": {"c": "x"}, "extra": 2}
    assert obj != {"a": 1}
    assert obj != {"a": 2, "b": {"c": "x"}}


def test_a_js_error_held_as_data_exposes_its_fields() -> None:
    result = bridge.eval(
        "({ error: Object.assign(new TypeError('bad input'), { issues: ['a', 'b'], code: 7 }) })"
    )
    error = result.error
    assert isinstance(error, bridge.JSTypeError)
    assert list(error["issues"]) == ["a", "b"]
    assert error.code == 7
    with pytest.raises(KeyError):
        error["missing"]
    with pytest.raises(AttributeError, match="no JS property 'missing'"):
        error.missing  # noqa: B018
