"""Unhandled rejections of bridge.Promise, and the memory/recursion behaviour of long chains.

The rule: a promise rejected with nobody handling it is reported once, through the loop's
exception handler, when it is garbage-collected still unhandled. A handler (then/catch with or
without on_rejected, finally_), an await, a combinator or an adopting promise attached in time
means no report.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import tracemalloc
import weakref
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bridge import JSRejection, Promise

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def reports() -> AsyncIterator[list[dict[str, Any]]]:
    """What the running loop's exception handler received."""
    seen: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    yield seen
    loop.set_exception_handler(None)


async def collect() -> None:
    for _ in range(3):
        await asyncio.sleep(0)
        gc.collect()


async def test_unhandled_rejection_is_reported_once_with_message_exception_and_promise(
    reports: list[dict[str, Any]],
) -> None:
    error = ValueError("nobody listens")
    promise = Promise.reject(error)
    text = repr(promise)
    del promise
    await collect()
    await collect()
    assert len(reports) == 1
    assert reports[0]["message"] == "Unhandled promise rejection"
    assert reports[0]["exception"] is error
    assert isinstance(reports[0]["promise"], Promise)
    assert repr(reports[0]["promise"]) == text


async def test_rejection_inside_a_handler_nobody_handles_is_reported(
    reports: list[dict[str, Any]],
) -> None:
    error = RuntimeError("in handler")

    def boom(value: Any) -> None:
        raise error

    Promise.resolve(1).then(boom)  # the derived promise is dropped, rejected, unhandled
    await collect()
    assert [r["exception"] for r in reports] == [error]


async def test_then_without_on_rejected_hands_the_rejection_on(
    reports: list[dict[str, Any]],
) -> None:
    # As in JS: the original is handled, the derived promise now carries the rejection.
    error = ValueError("passed on")
    Promise.reject(error).then(lambda v: v)
    await collect()
    assert [r["exception"] for r in reports] == [error]


@pytest.mark.parametrize(
    "handle",
    [
        pytest.param(lambda p: p.catch(lambda r: None), id="catch"),
        pytest.param(lambda p: p.then(None, lambda r: None), id="then on_rejected"),
        pytest.param(lambda p: Promise.all_settled([p]), id="all_settled"),
        pytest.param(lambda p: Promise.any([p, Promise.resolve(1)]), id="any"),
        pytest.param(lambda p: Promise.race([Promise.resolve(1), p]), id="race"),
        pytest.param(lambda p: Promise.resolve(1).then(lambda v: p).catch(lambda r: 0), id="adopt"),
    ],
)
async def test_handled_in_time_is_not_reported(reports: list[dict[str, Any]], handle: Any) -> None:
    handle(Promise.reject(ValueError("handled")))
    await collect()
    assert reports == []


async def test_handled_later_but_before_collection_is_not_reported(
    reports: list[dict[str, Any]],
) -> None:
    promise = Promise.reject(ValueError("handled a while later"))
    await asyncio.sleep(0.01)
    await collect()
    promise.catch(lambda r: None)
    del promise
    await collect()
    assert reports == []


async def test_awaited_rejection_is_not_reported(reports: list[dict[str, Any]]) -> None:
    promise, _, reject = Promise.with_resolvers()
    asyncio.get_running_loop().call_soon(reject, KeyError("awaited"))
    with pytest.raises(KeyError):
        await promise
    del promise
    await collect()
    assert reports == []


async def test_a_follower_rejected_through_its_chain_is_reported_once(
    reports: list[dict[str, Any]],
) -> None:
    inner = Promise.with_resolvers()
    outer = Promise.with_resolvers()
    outer.resolve(inner.promise)
    error = OSError("through the chain")
    inner.reject(error)
    await collect()
    assert reports == []  # both still referenced: not yet
    del inner, outer  # (their bound resolve/reject functions reference them too)
    await collect()
    assert [r["exception"] for r in reports] == [error]


async def test_all_reports_its_own_rejection_once_not_each_input(
    reports: list[dict[str, Any]],
) -> None:
    error = ValueError("first")
    Promise.all([Promise.reject(error), Promise.reject(ValueError("second"))])
    await collect()
    assert [r["exception"] for r in reports] == [error]


async def test_non_exception_reason_is_reported_as_js_rejection(
    reports: list[dict[str, Any]],
) -> None:
    Promise.reject("just a string")
    await collect()
    assert len(reports) == 1
    assert isinstance(reports[0]["exception"], JSRejection)
    assert reports[0]["exception"].value == "just a string"


def test_rejection_collected_after_the_loop_closed_goes_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def main() -> Promise[Any]:
        return Promise.reject(ValueError("outlived its loop"))

    promise = asyncio.run(main())
    del promise
    gc.collect()
    err = capsys.readouterr().err
    assert "Unhandled promise rejection: <Promise rejected: ValueError('outlived its loop')>" in err
    assert "ValueError: outlived its loop" in err


# --- long chains: no recursion, no retained history, constant memory -------------------------


async def test_a_long_then_chain_does_not_recurse() -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # a recursive settle/drain would fail at once
    try:
        promise = Promise.resolve(0)
        for _ in range(20_000):
            promise = promise.then(lambda v: v + 1)
        assert await promise == 20_000
    finally:
        sys.setrecursionlimit(limit)


async def test_a_long_chain_of_adoptions_settles_without_recursion() -> None:
    # Each promise resolved with the previous pending one; settling the first settles all.
    first, resolve, _ = Promise.with_resolvers()
    last = first
    for _ in range(20_000):
        last = Promise.resolve(None).then(lambda v, p=last: p)
    await asyncio.sleep(0)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        resolve("end")
        assert await last == "end"
    finally:
        sys.setrecursionlimit(limit)


async def test_a_recursive_promise_loop_runs_in_constant_memory() -> None:
    def peak(steps: int) -> Any:
        def step(i: int) -> Any:
            return i if i >= steps else Promise.resolve(i + 1).then(step)

        return step(0)

    tracemalloc.start()
    try:
        assert await peak(1_000) == 1_000
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        assert await peak(50_000) == 50_000
        grown = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    # Keeping every step alive would take more than 50,000 x 100 bytes.
    assert grown < 200_000, grown


async def test_settled_steps_keep_no_history() -> None:
    class Step:
        def run(self, value: int) -> int:
            return value + 1

    step = Step()
    alive = weakref.ref(step)
    first = Promise.resolve(0)
    last = first.then(step.run).then(lambda v: v)
    del step
    assert await last == 1
    gc.collect()
    assert alive() is None  # neither `first` nor `last` holds the handler any more
    assert await first == 0
