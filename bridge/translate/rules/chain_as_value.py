"""A chain used as a value (an argument, an operand, an array element): left alone.

Only returned, awaited and statement-level chains have a place to put statements without
changing evaluation order.
"""

# Matches (left alone): Promise.all([a().then(f), b()]), use(p.then(f)), x || p.then(f)

from __future__ import annotations

from .._analyse import Index, Unsafe
from .._lower import Placement
from .._model import Chain, Context
from .._parse import Parsed
from . import rule


@rule("chain-as-value", "context", key=Context.VALUE.value)
def value(parsed: Parsed, index: Index, chain: Chain) -> Placement:
    raise Unsafe(
        "chain-as-value",
        "the chain is used as a value inside a larger expression; only returned, awaited "
        "and statement-level chains are rewritten",
        chain.node,
    )
