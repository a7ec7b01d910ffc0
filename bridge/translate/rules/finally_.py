"""``finally``: ``try { ... } finally { await h(); }``.

``Promise.prototype.finally`` keeps the value or the rejection, waits for the promise the
handler returns, and lets a throw (or a rejection of that promise) replace the outcome:
exactly what a ``finally`` block with an ``await`` does. (TypeScript's fix emits
``finally { return cb() }``, which loses the value and swallows rejections.)
"""

# Matches: p.finally(() => cleanup()), p.finally(() => { log("done") }), p.finally(stop),
#          p.finally(async () => { await close() }), p.finally(null)

from __future__ import annotations

from .._lower import Lowering, callable_handler, needs_evaluation
from .._model import Await, Declare, Eval, Step, Try, Var
from . import rule


@rule("finally", "step")
def finally_(lw: Lowering, step: Step) -> None:
    handler = step.on_finally
    if handler is None or not callable_handler(handler):
        return
    merge = _mergeable(lw)
    saved = lw.cur
    body = lw.stmts
    out = ""
    if merge is None:
        out = lw.result_var()
    lw.stmts = []
    lw.run_handler(handler, None)
    done = lw.cur if lw.settled else Await(lw.cur)
    if needs_evaluation(done):  # the handler's returned promise is awaited, its value dropped
        lw.stmts.append(Eval(done))
    final = lw.stmts
    if merge is not None:
        # `try {} catch {} finally {}` is the nested pair: the catch block runs first, and a
        # throw from it still reaches the finally block.
        merge.finalbody = final
        lw.stmts = body
        lw.cur, lw.settled = saved, True
        return
    lw.stmts = [Declare([out]), Try(body, finalbody=final)]
    lw.cur, lw.settled = Var(out), True


def _mergeable(lw: Lowering) -> Try | None:
    """The try of a directly preceding catch step (its value already settled in a var)."""
    s = lw.stmts
    if (
        lw.settled
        and isinstance(lw.cur, Var)
        and len(s) == 2
        and isinstance(s[0], Declare)
        and s[0].names == [lw.cur.name]
        and isinstance(s[1], Try)
        and s[1].catch is not None
        and s[1].finalbody is None
        and s[1].flag is None
    ):
        return s[1]
    return None
