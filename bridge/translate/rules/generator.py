"""Chains inside generator functions are left alone.

A generator cannot be made ``async`` without changing what it returns (an async generator is
a different protocol), and its chains may interleave with ``yield`` in ways a rewrite cannot
prove equivalent.
"""

# Matches (left alone): function* g() { yield p.then(f) }, p.then(function* () {...})

from __future__ import annotations

from .._analyse import Unsafe, function_of, is_generator
from .._lower import Lowering
from .._model import Chain, HandlerKind
from . import rule


@rule("generator", "check")
def generator(lw: Lowering, chain: Chain) -> None:
    # From function to enclosing function, found in the module's function index (each
    # Node.parent costs a descent from the root).
    fn = chain.function
    while fn is not None:
        if is_generator(fn):
            raise Unsafe("generator", "the chain is inside a generator function", chain.node)
        fn = function_of(lw.parsed, fn)
    for step in chain.steps:
        for h in (step.on_fulfilled, step.on_rejected, step.on_finally):
            if h is None:
                continue
            # `function* () {}` written inline is a generator expression (kind REFERENCE).
            if h.node.type == "generator_function" or (
                h.kind is HandlerKind.FUNCTION and is_generator(h.node)
            ):
                raise Unsafe("generator", "a handler is a generator function", h.node)
