"""Cancellation and timeouts across the boundary, both directions, against the real engine.

Python -> JS: cancelling (or timing out) a task that awaits a JS promise ends it at once and
aborts the signal bridge.signal() handed out in it. JS -> Python: aborting a signal given to an
exposed coroutine cancels its task and rejects the JS promise with an AbortError.
"""

from __future__ import annotations

import asyncio
import sys
import warnings
from collections.abc import AsyncIterator
from typing import Any

import pytest

import bridge

# Every test is bounded as a whole too: a hang fails it instead of stalling the run.
pytestmark = pytest.mark.timeout(60)

needs_timeout = pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.timeout is 3.11+")

# A fetch-like JS API: resolves after `ms` unless its signal aborts first, then clears its
# timer, logs why and rejects with the signal's reason (as fetch does).
API = """
({
  log: [],
  fetch(ms, options) {
    const signal = options && options.signal;
    return new Promise((resolve, reject) => {
      if (signal && signal.aborted) {
        this.log.push('early:' + signal.reason.name);
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => { this.log.push('done'); resolve('body'); }, ms);
      if (signal) signal.addEventListener('abort', () => {
        clearTimeout(timer);
        this.log.push('aborted:' + signal.reason.name);
        reject(signal.reason);
      });
    });
  },
  deferred() {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  },
})
"""


class Quiet:
    """What a test saw that it should not have: loop exception-handler calls and warnings."""

    def __init__(self) -> None:
        self.handler_calls: list[dict[str, Any]] = []
        self.warnings: list[warnings.WarningMessage] = []

    def check(self) -> None:
        assert self.handler_calls == []
        assert [str(w.message) for w in self.warnings] == []


@pytest.fixture
async def quiet() -> AsyncIterator[Quiet]:
    seen = Quiet()
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.handler_calls.append(context))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield seen
        # Late settlements (the JS side finishing after the Python side gave up) land here.
        await asyncio.sleep(0.02)
        seen.warnings = list(caught)
    loop.set_exception_handler(previous)


@pytest.fixture
async def api() -> Any:
    # Made inside the test's loop: bridge.eval also wires that loop into the engine.
    return bridge.eval(API)


def log(api: Any) -> list[str]:
    return [str(x) for x in api.log]


# --- bridge.signal() ----------------------------------------------------------------------


def test_signal_outside_a_task_is_a_clear_error() -> None:
    message = r"bridge\.signal\(\) must be called inside an asyncio task"
    with pytest.raises(bridge.RuntimeNotReady, match=message):
        bridge.signal()
    loop = asyncio.new_event_loop()
    try:  # a plain loop callback is not a task either
        with pytest.raises(bridge.RuntimeNotReady, match=message):
            loop.run_until_complete(_call_in_callback(loop))
    finally:
        loop.close()


async def _call_in_callback(loop: asyncio.AbstractEventLoop) -> None:
    done: asyncio.Future[None] = loop.create_future()

    def callback() -> None:
        try:
            bridge.signal()
        except BaseException as exc:
            done.set_exception(exc)
        else:
            done.set_result(None)

    loop.call_soon(callback)
    await asyncio.wait_for(done, 1)


async def test_signal_is_one_per_task() -> None:
    is_same = bridge.eval("(a, b) => a === b")
    first = bridge.signal()
    assert is_same(first, bridge.signal())
    other = await asyncio.wait_for(asyncio.ensure_future(_signal_of_new_task()), 1)
    assert not is_same(first, other)
    assert bridge.eval("(s) => s instanceof AbortSignal && !s.aborted")(first)


async def _signal_of_new_task() -> Any:
    return bridge.signal()


# --- Python -> JS: cancelling and timing out bridged awaits --------------------------------


async def test_cancel_ends_task_at_once_and_aborts_signal(api: Any, quiet: Quiet) -> None:
    seen: list[Any] = []

    async def job() -> Any:
        seen.append(bridge.signal())
        return await api.fetch(10_000, {"signal": seen[0]})

    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(job())
    await asyncio.sleep(0.01)
    start = loop.time()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 1)
    assert loop.time() - start < 0.5
    assert log(api) == ["aborted:AbortError"]
    describe = bridge.eval("(s) => [s.aborted, s.reason instanceof DOMException, s.reason.name]")
    reason = describe(seen[0])
    assert list(reason) == [True, True, "AbortError"]
    quiet.check()


async def test_late_settlement_after_cancel_is_silent(api: Any, quiet: Quiet) -> None:
    deferred = api.deferred()
    task = asyncio.ensure_future(bridge.to_future(deferred.promise))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 1)
    deferred.resolve("too late")  # pythonmonkey alone reports InvalidStateError here
    other = api.deferred()
    task2 = asyncio.ensure_future(bridge.to_future(other.promise))
    await asyncio.sleep(0)
    task2.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task2, 1)
    other.reject(bridge.eval("new Error('late rejection')"))
    await asyncio.sleep(0.02)
    quiet.check()


@needs_timeout
async def test_asyncio_timeout_aborts_with_timeout_error(api: Any, quiet: Quiet) -> None:
    signal = None
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):  # type: ignore[attr-defined]
            signal = bridge.signal()
            await api.fetch(10_000, {"signal": signal})
    assert log(api) == ["aborted:TimeoutError"]
    reason = bridge.eval("(s) => [s.reason.name, s.reason.code, s.reason.message]")(signal)
    assert list(reason) == ["TimeoutError", 23, "The operation was aborted due to timeout"]
    quiet.check()


async def test_wait_for_on_a_coroutine_aborts_with_timeout_error(api: Any, quiet: Quiet) -> None:
    async def job() -> Any:
        return await api.fetch(10_000, {"signal": bridge.signal()})

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(job(), 0.05)
    assert log(api) == ["aborted:TimeoutError"]
    quiet.check()


async def test_wait_for_on_the_promise_itself_aborts_with_timeout_error(
    api: Any, quiet: Quiet
) -> None:
    # The signal is taken in this task, and the promise awaited here (no inner task).
    with pytest.raises(asyncio.TimeoutError):
        request = api.fetch(10_000, {"signal": bridge.signal()})
        await asyncio.wait_for(bridge.to_future(request), 0.05)
    assert log(api) == ["aborted:TimeoutError"]
    quiet.check()


async def test_wait_for_cancelled_from_outside_is_an_abort_not_a_timeout(
    api: Any, quiet: Quiet
) -> None:
    async def job() -> Any:
        return await asyncio.wait_for(api.fetch(10_000, {"signal": bridge.signal()}), 5)

    task = asyncio.ensure_future(job())
    await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 1)
    assert log(api) == ["aborted:AbortError"]
    quiet.check()


async def test_after_a_timeout_the_next_signal_is_live(api: Any, quiet: Quiet) -> None:
    with pytest.raises(asyncio.TimeoutError):
        request = api.fetch(10_000, {"signal": bridge.signal()})
        await asyncio.wait_for(bridge.to_future(request), 0.02)
    fresh = bridge.signal()
    assert not bridge.eval("(s) => s.aborted")(fresh)
    assert await asyncio.wait_for(api.fetch(1, {"signal": fresh}), 1) == "body"
    assert log(api) == ["aborted:TimeoutError", "done"]
    quiet.check()


async def test_the_awaiting_task_is_the_one_whose_signal_aborts(api: Any, quiet: Quiet) -> None:
    # The promise reaches Python in this task, but another task awaits it and is cancelled.
    started = asyncio.get_running_loop().create_future()
    signals: list[Any] = []

    async def waiter(promise: Any) -> Any:
        signals.append(bridge.signal())
        started.set_result(None)
        return await promise

    mine = bridge.signal()
    task = asyncio.ensure_future(waiter(api.deferred().promise))
    await asyncio.wait_for(started, 1)
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 1)
    aborted = bridge.eval("(s) => s.aborted")
    assert aborted(signals[0]) is True
    assert aborted(mine) is False
    quiet.check()


@needs_timeout
async def test_a_timeout_around_gather_of_js_promises_aborts_them(api: Any, quiet: Quiet) -> None:
    # The promises come from a method of a JS object (api.fetch) and sit in gather: no task
    # awaits them directly; the task awaiting the gather is the one whose signal aborts.
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.02):
            await asyncio.gather(
                api.fetch(10_000, {"signal": bridge.signal()}),
                api.fetch(10_000, {"signal": bridge.signal()}),
            )
    assert log(api) == ["aborted:TimeoutError", "aborted:TimeoutError"]
    quiet.check()


async def test_cancelling_a_task_awaiting_gather_of_js_promises_aborts_them(
    api: Any, quiet: Quiet
) -> None:
    async def job() -> Any:
        signal = bridge.signal()
        return await asyncio.gather(
            api.fetch(10_000, {"signal": signal}), api.fetch(10_000, {"signal": signal})
        )

    task = asyncio.ensure_future(job())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 1)
    assert log(api) == ["aborted:AbortError", "aborted:AbortError"]
    quiet.check()


async def test_a_home_made_timeout_aborts_with_abort_error(api: Any, quiet: Quiet) -> None:
    signals: list[Any] = []

    async def job() -> Any:
        signals.append(bridge.signal())
        return await api.fetch(10_000, {"signal": signals[0]})

    task = asyncio.ensure_future(job())
    asyncio.get_running_loop().call_later(0.02, task.cancel)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 1)
    assert log(api) == ["aborted:AbortError"]
    quiet.check()


async def test_task_cancelled_elsewhere_still_aborts_its_signal(quiet: Quiet) -> None:
    signals: list[Any] = []

    async def job() -> None:
        signals.append(bridge.signal())
        await asyncio.sleep(10)  # not a JS await: the signal aborts when the task ends

    task = asyncio.ensure_future(job())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 1)
    await asyncio.sleep(0)
    describe = bridge.eval("(s) => [s.aborted, s.reason.name]")
    assert list(describe(signals[0])) == [True, "AbortError"]
    quiet.check()


@needs_timeout
async def test_a_timeout_caught_around_a_python_await_aborts_the_tasks_signal(
    api: Any, quiet: Quiet
) -> None:
    # On a loop bridge runs on, asyncio's own waits (sleep, queues, locks) are loop futures
    # like a JS promise's: a timeout or cancel reaching the task there aborts its signal at
    # once, even when the task catches it and goes on (README, "Known limits").
    background = api.fetch(10_000, {"signal": bridge.signal()})
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await asyncio.Queue().get()
    with pytest.raises(bridge.JSError, match="due to timeout"):
        await asyncio.wait_for(background, 1)
    assert log(api) == ["aborted:TimeoutError"]
    # The task goes on with a new signal, which work started from now on can use.
    assert await api.fetch(1, {"signal": bridge.signal()}) == "body"
    quiet.check()


async def test_task_that_finishes_leaves_its_signal_alone(api: Any) -> None:
    signals: list[Any] = []

    async def job() -> Any:
        signals.append(bridge.signal())
        return await api.fetch(1, {"signal": signals[0]})

    assert await asyncio.wait_for(job(), 1) == "body"
    assert bridge.eval("(s) => s.aborted")(signals[0]) is False


async def test_cancel_racing_settlement_1000_times(api: Any, quiet: Quiet) -> None:
    """Resolve the JS promise and cancel the task awaiting it in the same loop turn, in every
    order. Each task ends (bounded) with its own value or CancelledError, never a hang, another
    task's value, or an InvalidStateError/unhandled-rejection report; and its signal is
    aborted exactly when the task ended cancelled."""
    loop = asyncio.get_running_loop()
    aborted = bridge.eval("(s) => s.aborted")
    outcomes = {"value": 0, "cancelled": 0}

    async def fetch(promise: Any, signals: list[Any]) -> Any:
        signals.append(bridge.signal())
        return await promise

    for i in range(1000):
        deferred = api.deferred()
        signals: list[Any] = []
        task = asyncio.ensure_future(fetch(deferred.promise, signals))
        await asyncio.sleep(0)  # the task now awaits the JS promise
        mode = i % 4
        if mode == 0:  # resolve, then cancel, in one callback
            loop.call_soon(lambda d=deferred, t=task, i=i: (d.resolve(i), t.cancel()))
        elif mode == 1:  # cancel, then resolve, in one callback
            loop.call_soon(lambda d=deferred, t=task, i=i: (t.cancel(), d.resolve(i)))
        elif mode == 2:  # the JS job settles the future, the cancel comes before the task runs
            deferred.resolve(i)
            loop.call_soon(task.cancel)
        else:  # the cancel comes a turn later still
            deferred.resolve(i)
            loop.call_soon(loop.call_soon, task.cancel)
        try:
            value = await asyncio.wait_for(task, 1)
        except asyncio.CancelledError:
            outcomes["cancelled"] += 1
            await asyncio.sleep(0)  # the task's done callbacks
            assert aborted(signals[0]) is True
        else:
            assert value == i
            assert aborted(signals[0]) is False
            outcomes["value"] += 1
    assert outcomes["value"] > 0
    assert outcomes["cancelled"] > 0
    assert outcomes["value"] + outcomes["cancelled"] == 1000
    quiet.check()


async def test_exposed_coroutine_racing_abort_1000_times(quiet: Quiet) -> None:
    """The Python coroutine finishes and JS aborts its signal in the same loop turn, in every
    order: each JS promise settles (its own value or an AbortError), never stays pending."""
    loop = asyncio.get_running_loop()
    gates: dict[int, asyncio.Future[int]] = {}

    async def answer(n: float, options: Any) -> int:
        gate: asyncio.Future[int] = loop.create_future()
        gates[int(n)] = gate
        return await gate

    bridge.expose("raceAnswer", answer)
    start = bridge.eval(
        """
        (i) => {
          const c = new AbortController();
          const outcome = raceAnswer(i, {signal: c.signal}).then(
            (v) => (v === i ? 'value' : 'wrong ' + v),
            (e) => (e.name === 'AbortError' ? 'abort' : 'other ' + e));
          return [outcome, () => c.abort()];
        }
        """
    )

    def open_gate(i: int) -> None:
        if not gates[i].done():  # cancelled by the abort already
            gates[i].set_result(i)

    outcomes: dict[str, int] = {}
    for i in range(1000):
        outcome, abort = start(i)
        for _ in range(10):  # until the task has started and made its gate (bounded)
            if i in gates:
                break
            await asyncio.sleep(0)
        mode = i % 3
        if mode == 0:  # the value arrives first, the abort right after, same turn
            loop.call_soon(lambda i=i, abort=abort: (open_gate(i), abort()))
        elif mode == 1:  # the abort first, then the value, same turn
            loop.call_soon(lambda i=i, abort=abort: (abort(), open_gate(i)))
        else:  # the value now, the abort in the turn the coroutine finishes
            open_gate(i)
            loop.call_soon(abort)
        got = str(await asyncio.wait_for(outcome, 1))
        outcomes[got] = outcomes.get(got, 0) + 1
    assert set(outcomes) == {"value", "abort"}, outcomes  # both outcomes happen, nothing else
    assert sum(outcomes.values()) == 1000
    quiet.check()


# --- JS -> Python: a JS signal cancels an exposed coroutine --------------------------------


@pytest.fixture
async def sleeper() -> AsyncIterator[list[str]]:
    """Exposes `pySleep(seconds, ...)`: records how it ended."""
    events: list[str] = []

    async def py_sleep(seconds: float, *rest: Any) -> str:
        events.append("start")
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            events.append("cancelled")
            raise
        finally:
            events.append("finally")
        return "slept"

    bridge.expose("pySleep", py_sleep)
    yield events


ABORT_RECORD = """
(e) => [e instanceof DOMException, e.name, e.code, e.message,
        !('cause' in e) ? 'no cause'
          : e.cause instanceof DOMException ? 'DOMException:' + e.cause.name : e.cause]
"""


async def test_signal_argument_cancels_python_task(sleeper: list[str], quiet: Quiet) -> None:
    got = await asyncio.wait_for(
        bridge.eval(
            f"""
            (async () => {{
              const c = new AbortController();
              const p = pySleep(10, c.signal);
              setTimeout(() => c.abort('stop it'), 10);
              try {{ await p; return 'resolved'; }} catch (e) {{ return ({ABORT_RECORD})(e); }}
            }})()
            """
        ),
        2,
    )
    assert list(got) == [True, "AbortError", 20, "The operation was aborted", "stop it"]
    assert sleeper == ["start", "cancelled", "finally"]
    quiet.check()


async def test_signal_in_options_object_cancels_python_task(
    sleeper: list[str], quiet: Quiet
) -> None:
    got = await asyncio.wait_for(
        bridge.eval(
            f"""
            (async () => {{
              const c = new AbortController();
              const p = pySleep(10, {{signal: c.signal, other: 1}});
              setTimeout(() => c.abort(), 10);
              try {{ await p; return 'resolved'; }} catch (e) {{ return ({ABORT_RECORD})(e); }}
            }})()
            """
        ),
        2,
    )
    # An abort with no reason: the cause is the default reason, a DOMException AbortError.
    assert list(got) == [
        True,
        "AbortError",
        20,
        "The operation was aborted",
        "DOMException:AbortError",
    ]
    assert sleeper == ["start", "cancelled", "finally"]
    quiet.check()


async def test_timeout_signal_cancels_python_task(sleeper: list[str], quiet: Quiet) -> None:
    got = await asyncio.wait_for(
        bridge.eval(
            f"""
            pySleep(10, {{signal: AbortSignal.timeout(10)}}).then(() => 'resolved', {ABORT_RECORD})
            """
        ),
        2,
    )
    assert list(got)[1:] == [
        "AbortError",
        20,
        "The operation was aborted",
        "DOMException:TimeoutError",
    ]
    assert sleeper == ["start", "cancelled", "finally"]
    quiet.check()


async def test_already_aborted_signal_never_runs_the_coroutine(
    sleeper: list[str], quiet: Quiet
) -> None:
    got = await asyncio.wait_for(
        bridge.eval(
            f"pySleep(10, AbortSignal.abort('before')).then(() => 'resolved', {ABORT_RECORD})"
        ),
        2,
    )
    assert list(got)[1:] == ["AbortError", 20, "The operation was aborted", "before"]
    assert sleeper == []
    quiet.check()


async def test_abort_after_completion_changes_nothing(sleeper: list[str], quiet: Quiet) -> None:
    got = await asyncio.wait_for(
        bridge.eval(
            """
            (async () => {
              const c = new AbortController();
              const v = await pySleep(0, {signal: c.signal});
              c.abort();
              return v;
            })()
            """
        ),
        2,
    )
    assert got == "slept"
    assert sleeper == ["start", "finally"]
    quiet.check()


async def test_a_long_lived_signal_keeps_no_listeners_of_finished_calls(
    sleeper: list[str],
) -> None:
    got = await asyncio.wait_for(
        bridge.eval(
            """
            (async () => {
              const c = new AbortController();
              const pending = pySleep(0, {signal: c.signal});
              const during = c.signal._hasListeners('abort');
              await pending;
              for (let i = 0; i < 49; i++) await pySleep(0, {signal: c.signal});
              return [during, c.signal._hasListeners('abort')];
            })()
            """
        ),
        10,
    )
    assert list(got) == [True, False]
    assert sleeper.count("finally") == 50


async def test_python_side_cancel_rejects_with_abort_error(quiet: Quiet) -> None:
    async def gives_up() -> None:
        raise asyncio.CancelledError

    async def cancelled_by_itself() -> None:
        task = asyncio.current_task()
        assert task is not None
        task.cancel("shutting down")
        await asyncio.sleep(1)

    bridge.expose("givesUp", gives_up)
    bridge.expose("cancelledByItself", cancelled_by_itself)
    got = await asyncio.wait_for(
        bridge.eval(
            f"""
            Promise.all([
              givesUp().then(() => 'resolved', {ABORT_RECORD}),
              cancelledByItself().then(() => 'resolved', {ABORT_RECORD}),
            ])
            """
        ),
        2,
    )
    first, second = (list(x) for x in got)
    assert first == [True, "AbortError", 20, "The operation was aborted", "no cause"]
    # Python 3.10 drops the cancel message on the way out of the task; 3.11+ keeps it.
    detail = ": shutting down" if sys.version_info >= (3, 11) else ""
    assert second == [True, "AbortError", 20, f"The operation was aborted{detail}", "no cause"]
    quiet.check()


async def test_abort_error_reaches_python_as_js_error(sleeper: list[str]) -> None:
    # The AbortError travels back into Python like any JS error: a JSError named AbortError.
    promise = bridge.eval("pySleep(10, AbortSignal.abort('x'))")
    with pytest.raises(bridge.JSError, match="AbortError: The operation was aborted") as info:
        await asyncio.wait_for(promise, 2)
    assert info.value.name == "AbortError"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("42", "type number (42)"),
        ("'SIGTERM'", 'type string ("SIGTERM")'),
        ("{aborted: true}", "an instance of Object"),
        ("new AbortController()", "an instance of AbortController"),
    ],
)
async def test_non_signal_in_options_is_a_type_error(
    value: str, shown: str, sleeper: list[str], quiet: Quiet
) -> None:
    got = await asyncio.wait_for(
        bridge.eval(
            f"pySleep(0, {{signal: {value}}}).then(() => 'resolved', (e) => [e.name, e.message])"
        ),
        2,
    )
    assert list(got) == [
        "TypeError",
        f'The "signal" option of argument 2 must be an AbortSignal, got {shown}',
    ]
    assert sleeper == []
    quiet.check()


async def test_undefined_or_null_signal_means_none(sleeper: list[str]) -> None:
    got = await asyncio.wait_for(
        bridge.eval("Promise.all([pySleep(0, {signal: undefined}), pySleep(0, {signal: null})])"), 2
    )
    assert list(got) == ["slept", "slept"]


# --- bridge.blocking: queued calls are cancelled, running ones finish ----------------------


async def test_blocking_queued_call_is_cancelled_running_one_finishes(quiet: Quiet) -> None:
    import concurrent.futures
    import threading
    import time

    started: list[str] = []
    finished: list[str] = []
    release = threading.Event()

    def work(name: str, options: Any = None) -> str:
        started.append(name)
        release.wait(5)
        time.sleep(0.01)
        finished.append(name)
        return name

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        bridge.expose("work", bridge.blocking(work, executor=pool))
        got = bridge.eval(
            f"""
            (async () => {{
              const running = new AbortController(), queued = new AbortController();
              const a = work('running', {{signal: running.signal}});
              const b = work('queued', {{signal: queued.signal}});
              await new Promise((r) => setTimeout(r, 20));
              running.abort('r'); queued.abort('q');
              const record = {ABORT_RECORD};
              return [await a.then((v) => v, record), await b.then((v) => v, record)];
            }})()
            """
        )
        first, second = (list(x) for x in await asyncio.wait_for(got, 2))
        assert first[1:] == ["AbortError", 20, "The operation was aborted", "r"]
        assert second[1:] == ["AbortError", 20, "The operation was aborted", "q"]
        assert started == ["running"]  # the queued call never started
        release.set()
    assert finished == ["running"]  # the running thread was left to finish
    quiet.check()


async def test_blocking_with_aborted_or_bad_signal_never_starts(quiet: Quiet) -> None:
    ran: list[str] = []

    def work(name: str, options: Any = None) -> str:
        ran.append(name)
        return name

    bridge.expose("idleWork", bridge.blocking(work))  # an idle pool would start it at once
    got = await asyncio.wait_for(
        bridge.eval(
            """
            Promise.all([
              idleWork('aborted', {signal: AbortSignal.abort('no')}).then((v) => v, (e) => e.name),
              idleWork('bad', {signal: 'x'}).then((v) => v, (e) => e.name),
              idleWork('fine', {signal: new AbortController().signal}),
            ])
            """
        ),
        2,
    )
    assert list(got) == ["AbortError", "TypeError", "fine"]
    assert ran == ["fine"]
    quiet.check()


async def test_blocking_cancelled_from_python_while_queued() -> None:
    import concurrent.futures
    import threading

    release = threading.Event()
    ran: list[str] = []

    def work(name: str) -> str:
        ran.append(name)
        release.wait(5)
        return name

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        work_later = bridge.blocking(work, executor=pool)
        running = asyncio.ensure_future(work_later("running"))
        queued = asyncio.ensure_future(work_later("queued"))
        await asyncio.sleep(0.02)
        queued.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(queued, 1)
        # asyncio hands the cancel on to the executor's future in a loop callback; from 3.12
        # wait_for on a done future returns without letting that callback run first.
        await asyncio.sleep(0)
        release.set()
        assert await asyncio.wait_for(running, 2) == "running"
    assert ran == ["running"]


async def test_blocking_cancelled_from_python_never_starts_even_if_a_worker_frees_at_once() -> None:
    # asyncio hands a cancel on to the executor's future one loop callback later; a worker that
    # frees up before that callback (here: the loop is held, no turn happens) must still not
    # start the cancelled call.
    import concurrent.futures
    import threading

    release = threading.Event()
    sentinel_ran = threading.Event()
    ran: list[str] = []

    def work(name: str) -> str:
        ran.append(name)
        if name == "first":
            release.wait(5)
        if name == "sentinel":
            sentinel_ran.set()
        return name

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        work_in_pool = bridge.blocking(work, executor=pool)
        first = work_in_pool("first")

        async def wait_queued() -> Any:
            return await work_in_pool("queued")

        queued = asyncio.ensure_future(wait_queued())
        await asyncio.sleep(0)  # the task now awaits the executor's future
        sentinel = work_in_pool("sentinel")  # queued behind it
        queued.cancel()
        release.set()
        # No loop turn until the worker went past the queued call to the sentinel.
        assert sentinel_ran.wait(5)
        assert ran == ["first", "sentinel"]
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(queued, 2)
        assert await asyncio.wait_for(first, 2) == "first"
        assert await asyncio.wait_for(sentinel, 2) == "sentinel"
