"""Errors crossing the boundary, exactly as DESIGN.md draws them, in both directions."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

import bridge
from bridge.embedded import _engine


@pytest.mark.parametrize(
    ("ctor", "cls", "builtin"),
    [
        ("TypeError", bridge.JSTypeError, TypeError),
        ("RangeError", bridge.JSRangeError, ValueError),
        ("ReferenceError", bridge.JSReferenceError, NameError),
        ("SyntaxError", bridge.JSSyntaxError, SyntaxError),
        ("Error", bridge.JSError, Exception),
        ("EvalError", bridge.JSError, Exception),
    ],
)
async def test_class_by_js_kind_sync_and_async(ctor: str, cls: type, builtin: type) -> None:
    with pytest.raises(cls) as sync:
        bridge.eval(f"throw new {ctor}('boom')")
    with pytest.raises(builtin) as rejected:
        await bridge.eval(f"Promise.reject(new {ctor}('boom'))")
    for exc in (sync.value, rejected.value):
        assert type(exc) is cls
        assert exc.name == ctor
        assert exc.message == "boom"
        assert str(exc) == f"{ctor}: boom"
        assert "@" in exc.stack


def test_syntax_error_in_source() -> None:
    with pytest.raises(bridge.JSSyntaxError, match="SyntaxError"):
        bridge.eval("let = = 1")


def test_reference_error_is_name_error() -> None:
    with pytest.raises(NameError, match="nowhere is not defined"):
        bridge.eval("nowhere + 1")


async def test_custom_subclass_keeps_name_and_kind() -> None:
    src = "class DbError extends TypeError { constructor(m) { super(m); this.name = 'DbError'; } }"
    with pytest.raises(bridge.JSTypeError) as info:
        await bridge.eval(f"{src}; Promise.reject(new DbError('locked'))")
    assert info.value.name == "DbError"
    assert str(info.value) == "DbError: locked"


async def test_cause_becomes_dunder_cause() -> None:
    with pytest.raises(bridge.JSError) as info:
        await bridge.eval("Promise.reject(new Error('outer', { cause: new RangeError('inner') }))")
    cause = info.value.__cause__
    assert isinstance(cause, bridge.JSRangeError)
    assert cause.message == "inner"


async def test_non_error_cause() -> None:
    with pytest.raises(bridge.JSError) as info:
        bridge.eval("throw new Error('outer', { cause: 42 })")
    assert isinstance(info.value.__cause__, bridge.JSRejection)
    assert info.value.__cause__.value == 42


async def test_aggregate_error_errors() -> None:
    with pytest.raises(bridge.JSAggregateError) as info:
        await bridge.eval("Promise.any([Promise.reject(new TypeError('a')), Promise.reject(7)])")
    errors = info.value.errors
    assert [type(e) for e in errors] == [bridge.JSTypeError, bridge.JSRejection]
    assert errors[1].value == 7


@pytest.mark.parametrize(
    ("src", "value", "is_null", "message"),
    [
        ("42", 42, False, "42"),
        ("'x'", "x", False, "'x'"),
        ("null", None, True, "null"),
        ("undefined", None, False, "undefined"),
        ("true", True, False, "True"),
    ],
)
async def test_non_error_reasons_are_js_rejection(
    src: str, value: object, is_null: bool, message: str
) -> None:
    with pytest.raises(bridge.JSRejection) as rejected:
        await bridge.eval(f"Promise.reject({src})")
    with pytest.raises(bridge.JSRejection) as thrown:
        bridge.eval(f"throw {src}")
    for exc in (rejected.value, thrown.value):
        assert exc.value == value
        assert exc.is_null is is_null
        assert exc.message == message


async def test_object_reason_keeps_the_object() -> None:
    with pytest.raises(bridge.JSRejection) as info:
        await bridge.eval("Promise.reject({ code: 3 })")
    assert info.value.value["code"] == 3


async def test_js_error_round_trip_is_the_same_object() -> None:
    err = bridge.eval("globalThis.original = new TypeError('mine'); original")
    assert isinstance(err, bridge.JSTypeError)
    same = bridge.eval("(e) => e === globalThis.original")
    assert same(err) is True

    def rethrow() -> None:
        raise err

    assert (
        bridge.eval("(f) => { try { f(); } catch (e) { return e === globalThis.original; } }")(
            rethrow
        )
        is True
    )


async def test_python_exception_seen_from_js_as_python_error() -> None:
    class Boom(ValueError):
        pass

    def fail() -> None:
        raise Boom("it broke")

    info = bridge.eval(
        "(f) => { try { f(); } catch (e) { return [e instanceof PythonError, e instanceof Error,"
        " e.name, e.message, e.stack]; } }"
    )(fail)
    assert list(info[:4]) == [True, True, "Boom", "it broke"]
    assert info[4].rstrip().endswith("Boom: it broke")
    assert "Traceback (most recent call last)" in info[4]


async def test_python_exception_round_trip_is_the_same_object() -> None:
    original = KeyError("k")

    def fail() -> None:
        raise original

    with pytest.raises(KeyError) as info:
        bridge.eval("(f) => f()")(fail)
    assert info.value is original

    async def afail() -> None:
        raise original

    bridge.expose("afail", afail)
    with pytest.raises(KeyError) as info2:
        await bridge.eval(
            "afail().catch((e) => { if (!(e instanceof PythonError)) throw 'bad'; throw e; })"
        )
    assert info2.value is original


async def test_error_crossing_twice_keeps_identity_across_awaits() -> None:
    async def relay(p: asyncio.Future[object]) -> object:
        return await p  # rejects with the JS error; re-raised into JS as itself

    bridge.expose("relay", relay)
    ok = await bridge.eval(
        "(async () => { const e = new RangeError('hop'); try { await relay(Promise.reject(e)); }"
        " catch (got) { return got === e; } })()"
    )
    assert ok is True


async def test_non_error_reasons_go_back_to_js_as_themselves() -> None:
    async def relay(p: asyncio.Future[object]) -> object:
        return await p

    bridge.expose("relayReason", relay)
    got = await bridge.eval(
        "(async () => { const o = { code: 1 }; const out = [];"
        " for (const r of [42, 'x', o]) { try { await relayReason(Promise.reject(r)); }"
        " catch (e) { out.push(e === r); } } return out; })()"
    )
    assert list(got) == [True, True, True]


async def test_object_reason_raised_from_python_callback_is_the_same_object() -> None:
    with pytest.raises(bridge.JSRejection) as info:
        await bridge.eval("globalThis.reason = { code: 7 }; Promise.reject(reason)")
    rejection = info.value

    def rethrow() -> None:
        raise rejection

    assert bridge.eval("(f) => { try { f(); } catch (e) { return e === globalThis.reason; } }")(
        rethrow
    )


async def test_primitive_rejection_raised_from_python_callback_is_the_primitive_again() -> None:
    with pytest.raises(bridge.JSRejection) as info:
        await bridge.eval("Promise.reject(42)")
    rejection = info.value

    def rethrow() -> None:
        raise rejection

    assert bridge.eval("(f) => { try { f(); } catch (e) { return e === 42; } }")(rethrow) is True


async def test_errors_crossing_do_not_leak_through_both_heaps() -> None:
    # A PythonError holds its exception; the exception must not hold the PythonError, nor a
    # mapped JS error be held by its JS error, nor pythonmonkey's lost reference on `jsError`
    # stay: any of those closes a cycle through both heaps that neither collector frees.
    import weakref

    class Marker(Exception):
        pass

    refs: list[weakref.ref[object]] = []

    def fail() -> None:
        exc = Marker("collect me")
        refs.append(weakref.ref(exc))
        raise exc

    rethrow = bridge.eval("(f) => { try { f(); } catch (e) { throw e; } }")
    js_refs = []
    for _ in range(3):
        with pytest.raises(Marker):
            rethrow(fail)
        with pytest.raises(bridge.JSTypeError) as info:
            bridge.eval("throw new TypeError('js side')")
        js_refs.append(weakref.ref(info.value))
        del info
    for _ in range(3):  # Python frees its side, JS its side, finalizers run on the loop
        gc.collect()
        _engine.engine().collect()
        await asyncio.sleep(0)
    assert [r() for r in refs] == [None, None, None]
    assert [r() for r in js_refs] == [None, None, None]


# --- non-Error reasons forwarded by Python come back to JS as themselves ----------------------

_REASONS = ["42", "null", "undefined", "'x'"]
_CHECK = (
    "(reason) => (p) => p.then(() => 'resolved',"
    " (e) => (e === reason ? 'same' : `got ${typeof e} ${String(e)}`))"
)


@pytest.mark.parametrize("reason", _REASONS)
async def test_exposed_coroutine_forwarding_a_js_rejection_rejects_js_with_the_reason(
    reason: str,
) -> None:
    async def forward() -> None:
        await bridge.eval(f"Promise.reject({reason})")

    bridge.expose("forwardRejection", forward)
    outcome = bridge.eval(f"({_CHECK})({reason})(forwardRejection())")
    assert await asyncio.wait_for(outcome, 2) == "same"


@pytest.mark.parametrize("reason", _REASONS)
async def test_uncaught_it_throw_of_a_non_error_reaches_js_as_itself(reason: str) -> None:
    async def gen() -> Any:
        yield 1

    check = bridge.eval(
        f"async (it) => {{ await it.next(); return ({_CHECK})({reason})(it.throw({reason})); }}"
    )
    assert await asyncio.wait_for(check(gen()), 2) == "same"


@pytest.mark.parametrize("reason", _REASONS)
async def test_to_js_of_a_future_rejected_from_js_gives_js_the_reason(reason: str) -> None:
    future = bridge.to_future(bridge.eval(f"Promise.reject({reason})"))
    with pytest.raises(bridge.JSRejection):
        await asyncio.wait_for(asyncio.shield(future), 2)
    outcome = bridge.eval(f"({_CHECK})({reason})")(bridge.to_js(future))
    assert await asyncio.wait_for(outcome, 2) == "same"


async def test_a_method_given_a_future_keeps_its_this() -> None:
    # Calls with a future go through JS (see test above): `this` must still be the object.
    obj = bridge.eval("({ m(p) { return p.then((v) => [this.tag, v]); }, tag: 'me' })")
    future = asyncio.get_running_loop().create_future()
    future.set_result(7)
    assert list(await asyncio.wait_for(obj.m(future), 2)) == ["me", 7]
