"""Chains in a module that uses a promise library (bluebird, q, when...) whose rewrite
would change the class of a promise someone else sees, are left alone.

``return p.then(f)`` returns whatever ``p.then`` makes: a bluebird promise when ``p`` is one,
with ``.map``, ``.tap``, ``.reduce``, ``.spread``... that callers (maybe in other modules)
use. An ``async`` function always returns a native ``Promise``, which has none of them; a
fire-and-forget chain rewritten as an ``async`` IIFE reports an unhandled rejection the
native way (Node stops the process) instead of the library's. Found in a real project: a
rewritten ``bucketEntries`` broke ``bucketEntries(...).reduce(...)``. Awaited chains are
still rewritten: ``await`` gives the same value whatever the promise's class; so are
functions written as an argument of a call (a callback), whose result only the callee sees.
"""

# Matches (left alone): const BB = require('bluebird'); function f() { return p.then(g) },
#          import Q from 'q'; p.then(g).catch(h);

from __future__ import annotations

import re

from tree_sitter import Node

from .._analyse import Unsafe
from .._lower import Lowering
from .._model import Chain, Context
from . import rule

# Libraries whose promises have methods a native Promise lacks (bluebird: map/tap/spread...,
# q: spread/fin/done, when: tap/fold, rsvp/promise/kew/vow: done, nodeify...).
_LIBRARY = re.compile(
    rb"""(?:\brequire\s*\(\s*|\bfrom\s*|\bimport\s*)(['"])"""
    rb"""(bluebird|q|when|rsvp|kew|vow|promise)(?:/[^'"]*)?\1"""
)
_EXPOSED = frozenset({Context.RETURNED, Context.ARROW_BODY, Context.STATEMENT})
_memo: tuple[bytes, str | None] | None = None  # the last module's source and its library


def library(source: bytes) -> str | None:
    """The promise library the module requires or imports, if any (one scan per module)."""
    global _memo
    if _memo is None or _memo[0] is not source:
        m = _LIBRARY.search(source)
        _memo = (source, m.group(2).decode() if m else None)
    return _memo[1]


def _callback(fn: Node) -> bool:
    """Whether fn is written as an argument of a call (``test('x', t => p.then(f))``,
    ``list.map(x => load(x).then(f))``): its result goes to the callee, which (being given
    a thenable where it may also get a plain value) can only rely on ``then``."""
    parent = fn.parent
    return parent is not None and parent.type == "arguments"


@rule("promise-library", "check")
def promise_library(lw: Lowering, chain: Chain) -> None:
    if chain.context not in _EXPOSED or chain.function_is_async:
        return
    name = library(lw.parsed.source)
    if name is None:
        return
    fn = chain.function
    if chain.context is not Context.STATEMENT and fn is not None and _callback(fn):
        return
    if chain.context is Context.STATEMENT:
        why = (
            "an async rewrite would report a failure of this fire-and-forget chain as a "
            f"native unhandled rejection, not the way `{name}` does"
        )
    else:
        why = (
            f"the function would return a native Promise instead of a `{name}` promise, "
            "whose extra methods (.map, .tap...) callers may use"
        )
    raise Unsafe(
        "promise-library",
        f"the module uses the promise library `{name}`: {why}",
        chain.node,
    )
