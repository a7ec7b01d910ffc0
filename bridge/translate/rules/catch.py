"""``catch`` (and ``then(null, r)``): everything before it goes into a ``try``."""

# Matches: p.catch(e => fallback), p.catch(e => { log(e); throw e }), p.catch(() => 0),
#          p.catch(handleError), p.then(undefined, e => ...), p.catch(a).catch(b),
#          p.catch(h).then(next)

from __future__ import annotations

from .._lower import Lowering
from .._model import Catch, Declare, HandlerKind, Param, Step, Try, Var
from . import rule


@rule("catch", "step")
def catch(lw: Lowering, step: Step) -> None:
    handler = step.on_rejected
    if handler is None or handler.kind is HandlerKind.NON_CALLABLE:
        return  # catch(null) passes the rejection through
    out = lw.result_var()
    body = lw.stmts
    lw.stmts = []
    param: Param | str | None
    if handler.kind is HandlerKind.REFERENCE:
        param = lw.fresh("error")
        lw.run_handler(handler, Var(param), bind=False)
    else:
        p = handler.param
        param = p if p is not None and (p.used or not p.is_identifier) else None
        lw.run_handler(handler, None, bind=False)
    lw.settle_into(out)
    handled = lw.stmts
    lw.stmts = [Declare([out]), Try(body, Catch(param, handled))]
    lw.cur, lw.settled = Var(out), True
