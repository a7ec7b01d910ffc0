"""Cancellation, timeouts and async iteration across the boundary.

Python -> JS
    ``signal()`` gives the current task's JS ``AbortSignal``. Its controller is aborted when a
    bridged await of a JS promise in that task is cancelled (``task.cancel()``,
    ``asyncio.timeout``, ``asyncio.wait_for``), with a ``TimeoutError`` DOMException as the
    reason when a timeout did it and an ``AbortError`` otherwise, or when the task ends
    cancelled. After an abort the task's next ``signal()`` call starts a fresh controller, so
    code that catches the timeout and retries gets a live signal.

    The runtime's ``JSFuture`` (what a JS promise is awaited through) calls
    ``future_cancelled`` when it is cancelled; a JS promise settling after that is dropped
    there, never an ``InvalidStateError``.

JS -> Python
    ``signals_in(args)`` finds the AbortSignals among an exposed call's JS arguments (or an
    options object's ``signal``); ``already_aborted`` turns the call down before it starts;
    ``link_signals(task, signals)`` cancels the call's task when one of them aborts.
    ``abort_error(task)`` is what its JS promise rejects with once the task was cancelled, by a
    signal or by Python: an ``AbortError`` DOMException whose ``cause`` is the signal's reason.

Async iteration
    ``JSAsyncIterator`` lets ``async for`` walk a JS async (or sync) iterable, one ``next()``
    per step. ``to_js_iterator`` turns a Python async iterator (an async generator, say) into
    a JS async iterator whose ``next``/``return``/``throw`` are ``asend``/``aclose``/``athrow``,
    requested one at a time, so nothing is produced before JS asks for it.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from threading import get_ident
from types import CodeType, FrameType, TracebackType
from typing import Any

from .._exceptions import RuntimeNotReady
from . import _engine, _loop, _values

__all__ = [
    "JSAsyncIterator",
    "abort_error",
    "already_aborted",
    "awaiting_task",
    "cancelled_by_timeout",
    "future_cancelled",
    "iterate",
    "link_signals",
    "notify_cancelled",
    "signal",
    "signals_in",
    "to_js_iterator",
]


def _raw(value: Any) -> Any:
    # Not getattr(value, "js_value", value): a JS object proxy answers every attribute (None).
    return value.js_value if isinstance(value, (_values.JSFunction, _values.JSObject)) else value


_functions: dict[tuple[str, str], Any] = {}
_object_type: list[Any] = []  # pythonmonkey's JSObjectProxy, looked up once
_SCALARS = (int, float, str, bool, type(None))


def _js(name: str) -> Any:
    """The helpers object js/<name>.js evaluates to (``cancel`` or ``iter``)."""
    return _engine.js_module(name)


def _fn(module: str, name: str) -> Any:
    """One helper function, looked up once: each property read from Python is a crossing."""
    found = _functions.get((module, name))
    if found is None:
        found = _functions[module, name] = getattr(_js(module), name)
    return found


def _call(fn: Any, *args: Any) -> Any:
    """Call a helper from code already running on the loop; JS errors arrive mapped."""
    try:
        return fn(*args)
    except Exception as exc:
        mapped = _loop.translate_error(exc)
        if mapped is None:
            raise
        raise mapped  # noqa: B904 - not `from None`: that would drop the JS cause


# --- Python -> JS: the task's signal -------------------------------------------------------


class _TaskSignal:
    """The controller behind ``signal()`` for one task; replaced after each abort."""

    __slots__ = ("__weakref__", "controller")

    def __init__(self) -> None:
        self.controller: Any = None


_task_signals: weakref.WeakKeyDictionary[asyncio.Task[Any], _TaskSignal] = (
    weakref.WeakKeyDictionary()
)


def signal() -> Any:
    """The JS ``AbortSignal`` of the current task, to pass to JS APIs that take one.

    Called inside an asyncio task. The same signal comes back on every call in that task until
    it is aborted: when a bridged await in the task is cancelled or times out, or when the task
    ends cancelled. The next call after that gives a new, live signal.

    Raises:
        RuntimeNotReady: called outside a task (no running loop, or a plain loop callback).
    """
    # An entry point like bridge.eval: the loop must run JS promise jobs the bridge's way
    # before the signal reaches any JS API.
    loop = _loop.attach_running_loop()
    task = asyncio.current_task(loop) if loop is not None else None
    if task is None:
        raise RuntimeNotReady(
            "bridge.signal() must be called inside an asyncio task "
            "(async code run by asyncio.run, bridge.run or create_task)"
        )
    entry = _task_signals.get(task)
    if entry is None:
        entry = _TaskSignal()
        _task_signals[task] = entry
        task.add_done_callback(_abort_if_cancelled)
    if entry.controller is None:
        entry.controller = _fn("cancel", "newController")()
    return entry.controller.signal


def _abort_if_cancelled(task: asyncio.Task[Any]) -> None:
    # A task that ends cancelled while awaiting something that is not a JS promise (a sleep,
    # a lock) still aborts the signal it handed out.
    entry = _task_signals.pop(task, None)
    if entry is not None and entry.controller is not None and task.cancelled():
        controller, entry.controller = entry.controller, None
        _fn("cancel", "abort")(controller, False)


def notify_cancelled(task: asyncio.Task[Any] | None, *, timed_out: bool) -> None:
    """Abort ``task``'s signal, if it handed one out: a bridged await in it was cancelled."""
    if task is None:
        return
    entry = _task_signals.get(task)
    if entry is None or entry.controller is None:
        return
    # Detached before aborting: listeners run synchronously and may ask for a new signal.
    controller, entry.controller = entry.controller, None
    _fn("cancel", "abort")(controller, timed_out)


def _timeout_codes() -> tuple[CodeType | None, CodeType | None, CodeType]:
    timeouts = getattr(asyncio, "timeouts", None)  # 3.11+
    on_timeout = timeouts.Timeout._on_timeout.__code__ if timeouts is not None else None
    cancel_and_wait = getattr(asyncio.tasks, "_cancel_and_wait", None)
    return (
        on_timeout,
        cancel_and_wait.__code__ if cancel_and_wait is not None else None,
        asyncio.tasks.wait_for.__code__,
    )


_ON_TIMEOUT, _CANCEL_AND_WAIT, _WAIT_FOR = _timeout_codes()


def cancelled_by_timeout(frame: FrameType | None) -> bool:
    """Whether a ``cancel()`` called from ``frame`` is asyncio timing something out.

    asyncio gives a timeout's cancellation no mark of its own, so the caller is recognised:
    ``asyncio.timeout`` (3.11+, also behind ``wait_for`` from 3.12) cancels from
    ``Timeout._on_timeout``; the older ``wait_for`` from ``_cancel_and_wait``, which it also
    uses when it is itself cancelled; then its ``waiter`` future is the one cancelled.
    """
    for _ in range(4):  # cancel() <- Task.cancel (C, no frame) <- the caller; a margin for wrappers
        if frame is None:
            return False
        code = frame.f_code
        if code is _ON_TIMEOUT:
            return True
        if code is _CANCEL_AND_WAIT:
            parent = frame.f_back
            if parent is None or parent.f_code is not _WAIT_FOR:
                return False
            waiter = parent.f_locals.get("waiter")
            return not (isinstance(waiter, asyncio.Future) and waiter.cancelled())
        frame = frame.f_back
    return False


def awaiting_task(callbacks: Any, depth: int = 3) -> asyncio.Task[Any] | None:
    """The task waiting on a future, found among its done callbacks (a task's wakeup).

    ``callbacks`` is the future's ``_callbacks`` as read just before it was cancelled; each
    entry is a callback or a ``(callback, context)`` pair, and a task's wakeup is bound to it.
    A future that sits in ``gather`` (or another combinator) has no task's wakeup: its
    callback holds the outer future (``gather``'s in a closure cell), and the task awaiting
    that one is the answer, looked for ``depth`` futures up at most.
    """
    outer: list[asyncio.Future[Any]] = []
    for entry in callbacks or ():
        callback = entry[0] if isinstance(entry, tuple) else entry
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, asyncio.Task):
            return owner
        if isinstance(owner, asyncio.Future):
            outer.append(owner)
        for cell in getattr(callback, "__closure__", None) or ():
            try:
                held = cell.cell_contents
            except ValueError:  # a cell not filled yet
                continue
            if isinstance(held, asyncio.Future):
                outer.append(held)
    if depth > 0:
        for future in outer:
            found = awaiting_task(getattr(future, "_callbacks", None), depth - 1)
            if found is not None:
                return found
    return None


def future_cancelled(
    task: asyncio.Task[Any] | None, frame: FrameType | None, callbacks: Any = None
) -> None:
    """Told by the runtime when the future of a JS promise was cancelled.

    Whose signal aborts: the task awaiting the future (its wakeup is among ``callbacks``), else
    ``task`` (current when the promise reached Python code), else, inside ``wait_for``'s own
    cleanup, the task running that ``wait_for``. ``frame`` is the caller of ``cancel()``.
    """
    owner = awaiting_task(callbacks) or task
    if owner is None and frame is not None and frame.f_code is _CANCEL_AND_WAIT:
        owner = asyncio.current_task()
    notify_cancelled(owner, timed_out=cancelled_by_timeout(frame))


# --- JS -> Python: signals given to exposed coroutines -------------------------------------

_abort_signals: weakref.WeakKeyDictionary[asyncio.Future[Any], Any] = weakref.WeakKeyDictionary()


def signals_in(args: list[Any]) -> list[Any]:
    """The AbortSignals among the JS ``args`` of an exposed coroutine or ``blocking`` call.

    A signal is an argument itself or the ``signal`` property of an options object (the shape
    Node APIs and fetch take it in); ``undefined``/``null`` there means none.

    Raises:
        JSTypeError: an options object's ``signal`` is anything else (JS sees a TypeError).
    """
    # Every exposed call that JS passes arguments to comes through here: the JS call is spent
    # only when an argument is a JS object that is a signal or has a `signal` (two cheap `in`
    # checks, prototype chain included, as findSignals does them).
    if not _object_type:
        _object_type.append(_engine.engine().JSObjectProxy)
    object_type = _object_type[0]
    for arg in args:
        if isinstance(arg, _SCALARS) or not isinstance(arg, object_type):
            continue
        if "signal" in arg or "throwIfAborted" in arg:
            break
    else:
        return []
    found = _call(_fn("cancel", "findSignals"), *[_raw(arg) for arg in args])
    # A JS array proxy (back in JS it is the same array again), or None when there is none.
    return [] if found is None else found


def already_aborted(signals: list[Any]) -> Any | None:
    """The JS AbortError to reject with when one of ``signals`` is aborted already, else None.

    Called before the work starts, so a call with an aborted signal runs nothing.
    """
    return _fn("cancel", "firstAborted")(signals) if signals else None


def link_signals(task: asyncio.Future[Any], signals: list[Any]) -> None:
    """Cancel ``task`` (an exposed call's task or executor future) when one of ``signals`` aborts.

    ``abort_error(task)`` then gives the AbortError whose ``cause`` is that signal's reason.
    The listeners are removed when the task ends, so a signal outliving many calls does not
    collect them.
    """

    def on_abort(sig: Any) -> None:
        if not task.done():
            _abort_signals[task] = sig
            task.cancel()

    detach = _fn("cancel", "onAbort")(signals, on_abort)
    task.add_done_callback(lambda _: detach())


def abort_error(task: asyncio.Future[Any]) -> Any:
    """The JS ``AbortError`` a cancelled exposed call's promise rejects with.

    Its ``cause`` is the reason of the signal that cancelled ``task``; a task cancelled by
    Python has no ``cause``, and its cancel message (if any) ends the error's message.
    """
    sig = _abort_signals.pop(task, None)
    detail = ""
    if sig is None:
        try:
            task.result()
        except asyncio.CancelledError as exc:
            detail = str(exc.args[0]) if exc.args and exc.args[0] is not None else ""
        except BaseException:
            pass
    return _fn("cancel", "abortError")(sig, detail)


# --- async iteration -----------------------------------------------------------------------


def iterate(obj: Any) -> JSAsyncIterator:
    """``bridge.iterate``: walk a JS async iterable (or sync iterable) with ``async for``.

    ``async for item in bridge.iterate(js_obj)`` (or ``async for item in js_obj``) pulls one
    ``next()`` per step; ``async with bridge.iterate(js_obj) as items:`` closes the JS iterator
    (runs a JS generator's ``finally``) on leaving the block; an iterator dropped before its
    end is closed from the loop.

    Raises:
        JSTypeError: ``obj`` is a JS value that is neither async iterable nor iterable.
        TypeError: ``obj`` is a Python object JS could not iterate, or a Python async iterable
            (which needs no bridge).
    """
    return JSAsyncIterator(obj)


def _check_python_iterable(obj: Any) -> None:
    """Turn down, with a Python error, a Python object that JS could not iterate either.

    Scalars are JS values too (``bridge.eval("42")`` is a float) and are left to JS; Python
    sequences (a list, a tuple) cross as JS arrays and are walked like them; anything else
    would only fail inside the engine as "Object object is not async iterable".
    """
    if hasattr(type(obj), "__aiter__"):
        raise TypeError(
            f"bridge.iterate() walks JS iterables; this {type(obj).__name__} is a Python async "
            "iterable already: use 'async for' on it directly"
        )
    if isinstance(obj, (dict, set, frozenset)) or not hasattr(type(obj), "__iter__"):
        # A dict or set crosses as a plain JS object, which is not iterable.
        raise TypeError(f"bridge.iterate(): {type(obj).__name__!r} object is not iterable")


class JSAsyncIterator:
    """``async for`` over a JS async iterable (or a sync one, whose values are awaited).

    One ``next()`` crosses per step. ``aclose()`` closes the JS iterator, calling its
    ``return()`` so a JS generator's ``finally`` runs; ``async with JSAsyncIterator(x) as it:``
    closes on exit. One dropped before its end (``break`` in ``async for item in js_obj``) is
    closed from the loop, as asyncio closes a dropped Python async generator.

    Raises:
        JSTypeError: ``obj`` is not iterable, or a step gives a non-object result.
    """

    __slots__ = ("_done", "_iterator", "_step")

    def __init__(self, obj: Any) -> None:
        if not isinstance(obj, _SCALARS) and not _values.is_js_object(obj):
            _check_python_iterable(obj)
        self._iterator = _loop.call(_fn("iter", "iteratorOf"), _raw(obj))
        self._done = False
        # The step in flight: kept when an await of it is given up, so the item it brings is
        # the next one __anext__ returns instead of being lost (JS cannot take a next() back).
        self._step: asyncio.Future[Any] | None = None

    def __aiter__(self) -> JSAsyncIterator:
        return self

    async def __anext__(self) -> Any:
        if self._done:
            raise StopAsyncIteration
        step = self._step
        if step is None:
            step = self._step = _loop.call(_fn("iter", "step"), self._iterator)
        try:
            # Shielded: cancelling this await (a timeout, task.cancel) still ends it at once
            # and aborts the task's signal, but leaves the step to finish for the next call.
            done, value = await asyncio.shield(step)
        except asyncio.CancelledError:
            if step.cancelled():  # cancelled by someone holding it: nothing to wait for
                self._step = None
            raise
        except BaseException:
            self._step = None
            self._done = True  # an iterator that threw is finished, as in JS
            raise
        self._step = None
        if done:
            self._done = True
            raise StopAsyncIteration
        return _values.wrap(value)

    def __del__(self) -> None:
        # Dropped before its end (``break`` in ``async for js_obj``): close the JS iterator, so a
        # JS generator's ``finally`` runs, as asyncio closes a dropped Python async generator.
        # From the loop, not from here: the collector may run in the middle of an engine call.
        if getattr(self, "_done", True) or get_ident() != _engine._owner:
            return
        loop = asyncio._get_running_loop()
        if loop is not None and not loop.is_closed():
            loop.call_soon(_close_dropped, self._iterator)

    async def aclose(self) -> None:
        """Close the JS iterator (its ``return()``), once; later steps end the loop."""
        if self._done:
            return
        self._done = True
        await _loop.call(_fn("iter", "close"), self._iterator)

    async def __aenter__(self) -> JSAsyncIterator:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _close_dropped(iterator: Any) -> None:
    """Close a JS iterator nobody walks any more; what its ``return()`` throws is dropped."""
    _loop.call(_fn("iter", "drop"), iterator)


class _PythonIteratorForJS:
    """The Python side of a JS async iterator over a Python async iterator.

    JS may call next() again before the last one settled (as it may on a JS async generator,
    which queues the requests); Python's ``asend`` may not overlap, so requests wait for each
    other here, in order. Each returns ``(done, value)``.
    """

    def __init__(self, source: AsyncIterator[Any]) -> None:
        self._source = source
        self._started = False
        self._finished = False
        self._last: asyncio.Future[Any] | None = None

    def _queued(self, make: Callable[[], Awaitable[list[Any]]]) -> Any:
        previous = self._last

        async def run() -> list[Any]:
            if previous is not None and not previous.done():
                await asyncio.wait([previous])
            return await make()

        task = asyncio.ensure_future(run())
        self._last = task
        return _values.to_js(task)

    async def _next(self, value: Any) -> list[Any]:
        if self._finished:
            return [True, None]
        source = self._source
        try:
            if self._started and hasattr(source, "asend"):
                item = await source.asend(value)
            else:
                # JS ignores the argument of the first next(); asend(non-None) would raise.
                item = await source.__anext__()
            self._started = True
        except StopAsyncIteration:
            self._finished = True
            return [True, None]
        except BaseException:
            self._finished = True
            raise
        return [False, _values._to_js_arg(item)]

    async def _return(self, value: Any) -> list[Any]:
        if not self._finished:
            self._finished = True
            aclose = getattr(self._source, "aclose", None)
            if aclose is not None:
                await aclose()
        return [True, value]

    async def _throw(self, error: Any) -> list[Any]:
        exc = _values.to_exception(error)
        athrow = getattr(self._source, "athrow", None)
        if self._finished or athrow is None:
            # Nothing to throw into: close what is open and reject with the error, as JS does.
            await self._return(None)
            raise exc
        try:
            item = await athrow(exc)
            self._started = True
        except StopAsyncIteration:
            self._finished = True
            return [True, None]
        except BaseException:
            self._finished = True
            raise
        return [False, _values._to_js_arg(item)]

    def next(self, value: Any = None) -> Any:
        return self._queued(lambda: self._next(value))

    def return_(self, value: Any = None) -> Any:
        return self._queued(lambda: self._return(value))

    def throw_(self, error: Any = None) -> Any:
        return self._queued(lambda: self._throw(error))


def to_js_iterator(source: Any) -> Any:
    """A JS async iterator (usable in ``for await``) over a Python async iterable.

    ``next``/``return``/``throw`` call ``asend``/``aclose``/``athrow`` (``__anext__`` for
    iterators without them), one request at a time: the generator runs only when JS asks
    for the next value, and ``break`` in ``for await`` closes it, running its ``finally``.

    Raises:
        TypeError: ``source`` is not an async iterable.
    """
    if not hasattr(source, "__anext__"):
        if not hasattr(source, "__aiter__"):
            raise TypeError(f"{type(source).__name__!r} object is not an async iterable")
        source = source.__aiter__()
    ops = _PythonIteratorForJS(source)
    return _fn("iter", "fromPython")(ops.next, ops.return_, ops.throw_, _engine.helpers().reasonOf)


_loop.future_cancelled.set(future_cancelled)
_values.iterate.set(iterate)
_values.to_js_iterator.set(to_js_iterator)
_values.signals_in.set(signals_in)
_values.already_aborted.set(already_aborted)
_values.link_signals.set(link_signals)
_values.abort_error.set(abort_error)
