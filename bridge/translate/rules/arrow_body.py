"""An arrow whose expression body is a chain: the arrow becomes ``async``, on the same
conditions as a function returning a chain (see ``returned``)."""

# Matches: const f = () => p.then(...), (x) => load(x).catch(...)

from __future__ import annotations

from .._analyse import Index
from .._lower import Placement
from .._model import Chain, Context
from .._parse import Parsed
from . import rule
from .returned import return_placement


@rule("arrow-body", "context", key=Context.ARROW_BODY.value)
def arrow_body(parsed: Parsed, index: Index, chain: Chain) -> Placement:
    return return_placement(parsed, index, chain, arrow_body=True)
