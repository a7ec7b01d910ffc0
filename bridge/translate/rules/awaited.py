"""A chain awaited where it stands, in an async function or at a module's top level."""

# Matches: const x = await p.then(...); x = await p.catch(...); await p.finally(...);
#          return await p.then(...);

from __future__ import annotations

from .._analyse import Index
from .._lower import Placement
from .._model import Chain, Context, Sink
from .._parse import Parsed
from . import rule


@rule("awaited", "context", key=Context.AWAITED.value)
def awaited(parsed: Parsed, index: Index, chain: Chain) -> Placement:
    assert chain.statement is not None
    sink = chain.sink or Sink("discard")
    return Placement(replace=chain.statement, sink=sink, region=chain.function)
