"""A handler block body without ``return``: inlined as it is; the step's value is undefined."""

# Matches: p.then(x => { log(x); }), p.finally(() => { close(); }), p.catch(e => { report(e); })

from __future__ import annotations

from tree_sitter import Node

from .._lower import Lowering
from .._model import UNDEFINED, Body, Handler, Stmt
from . import rule


@rule("no-return", "body")
def no_return(lw: Lowering, handler: Handler, returns: list[Node], outer: list[Stmt]) -> None:
    lw.stmts.append(Body(handler))
    lw.cur, lw.settled = UNDEFINED, True
