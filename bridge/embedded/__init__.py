"""The embedded runtime: SpiderMonkey inside this process, through pythonmonkey.

The only package that imports pythonmonkey. Its modules, lowest first (each imports only those
before it; the few upward calls go through ``bridge._hooks``):

* ``_engine`` - pythonmonkey started on first use, the thread that owns it, the JS of ``js/``.
* ``_edges``  - the pythonmonkey 1.4.1 sharp edges bridge contains (lost references, the
  rejection tracker, async stacks, the 3.13 loop pointer).
* ``_loop``   - the engine inside asyncio: microtask queue, ``JSFuture``, error translation.
* ``_values`` - JS values, promises and errors <-> Python (``JSObject``, ``JSFunction``...).
* ``_cancel`` - AbortSignal <-> task cancellation, async iteration both ways.
* ``_modules`` - entry points: ``eval``, ``require``, ``new``, ``run``, ``globals``.
* ``_web``    - the web globals real libraries expect (``js/web.js``).
* ``_facade`` - ``embedded()``: all of the above as a ``bridge.Runtime``.
"""

from __future__ import annotations

from . import _web as _web  # registers the web globals, installed at engine start
from ._cancel import iterate as iterate
from ._cancel import signal as signal
from ._facade import EmbeddedRuntime as EmbeddedRuntime
from ._facade import embedded as embedded
from ._modules import eval as eval
from ._modules import js_globals as js_globals
from ._modules import new as new
from ._modules import require as require
from ._modules import run as run
from ._values import JSFunction as JSFunction
from ._values import JSObject as JSObject
from ._values import blocking as blocking
from ._values import expose as expose
from ._values import to_future as to_future
from ._values import to_js as to_js

__all__ = [
    "EmbeddedRuntime",
    "JSFunction",
    "JSObject",
    "blocking",
    "embedded",
    "eval",
    "expose",
    "iterate",
    "js_globals",
    "new",
    "require",
    "run",
    "signal",
    "to_future",
    "to_js",
]
