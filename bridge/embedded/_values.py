"""Crossing the boundary: JS promises <-> asyncio futures, JS errors <-> Python exceptions.

JS -> Python
    A JS promise reaching Python is already an asyncio future (``_loop.JSFuture``, created by
    pythonmonkey on the running loop); ``to_future`` also adopts any JS thenable and any Python
    awaitable. JS functions come back as ``JSFunction``: callable, their own properties reachable
    as attributes (``Bluebird.delay``), and handed back to JS as the very same function. JS
    objects come back as ``JSObject``: attributes and items, methods bound to the object, every
    JS throw mapped, the very same object again in JS; a function read as a property is the
    function itself, called with its object as ``this``. Both are awaitable: a thenable is
    adopted, anything else is itself (as JS ``await``). Arrays become list copies, ``null`` None,
    a BigInt an int; a Symbol or a Date Python cannot hold is a ``BridgeError``.

Python -> JS
    ``to_js`` gives what JS sees as a Promise for a coroutine, Task, asyncio or
    ``concurrent.futures`` future, ``bridge.Promise`` or any awaitable (a plain value gives a
    resolved one). ``expose`` puts Python objects on ``globalThis``: an ``async def`` called from
    JS returns a native Promise (an ``AsyncFunction`` to libraries that check), a ``blocking``
    function runs in an executor. A Python function gets at most the arguments its signature
    accepts; an int beyond 2**53 - 1 becomes a BigInt.

Errors (DESIGN.md)
    ``to_exception`` maps a thrown/rejected JS value: the class by the JS error's kind
    (``instanceof``, or its name for errors from elsewhere), a custom subclass keeps ``.name``,
    ``cause`` becomes ``__cause__``, ``AggregateError.errors`` becomes ``.errors``, and a non-Error
    reason becomes ``JSRejection`` with ``.value``. ``to_js_error`` makes a ``PythonError`` for a
    Python exception. A round trip gives back the original (``===`` in JS, ``is`` in Python)
    through links that go one way only (a mapped exception holds its JS error, a PythonError
    holds its exception): a link back would close a cycle through both heaps that neither
    garbage collector can free. A Python function called from JS reports its exception to the
    JS side of its wrapper, which throws it, so the exception never holds its PythonError.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import functools
import inspect
import linecache
import os
import sys
import traceback
import types
from collections.abc import Callable, Generator, Iterator
from sys import getrefcount
from threading import get_ident
from typing import Any, ParamSpec, TypeVar, cast

from .. import _promise
from .._exceptions import (
    ERROR_KINDS,
    NOT_FOUND,
    BridgeError,
    JSAggregateError,
    JSError,
    JSRejection,
    JSSyntaxError,
    RuntimeNotReady,
    error_properties,
)
from .._hooks import Hook
from . import _edges, _engine, _loop

__all__ = [
    "JSFunction",
    "JSObject",
    "blocking",
    "expose",
    "is_js_object",
    "to_exception",
    "to_future",
    "to_js",
    "to_js_error",
    "wrap",
]

T = TypeVar("T")

# Set by the cancellation layer above: async iteration and AbortSignals of exposed calls.
iterate: Hook[Callable[[Any], Any]] = Hook("iterate")
to_js_iterator: Hook[Callable[[Any], Any]] = Hook("to_js_iterator")
signals_in: Hook[Callable[[list[Any]], list[Any]]] = Hook("signals_in")
already_aborted: Hook[Callable[[list[Any]], Any]] = Hook("already_aborted")
link_signals: Hook[Callable[[asyncio.Future[Any], list[Any]], None]] = Hook("link_signals")
abort_error: Hook[Callable[[asyncio.Future[Any]], Any]] = Hook("abort_error")

_get_running_loop = asyncio._get_running_loop
_current_task = asyncio.current_task

_P = ParamSpec("_P")
_R = TypeVar("_R")

# pythonmonkey's message for a synchronously thrown null/undefined; its `.jsError` must not be
# read (that segfaults). A thrown *string* "null" looks the same and is taken as null.
_SYNC_NULL = "uncaught exception: null\n"
_SYNC_UNDEFINED = "uncaught exception: undefined\n"


class _Box:
    """What a JS object holds to stand for a Python exception (JS sees an opaque proxy)."""

    __slots__ = ("__weakref__", "exc")

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def __repr__(self) -> str:
        return f"<Python exception {self.exc!r}>"


# --- JS errors -> Python exceptions --------------------------------------------------------------


def to_exception(value: Any) -> BaseException:
    """The Python exception for a JS value that was thrown or rejected with.

    ``value`` is what pythonmonkey gives Python for it: a SpiderMonkeyError (a JS Error, or a
    wrapped rejection reason), or a plain converted value (``42.0``, ``pm.null``, an object proxy).
    A Python exception (one that crossed and came back) is returned as itself.
    """
    pm = _engine.engine()
    if isinstance(value, pm.SpiderMonkeyError):
        return _from_spidermonkey_error(value, pm)
    if isinstance(value, BaseException):
        return value
    if value is None:
        return JSRejection(None)
    if value is pm.null:
        return JSRejection(None, is_null=True, js_value=pm.null)
    if isinstance(value, (bool, int, float, str)):
        return JSRejection(value, js_value=value)
    return _from_js_value(value, pm, unwrap_primitive=False)


def _from_spidermonkey_error(exc: BaseException, pm: Any) -> BaseException:
    args = exc.args
    first = args[0] if args else None
    # Never touch .jsError before ruling out null/undefined: reading it segfaults.
    if first is None:
        return JSRejection(None)
    if first is pm.null:
        return JSRejection(None, is_null=True, js_value=pm.null)
    if not isinstance(first, str):
        # A rejection with a non-Error reason (42, an object): pythonmonkey's args hold it.
        return to_exception(first)
    if first == _SYNC_NULL:
        return JSRejection(None, is_null=True, js_value=pm.null)
    if first == _SYNC_UNDEFINED:
        return JSRejection(None)
    return _from_js_value(_edges.js_error_of(exc), pm, unwrap_primitive=True)


def _from_js_value(js: Any, pm: Any, *, unwrap_primitive: bool) -> BaseException:
    h = _engine.helpers()
    kind, name, message, stack, has_cause, cause, errors, box, primitive = h.describe(
        js, unwrap_primitive
    )
    if kind == "box":
        return box.exc  # type: ignore[no-any-return]
    if kind == "primitive":
        return JSRejection(primitive, js_value=primitive)
    if kind == "value":
        rejection = JSRejection(js, js_value=js)
        rejection.jsError = js  # type: ignore[attr-defined]  # raised back into JS: the same object
        return rejection
    cls = ERROR_KINDS.get(kind, JSError)
    if cls is JSAggregateError:
        mapped: BaseException = JSAggregateError(
            message,
            errors=[to_exception(e) for e in (errors or [])],
            name=name,
            stack=stack,
            js_value=js,
        )
    elif cls is JSSyntaxError:
        mapped = JSSyntaxError(message, name=name, stack=stack, js_value=js, **_where(js, stack))
    else:
        mapped = cls(message, name=name, stack=stack, js_value=js)
    # pythonmonkey hands an exception with `jsError` back to JS as that very object. The JS error
    # is not told about `mapped` (that would be a cycle through both heaps, never collected).
    mapped.jsError = js  # type: ignore[attr-defined]
    if has_cause:
        mapped.__cause__ = to_exception(cause)
    return mapped


def _where(js: Any, stack: str) -> dict[str, Any]:
    """filename, lineno, offset (and text, for a file on disk) of a JS SyntaxError in source.

    Only for source that did not parse; a SyntaxError thrown by running code (``JSON.parse``)
    has its place in ``stack``, as any other JS error.
    """
    try:
        filename, line, column = js["fileName"], js["lineNumber"], js["columnNumber"]
    except Exception:  # not an Error object after all: no position to give
        return {}
    if not isinstance(filename, str) or not isinstance(line, (int, float)) or line < 1:
        return {}
    if f"@{filename}:{int(line)}:" in stack:  # a frame at that place: thrown by running code
        return {}
    where: dict[str, Any] = {"filename": filename, "lineno": int(line)}
    if isinstance(column, (int, float)) and column >= 1:
        where["offset"] = int(column)  # SpiderMonkey's columns are 1-based, as Python's offset
    if os.path.isfile(filename):
        linecache.checkcache(filename)  # the file may have changed since it was last shown
        where["text"] = linecache.getline(filename, int(line)) or None
    return where


# --- Python exceptions -> JS errors --------------------------------------------------------------


def to_js_error(exc: BaseException) -> Any:
    """The JS value standing for ``exc``: its JS original, or a new ``PythonError``.

    A JS error (or non-Error reason) that came from JS is itself again. Any other exception
    gets a ``PythonError`` whose ``pyException`` holds it, so it comes back to Python as the
    same object; the exception does not keep its ``PythonError`` (see ``_tag``).
    """
    if isinstance(exc, JSRejection):
        return exc.js_value
    existing = getattr(exc, "jsError", None)
    if existing is not None:
        return existing
    if isinstance(exc, JSError) and exc.js_value is not None:
        return exc.js_value
    return _python_error(exc)


_TRACEBACK_FRAMES = 50


def _format_traceback(exc: BaseException) -> str:
    """``exc``'s traceback, its innermost _TRACEBACK_FRAMES frames, as Python prints it.

    The frames are picked by following ``tb_next`` (cheap) before anything is formatted:
    ``traceback.format_exception(limit=-n)`` extracts every frame first, and from 3.13 each with
    its column positions, which made an exception unwinding a deep recursion quadratic.
    """
    last: collections.deque[types.TracebackType] = collections.deque(maxlen=_TRACEBACK_FRAMES)
    tb = exc.__traceback__
    while tb is not None:
        last.append(tb)
        tb = tb.tb_next
    summary = traceback.StackSummary.extract((t.tb_frame, t.tb_lineno) for t in last)
    lines = ["Traceback (most recent call last):\n", *summary.format()] if last else []
    return "".join([*lines, *traceback.format_exception_only(type(exc), exc)])


def _python_error(exc: BaseException) -> Any:
    h = _engine.helpers()
    # The innermost frames only: an exception unwinding a deep JS <-> Python recursion gets a
    # PythonError at every level, and formatting its whole (growing) traceback each time made
    # the unwinding quadratic.
    tb = _format_traceback(exc)
    made = h.makePythonError(
        _str_for_js(type(exc).__name__), _str_for_js(str(exc)), _str_for_js("\n" + tb), _Box(exc)
    )
    # An Error returned to Python arrives as a SpiderMonkeyError around it.
    return _edges.js_error_of(made)


def _tag(exc: BaseException) -> BaseException:
    """Give ``exc`` its JS face just before pythonmonkey converts it (it reads ``exc.jsError``).

    Used where pythonmonkey, not bridge, hands the exception to JS (a future given to JS through
    ``to_js``). The attribute is dropped again on the next loop iteration: kept, it would hold
    the PythonError, which holds the exception: a cycle through both heaps. pythonmonkey can
    only reject with an object here, so a ``JSRejection`` of a primitive gets a PythonError too,
    carrying the primitive: bridge's own JS code that sees the rejection (``reasonOf``) throws
    the primitive itself (JS ``Promise.reject(42)`` forwarded by Python is 42 again there).
    """
    if getattr(exc, "jsError", None) is not None:
        return exc  # a JS error from JS: its own object, held one way only
    if isinstance(exc, JSRejection):
        js = _python_error(exc)
        _engine.helpers().carryReason(js, exc.js_value)
    else:
        js = to_js_error(exc)
    try:
        exc.jsError = js  # type: ignore[attr-defined]
    except AttributeError:  # no __dict__: JS gets pythonmonkey's plain Error
        return exc
    loop = _get_running_loop()
    if loop is not None:
        loop.call_soon(_untag, exc, js)
    return exc


def _untag(exc: BaseException, js: Any) -> None:
    if getattr(exc, "jsError", None) is js:
        del exc.jsError  # type: ignore[attr-defined]


# --- JS values in Python -------------------------------------------------------------------------


class JSFunction:
    """A JS function as Python sees it through bridge.

    Calling it calls the JS function (errors mapped, functions in the result wrapped). Its own
    JS properties are attributes: ``Bluebird.delay(10)``, ``Cls.staticMethod()``. Passed back to
    JS through bridge it is the original function again; ``js_value`` is the raw proxy.
    Use ``bridge.new(fn)(...)`` to construct.
    """

    __slots__ = ("__weakref__", "js_value")

    def __init__(self, js_value: Any) -> None:
        object.__setattr__(self, "js_value", js_value)

    def __call__(self, *args: Any) -> Any:
        return _call(self.js_value, args)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        _enter()
        h = _engine.helpers()
        if not _loop.call(h.hasProperty, self.js_value, name):
            raise AttributeError(f"JS function {self.__name__!r} has no property {name!r}")
        value = _loop.call(h.getProperty, self.js_value, name)
        if isinstance(value, _js_function_types()):
            # A method keeps its `this`: Bluebird.delay must run with this === Bluebird.
            return _Method(value, self.js_value)
        return wrap(value)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "js_value":
            object.__setattr__(self, name, value)
            return
        _enter()
        _loop.call(_engine.helpers().setProperty, self.js_value, name, _to_js_arg(value))

    def __dir__(self) -> list[str]:
        _enter()
        return sorted(set(_loop.call(_engine.helpers().ownKeys, self.js_value)))

    def __await__(self) -> Generator[Any, None, Any]:
        """``await fn``: a thenable function is adopted; any other is itself (as JS ``await``)."""
        return _await_js(self)

    @property
    def __name__(self) -> str:  # type: ignore[override]
        _enter()
        return str(_loop.call(_engine.helpers().getProperty, self.js_value, "name") or "anonymous")

    def __repr__(self) -> str:
        return f"<JS function {self.__name__}>"

    def __eq__(self, other: object) -> bool:
        _enter()
        other_js = other.js_value if isinstance(other, JSFunction) else other
        return bool(_engine.helpers().same(self.js_value, other_js))

    def __hash__(self) -> int:
        return id(type(self))  # JS identity has no stable Python hash; equality decides


_NO_THIS: Any = object()


def _call(target: Any, args: tuple[Any, ...], this: Any = _NO_THIS) -> Any:
    """Call the JS function ``target`` (with ``this`` when given), as bridge hands results over."""
    forwarding = False
    marked = False
    for arg in args:
        if type(arg) not in _SCALAR_TYPES:
            args = tuple(map(_to_js_arg, args))
            # A future JS gets as a promise goes through JS, so that a non-Error reason it
            # carries (see _tag) rejects the promise JS sees as itself.
            forwarding = any(isinstance(a, asyncio.Future) for a in args)
            break
    for arg in args:
        if isinstance(arg, str):
            args = tuple(_str_for_js(a) if isinstance(a, str) else a for a in args)
            marked = True
            break
    if this is not _NO_THIS:
        h = _engine.helpers()
        args = (target, this, *args)
        if forwarding:
            target = h.callMethodForwarding
        else:
            target = h.callMethodOwned if marked else h.callMethod
    elif forwarding or marked:
        if forwarding and type(target) is _engine.engine().JSFunctionProxy:  # keeps `this`
            args = (target, *args)
            target = _engine.helpers().callForwarding
        elif not forwarding:
            args = (target, *args)
            target = _engine.helpers().callOwned
    # The hot path of every bridged call: runtime.call inlined (thread, loop, errors).
    if get_ident() != _engine._owner:
        _engine.check_thread()
    loop = _get_running_loop()
    if loop is not None and loop is not _loop._attached:
        _loop.attach_running_loop()
    _loop.depth += 1
    if _loop.depth > _loop.DEEP:
        _loop.deep_call()  # RecursionError before pythonmonkey runs out of Python stack
    try:
        try:
            result = target(*args)
        except OverflowError:
            # An int beyond 2**53 - 1, refused before the call started: it crosses as a BigInt.
            result = target(*map(_big_int_for_js, args))
    except Exception as exc:
        mapped = _loop.translate_error(exc)
        if mapped is None:
            raise
    else:
        if type(result) is _loop.JSFuture:
            result.delivered = True
            result.task = _current_task(loop) if loop is not None else None
            return result
        # pythonmonkey returns a JS number as a float with one reference too many: `result`
        # + getrefcount's argument + that one (checked inline: a call would add a
        # version-dependent number of references of its own).
        if type(result) is float and getrefcount(result) == 3:
            _edges.drop_lost_reference(result)
            return result
        return wrap(result)
    finally:
        _loop.depth -= 1
        if not _loop.depth:
            if _loop._raised_limit:
                _loop.restore_limit()
            _edges._jobs_since_gc += 1
            if _edges._jobs_since_gc >= _edges._GC_EVERY_JOBS:
                _edges.collect()  # see _edges.collect
        if _edges._escaped is not None:  # JS swallowed or outlived a Python BaseException
            raise _edges.take_escaped()
    raise mapped  # outside the except block: see _loop.call


class _Method(JSFunction):
    """A JS function read as a property: the function itself (``===``, own properties,
    ``bridge.new`` work on it), called with ``this`` bound to the object it was read from."""

    __slots__ = ("this",)

    def __init__(self, js_value: Any, this: Any) -> None:
        object.__setattr__(self, "js_value", js_value)
        object.__setattr__(self, "this", this)

    def __call__(self, *args: Any) -> Any:
        return _call(self.js_value, args, self.this)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("js_value", "this"):
            object.__setattr__(self, name, value)
            return
        JSFunction.__setattr__(self, name, value)


class JSObject:
    """A JS object (not a function, not an array) as Python sees it through bridge.

    Why a wrapper: pythonmonkey's own proxy lets a JS throw from a method or getter escape as a
    raw ``SpiderMonkeyError`` (or swallows it), and its calls skip bridge's loop wiring. Through
    ``JSObject`` every access goes through bridge: properties are attributes and items
    (``obj.name``, ``obj["name"]``), methods come back as ``JSFunction`` called with
    ``this === obj``, a JS throw is the mapped ``JSError``, objects inside are ``JSObject``
    again. ``len``, ``in`` and iteration see the object's own enumerable string keys, and
    ``==`` with a dict compares contents; it has no Python methods of its own, so a JS
    ``get``/``keys``/``items`` property is always the JS one. Handed back to
    JS through bridge it is the same object (``===``); two ``JSObject`` are equal when they
    stand for the same JS object. ``js_value`` is pythonmonkey's proxy.
    """

    __slots__ = ("__weakref__", "js_value")

    def __init__(self, js_value: Any) -> None:
        object.__setattr__(self, "js_value", js_value)

    def __getattribute__(self, name: str) -> Any:
        # Not __getattr__: that runs only after the normal lookup failed, which costs a
        # raised-and-caught AttributeError per read. Dunders and js_value are Python's.
        if name == "js_value" or (name[:2] == "__" and name[-2:] == "__"):
            return object.__getattribute__(self, name)
        value = _member(_js_value_of(self), name)
        if value is _MISSING:
            raise AttributeError(f"JS object has no property {name!r}")
        return value

    def __getitem__(self, key: Any) -> Any:
        value = _member(_js_value_of(self), key)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __setitem__(self, key: Any, value: Any) -> None:
        _enter()
        _loop.call(_engine.helpers().setProperty, self.js_value, key, _to_js_arg(value))

    def __delattr__(self, name: str) -> None:
        del self[name]

    def __delitem__(self, key: Any) -> None:
        _enter()
        _loop.call(_engine.helpers().deleteProperty, self.js_value, key)

    # len, in, iteration, dir and repr ask JS (errors mapped: a revoked Proxy is a JSTypeError),
    # never pythonmonkey's dict view, which fails with SystemError or crashes on some values.
    def __contains__(self, key: object) -> bool:
        _enter()
        return bool(_loop.call(_engine.helpers().hasKey, self.js_value, key))

    def __iter__(self) -> Iterator[str]:
        _enter()
        return iter(list(_loop.call(_engine.helpers().keysOf, self.js_value)))

    def __len__(self) -> int:
        _enter()
        return int(_loop.call(_engine.helpers().keyCount, self.js_value))

    def __dir__(self) -> list[str]:
        _enter()
        return sorted(set(_loop.call(_engine.helpers().ownKeys, self.js_value)))

    def __call__(self, *args: Any) -> Any:
        """A JS ``Proxy`` of a function is callable (pythonmonkey sees it as an object)."""
        _enter()
        if _loop.call(_engine.helpers().typeOf, self.js_value) != "function":
            raise TypeError("this JS object is not a function")
        # Through a JS arrow: pythonmonkey has no call for what it holds as a dict.
        return JSFunction(_engine.helpers().callerOf(self.js_value))(*args)

    def __aiter__(self) -> Any:
        """``async for item in js_obj``: what ``bridge.iterate(js_obj)`` walks (DESIGN.md).

        A JS object that is not async iterable (nor iterable) raises ``JSTypeError`` here.
        """
        return iterate(self)

    def __repr__(self) -> str:
        _enter()
        return f"<JS object {_loop.call(_engine.helpers().preview, self.js_value)}>"

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        _enter()
        if isinstance(other, (JSObject, JSFunction)):
            return bool(_engine.helpers().same(self.js_value, other.js_value))
        if isinstance(other, dict):
            # Own enumerable string keys and their values, both ways (pythonmonkey's own
            # comparison only checks that the JS object's keys are among the dict's).
            keys = list(self)
            return len(keys) == len(other) and all(
                key in other and self[key] == other[key] for key in keys
            )
        return NotImplemented

    def __hash__(self) -> int:
        return id(type(self))  # JS identity has no stable Python hash; equality decides

    def __await__(self) -> Generator[Any, None, Any]:
        """``await js_obj``: as JS ``await`` does, a thenable is adopted, anything else is itself.

        So a promise of another library (Bluebird's, a ``{then}`` object) is awaitable directly.
        """
        return _await_js(self)


def _await_js(wrapper: JSObject | JSFunction) -> Generator[Any, None, Any]:
    _enter()
    if _loop.call(_engine.helpers().isThenable, wrapper.js_value):
        return to_future(wrapper).__await__()
    return _itself(wrapper).__await__()


async def _itself(value: Any) -> Any:
    return value


_MAX_SAFE_INTEGER = 2**53 - 1


def _big_int_for_js(value: Any) -> Any:
    """An int JS numbers cannot hold exactly (beyond 2**53 - 1) as a JS BigInt; else itself."""
    if type(value) is int and not -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
        return _engine.engine().bigint(value)
    return value


_js_value_of = JSObject.js_value.__get__  # type: ignore[attr-defined]  # the slot, read in C
_MISSING = object()


def _member(proxy: Any, name: Any) -> Any:
    """``proxy[name]`` as bridge hands it over, or ``_MISSING``; one proxy read, mostly."""
    if get_ident() != _engine._owner:
        _engine.check_thread()
    loop = _get_running_loop()
    if loop is not None and loop is not _loop._attached:
        _loop.attach_running_loop()
    failed = None
    try:
        value = proxy[name]
    except Exception as exc:  # pythonmonkey could not convert the value (a Symbol...)
        failed = _loop.translate_error(exc)
        if failed is None:
            raise
    if failed is not None:
        raise failed  # outside the except block: see _loop.call
    kind = type(value)
    if kind is float:
        # pythonmonkey's proxy read keeps one reference too many to a number it hands over:
        # `value` + getrefcount's argument + that one (checked inline, as in JSFunction).
        if getrefcount(value) == 3:
            _edges.drop_lost_reference(value)
        return value
    if value is None:
        # undefined, missing, or a getter that threw (pythonmonkey returns None for all
        # three and drops the error): ask JS, which raises the mapped error.
        h = _engine.helpers()
        try:
            if not h.hasProperty(proxy, name):
                return _MISSING
            value = h.getProperty(proxy, name)
            if type(value) in _function_proxies:
                return _Method(value, proxy)
            return wrap(value)
        except Exception as exc:
            mapped = _loop.translate_error(exc)
            if mapped is None:
                raise
        raise mapped  # outside the except block: see _loop.call
    if kind in _SCALAR_TYPES:
        return value
    if kind in _engine._wrapped_types and callable(value):
        # pythonmonkey hands over a bound copy of a function read through its proxy (own
        # properties lost, not === the function), or for names that are also dict methods
        # (get, keys...) the dict method: the function itself is read again, through JS.
        try:
            function = _engine.helpers().getProperty(proxy, name)
        except Exception as exc:
            mapped = _loop.translate_error(exc)
            if mapped is None:
                raise
        else:
            return _Method(function, proxy)
        raise mapped  # outside the except block: see _loop.call
    return wrap(value)


def _enter() -> None:
    """What every bridged access does first: the engine's thread, the running loop wired."""
    if get_ident() != _engine._owner:
        _engine.check_thread()
    loop = _get_running_loop()
    if loop is not None and loop is not _loop._attached:
        _loop.attach_running_loop()


_PLAIN = (int, float, str, bytes, type(None), bool, list, dict, tuple)
_SCALAR_TYPES = frozenset({int, float, str, bool, type(None)})
# Exactly these: pythonmonkey's proxies subclass them. Not tuple: JS sees a tuple as an opaque
# Python object whose items it cannot read, and Python gets it back as itself, wrappers intact.
_CONTAINER_TYPES = frozenset({dict, list})
_DICT_NAMES = frozenset(dir(dict))
_object_proxy: type | None = None  # pythonmonkey's JSObjectProxy, once the engine started


_function_proxies: frozenset[type] = frozenset()


_array_proxy: type | None = None
_MAX_ARRAY_DEPTH = 10_000


def _list_from_js(array: Any) -> list[Any]:
    """A JS array as a Python list: a copy, its items handed over as any other value.

    pythonmonkey's own list view converts items its own way (pythonmonkey's null, raw errors
    and object views) and its repr crashes on a Symbol item or deep nesting. Copied without
    recursion (a 10,000-deep array is fine); deeper, or an array that holds itself, is a
    ``BridgeError``.
    """
    failed = None
    try:
        top = list(array)
        pending = [(top, 0)]
        while pending:
            items, depth = pending.pop()
            for i in range(len(items)):  # not enumerate: its tuple would hold the item too
                item = items[i]
                kind = type(item)
                if kind is float:
                    # pythonmonkey keeps one reference too many to each number it converts:
                    # `items`, `item`, getrefcount's argument, and that one.
                    if getrefcount(item) == 4:
                        _edges.drop_lost_reference(item)
                elif kind is _array_proxy:
                    if depth >= _MAX_ARRAY_DEPTH:
                        raise BridgeError(
                            f"a JS array nested deeper than {_MAX_ARRAY_DEPTH} levels (or one "
                            "that holds itself) cannot cross to Python: hand over "
                            "JSON.stringify(array) or a flatter value"
                        )
                    inner = list(item)
                    items[i] = inner
                    pending.append((inner, depth + 1))
                elif kind not in _SCALAR_TYPES:
                    items[i] = wrap(item)
    except BridgeError:
        raise
    except Exception as exc:  # an item pythonmonkey cannot convert (a Symbol, a bad Date)
        failed = _loop.translate_error(exc)
        if failed is None:
            raise
    if failed is not None:
        raise failed  # outside the except block: see _loop.call
    return top


def _learn_proxy_types() -> None:
    global _object_proxy, _function_proxies, _array_proxy
    pm = _engine.engine()
    _array_proxy = pm.JSArrayProxy
    _function_proxies = frozenset({pm.JSFunctionProxy, pm.JSMethodProxy})
    _object_proxy = pm.JSObjectProxy


def _js_function_types() -> tuple[type, ...]:
    pm = _engine.engine()
    return (pm.JSFunctionProxy, pm.JSMethodProxy)


def wrap(value: Any) -> Any:
    """How a JS value returned to Python looks through bridge.

    Objects become ``JSObject``, functions ``JSFunction``, errors are mapped, arrays are list
    copies, ``null`` is None; numbers and strings are returned as they are.
    """
    kind = type(value)
    if kind is _object_proxy:  # pythonmonkey's JSObjectProxy is a dict subclass: before _PLAIN
        # A Python list's or dict's view (js/views.js) coming back is the list or dict itself.
        # A view answers `in` for its mark: half a microsecond for other objects, no JS call.
        if _VIEW_MARK in value:
            original = _views().original(value)
            if original is None:  # the view of a copy bridge made
                return JSObject(value)
            return JSObject(original) if type(original) is _object_proxy else original
        return JSObject(value)
    if kind in _SCALAR_TYPES:
        return value
    if kind in _function_proxies:
        return JSFunction(value)
    if value is _engine._null:  # JS null: None, as undefined (a JSRejection keeps them apart)
        return None
    if kind is _array_proxy:
        return _list_from_js(value)
    if _object_proxy is None and _engine._pm is not None:
        _learn_proxy_types()
        return wrap(value)
    if isinstance(value, _PLAIN):
        return value
    if type(value) is _loop.JSFuture:
        value.delivered = True
        loop = _get_running_loop()
        value.task = _current_task(loop) if loop is not None else None
        return value
    pm = _engine.engine()
    if isinstance(value, (pm.JSFunctionProxy, pm.JSMethodProxy)):
        return JSFunction(value)
    if isinstance(value, pm.SpiderMonkeyError):
        return to_exception(value)
    return value


def is_js_object(value: Any) -> bool:
    """True for a JS object or function: a wrapper (``JSObject``/``JSFunction``) or a raw proxy."""
    if isinstance(value, (JSFunction, JSObject)):
        return True
    pm = _engine.engine()
    return isinstance(value, (pm.JSObjectProxy, pm.JSFunctionProxy, pm.JSArrayProxy))


# --- Python values going to JS -------------------------------------------------------------------


def _to_js_arg(value: Any) -> Any:
    """A Python value about to be handed to JS, made ready for it.

    Wrapped JS functions become the original again; coroutines and futures become promises
    whose rejection is a ``PythonError``; Python functions are wrapped so their exceptions reach
    JS as ``PythonError`` and async ones return native promises.
    """
    kind = type(value)
    if kind in _CONTAINER_TYPES:
        try:
            return _container_view(value)
        except RecursionError:
            pass  # raised below, outside the except block: no thousand-frame traceback
        raise BridgeError(
            f"a Python {kind.__name__} nested too deeply to hand to JS (more than about "
            f"{sys.getrecursionlimit()} levels)"
        )
    if kind is int:
        return _big_int_for_js(value)
    if isinstance(value, _PLAIN):
        return value
    if kind is JSObject or kind is JSFunction or isinstance(value, (JSFunction, JSObject)):
        return value.js_value
    if isinstance(value, BaseException):
        return to_js_error(value)
    if isinstance(value, _Blocking) or inspect.iscoroutinefunction(value):
        return _function_for_js(value)
    if _is_async_iterable(value):
        return _async_iterable_for_js(value)
    if inspect.isawaitable(value) or isinstance(value, concurrent.futures.Future):
        return to_js(value)
    if inspect.isfunction(value) or inspect.ismethod(value) or inspect.isbuiltin(value):
        return _function_for_js(value)
    return value


# pythonmonkey lends JS the buffer of a str as an "external" string and notes it in a table its
# finalizer scans whole for each one it frees: a collection that frees N of them costs N²
# (seconds for 10,000). A str with a character beyond U+FFFF is copied instead, with no table
# entry, so bridge appends one where it hands a str to JS itself and JS takes it off (`owned`
# in js/runtime.js). Longer strings are lent as before (copying them costs more), unless they
# end with the mark already, so that what JS takes off is always bridge's.
_MARK = "\U00100000"
_MARK_LIMIT = 1 << 16


def _str_for_js(s: str) -> str:
    if len(s) <= _MARK_LIMIT or s.endswith(_MARK):
        return s + _MARK
    return s


def _container_for_js(value: Any, seen: dict[int, Any] | None) -> Any:
    """A dict or list about to cross: itself, or a copy with its contents made ready.

    pythonmonkey hands JS a live view of a container and converts its items on the way, but it
    knows nothing of bridge's wrappers: a ``JSObject`` inside would reach JS as a Python proxy
    (``opts.signal instanceof AbortSignal`` false). The common case costs one pass over the
    item types in C and no copy: only a container holding something other than a scalar is
    looked into, and only one holding something that changes is copied (JS then sees the copy,
    not a live view). ``seen`` maps the containers being converted to their copies, so a
    container that holds itself is copied once and stays a cycle.
    """
    items = value.values() if type(value) is dict else value
    if _SCALAR_TYPES.issuperset(map(type, items)):  # in C, stops at the first other type
        return value
    if seen is None:
        seen = {}
    elif id(value) in seen:
        return seen[id(value)]
    seen[id(value)] = value  # until a copy is known: a cycle back here keeps the original
    if type(value) is dict:
        changed = False
        out: dict[Any, Any] = {}
        for key, item in value.items():
            new = _item_for_js(item, seen)
            changed = changed or new is not item
            out[key] = new
        result: Any = out if changed else value
    else:
        converted = [_item_for_js(item, seen) for item in value]
        changed = any(new is not old for new, old in zip(converted, value, strict=True))
        result = converted if changed else value
    if result is not value:
        # A cycle through this container: point it at the copy, not the original.
        _repoint(result, value, seen, result)
    seen[id(value)] = result
    return result


def _item_for_js(item: Any, seen: dict[int, Any]) -> Any:
    kind = type(item)
    if kind in _SCALAR_TYPES:
        return item
    if kind in _CONTAINER_TYPES:
        return _container_for_js(item, seen)
    return _to_js_arg(item)


_views_module: Any = None
_VIEW_MARK = "__bridge_view__"  # the key js/views.js's views say they have


def _views() -> Any:
    """js/views.js's helpers (``view``, ``objectView``, ``original``), looked up once."""
    global _views_module
    if _views_module is None:
        module = _engine.js_module("views")
        _views_module = types.SimpleNamespace(
            view=module["view"], objectView=module["objectView"], original=module["original"]
        )
    return _views_module


def _container_view(value: list[Any] | dict[Any, Any]) -> Any:
    """What JS gets for a list, or a dict that holds lists or dicts: a view (``js/views.js``;
    pythonmonkey's own list proxy crashes the process when one of its methods runs on another
    ``this``, and its ``slice()`` wants an argument). A container bridge had to copy (it holds
    bridge wrappers) is viewed too, but does not come back as itself: it is not the caller's."""
    if isinstance(value, list):  # exactly a list or a dict here (see _to_js_arg)
        ready = _container_for_js(value, None)
        return _views().view(ready, ready is value)
    if _SCALAR_TYPES.issuperset(map(type, value.values())):
        return value  # the common case: pythonmonkey's proxy, no call into JS
    ready = _container_for_js(value, None)
    if _CONTAINER_TYPES.isdisjoint(map(type, ready.values())):
        return ready  # JS values, no containers: nothing pythonmonkey would hand over raw
    return _views().objectView(ready, ready is value)


def _repoint(copy: Any, original: Any, seen: dict[int, Any], replacement: Any) -> None:
    """Make the items of ``copy`` that are ``original`` (a self reference) ``replacement``."""
    if type(copy) is dict:
        for key, item in copy.items():
            if item is original:
                copy[key] = replacement
    else:
        for i, item in enumerate(copy):
            if item is original:
                copy[i] = replacement


def _is_async_iterable(value: Any) -> bool:
    """A Python async iterable, to be a JS async iterator. Not a ``JSObject`` (it has
    ``__aiter__`` too): that is a JS object, which goes back to JS as itself."""
    return inspect.isasyncgen(value) or (
        hasattr(type(value), "__aiter__")
        and not isinstance(value, JSObject)
        and not inspect.isawaitable(value)
    )


def _async_iterable_for_js(value: Any) -> Any:
    return to_js_iterator(value)  # JS sees a `for await`-able iterator


def _function_for_js(fn: Callable[..., Any]) -> Any:
    # Made anew at each crossing, like pythonmonkey does for any Python callable: a cache keyed
    # by the function would hold its JS face, which holds the function (a cycle through the JS
    # heap that neither garbage collector can see), so every function handed over would leak.
    return _make_js_function(fn)


def _positional_limit(fn: Callable[..., Any]) -> int | None:
    """How many arguments ``fn`` accepts by position (None: any number, or unknown).

    A JS function ignores arguments beyond its parameters, and JS callers rely on that
    (``[1, 2].map(f)`` passes the index and the array too), so a Python function called from JS
    gets at most what its signature accepts.
    """
    target = fn.fn if isinstance(fn, _Blocking) else fn
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: pass everything
        return None
    count = 0
    for p in parameters:
        if p.kind is p.VAR_POSITIONAL:
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


# pythonmonkey hands a JS number to a Python function as a float holding one reference it
# never releases (every number argument would leak its float). Checked on entry, before any
# code could keep the float: pythonmonkey's args tuple, the *args one, the loop variable,
# getrefcount's argument, and the lost one.
_LOST_FLOAT_ARG_REFS = 5


def _drop_lost_floats(args: tuple[Any, ...]) -> None:
    for arg in args:
        if type(arg) is float and getrefcount(arg) == _LOST_FLOAT_ARG_REFS:
            _edges.drop_lost_reference(arg)


def _make_js_function(fn: Callable[..., Any]) -> Any:
    h = _engine.helpers()
    name = getattr(fn, "__name__", "python")
    limit = _positional_limit(fn)
    if isinstance(fn, _Blocking) or inspect.iscoroutinefunction(fn):
        start = _starter(fn, limit)
        return h.asyncFunction(start, str(name))

    def call_from_js(*args: Any) -> list[Any]:
        if args:
            _drop_lost_floats(args)
        _edges._jobs_since_gc += 1  # garbage SpiderMonkey does not see: see _edges.collect
        # A list, not a tuple: pythonmonkey hands JS a list as an array, a tuple as an object.
        try:
            out = _to_js_arg(fn(*[wrap(a) for a in args[:limit]]))
            return [True, _str_for_js(out) if isinstance(out, str) else out]
        except Exception as exc:  # thrown by the JS side of syncFunction, as its JS face
            return [False, to_js_error(exc)]
        except BaseException as exc:
            # KeyboardInterrupt, SystemExit, GeneratorExit: Python's, not JS's to catch. The
            # JS that runs is stopped (a third item: syncFunction spins until it is) and the
            # Python code that called into JS raises it.
            if _edges.escape(exc):
                return [False, None, True]
            return [False, to_js_error(exc)]

    return h.syncFunction(call_from_js, str(name))


def _starter(fn: Callable[..., Any], limit: int | None = None) -> Callable[..., None]:
    """The Python half of an async function JS calls: start the work, settle the JS promise.

    This runs once per JS call of an exposed coroutine, so the common case (scalar arguments,
    a coroutine function) takes the short way: no signal lookup, ``loop.create_task`` directly.
    """
    blocking = isinstance(fn, _Blocking)
    coroutine_function = not blocking and inspect.iscoroutinefunction(fn)

    def start(resolve: Any, reject: Any, *args: Any) -> None:
        if args:
            _drop_lost_floats(args)
        loop = _get_running_loop()
        if loop is None:
            raise RuntimeNotReady(
                f"JS called the async Python function {getattr(fn, '__name__', fn)!r} "
                "with no asyncio loop running: call the JS code from async code or through "
                "bridge.run"
            )
        if loop is not _loop._attached:
            _loop.attach_running_loop()
        py_args = [a if type(a) in _SCALAR_TYPES else wrap(a) for a in args[:limit]]
        signals: list[Any] = []
        for arg in args:
            if not isinstance(arg, _PLAIN) or isinstance(arg, dict):
                # Maybe an AbortSignal, or an options object with one. Checked before the
                # work starts: a bad or already-aborted signal runs nothing (a blocking call
                # handed to an idle thread could not be taken back). The cancel layer looks at
                # the raw proxies; the function gets them wrapped.
                try:
                    signals = signals_in(list(args))
                except BaseException as exc:
                    reject(to_js_error(exc))
                    return
                early = already_aborted(signals)
                if early is not None:
                    reject(early)
                    return
                break
        try:
            if coroutine_function:
                future: asyncio.Future[Any] = loop.create_task(fn(*py_args))
            elif blocking:
                future = fn._submit(loop, py_args)  # type: ignore[attr-defined]
            else:
                future = asyncio.ensure_future(fn(*py_args), loop=loop)
        except BaseException as exc:
            reject(to_js_error(exc))
            return
        if signals:
            link_signals(future, signals)
        future.add_done_callback(functools.partial(_settle, resolve, reject))

    return start


def _settle(resolve: Any, reject: Any, future: asyncio.Future[Any]) -> None:
    if future.cancelled():
        reject(abort_error(future))
        return
    exc = future.exception()
    if exc is None:
        value = future.result()
        if isinstance(value, str):
            _engine.helpers().resolveOwned(resolve, _str_for_js(value))
        else:
            resolve(value if type(value) in _SCALAR_TYPES else _to_js_arg(value))
    else:
        reject(to_js_error(exc))


# --- public conversions --------------------------------------------------------------------------


def to_future(x: Any) -> asyncio.Future[Any]:
    """``bridge.to_future``: an asyncio future for a JS promise or thenable, or a Python awaitable.

    Raises:
        RuntimeNotReady: no asyncio loop is running.
        TypeError: ``x`` is neither awaitable nor a JS thenable.
    """
    loop = _loop.attach_running_loop()
    if isinstance(x, asyncio.Future):
        return x
    if loop is None:
        raise RuntimeNotReady(
            "bridge.to_future needs a running asyncio loop: call it from async code or "
            "through bridge.run"
        )
    if isinstance(x, concurrent.futures.Future):
        return asyncio.wrap_future(x, loop=loop)
    wrapped = isinstance(x, (JSFunction, JSObject))  # awaitable, through this very function
    if not wrapped and inspect.isawaitable(x):
        return asyncio.ensure_future(x, loop=loop)
    raw = x.js_value if wrapped else x
    if wrapped or is_js_object(raw):
        h = _engine.helpers()
        if h.isThenable(raw):
            adopted = _loop.call(h.adopt, raw)
            if isinstance(adopted, asyncio.Future):
                return adopted
    raise TypeError(f"bridge.to_future: {type(x).__name__} is neither awaitable nor a JS thenable")


def to_js(x: Any) -> Any:
    """``bridge.to_js``: what JS receives as a Promise for ``x``.

    Coroutines, Tasks, asyncio and ``concurrent.futures`` futures (thread or process pools),
    ``bridge.Promise`` and any awaitable settle the promise with their outcome; a Python
    exception arrives in JS as a ``PythonError`` (or as the original JS error, if it came from
    JS). A plain value gives an already-resolved promise. The returned object is an asyncio
    future; pythonmonkey turns it into a native JS Promise when it crosses.

    Raises:
        RuntimeNotReady: no asyncio loop is running.
    """
    loop = _loop.attach_running_loop()
    if loop is None:
        raise RuntimeNotReady(
            "bridge.to_js needs a running asyncio loop: call it from async code or "
            "through bridge.run"
        )
    if _is_async_iterable(x):  # an async generator: a JS async iterable, not a promise
        return _async_iterable_for_js(x)
    if isinstance(x, concurrent.futures.Future):
        future: asyncio.Future[Any] = asyncio.wrap_future(x, loop=loop)
    elif isinstance(x, asyncio.Future):
        future = x
    elif inspect.isawaitable(x):
        future = asyncio.ensure_future(x, loop=loop)
    else:
        future = loop.create_future()
        future.set_result(x)
        return future
    future.add_done_callback(_tag_outcome)
    return future


def _tag_outcome(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        exc = future.exception()
        if exc is not None:
            _tag(exc)


class _Blocking:
    """A sync function marked to run in an executor when JS (or Python) calls it."""

    __slots__ = ("__weakref__", "executor", "fn")

    def __init__(
        self, fn: Callable[..., Any], executor: concurrent.futures.Executor | None
    ) -> None:
        self.fn = fn
        self.executor = executor

    @property
    def __name__(self) -> str:
        return str(getattr(self.fn, "__name__", "blocking"))

    def _submit(self, loop: asyncio.AbstractEventLoop, args: list[Any]) -> asyncio.Future[Any]:
        fn = self.fn
        submitted: asyncio.Future[Any] | None = None

        def run() -> Any:
            # asyncio hands a cancel on to the executor's future one loop callback later; a
            # worker freeing up in between would still start the call. The worker asks the
            # asyncio future itself, whose state is set the moment it is cancelled (by
            # task.cancel, a timeout, or an aborted JS signal). Unset only while
            # run_in_executor has not returned yet, when nobody can have cancelled it.
            if submitted is not None and submitted.cancelled():
                raise asyncio.CancelledError
            return fn(*args)

        submitted = loop.run_in_executor(self.executor, run)
        return submitted

    def __call__(self, *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        if kwargs:  # only Python passes keywords; JS calls arrive through _submit
            bound = _Blocking(functools.partial(self.fn, **kwargs), self.executor)
            return bound._submit(loop, list(args))
        return self._submit(loop, list(args))

    def __repr__(self) -> str:
        return f"bridge.blocking({self.fn!r})"


def blocking(
    fn: Callable[_P, _R], executor: concurrent.futures.Executor | None = None
) -> Callable[_P, asyncio.Future[_R]]:
    """``bridge.blocking``: mark a sync function to run in ``executor`` (default: the loop's).

    JS calling it (once exposed) gets a Promise at once and the loop keeps running while the
    work runs; Python calling it gets an awaitable future. Usable as a decorator.
    """
    if not callable(fn):
        raise TypeError(f"bridge.blocking needs a callable, not {type(fn).__name__}")
    return cast("Callable[_P, asyncio.Future[_R]]", _Blocking(fn, executor))


def expose(name: str, obj: Any) -> Any:
    """``bridge.expose``: set ``globalThis[name]`` to ``obj`` as JS should see it; return ``obj``.

    An ``async def`` becomes a JS function returning a native Promise; a ``blocking`` function
    one whose work runs in its executor; a plain function one whose exceptions JS sees as
    ``PythonError``; other values are set as pythonmonkey converts them.
    """
    if not isinstance(name, str):
        raise TypeError(f"bridge.expose: name must be a str, not {type(name).__name__}")
    _engine.engine()
    _engine.helpers().setProperty(_engine.engine().globalThis, name, _to_js_arg(obj))
    return obj


_edges.to_exception.set(to_exception)
_loop.wrap.set(wrap)


def _adopt_for_promise(x: Any) -> Any:
    """``bridge.Promise`` adopting a JS object of this engine: its future, else None."""
    if _engine._owner != get_ident() or not is_js_object(x):
        return None  # no engine, or not its thread: then no JS object of ours can be here
    return to_future(x)


_promise.foreign_thenables.add(_adopt_for_promise)


def _error_property(js: Any, key: str) -> Any:
    """A property of a JS error of this engine, as bridge hands values over."""
    if type(js) not in _engine._wrapped_types or get_ident() != _engine._owner:
        return NOT_FOUND
    value = _member(js, key)
    return NOT_FOUND if value is _MISSING else value


error_properties.add(_error_property)
