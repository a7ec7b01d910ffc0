"""JS objects reaching Python through bridge: bridge.JSObject, against the real engine."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys

import pytest

import bridge

OBJ_SRC = """({
  v: 5,
  get() { return this.v; },
  boom() { throw new TypeError('bad ' + this.v); },
  later(ok) { return ok ? Promise.resolve(this.v) : Promise.reject(new RangeError('late')); },
  nested: { deep() { throw new Error('deep'); } },
})"""


def test_eval_gives_a_js_object_with_methods_bound_to_it() -> None:
    obj = bridge.eval(OBJ_SRC)
    assert isinstance(obj, bridge.JSObject)
    assert obj.v == 5
    assert obj.get() == 5
    assert obj["v"] == 5
    assert obj.nested.__class__ is bridge.JSObject


def test_sync_throw_in_a_method_is_the_mapped_error() -> None:
    obj = bridge.eval(OBJ_SRC)
    with pytest.raises(bridge.JSTypeError, match=r"^TypeError: bad 5$"):
        obj.boom()
    with pytest.raises(bridge.JSError, match=r"^Error: deep$"):
        obj.nested.deep()


def test_error_from_a_method_goes_back_to_js_as_itself() -> None:
    obj = bridge.eval("({ e: new Error('same'), boom() { throw this.e; } })")
    with pytest.raises(bridge.JSError) as caught:
        obj.boom()
    assert bridge.eval("(o, e) => o.e === e")(obj, caught.value) is True


def test_identity_kept_both_ways() -> None:
    obj = bridge.eval("globalThis.__idObj = {a: 1}")
    same = bridge.eval("(x) => x === globalThis.__idObj")
    identity = bridge.eval("(x) => x")
    assert same(obj) is True
    back = identity(obj)
    assert isinstance(back, bridge.JSObject)
    assert back == obj
    assert back != bridge.eval("({a: 1})")
    bridge.expose("__idHolder", obj)
    assert bridge.eval("globalThis.__idHolder === globalThis.__idObj") is True


def test_mapping_protocol_and_repr() -> None:
    obj = bridge.eval("({a: 1, b: 'x'})")
    assert len(obj) == 2
    assert list(obj) == ["a", "b"]
    assert "a" in obj and "zz" not in obj
    assert {k: obj[k] for k in obj} == {"a": 1.0, "b": "x"}
    assert obj == {"a": 1.0, "b": "x"}
    assert repr(obj) == "<JS object {'a': 1.0, 'b': 'x'}>"
    obj.c = 3
    obj["d"] = [1]
    del obj["a"]
    assert bridge.eval("(o) => JSON.stringify(o)")(obj) == '{"b":"x","c":3,"d":[1]}'


def test_js_properties_win_over_python_method_names() -> None:
    cache = bridge.eval(
        "({ m: {a: 1}, get(k) { return this.m[k]; }, keys() { return this.m.a + 1; },"
        " pop() { return this === cache; } })"
    )
    bridge.globals["cache"] = cache
    assert cache.get("a") == 1
    assert cache.keys() == 2
    assert cache.pop() is True


def test_missing_attribute_and_key() -> None:
    obj = bridge.eval("({a: 1})")
    with pytest.raises(AttributeError, match=r"^JS object has no property 'nope'$"):
        obj.nope  # noqa: B018
    with pytest.raises(KeyError, match="nope"):
        obj["nope"]


def test_throwing_getter_is_mapped() -> None:
    obj = bridge.eval("({ get bad() { throw new RangeError('getter'); } })")
    with pytest.raises(bridge.JSRangeError, match="getter"):
        obj.bad  # noqa: B018


def test_class_instance_methods_from_the_prototype() -> None:
    counter = bridge.require("./data/counter.js")
    c = bridge.new(counter)(10)
    assert isinstance(c, bridge.JSObject)
    assert c.add(5) == 15
    assert c.value == 15
    assert "add" in dir(c) or hasattr(c, "add")


async def test_awaited_object_is_a_js_object() -> None:
    got = await bridge.eval("Promise.resolve({k: {m() { return 7; }}})")
    assert isinstance(got, bridge.JSObject)
    assert got.k.m() == 7


async def test_exposed_python_function_receives_js_objects_and_returns_them() -> None:
    seen: list[object] = []

    def take(o: object) -> object:
        seen.append(o)
        return o

    bridge.expose("__take", take)
    assert bridge.eval("(() => { const o = {q: 1}; return __take(o) === o; })()") is True
    assert isinstance(seen[0], bridge.JSObject)


def _fresh_loops_script(body: str) -> str:
    return (
        "import asyncio, bridge\n"
        "obj = bridge.eval(" + repr(OBJ_SRC) + ")\n"
        "arr = bridge.eval('[{f() { return Promise.reject(new RangeError(\"raw\")); }}]')\n" + body
    )


def test_method_returning_a_promise_in_a_fresh_loop_maps_the_rejection() -> None:
    # The first JS contact of each new loop is an object method / a raw array element's
    # method: the loop must be attached (JSFuture, mapped rejection, no InvalidStateError).
    body = (
        "async def main():\n"
        "    assert await obj.later(True) == 5\n"
        "    try:\n"
        "        await obj.later(False)\n"
        "    except bridge.JSRangeError as e:\n"
        "        print('mapped', e)\n"
        "    try:\n"
        "        await arr[0].f()\n"
        "    except bridge.JSRangeError as e:\n"
        "        print('mapped', e)\n"
        "for _ in range(2):\n"
        "    asyncio.run(main())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", _fresh_loops_script(body)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["mapped RangeError: late", "mapped RangeError: raw"] * 2
    assert "InvalidStateError" not in proc.stderr
    assert "Uncaught" not in proc.stderr


async def test_thenable_object_to_future() -> None:
    thenable = bridge.eval("({ then(res) { res(41 + 1); } })")
    assert isinstance(thenable, bridge.JSObject)
    assert await bridge.to_future(thenable) == 42


def test_js_object_hash_and_bool() -> None:
    obj = bridge.eval("({})")
    assert bool(obj) is True
    assert isinstance(hash(obj), int)
    asyncio.run(asyncio.sleep(0))  # a loop started after the engine: attached, still fine


def test_numbers_read_through_a_js_object_do_not_leak() -> None:
    # pythonmonkey's proxy read keeps one reference to every number it hands over (raw
    # `proxy["v"]` leaks a float per read); through JSObject it is released.
    obj = bridge.eval("({v: 2.5, inner: {w: 1.5}})")
    for _ in range(300):
        assert obj.v + obj["inner"].w == 4.0
    gc.collect()
    before = sys.getallocatedblocks()
    for _ in range(5000):
        assert obj.v + obj["inner"].w == 4.0
    gc.collect()
    assert (sys.getallocatedblocks() - before) / 5000 < 0.2


def test_wrappers_nested_in_containers_reach_js_as_themselves() -> None:
    controller = bridge.eval("new AbortController()")
    fn = bridge.eval("function f() { return new Date(0); }; f")
    check = bridge.eval(
        "(opts, list, nested) => [opts.signal instanceof AbortSignal,"
        " list[0] instanceof AbortSignal, typeof list[1],"
        " nested.a[0].b instanceof AbortSignal,"
        " opts.n, list[2]]"
    )
    result = check(
        {"signal": controller.signal, "n": 1},
        [controller.signal, fn, 3],
        {"a": [{"b": controller.signal}]},
    )
    assert list(result) == [True, True, "function", True, 1.0, 3.0]
    # A tuple is opaque to JS (pythonmonkey): it comes back to Python as itself, wrappers intact.
    pair = (controller.signal, 1)
    assert bridge.eval("(t) => t")(pair) is pair


def test_plain_containers_cross_untouched() -> None:
    # No copy when nothing inside needs converting: JS sees the very list (writes show in Python).
    data = [1, 2.5, "x", None, True]
    bridge.eval("(a) => { a.push(4); }")(data)
    assert data == [1, 2.5, "x", None, True, 4]


def test_self_referencing_container_with_wrapper_crosses() -> None:
    controller = bridge.eval("new AbortController()")
    data: dict[str, object] = {"signal": controller.signal}
    data["self"] = data
    assert bridge.eval("(o) => o.signal instanceof AbortSignal")(data) is True


async def test_wrappers_nested_in_a_coroutines_result_reach_js_as_themselves() -> None:
    controller = bridge.eval("new AbortController()")

    async def options() -> dict[str, object]:
        return {"signal": controller.signal, "list": [controller.signal]}

    def sync_options() -> dict[str, object]:
        return {"signal": controller.signal}

    bridge.expose("asyncOptions", options)
    bridge.expose("syncOptions", sync_options)
    check = bridge.eval(
        "async () => { const a = await asyncOptions(); const s = syncOptions();"
        " return [a.signal instanceof AbortSignal, a.list[0] instanceof AbortSignal,"
        " s.signal instanceof AbortSignal]; }"
    )
    assert list(await asyncio.wait_for(check(), 2)) == [True, True, True]
