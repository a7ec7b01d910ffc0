"""``function`` handlers using ``this``, ``arguments``, ``super`` or ``new.target``, left alone.

``then`` calls them with ``this === undefined`` and one argument; inlined, those would mean the
enclosing function's. (Arrows are fine: theirs already are the enclosing function's.) Also a
named ``function`` expression that refers to its own name.
"""

# Matches (left alone): .then(function () { return this.x }), .then(function f() { f })

from __future__ import annotations

from tree_sitter import Node

from .._analyse import FUNCTION_TYPES, Unsafe, walk
from .._lower import Lowering
from .._model import Chain, HandlerKind
from . import rule


def _own_function(node: Node) -> Node | None:
    """The nearest enclosing non-arrow function (the one `this`/`arguments` belong to)."""
    p = node.parent
    while p is not None:
        if p.type in FUNCTION_TYPES and p.type != "arrow_function":
            return p
        p = p.parent
    return None


@rule("this-arguments", "check")
def this_arguments(lw: Lowering, chain: Chain) -> None:
    parsed = lw.parsed
    for _, h in chain.handlers:
        if h.kind is not HandlerKind.FUNCTION or h.body is None:
            continue
        for n in walk(h.body):
            t = n.type  # read once: each read builds a new string
            word = None
            if t in ("this", "super"):
                word = t
            elif t == "identifier" and parsed.text(n) == "arguments":
                word = "arguments"
            elif t == "meta_property":
                word = "new.target"
            if word is not None and _own_function(n) == h.node:
                raise Unsafe(
                    "this-arguments",
                    f"a `function` handler uses `{word}`, which inlining would rebind",
                    n,
                )
        name = h.node.child_by_field_name("name")
        if name is not None:
            own = parsed.text(name)
            for n in walk(h.body):
                if n.type == "identifier" and parsed.text(n) == own:
                    raise Unsafe(
                        "self-reference",
                        f"the handler refers to its own name `{own}`",
                        n,
                    )
