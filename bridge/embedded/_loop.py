"""The engine inside asyncio: JS promise jobs as microtasks, JS promises as ``JSFuture``.

pythonmonkey hands every JS promise job to ``loop.call_soon_threadsafe`` (one handle, one leaked
wrapper and a self-pipe write per job) and looks that method up on the loop object each time, so
an instance attribute on the loop takes its place: jobs go to a microtask queue drained in one
loop callback, and therefore run before timers, as in Node and browsers. Every loop the engine's
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
import sys
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
_NO_LOOP_MESSAGE = (
    "this JS code schedules promise work (a then, an await or a timer) and no asyncio loop is "
    "running: call it from async code, or run it through bridge.run(...)"
)
_JOB_WRAPPER = "eventLoopJobWrapper"  # the name of pythonmonkey's per-job PyCFunction
_LEAKED_JOB_REFS = 3  # after the job ran: our local + pythonmonkey's lost one + getrefcount's
_LEAKED_FLOAT_REFS_IN_SET_RESULT = 6  # see JSFuture.set_result
_drain_code: Any = None
_attached: asyncio.AbstractEventLoop | None = None

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
    go to a deque drained completely in one loop callback, FIFO. Jobs queued while draining run
    in the same drain, so a promise chain finishes before any timer or I/O callback (as in
    Node and browsers), no Handle is made per job, the self-pipe is not written, and each
    wrapper is dropped right after it runs. A closure, not a class: this is the hottest path.
    """
    jobs: collections.deque[Callable[[], object]] = collections.deque()
    keep = _edges._lost.append
    push = jobs.append
    popleft = jobs.popleft
    real = type(loop).call_soon_threadsafe.__get__(loop)
    call_soon = loop.call_soon
    owner = _engine._owner
    scheduled = False

    def drain() -> None:
        nonlocal scheduled  # (JSFuture.set_result knows this function's code: see there)
        try:
            while jobs:
                job = popleft()
                try:
                    job()
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException as exc:  # one failing job must not stop the others
                    loop.call_exception_handler(
                        {"message": "Exception in a JS promise job", "exception": exc}
                    )
                # pythonmonkey 1.4.1 keeps one reference to each wrapper that it never
                # releases; once the job ran it is ours to drop (checked, not assumed).
                # Released in chunks, across drains: one C call per chunk, not per job.
                if getrefcount(job) == _LEAKED_JOB_REFS:
                    keep(job)
                    if len(_edges._lost) >= _edges._RELEASE_CHUNK:
                        _edges._release_lost_references(_edges._lost)
                        _edges._lost.clear()
                del job
            if _edges._rejections:  # the queue ran dry: what is still unhandled now, is
                _edges._report_unhandled(loop)
        finally:
            scheduled = False
            if jobs:  # interrupted (KeyboardInterrupt): the rest run in the next round
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
        nonlocal scheduled
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
            scheduled = True
            call_soon(drain)
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
        cancelled = super().cancel(msg)
        if cancelled:
            future_cancelled(self.task, sys._getframe(1), callbacks)
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


def attach_running_loop() -> asyncio.AbstractEventLoop | None:
    """Wire the running loop (if any) into the engine; return it. Called by every entry point."""
    loop = asyncio._get_running_loop()
    if loop is not None and loop is not _attached:
        _attach(loop)
    return loop


def _no_loop(exc: BaseException) -> bool:
    return isinstance(exc, RuntimeError) and _PM_NO_LOOP in str(exc)


def translate_error(exc: BaseException) -> BaseException | None:
    """The bridge exception for a failure pythonmonkey raised, or None to let it through.

    SpiderMonkeyError becomes the mapped JS error (its JS ``cause`` kept as ``__cause__``);
    pythonmonkey's "no running loop" RuntimeError becomes ``RuntimeNotReady``. Callers raise the
    result *after* their except block (see ``call``), so the SpiderMonkeyError is not chained.
    """
    pm = _engine._pm
    if pm is not None and type(exc) is pm.SpiderMonkeyError:
        mapped: BaseException = to_exception(exc)
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
    _engine.engine()
    attach_running_loop()
    try:
        return fn(*args)
    except Exception as exc:
        mapped = translate_error(exc)
        if mapped is None:
            raise
    # Raised outside the except block: inside it, the SpiderMonkeyError would become the mapped
    # exception's __context__ and stay in this frame, which the traceback keeps; through its
    # JS error that can close a cycle across both heaps that neither GC frees. (And not
    # `from None`: that would clear the JS `cause` already set as __cause__.)
    raise mapped


def _start(pm: Any) -> None:
    _hook_set_running_loop()


_engine.on_start.add(_start)
