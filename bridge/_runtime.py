"""The one JS engine, and how it lives inside asyncio.

This is the only module that imports pythonmonkey. It starts the engine on first use (importing
``bridge`` stays cheap), owns the thread policy, and wires the engine into whichever asyncio loop
is running. Every sharp edge of pythonmonkey 1.4.1 that bridge knows about is contained here:

* Promise jobs: pythonmonkey hands every JS promise job to ``loop.call_soon_threadsafe`` (one
  handle and one leaked wrapper per job, and a self-pipe write). pythonmonkey looks the method up
  on the loop object each time, so an instance attribute on the loop takes its place: jobs go to
  a microtask queue drained in one loop callback. Jobs therefore run before timers, as in Node
  and browsers. The reference pythonmonkey loses to each job wrapper is dropped once the job ran
  (checked with getrefcount, released in chunks through a private C-API handle), and a JS GC
  runs every 100,000 jobs, since SpiderMonkey does not see pythonmonkey's per-job memory.
* Leaked references: pythonmonkey sets ``jsError`` on every JS error it converts without
  dropping its reference, and hands JS numbers over as floats with one reference too many;
  both are released here (checked with getrefcount), or errors and numbers would leak.
* JS promises reaching Python: pythonmonkey makes them with ``loop.create_future()``; the loop
  instance attribute hands out ``JSFuture``, which maps the rejection to the bridge's error tree
  (without ever reading ``.jsError`` of a ``null``/``undefined`` reason, which segfaults) and
  reports a rejection nobody retrieved once, through ``bridge._unhandled``.
* False "Uncaught": pythonmonkey's rejection tracker makes a future for every promise rejected
  without a handler yet (marking it handled, so a handler attached a tick later is invisible),
  and installs a loop exception handler that prints "Uncaught" and calls ``pm.stop()``
  (cancelling every timer). bridge replaces that tracker with its own (through SpiderMonkey's C
  API): rejections still unhandled when a microtask drain ends are reported once, mapped.
* Threads: SpiderMonkey is single-threaded and pythonmonkey fails from other threads with
  "too much recursion" (or a segfault at exit when first imported off the main thread). The
  engine belongs to the main thread; any other thread gets ``WrongThread``.
* No loop: scheduling a promise job or timer without a running loop raises ``RuntimeNotReady``
  instead of pythonmonkey's RuntimeError.
* uvloop: pythonmonkey segfaults when promise jobs and timers share a uvloop loop, so a uvloop
  loop is refused with a ``BridgeError`` naming it, before any JS work is scheduled.

Higher layers (``_convert``) register how JS errors map to Python exceptions and how JS values
are wrapped, through ``set_hooks``; the conversion names other layers ask the runtime for
(``to_js``, ``to_future``, ``to_exception``...) are forwarded to ``_convert`` on first use.
JSFuture.cancel tells ``_cancel`` (imported when first needed) so it can abort JS signals.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import functools
import inspect
import os
import sys
import threading
import traceback
from collections.abc import Callable, Coroutine
from pathlib import Path
from sys import getrefcount
from threading import get_ident
from typing import Any, TypeVar

from ._exceptions import BridgeError, RuntimeNotReady, WrongThread
from ._unhandled import report

__all__ = [
    "JSFuture",
    "attach_running_loop",
    "check_thread",
    "drop_lost_reference",
    "engine",
    "eval",
    "helpers",
    "js_error_of",
    "js_globals",
    "js_module",
    "new",
    "owner",
    "require",
    "run",
    "set_hooks",
    "translate_error",
]

T = TypeVar("T")


def _js_dir() -> Path:
    # js/ ships inside the package as bridge._js (pyproject maps it); a source checkout that was
    # not installed still finds it beside the package.
    try:
        from importlib.resources import files

        found = Path(str(files("bridge._js")))
    except (ImportError, TypeError):
        found = Path(__file__).resolve().parent.parent / "js"
    return found


_PM_NO_LOOP = "cannot find a running Python event-loop"
_NO_LOOP_MESSAGE = (
    "this JS code schedules promise work (a then, an await or a timer) and no asyncio loop is "
    "running: call it from async code, or run it through bridge.run(...)"
)

_pm: Any = None
_helpers: Any = None
_js_modules: dict[str, Any] = {}
_owner: int | None = None
_start_lock = threading.Lock()
_attached: asyncio.AbstractEventLoop | None = None
_require_cache: dict[str, Any] = {}


def _identity(exc: BaseException) -> BaseException:
    return exc


def _no_wrap(value: Any) -> Any:
    return value


# Set by bridge._convert at import: SpiderMonkeyError -> mapped exception, JS value -> wrapped.
_map_error: Callable[[BaseException], BaseException] = _identity
_wrap: Callable[[Any], Any] = _no_wrap


def set_hooks(
    *, map_error: Callable[[BaseException], BaseException], wrap: Callable[[Any], Any]
) -> None:
    """Called once by ``bridge._convert``: how JS errors and JS values look in Python."""
    global _map_error, _wrap
    _map_error = map_error
    _wrap = wrap


# --- engine start and thread policy -----------------------------------------------------------


def _thread_message(action: str) -> str:
    name = threading.current_thread().name
    return (
        f"bridge's JS engine belongs to the main thread and cannot be {action} from thread "
        f"{name!r}: hand the work to the loop thread, e.g. "
        "asyncio.run_coroutine_threadsafe(coro, loop) or loop.call_soon_threadsafe(fn)"
    )


def owner() -> int | None:
    """The ident of the engine's thread (None before the engine started)."""
    return _owner


def check_thread() -> None:
    """Raise ``WrongThread`` unless called on the engine's thread (cheap: one ident compare)."""
    if threading.get_ident() != _owner and _owner is not None:
        raise WrongThread(_thread_message("used"))


def engine() -> Any:
    """The pythonmonkey module, the engine started on first call (main thread only)."""
    if _pm is None:
        _start()
    elif threading.get_ident() != _owner:
        raise WrongThread(_thread_message("used"))
    return _pm


def helpers() -> Any:
    """The helpers object js/runtime.js evaluates to (describe, deferred, construct...)."""
    if _helpers is None:
        _start()
    return _helpers


def js_module(name: str) -> Any:
    """The completion value of ``js/<name>.js``, evaluated once at engine start."""
    engine()
    return _js_modules[name]


def _start() -> None:
    global _pm, _helpers, _owner, _wrapped_types
    if threading.current_thread() is not threading.main_thread():
        # An engine first imported off the main thread works, but the process segfaults at exit.
        raise WrongThread(_thread_message("started"))
    with _start_lock:
        if _pm is not None:
            return
        _refuse_uvloop(asyncio._get_running_loop())
        import pythonmonkey as pm

        # The rejection tracker installs this as the loop's exception handler the first time it
        # sees a rejection without a handler (even one handled a tick later); it prints
        # "Uncaught" and calls pm.stop(), cancelling every timer. With None, the tracker's
        # set_exception_handler(None) keeps asyncio's default; bridge reports unhandled
        # rejections itself (JSFuture.__del__).
        pm.simpleUncaughtExceptionHandler = None  # type: ignore[assignment]
        _owner = threading.get_ident()
        sources = sorted(_js_dir().glob("*.js"), key=lambda p: (p.name != "runtime.js", p.name))
        for path in sources:
            value = pm.eval(path.read_text("utf-8"), {"filename": str(path)})
            _js_modules[path.stem] = value
        _helpers = _js_modules["runtime"]
        _wrapped_types = frozenset({pm.JSObjectProxy, pm.JSFunctionProxy, pm.JSMethodProxy})
        _pm = pm
        _track_rejections(pm)
        if os.environ.get("BRIDGE_ASYNC_STACKS", "") in ("", "0"):
            _capture_async_stacks_for_debuggees_only()
        _hook_set_running_loop()


# --- Python 3.13: where pythonmonkey looks for the running loop ---------------------------------

# pythonmonkey 1.4.1's 3.13 wheel reads the running loop as a raw pointer at this offset of the
# thread state, but CPython 3.13.0 keeps it 8 bytes earlier (``_PyThreadStateImpl``
# ``asyncio_running_loop``, right after the 304-byte ``PyThreadState``); the slot it reads
# instead is ``qsbr``, used only by free-threaded builds and NULL otherwise. So every promise
# job fails with "cannot find a running Python event-loop". bridge mirrors asyncio's own
# running-loop pointer into the slot pythonmonkey reads, set and cleared exactly when asyncio
# sets and clears it (``asyncio.events._set_running_loop``), and only after checking the
# layout against the running loop itself; on any other layout it changes nothing.
_PY313_LOOP_AT = 0x130
_PM_READS_LOOP_AT = 0x138
_mirrored: dict[int, asyncio.AbstractEventLoop] = {}  # thread state address -> loop kept alive


def _thread_state_slot(offset: int) -> ctypes.c_void_p:
    return ctypes.c_void_p.from_address(_capi.PyThreadState_Get() + offset)


def _mirror(loop: asyncio.AbstractEventLoop | None) -> None:
    slot = _thread_state_slot(_PM_READS_LOOP_AT)
    if loop is None:
        if _mirrored.pop(ctypes.addressof(slot), None) is not None:
            slot.value = None
        return
    if slot.value == id(loop):
        return
    if _thread_state_slot(_PY313_LOOP_AT).value != id(loop) or slot.value:
        return  # not the layout measured on 3.13.0: leave the interpreter alone
    _mirrored[ctypes.addressof(slot)] = loop
    slot.value = id(loop)


def _hook_set_running_loop() -> None:
    """Wrap ``asyncio.events._set_running_loop``: every loop the engine's thread runs is wired.

    asyncio calls it when a loop starts and stops running (``run_forever``, so ``asyncio.run``
    too). Wiring the loop there, not only at bridge's entry points, means pythonmonkey finds
    bridge's microtask queue and ``JSFuture`` whatever touches JS first in a new loop: a raw
    proxy's method, an array element's method, a timer. A loop bridge cannot drive (uvloop, a
    loop without instance attributes) is left alone here and refused at its first JS use.
    On 3.13 the same hook mirrors the loop where pythonmonkey reads it (see ``_mirror``).
    """
    events = asyncio.events
    set_running_loop = events._set_running_loop
    mirror = sys.version_info[:2] == (3, 13) and getattr(sys, "_is_gil_enabled", lambda: True)()

    def _set_running_loop(loop: asyncio.AbstractEventLoop | None) -> None:
        set_running_loop(loop)
        if mirror:
            _mirror(loop)
        if loop is None or get_ident() != _owner:
            return
        if loop is not _attached:
            # A loop bridge cannot drive is refused with its message at its first JS use.
            with contextlib.suppress(BridgeError):
                _attach(loop)
        if _rejections:  # noted with no loop running: checked after this loop's first drain
            wake = getattr(loop, "_bridge_wake", None)
            if wake is not None:
                wake()

    events._set_running_loop = _set_running_loop
    if mirror:
        _mirror(events._get_running_loop())


# --- unhandled rejections ------------------------------------------------------------------------

# pythonmonkey's rejection tracker turns every promise rejected without a handler into a Python
# future at once (JS::AddPromiseReactions), which marks the promise handled: after that nobody
# (not SpiderMonkey, not JS) can tell a rejection JS handles a tick later (`await f()` where f
# throws at once) from one nobody ever handles. So bridge replaces it with its own, set through
# SpiderMonkey's C API (JS::SetPromiseRejectionTrackerCallback), that only takes notes:
# "Unhandled" records the promise's id (JS::GetPromiseID, stable across GCs) with its reason
# converted to Python (pythonmonkey's pyTypeFactory), "Handled" (a handler attached later)
# drops the note. What is still noted when bridge's microtask drain ends is reported once
# through _unhandled.report, with the mapped exception, as Node does after its microtask queue.
# A rejection outside any drain (in a synchronous eval) wakes the drain of the running loop.
_TRACKER_TYPE = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.c_bool, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p
)
_UNHANDLED_STATE = 0  # JS::PromiseRejectionHandlingState::Unhandled
_SET_TRACKER = (  # JS::SetPromiseRejectionTrackerCallback(JSContext*, callback, void*)
    "_ZN2JS34SetPromiseRejectionTrackerCallbackEP9JSContextPFvS1_bNS_6HandleIP8JSObjectEE"
    "NS_29PromiseRejectionHandlingStateEPvES7_"
)
_rejections: dict[int, Any] = {}  # promise id -> reason, noted and not handled yet
_tracker: Any = None  # the ctypes callback, kept alive while the engine may call it
_promise_id: Any = None
_promise_result: Any = None
_to_python: Any = None


def _track_rejections(pm: Any) -> None:
    """Install bridge's rejection tracker (see above); on an unexpected build, keep pm's own."""
    global _tracker, _promise_id, _promise_result, _to_python
    where = Path(pm.__file__).parent
    try:
        pm_so = ctypes.PyDLL(str(where / "pythonmonkey.so"))  # PyDLL: calls keep the GIL
        mozjs = ctypes.CDLL(str(next(where.glob("libmozjs-*.so"))))
        cx = ctypes.c_void_p.in_dll(pm_so, "GLOBAL_CX").value
        set_tracker = getattr(mozjs, _SET_TRACKER)
        promise_id = mozjs._ZN2JS12GetPromiseIDENS_6HandleIP8JSObjectEE
        promise_result = mozjs._ZN2JS16GetPromiseResultENS_6HandleIP8JSObjectEE
        to_python = pm_so._Z13pyTypeFactoryP9JSContextN2JS6HandleINS1_5ValueEEE
    except (OSError, AttributeError, StopIteration, ValueError):
        return
    if not cx:
        return
    promise_id.restype = ctypes.c_uint64
    promise_id.argtypes = [ctypes.c_void_p]
    promise_result.restype = ctypes.c_uint64  # a JS::Value, returned in a register
    promise_result.argtypes = [ctypes.c_void_p]
    to_python.restype = ctypes.py_object  # a new reference: ctypes takes it over
    to_python.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    set_tracker.restype = None
    set_tracker.argtypes = [ctypes.c_void_p, _TRACKER_TYPE, ctypes.c_void_p]
    _promise_id, _promise_result, _to_python = promise_id, promise_result, to_python
    _tracker = _TRACKER_TYPE(_on_rejection)
    set_tracker(cx, _tracker, None)


def _on_rejection(cx: int, muted: bool, promise: int, state: int, data: int) -> None:
    """Called by SpiderMonkey, inside JS, when a promise is rejected unhandled or handled late."""
    try:
        if state != _UNHANDLED_STATE:
            reason = _rejections.pop(_promise_id(promise), None)
            if type(reason) is _pm.SpiderMonkeyError:
                js_error_of(reason)  # drops the reference pythonmonkey leaks on its jsError
            return
        # The reason stays reachable from the promise (rooted by the engine's handle) while it
        # is converted; pythonmonkey's proxy then roots it for as long as the note exists.
        value = ctypes.c_uint64(_promise_result(promise))
        reason = _to_python(cx, ctypes.addressof(value))
        # A number comes as a float with one reference too many (as everywhere in pythonmonkey):
        # `reason` + getrefcount's argument + the lost one.
        if type(reason) is float and getrefcount(reason) == 3:
            drop_lost_reference(reason)
        _rejections[_promise_id(promise)] = reason
        loop = asyncio._get_running_loop()
        if loop is not None:
            wake = getattr(loop, "_bridge_wake", None)
            if wake is not None:
                wake()
    except BaseException as exc:  # never let a Python error unwind through the engine
        loop = asyncio._get_running_loop()
        if loop is not None:
            loop.call_exception_handler(
                {"message": "Exception in bridge's JS rejection tracker", "exception": exc}
            )
        else:
            traceback.print_exception(type(exc), exc, exc.__traceback__)


def _report_unhandled(loop: asyncio.AbstractEventLoop) -> None:
    """Report, once each, the rejections still unhandled now that the microtasks ran out."""
    from . import _convert  # the layer above, loaded by now (it set the hooks)

    pending = list(_rejections.values())
    _rejections.clear()
    for reason in pending:
        exc = _convert.to_exception(reason)
        report(exc, promise=None, loop=loop)


# --- async stacks ---------------------------------------------------------------------------------

# SpiderMonkey, as pythonmonkey configures it, captures the JS stack for every promise it creates
# (PromiseDebugInfo, JS::CaptureCurrentStack), so that error stacks can show the async callers
# ("async*b@file:1"). Profiled here, that capture is a third of the CPU time of a promise-heavy
# JS loop. Firefox's release builds capture those stacks only for realms a debugger watches;
# bridge does the same by default (BRIDGE_ASYNC_STACKS=1 keeps pythonmonkey's setting). The
# option is one bit of JS::ContextOptions, which mozjs keeps inside the JSContext; the bit is
# found and then proven by JS::IsAsyncStackCaptureEnabledForRealm turning false, and put back
# on any other build.
_CONTEXT_OPTIONS_REF = "_ZN2JS17ContextOptionsRefEP9JSContext"
_ASYNC_STACK_ENABLED = "_ZN2JS34IsAsyncStackCaptureEnabledForRealmEP9JSContext"
_ASYNC_STACK = 0x100  # asyncStack_, in the 16-bit word of flags this mozjs starts with
_ASYNC_STACK_DEBUGGEE_ONLY = 0x200  # asyncStackCaptureDebuggeeOnly_


_async_stack_flags: ctypes.c_uint16 | None = None  # the proven flags word, once found


def _capture_async_stacks_for_debuggees_only() -> bool:
    """Set ``asyncStackCaptureDebuggeeOnly`` on the engine's context; True when it took."""
    global _async_stack_flags
    where = Path(_pm.__file__).parent
    try:
        pm_so = ctypes.PyDLL(str(where / "pythonmonkey.so"))
        mozjs = ctypes.CDLL(str(next(where.glob("libmozjs-*.so"))))
        cx = ctypes.c_void_p.in_dll(pm_so, "GLOBAL_CX").value
        options_ref = getattr(mozjs, _CONTEXT_OPTIONS_REF)
        enabled = getattr(mozjs, _ASYNC_STACK_ENABLED)
    except (OSError, AttributeError, StopIteration, ValueError):
        return False
    if not cx:
        return False
    options_ref.restype = ctypes.c_void_p
    options_ref.argtypes = [ctypes.c_void_p]
    enabled.restype = ctypes.c_bool
    enabled.argtypes = [ctypes.c_void_p]
    flags = ctypes.c_uint16.from_address(options_ref(cx))
    before = flags.value
    if not enabled(cx) or before & (_ASYNC_STACK | _ASYNC_STACK_DEBUGGEE_ONLY) != _ASYNC_STACK:
        return False  # not the layout measured on pythonmonkey 1.4.1's mozjs: leave it
    flags.value = before | _ASYNC_STACK_DEBUGGEE_ONLY
    if enabled(cx):
        flags.value = before
        return False
    _async_stack_flags = flags
    return True


def set_async_stacks(enabled: bool) -> bool:
    """Capture async stacks for every promise (True) or for debuggee realms only (False).

    For measuring the cost (``benchmarks/crossing.py``); users choose with BRIDGE_ASYNC_STACKS.
    Returns False when the flag could not be found on this build (nothing changed).
    """
    engine()
    if _async_stack_flags is None:
        return False
    if enabled:
        _async_stack_flags.value &= ~_ASYNC_STACK_DEBUGGEE_ONLY
    else:
        _async_stack_flags.value |= _ASYNC_STACK_DEBUGGEE_ONLY
    return True


# --- loop integration ---------------------------------------------------------------------------


_JOB_WRAPPER = "eventLoopJobWrapper"  # the name of pythonmonkey's per-job PyCFunction
_LEAKED_JOB_REFS = 3  # after the job ran: our local + pythonmonkey's lost one + getrefcount's
_RELEASE_CHUNK = 64
_GC_EVERY_JOBS = 100_000
_jobs_since_gc = 0
# Job wrappers that ran, each still holding the reference pythonmonkey lost; at most a chunk.
_lost: list[object] = []


def _release_lost_references(objects: list[object]) -> None:
    """Drop the one reference pythonmonkey 1.4.1 takes to each job wrapper and never releases.

    Each wrapper holds the job's JSFunctionProxy and, through it, a rooted JS function: about
    0.3 KB per promise job that would otherwise never be freed. One ctypes call per chunk:
    ``Py_BuildValue("(NN...)")`` steals one reference per "N" into a tuple, and dropping the
    tuple releases them (cheaper than a ctypes ``Py_DecRef`` per job).
    """
    global _jobs_since_gc
    for start in range(0, len(objects), _RELEASE_CHUNK):
        chunk = objects[start : start + _RELEASE_CHUNK]
        tup = _build_value(_STEAL_FORMATS[len(chunk)], *map(ctypes.py_object, chunk))
        if tup:
            _decref(tup)
    # Each job also leaves garbage SpiderMonkey does not see (pythonmonkey's malloc'ed roots
    # and proxies), so its own GC comes late and RSS climbs ~20 MB per 100,000 awaits before
    # it does. A full GC every _GC_EVERY_JOBS jobs keeps memory flat for ~1-2% of the time.
    _jobs_since_gc += len(objects)
    if _jobs_since_gc >= _GC_EVERY_JOBS:
        _jobs_since_gc = 0
        _pm.collect()


# A private handle on the C API: ctypes.pythonapi's function objects are shared process-wide,
# and setting their argtypes/restype here would change them for every other user.
_capi = ctypes.PyDLL(ctypes.pythonapi._name, handle=ctypes.pythonapi._handle)


def js_error_of(exc: BaseException) -> Any:
    """``exc.jsError`` of a SpiderMonkeyError, without the reference pythonmonkey leaks on it.

    pythonmonkey sets that attribute without dropping its own reference, so every JS error that
    reaches Python would stay rooted (and, for a PythonError, keep its Python exception and the
    traceback's frames alive) forever. Read through the instance dict: never call this for a
    null/undefined reason (the proxy is broken there; only reading it is safe, not using it).
    """
    js = vars(exc).get("jsError")
    # The instance dict + `js` + getrefcount's argument = 3; a fourth is pythonmonkey's lost one.
    if js is not None and getrefcount(js) == _LEAKED_ATTR_REFS:
        _decref(id(js))
    return js


_LEAKED_ATTR_REFS = 4


def drop_lost_reference(obj: object) -> None:
    """Release one reference pythonmonkey took on ``obj`` and lost (the caller checked that).

    Batched with the job wrappers' lost references: a ctypes call costs about 1 us, more than
    the rest of a property read, so ``obj`` waits in ``_lost`` (at most a chunk) and goes with
    the next chunk, one C call per 64.
    """
    _lost.append(obj)
    if len(_lost) >= _RELEASE_CHUNK:
        _release_lost_references(_lost)
        _lost.clear()


_LEAKED_FLOAT_REFS_IN_SET_RESULT = 6  # see JSFuture.set_result
_drain_code: Any = None
_build_value = _capi.Py_BuildValue
_build_value.restype = ctypes.c_void_p
_decref = _capi.Py_DecRef
_decref.argtypes = [ctypes.c_void_p]
_decref.restype = None
_capi.PyThreadState_Get.restype = ctypes.c_void_p
_capi.PyThreadState_Get.argtypes = []
_STEAL_FORMATS = {n: b"(" + b"N" * n + b")" for n in range(1, _RELEASE_CHUNK + 1)}


def _microtask_queue(loop: asyncio.AbstractEventLoop) -> Callable[..., Any]:
    """The JS job queue of one loop, returned as its ``call_soon_threadsafe`` replacement.

    pythonmonkey calls ``loop.call_soon_threadsafe(wrapper)`` once per promise job; the jobs
    go to a deque drained completely in one loop callback, FIFO. Jobs queued while draining run
    in the same drain, so a promise chain finishes before any timer or I/O callback (as in
    Node and browsers), no Handle is made per job, the self-pipe is not written, and each
    wrapper is dropped right after it runs. A closure, not a class: this is the hottest path.
    """
    jobs: collections.deque[Callable[[], object]] = collections.deque()
    keep = _lost.append
    push = jobs.append
    popleft = jobs.popleft
    real = type(loop).call_soon_threadsafe.__get__(loop)
    call_soon = loop.call_soon
    owner = _owner
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
                    if len(_lost) >= _RELEASE_CHUNK:
                        _release_lost_references(_lost)
                        _lost.clear()
                del job
            if _rejections:  # the queue ran dry: what is still unhandled now, is
                _report_unhandled(loop)
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

    # Class-level defaults: no Python __init__ on the hot path; bridge._convert.wrap sets both
    # when the future reaches Python code. `task` is the task current at that moment: the
    # cancellation layer aborts that task's signal when this future is cancelled.
    delivered = False
    task: asyncio.Task[Any] | None = None

    def set_result(self, result: Any) -> None:
        if type(result) in _wrapped_types:  # a JS object or function: as bridge hands them over
            result = _wrap(result)
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
            drop_lost_reference(result)

    def set_exception(self, exception: BaseException | type[BaseException]) -> None:
        if self.done():
            return
        if isinstance(exception, BaseException) and type(exception) is _spidermonkey_error():
            exception = _map_error(exception)
        super().set_exception(exception)

    def cancel(self, msg: Any = None) -> bool:
        # Read first: cancel() hands the callbacks (the awaiting task's wakeup) to the loop.
        callbacks = self._callbacks
        cancelled = super().cancel(msg)
        if cancelled:
            from . import _cancel  # higher layer, imported when first needed

            _cancel.future_cancelled(self.task, sys._getframe(1), callbacks)
        return cancelled


_future_set_result = asyncio.Future.set_result
_wrapped_types: frozenset[type] = frozenset()  # pythonmonkey's object/function proxy types


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
    return _pm.SpiderMonkeyError  # type: ignore[no-any-return]


def _refuse_uvloop(loop: asyncio.AbstractEventLoop | None) -> None:
    """Raise before pythonmonkey touches a uvloop loop (or is even imported under one).

    Measured: pythonmonkey 1.4.1 segfaults as soon as a promise job and a timer share a uvloop
    loop (raw pythonmonkey too); and on Python 3.13, importing it while a uvloop loop runs
    leaves it scheduling jobs on that loop after it closed.
    """
    if loop is None:
        return
    kind = f"{type(loop).__module__}.{type(loop).__qualname__}"
    if kind.startswith("uvloop"):
        raise BridgeError(
            f"bridge cannot run JS on uvloop's event loop ({kind}): pythonmonkey 1.4.1 crashes "
            "the process when JS promise jobs and timers run on a uvloop loop. Use asyncio's "
            "default loop (asyncio.run(main()) without uvloop.run/uvloop.install)."
        )


def _attach(loop: asyncio.AbstractEventLoop) -> None:
    global _attached
    _refuse_uvloop(loop)
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
    if _pm is not None and type(exc) is _pm.SpiderMonkeyError:
        mapped = _map_error(exc)
        mapped.__suppress_context__ = True
        return mapped
    if _no_loop(exc):
        not_ready = RuntimeNotReady(_NO_LOOP_MESSAGE)
        not_ready.__suppress_context__ = True
        return not_ready
    return None


def call(fn: Callable[..., T], *args: Any) -> T:
    """Call into the engine with the loop attached, translating pythonmonkey's failures."""
    engine()
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


# --- public entry points ------------------------------------------------------------------------


def eval(code: str, *, filename: str = "<eval>", lineno: int = 1) -> Any:
    """``bridge.eval``: evaluate JS source; functions come back wrapped, promises as futures."""
    pm = engine()
    options = {"filename": filename, "lineno": lineno}
    return _wrap(call(pm.eval, code, options))


def js_globals() -> Any:
    """``bridge.globals``: the JS global object (a ``JSObject``, like every JS object)."""
    return _wrap(engine().globalThis)


def run(x: str | Coroutine[Any, Any, T], *, filename: str = "<run>") -> Any:
    """``bridge.run``: the settled value of JS source or a coroutine, from synchronous code."""
    engine()
    if isinstance(x, str):
        source = x

        async def main() -> Any:
            value = eval(source, filename=filename)
            raw = getattr(value, "js_value", None) if type(value).__name__ == "JSObject" else None
            if raw is not None and _helpers.isThenable(raw):
                value = call(_helpers.adopt, raw)  # a JS thenable settles like a promise
            if inspect.isawaitable(value):
                return await value
            return value

        return asyncio.run(main())
    if inspect.iscoroutine(x):
        return asyncio.run(x)
    raise TypeError(f"bridge.run takes JS source (str) or a coroutine, not {type(x).__name__}")


def require(path: str | os.PathLike[str], *, _depth: int = 1) -> Any:
    """``bridge.require``: CommonJS exports of ``path``, relative to the caller's file; cached."""
    pm = engine()
    target = Path(path)
    if not target.is_absolute():
        frame = sys._getframe(_depth)
        caller = frame.f_globals.get("__file__")
        base = Path(caller).resolve().parent if caller else Path.cwd()
        target = base / target
    key = str(target.resolve() if target.exists() else target)
    if key not in _require_cache:
        _require_cache[key] = _wrap(call(pm.require, key))
    return _require_cache[key]


def new(cls: Any) -> Callable[..., Any]:
    """``bridge.new``: a Python callable that runs the JS ``new`` operator on ``cls``."""
    h = helpers()
    raw = getattr(cls, "js_value", cls)

    def construct(*args: Any) -> Any:
        return _wrap(call(h.construct, raw, list(args)))

    return construct


# The conversion layer (bridge._convert) sits above this module; higher layers (``_cancel``,
# ``_promise``) may ask the runtime for it, so these names are forwarded on first use.
_FORWARDED = frozenset(
    {"to_js", "to_future", "to_exception", "to_js_error", "is_js_object", "wrap"}
)


def __getattr__(name: str) -> Any:
    if name in _FORWARDED:
        from . import _convert

        return getattr(_convert, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
