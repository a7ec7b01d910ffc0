"""The Python target: a JS module built on promise chains -> a Python asyncio module.

``translate_module`` is what ``bridge.translate(source, to="python")`` calls. The work is
split by kind of node, each module a set of handlers: ``scopes`` (names and bindings),
``statements`` and ``expressions`` (a table of handlers by node type each), ``builtins``
(tables of handlers for the statics and methods of JS's built-ins; console, timers,
``Promise`` statics), ``chains`` (awaits and the steps of a chain); ``text`` and
``helpers`` are what the emitted text is made of.
"""

from __future__ import annotations

from .emitter import translate_module

__all__ = ["translate_module"]
