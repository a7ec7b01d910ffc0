"""bridge: Python and JavaScript awaiting each other.

Layering (lower layers never import higher ones):

* ``_exceptions`` - the error tree; no dependencies.
* ``_unhandled``  - the one place unhandled rejections are reported (both Promise kinds).
* ``_promise``    - ``bridge.Promise``; pure Python, runs without the JS engine.
* ``_runtime``    - the only importer of pythonmonkey: one engine, wired into the asyncio loop.
* ``_convert``    - JS promises/thenables <-> asyncio futures, JS errors <-> Python exceptions.
* ``_cancel``     - AbortSignal <-> task cancellation, timeouts.
* ``translate``   - promise chains -> async/await (JS or Python); pure Python.
* ``_cli``        - the ``bridge`` command.

This module re-exports the public names; every public name has exactly one public home: here.
Importing bridge does not start the engine: that happens on first use.
"""

from __future__ import annotations

from typing import Any

from ._exceptions import AggregateError as AggregateError
from ._exceptions import BridgeError as BridgeError
from ._exceptions import JSAggregateError as JSAggregateError
from ._exceptions import JSError as JSError
from ._exceptions import JSRangeError as JSRangeError
from ._exceptions import JSReferenceError as JSReferenceError
from ._exceptions import JSRejection as JSRejection
from ._exceptions import JSSyntaxError as JSSyntaxError
from ._exceptions import JSTypeError as JSTypeError
from ._exceptions import RuntimeNotReady as RuntimeNotReady
from ._exceptions import TranslationError as TranslationError
from ._exceptions import WrongThread as WrongThread

# Imports stay grouped under each issue's marker, not sorted across markers.
# isort: off
# --- runtime and conversion (issue 2) ---
from ._convert import JSFunction as JSFunction
from ._convert import JSObject as JSObject
from ._convert import blocking as blocking
from ._convert import expose as expose
from ._convert import to_future as to_future
from ._convert import to_js as to_js
from ._runtime import eval as eval
from ._runtime import new as new
from ._runtime import require as require
from ._runtime import run as run

# --- Promise (issue 3) ---
from ._promise import Promise as Promise

# --- cancellation (issue 4) ---
from ._cancel import iterate as iterate
from ._cancel import signal as signal

# --- translator (issues 5, 6) ---
# `bridge.translate` is the function; the subpackage stays importable as bridge.translate.*.
from .translate import Diagnostic as Diagnostic
from .translate import Translation as Translation
from .translate import translate as translate
# isort: on

__version__ = "0.1.0"

__all__ = [
    "AggregateError",
    "BridgeError",
    "Diagnostic",
    "JSAggregateError",
    "JSError",
    "JSFunction",
    "JSObject",
    "JSRangeError",
    "JSReferenceError",
    "JSRejection",
    "JSSyntaxError",
    "JSTypeError",
    "Promise",
    "RuntimeNotReady",
    "Translation",
    "TranslationError",
    "WrongThread",
    "blocking",
    "eval",
    "expose",
    "iterate",
    "new",
    "require",
    "run",
    "signal",
    "to_future",
    "to_js",
    "translate",
]


def __getattr__(name: str) -> Any:
    # `bridge.globals` is JS globalThis; resolving it starts the engine, so it is looked up lazily.
    if name == "globals":
        from ._runtime import js_globals

        return js_globals()
    raise AttributeError(f"module 'bridge' has no attribute {name!r}")
