"""The engine inside asyncio: JS promise jobs as microtasks, JS promises as ``JSFuture``.

pythonmonkey hands every JS promise job to ``loop.call_soon_threadsafe`` (one handle, one leaked
wrapper and a self-pipe write per job) and looks that method up on the loop object each time, so
an instance attribute on the loop takes its place: jobs go to a microtask queue drained in one
loop callback put at the front of the ready queue, so they run right after the task that queued
them, before timers and other callbacks, as in Node and browsers. Timers are bridge's own
(js/timers.js, see below); deep recursion and BaseExceptions crossing JS are handled here and
in _edges; ``settle`` tells bridge.run when a promise can never settle. Every loop the engine's
thread runs is wired when it starts running (``asyncio.events._set_running_loop`` is wrapped).
pythonmonkey makes JS promises reaching Python with ``loop.create_future()``; the wired loop hands
out ``JSFuture``, which maps the rejection to the bridge's error tree (never reading ``.jsError``
of a ``null``/``undefined`` reason, which segfaults) and reports a rejection nobody retrieved.
Scheduling JS work with no running loop raises ``RuntimeNotReady``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import itertools
import math
import signal
import sys
import threading
import time
from collections.abc import Callable
from sys import getrefcount
from threading import get_ident
from typing import Any, TypeVar

from .._exceptions import BridgeError, RuntimeNotReady
from .._hooks import Hook
from .._unhandled import report
from . import _edges, _engine

T = TypeVar("T")

_PM_NO_LOOP = "cannot find a running Python event-loop"
_TOO_MUCH_RECURSION = "InternalError: too much recursion"
_NO_LOOP_MESSAGE = (
    "this JS code schedules promise work (a then, an await or a timer) and no asyncio loop is "
    "running: call it from async code, or run it through bridge.run(...)"
)
_JOB_WRAPPER = "eventLoopJobWrapper"  # the name of pythonmonkey's per-job PyCFunction
_LEAKED_JOB_REFS = 3  # after the job ran: our local + pythonmonkey's lost one + getrefcount's
_LEAKED_FLOAT_REFS_IN_SET_RESULT = 6  # see JSFuture.set_result
_LEAKED_FLOAT_PARAMETER_REFS = 4  # see _schedule_timer
_drain_code: Any = None
_running_job = False  # a drain is inside a promise job (pythonmonkey's code on the stack)
_attached: asyncio.AbstractEventLoop | None = None
# Python -> JS calls in progress on the engine thread (JSFunction calls and ``call``): JS is
# on the stack while this is above 0 (see deep_call).
depth = 0
_cancelling = False  # a JSFuture is being cancelled: jobs it causes queue behind (see cancel)
_DRAIN_SLICE = 1000  # jobs between two looks at the clock (see _microtask_queue)
_DRAIN_SECONDS = 0.25  # a drain this long gives the loop a turn
_clock = time.monotonic

# Set by the values layer (how JS values and errors look in Python) and the cancellation layer.
to_exception = _edges.to_exception
wrap: Hook[Callable[[Any], Any]] = Hook("wrap")
future_cancelled: Hook[Callable[..., None]] = Hook("future_cancelled")


def _hook_set_running_loop() -> None:
    """Wrap ``asyncio.events._set_running_loop``: every loop the engine's thread runs is wired.

    asyncio calls it when a loop starts and stops running (``run_forever``, so ``asyncio.run``
    too). Wiring the loop there, not only at bridge's entry points, means pythonmonkey finds
    bridge's microtask queue and ``JSFuture`` whatever touches JS first in a new loop: a raw
    proxy's method, an array element's method, a timer. A loop bridge cannot drive (uvloop, a
    loop without instance attributes) is left alone here and refused at its first JS use.
    On 3.13 the same hook mirrors the loop where pythonmonkey reads it (see ``_edges._mirror``).
    """
    events = asyncio.events
    set_running_loop = events._set_running_loop
    mirror = sys.version_info[:2] == (3, 13) and getattr(sys, "_is_gil_enabled", lambda: True)()

    def _set_running_loop(loop: asyncio.AbstractEventLoop | None) -> None:
        set_running_loop(loop)
        if mirror:
            _edges._mirror(loop)
        if loop is None or get_ident() != _engine._owner:
            return
        if loop is not _attached:
            # A loop bridge cannot drive is refused with its message at its first JS use.
            with contextlib.suppress(BridgeError):
                _attach(loop)
        if _edges._rejections:  # noted with no loop running: checked after this loop's first drain
            wake = getattr(loop, "_bridge_wake", None)
            if wake is not None:
                wake()

    events._set_running_loop = _set_running_loop
    if mirror:
        _edges._mirror(events._get_running_loop())


def _microtask_queue(loop: asyncio.AbstractEventLoop) -> Callable[..., Any]:
    """The JS job queue of one loop, returned as its ``call_soon_threadsafe`` replacement.

    pythonmonkey calls ``loop.call_soon_threadsafe(wrapper)`` once per promise job; the jobs
    go to a deque drained completely in one loop callback, FIFO, so no Handle is made per job,
    the self-pipe is not written, and each wrapper is dropped right after it runs. The drain is
    put at the *front* of asyncio's ready queue: it runs right after the callback that queued
    the first job (a timer callback, a task step that called JS, a Python callback calling a
    JS function), before any other callback, timer or I/O: microtasks drain after every task,
    as in Node and browsers (``t1, m, t2``). Jobs queued while draining run in the same drain.
    A drain that ran for _DRAIN_SECONDS gives the loop a turn (callbacks, due timers, I/O) and
    goes on after it: an endless microtask loop must not starve the loop (asyncio.run's Ctrl-C
    handler works through it, and so does its shutdown). Only a chain that long can see a
    timer or callback run in its middle.
    A closure, not a class: this is the hottest path.
    """
    jobs: collections.deque[Callable[[], object]] = collections.deque()
    keep = _edges._lost.append
    push = jobs.append
    popleft = jobs.popleft
    real = type(loop).call_soon_threadsafe.__get__(loop)
    call_soon = loop.call_soon
    owner = _engine._owner
    scheduled = False
    ready: collections.deque[Any] | None = getattr(loop, "_ready", None)
    handle_type = asyncio.Handle

    def schedule() -> None:
        nonlocal scheduled
        scheduled = True
        if ready is not None and not _cancelling and not loop.is_closed():
            ready.appendleft(handle_type(drain, (), loop, None))
        else:
            call_soon(drain)

    def drain() -> None:
        nonlocal scheduled  # (JSFuture.set_result knows this function's code: see there)
        global _running_job
        budget = _DRAIN_SLICE
        started = _clock()
        try:
            while jobs:
                budget -= 1
                if not budget:
                    budget = _DRAIN_SLICE
                    if _clock() - started > _DRAIN_SECONDS:  # the loop gets a turn (see above)
                        break
                job = popleft()
                _running_job = True
                try:
                    job()
                except (KeyboardInterrupt, SystemExit):
                    _running_job = False
                    raise
                except BaseException as exc:  # one failing job must not stop the others
                    _running_job = False
                    if _edges._escaped is not None:
                        raise _edges.take_escaped() from None
                    loop.call_exception_handler(
                        {"message": "Exception in a JS promise job", "exception": exc}
                    )
                _running_job = False
                if _edges._escaped is not None:  # a Python BaseException inside the job
                    raise _edges.take_escaped()
                if _edges.interrupted:  # Ctrl-C during the job (Python 3.10: _keep_ctrl_c)
                    _edges.interrupted = False
                    raise KeyboardInterrupt
                # pythonmonkey 1.4.1 keeps one reference to each wrapper that it never
                # releases; once the job ran it is ours to drop (checked, not assumed).
                # Released in chunks, across drains: one C call per chunk, not per job.
                if getrefcount(job) == _LEAKED_JOB_REFS:
                    keep(job)
                    if len(_edges._lost) >= _edges._RELEASE_CHUNK:
                        _edges._release_lost_references(_edges._lost)
                        _edges._lost.clear()
                del job
            if not jobs and _edges._rejections:  # the queue ran dry: still unhandled now, is
                _edges._report_unhandled(loop)
        finally:
            scheduled = False
            if jobs:  # a slice ended, or interrupted (KeyboardInterrupt): the rest run later
                scheduled = True
                call_soon(drain)

    def wake() -> None:
        # A rejection outside a drain (a synchronous eval): check it after the next one.
        nonlocal scheduled
        if not scheduled:
            scheduled = True
            call_soon(drain)

    def call_soon_threadsafe(
        callback: Callable[..., object], *args: Any, context: Any = None
    ) -> Any:
        # Only pythonmonkey's job wrappers, on the engine thread, are queued; everybody else
        # (executors, other threads, pythonmonkey's helper threads) gets the real method.
        if (
            args
            or context is not None
            or get_ident() != owner
            or getattr(callback, "__name__", None) != _JOB_WRAPPER
        ):
            return real(callback, *args, context=context)
        push(callback)
        if not scheduled:
            schedule()
        return None

    global _drain_code
    _drain_code = drain.__code__
    call_soon_threadsafe.wake = wake  # type: ignore[attr-defined]
    return call_soon_threadsafe


class JSFuture(asyncio.Future):  # type: ignore[type-arg]
    """The asyncio.Future pythonmonkey creates for a JS promise on a bridged loop.

    Its rejection is the mapped bridge exception, never a raw SpiderMonkeyError; a JS object or
    function it resolves with is wrapped as bridge hands them over. A JS promise settling after
    the future was cancelled is dropped (never an InvalidStateError inside the engine). A
    rejection nobody retrieved is reported once through ``bridge._unhandled.report`` when the
    future is collected, if the future reached Python code through bridge (``delivered``);
    other loop futures (asyncio's own, or made by pythonmonkey for its internal use) stay
    silent. JS promises that never reach Python are the rejection tracker's (see above).
    """

    # Class-level defaults: no Python __init__ on the hot path; the values layer's wrap sets both
    # when the future reaches Python code. `task` is the task current at that moment: the
    # cancellation layer aborts that task's signal when this future is cancelled.
    delivered = False
    task: asyncio.Task[Any] | None = None

    def set_result(self, result: Any) -> None:
        if (
            type(result) in _engine._wrapped_types
        ):  # a JS object or function: as bridge hands them over
            result = wrap(result)
        elif result is _engine._null:  # JS null: None (pythonmonkey's null stays inside)
            result = None
        if not self.done():
            _future_set_result(self, result)  # not super(): this runs once per bridged await
        # pythonmonkey converts a JS number to a float holding one reference too many, so every
        # numeric await would leak its float. Released only when pythonmonkey itself is the
        # caller (settling from a promise job: the Python frame below is the drain) and the
        # count proves it: its local and args tuple, our parameter, the future's own,
        # getrefcount's, and the lost one.
        if (
            type(result) is float
            and getrefcount(result) == _LEAKED_FLOAT_REFS_IN_SET_RESULT
            and sys._getframe(1).f_code is _drain_code
        ):
            _edges.drop_lost_reference(result)

    def set_exception(self, exception: BaseException | type[BaseException]) -> None:
        if self.done():
            return
        if isinstance(exception, BaseException) and type(exception) is _spidermonkey_error():
            exception = to_exception(exception)
        super().set_exception(exception)

    def cancel(self, msg: Any = None) -> bool:
        # Read first: cancel() hands the callbacks (the awaiting task's wakeup) to the loop.
        callbacks = self._callbacks
        global _cancelling
        cancelled = super().cancel(msg)
        if cancelled:
            # What the abort makes JS do runs after the cancelled task's wakeup, which cancel()
            # just scheduled: the task sees its cancellation, not the JS outcome it caused.
            _cancelling = True
            try:
                future_cancelled(self.task, sys._getframe(1), callbacks)
            finally:
                _cancelling = False
        return cancelled


_future_set_result = asyncio.Future.set_result


def _exception_handler_for(loop: asyncio.AbstractEventLoop) -> Callable[[dict[str, Any]], None]:
    """The loop's ``call_exception_handler``, seeing JSFutures' "never retrieved" first.

    asyncio's own finalizer reports a future whose exception nobody retrieved; for a JSFuture
    that is bridge's "unhandled rejection": reported once through ``_unhandled.report`` when the
    future reached Python code, dropped when only pythonmonkey's rejection tracker made it.
    Every other context goes to the real method (and so to the user's handler).
    """
    real = type(loop).call_exception_handler.__get__(loop)

    def call_exception_handler(context: dict[str, Any]) -> None:
        future = context.get("future")
        if type(future) is JSFuture and "never retrieved" in str(context.get("message", "")):
            if future.delivered:
                report(context["exception"], promise=future, loop=loop)
            return
        real(context)

    return call_exception_handler


def _spidermonkey_error() -> type[BaseException]:
    return _engine._pm.SpiderMonkeyError  # type: ignore[no-any-return]


def _attach(loop: asyncio.AbstractEventLoop) -> None:
    global _attached
    _engine._refuse_uvloop(loop)
    kind = f"{type(loop).__module__}.{type(loop).__qualname__}"
    try:
        attrs = vars(loop)
    except TypeError:
        raise BridgeError(
            f"bridge cannot drive JS promises on {kind}: the loop takes no instance attributes, "
            "which bridge needs to run JS promise jobs as microtasks. Use asyncio's default loop."
        ) from None
    if "call_soon_threadsafe" not in attrs:
        queue = _microtask_queue(loop)
        attrs["call_soon_threadsafe"] = queue
        attrs["_bridge_wake"] = queue.wake  # type: ignore[attr-defined]
        attrs["create_future"] = functools.partial(JSFuture, loop=loop)
        attrs["call_exception_handler"] = _exception_handler_for(loop)
    _attached = loop
    _forget_timers_of_closed_loops()
    if sys.version_info < (3, 11):
        _keep_ctrl_c()


def _keep_ctrl_c() -> None:
    """Python 3.10: Ctrl-C raised inside a promise job is lost in pythonmonkey.

    asyncio.run installs no SIGINT handler before 3.11, so the KeyboardInterrupt is raised in
    whatever Python code runs, often a callback pythonmonkey made while running a job, which
    swallows it (an endless microtask loop then ignores Ctrl-C). bridge's handler raises it
    where Python called, and inside a job only notes it: the drain raises it after the job.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        return

    def on_sigint(signum: int, frame: Any) -> None:
        if _running_job or frame.f_code in _edges.c_callbacks:
            _edges.interrupted = True
            loop = asyncio._get_running_loop()
            if loop is not None:  # raised from a loop callback (if no drain raised it first)
                loop.call_soon_threadsafe(_raise_noted_interrupt)
            return
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)


def _raise_noted_interrupt() -> None:
    if _edges.interrupted:
        _edges.interrupted = False
        raise KeyboardInterrupt


# --- deep JS <-> Python recursion ----------------------------------------------------------------

# pythonmonkey 1.4.1 crashes (NULL dereference setting `jsError`) when a JS call fails at the
# Python recursion limit: it cannot even make the SpiderMonkeyError there. So bridge measures the
# Python stack once calls nest DEEP levels, and raises RecursionError itself while _MARGIN frames
# are still free. Bridge's own frames (a JSFunction call, the Python function's JS wrapper) do
# not count against the user's limit: it is raised by _BRIDGE_FRAMES per level while nested
# and put back when the outermost call returns, so a recursion through JS
# reaches about as deep as with raw pythonmonkey. SpiderMonkey's own stack check ("too much
# recursion", a JS InternalError) still guards the C stack.
DEEP = 8
_MARGIN = 50
_BRIDGE_FRAMES = 2
# Before 3.12 the C calls of a level (calling a JSFunction, pythonmonkey calling the wrapper)
# count against the same limit as Python frames, without showing in the frame chain.
_C_CALLS = 3 if sys.version_info < (3, 12) else 0
_raised_limit: int | None = None  # the user's limit, while bridge has raised it
# From 3.12 a level (pythonmonkey calling a Python wrapper, which calls into JS again) takes more
# C stack, and the process overflows it (a segfault) at about 250 levels with the default 8 MB
# stack, before Python's limit or SpiderMonkey's own check is reached: nesting is capped there.
_MAX_LEVELS = 210 if sys.version_info >= (3, 12) else None


def deep_call() -> None:
    """Called by a nested Python -> JS call beyond DEEP levels: RecursionError near the limit."""
    global depth, _raised_limit
    base = _raised_limit if _raised_limit is not None else sys.getrecursionlimit()
    frames = 0
    frame: Any = sys._getframe()
    while frame is not None:
        frames += 1
        frame = frame.f_back
    if frames - _BRIDGE_FRAMES * depth + _MARGIN > base or (
        _MAX_LEVELS is not None and depth > _MAX_LEVELS
    ):
        depth -= 1
        raise RecursionError(
            f"maximum recursion depth exceeded in calls between Python and JS ({depth} nested "
            "JS calls); see sys.setrecursionlimit"
        )
    allowed = base + (_BRIDGE_FRAMES + _C_CALLS) * depth
    if sys.getrecursionlimit() < allowed:
        _raised_limit = base
        sys.setrecursionlimit(allowed)


def restore_limit() -> None:
    """Put the user's recursion limit back (the outermost Python -> JS call returned)."""
    global _raised_limit
    if _raised_limit is not None:
        sys.setrecursionlimit(_raised_limit)
        _raised_limit = None


def attach_running_loop() -> asyncio.AbstractEventLoop | None:
    """Wire the running loop (if any) into the engine; return it. Called by every entry point."""
    loop = asyncio._get_running_loop()
    if loop is not None and loop is not _attached:
        _attach(loop)
    return loop


def _no_loop(exc: BaseException) -> bool:
    return isinstance(exc, RuntimeError) and _PM_NO_LOOP in str(exc)


def _too_deep(what: str) -> RecursionError:
    # SpiderMonkey's stack is nearly full: mapping the JS error would call JS again and fail the
    # same way, so the error is made in Python alone.
    deep = RecursionError(f"maximum recursion depth exceeded in JS ({what.strip()})")
    deep.__suppress_context__ = True
    return deep


def translate_error(exc: BaseException) -> BaseException | None:
    """The bridge exception for a failure pythonmonkey raised, or None to let it through.

    SpiderMonkeyError becomes the mapped JS error (its JS ``cause`` kept as ``__cause__``);
    pythonmonkey's "no running loop" RuntimeError becomes ``RuntimeNotReady``. Callers raise the
    result *after* their except block (see ``call``), so the SpiderMonkeyError is not chained.
    """
    if _edges._escaped is not None:  # the JS was stopped for a Python BaseException: it goes on
        return _edges.take_escaped()
    pm = _engine._pm
    if pm is not None and type(exc) is pm.SpiderMonkeyError:
        first = exc.args[0] if exc.args else None
        if type(first) is str:
            if _TOO_MUCH_RECURSION in first:
                return _too_deep("InternalError: too much recursion")
            if _PM_NO_LOOP in first:  # a timer set with no loop running (see _schedule_timer)
                not_ready = RuntimeNotReady(_NO_LOOP_MESSAGE)
                not_ready.__suppress_context__ = True
                return not_ready
        try:
            mapped: BaseException = to_exception(exc)
        except SystemError:
            # Reading the JS error calls JS, which fails only when SpiderMonkey's stack is full.
            return _too_deep(first.splitlines()[-1] if type(first) is str and first else "")
        mapped.__suppress_context__ = True
        return mapped
    if _no_loop(exc):
        not_ready = RuntimeNotReady(_NO_LOOP_MESSAGE)
        not_ready.__suppress_context__ = True
        return not_ready
    return _unconvertible(exc)


def _unconvertible(exc: BaseException) -> BaseException | None:
    """A JS value pythonmonkey cannot hand to Python (a Symbol, a Date with no datetime), as a
    ``BridgeError`` saying which and what to do, instead of its TypeError/ValueError."""
    text = str(exc)
    message = None
    if type(exc) is TypeError and "symbol type is not handled by PythonMonkey" in text:
        message = (
            "a JS Symbol cannot cross to Python (it has no Python equivalent): hand over "
            "its description (sym.description) instead"
        )
    elif type(exc) is ValueError and text.startswith("year ") and "out of range" in text:
        message = (
            "a JS Date that is invalid (new Date(NaN)) or outside Python's datetime years "
            "1-9999 cannot cross to Python: check date.getTime() in JS, or hand over "
            "date.getTime() or date.toISOString()"
        )
    if message is None:
        return None
    error = BridgeError(message)
    error.__suppress_context__ = True
    return error


def call(fn: Callable[..., T], *args: Any) -> T:
    """Call into the engine with the loop attached, translating pythonmonkey's failures."""
    global depth
    _engine.engine()
    attach_running_loop()
    depth += 1
    try:
        return fn(*args)
    except Exception as exc:
        mapped = translate_error(exc)
        if mapped is None:
            raise
    finally:
        depth -= 1
        if not depth and _raised_limit:
            restore_limit()
        if _edges._escaped is not None:  # JS swallowed or outlived a Python BaseException
            raise _edges.take_escaped()
    # Raised outside the except block: inside it, the SpiderMonkeyError would become the mapped
    # exception's __context__ and stay in this frame, which the traceback keeps; through its
    # JS error that can close a cycle across both heaps that neither GC frees. (And not
    # `from None`: that would clear the JS `cause` already set as __cause__.)
    raise mapped


# --- timers ----------------------------------------------------------------------------------

# js/timers.js replaces pythonmonkey's setTimeout family (which keeps every timer, its loop and
# a debug record forever, and runs callbacks as bare loop callbacks) with these: a timer is an
# asyncio TimerHandle known here until it fired or was cleared, and after each callback the
# microtasks it queued drain before anything else runs.
_timers: dict[int, asyncio.TimerHandle] = {}  # timer id -> pending handle
_unrefed: set[int] = set()  # ids of pending timers that do not keep bridge.run waiting
_timer_ids = itertools.count(1)
_last_when = 0.0


def _schedule_timer(delay: float, job: Any, repeat: bool) -> int:
    loop = asyncio._get_running_loop()
    if loop is None:
        # pythonmonkey's own words: translate_error makes them RuntimeNotReady.
        raise RuntimeError(f"PythonMonkey {_PM_NO_LOOP} to make asynchronous calls.")
    if loop is not _attached:
        _attach(loop)
    # pythonmonkey's float for a JS number keeps one reference too many: the parameter,
    # pythonmonkey's args tuple, getrefcount's argument, and that one.
    if type(delay) is float and getrefcount(delay) == _LEAKED_FLOAT_PARAMETER_REFS:
        _edges.drop_lost_reference(delay)
    timer_id = next(_timer_ids)
    _arm(loop, timer_id, float(delay), job, bool(repeat))
    return timer_id


def _arm(
    loop: asyncio.AbstractEventLoop, timer_id: int, delay: float, job: Any, repeat: bool
) -> None:
    global _last_when
    when = loop.time() + delay
    if when == _last_when:  # equal deadlines fire in the order they were set, as in Node
        when = math.nextafter(when, math.inf)
    _last_when = when
    _timers[timer_id] = loop.call_at(when, _fire, loop, timer_id, delay, job, repeat)


def _fire(
    loop: asyncio.AbstractEventLoop, timer_id: int, delay: float, job: Any, repeat: bool
) -> None:
    mapped: BaseException | None = None
    try:
        job()
        if _edges._escaped is not None:  # a Python BaseException inside the callback
            raise _edges.take_escaped()
    except Exception as exc:
        mapped = translate_error(exc) or exc
        if not isinstance(mapped, Exception):  # a Python BaseException: it stops the loop
            raise mapped from None
    finally:
        if repeat and timer_id in _timers:  # not cleared by the callback: again
            _arm(loop, timer_id, delay, job, repeat)
        else:
            _timers.pop(timer_id, None)
            _unrefed.discard(timer_id)
    if mapped is not None:
        loop.call_exception_handler(
            {"message": "Uncaught exception in a JS timer callback", "exception": mapped}
        )


def _cancel_timer(timer_id: Any) -> None:
    handle = _timers.pop(int(timer_id), None)
    _unrefed.discard(int(timer_id))
    if handle is not None:
        handle.cancel()


def _ref_timer(timer_id: Any, refed: bool) -> None:
    timer_id = int(timer_id)
    if not refed and timer_id in _timers:
        _unrefed.add(timer_id)
    else:
        _unrefed.discard(timer_id)


def _forget_timers_of_closed_loops() -> None:
    # A timer still pending when its loop closed never fires: it must not keep that loop.
    for timer_id, handle in list(_timers.items()):
        if handle._loop.is_closed():  # type: ignore[attr-defined]
            del _timers[timer_id]
            _unrefed.discard(timer_id)


def pending_timers() -> int:
    """How many timers are set and not unref'ed (bridge.run waits for them)."""
    return len(_timers) - len(_unrefed)


# --- a promise that can never settle -------------------------------------------------------------

_IDLE_CHECK = 0.1  # seconds between two looks at the loop while bridge.run waits


async def settle(awaitable: Any, what: str) -> Any:
    """Await ``awaitable`` for bridge.run; BridgeError once nothing is left that could settle it.

    Node exits when its event loop runs dry with a top-level await still pending; asyncio
    would wait forever. Every _IDLE_CHECK seconds bridge looks: no microtask or callback is
    queued, no timer is pending (unref'ed ones aside), no other task, no I/O is watched, no
    thread started since is alive (other than idle workers of the loop's default executor).
    Seen idle twice in a row, the promise can never settle.
    """
    loop = asyncio.get_running_loop()
    future = asyncio.ensure_future(awaitable)
    threads_before = set(threading.enumerate())  # threads older than the run work for others
    idle = 0
    while True:
        await asyncio.wait({future}, timeout=_IDLE_CHECK)
        if future.done():
            return future.result()
        idle = idle + 1 if _nothing_pending(loop, future, threads_before) else 0
        if idle >= 2:
            future.cancel()
            raise BridgeError(
                f"bridge.run: the promise of {what} can never settle: nothing is left that could "
                "settle it (no pending timer, callback, task, I/O or busy thread). Node exits "
                "in this case too (an unsettled top-level await)."
            )


def _nothing_pending(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], threads_before: set[Any]
) -> bool:
    if getattr(loop, "_ready", None) or pending_timers():
        return False
    unrefed = {id(_timers[i]) for i in _unrefed if i in _timers}
    scheduled = getattr(loop, "_scheduled", ())
    if any(not h.cancelled() and id(h) not in unrefed for h in scheduled):
        return False
    if asyncio.all_tasks(loop) - {asyncio.current_task(loop), future}:
        return False
    selector = getattr(loop, "_selector", None)
    if selector is None or len(selector.get_map()) > 1:  # more than asyncio's self-pipe
        return False
    executor = getattr(loop, "_default_executor", None)
    workers = set(getattr(executor, "_threads", ()))
    if executor is not None and not _executor_idle(executor):
        return False
    started = [t for t in threading.enumerate() if t not in threads_before]
    return all(t in workers for t in started)


def _executor_idle(executor: Any) -> bool:
    queue = getattr(executor, "_work_queue", None)
    semaphore = getattr(executor, "_idle_semaphore", None)
    if queue is None or semaphore is None:
        return False
    return bool(queue.empty() and semaphore._value >= len(executor._threads))


def _start(pm: Any) -> None:
    _hook_set_running_loop()
    _engine.js_module("timers")(_schedule_timer, _cancel_timer, _ref_timer)


_engine.on_start.add(_start)
