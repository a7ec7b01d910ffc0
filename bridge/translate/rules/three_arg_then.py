"""Steps called with arguments ``then``/``catch``/``finally`` do not take."""

# Matches (left alone): p.then(a, b, c), p.catch(a, b), p.finally(a, b), p.then(...handlers)

from __future__ import annotations

from .._analyse import Unsafe
from .._lower import Lowering
from .._model import Chain
from . import rule

_MAX = {"then": 2, "catch": 1, "finally": 1}


@rule("three-arg-then", "check")
def extra_arguments(lw: Lowering, chain: Chain) -> None:
    for step in chain.steps:
        args = step.args
        if any(a.type == "spread_element" for a in args):
            raise Unsafe(
                "spread-arguments",
                f"`.{step.kind}(...)` takes spread arguments; which handler is which is unknown",
                step.call,
            )
        if len(args) > _MAX[step.kind]:
            name = "three-arg-then" if step.kind == "then" else "extra-arguments"
            raise Unsafe(
                name,
                f"`.{step.kind}` called with {len(args)} arguments; the extra ones are "
                "evaluated for their side effects only, which a rewrite would not keep",
                step.call,
            )
