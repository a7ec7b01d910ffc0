"""``then`` with one handler: the value is awaited, the handler's body runs inline."""

# Matches: p.then(x => expr), p.then(x => { ...; return y }), p.then(async x => ...),
#          p.then(function (x) { ... }), p.then(declared), p.then(({a, b}) => ...),
#          p.then(() => ...), p.then(null), p.then(undefined), p.then(), p.then(f, null)

from __future__ import annotations

from .._lower import Lowering, callable_handler
from .._model import Step
from . import rule


@rule("then", "step")
def then(lw: Lowering, step: Step) -> None:
    handler = step.on_fulfilled
    if handler is None or not callable_handler(handler):
        return  # a non-callable handler passes the value (or the rejection) through
    lw.run_handler(handler, lw.pending())
