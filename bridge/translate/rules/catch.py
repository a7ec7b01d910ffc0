"""``catch`` (and ``then(null, r)``): everything before it goes into a ``try``."""

# Matches: p.catch(e => fallback), p.catch(e => { log(e); throw e }), p.catch(() => 0),
#          p.catch(handleError), p.then(undefined, e => ...), p.catch(a).catch(b),
#          p.catch(h).then(next)

from __future__ import annotations

from .._lower import Lowering
from .._model import Declare, HandlerKind, Step, Try, Var
from . import rule


@rule("catch", "step")
def catch(lw: Lowering, step: Step) -> None:
    handler = step.on_rejected
    if handler is None or handler.kind is HandlerKind.NON_CALLABLE:
        return  # catch(null) passes the rejection through
    out = lw.result_var()
    body = lw.stmts
    clause = lw.catch_clause(handler, out)
    lw.stmts = [Declare([out]), Try(body, clause)]
    lw.cur, lw.settled = Var(out), True
