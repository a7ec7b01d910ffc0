"""A chain returned from a function: the function becomes ``async``.

Making a function ``async`` is invisible to callers that await or chain its result, except
that a synchronous throw becomes a rejection and every return gives a promise. So the
function is converted only when every ``return`` in it returns a chain that is rewritten,
it cannot finish without returning, it has no ``throw`` of its own, and it is not a
constructor, getter, setter or generator. Otherwise: left alone with a diagnostic.
"""

# Matches: function f() { return p.then(...) }, const f = () => p.then(...),
#          method() { return p.catch(...) }, async function f() { return p.then(...) }

from __future__ import annotations

import bisect
import re

from tree_sitter import Node

from .._analyse import Index, Unsafe, _step_of, is_generator, own_nodes, unparen
from .._lower import Placement
from .._model import Chain, Context, Sink
from .._parse import Parsed
from . import rule
from ._common import declared_function


@rule("returned", "context", key=Context.RETURNED.value)
def returned(parsed: Parsed, index: Index, chain: Chain) -> Placement:
    fn = chain.function
    assert fn is not None and chain.statement is not None
    _not_in_try(parsed, chain.statement, fn)
    return return_placement(parsed, index, chain)


def return_placement(
    parsed: Parsed, index: Index, chain: Chain, *, arrow_body: bool = False
) -> Placement:
    """The chain's statement becomes the function's return; the function ``async`` if it can."""
    fn = chain.function
    assert fn is not None and chain.statement is not None
    if not chain.function_is_async:
        can_become_async(parsed, index, fn, chain)
    return Placement(
        replace=chain.statement,
        sink=Sink("return"),
        region=fn,
        make_async=None if chain.function_is_async else fn,
        arrow_body=arrow_body,
    )


def _not_in_try(parsed: Parsed, stmt: Node, fn: Node) -> None:
    # A try statement around stmt inside fn (stmt belongs to fn: no function lies between),
    # found in the module's index of try statements rather than by climbing parent by parent.
    starts, tries = parsed.nodes_of("try_statement")
    lo = bisect.bisect_right(starts, fn.start_byte)
    hi = bisect.bisect_right(starts, stmt.start_byte)
    for t in tries[lo:hi]:
        if t.end_byte >= stmt.end_byte:
            raise Unsafe(
                "return-in-try",
                "the chain is returned inside a try statement, which does not wait for it; "
                "awaiting there would let its catch/finally see the chain",
                stmt,
            )


def can_become_async(parsed: Parsed, index: Index, fn: Node, chain: Chain) -> None:
    """Raise Unsafe unless making fn async is invisible to its callers (see module doc)."""
    if is_generator(fn):
        raise Unsafe("generator", "the enclosing function is a generator", fn)
    if fn.type == "method_definition":
        name = fn.child_by_field_name("name")
        words = {parsed.text(c) for c in fn.children if c.type in ("get", "set")}
        if words or (name is not None and parsed.text(name) == "constructor"):
            raise Unsafe("not-async-able", "a constructor, getter or setter cannot be async", fn)
    ret_type = fn.child_by_field_name("return_type")
    if ret_type is not None and not parsed.text(ret_type).lstrip(": ").startswith("Promise"):
        raise Unsafe(
            "return-type",
            f"the function's return type `{parsed.text(ret_type).lstrip(': ')}` is not a Promise",
            ret_type,
        )
    # Only a function expression can be an argument (a declaration's parent is a block).
    args = fn.parent if fn.type in ("arrow_function", "function_expression") else None
    ctor = args.parent if args is not None and args.type == "arguments" else None
    if ctor is not None and ctor.type == "new_expression":
        callee = ctor.child_by_field_name("constructor")
        if callee is not None and parsed.text(callee) == "Promise":
            raise Unsafe(
                "promise-executor",
                "a Promise executor: the Promise constructor turns its synchronous throw into "
                "a rejection, which an async executor would lose",
                fn,
            )
    fname = _function_name(parsed, fn)
    if fname is not None and fname in index.constructed:
        raise Unsafe("constructor", f"`{fname}` is called with `new`; it cannot be async", fn)
    body = fn.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return  # an arrow whose expression body is the chain
    for n in own_nodes(parsed, body, fn, ("return_statement", "throw_statement")):
        if n.type == "return_statement":
            arg = [c for c in n.named_children if c.type != "comment"]
            if not arg or (
                _step_of(parsed, unparen(arg[0])) is None
                and not _promise_call(parsed, index, fn, unparen(arg[0]))
            ):
                line, _ = parsed.position(n.start_byte)
                raise Unsafe(
                    "mixed-returns",
                    f"the function also returns a non-promise value (line {line}); as "
                    "async it would return a promise there",
                    chain.node,
                )
        elif n.type == "throw_statement":
            line, _col = parsed.position(n.start_byte)
            raise Unsafe(
                "sync-throw",
                f"the function throws synchronously (line {line}); as async it would "
                "reject instead, which callers can tell",
                chain.node,
            )
    if not _always_returns(body):
        raise Unsafe(
            "fall-through",
            "the function can finish without returning the chain; as async it would "
            "return a promise there",
            chain.node,
        )


_PROMISE_STATICS = frozenset({"resolve", "reject", "all", "allSettled", "race", "any"})
_PROMISE_REBOUND = re.compile(
    rb"(?:\b(?:const|let|var|function|class)\s+|\bimport\b[^;]*?\b)Promise\b"
    rb"|\bPromise\s*=[^=>]"
)
_rebound_memo: tuple[bytes, bool] | None = None


def _promise_rebound(source: bytes) -> bool:
    """Whether the module binds the name ``Promise`` itself (one scan per module)."""
    global _rebound_memo
    if _rebound_memo is None or _rebound_memo[0] is not source:
        _rebound_memo = (source, _PROMISE_REBOUND.search(source) is not None)
    return _rebound_memo[1]


def _promise_call(parsed: Parsed, index: Index, fn: Node, expr: Node) -> bool:
    """Whether expr, returned by fn beside its chains, always gives a native promise, so
    that returning it from fn made async gives its callers the same outcome: ``Promise.
    resolve(x)`` and the other statics, ``new Promise(...)``, a call of fn itself (a
    recursion: fn becomes async) or of an ``async`` function declared once in the file."""

    if expr.type == "new_expression":
        callee = expr.child_by_field_name("constructor")
        return (
            callee is not None
            and parsed.text(callee) == "Promise"
            and not _promise_rebound(parsed.source)
        )
    if expr.type != "call_expression":
        return False
    callee = expr.child_by_field_name("function")
    if callee is None:
        return False
    if callee.type == "member_expression":
        obj = callee.child_by_field_name("object")
        prop = callee.child_by_field_name("property")
        return (
            obj is not None
            and prop is not None
            and parsed.text(obj) == "Promise"
            and parsed.text(prop) in _PROMISE_STATICS
            and not _promise_rebound(parsed.source)
        )
    if callee.type != "identifier" or not declared_function(parsed, index, callee):
        return False
    name = parsed.text(callee)
    if name == _function_name(parsed, fn):
        return True
    for pos in index.positions.get(name, []):
        node = parsed.root.descendant_for_byte_range(pos, pos + len(name.encode()))
        decl = node.parent if node is not None else None
        if (
            decl is not None
            and decl.type == "function_declaration"
            and decl.child_by_field_name("name") == node
        ):
            return decl.children[0].type == "async"
    return False


def _always_returns(node: Node) -> bool:
    """Whether running node always ends in a ``return``: a return, a block whose last
    statement always returns, an ``if`` whose both branches do (``if (c) { return a() }
    else { return b() }``)."""
    if node.type == "return_statement":
        return True
    if node.type == "statement_block":
        stmts = [c for c in node.named_children if c.type != "comment"]
        return bool(stmts) and _always_returns(stmts[-1])
    if node.type == "if_statement":
        then = node.child_by_field_name("consequence")
        alt = node.child_by_field_name("alternative")
        if then is None or alt is None:
            return False
        branch = [c for c in alt.named_children if c.type != "comment"]
        return _always_returns(then) and len(branch) == 1 and _always_returns(branch[0])
    return False


def _function_name(parsed: Parsed, fn: Node) -> str | None:
    name = fn.child_by_field_name("name")
    if name is not None and fn.type != "method_definition":
        return parsed.text(name)
    parent = fn.parent
    if parent is not None and parent.type == "variable_declarator":
        n = parent.child_by_field_name("name")
        if n is not None and n.type == "identifier":
            return parsed.text(n)
    return None
