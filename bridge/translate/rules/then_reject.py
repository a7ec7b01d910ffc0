"""``then(onFulfilled, onRejected)``: the rejection handler must not see onFulfilled's errors.

Lowered to try/except/else: the fulfilment handler runs in ``else``, outside the ``try`` that
the rejection handler guards (JS spells ``else`` with a flag). A plain try/catch around both,
as jscodeshift codemods emit, would let ``onRejected`` catch ``onFulfilled``'s throw.
"""

# Matches: p.then(v => ..., e => ...), p.then(onOk, onError), p.then(function (v) {...}, e => 0)

from __future__ import annotations

from .._lower import Lowering
from .._model import Declare, Step, Try, Var
from . import rule


@rule("then-reject", "step")
def then_reject(lw: Lowering, step: Step) -> None:
    fulfilled, rejected = step.on_fulfilled, step.on_rejected
    assert fulfilled is not None and rejected is not None
    out = lw.result_var()
    flag = lw.fresh("fulfilled")
    body = lw.stmts

    clause = lw.catch_clause(rejected, out)

    lw.stmts = []
    lw.cur, lw.settled = Var(out), True
    lw.run_handler(fulfilled, Var(out))
    lw.settle_into(out)
    orelse = lw.stmts

    lw.stmts = [Declare([out]), Try(body, clause, orelse=orelse, flag=flag)]
    lw.cur, lw.settled = Var(out), True
