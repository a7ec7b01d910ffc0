"""Handlers whose parameters or declarations an inlined body would not keep, left alone.

Parameters with defaults, rest parameters, used extra parameters, parameters of a ``finally``
handler (it gets no argument): kept exact only by calling. ``var`` or function declarations
in a handler body, unless a ``var`` is used only there: inlined, they would move to the
enclosing function's scope.
"""

# Matches (left alone): .then((x = 1) => x), .then((...args) => args), .finally((x) => x),
#   .then(x => { var y = x; return y })

from __future__ import annotations

import bisect

from tree_sitter import Node

from .._analyse import Unsafe, own_nodes, walk
from .._lower import Lowering
from .._model import Chain, Handler, HandlerKind
from . import rule


@rule("handler-params", "check")
def params(lw: Lowering, chain: Chain) -> None:
    for role, h in chain.handlers:
        if h.kind not in (HandlerKind.ARROW, HandlerKind.FUNCTION):
            continue
        if h.node.child_by_field_name("type_parameters") is not None:
            raise Unsafe(
                "handler-params",
                "a generic handler: its type parameters would be unbound once inlined",
                h.node,
            )
        for i, p in enumerate(h.params):
            t = p.pattern.type
            if t == "this":
                raise Unsafe("this-arguments", "a handler declares a `this` parameter", p.node)
            if t in ("assignment_pattern", "rest_pattern") or p.node.type == "optional_parameter":
                raise Unsafe(
                    "handler-params",
                    f"handler parameter `{lw.text(p.node)}` has a default or is a rest parameter",
                    p.node,
                )
            if (i > 0 or role == "finally") and (p.used or not p.is_identifier):
                raise Unsafe(
                    "handler-params",
                    f"handler parameter `{lw.text(p.node)}` receives no argument",
                    p.node,
                )
        if h.body is not None and h.body.type == "statement_block":
            _no_hoisting_declarations(lw, chain, h)


_LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})


def _var_stays_private(lw: Lowering, chain: Chain, h: Handler, decl: Node) -> bool:
    """Whether a handler's ``var`` may move to the enclosing function: its names occur
    nowhere else there (nothing outside the handler can see or shadow them), and the chain
    is in no loop of that function (each run of the handler had a fresh variable, which
    closures made in it kept; one function-wide variable would be shared)."""
    names = []
    for declarator in decl.named_children:
        target = declarator.child_by_field_name("name")
        if target is None:
            continue
        # Every identifier of the pattern (defaults' names too: more to check, never fewer).
        names += [
            lw.text(n)
            for n in walk(target)
            if n.type in ("identifier", "shorthand_property_identifier_pattern")
        ]
    if not names or any(lw.index.occurs_outside(x, chain.function, h.node) for x in names):
        return False
    # Read before its declaration (hoisting at work): left alone, as both targets cannot
    # express that the same way.
    pos = lw.parsed.name_positions()
    for x in names:
        if bisect.bisect_left(pos.get(x, []), decl.start_byte) > bisect.bisect_left(
            pos.get(x, []), h.node.start_byte
        ):
            return False
    n = chain.node.parent
    while n is not None and n != chain.function:
        if n.type in _LOOPS:
            return False
        n = n.parent
    return True


def _no_hoisting_declarations(lw: Lowering, chain: Chain, h: Handler) -> None:
    assert h.body is not None
    kinds = ("variable_declaration", "function_declaration", "generator_function_declaration")
    for n in own_nodes(lw.parsed, h.body, h.node, kinds):
        if n.type == "variable_declaration" and not _var_stays_private(lw, chain, h, n):
            raise Unsafe(
                "var-in-handler",
                "a handler declares `var` used elsewhere in the function, read before its "
                "declaration, or shared by a loop; inlined, it would move to the function",
                n,
            )
        if n.type in ("function_declaration", "generator_function_declaration"):
            raise Unsafe(
                "var-in-handler",
                "a handler declares a function; inlined, it would move to the enclosing scope",
                n,
            )
