"""Run a JS program in the engine and its Python translation under asyncio; compare them.

The JS side is ``harness.outcome`` (the JS target's harness: same stubs, same wrapper). The
Python side gives the translated module the same stubs, written in Python, and records the
same things: ``{"outcome": {"value": v} | {"error": "Name: message"}, "log": [...]}``.

Stubs, both sides: ``ok(v, ms)`` resolves with v after ms (logging ``ok:v``); ``fail(m, ms)``
rejects with ``Error(m)`` (logging ``fail:m``); ``thenable(v)`` / ``badThenable(m)`` are
awaitables that are not coroutines (JS: plain objects with ``then``), ``aplus(v)`` one that
goes through ``ok(v)``; ``sleep(ms)``; ``log(x)``
records x (a string as is, anything else as JSON) and returns it. ``response(v)`` is an
object of a kind the translator knows nothing about (as fetch's response is): ``json()``
resolves with v after logging ``json:v``, ``size()`` returns v's length at once; the JS half
is ``JS_EXTRA``, put before the program on the JS side only.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Generator
from typing import Any

import bridge

try:
    from .harness import outcome as js_outcome
except ImportError:  # tests/ is not a package: pytest puts this folder on sys.path
    from harness import outcome as js_outcome  # type: ignore[no-redef]

__all__ = ["JS_EXTRA", "assert_same", "js_outcome", "py_outcome", "translate_py"]

JS_EXTRA = (
    "const response = (v) => ({ json() { __log.push('json:' + JSON.stringify(v)); return ok(v); },"
    " size() { return v.length; } });\n"
)

# What harness.outcome waits after main settles, for stray work: the same here.
GRACE_MS: int = inspect.signature(js_outcome).parameters["grace_ms"].default


def _json(value: Any) -> str:
    return json.dumps(_normal(value), separators=(",", ":"), ensure_ascii=False)


def _normal(value: Any) -> Any:
    """JSON as JS writes it: 3.0 is 3 (JS has one number type)."""
    if isinstance(value, float) and value != value:
        return None  # JSON.stringify(NaN) is null
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, BaseException):
        return {}  # JSON.stringify(new Error("x")) is {}
    return value


class _Thenable:
    """An awaitable that is not a coroutine or a future: Python's version of a JS thenable."""

    def __init__(self, log: list[Any], value: Any = None, error: str | None = None) -> None:
        self.log, self.value, self.error = log, value, error

    def __await__(self) -> Generator[Any, None, Any]:
        if self.error is None:
            self.log.append("thenable:" + _json(self.value))
        else:
            self.log.append("badThenable:" + self.error)
        yield from asyncio.sleep(0).__await__()
        if self.error is not None:
            raise Exception(self.error)
        return self.value


def stubs(log: list[Any]) -> dict[str, Any]:
    """The Python halves of harness.PRELUDE, recording into log."""

    def log_(x: Any = None) -> Any:
        log.append(x if isinstance(x, str) or x is None else _json(x))
        return x

    async def sleep(ms: float) -> None:
        await asyncio.sleep(ms / 1000)

    async def ok(v: Any = None, ms: float = 0) -> Any:
        await asyncio.sleep(ms / 1000)
        log.append("ok:" + ("undefined" if v is None else _json(v)))
        return v

    async def fail(m: str, ms: float = 0) -> Any:
        await asyncio.sleep(ms / 1000)
        log.append("fail:" + m)
        raise Exception(m)

    class APlus:
        """aplus(v): a thenable whose then runs through a real promise (ok(v))."""

        def __init__(self, value: Any) -> None:
            self.value = value

        def __await__(self) -> Generator[Any, None, Any]:
            log.append("aplus:" + _json(self.value))
            return (yield from ok(self.value).__await__())

    class Response:
        def __init__(self, value: Any) -> None:
            self.value = value

        async def json(self) -> Any:
            log.append("json:" + _json(self.value))
            return await ok(self.value)

        def size(self) -> int:
            return len(self.value)

    return {
        "response": Response,
        "log": log_,
        "aplus": APlus,
        "sleep": sleep,
        "ok": ok,
        "fail": fail,
        "thenable": lambda v=None: _Thenable(log, v),
        "badThenable": lambda m: _Thenable(log, error=m),
    }


_JS_NAMES = {"Exception": "Error", "ValueError": "RangeError"}


def py_outcome(code: str) -> dict[str, Any]:
    """What the translated module's main() settles with, and the log, under asyncio."""
    log: list[Any] = []
    namespace: dict[str, Any] = {"__name__": "translated", **stubs(log)}

    async def run() -> dict[str, Any]:
        exec(compile(code, "<translated>", "exec"), namespace)
        try:
            value = namespace["main"]()
            if inspect.isawaitable(value):
                value = await asyncio.wait_for(value, 10)
            result: dict[str, Any] = {"value": "<undefined>" if value is None else _normal(value)}
        except TypeError:
            # As harness.WRAPPER does on the JS side: a TypeError is compared by its class
            # only (engines word their messages after the source text; Python after its own).
            result = {"error": "TypeError"}
        except Exception as exc:
            name = _JS_NAMES.get(type(exc).__name__, type(exc).__name__)
            result = {"error": f"{name}: {exc}"}
        await asyncio.sleep(GRACE_MS / 1000)
        return {"outcome": result, "log": log}

    data: dict[str, Any] = json.loads(json.dumps(asyncio.run(run())))
    return data


def translate_py(program: str) -> str:
    """The Python translation of program (raises TranslationError when it is unsupported)."""
    return bridge.translate(program, to="python").code


_NULL_LOGGED = re.compile(r"(ok|thenable|aplus):(null|undefined)")


def _undefined_is_null(data: dict[str, Any]) -> dict[str, Any]:
    # null and undefined are both None in Python: compare them as one value (the settled
    # value, and what the stubs log about it: JS's "ok:null" is Python's "ok:undefined").
    outcome = dict(data["outcome"])
    if outcome.get("value", 0) is None:
        outcome["value"] = "<undefined>"
    log = [
        _NULL_LOGGED.sub(r"\1:undefined", x)
        if isinstance(x, str) and _NULL_LOGGED.fullmatch(x)
        else x
        for x in data["log"]
    ]
    return {"outcome": outcome, "log": log}


def assert_same(program: str) -> tuple[dict[str, Any], str]:
    """Run program in the engine and its Python translation; assert they agree."""
    code = translate_py(program)
    before = _undefined_is_null(js_outcome(JS_EXTRA + program))
    after = _undefined_is_null(py_outcome(code))
    assert after == before, f"\n--- JS\n{program}\n--- Python\n{code}"
    return before, code
