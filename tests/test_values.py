"""How values cross on the embedded runtime: what real libraries hand over."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import threading
from collections.abc import Callable

import pytest

import bridge

# A thenable that is not a native promise, settled later from a timer (as Bluebird's are).
LATE_THENABLE = """(ms, value) => ({
  then(resolve, reject) { setTimeout(() => resolve(value), ms); },
})"""


def test_a_plain_thenable_is_awaitable() -> None:
    async def main() -> object:
        return await bridge.eval("({ then(resolve) { resolve(42) } })")

    assert bridge.run(main()) == 42


def test_a_thenable_settled_later_is_awaited() -> None:
    async def main() -> object:
        return await bridge.eval(LATE_THENABLE)(10, "x")

    assert bridge.run(main()) == "x"


def test_a_rejecting_thenable_raises_the_mapped_error() -> None:
    async def main() -> object:
        return await bridge.eval("({ then(_, reject) { reject(new RangeError('no')) } })")

    with pytest.raises(bridge.JSRangeError, match="no"):
        bridge.run(main())


def test_awaiting_a_non_thenable_gives_it_back() -> None:
    async def main() -> tuple[object, object]:
        obj = bridge.eval("({ a: 1 })")
        fn = bridge.eval("(function f() {})")
        return (await obj is obj), (await fn is fn)

    assert bridge.run(main()) == (True, True)


def test_a_thenable_function_is_awaitable() -> None:
    async def main() -> object:
        return await bridge.eval("Object.assign(function f() {}, { then(r) { r(7) } })")

    assert bridge.run(main()) == 7


def test_bridge_promise_adopts_a_js_thenable() -> None:
    async def main() -> object:
        return await bridge.Promise.resolve(bridge.eval(LATE_THENABLE)(1, 5))

    assert bridge.run(main()) == 5


OBJ = """({
  x: 5,
  method() { return this.x; },
  get() { return this.x; },
  Cls: class Point { constructor(a) { this.a = a; } },
  helper: Object.assign(function helper() { return 1; }, { version: '1.2' }),
})"""


def test_a_function_read_as_a_property_is_the_function_itself() -> None:
    obj = bridge.eval(OBJ)
    same = bridge.eval("(o, name, fn) => o[name] === fn")
    assert same(obj, "method", obj.method)
    assert same(obj, "helper", obj["helper"])
    assert obj.helper.version == "1.2"  # its own properties are readable
    assert obj.method == obj.method


def test_a_function_called_through_its_object_binds_this() -> None:
    obj = bridge.eval(OBJ)
    assert obj.method() == 5
    assert obj.get() == 5  # a name that is also a dict method
    assert obj["method"]() == 5


def test_a_class_read_as_a_property_can_be_constructed() -> None:
    obj = bridge.eval(OBJ)
    point = bridge.new(obj.Cls)(3)
    assert point.a == 3
    assert bridge.eval("(o, p) => p instanceof o.Cls")(obj, point)


def test_a_static_method_keeps_its_class_as_this() -> None:
    cls = bridge.eval("(class K { static make() { return this === K; } })")
    assert cls.make() is True


def test_python_callables_get_only_the_arguments_they_accept() -> None:
    map_ = bridge.eval("(list, fn) => list.map(fn)")
    assert map_([1, 2, 3], lambda x: x * 2) == [2, 4, 6]

    def two(x: float, i: float) -> float:
        return x + i

    assert map_([1, 2, 3], two) == [1, 3, 5]

    def every(*args: object) -> int:
        return len(args)

    assert map_([1], every) == [3]  # *args: all of them (item, index, array)

    class Scale:
        def by(self, x: float) -> float:
            return x * 10

    assert map_([1, 2], Scale().by) == [10, 20]
    assert map_([-1, 2], abs) == [1, 2]  # a builtin, by its signature


def test_async_python_callables_get_only_the_arguments_they_accept() -> None:
    async def double(x: float) -> float:
        return x * 2

    async def main() -> object:
        return await bridge.eval("(list, fn) => Promise.all(list.map(fn))")([1, 2], double)

    assert bridge.run(main()) == [2, 4]


def test_an_async_def_looks_like_a_js_async_function() -> None:
    async def work(x: float) -> float:
        return x

    check = bridge.eval(
        """(fn) => [fn[Symbol.toStringTag], Object.prototype.toString.call(fn),
             fn instanceof Object.getPrototypeOf(async function () {}).constructor,
             typeof fn]"""
    )
    assert check(work) == [
        "AsyncFunction",
        "[object AsyncFunction]",
        True,
        "function",
    ]


def test_a_library_that_checks_for_async_functions_awaits_python_ones() -> None:
    # The check async@3's mapLimit makes: an AsyncFunction is awaited, anything else is given a
    # callback (which a Python async def never calls: that hung).
    map_limit = bridge.eval(
        """async (items, fn) => {
          const isAsync = fn[Symbol.toStringTag] === 'AsyncFunction';
          return Promise.all(items.map((x) => isAsync ? fn(x)
            : new Promise((resolve) => fn(x, (err, v) => resolve(v)))));
        }"""
    )

    async def square(x: float) -> float:
        await asyncio.sleep(0)
        return x * x

    async def main() -> object:
        return await asyncio.wait_for(map_limit([1, 2, 3], square), 5)

    assert bridge.run(main()) == [1, 4, 9]


ARRAY_METHODS = {
    "flatMap": "l.flatMap((x) => [x, x])",
    "flatMap of Python lists": "l.flatMap((x) => f(x))",
    "flat": "[l, [l]].flat(2)",
    "concat": "[0].concat(l)",
    "map": "l.map((x) => x + 1)",
    "filter": "l.filter((x) => x > 1)",
    "reduce": "l.reduce((a, b) => a + b, 0)",
    "slice": "l.slice(1)",
    "slice()": "l.slice()",
    "sort returns the array": "l.sort((a, b) => b - a) === l",
    "method borrowed by another array": "l.map.call([7], (x) => x)",
    "indexOf": "l.indexOf(2)",
    "includes": "l.includes(3)",
    "join": "l.join('-')",
    "find": "l.find((x) => x === 2)",
    "some": "l.some((x) => x === 3)",
    "every": "l.every((x) => x > 0)",
    "entries": "[...l.entries()]",
    "Array.from": "Array.from(l)",
    "spread": "[...l]",
    "Array.isArray": "Array.isArray(l)",
    "at": "l.at(-1)",
    "toString": "String(l)",
}
EXPECTED = {
    "flatMap": [1, 1, 2, 2, 3, 3],
    "flatMap of Python lists": [1, 1, 2, 2, 3, 3],
    "flat": [1, 2, 3, 1, 2, 3],
    "concat": [0, 1, 2, 3],
    "map": [2, 3, 4],
    "filter": [2, 3],
    "reduce": 6,
    "slice": [2, 3],
    "slice()": [1, 2, 3],
    "sort returns the array": True,
    "method borrowed by another array": [7],
    "indexOf": 1,
    "includes": True,
    "join": "1-2-3",
    "find": 2,
    "some": True,
    "every": True,
    "entries": [[0, 1], [1, 2], [2, 3]],
    "Array.from": [1, 2, 3],
    "spread": [1, 2, 3],
    "Array.isArray": True,
    "at": 3,
    "toString": "1,2,3",
}


@pytest.mark.parametrize("name", sorted(ARRAY_METHODS))
def test_a_python_list_is_a_js_array(name: str) -> None:
    fn = bridge.eval(f"(l, f) => JSON.stringify({ARRAY_METHODS[name]})")
    result = fn([1, 2, 3], lambda x: [x, x])
    assert bridge.eval("JSON.parse")(result) == EXPECTED[name]


# Each call made on a JS array [3, 1, 2] and on a Python list [3, 1, 2]: the same result.
SAME_AS_AN_ARRAY = r"""(make) => {
  const calls = {
    at: (a) => a.at(-1), concat: (a) => a.concat([9], 8), copyWithin: (a) => a.copyWithin(0, 1),
    entries: (a) => [...a.entries()], every: (a) => a.every((x) => x > 0), fill: (a) => a.fill(0),
    filter: (a) => a.filter((x) => x > 1), find: (a) => a.find((x) => x > 1),
    findIndex: (a) => a.findIndex((x) => x > 1), findLast: (a) => a.findLast((x) => x > 1),
    findLastIndex: (a) => a.findLastIndex((x) => x > 1), flat: (a) => a.flat(),
    flatMap: (a) => a.flatMap((x) => [x, [x]]),
    forEach: (a) => { const r = []; a.forEach((x, i, arr) => r.push(x, i, arr.length)); return r; },
    includes: (a) => a.includes(2), indexOf: (a) => a.indexOf(2), join: (a) => a.join(),
    keys: (a) => [...a.keys()], lastIndexOf: (a) => a.lastIndexOf(2),
    map: (a) => a.map((x, i) => x * i), pop: (a) => [a.pop(), a.length],
    push: (a) => [a.push(7, 8), a.length], reduce: (a) => a.reduce((p, x) => p + x),
    reduceRight: (a) => a.reduceRight((p, x) => p + '' + x), reverse: (a) => a.reverse(),
    shift: (a) => [a.shift(), a.length], slice: (a) => a.slice(), slice1: (a) => a.slice(1),
    sliceNeg: (a) => a.slice(-2, -1), some: (a) => a.some((x) => x > 2), sort: (a) => a.sort(),
    sortFn: (a) => a.sort((x, y) => y - x), splice: (a) => [a.splice(1, 1, 'x', 'y'), a.length],
    spliceNone: (a) => a.splice(), splice1: (a) => a.splice(1),
    toLocaleString: (a) => a.toLocaleString(), toReversed: (a) => a.toReversed(),
    toSorted: (a) => a.toSorted(), toSpliced: (a) => a.toSpliced(0, 1),
    toString: (a) => a.toString(), unshift: (a) => [a.unshift(0), a.length],
    values: (a) => [...a.values()], with: (a) => a.with(0, 5), spread: (a) => [...a],
    isArray: (a) => Array.isArray(a), from: (a) => Array.from(a), json: (a) => JSON.stringify(a),
    length: (a) => a.length, ctor: (a) => a.constructor === Array,
    proto: (a) => Object.getPrototypeOf(a) === Array.prototype, keysOf: (a) => Object.keys(a),
    apply: (a) => Math.max.apply(null, a), spreadCall: (a) => Math.max(...a),
    borrowed: (a) => Array.prototype.map.call(a, (x) => x + 1),
    growLength: (a) => { a.length = 5; return [a.length, a[4]]; },
    cutLength: (a) => { a.length = 1; return [...a]; },
    holeWrite: (a) => { a[4] = 1; return a.length; },
    truthyObject: (a) => [a.find(() => ({})), a.filter(() => []).length, a.some(() => ({}))],
  };
  const out = [];
  for (const [name, call] of Object.entries(calls)) {
    const outcome = (a) => { try { return JSON.stringify(call(a)); } catch (e) { return e.name; } };
    const want = outcome([3, 1, 2]);
    const got = outcome(make());
    if (want !== got) out.push(`${name}: ${want} != ${got}`);
  }
  return [Object.keys(calls).length, out];
}"""


def test_every_array_method_on_a_python_list_does_what_it_does_on_an_array() -> None:
    count, differences = bridge.eval(SAME_AS_AN_ARRAY)(lambda: [3, 1, 2])
    assert count >= 50
    assert differences == []


def test_lists_inside_a_list_are_arrays_in_callbacks_and_iteration_too() -> None:
    # pythonmonkey's own methods hand callbacks and iterators its raw proxies of inner lists.
    check = bridge.eval(
        """(l) => [
          l.map((x) => x.slice()), l.filter((x) => x.slice().length),
          l.reduce((acc, x) => acc.concat(x.slice()), []), [...l].map((x) => x.slice()),
          [...l.entries()].map(([, x]) => x.slice()), l.find((x) => x.slice()).slice(),
          l.map((x, i, a) => a.slice().length), l.map(function () { return this.k; }, { k: 7 }),
          (() => { const o = []; for (const x of l) o.push(x.slice()); return o; })(),
          l.slice().sort((a, b) => b.slice()[0] - a.slice()[0]),
        ]"""
    )
    assert check([[1], [2]]) == [
        [[1], [2]], [[1], [2]], [1, 2], [[1], [2]], [[1], [2]], [1],
        [2, 2], [7, 7], [[1], [2]], [[2], [1]],
    ]  # fmt: skip


def test_js_changes_a_python_list_in_place() -> None:
    items = [1, 2, 3]
    bridge.eval(
        "(l) => { l.push(4); l.shift(); l.unshift(0); l.splice(1, 1); l.reverse(); "
        "l[l.length] = 9; l.length = 4 }"
    )(items)
    assert items == [4, 3, 0, 9]
    bridge.eval("(l) => { l.length = 0 }")(items)
    assert items == []


def test_a_python_list_comes_back_as_itself() -> None:
    inner = [1]
    items = [inner, {"k": inner}]
    assert bridge.eval("(l) => l")(items) is items
    assert bridge.eval("(l) => l[0]")(items) is inner
    assert bridge.eval("(l, f) => f(l)")(items, lambda got: got is items)
    assert bridge.eval("(d) => d.k")({"k": inner}) is inner


def test_a_container_read_twice_is_the_same_js_value() -> None:
    same = bridge.eval("(d) => [d.items === d.items, d.o === d.o, d.items[0] === d.items[0]]")
    assert same({"items": [[1]], "o": {"a": 1}}) == [True, True, True]


def test_a_frozen_python_list_keeps_what_it_held() -> None:
    items = [1, 2]
    frozen = bridge.eval("(l) => { Object.freeze(l); l.push = 1; return l }")
    view = frozen(items)
    assert view is items
    check = bridge.eval(
        "(l) => { Object.freeze(l); try { l.push(3) } catch (e) { return [Object.isFrozen(l), "
        "e instanceof TypeError, l.length] } }"
    )
    assert check(items) == [True, True, 2]
    assert items == [1, 2]


def test_a_js_object_equals_a_dict_with_the_same_contents_only() -> None:
    obj = bridge.eval("({ a: 1, b: { c: 'x' } })")
    assert obj == {"a": 1, "b": {"c": "x"}}
    assert obj != {"a": 1, "b": {"c": "x"}, "d": 2}
    assert obj != {"a": 1}
    assert obj != {"a": 2, "b": {"c": "x"}}
    assert bridge.eval("({ a: 1 })") != {"a": 1, "b": 2}
    with pytest.raises(TypeError):
        obj < obj  # noqa: B015  # ordering: a TypeError, never a SystemError


def test_ints_beyond_2_53_cross_as_bigint_and_back() -> None:
    describe = bridge.eval("(x) => typeof x + ':' + String(x)")
    assert describe(2**53 - 1) == "number:9007199254740991"
    assert describe(2**53) == "bigint:9007199254740992"
    assert describe(-(2**70)) == "bigint:-1180591620717411303424"
    assert describe(1, 2**64) == "number:1"
    assert bridge.eval("(x) => x * 2n")(2**64) == 2**65
    assert bridge.eval("2n ** 70n") == 2**70

    def big() -> int:
        return 2**60

    assert bridge.eval("(f) => typeof f()")(big) == "bigint"


def test_a_too_deep_dict_is_a_bridge_error_not_a_deep_traceback() -> None:
    deep: dict[str, object] = {}
    cur = deep
    for _ in range(10_000):
        cur["a"] = {"b": [1]}
        cur = cur["a"]  # type: ignore[assignment]
    with pytest.raises(bridge.BridgeError, match="dict nested too deeply") as info:
        bridge.eval("(x) => 1")(deep)
    assert len(info.traceback) < 10


def _in_thread(fn: Callable[[], object]) -> BaseException | None:
    caught: list[BaseException] = []

    def target() -> None:
        try:
            fn()
        except BaseException as exc:
            caught.append(exc)

    t = threading.Thread(target=target)
    t.start()
    t.join(10)
    return caught[0] if caught else None


THREAD_OPS: dict[str, Callable[[object, object], object]] = {
    "len": lambda o, f: len(o),  # type: ignore[arg-type]
    "list": lambda o, f: list(o),  # type: ignore[call-overload]
    "in": lambda o, f: "a" in o,  # type: ignore[operator]
    "repr object": lambda o, f: repr(o),
    "repr function": lambda o, f: repr(f),
    "dir object": lambda o, f: dir(o),
    "dir function": lambda o, f: dir(f),
    "== object": lambda o, f: o == o,
    "== dict": lambda o, f: o == {"a": 1},
    "== function": lambda o, f: f == f,
    "fn.length": lambda o, f: f.length,  # type: ignore[attr-defined]
    "attribute": lambda o, f: o.a,  # type: ignore[attr-defined]
    "item": lambda o, f: o["a"],  # type: ignore[index]
    "set": lambda o, f: o.__setitem__("a", 2),  # type: ignore[attr-defined]
    "call": lambda o, f: f(),  # type: ignore[operator]
}


@pytest.mark.parametrize("op", sorted(THREAD_OPS))
def test_js_wrappers_from_another_thread_raise_wrong_thread(op: str) -> None:
    obj = bridge.eval("({ a: 1 })")
    fn = bridge.eval("(function f(x) { return 1; })")
    exc = _in_thread(lambda: THREAD_OPS[op](obj, fn))
    assert isinstance(exc, bridge.WrongThread), repr(exc)
    assert obj.a == 1  # untouched, and the engine still answers on its own thread


def test_repr_of_a_js_object_is_made_safely_in_js() -> None:
    assert repr(bridge.eval("({ a: 1, b: 'x', c: [1, null], d: 2n })")) == (
        "<JS object {'a': 1.0, 'b': 'x', 'c': [1.0, None], 'd': 2}>"
    )
    # Symbols, cycles and deep nesting are previewed, never converted (that crashed).
    assert repr(bridge.eval("({ s: [Symbol('x')] })")) == "<JS object {'s': [<JS Symbol(x)>]}>"
    assert repr(bridge.eval("(() => { const o = {}; o.self = o; return o })()")) == (
        "<JS object {'self': {...}}>"
    )
    deep = bridge.eval(
        "(() => { let o = {}; for (let i = 0; i < 1000; i++) o = { o }; return o })()"
    )
    assert repr(deep) == "<JS object {'o': {'o': {'o': {...}}}}>"


def test_a_js_proxy_of_a_function_is_callable() -> None:
    proxied = bridge.eval("new Proxy(function (a, b) { return a + b; }, {})")
    assert proxied(1, 2) == 3
    with pytest.raises(TypeError, match="not a function"):
        bridge.eval("({})")()


REVOKED_OPS: dict[str, Callable[[object], object]] = {
    "len": lambda o: len(o),  # type: ignore[arg-type]
    "repr": lambda o: repr(o),
    "list": lambda o: list(o),  # type: ignore[call-overload]
    "in": lambda o: "a" in o,  # type: ignore[operator]
    "item": lambda o: o["a"],  # type: ignore[index]
    "attribute": lambda o: o.a,  # type: ignore[attr-defined]
    "set": lambda o: o.__setitem__("a", 1),  # type: ignore[attr-defined]
    "dir": lambda o: dir(o),
    "== dict": lambda o: o == {},
    "call": lambda o: o(),  # type: ignore[operator]
}


@pytest.mark.parametrize("op", sorted(REVOKED_OPS))
def test_a_revoked_proxy_gives_the_mapped_js_type_error(op: str) -> None:
    revoked = bridge.eval(
        "(() => { const r = Proxy.revocable(function () {}, {}); r.revoke(); return r.proxy })()"
    )
    with pytest.raises(bridge.JSTypeError, match="revoked proxy"):
        REVOKED_OPS[op](revoked)


ZOD_LIKE = """Promise.resolve({
  success: false,
  error: Object.assign(new TypeError('invalid input'), { issues: [{ path: ['age'], code: 'x' }] }),
})"""


def test_a_js_error_held_as_data_exposes_its_fields() -> None:
    async def main() -> bridge.JSError:
        res = await bridge.eval(ZOD_LIKE)
        return res["error"]  # type: ignore[no-any-return]

    err = bridge.run(main())
    assert isinstance(err, bridge.JSTypeError)
    assert err["issues"][0]["path"] == ["age"]
    assert err.issues[0]["code"] == "x"
    assert err.message == "invalid input"
    with pytest.raises(KeyError):
        err["nope"]
    with pytest.raises(AttributeError, match="no JS property 'nope'"):
        err.nope  # noqa: B018


def test_a_js_error_resolved_as_a_value_is_the_mapped_error() -> None:
    async def main() -> object:
        return await bridge.eval("Promise.resolve(Object.assign(new RangeError('r'), { n: 1 }))")

    err = bridge.run(main())
    assert isinstance(err, bridge.JSRangeError)
    assert err["n"] == 1
    assert bridge.eval("(e) => e instanceof RangeError && e.n === 1")(err)


def test_a_rejection_of_a_primitive_has_no_js_fields() -> None:
    with pytest.raises(bridge.JSRejection) as info:
        bridge.eval("throw 42")
    with pytest.raises(KeyError):
        info.value["x"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Symbol('x')", "a JS Symbol cannot cross to Python"),
        ("({ s: Symbol('x') }).s", "a JS Symbol cannot cross to Python"),
        ("new Date(NaN)", r"a JS Date that is invalid \(new Date\(NaN\)\)"),
        ("new Date(-1e15)", "outside Python's datetime years 1-9999"),
    ],
)
def test_values_python_cannot_hold_are_a_clear_bridge_error(source: str, message: str) -> None:
    with pytest.raises(bridge.BridgeError, match=message) as info:
        bridge.eval(source)
    assert len(info.traceback) < 10


def test_a_symbol_or_invalid_date_read_as_a_property_is_a_clear_bridge_error() -> None:
    obj = bridge.eval("({ s: Symbol('x'), d: new Date(NaN), ok: 1 })")
    with pytest.raises(bridge.BridgeError, match="Symbol"):
        obj["s"]
    with pytest.raises(bridge.BridgeError, match="Date"):
        obj.d  # noqa: B018
    assert obj.ok == 1


def test_js_null_is_none_everywhere_it_is_handed_over() -> None:
    obj = bridge.eval("({ a: null, c: { d: null } })")
    assert bridge.eval("null") is None
    assert obj.a is None
    assert obj["c"]["d"] is None
    assert bridge.eval("() => null")() is None

    async def main() -> object:
        return await bridge.eval("Promise.resolve(null)")

    assert bridge.run(main()) is None


def test_a_js_array_is_a_python_list_of_handed_over_values() -> None:
    items = bridge.eval("[1, 'x', null, { a: 1 }, [null, [2]], new RangeError('r'), 2n ** 64n]")
    assert type(items) is list
    assert items[:3] == [1, "x", None]
    assert isinstance(items[3], bridge.JSObject) and items[3] == {"a": 1}
    assert items[4] == [None, [2]]
    assert isinstance(items[5], bridge.JSRangeError)
    assert items[6] == 2**64
    # A copy: it goes back to JS as an array with the same contents, JS objects as themselves.
    assert bridge.eval("(l) => Array.isArray(l) && l[3].a === 1 && l.length")(items) == 7


def test_array_numbers_do_not_leak() -> None:
    # pythonmonkey keeps one reference to every number it converts; bridge releases it.
    make = bridge.eval("() => [0.5, 1.5, [2.5]]")
    for _ in range(300):
        assert make()[2][0] == 2.5
    gc.collect()
    before = sys.getallocatedblocks()
    for _ in range(5000):
        assert make()[2][0] == 2.5
    gc.collect()
    assert (sys.getallocatedblocks() - before) / 5000 < 0.2


def test_a_js_array_resolved_by_a_promise_is_a_list_too() -> None:
    async def main() -> object:
        return await bridge.eval("Promise.all([1, Promise.resolve(null), { a: 2 }])")

    result = bridge.run(main())
    assert result[:2] == [1, None]  # type: ignore[index]
    assert isinstance(result[2], bridge.JSObject)  # type: ignore[index]


def test_an_array_that_holds_itself_is_a_clear_bridge_error() -> None:
    with pytest.raises(bridge.BridgeError, match="nested deeper than 10000 levels"):
        bridge.eval("(() => { const a = [1]; a.push(a); return a })()")


# Crashed the process before (pythonmonkey's own list view): run where a crash is a failure.
CRASHERS = {
    "symbol in an array": (
        "try:\n    repr(bridge.eval(\"[Symbol('x')]\"))\n"
        "except bridge.BridgeError as e:\n    print('BridgeError', 'Symbol' in str(e))"
    ),
    "1,000-deep array": (
        "a = bridge.eval('(() => { let a = []; for (let i = 0; i < 1000; i++) a = [a]; "
        "return a })()')\n"
        "depth = 0\nwhile a:\n    a = a[0]\n    depth += 1\nprint('depth', depth)"
    ),
    "repr of a deep object": (
        "o = bridge.eval('(() => { let o = [Symbol(1)]; for (let i = 0; i < 1000; i++) "
        "o = { o: [o] }; return o })()')\nprint(repr(o)[:14])"
    ),
    # A Python list's method run on another `this` (immer's draft does this on `push`).
    "a list's method on another array": (
        "f = bridge.eval('(l) => { const o = [0]; l.push.call(o, 3); "
        'return [o, l.map.call([5], (x) => x + 1), l.join.call({ length: 1, 0: "a" })] }\')\n'
        "print(f([1, 2]))"
    ),
    "a list's method through a Proxy": (
        "f = bridge.eval('(l) => { const p = new Proxy(l, {}); p.push(3); return p.length }')\n"
        "x = [1]\nprint(f(x), x)"
    ),
    "a list in a dict, its method on another array": (
        "f = bridge.eval('(d) => { const o = []; d.items.push.call(o, 1); return o.length }')\n"
        "print(f({'items': [1]}))"
    ),
}
CRASHERS_OUT = {
    "a list's method on another array": "[[0.0, 3.0], [6.0], 'a']",
    "a list's method through a Proxy": "2.0 [1, 3.0]",
    "a list in a dict, its method on another array": "1.0",
    "symbol in an array": "BridgeError True",
    "1,000-deep array": "depth 1000",
    "repr of a deep object": "<JS object {'o",
}


@pytest.mark.parametrize("case", sorted(CRASHERS))
def test_values_that_crashed_the_process_are_handled(case: str) -> None:
    code = "import bridge\n" + CRASHERS[case]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == CRASHERS_OUT[case]


@pytest.mark.parametrize("shape", ["p", "[p]", "({ p })", "[[p]]"])
def test_a_dropped_pending_promise_rejected_later_is_reported(shape: str) -> None:
    # Returned directly, in an object or in an array: each rejection reported once.
    reports: list[object] = []

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(
            lambda loop, context: reports.append(context.get("message"))
        )
        for _ in range(10):
            bridge.eval(
                "(() => { const p = new Promise((_, reject) => "
                f"setTimeout(() => reject(new Error('late')), 1)); return {shape}; }})()"
            )
        await asyncio.sleep(0.1)
        gc.collect()
        await asyncio.sleep(0.05)

    bridge.run(main())
    assert reports == ["Unhandled promise rejection"] * 10
