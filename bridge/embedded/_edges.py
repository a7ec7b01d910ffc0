"""The sharp edges of pythonmonkey 1.4.1 that bridge contains, each checked before it is touched.

* Lost references: pythonmonkey keeps one reference to each promise-job wrapper, sets ``jsError``
  on every JS error it converts, and hands JS numbers over as floats (results, values,
  arguments), each with one reference it never releases. Callers that proved such a reference
  (getrefcount) hand the object to ``drop_lost_reference``; they are released in chunks through
  a private C-API handle, and a JS GC runs every 100,000 jobs or calls, since SpiderMonkey does
  not see pythonmonkey's memory for them.
* JS strings and functions in Python: pythonmonkey's deallocs of their proxies never free the
  objects; bridge wraps them so they do.
* False "Uncaught": pythonmonkey's rejection tracker makes a future for every promise rejected
  without a handler yet (marking it handled, so a handler attached a tick later is invisible),
  and installs a loop exception handler that prints "Uncaught" and calls ``pm.stop()``. bridge
  replaces it with its own (through SpiderMonkey's C API): rejections still unhandled when a
  microtask drain ends are reported once, mapped.
* Async stacks: captured for debuggee realms only (a third of a promise-heavy loop's CPU).
* Python 3.13.0: the 3.13 wheel reads the running loop at the wrong thread-state offset; bridge
  mirrors asyncio's pointer where pythonmonkey reads it.

Each containment checks the layout or symbols it relies on and leaves the engine as it was on
any other build.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from sys import getrefcount
from typing import Any

from .._hooks import Hook
from .._unhandled import report
from . import _engine

# Set by the values layer: the Python exception for a JS rejection reason.
to_exception: Hook[Callable[[Any], BaseException]] = Hook("to_exception")

# --- references pythonmonkey loses ----------------------------------------------------------------


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
        collect()


def collect() -> None:
    """A full JS GC now. Also due after _GC_EVERY_JOBS calls between Python and JS, which leave
    the same unseen garbage (the values layer counts them in _jobs_since_gc)."""
    global _jobs_since_gc
    _jobs_since_gc = 0
    _engine.engine().collect()


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


_build_value = _capi.Py_BuildValue
_build_value.restype = ctypes.c_void_p
_decref = _capi.Py_DecRef
_decref.argtypes = [ctypes.c_void_p]
_decref.restype = None
_capi.PyThreadState_Get.restype = ctypes.c_void_p
_capi.PyThreadState_Get.argtypes = []
_STEAL_FORMATS = {n: b"(" + b"N" * n + b")" for n in range(1, _RELEASE_CHUNK + 1)}


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
            if type(reason) is _engine._pm.SpiderMonkeyError:
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
    pending = list(_rejections.values())
    _rejections.clear()
    for reason in pending:
        exc = to_exception(reason)
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
    where = Path(_engine._pm.__file__).parent
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
    _engine.engine()
    if _async_stack_flags is None:
        return False
    if enabled:
        _async_stack_flags.value &= ~_ASYNC_STACK_DEBUGGEE_ONLY
    else:
        _async_stack_flags.value |= _ASYNC_STACK_DEBUGGEE_ONLY
    return True


# --- BaseExceptions that JS must not catch ----------------------------------------------------

# KeyboardInterrupt, SystemExit and GeneratorExit raised by a Python function that JS called
# belong to Python: a JS `try {} catch {}` must not swallow them. bridge notes the exception
# (``escape``) and stops the JS that is running with SpiderMonkey's uncatchable termination: an
# interrupt callback (JS_AddInterruptCallback) that answers false while one is noted, requested
# at once (JS_RequestInterruptCallback); the JS side of the call then spins until SpiderMonkey
# checks it (see syncFunction in js/runtime.js). No catch or finally block runs; the call from
# Python that started the JS raises the noted exception (``take_escaped``).
_INTERRUPT_TYPE = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_void_p)
_escaped: BaseException | None = None
_on_interrupt: Any = None  # the ctypes callback, kept alive while the engine may call it
_request_interrupt: Any = None
_cx: int = 0


def _stop_requested(cx: int) -> bool:
    return _escaped is None  # False: terminate the running JS, uncatchably


def _install_interrupt(pm: Any) -> None:
    global _on_interrupt, _request_interrupt, _cx
    where = Path(pm.__file__).parent
    try:
        pm_so = ctypes.PyDLL(str(where / "pythonmonkey.so"))
        mozjs = ctypes.PyDLL(str(next(where.glob("libmozjs-*.so"))))
        cx = ctypes.c_void_p.in_dll(pm_so, "GLOBAL_CX").value
        add = mozjs._Z23JS_AddInterruptCallbackP9JSContextPFbS0_E
        request = mozjs._Z27JS_RequestInterruptCallbackP9JSContext
    except (OSError, AttributeError, StopIteration, ValueError):
        return
    if not cx:
        return
    add.argtypes = [ctypes.c_void_p, _INTERRUPT_TYPE]
    add.restype = ctypes.c_bool
    request.argtypes = [ctypes.c_void_p]
    request.restype = None
    callback = _INTERRUPT_TYPE(_stop_requested)
    if add(cx, callback):
        _on_interrupt, _request_interrupt, _cx = callback, request, cx


def escape(exc: BaseException) -> bool:
    """Note ``exc`` for the Python caller of the running JS; True if that JS will be stopped."""
    global _escaped
    _escaped = exc
    if _request_interrupt is None:
        return False
    _request_interrupt(_cx)
    return True


interrupted = False  # a KeyboardInterrupt caught where pythonmonkey would lose it, to raise
# The code of Python functions C calls back, where an exception would be lost (Python 3.10's
# SIGINT handler notes a Ctrl-C landing in one instead: see _loop._keep_ctrl_c).
c_callbacks: set[Any] = set()


def take_escaped() -> BaseException:
    """The noted exception, forgotten here: the caller raises it."""
    global _escaped
    exc, _escaped = _escaped, None
    assert exc is not None
    return exc


# --- JS strings and functions in Python: freed whole --------------------------------------------

# pythonmonkey's deallocs of the Python objects that stand for JS strings (JSStringProxy, a str
# whose characters stay in SpiderMonkey) and JS functions (JSFunctionProxy) release the JS value
# but never free the object itself (no tp_free call): each JS string or function that ever
# reached Python kept 88 or 24 bytes, and a function reaches Python for every promise job run.
# bridge wraps such a dealloc: the original runs, then the type's tp_free (for a string, also
# the UTF-8 copy Python may have cached beside it). Done only where a probe shows the original
# leaks and the type's layout is the one written for.
_DEALLOC = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_HELD = ctypes.PYFUNCTYPE(None, ctypes.c_void_p)
_TP_BASICSIZE, _TP_DEALLOC, _TP_FREE = 4, 6, 40  # PyTypeObject slots, in pointer-sized words
# A string proxy: offsets of PyCompactUnicodeObject.utf8 and PyUnicodeObject.data.any, its size
# (the wstr fields went in 3.12).
_UTF8_AT, _DATA_AT, _STRING_PROXY_SIZE = (
    (56, 72, 88) if sys.version_info < (3, 12) else (48, 56, 72)
)
_FUNCTION_PROXY_SIZE = 24  # PyObject_HEAD and the rooted JS function
_PROBES = 16
# The ctypes callbacks, never freed (objects die while modules are torn down too).
_deallocs: dict[int, Any] = {}  # id of the type -> its callback


def _leaks_one_each(make: Callable[[], object]) -> bool:
    """True if making and dropping what ``make`` returns keeps a Python memory block each time
    (a proxy that outlives it, or one pythonmonkey made and dropped on the way to a copy)."""
    gc.collect()
    before = sys.getallocatedblocks()
    made = [make() for _ in range(_PROBES)]
    del made
    return sys.getallocatedblocks() - before >= _PROBES // 2


def _free_whole(kind: type, size: int, make: Callable[[], object], text: bool) -> None:
    slots = (ctypes.c_void_p * (_TP_FREE + 1)).from_address(id(kind))
    object_free = ctypes.cast(_capi.PyObject_Free, ctypes.c_void_p).value
    if (
        id(kind) in _deallocs
        or kind.__basicsize__ != size
        or slots[_TP_BASICSIZE] != size
        or not object_free
        or slots[_TP_FREE] != object_free  # not a GC type: freed with PyObject_Free
        or not slots[_TP_DEALLOC]
        or not _leaks_one_each(make)
    ):
        return  # not the layout or the behaviour this was written for: left as it is
    # Called with the GIL held (PYFUNCTYPE): the allocator needs it, from 3.12 to find its state.
    original = _HELD(slots[_TP_DEALLOC] or 0)
    free = _HELD(object_free)
    pointer = ctypes.c_void_p.from_address
    finalizing = sys.is_finalizing

    # Everything it uses is bound here: objects are freed while the interpreter tears this
    # module's globals down too.
    def dealloc(
        address: int, text: bool = text, utf8_at: int = _UTF8_AT, data_at: int = _DATA_AT
    ) -> None:
        utf8 = pointer(address + utf8_at).value if text else None
        data = pointer(address + data_at).value if text else None
        original(address)
        if finalizing():  # the process is ending: its memory goes with it
            return
        if utf8 and utf8 != data:
            free(utf8)
        free(address)

    c_callbacks.add(dealloc.__code__)
    callback = _deallocs[id(kind)] = _DEALLOC(dealloc)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(callback))
    slots[_TP_DEALLOC] = ctypes.cast(callback, ctypes.c_void_p).value


def _free_proxies(pm: Any) -> None:
    _free_whole(pm.JSFunctionProxy, _FUNCTION_PROXY_SIZE, pm.eval("() => () => 1"), False)
    # Strings stay proxies before 3.12; from 3.12 pythonmonkey makes one and drops it for the
    # copy it hands over (Latin-1 ones in 3.12, all from 3.13): the same leak each time.
    _free_whole(pm.JSStringProxy, _STRING_PROXY_SIZE, pm.eval("() => 'probe ' + 1"), True)


def _start(pm: Any) -> None:
    _install_interrupt(pm)
    _free_proxies(pm)
    _track_rejections(pm)
    if os.environ.get("BRIDGE_ASYNC_STACKS", "") in ("", "0"):
        _capture_async_stacks_for_debuggees_only()


_engine.on_start.add(_start)
