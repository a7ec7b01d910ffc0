"""Promise.all / all_settled / race / any / with_resolvers / resolve / reject, fed any mix of
plain values, coroutines, asyncio futures and tasks, bridge promises and foreign thenables.
(JS promises as inputs: test_promise_interop.py.)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterator
from typing import Any

import pytest

from bridge import AggregateError, JSAggregateError, Promise

pytestmark = pytest.mark.timeout(10)


async def later(value: Any, delay: float = 0.0) -> Any:
    await asyncio.sleep(delay)
    return value


async def fail_later(error: BaseException, delay: float = 0.0) -> Any:
    await asyncio.sleep(delay)
    raise error


class Thenable:
    def __init__(self, value: Any) -> None:
        self.value = value

    def then(self, resolve: Any, reject: Any) -> None:
        resolve(self.value)


def mixed_inputs() -> list[Any]:
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    loop.call_later(0.01, future.set_result, "future")
    pool_future = concurrent.futures.Future()  # type: ignore[var-annotated]
    loop.call_later(0.005, pool_future.set_result, "concurrent")
    return [
        "plain",
        later("coroutine", 0.02),
        future,
        asyncio.ensure_future(later("task")),
        Promise.resolve("promise"),
        Promise.resolve(None).then(lambda v: later("promise of coroutine")),
        Thenable("thenable"),
        pool_future,
    ]


MIXED_VALUES = [
    "plain",
    "coroutine",
    "future",
    "task",
    "promise",
    "promise of coroutine",
    "thenable",
    "concurrent",
]


# --- all ----------------------------------------------------------------------------------


async def test_all_gives_values_in_input_order_for_any_mix_of_inputs() -> None:
    assert await Promise.all(mixed_inputs()) == MIXED_VALUES


async def test_all_keeps_input_order_not_settling_order() -> None:
    inputs = [later("slow", 0.03), later("fast", 0.0), later("middle", 0.01)]
    assert await Promise.all(inputs) == ["slow", "fast", "middle"]


async def test_all_rejects_with_the_first_rejection() -> None:
    first = KeyError("first")
    inputs = [later("ok"), fail_later(ValueError("second"), 0.03), fail_later(first, 0.01)]
    with pytest.raises(KeyError) as caught:
        await Promise.all(inputs)
    assert caught.value is first


async def test_all_of_nothing_is_an_empty_list() -> None:
    assert await Promise.all([]) == []


async def test_all_accepts_any_iterable() -> None:
    assert await Promise.all(later(i) for i in range(3)) == [0, 1, 2]


async def test_all_of_a_non_iterable_rejects_with_type_error() -> None:
    with pytest.raises(TypeError, match=r"^'int' object is not iterable$"):
        await Promise.all(5)  # type: ignore[arg-type]


async def test_all_when_iteration_fails_rejects_with_that_error() -> None:
    def broken() -> Iterator[int]:
        yield 1
        raise RuntimeError("iteration failed")

    with pytest.raises(RuntimeError, match=r"^iteration failed$"):
        await Promise.all(broken())


# --- all_settled --------------------------------------------------------------------------


async def test_all_settled_gives_js_shaped_dicts_in_input_order() -> None:
    error = ValueError("no")
    result = await Promise.all_settled([later("a", 0.01), fail_later(error), Promise.resolve(3)])
    assert result == [
        {"status": "fulfilled", "value": "a"},
        {"status": "rejected", "reason": error},
        {"status": "fulfilled", "value": 3},
    ]
    assert result[1]["reason"] is error


async def test_all_settled_waits_for_every_input() -> None:
    promise, resolve, _ = Promise.with_resolvers()
    together = Promise.all_settled([Promise.reject(ValueError()), promise])
    await asyncio.sleep(0.01)
    assert repr(together) == "<Promise pending>"
    resolve("last")
    assert (await together)[1] == {"status": "fulfilled", "value": "last"}


async def test_all_settled_of_mixed_inputs() -> None:
    result = await Promise.all_settled(mixed_inputs())
    assert [r["value"] for r in result] == MIXED_VALUES


async def test_all_settled_of_nothing() -> None:
    assert await Promise.all_settled([]) == []


# --- race ---------------------------------------------------------------------------------


async def test_race_fulfils_like_the_first_to_settle() -> None:
    assert await Promise.race([later("slow", 0.05), later("fast", 0.0)]) == "fast"


async def test_race_rejects_like_the_first_to_settle() -> None:
    with pytest.raises(OSError, match=r"^first$"):
        await Promise.race([later("slow", 0.05), fail_later(OSError("first"))])


async def test_race_prefers_earlier_inputs_that_are_already_settled() -> None:
    assert await Promise.race([Promise.resolve("one"), Promise.resolve("two")]) == "one"


async def test_race_of_nothing_stays_pending() -> None:
    raced = Promise.race([])
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(raced, timeout=0.02)


# --- any ----------------------------------------------------------------------------------


async def test_any_fulfils_with_the_first_fulfilment_ignoring_rejections() -> None:
    inputs = [fail_later(ValueError("quick failure")), later("slow", 0.02), later("ok", 0.01)]
    assert await Promise.any(inputs) == "ok"


async def test_any_with_every_input_rejected_raises_aggregate_error_in_input_order() -> None:
    errors = [ValueError("a"), KeyError("b"), OSError("c")]
    inputs = [fail_later(errors[0], 0.03), fail_later(errors[1], 0.0), fail_later(errors[2], 0.01)]
    with pytest.raises(AggregateError, match=r"^AggregateError: All promises were rejected$") as c:
        await Promise.any(inputs)
    assert c.value.errors == errors
    assert all(a is b for a, b in zip(c.value.errors, errors, strict=True))
    assert isinstance(c.value, JSAggregateError)


async def test_any_of_nothing_rejects_with_empty_aggregate_error() -> None:
    with pytest.raises(AggregateError) as caught:
        await Promise.any([])
    assert caught.value.errors == []


async def test_any_of_mixed_inputs() -> None:
    assert await Promise.any(mixed_inputs()) == "plain"


# --- resolve / reject / with_resolvers ------------------------------------------------------


async def test_resolve_returns_a_promise_unchanged() -> None:
    promise = Promise.resolve(1)
    assert Promise.resolve(promise) is promise
    await promise


async def test_resolve_of_a_subclass_instance_gives_a_new_promise_following_it() -> None:
    class Sub(Promise[Any]):
        __slots__ = ()

    sub = Sub.resolve(5)
    assert type(sub) is Sub
    assert type(sub.then()) is Sub
    wrapped = Promise.resolve(sub)
    assert wrapped is not sub and type(wrapped) is Promise
    assert await wrapped == 5


async def test_reject_does_not_unwrap_a_promise_reason() -> None:
    reason = Promise.resolve("a promise as reason")
    seen: list[Any] = []
    Promise.reject(reason).catch(seen.append)
    await asyncio.sleep(0)
    assert seen == [reason]


async def test_with_resolvers_unpacks_and_names_its_parts() -> None:
    resolvers = Promise.with_resolvers()
    promise, resolve, reject = resolvers
    assert promise is resolvers.promise
    assert resolve == resolvers.resolve and reject == resolvers.reject
    resolve("done")
    reject(ValueError("ignored"))
    assert await promise == "done"


async def test_with_resolvers_reject() -> None:
    promise, _, reject = Promise.with_resolvers()
    reject(LookupError("rejected"))
    with pytest.raises(LookupError, match=r"rejected"):
        await promise
