"""A handler block body whose only ``return`` is its last statement: the statements before it
are inlined, and the returned expression is what the next step awaits.
"""

# Matches: p.then(x => { log(x); return x.id; }), p.then(x => { save(x); return; })

from __future__ import annotations

from tree_sitter import Node

from .._lower import Lowering
from .._model import UNDEFINED, Body, Handler, Stmt
from . import rule


@rule("tail-return", "body")
def tail_return(lw: Lowering, handler: Handler, returns: list[Node], outer: list[Stmt]) -> None:
    lw.stmts.append(Body(handler, skip_tail=True, returns=returns))
    value = [a for a in returns[0].named_children if a.type != "comment"]
    if value:
        lw.result_expr(value[0])
    else:
        lw.cur, lw.settled = UNDEFINED, True
