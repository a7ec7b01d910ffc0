"""bridge.Promise against Promises/A+ (clause numbers in the test names) and ECMAScript.

Pure Python: none of these needs the JS engine. Combinators, unhandled rejections and memory are
in test_promise_more.py; the JS side in test_promise_interop.py.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import gc
import threading
import time
import traceback
import tracemalloc
from typing import Any

import pytest

from bridge import JSRejection, Promise

pytestmark = pytest.mark.timeout(10)


async def turns(n: int = 10) -> None:
    """Let the loop run n times: enough for queued jobs and adopted futures to finish."""
    for _ in range(n):
        await asyncio.sleep(0)


def pending() -> tuple[Promise[Any], Any, Any]:
    promise, resolve, reject = Promise.with_resolvers()
    return promise, resolve, reject


def watch(promise: Promise[Any]) -> list[tuple[str, Any]]:
    """Record what a promise settles with, as ("value", v) or ("reason", r)."""
    seen: list[tuple[str, Any]] = []
    promise.then(lambda v: seen.append(("value", v)), lambda r: seen.append(("reason", r)))
    return seen


# --- 2.1 states ---------------------------------------------------------------------------


async def test_2_1_1_pending_can_become_fulfilled_later() -> None:
    promise, resolve, _ = pending()
    seen = watch(promise)
    await turns()
    assert seen == []
    resolve("later")
    await turns()
    assert seen == [("value", "later")]


async def test_2_1_1_pending_can_become_rejected_later() -> None:
    promise, _, reject = pending()
    seen = watch(promise)
    error = ValueError("later")
    reject(error)
    await turns()
    assert seen == [("reason", error)]


async def test_2_1_2_fulfilled_never_changes_state_or_value() -> None:
    promise, resolve, reject = pending()
    value = object()
    resolve(value)
    resolve("other")
    reject(ValueError("too late"))
    seen = watch(promise)
    await turns()
    assert seen == [("value", value)]
    assert seen[0][1] is value


async def test_2_1_3_rejected_never_changes_state_or_reason() -> None:
    promise, resolve, reject = pending()
    error = KeyError("first")
    reject(error)
    reject(KeyError("second"))
    resolve("too late")
    seen = watch(promise)
    await turns()
    assert seen == [("reason", error)]
    assert seen[0][1] is error


async def test_resolved_with_a_pending_thenable_ignores_later_calls() -> None:
    # "Resolved" is not "settled": once locked in to another promise, resolve/reject are spent.
    inner, resolve_inner, _ = pending()
    outer, resolve, reject = pending()
    resolve(inner)
    reject(ValueError("ignored"))
    resolve("ignored too")
    seen = watch(outer)
    await turns()
    assert seen == []
    resolve_inner("from inner")
    await turns()
    assert seen == [("value", "from inner")]


async def test_executor_runs_at_once_with_resolve_and_reject() -> None:
    calls = []
    promise = Promise(lambda resolve, reject: calls.append((resolve, reject)))
    assert len(calls) == 1 and all(callable(f) for f in calls[0])
    calls[0][0](5)
    assert await promise == 5


async def test_executor_raising_rejects() -> None:
    def executor(resolve: Any, reject: Any) -> None:
        raise RuntimeError("in executor")

    with pytest.raises(RuntimeError, match=r"^in executor$"):
        await Promise(executor)


async def test_executor_raising_after_resolve_is_ignored() -> None:
    def executor(resolve: Any, reject: Any) -> None:
        resolve("kept")
        raise RuntimeError("ignored")

    assert await Promise(executor) == "kept"


def test_executor_must_be_callable() -> None:
    with pytest.raises(TypeError, match=r"^Promise executor must be callable, not int$"):
        Promise(42)  # type: ignore[arg-type]


async def test_resolve_and_reject_default_to_none_like_js_undefined() -> None:
    assert await Promise(lambda resolve, reject: resolve()) is None
    with pytest.raises(JSRejection, match="undefined"):
        await Promise(lambda resolve, reject: reject())


# --- 2.2 then -----------------------------------------------------------------------------


@pytest.mark.parametrize("ignored", [None, 5, "text", [1]], ids=repr)
async def test_2_2_1_non_callable_handlers_pass_the_value_through(ignored: Any) -> None:
    assert await Promise.resolve("v").then(ignored, ignored) == "v"


@pytest.mark.parametrize("ignored", [None, 5, "text"], ids=repr)
async def test_2_2_1_non_callable_handlers_pass_the_reason_through(ignored: Any) -> None:
    error = ValueError("through")
    with pytest.raises(ValueError, match=r"^through$") as caught:
        await Promise.reject(error).then(ignored, ignored)
    assert caught.value is error


async def test_2_2_2_on_fulfilled_gets_the_value_once_and_only_after_fulfilment() -> None:
    promise, resolve, _ = pending()
    calls: list[Any] = []
    promise.then(calls.append)
    await turns()
    assert calls == []
    resolve(1)
    resolve(2)
    await turns()
    assert calls == [1]


async def test_2_2_2_on_fulfilled_not_called_on_rejection() -> None:
    calls: list[Any] = []
    promise = Promise.reject(ValueError("no"))
    promise.then(calls.append).catch(lambda r: None)
    await turns()
    assert calls == []


async def test_2_2_3_on_rejected_gets_the_reason_once() -> None:
    promise, _, reject = pending()
    calls: list[Any] = []
    promise.then(None, calls.append)
    error = ValueError("once")
    reject(error)
    reject(ValueError("twice"))
    await turns()
    assert calls == [error]


async def test_2_2_3_on_rejected_not_called_on_fulfilment() -> None:
    calls: list[Any] = []
    Promise.resolve(1).then(None, calls.append)
    await turns()
    assert calls == []


async def test_2_2_4_handlers_never_run_inside_then_on_a_settled_promise() -> None:
    calls: list[str] = []
    Promise.resolve(1).then(lambda v: calls.append("fulfilled"))
    Promise.reject(ValueError()).then(None, lambda r: calls.append("rejected"))
    assert calls == []
    await turns()
    assert calls == ["fulfilled", "rejected"]


async def test_2_2_4_handlers_never_run_inside_resolve_or_reject() -> None:
    calls: list[str] = []
    promise, resolve, _ = pending()
    promise.then(lambda v: calls.append("handler"))
    resolve(1)
    calls.append("after resolve")
    await turns()
    assert calls == ["after resolve", "handler"]


async def test_2_2_4_jobs_run_before_callbacks_scheduled_after_them() -> None:
    # Like JS microtasks: promise jobs queued first run before a later loop callback.
    calls: list[str] = []
    Promise.resolve(1).then(lambda v: calls.append("job"))
    asyncio.get_running_loop().call_soon(calls.append, "callback")
    await turns()
    assert calls == ["job", "callback"]


async def test_2_2_5_handlers_are_called_with_exactly_one_argument() -> None:
    def only_one(*args: Any) -> int:
        return len(args)

    assert await Promise.resolve("x").then(only_one) == 1
    assert await Promise.reject(ValueError()).then(None, only_one) == 1


async def test_2_2_6_1_fulfilment_handlers_run_in_registration_order() -> None:
    promise, resolve, _ = pending()
    order: list[int] = []
    for i in range(5):
        promise.then(lambda v, i=i: order.append(i))
    resolve(None)
    await turns()
    assert order == [0, 1, 2, 3, 4]


async def test_2_2_6_2_rejection_handlers_run_in_registration_order() -> None:
    promise, _, reject = pending()
    order: list[int] = []
    for i in range(5):
        promise.then(None, lambda r, i=i: order.append(i))
    reject(ValueError())
    await turns()
    assert order == [0, 1, 2, 3, 4]


async def test_2_2_6_handler_added_by_a_handler_runs_after_the_others() -> None:
    promise = Promise.resolve(1)
    order: list[str] = []

    def first(value: Any) -> None:
        order.append("first")
        promise.then(lambda v: order.append("added by first"))

    promise.then(first)
    promise.then(lambda v: order.append("second"))
    await turns()
    assert order == ["first", "second", "added by first"]


async def test_2_2_6_handlers_of_a_settled_promise_keep_order_with_other_promises() -> None:
    order: list[str] = []
    a, b = Promise.resolve("a"), Promise.resolve("b")
    a.then(order.append)
    b.then(order.append)
    a.then(lambda v: order.append("a2"))
    await turns()
    assert order == ["a", "b", "a2"]


async def test_2_2_7_then_returns_a_new_promise() -> None:
    promise = Promise.resolve(1)
    derived = promise.then()
    assert isinstance(derived, Promise) and derived is not promise


async def test_2_2_7_1_handler_value_fulfils_the_new_promise() -> None:
    assert await Promise.resolve(2).then(lambda v: v * 21) == 42
    assert await Promise.reject(ValueError()).then(None, lambda r: "recovered") == "recovered"


async def test_2_2_7_2_handler_exception_rejects_the_new_promise() -> None:
    error = LookupError("from handler")

    def boom(value: Any) -> None:
        raise error

    with pytest.raises(LookupError, match=r"^from handler$") as caught:
        await Promise.resolve(1).then(boom)
    assert caught.value is error


async def test_2_2_7_3_and_4_outcome_passes_through_missing_handlers() -> None:
    assert await Promise.resolve("kept").then(None, lambda r: "not called") == "kept"
    with pytest.raises(KeyError, match="kept"):
        await Promise.reject(KeyError("kept")).then(lambda v: "not called")


async def test_catch_is_then_without_on_fulfilled() -> None:
    assert await Promise.reject(ValueError("x")).catch(lambda r: f"caught {r}") == "caught x"
    assert await Promise.resolve("value").catch(lambda r: "not called") == "value"


# --- 2.3 the resolution procedure ---------------------------------------------------------


async def test_2_3_1_resolving_with_itself_rejects_with_type_error() -> None:
    promise, resolve, _ = pending()
    resolve(promise)
    with pytest.raises(TypeError, match=r"^Chaining cycle detected for promise$"):
        await promise


async def test_2_3_1_returning_the_derived_promise_from_its_handler_rejects() -> None:
    holder: list[Promise[Any]] = []
    derived = Promise.resolve(1).then(lambda v: holder[0])
    holder.append(derived)
    with pytest.raises(TypeError, match=r"^Chaining cycle detected for promise$"):
        await derived


async def test_2_3_2_1_adopting_a_pending_promise_stays_pending() -> None:
    inner, resolve_inner, _ = pending()
    outer = Promise.resolve(1).then(lambda v: inner)
    seen = watch(outer)
    await turns()
    assert seen == []
    resolve_inner("inner value")
    await turns()
    assert seen == [("value", "inner value")]


async def test_2_3_2_2_adopting_a_fulfilled_promise() -> None:
    assert await Promise.resolve(1).then(lambda v: Promise.resolve("adopted")) == "adopted"


async def test_2_3_2_3_adopting_a_rejected_promise() -> None:
    error = ValueError("adopted reason")
    with pytest.raises(ValueError, match=r"^adopted reason$") as caught:
        await Promise.resolve(1).then(lambda v: Promise.reject(error))
    assert caught.value is error


async def test_2_3_2_adoption_through_a_chain_of_pending_promises() -> None:
    first, resolve_first, _ = pending()
    second = Promise.resolve(None).then(lambda v: first)
    third = Promise.resolve(None).then(lambda v: second)
    await turns()
    late = third.then(lambda v: f"late {v}")  # registered while third follows second
    resolve_first("end")
    assert await third == "end"
    assert await second == "end"
    assert await late == "late end"


async def test_2_3_2_handlers_of_follower_and_followed_both_run_once() -> None:
    inner, resolve_inner, _ = pending()
    outer, resolve_outer, _ = pending()
    calls: list[str] = []
    outer.then(lambda v: calls.append(f"outer {v}"))
    inner.then(lambda v: calls.append(f"inner {v}"))
    resolve_outer(inner)
    resolve_inner(7)
    await turns()
    assert sorted(calls) == ["inner 7", "outer 7"]


async def test_2_3_2_two_promises_resolved_with_each_other_stay_pending() -> None:
    # As in JS: no error, just a deadlock (this is not 2.3.1's "same object").
    a, resolve_a, _ = pending()
    b, resolve_b, _ = pending()
    resolve_a(b)
    resolve_b(a)
    seen = watch(a) + watch(b)
    await turns()
    assert seen == []
    assert repr(a) == "<Promise pending>"


class Thenable:
    """A foreign thenable that records how its `then` was called."""

    def __init__(self, action: Any) -> None:
        self.action = action
        self.calls: list[Any] = []

    def then(self, resolve: Any, reject: Any) -> None:
        self.calls.append(self)
        self.action(resolve, reject)


async def test_2_3_3_thenable_then_is_called_later_with_x_as_this() -> None:
    thenable = Thenable(lambda resolve, reject: resolve("from thenable"))
    promise = Promise.resolve(thenable)
    assert thenable.calls == []  # not inside resolve (ECMAScript: in a job)
    assert await promise == "from thenable"
    assert thenable.calls == [thenable]


async def test_2_3_3_1_then_is_read_once() -> None:
    reads = []

    class Counted:
        @property
        def then(self) -> Any:
            reads.append(1)
            return lambda resolve, reject: resolve("read once")

    assert await Promise.resolve(Counted()) == "read once"
    assert reads == [1]


async def test_2_3_3_2_then_getter_raising_rejects() -> None:
    class Broken:
        @property
        def then(self) -> Any:
            raise RuntimeError("getter failed")

    with pytest.raises(RuntimeError, match=r"^getter failed$"):
        await Promise.resolve(Broken())


async def test_2_3_3_3_1_resolve_promise_is_applied_recursively() -> None:
    innermost = Thenable(lambda resolve, reject: resolve("deep"))
    middle = Thenable(lambda resolve, reject: resolve(Promise.resolve(innermost)))
    outer = Thenable(lambda resolve, reject: resolve(middle))
    assert await Promise.resolve(outer) == "deep"


async def test_2_3_3_3_2_reject_promise_rejects_without_unwrapping() -> None:
    reason_promise = Promise.resolve("not unwrapped")
    thenable = Thenable(lambda resolve, reject: reject(reason_promise))
    with pytest.raises(JSRejection) as caught:
        await Promise.resolve(thenable)
    assert caught.value.value is reason_promise


async def test_2_3_3_3_3_only_the_first_call_counts() -> None:
    def many(resolve: Any, reject: Any) -> None:
        resolve("first")
        reject(ValueError("second"))
        resolve("third")

    assert await Promise.resolve(Thenable(many)) == "first"


async def test_2_3_3_3_4_then_raising_after_resolving_is_ignored() -> None:
    def resolve_then_raise(resolve: Any, reject: Any) -> None:
        resolve("kept")
        raise RuntimeError("ignored")

    assert await Promise.resolve(Thenable(resolve_then_raise)) == "kept"


async def test_2_3_3_3_4_then_raising_before_resolving_rejects() -> None:
    def just_raise(resolve: Any, reject: Any) -> None:
        raise RuntimeError("then failed")

    with pytest.raises(RuntimeError, match=r"^then failed$"):
        await Promise.resolve(Thenable(just_raise))


async def test_2_3_3_3_thenable_resolving_with_its_promise_rejects() -> None:
    holder: list[Promise[Any]] = []
    promise = Promise.resolve(Thenable(lambda resolve, reject: resolve(holder[0])))
    holder.append(promise)
    with pytest.raises(TypeError, match=r"^Chaining cycle detected for promise$"):
        await promise


async def test_2_3_3_4_non_callable_then_fulfils_with_the_object() -> None:
    class NotThenable:
        then = 5

    value = NotThenable()
    assert await Promise.resolve(value) is value


@pytest.mark.parametrize("value", [0, 1.5, "s", b"b", None, True, [1], (1,), {"a": 1}], ids=repr)
async def test_2_3_4_other_values_fulfil_as_they_are(value: Any) -> None:
    assert await Promise.resolve(value) is value


async def test_adopts_an_asyncio_future() -> None:
    future = asyncio.get_running_loop().create_future()
    promise = Promise.resolve(future)
    asyncio.get_running_loop().call_soon(future.set_result, "from future")
    assert await promise == "from future"


async def test_adopts_a_failed_future_and_retrieves_its_exception() -> None:
    future = asyncio.get_running_loop().create_future()
    future.set_exception(OSError("future failed"))
    with pytest.raises(OSError, match=r"^future failed$"):
        await Promise.resolve(future)


async def test_a_cancelled_future_rejects_with_cancelled_error() -> None:
    future = asyncio.get_running_loop().create_future()
    future.cancel()
    seen = watch(Promise.resolve(future))
    await turns()
    assert seen and seen[0][0] == "reason"
    assert isinstance(seen[0][1], asyncio.CancelledError)


async def test_adopts_a_coroutine_and_a_task() -> None:
    async def work(value: str) -> str:
        await asyncio.sleep(0)
        return value

    assert await Promise.resolve(work("coroutine")) == "coroutine"
    assert await Promise.resolve(asyncio.create_task(work("task"))) == "task"
    assert await Promise.resolve(1).then(lambda v: work("returned by handler")) == (
        "returned by handler"
    )


async def test_a_raising_coroutine_rejects() -> None:
    async def fail() -> None:
        raise ArithmeticError("in coroutine")

    with pytest.raises(ArithmeticError, match=r"^in coroutine$"):
        await Promise.resolve(fail())


async def test_adopts_a_concurrent_future() -> None:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert await Promise.resolve(pool.submit(lambda: "from thread")) == "from thread"


async def test_adopts_a_custom_awaitable() -> None:
    class Awaitable:
        def __await__(self) -> Any:
            yield from asyncio.sleep(0).__await__()
            return "awaited"

    assert await Promise.resolve(Awaitable()) == "awaited"


async def test_a_future_resolving_to_a_promise_is_unwrapped() -> None:
    future = asyncio.get_running_loop().create_future()
    future.set_result(Promise.resolve("unwrapped"))
    assert await Promise.resolve(future) == "unwrapped"


# --- finally_ ---------------------------------------------------------------------------


async def test_finally_keeps_the_value_and_gets_no_arguments() -> None:
    calls: list[tuple[Any, ...]] = []
    assert await Promise.resolve("kept").finally_(lambda *a: calls.append(a)) == "kept"
    assert calls == [()]


async def test_finally_keeps_the_rejection() -> None:
    error = ValueError("kept reason")
    with pytest.raises(ValueError, match=r"^kept reason$") as caught:
        await Promise.reject(error).finally_(lambda: "ignored value")
    assert caught.value is error


async def test_finally_waits_for_what_its_callback_returns() -> None:
    order: list[str] = []

    async def cleanup() -> str:
        await asyncio.sleep(0.01)
        order.append("cleanup done")
        return "ignored"

    result = (
        await Promise.resolve("value").finally_(cleanup).then(lambda v: order.append(f"then {v}"))
    )
    assert result is None
    assert order == ["cleanup done", "then value"]


async def test_finally_callback_raising_replaces_the_outcome() -> None:
    def fail() -> None:
        raise RuntimeError("cleanup failed")

    with pytest.raises(RuntimeError, match=r"^cleanup failed$"):
        await Promise.resolve("value").finally_(fail)
    with pytest.raises(RuntimeError, match=r"^cleanup failed$"):
        await Promise.reject(ValueError("original")).finally_(fail)


async def test_finally_callback_rejecting_replaces_the_outcome() -> None:
    with pytest.raises(RuntimeError, match=r"^async cleanup failed$"):
        await Promise.resolve("value").finally_(
            lambda: Promise.reject(RuntimeError("async cleanup failed"))
        )


async def test_finally_with_non_callable_passes_through() -> None:
    assert await Promise.resolve(3).finally_(None) == 3


# --- await ------------------------------------------------------------------------------


async def test_await_a_pending_promise() -> None:
    promise, resolve, _ = pending()
    asyncio.get_running_loop().call_later(0.01, resolve, "eventually")
    assert await promise == "eventually"


async def test_await_a_non_exception_reason_raises_js_rejection() -> None:
    with pytest.raises(JSRejection, match=r"^JS rejected with a non-Error value: 42$") as caught:
        await Promise.reject(42)
    assert caught.value.value == 42


async def test_awaiting_a_rejection_again_does_not_grow_its_traceback() -> None:
    # As asyncio.Future.result() does: each await raises the reason with the traceback it was
    # rejected with, not with every earlier awaiter's frames piled in front of it.
    def fail(_: Any) -> None:
        raise ValueError("once")

    rejected = Promise.resolve(1).then(fail)
    follower = Promise.resolve(None).then(lambda _: rejected)
    passed_on = rejected.then(lambda v: v)
    lengths = []
    for awaited in (rejected, follower, passed_on) * 50:
        with pytest.raises(ValueError, match=r"^once$") as caught:
            await awaited
        lengths.append(len(traceback.extract_tb(caught.value.__traceback__)))
    assert max(lengths) == min(lengths) <= 4, lengths
    assert traceback.extract_tb(caught.value.__traceback__)[-1].name == "fail"


async def test_cancelling_the_awaiting_task_leaves_the_promise_pending() -> None:
    promise, resolve, _ = pending()
    task = asyncio.ensure_future(promise)
    await turns(2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    resolve("still works")
    assert await promise == "still works"


async def test_awaits_given_up_leave_nothing_behind_on_a_long_lived_promise() -> None:
    # The poll-with-timeout pattern (`wait_for(shutdown, 0.01)` in a loop) on a promise that
    # stays pending for a long time: each abandoned await must drop its wake-up, as asyncio
    # does for its own futures, or the promise grows with every poll.
    promise, resolve, _ = pending()
    follower = Promise.resolve(None).then(lambda _: promise)  # one that follows it, too
    await turns(2)

    async def give_up(awaited: Promise[Any], rounds: int) -> None:
        for _ in range(rounds):
            task = asyncio.ensure_future(awaited)
            await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    await give_up(promise, 200)
    await give_up(follower, 200)
    tracemalloc.start()
    try:
        gc.collect()
        base = tracemalloc.get_traced_memory()[0]
        await give_up(promise, 2_000)
        await give_up(follower, 2_000)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert grown < 40_000, grown  # kept wake-ups: 4,000 x (a future and a reaction) > 500 KB
    resolve("still works")
    assert await promise == "still works"
    assert await follower == "still works"


async def test_many_awaits_given_up_in_any_order_take_linear_time() -> None:
    # 20,000 tasks waiting on one promise, cancelled last first (as a shutdown may): taking each
    # wake-up back must not scan the others (quadratic: about 16 s here; linear: 0.3 s).
    promise, resolve, _ = pending()
    tasks = [asyncio.ensure_future(promise) for _ in range(20_000)]
    survivor = asyncio.ensure_future(promise)
    await asyncio.sleep(0)
    started = time.perf_counter()
    for task in reversed(tasks):
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert time.perf_counter() - started < 6  # loose: the machine is shared
    assert all(task.cancelled() for task in tasks)
    resolve("kept")
    assert await asyncio.wait_for(survivor, 1) == "kept"


async def test_works_with_asyncio_wait_for_and_gather() -> None:
    assert await asyncio.wait_for(Promise.resolve(1).then(lambda v: v + 1), timeout=1) == 2
    assert await asyncio.gather(Promise.resolve("a"), Promise.resolve("b")) == ["a", "b"]


async def test_repr_shows_state_and_outcome() -> None:
    promise, resolve, _ = pending()
    assert repr(promise) == "<Promise pending>"
    resolve([1, 2])
    assert repr(promise) == "<Promise fulfilled: [1, 2]>"
    rejected = Promise.reject(ValueError("r"))
    assert repr(rejected) == "<Promise rejected: ValueError('r')>"
    await rejected.catch(lambda r: None)


# --- contextvars ---------------------------------------------------------------------------

REQUEST: contextvars.ContextVar[str] = contextvars.ContextVar("REQUEST", default="none")


async def test_handlers_run_in_the_context_then_was_called_in() -> None:
    # As asyncio runs done callbacks in add_done_callback's context: no leaking between chains.
    promise, resolve, _ = pending()
    seen: list[str] = []

    async def request(name: str) -> None:
        REQUEST.set(name)
        await promise.then(lambda v: seen.append(f"{name} sees {REQUEST.get()}"))

    async def resolver() -> None:
        REQUEST.set("resolver")
        resolve(None)

    await asyncio.gather(request("a"), request("b"), resolver())
    assert sorted(seen) == ["a sees a", "b sees b"]


async def test_an_adopted_coroutine_runs_in_the_resolving_context() -> None:
    async def read() -> str:
        return REQUEST.get()

    async def request() -> Any:
        REQUEST.set("resolving task")
        return await Promise.resolve(None).then(lambda v: read())

    async def other() -> None:
        REQUEST.set("other")  # runs first, so the job queue's loop callback is scheduled here
        await Promise.resolve(None).then(lambda v: None)

    results = await asyncio.gather(other(), request())
    assert results[1] == "resolving task"


# --- no running loop ----------------------------------------------------------------------


def test_built_and_settled_without_a_loop_handlers_run_once_a_loop_uses_promises() -> None:
    calls: list[str] = []
    promise = Promise.resolve(1).then(lambda v: calls.append("parked job") or v + 1)
    assert calls == []  # no loop: the job waits

    async def main() -> Any:
        calls.append("main starts")
        return await promise

    assert asyncio.run(main()) == 2
    assert calls == ["main starts", "parked job"]


def test_parked_jobs_run_before_jobs_queued_inside_the_loop() -> None:
    calls: list[str] = []
    Promise.resolve(None).then(lambda v: calls.append("parked"))

    async def main() -> None:
        await Promise.resolve(None).then(lambda v: calls.append("in loop"))

    asyncio.run(main())
    assert calls == ["parked", "in loop"]


def test_await_without_a_loop_is_asyncios_error() -> None:
    with pytest.raises(RuntimeError, match="no running event loop"):
        Promise(lambda resolve, reject: None).__await__().send(None)


# --- threads ------------------------------------------------------------------------------


def test_loops_in_several_threads_keep_their_jobs_apart() -> None:
    results: dict[str, Any] = {}

    def worker(name: str) -> None:
        async def main() -> tuple[int, set[str]]:
            seen: set[str] = set()
            promise = Promise.resolve(0)
            for _ in range(5_000):
                promise = promise.then(lambda v: seen.add(threading.current_thread().name) or v + 1)
            return await promise, seen

        results[name] = asyncio.run(main())

    threads = [threading.Thread(target=worker, args=(f"t{i}",), name=f"t{i}") for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == {f"t{i}": (5_000, {f"t{i}"}) for i in range(3)}
