"""Handlers that are references but not provably a declared function: read once, guarded.

``.then(obj.m)``, ``.then(cb)``, ``.catch(imported)``: ``then`` reads the reference when the
chain is built (after its base is evaluated), calls it with ``this`` undefined, and lets the
outcome pass through when it is not a function. The rewrite does the same: the reference is
read into a ``const`` right after the base (a parameter or an import never assigned is read
where it is called: it holds the same value then), called as a plain function (``this``
undefined), and guarded by ``typeof``: a non-function passes the value through (``then``),
rethrows the rejection (``catch``) or does nothing (``finally``).
"""

# Matches: p.then(this.onData), p.then(obj["m"]), p.then(cb), p.catch(this.onError),
#          p.then(imported), p.finally(this.close), p.then(handlers[kind])

from __future__ import annotations

from tree_sitter import Node

from .._lower import Lowering, Prelude, plain_base
from .._model import Chain, Const, HandlerKind, Src, Var
from . import rule
from ._common import reference_kind


@rule("method-reference", "prepare")
def hoist_references(lw: Lowering, chain: Chain) -> Prelude:
    """Read every handler that may not be a function where ``then`` reads it; note in
    ``lw.guards`` the name each is called through and its role."""
    prelude: Prelude = []
    for role, h in chain.handlers:
        if h.kind is not HandlerKind.REFERENCE:
            continue
        node = h.node
        if node.type == "identifier":
            kind = reference_kind(lw.parsed, lw.index, node)
            if kind == "declared-function":
                continue  # called as it is
            if kind == "stable":
                lw.guards[node.id] = (lw.text(node), role)
                continue
        if not prelude and not plain_base(lw.cur):
            # The base runs before the handler is read, as when the chain was built.
            base = lw.fresh("promise")
            prelude.append(Const(base, lw.cur))
            lw.cur = Var(base)
        name = lw.index.fresh(_base_name(lw, node), lw.region, property_ok=True)
        prelude.append(Const(name, Src(node)))
        lw.guards[node.id] = (name, role)
    return prelude


def _base_name(lw: Lowering, node: Node) -> str:
    """``onData`` for ``this.onData``; ``handler`` for anything else."""
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        if prop is not None and prop.type == "property_identifier":
            return lw.text(prop)
    return "handler"
