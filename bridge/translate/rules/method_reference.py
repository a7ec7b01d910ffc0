"""Handlers that are references, left alone unless provably a function declared once.

Method references ``.then(obj.m)``: ``then`` calls ``m`` with ``this`` undefined, ``obj.m(v)``
would not; and ``obj.m`` is read when the chain is built, not later. Other references not
provably a function declared once and never reassigned: a non-function passes the value
through, a call would throw; a reassigned name is read too late.
"""

# Matches (left alone): .then(obj.method), .then(maybeFn)

from __future__ import annotations

from .._analyse import Unsafe
from .._lower import Lowering
from .._model import Chain, HandlerKind
from . import rule
from ._common import declared_function


@rule("method-reference", "check")
def references(lw: Lowering, chain: Chain) -> None:
    for _, h in chain.handlers:
        if h.kind is not HandlerKind.REFERENCE:
            continue
        node = h.node
        if node.type in ("member_expression", "subscript_expression"):
            raise Unsafe(
                "method-reference",
                f"`{lw.text(node)}` is passed as a handler: `then` calls it without its "
                "object as `this`, and reads it when the chain is built",
                node,
            )
        if node.type != "identifier" or not declared_function(lw.parsed, lw.index, node):
            raise Unsafe(
                "unknown-handler",
                f"cannot prove `{lw.text(node)}` is a function declared once and never "
                "reassigned (a non-function would pass the value through)",
                node,
            )
