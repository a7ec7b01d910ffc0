"""The embedded runtime's entry points: evaluate JS, require modules, construct, run.

``bridge.eval``, ``bridge.require``, ``bridge.new``, ``bridge.run`` and ``bridge.globals`` are
these functions: synchronous where JS is synchronous (``bridge.eval("6*7")`` needs no loop).
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from . import _engine, _loop
from ._values import wrap

T = TypeVar("T")

_require_cache: dict[str, Any] = {}


def eval(code: str, *, filename: str = "<eval>", lineno: int = 1) -> Any:
    """``bridge.eval``: evaluate JS source; functions come back wrapped, promises as futures."""
    pm = _engine.engine()
    options = {"filename": filename, "lineno": lineno}
    return wrap(_loop.call(pm.eval, code, options))


def js_globals() -> Any:
    """``bridge.globals``: the JS global object (a ``JSObject``, like every JS object)."""
    return wrap(_engine.engine().globalThis)


def run(x: str | Coroutine[Any, Any, T], *, filename: str = "<run>") -> Any:
    """``bridge.run``: the settled value of JS source or a coroutine, from synchronous code."""
    _engine.engine()
    if isinstance(x, str):
        source = x

        async def main() -> Any:
            value = eval(source, filename=filename)
            raw = getattr(value, "js_value", None) if type(value).__name__ == "JSObject" else None
            if raw is not None and _engine.helpers().isThenable(raw):
                value = _loop.call(
                    _engine.helpers().adopt, raw
                )  # a JS thenable settles like a promise
            if inspect.isawaitable(value):
                return await _loop.settle(value, filename)
            return value

        return asyncio.run(main())
    if inspect.iscoroutine(x):
        return asyncio.run(x)
    raise TypeError(f"bridge.run takes JS source (str) or a coroutine, not {type(x).__name__}")


def require(path: str | os.PathLike[str], *, _depth: int = 1) -> Any:
    """``bridge.require``: CommonJS exports of ``path``, relative to the caller's file; cached."""
    pm = _engine.engine()
    target = Path(path)
    if not target.is_absolute():
        frame = sys._getframe(_depth)
        caller = frame.f_globals.get("__file__")
        base = Path(caller).resolve().parent if caller else Path.cwd()
        target = base / target
    key = str(target.resolve() if target.exists() else target)
    if key not in _require_cache:
        _require_cache[key] = wrap(_loop.call(pm.require, key))
    return _require_cache[key]


def new(cls: Any) -> Callable[..., Any]:
    """``bridge.new``: a Python callable that runs the JS ``new`` operator on ``cls``."""
    h = _engine.helpers()
    raw = getattr(cls, "js_value", cls)

    def construct(*args: Any) -> Any:
        return wrap(_loop.call(h.construct, raw, list(args)))

    return construct
