"""An arrow whose expression body is a chain: the arrow becomes ``async``, on the same
conditions as a function returning a chain (see ``returned``)."""

# Matches: const f = () => p.then(...), (x) => load(x).catch(...)

from __future__ import annotations

from .._analyse import Index
from .._lower import Placement
from .._model import Chain, Context, Sink
from .._parse import Parsed
from . import rule
from .returned import can_become_async


@rule("arrow-body", "context", key=Context.ARROW_BODY.value)
def arrow_body(parsed: Parsed, index: Index, chain: Chain) -> Placement:
    fn = chain.function
    assert fn is not None and chain.statement is not None
    if not chain.function_is_async:
        can_become_async(parsed, index, fn, chain)
    return Placement(
        replace=chain.statement,
        sink=Sink("return"),
        region=fn,
        make_async=None if chain.function_is_async else fn,
        arrow_body=True,
    )
