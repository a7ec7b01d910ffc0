"""A chain returned from a handler is flattened into the outer chain's statements.

Returning a promise from a handler makes the next step wait for it, which is what awaiting
its steps in place does; the nested chain's own ``catch``/``finally`` still cover only its
own steps. (A chain a handler starts but does not return is left running, untouched.)
"""

# Matches: p.then(x => load(x).then(y => y.name)), p.then(x => { log(x); return q(x).catch(f); })

from __future__ import annotations

from tree_sitter import Node

from .._analyse import _step_of, describe, unparen
from .._lower import Lowering
from . import rule


@rule("nested-chain", "result")
def nested_chain(lw: Lowering, expr: Node) -> bool:
    inner = unparen(expr)
    if _step_of(lw.parsed, inner) is None:
        return False
    lw.flatten(describe(lw.parsed, inner))
    return True
