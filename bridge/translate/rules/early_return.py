"""A handler block body with a ``return`` before its end, and more steps after it.

The body goes in a labelled block; each ``return x`` becomes ``result = x; break step;`` and
the next step awaits ``result`` (a ``return`` inside a ``try`` of the handler does not await,
so the handler's own ``catch`` does not see the returned promise's rejection, as in the
original). Falling off the end leaves ``result`` undefined, as the handler returned.

The last step of a returned chain needs none of that: its body is inlined with its
``return``s as they are, since returning from the (async) function adopts the value exactly
as ``then`` adopts the handler's.
"""

# Matches: p.then(x => { if (!x) return null; return load(x); }).then(show),
#          p.then(xs => { for (const x of xs) { if (x.ok) return x; } })

from __future__ import annotations

from tree_sitter import Node

from .._lower import Lowering
from .._model import UNDEFINED, Body, Declare, Handler, Stmt, Var
from . import rule


@rule("early-return", "body")
def early_return(lw: Lowering, handler: Handler, returns: list[Node], outer: list[Stmt]) -> None:
    if handler.node == lw.direct_tail:
        # The last step of a returned chain: its returns can be the function's own.
        lw.stmts.append(Body(handler, returns=returns, direct=True))
        lw.cur, lw.settled, lw.returned_directly = UNDEFINED, True, True
        return
    result = lw.fresh("result")
    outer.append(Declare([result]))  # outside the handler's own block, if it gets one
    lw.stmts.append(Body(handler, result=result, label=lw.fresh("step"), returns=returns))
    lw.cur, lw.settled = Var(result), False
