"""``bridge.Promise``: a Promise with JavaScript semantics, in pure Python on asyncio.

Who uses it: Python code that wants to write (or keep, after porting) promise chains, and the
combinators, which must accept anything awaitable from either side. It never touches the JS
engine; asyncio futures, coroutines and any object with a callable ``then`` are simply
adopted, and JS thenables go through the runtime's ``to_future`` once the engine is running.

How it runs (the parts a reader needs before changing anything):

* Jobs. A handler never runs inside ``then`` or ``resolve``: every reaction becomes a *job*
  in the running loop's job queue (``_Jobs``), which one ``loop.call_soon`` callback drains
  until it is empty, first in first out, in a ``while`` loop: no recursion however long the
  chain, and one loop callback per burst of promise work instead of one per handler. Like
  JS microtasks, jobs queued while draining run in the same drain, before other callbacks.
* No running loop. Settling and ``then`` work without a loop (``Promise.resolve(1)`` needs
  none); jobs created then are *parked* for the thread and run, first, as soon as a
  ``bridge.Promise`` is next used inside a running loop of that thread. ``await`` needs a loop.
* Adoption. Resolving with a pending ``bridge.Promise`` makes the promise *follow* it: its
  reactions move to the followed promise and it keeps only a shared ``_Cell`` pointing at the
  current end of the chain. A promise loop written recursively
  (``def step(i): return Promise.resolve(i + 1).then(step)``) therefore holds O(1) promises
  however many steps it runs, and settling the end does not walk back through every step.
  The price, as in Bluebird: handlers of the follower run in the same turn as those of the
  followed promise, where ECMAScript would take two more job turns.
* Context. Each ``then`` keeps the ``contextvars`` context it was called in and runs its
  handler there, as asyncio does for done callbacks (one drain serves many tasks).
* Unhandled rejections. A promise rejected while nobody was listening is reported through
  ``bridge._unhandled.report`` when it is garbage-collected still unhandled (``__del__``),
  unless a handler, an ``await``, a combinator or an adopting promise took it first.

Not thread-safe, like ``asyncio.Future``: use a promise from its loop's thread
(``loop.call_soon_threadsafe(resolve, value)`` from others).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import reprlib
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Iterable
from threading import get_ident
from types import TracebackType
from typing import Any, Generic, NamedTuple, NoReturn, TypeVar, cast, overload

from . import _unhandled
from ._exceptions import AggregateError, JSRejection
from ._hooks import Hooks

__all__ = ["Promise", "Resolvers"]

# A promise is read-only, so Promise[int] is a Promise[float] (covariant), and
# Promise.reject(...), a Promise[Never], fits any annotation.
T = TypeVar("T", covariant=True)
S = TypeVar("S")
U = TypeVar("U")

_get_running_loop = asyncio.events._get_running_loop
_isfuture = asyncio.isfuture
_iscoroutine = asyncio.iscoroutine
_CancelledError = asyncio.CancelledError
_object_new = object.__new__
_copy_context = contextvars.copy_context

# States. Only _FULFILLED and _REJECTED are final; the two "locked" states are pending promises
# that were resolved already (with something still pending), so their resolve/reject are spent.
_PENDING = 0  # _value: the _Cell of the promises following this one, or None
_LOCKED = 1  # waiting for a foreign thenable/future/coroutine; _value as for _PENDING
_FOLLOWING = 2  # resolved with another pending bridge.Promise; _value: the _Cell leading to it
_FULFILLED = 3
_REJECTED = 4
_STATE_NAMES = ("pending", "pending", "pending", "fulfilled", "rejected")
_repr = reprlib.Repr()  # short values in repr(promise), but an exception's message kept whole
_repr.maxother = _repr.maxstring = 160

# Values of these exact types cannot be thenables, so resolving with them skips the lookup of
# `.then` (the common case: a handler returning a number, a string, a list, None).
_PLAIN = frozenset({int, float, str, bytes, bool, type(None), list, tuple, dict, set, frozenset})


# Each runtime registers how it adopts one of its JS objects (None: not one of its objects).
foreign_thenables: Hooks[Callable[[Any], Any]] = Hooks("foreign_thenables")


class _Jobs(deque):  # type: ignore[type-arg]  # flat pairs: reaction, source, reaction, ...
    """The job queue of one event loop (or the parked jobs of a thread with no running loop).

    Stored as flat pairs rather than tuples: one fewer allocation per job.
    """

    __slots__ = ("loop", "scheduled")

    def __init__(self, loop: asyncio.AbstractEventLoop | None) -> None:
        super().__init__()
        self.loop = loop
        self.scheduled = False

    def run(self) -> None:
        """Drain the queue: the one loop callback behind every handler call."""
        pop = self.popleft
        try:
            while self:
                pop()._react(pop())
        finally:
            # Only KeyboardInterrupt/SystemExit get here with jobs left (handlers' own
            # exceptions reject their promises): let them propagate, keep the rest scheduled.
            if self and self.loop is not None and not self.loop.is_closed():
                self.loop.call_soon(self.run)
            else:
                self.scheduled = False


# Per promise: how many wake-ups in its reaction list were disarmed by awaits given up since
# the list was last rebuilt (Promise._forget). Only the cancel path touches it.
_disarmed: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()

# The cache's initial value. Its loop is a sentinel that matches no loop, not even None: a job
# queued with no loop running must reach this thread's parked queue through _jobs_for.
_NOWHERE = _Jobs(None)
_NOWHERE.loop = cast("asyncio.AbstractEventLoop", object())
_last_jobs = _NOWHERE  # cache: the queue of the loop that queued a job last
_by_loop: dict[asyncio.AbstractEventLoop, _Jobs] = {}
_parked: dict[int, _Jobs] = {}  # thread id -> jobs queued while that thread ran no loop


def _jobs_for(loop: asyncio.AbstractEventLoop | None) -> _Jobs:
    """The queue for ``loop`` (the parked queue of this thread when ``loop`` is None)."""
    global _last_jobs
    if loop is None:
        jobs = _parked.get(get_ident())
        if jobs is None:
            jobs = _parked[get_ident()] = _Jobs(None)
        _last_jobs = _NOWHERE  # so that the next job queued inside a loop adopts these
        return jobs
    jobs = _by_loop.get(loop)
    if jobs is None:
        # Forget closed loops here rather than with weak references: some loops (uvloop)
        # cannot be weakly referenced, and a new loop appears rarely.
        for old in [old for old in _by_loop if old.is_closed()]:
            del _by_loop[old]
        jobs = _by_loop[loop] = _Jobs(loop)
    if _parked:
        parked = _parked.pop(get_ident(), None)
        if parked:
            jobs.extend(parked)  # queued before anything this loop queues from now on
    _last_jobs = jobs
    return jobs


def _enqueue(reaction: Any, source: Any) -> None:
    """Queue ``reaction._react(source)`` as a job of the running loop (parked with no loop)."""
    loop = _get_running_loop()
    jobs = _last_jobs
    if jobs.loop is not loop:
        jobs = _jobs_for(loop)
    jobs.append(reaction)
    jobs.append(source)
    if not jobs.scheduled and loop is not None:
        jobs.scheduled = True
        loop.call_soon(jobs.run)


def _kick() -> None:
    """Run parked jobs now that a loop may be running: called where promise work starts."""
    loop = _get_running_loop()
    if loop is None:
        return
    jobs = _jobs_for(loop)
    if jobs and not jobs.scheduled:
        jobs.scheduled = True
        loop.call_soon(jobs.run)


class _Cell:
    """Shared by every promise following the same chain; ``target`` moves as the chain grows.

    Followers point at the cell, never at each other, so the promises in the middle of a
    chain can be freed while the chain still runs.
    """

    __slots__ = ("target",)

    def __init__(self, target: Promise[Any] | _Cell) -> None:
        self.target = target


def _root(cell: _Cell) -> Promise[Any]:
    """The promise at the end of the chain ``cell`` leads to: one that follows nobody."""
    target = cell.target
    while True:
        if isinstance(target, _Cell):
            target = target.target
        elif target._state == _FOLLOWING:
            target = target._value
        else:
            cell.target = target  # shortcut for the next look-up
            return target


def _to_future_if_js(x: Any) -> Any:
    """An asyncio future for ``x`` when a runtime knows it as one of its JS objects, else None.

    A JS thenable is adopted through its runtime, which maps its values and errors the way every
    JS promise reaching Python is mapped (called directly, its ``then`` would hand us raw engine
    values). The runtimes sit above this module, so each registers its adapter here.
    """
    for adopt in foreign_thenables.fns:
        future = adopt(x)
        if future is not None:
            return future
    return None


def _caught(exc: BaseException) -> BaseException:
    """``exc`` without its first traceback entry: the frame of ours that caught it.

    That frame holds the promise the exception is about to reject, so keeping it would make a
    cycle (promise -> reason -> traceback -> frame -> promise): an unhandled rejection would
    wait for the cyclic collector before it is reported. The traceback then starts in user code.
    """
    tb = exc.__traceback__
    if tb is not None:
        exc.__traceback__ = tb.tb_next
    return exc


def _as_exception(reason: Any) -> BaseException:
    """What ``await`` raises for ``reason``: itself, or ``JSRejection`` for a non-exception."""
    if isinstance(reason, BaseException):
        return reason
    return JSRejection(reason, js_value=reason)


class Promise(Generic[T]):
    """A promise with the semantics of JavaScript's (Promises/A+ and ECMAScript).

    ``Promise(executor)`` calls ``executor(resolve, reject)`` at once; an exception it raises
    rejects the promise (unless it was resolved already). Only the first ``resolve``/``reject``
    counts. Resolving with a thenable (a ``bridge.Promise``, a JS promise, an asyncio future or
    task, a coroutine, any object with a callable ``then``) adopts its outcome; resolving a
    promise with itself rejects it with ``TypeError``.

    Handlers given to ``then``/``catch``/``finally_`` run later, never inside the call that
    registered or settled them, in registration order. ``await promise`` gives the value or
    raises the reason (a non-exception reason is raised as ``JSRejection``).
    """

    __slots__ = (
        "__weakref__",
        "_context",  # a derived promise's: the contextvars context then() was called in
        "_handled",  # a reaction, await, combinator or adopter took the outcome: no report
        "_loop",  # only set when rejected unhandled: where to report it
        "_on_fulfilled",  # a derived promise's (from then) handlers, dropped once they ran
        "_on_rejected",
        "_reactions",  # None, one reaction, or a list of them, until settled
        "_state",
        "_tb",  # only set when rejected: the reason's traceback then, raised again by each await
        "_value",
    )

    _state: int
    _value: Any
    _reactions: Any
    _handled: bool
    _on_fulfilled: Callable[[Any], Any] | None
    _on_rejected: Callable[[Any], Any] | None
    _context: contextvars.Context | None
    _loop: asyncio.AbstractEventLoop | None
    _tb: TracebackType | None

    def __init__(self, executor: Callable[[Callable[..., None], Callable[..., None]], Any]) -> None:
        self._state = _PENDING
        self._value = None
        self._reactions = None
        self._handled = False
        if not callable(executor):
            raise TypeError(f"Promise executor must be callable, not {type(executor).__name__}")
        try:
            executor(self._resolve_once, self._reject_once)
        except BaseException as exc:
            if self._state == _PENDING:
                self._settle(_REJECTED, _caught(exc))
            del self  # as in _react: the traceback must not hold the promise
            if not isinstance(exc, (Exception, _CancelledError)):
                raise

    # --- settling -------------------------------------------------------------------------

    def _resolve_once(self, value: Any = None) -> None:
        # The resolve function handed out by the executor and with_resolvers; None default:
        # JS code calls resolve() with no argument.
        if self._state == _PENDING:
            if type(value) in _PLAIN:
                self._settle(_FULFILLED, value)
            else:
                self._resolve(value)

    def _reject_once(self, reason: Any = None) -> None:
        if self._state == _PENDING:
            self._settle(_REJECTED, reason)

    def _resolve(self, x: Any) -> None:
        """The promise resolution procedure (Promises/A+ 2.3) for an unsettled promise."""
        if type(x) in _PLAIN:
            self._settle(_FULFILLED, x)
        elif isinstance(x, Promise):
            if x is self:
                self._settle(_REJECTED, TypeError("Chaining cycle detected for promise"))
            else:
                self._adopt(x)
        elif _isfuture(x):
            self._state = _LOCKED
            x.add_done_callback(self._settle_from_future)
        else:
            try:
                then = x.then
            except AttributeError:
                then = None
            except Exception as exc:  # a getter that raises rejects (2.3.3.2)
                self._settle(_REJECTED, _caught(exc))
                return
            if callable(then):
                # Called in a job, not now (ECMAScript's NewPromiseResolveThenableJob): a
                # thenable's `then` may call back synchronously into code that is mid-update.
                self._state = _LOCKED
                _enqueue(_ThenableJob(self, x, then), None)
            elif (
                _iscoroutine(x)
                or hasattr(type(x), "__await__")
                or isinstance(x, concurrent.futures.Future)
            ):
                # Wrapping needs the running loop, which jobs always have.
                self._state = _LOCKED
                _enqueue(_AwaitableJob(self, x), None)
            else:
                self._settle(_FULFILLED, x)

    def _adopt(self, other: Promise[Any]) -> None:
        """Take ``other``'s outcome: now if it is settled, else by following it."""
        if other._state == _FOLLOWING:
            other = _root(other._value)
        if other is self:  # a cycle through followers: pending forever, as in JS
            self._state = _LOCKED
            return
        state = other._state
        if state >= _FULFILLED:
            other._handled = True  # its rejection is now ours to report
            self._settle(state, other._value)
            return
        if self._handled or self._reactions is not None:
            other._handled = True
        mine = self._value  # the cell of the promises already following self
        cell = other._value
        if cell is None:
            if mine is None:
                mine = _Cell(other)
            else:
                mine.target = other
            other._value = cell = mine
        elif mine is not None:
            mine.target = cell
        self._state = _FOLLOWING
        self._value = cell
        moving = self._reactions
        if moving is not None:
            self._reactions = None
            present = other._reactions
            if present is None:
                other._reactions = moving
            else:
                if type(present) is not list:
                    present = other._reactions = [present]
                if type(moving) is list:
                    present.extend(moving)
                else:
                    present.append(moving)

    def _settle_from_future(self, future: asyncio.Future[Any]) -> None:
        if self._state >= _FULFILLED:
            return
        try:
            value = future.result()
        except BaseException as exc:  # CancelledError included: a cancelled input rejects
            self._settle(_REJECTED, _caught(exc))
        else:
            self._resolve(value)

    def _settle(self, state: int, value: Any) -> None:
        self._state = state
        self._value = value
        if state == _REJECTED:
            self._tb = getattr(value, "__traceback__", None)
        reactions = self._reactions
        if reactions is None:
            if state == _REJECTED and not self._handled:
                self._loop = _get_running_loop()
            return
        self._reactions = None
        if type(reactions) is list:
            for reaction in reactions:
                _enqueue(reaction, self)
            return
        # One reaction (a chain's usual case): _enqueue inlined, this is the hot path.
        loop = _get_running_loop()
        jobs = _last_jobs
        if jobs.loop is not loop:
            jobs = _jobs_for(loop)
        jobs.append(reactions)
        jobs.append(self)
        if not jobs.scheduled and loop is not None:
            jobs.scheduled = True
            loop.call_soon(jobs.run)

    def _collapse(self) -> Promise[Any]:
        """For a follower: settle from the end of its chain if that is settled, else return it."""
        root = _root(self._value)
        state = root._state
        if state < _FULFILLED:
            return root
        self._state = state
        self._value = root._value
        if state == _REJECTED:
            self._tb = root._tb
            root._handled = True  # self reports it if nobody handles self
            if not self._handled:
                self._loop = getattr(root, "_loop", None)
        return self

    def _add_reaction(self, reaction: Any) -> None:
        """Register an internal reaction (``reaction._react(source)`` once settled)."""
        self._handled = True
        target = self._collapse() if self._state == _FOLLOWING else self
        if target._state >= _FULFILLED:
            _enqueue(reaction, target)
            return
        target._handled = True
        present = target._reactions
        if present is None:
            target._reactions = reaction
        elif type(present) is list:
            present.append(reaction)
        else:
            target._reactions = [present, reaction]
        if _parked:
            _kick()

    def _forget(self, wake: _Wake) -> None:
        """Take back the wake-up of an ``await`` whose task gave up (cancelled, timed out).

        Removing it from a long list would cost a scan per cancelled await (quadratic when a
        shutdown cancels thousands of tasks waiting on one promise), so it is only disarmed,
        and the list is rebuilt without the disarmed ones once they are half of it.
        """
        wake.future = None  # disarmed: if it is ever run, it does nothing
        target = _root(self._value) if self._state == _FOLLOWING else self
        if target._state >= _FULFILLED:
            return  # it ran, or is queued to: it has nothing left to take back
        present = target._reactions
        if present is wake:
            target._reactions = None
        elif type(present) is list:
            if present and present[-1] is wake:
                present.pop()  # the last one added: the cheap, common case
                return
            disarmed = _disarmed.get(target, 0) + 1
            if disarmed * 2 > len(present):
                present[:] = [r for r in present if type(r) is not _Wake or r.future is not None]
                disarmed = 0
            _disarmed[target] = disarmed

    def _react(self, source: Promise[Any]) -> None:
        # The job of a derived promise: run the handler for source's outcome, resolve self.
        state = source._state
        handler = self._on_fulfilled if state == _FULFILLED else self._on_rejected
        self._on_fulfilled = self._on_rejected = None  # no history kept: the closures go now
        context = self._context
        self._context = None
        if handler is None:
            self._settle(state, source._value)  # 2.2.7.3/2.2.7.4: pass the outcome through
            return
        try:
            # In then()'s context, as asyncio runs a done callback in add_done_callback's:
            # contextvars (a request id, say) must not leak between unrelated chains.
            x = context.run(handler, source._value)  # type: ignore[union-attr]
        except BaseException as exc:
            self._settle(_REJECTED, _caught(exc))
            # The handler's frame in exc's traceback links back (f_back) to this frame: drop
            # our references so that the traceback does not keep the promises alive.
            del self, source
            if not isinstance(exc, (Exception, _CancelledError)):
                raise
            return
        if type(x) in _PLAIN:
            self._settle(_FULFILLED, x)
        else:
            context.run(self._resolve, x)  # type: ignore[union-attr]  # adopting may start a task

    # --- the public API -------------------------------------------------------------------

    # What a handler returns is adopted: returning an awaitable of S or an S gives a Promise[S]
    # (the awaitable overloads come first, so a handler returning a promise is not nested).
    @overload
    def then(self, on_fulfilled: None = None, on_rejected: None = None) -> Promise[T]: ...
    @overload
    def then(
        self, on_fulfilled: Callable[[T], Awaitable[S]], on_rejected: None = None
    ) -> Promise[S]: ...
    @overload
    def then(self, on_fulfilled: Callable[[T], S], on_rejected: None = None) -> Promise[S]: ...
    @overload
    def then(
        self, on_fulfilled: None, on_rejected: Callable[[Any], Awaitable[U]]
    ) -> Promise[T | U]: ...
    @overload
    def then(self, on_fulfilled: None, on_rejected: Callable[[Any], U]) -> Promise[T | U]: ...
    @overload
    def then(
        self, on_fulfilled: Callable[[T], Awaitable[S]], on_rejected: Callable[[Any], Awaitable[U]]
    ) -> Promise[S | U]: ...
    @overload
    def then(
        self, on_fulfilled: Callable[[T], Awaitable[S]], on_rejected: Callable[[Any], U]
    ) -> Promise[S | U]: ...
    @overload
    def then(
        self, on_fulfilled: Callable[[T], S], on_rejected: Callable[[Any], Awaitable[U]]
    ) -> Promise[S | U]: ...
    @overload
    def then(
        self, on_fulfilled: Callable[[T], S], on_rejected: Callable[[Any], U]
    ) -> Promise[S | U]: ...
    def then(
        self,
        on_fulfilled: Callable[[T], Any] | None = None,
        on_rejected: Callable[[Any], Any] | None = None,
    ) -> Promise[Any]:
        """A new promise for the result of ``on_fulfilled(value)`` or ``on_rejected(reason)``.

        A handler that is not callable is ignored: the outcome passes through to the new
        promise. What a handler returns is adopted if it is a thenable or awaitable; what it
        raises rejects the new promise.
        """
        child = _object_new(type(self))
        child._state = _PENDING
        child._value = None
        child._reactions = None
        child._handled = False
        child._on_fulfilled = on_fulfilled if callable(on_fulfilled) else None
        child._on_rejected = on_rejected if callable(on_rejected) else None
        child._context = _copy_context()
        self._add_reaction(child)
        return child

    @overload
    def catch(self, on_rejected: None) -> Promise[T]: ...
    @overload
    def catch(self, on_rejected: Callable[[Any], Awaitable[U]]) -> Promise[T | U]: ...
    @overload
    def catch(self, on_rejected: Callable[[Any], U]) -> Promise[T | U]: ...
    def catch(self, on_rejected: Callable[[Any], Any] | None) -> Promise[Any]:
        """``then(None, on_rejected)``: handle a rejection, pass a value through."""
        return self.then(None, on_rejected)

    def finally_(self, on_finally: Callable[[], Any] | None) -> Promise[T]:
        """Run ``on_finally()`` (no arguments) once settled; keep this promise's outcome.

        What ``on_finally`` returns is awaited first (adopted); if it raises or what it returns
        rejects, that replaces the outcome. A non-callable argument passes the outcome through.
        """
        if not callable(on_finally):
            return self.then(on_finally, on_finally)
        cls = type(self)
        callback = on_finally

        def after_value(value: Any) -> Any:
            return cls.resolve(callback()).then(lambda _: value)

        def after_reason(reason: Any) -> Any:
            return cls.resolve(callback()).then(lambda _: cls.reject(reason))

        return self.then(after_value, after_reason)

    def __await__(self) -> Generator[Any, None, T]:
        """``await promise``: the value, or the reason raised. Needs a running loop.

        A settled promise gives its outcome at once, as a done ``asyncio.Future`` does.
        Cancelling the awaiting task does not cancel the promise (JS promises cannot be).
        """
        if _parked:
            _kick()
        self._handled = True
        target = self._collapse() if self._state == _FOLLOWING else self
        if target._state < _FULFILLED:
            future = asyncio.get_running_loop().create_future()
            wake = _Wake(future)
            target._add_reaction(wake)
            try:
                yield from future
            except BaseException:
                # The awaiting task gave up (cancelled, timed out): take the wake-up back, as
                # asyncio does, or a long-lived promise polled with wait_for grows per poll.
                target._forget(wake)
                del self, target, future, wake  # the traceback must not hold the promise
                raise
            if self._state == _FOLLOWING:
                self._collapse()
            target = self
        if target._state == _FULFILLED:
            return target._value  # type: ignore[no-any-return]
        exc = _as_exception(target._value)
        if exc is target._value:
            # As asyncio.Future.result(): the traceback it was rejected with, so that awaiting
            # it again does not pile every earlier awaiter's frames in front of it.
            exc = exc.with_traceback(target._tb)
        del self, target  # raising from here puts this frame in exc's traceback
        raise exc

    def __del__(self) -> None:
        # The unhandled-rejection rule: reported once, when collected with nobody handling it.
        try:
            if self._handled:
                return
            if self._state == _FOLLOWING:
                self._collapse()
            if self._state != _REJECTED:
                return
            self._handled = True
            loop = getattr(self, "_loop", None)
            if loop is not None and loop.is_closed():
                loop = None
            _unhandled.report(_as_exception(self._value), promise=self, loop=loop)
        except Exception:  # interpreter shutdown, half-built object: never raise from __del__
            pass

    def __repr__(self) -> str:
        target = self._collapse() if self._state == _FOLLOWING else self
        state = _STATE_NAMES[target._state]
        name = type(self).__name__
        if target._state < _FULFILLED:
            return f"<{name} {state}>"
        return f"<{name} {state}: {_repr.repr(target._value)}>"

    # --- statics --------------------------------------------------------------------------

    @classmethod
    def _pending(cls) -> Promise[Any]:
        promise = _object_new(cls)
        promise._state = _PENDING
        promise._value = None
        promise._reactions = None
        promise._handled = False
        return promise  # type: ignore[no-any-return]

    @overload
    @classmethod
    def resolve(cls) -> Promise[None]: ...
    @overload
    @classmethod
    def resolve(cls, value: Awaitable[S]) -> Promise[S]: ...  # type: ignore[overload-overlap]
    @overload
    @classmethod
    def resolve(cls, value: S) -> Promise[S]: ...
    @classmethod
    def resolve(cls, value: Any = None) -> Promise[Any]:
        """A promise resolved with ``value``: ``value`` itself if it is a promise of this class."""
        if type(value) is cls:
            return value  # type: ignore[no-any-return]
        promise = cls._pending()
        promise._resolve(value)
        return promise

    @classmethod
    def reject(cls, reason: Any = None) -> Promise[NoReturn]:
        """A promise rejected with ``reason``: normally an exception; any value, as in JS."""
        promise = cls._pending()
        promise._settle(_REJECTED, reason)
        return promise

    @classmethod
    def with_resolvers(cls) -> Resolvers:
        """A pending promise and its ``resolve``/``reject`` functions (unpackable, or by name)."""
        promise = cls._pending()
        return _new_resolvers(Resolvers, (promise, promise._resolve_once, promise._reject_once))

    @classmethod
    def _inputs(cls, iterable: Iterable[Any]) -> list[Promise[Any]]:
        # Promise.resolve for each input, as the JS combinators do; any iteration error
        # propagates to the caller, who turns it into a rejection.
        out = []
        for item in iterable:
            if isinstance(item, Promise):
                out.append(item)
            else:
                promise = cls._pending()
                promise._resolve(item)
                out.append(promise)
        return out

    @classmethod
    def _gather(
        cls, iterable: Iterable[Any], element: Callable[[_Gather, int], Any], empty: int, value: Any
    ) -> Promise[Any]:
        """The shared body of ``all``, ``all_settled`` and ``any``: one ``element`` reaction per
        input feeding one ``_Gather``; no inputs settle at once (``empty``, ``value``), and an
        iterable that fails to iterate rejects the result, as in JS.
        """
        result = cls._pending()
        try:
            inputs = cls._inputs(iterable)
        except Exception as exc:
            result._settle(_REJECTED, exc)
            return result
        if not inputs:
            result._settle(empty, value)
            return result
        state = _Gather(result, len(inputs))
        for index, promise in enumerate(inputs):
            promise._add_reaction(element(state, index))
        return result

    # The combinators: inputs all awaitables of one type give a precise result; a mix of
    # plain values and awaitables of different types gives Any.
    @overload
    @classmethod
    def all(cls, iterable: Iterable[Awaitable[S]]) -> Promise[list[S]]: ...
    @overload
    @classmethod
    def all(cls, iterable: Iterable[Any]) -> Promise[list[Any]]: ...
    @classmethod
    def all(cls, iterable: Iterable[Any]) -> Promise[list[Any]]:
        """Fulfils with every input's value, in input order; rejects with the first rejection."""
        return cls._gather(iterable, _AllElement, _FULFILLED, [])

    @classmethod
    def all_settled(cls, iterable: Iterable[Any]) -> Promise[list[dict[str, Any]]]:
        """Fulfils, once every input settled, with one dict per input, in input order.

        ``{"status": "fulfilled", "value": v}`` or ``{"status": "rejected", "reason": r}``:
        the shape JS gives, so code and habits carry over.
        """
        return cls._gather(iterable, _SettledElement, _FULFILLED, [])

    @overload
    @classmethod
    def race(cls, iterable: Iterable[Awaitable[S]]) -> Promise[S]: ...
    @overload
    @classmethod
    def race(cls, iterable: Iterable[Any]) -> Promise[Any]: ...
    @classmethod
    def race(cls, iterable: Iterable[Any]) -> Promise[Any]:
        """Settles like the first input to settle; stays pending forever for no inputs."""
        result = cls._pending()
        try:
            inputs = cls._inputs(iterable)
        except Exception as exc:
            result._settle(_REJECTED, exc)
            return result
        settler = _Settler(result)
        for promise in inputs:
            promise._add_reaction(settler)
        return result

    @overload
    @classmethod
    def any(cls, iterable: Iterable[Awaitable[S]]) -> Promise[S]: ...
    @overload
    @classmethod
    def any(cls, iterable: Iterable[Any]) -> Promise[Any]: ...
    @classmethod
    def any(cls, iterable: Iterable[Any]) -> Promise[Any]:
        """Fulfils with the first input to fulfil; if every input rejects, rejects with
        ``AggregateError`` whose ``.errors`` are the reasons in input order (no inputs: at once).
        """
        return cls._gather(iterable, _AnyElement, _REJECTED, AggregateError([]))


class Resolvers(NamedTuple):
    """What ``Promise.with_resolvers()`` returns: ``.promise``, ``.resolve``, ``.reject``.

    A named tuple, so it unpacks too: ``promise, resolve, reject = Promise.with_resolvers()``.
    """

    promise: Promise[Any]
    resolve: Callable[..., None]
    reject: Callable[..., None]


_new_resolvers = tuple.__new__  # skips NamedTuple's Python-level __new__: with_resolvers is hot


# --- reactions and jobs: each has _react(source), run by _Jobs.run --------------------------


class _Wake:
    """Wakes an ``await`` once the awaited promise settled (the outcome is read from it)."""

    __slots__ = ("future",)

    def __init__(self, future: asyncio.Future[None]) -> None:
        self.future: asyncio.Future[None] | None = future

    def _react(self, source: Promise[Any]) -> None:
        future = self.future
        if future is not None and not future.done():  # the awaiting task may have given up
            future.set_result(None)


class _ThenableJob:
    """Calls a foreign thenable's ``then(resolve, reject)``; its first call counts (2.3.3.3)."""

    __slots__ = ("context", "done", "promise", "then_method", "thenable")

    def __init__(
        self, promise: Promise[Any], thenable: Any, then_method: Callable[..., Any]
    ) -> None:
        self.promise = promise
        self.thenable = thenable
        self.then_method = then_method
        self.done = False
        self.context = _copy_context()

    def _react(self, source: None) -> None:
        try:
            future = self.context.run(_to_future_if_js, self.thenable)
            self.thenable = None
            if future is not None:
                self.done = True
                future.add_done_callback(self.promise._settle_from_future)
                return
            self.context.run(self.then_method, self.resolve, self.reject)
        except Exception as exc:
            if not self.done:
                self.done = True
                self.promise._settle(_REJECTED, _caught(exc))
            del self  # as in Promise._react: the traceback must not hold the promise

    def resolve(self, value: Any = None) -> None:
        if not self.done:
            self.done = True
            if value is self.promise:
                self.promise._settle(_REJECTED, TypeError("Chaining cycle detected for promise"))
            else:
                self.promise._resolve(value)

    def reject(self, reason: Any = None) -> None:
        if not self.done:
            self.done = True
            self.promise._settle(_REJECTED, reason)


class _AwaitableJob:
    """Adopts a coroutine or other awaitable: wraps it in a task of the running loop."""

    __slots__ = ("awaitable", "context", "promise")

    def __init__(self, promise: Promise[Any], awaitable: Any) -> None:
        self.promise = promise
        self.awaitable = awaitable
        self.context = _copy_context()  # the task runs in the resolving code's context

    def _react(self, source: None) -> None:
        try:
            if isinstance(self.awaitable, concurrent.futures.Future):
                future = asyncio.wrap_future(self.awaitable)
            else:
                future = self.context.run(asyncio.ensure_future, self.awaitable)
        except Exception as exc:
            self.promise._settle(_REJECTED, _caught(exc))
        else:
            future.add_done_callback(self.promise._settle_from_future)
        self.awaitable = None


class _Gather:
    """Shared state of one ``all``/``all_settled``/``any`` call."""

    __slots__ = ("remaining", "result", "values")

    def __init__(self, result: Promise[Any], count: int) -> None:
        self.result = result
        self.remaining = count
        self.values: list[Any] = [None] * count


class _AllElement:
    __slots__ = ("index", "state")

    def __init__(self, state: _Gather, index: int) -> None:
        self.state = state
        self.index = index

    def _react(self, source: Promise[Any]) -> None:
        state = self.state
        result = state.result
        if result._state != _PENDING:
            return
        if source._state == _FULFILLED:
            state.values[self.index] = source._value
            state.remaining -= 1
            if state.remaining == 0:
                result._settle(_FULFILLED, state.values)
        else:
            result._settle(_REJECTED, source._value)


class _SettledElement(_AllElement):
    __slots__ = ()

    def _react(self, source: Promise[Any]) -> None:
        state = self.state
        if source._state == _FULFILLED:
            state.values[self.index] = {"status": "fulfilled", "value": source._value}
        else:
            state.values[self.index] = {"status": "rejected", "reason": source._value}
        state.remaining -= 1
        if state.remaining == 0:
            state.result._settle(_FULFILLED, state.values)


class _AnyElement(_AllElement):
    __slots__ = ()

    def _react(self, source: Promise[Any]) -> None:
        state = self.state
        result = state.result
        if result._state != _PENDING:
            return
        if source._state == _FULFILLED:
            result._settle(_FULFILLED, source._value)
            return
        state.values[self.index] = source._value
        state.remaining -= 1
        if state.remaining == 0:
            result._settle(_REJECTED, AggregateError(state.values))


class _Settler:
    """``race``: the first input to settle settles the result."""

    __slots__ = ("result",)

    def __init__(self, result: Promise[Any]) -> None:
        self.result = result

    def _react(self, source: Promise[Any]) -> None:
        if self.result._state == _PENDING:
            self.result._settle(source._state, source._value)
