"""A chain stored in a variable: left alone (eager start).

``const p = fetch(u).then(f); ...; await p`` starts the work now and lets other code run
while it is pending. Turning it into awaits would either delay the start or block the code
in between; an async IIFE would keep the timing but not the name's promise identity.
"""

# Matches (left alone): const p = a().then(f);  p = a().catch(g);  this.p = a().then(f)

from __future__ import annotations

from .._analyse import Index, Unsafe
from .._lower import Placement
from .._model import Chain, Context
from .._parse import Parsed
from . import rule


@rule("eager-start", "context", key=Context.STORED.value)
def stored(parsed: Parsed, index: Index, chain: Chain) -> Placement:
    raise Unsafe(
        "eager-start",
        "the chain's promise is stored and may be awaited later; rewriting would change "
        "when its work starts or what the variable holds",
        chain.node,
    )
