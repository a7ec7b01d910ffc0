"""The errors bridge raises.

::

    BridgeError(Exception)
     +-- JSError                 anything thrown or rejected in JS: .name .message .stack .js_value
     |    +-- JSTypeError(JSError, TypeError)
     |    +-- JSRangeError(JSError, ValueError)
     |    +-- JSReferenceError(JSError, NameError)
     |    +-- JSSyntaxError(JSError, SyntaxError)
     |    +-- JSAggregateError(JSError)   .errors: the mapped errors, in order
     |    +-- JSRejection(JSError)        a non-Error reason (42, "x", null, undefined): .value
     +-- RuntimeGone             a runtime process ended or was closed: .returncode .signal .stderr
     +-- RuntimeNotReady         promise work asked for with no asyncio loop running
     +-- WrongThread             the engine used from a thread other than its own
     +-- TranslationError        the translator cannot handle its input: .line .column .rule

``AggregateError`` is what ``bridge.Promise.any`` raises when every input rejected; it is a
``JSAggregateError`` so that one ``except`` clause catches both sides' aggregate errors.

A JS error that reaches Python becomes the most specific class above (JS ``cause`` becomes
``__cause__``, a custom Error subclass keeps its ``.name``); sent back to JS, it is the very
same JS object again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._hooks import Hooks

__all__ = [
    "AggregateError",
    "BridgeError",
    "JSAggregateError",
    "JSError",
    "JSRangeError",
    "JSReferenceError",
    "JSRejection",
    "JSSyntaxError",
    "JSTypeError",
    "ModuleNotFound",
    "PackagePathNotExported",
    "RuntimeGone",
    "RuntimeNotReady",
    "TranslationError",
    "WrongThread",
]


class BridgeError(Exception):
    """Base class of every error bridge raises itself; catch it to catch them all."""


class JSError(BridgeError):
    """Something JavaScript threw or rejected with.

    Raised when JS code run through bridge throws, or when an awaited JS promise rejects.
    ``name``, ``message`` and ``stack`` are the JS error's; ``js_value`` is the thrown value
    itself, so that handing the exception back to JS gives JS the same object (``===``).
    """

    def __init__(
        self,
        message: str = "",
        *,
        name: str = "Error",
        stack: str = "",
        js_value: Any = None,
    ) -> None:
        super().__init__(message)
        self.name = name
        self.message = message
        self.stack = stack
        self.js_value = js_value

    def __str__(self) -> str:
        return f"{self.name}: {self.message}" if self.message else self.name

    def __getitem__(self, key: str) -> Any:
        """A JS property of the error (``err["issues"]``), read from ``js_value``.

        Raises:
            KeyError: the JS error has no such property.
        """
        if self.js_value is not None:
            for read in error_properties.fns:
                value = read(self.js_value, key)
                if value is not NOT_FOUND:
                    return value
        raise KeyError(key)

    def __getattr__(self, name: str) -> Any:
        # Only called for names Python does not have: the JS error's own fields (zod's
        # `issues`, Node's `code`) read as attributes too.
        if name.startswith("_") or name in _NOT_JS:
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no JS property {name!r}") from None


# Each runtime registers how it reads a property of one of its JS errors (NOT_FOUND when the
# error is not its own, or has no such property).
NOT_FOUND: Any = object()
error_properties: Hooks[Callable[[Any, str], Any]] = Hooks("error_properties")
_NOT_JS = frozenset({"jsError", "js_value", "pyException"})


class JSTypeError(JSError, TypeError):
    """A JS ``TypeError``; also a Python ``TypeError``."""


class JSRangeError(JSError, ValueError):
    """A JS ``RangeError``; also a Python ``ValueError``."""


# NameError has its own ``name`` (the missing identifier); here ``name`` is the JS error's name,
# as on every JSError, and the missing identifier is in ``message``.
class JSReferenceError(JSError, NameError):  # type: ignore[misc]
    """A JS ``ReferenceError``; also a Python ``NameError``."""


class JSSyntaxError(JSError, SyntaxError):
    """A JS ``SyntaxError``; also a Python ``SyntaxError``.

    Raised for bad source given to ``bridge.eval`` or met by ``bridge.require`` (and for a JS
    ``SyntaxError`` thrown at run time, e.g. by ``JSON.parse``). ``filename``, ``lineno`` and
    ``offset`` (1-based column) say where, and ``text`` is that line when bridge has the
    source, so a traceback shows the line and a caret as for a Python ``SyntaxError``.
    """

    def __init__(
        self,
        message: str = "",
        *,
        name: str = "SyntaxError",
        stack: str = "",
        js_value: Any = None,
        filename: str | None = None,
        lineno: int | None = None,
        offset: int | None = None,
        text: str | None = None,
    ) -> None:
        super().__init__(message, name=name, stack=stack, js_value=js_value)
        self.msg = message  # what a traceback prints after the caret
        self.filename = filename
        self.lineno = lineno
        self.offset = offset
        self.text = text

    def __str__(self) -> str:  # as SyntaxError shows it: message (file, line N)
        where = f" ({self.filename}, line {self.lineno})" if self.filename and self.lineno else ""
        return JSError.__str__(self) + where


class JSAggregateError(JSError):
    """A JS ``AggregateError`` (``Promise.any`` with every input rejected).

    ``errors`` holds each inner error mapped the same way, in input order.
    """

    def __init__(
        self,
        message: str = "",
        *,
        errors: list[BaseException] | None = None,
        name: str = "AggregateError",
        stack: str = "",
        js_value: Any = None,
    ) -> None:
        super().__init__(message, name=name, stack=stack, js_value=js_value)
        self.errors: list[BaseException] = list(errors or [])


class AggregateError(JSAggregateError):
    """Raised by ``bridge.Promise.any`` when every input rejected; ``.errors`` keeps input order."""

    def __init__(
        self, errors: list[BaseException], message: str = "All promises were rejected"
    ) -> None:
        super().__init__(message, errors=errors)


# The Python class for each kind of JS error (its constructor's name), on both runtimes; any
# other kind is a JSError.
ERROR_KINDS: dict[str, type[JSError]] = {
    "Error": JSError,
    "TypeError": JSTypeError,
    "RangeError": JSRangeError,
    "ReferenceError": JSReferenceError,
    "SyntaxError": JSSyntaxError,
    "AggregateError": JSAggregateError,
}


class JSRejection(JSError):
    """A JS rejection or throw whose reason is not an Error (42, "x", null, undefined).

    ``value`` is the reason as Python sees it (``None`` for both ``null`` and ``undefined``;
    ``is_null`` tells them apart).
    """

    def __init__(self, value: Any, *, is_null: bool = False, js_value: Any = None) -> None:
        self.value = value
        self.is_null = is_null
        super().__init__(_describe(value, is_null), name="JSRejection", js_value=js_value)

    def __str__(self) -> str:
        return f"JS rejected with a non-Error value: {self.message}"


def _describe(value: Any, is_null: bool) -> str:
    if value is None:
        return "null" if is_null else "undefined"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


class ModuleNotFound(BridgeError, ImportError):
    """``require`` found no module by that name.

    Raised by ``bridge.require`` (and the runtimes' ``require``); the message names the
    specifier, the file that asked for it and the folders searched. Install the package
    (``npm install NAME`` next to your script) or fix the path.
    """


class PackagePathNotExported(ModuleNotFound):
    """``require("pkg/sub")`` where the package's ``package.json`` ``exports`` does not list
    ``./sub``: the message names the package's ``package.json`` and what it exports."""


class RuntimeGone(BridgeError):
    """A runtime is no longer there: its process ended, or it was closed.

    Pending and later awaits on it raise this. ``returncode`` and ``signal`` say how the process
    ended (``None`` when unknown), ``stderr`` holds its last lines of standard error.
    """

    def __init__(
        self,
        message: str,
        *,
        returncode: int | None = None,
        signal: int | None = None,
        stderr: str = "",
    ) -> None:
        super().__init__(message + (f"\nlast stderr lines:\n{stderr}" if stderr else ""))
        self.returncode = returncode
        self.signal = signal
        self.stderr = stderr


class RuntimeNotReady(BridgeError):
    """JS code needed a running asyncio loop and there was none.

    Raised by ``bridge.eval`` (and anything that schedules a promise job or a timer) when it is
    called from synchronous code. Call it from async code, or wrap the work in ``bridge.run``.
    """


class WrongThread(BridgeError):
    """The embedded engine was used from a thread other than the one that owns it.

    SpiderMonkey is single-threaded and the engine belongs to the main thread. From another
    thread, submit the work to the loop the main thread runs
    (``asyncio.run_coroutine_threadsafe(coro, main_loop)``); if your event loop runs off the
    main thread, use the Node.js runtime, which works from any thread's loop.
    """


class TranslationError(BridgeError):
    """The translator could not read or handle its input.

    ``line`` and ``column`` are 1-based positions in the source; ``rule`` names the translator
    rule (or ``"syntax"``/``"unsupported"``) that gave up.
    """

    def __init__(self, message: str, *, line: int = 0, column: int = 0, rule: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.rule = rule
