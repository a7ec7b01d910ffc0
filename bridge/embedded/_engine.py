"""The engine: pythonmonkey imported and started on first use, and the thread that owns it.

Importing bridge stays cheap: the engine starts at the first JS use, on the main thread only.
SpiderMonkey is single-threaded and pythonmonkey fails from other threads with "too much
recursion" (or a segfault at exit when first imported off the main thread), so any other thread
gets ``WrongThread``. The JS files of ``js/`` are evaluated once at start; their completion
values are the helpers the layers above call. uvloop is refused before pythonmonkey is imported
(pythonmonkey 1.4.1 segfaults when promise jobs and timers share a uvloop loop).
"""

from __future__ import annotations

import asyncio
import ctypes
import importlib
import io
import os
import posixpath
import signal
import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._exceptions import BridgeError, WrongThread
from .._hooks import Hooks


def _js_dir() -> Path:
    # js/ ships inside the package as bridge._js (pyproject maps it); a source checkout that was
    # not installed still finds it beside the package.
    try:
        from importlib.resources import files

        found = Path(str(files("bridge._js")))
    except (ImportError, TypeError):
        found = Path(__file__).resolve().parent.parent.parent / "js"
    return found


_pm: Any = None
_helpers: Any = None
_js_modules: dict[str, Any] = {}
_owner: int | None = None
_start_lock = threading.Lock()
_null: Any = object()  # pythonmonkey's JS null once started (nothing is it before)
_wrapped_types: frozenset[type] = frozenset()  # pythonmonkey's object/function proxy types

# The layers above add what must happen once the engine is up (the rejection tracker, the
# loop hook...), in import order: lowest layer first.
on_start: Hooks[Callable[[Any], None]] = Hooks("on_start")

# --- engine start and thread policy -----------------------------------------------------------


def _thread_message(action: str) -> str:
    # The advice must hold wherever the caller's loop runs: the engine's thread is the main
    # thread, which may or may not run the loop the caller is on.
    name = threading.current_thread().name
    owner = threading.main_thread().name
    return (
        f"bridge's embedded JS engine belongs to the main thread ({owner!r}) and cannot be "
        f"{action} from thread {name!r}: run the JS work on the main thread, e.g. submit it "
        "to the event loop the main thread runs with "
        "asyncio.run_coroutine_threadsafe(coro, main_loop); if your event loop runs in "
        "another thread, use the Node.js runtime (bridge.node()), which works from any thread"
    )


def owner() -> int | None:
    """The ident of the engine's thread (None before the engine started)."""
    return _owner


def check_thread() -> None:
    """Raise ``WrongThread`` unless called on the engine's thread (cheap: one ident compare)."""
    if threading.get_ident() != _owner and _owner is not None:
        if _forked_from is not None:
            raise BridgeError(_forked_message())
        raise WrongThread(_thread_message("used"))


# --- fork ----------------------------------------------------------------------------------------

# A process forked after the engine started has a copy of SpiderMonkey's heap but not its helper
# threads: its first JS garbage collection waits for them forever. So the child gets no engine:
# every JS use raises BridgeError (the owner ident is changed so that the one-compare thread
# check on every hot path catches it). A child forked before the engine started starts its own.
_forked_from: int | None = None


def _forked_message() -> str:
    return (
        f"bridge's JS engine cannot be used in this process: it was forked (from pid "
        f"{_forked_from}) after the engine started, and a forked SpiderMonkey hangs at its "
        "first garbage collection. Start the engine only in the child, or use the 'spawn' or "
        "'forkserver' start method of multiprocessing (multiprocessing.get_context('spawn'))."
    )


def _after_fork_in_child() -> None:
    global _forked_from, _owner
    if _pm is not None:
        _forked_from = _parent_pid
        _owner = -1  # no thread's ident: every JS use goes to check_thread and raises
        _no_cleanup_at_exit()


def _no_cleanup_at_exit() -> None:
    # pythonmonkey destroys its context when its module is torn down at exit (the destructor
    # of a capsule, ``___cleanup``), which runs a last GC: that hangs in a forked child too. The
    # child leaves the copied engine alone instead: the process's exit frees its memory anyway.
    capsule = getattr(getattr(_pm, "pythonmonkey", None), "___cleanup", None)
    if capsule is None:
        return
    set_destructor = ctypes.pythonapi.PyCapsule_SetDestructor
    set_destructor(ctypes.py_object(capsule), None)
    # After Python finalized, exit() runs SpiderMonkey's static destructors, and one of its
    # mutexes, held by a helper thread at the fork, cannot be destroyed: MOZ_CRASH. glibc's
    # on_exit hands the exit status to its function, so _exit itself, registered last (and so
    # run first), ends the process with that status before them. Elsewhere: left as it is.
    try:
        libc = ctypes.CDLL(None)
        on_exit, quick_exit = libc.on_exit, libc._exit
    except (OSError, AttributeError):
        return
    on_exit.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    on_exit(ctypes.cast(quick_exit, ctypes.c_void_p), None)


_parent_pid = os.getpid()


def _before_fork() -> None:
    global _parent_pid
    _parent_pid = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


def engine() -> Any:
    """The pythonmonkey module, the engine started on first call (main thread only)."""
    if _pm is None:
        _start()
    elif threading.get_ident() != _owner:
        if _forked_from is not None:
            raise BridgeError(_forked_message())
        raise WrongThread(_thread_message("used"))
    return _pm


def helpers() -> Any:
    """The helpers object js/runtime.js evaluates to (describe, deferred, construct...)."""
    if _helpers is None:
        _start()
    return _helpers


def js_file(*parts: str) -> str:
    """The path of a file shipped in js/ (``js_file("lib", "empty.js")``)."""
    return str(_js_dir().joinpath(*parts))


def js_module(name: str) -> Any:
    """The completion value of ``js/<name>.js``, evaluated once at engine start."""
    engine()
    return _js_modules[name]


def _start() -> None:
    if _forked_from is not None:
        raise BridgeError(_forked_message())
    if threading.current_thread() is not threading.main_thread():
        # An engine first imported off the main thread works, but the process segfaults at exit.
        raise WrongThread(_thread_message("started"))
    with _start_lock:
        if _pm is not None:
            return
        _refuse_uvloop(asyncio._get_running_loop())
        # A KeyboardInterrupt raised inside pythonmonkey's start-up code aborts the process
        # (a C++ assertion): Ctrl-C waits until the engine is up (a blocked signal stays
        # pending) and is raised right after, as a plain KeyboardInterrupt.
        masked = hasattr(signal, "pthread_sigmask")
        if masked:
            before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            _start_engine()
        finally:
            if masked:
                signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _start_engine() -> None:
    global _pm, _helpers, _owner, _wrapped_types, _null
    pm = _import_pythonmonkey()

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
    # A plain namespace of the helper functions: reading one off the JS object through
    # pythonmonkey costs microseconds on every bridged call.
    _helpers = types.SimpleNamespace(**dict(_js_modules["runtime"]))
    _wrapped_types = frozenset(
        {
            pm.JSObjectProxy,
            pm.JSFunctionProxy,
            pm.JSMethodProxy,
            pm.SpiderMonkeyError,
            pm.JSArrayProxy,
        }
    )
    _null = pm.null
    _pm = pm
    for start in on_start.fns:
        start(pm)


def _import_pythonmonkey() -> Any:
    # pythonmonkey's import sets sys.stdin's encoding to UTF-8, which raises once anything has
    # read stdin (IPython's prompt, input(), piped data): the engine would never start. Where
    # that call would fail, stdin is hidden from the import; elsewhere it is left to do it.
    stdin = sys.stdin
    if isinstance(stdin, io.TextIOWrapper):
        try:
            stdin.reconfigure(encoding="utf-8")
        except io.UnsupportedOperation:
            sys.stdin = None  # type: ignore[assignment]
    # pythonmonkey 1.4.1 hands JS strings to Python as str proxies whose wide-char conversion
    # (the C code of os.path.normpath, which its require calls on every path it tries) misreads
    # them on some installations: a segfault inside `import pythonmonkey`, depending only on
    # the folders on sys.path. Its require gets a normpath that copies the string first.
    posixpath.normpath = _copying_normpath  # type: ignore[assignment]
    try:
        import pythonmonkey as pm
    finally:
        sys.stdin = stdin
        posixpath.normpath = _normpath
    module = importlib.import_module("pythonmonkey.require")  # pm.require is its function
    if getattr(module, "os", None) is os:
        patched = types.SimpleNamespace(**vars(os))
        patched.path = types.SimpleNamespace(**vars(os.path))
        patched.path.normpath = _copying_normpath
        module.os = patched  # type: ignore[attr-defined]
    return pm


_normpath = posixpath.normpath


def _copying_normpath(path: Any) -> Any:
    return _normpath(str(path) if isinstance(path, str) and type(path) is not str else path)


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
