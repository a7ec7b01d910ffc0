"""bridge: Python and JavaScript awaiting each other.

Layering (lower layers never import higher ones):

* ``_exceptions`` - the error tree; no dependencies.
* ``_unhandled``  - the one place unhandled rejections are reported (both Promise kinds).
* ``_promise``    - ``bridge.Promise``; pure Python, runs without the JS engine.
* ``_hooks``      - the one mechanism for the few calls that go upward.
* ``_runtime``    - the ``Runtime`` interface both runtimes implement; imports no runtime.
* ``embedded``    - SpiderMonkey in this process (the only importer of pythonmonkey); the
  module-level ``eval``/``require``/``run``/... are its shortcuts.
* ``node``      - Node.js in a child process, behind the same ``Runtime`` interface.
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
from ._exceptions import ModuleNotFound as ModuleNotFound
from ._exceptions import PackagePathNotExported as PackagePathNotExported
from ._exceptions import RuntimeGone as RuntimeGone
from ._exceptions import RuntimeNotReady as RuntimeNotReady
from ._exceptions import TranslationError as TranslationError
from ._exceptions import WrongThread as WrongThread

# isort: off
# --- the Runtime interface and the embedded runtime ---
from ._runtime import Runtime as Runtime
from .embedded import EmbeddedRuntime as EmbeddedRuntime
from .embedded import JSFunction as JSFunction
from .embedded import JSObject as JSObject
from .embedded import blocking as blocking
from .embedded import embedded as embedded
from .embedded import eval as eval
from .embedded import expose as expose
from .embedded import iterate as iterate
from .embedded import js_globals as _js_globals
from .embedded import new as new
from .embedded import require as require
from .embedded import run as run
from .embedded import signal as signal
from .embedded import to_future as to_future
from .embedded import to_js as to_js

# --- the Node.js runtime ---
from .node import NodeRuntime as NodeRuntime
from .node import node as node

# --- Promise ---
from ._promise import Promise as Promise

# --- translator ---
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
    "EmbeddedRuntime",
    "JSAggregateError",
    "JSError",
    "JSFunction",
    "JSObject",
    "JSRangeError",
    "JSReferenceError",
    "JSRejection",
    "JSSyntaxError",
    "JSTypeError",
    "ModuleNotFound",
    "NodeRuntime",
    "PackagePathNotExported",
    "Promise",
    "Runtime",
    "RuntimeGone",
    "RuntimeNotReady",
    "Translation",
    "TranslationError",
    "WrongThread",
    "blocking",
    "embedded",
    "eval",
    "expose",
    "iterate",
    "new",
    "node",
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
        return _js_globals()
    raise AttributeError(f"module 'bridge' has no attribute {name!r}")
