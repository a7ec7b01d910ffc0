"""A statement-level (fire-and-forget) chain: a started async arrow, not awaited.

``void (async () => { ... })();`` starts at once, runs the base expression synchronously just
like the chain did, and lets the code after it run before any handler, as the chain did. Its
names live in the arrow, so they can only collide with the chain's own.
"""

# Matches: p.then(f).catch(log);   (as a statement, in any function or at top level)

from __future__ import annotations

from .._analyse import Index
from .._lower import Placement
from .._model import Chain, Context, Sink
from .._parse import Parsed
from . import rule


@rule("statement", "context", key=Context.STATEMENT.value)
def statement(parsed: Parsed, index: Index, chain: Chain) -> Placement:
    assert chain.statement is not None
    return Placement(replace=chain.statement, sink=Sink("discard"), region=chain.node, iife=True)
