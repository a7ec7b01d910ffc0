"""Lowering: a Chain -> IR statements (see ``_model``), by running the registered rules.

``lower(parsed, index, chain)`` returns a ``Lowered``: the statements, the expression that
yields the chain's final value, and the ``Placement`` (where the statements go). Rules raise
``Unsafe`` to refuse; the caller turns that into a diagnostic and leaves the chain alone.

How values flow: ``Lowering.cur`` is the expression whose *adopted* value is the current
outcome (``a()`` right after the base; a handler's returned expression after a step).
``settled`` says it is already a plain value in a variable (no ``await`` needed). A step
awaits ``cur`` where the original would have waited for the promise, so side effects run in
the same order.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from tree_sitter import Node

from . import rules
from ._analyse import (
    Index,
    Unsafe,
    own_nodes,
    unparen,
)
from ._model import (
    UNDEFINED,
    Assign,
    Await,
    Bind,
    Block,
    Body,
    Call,
    Catch,
    Chain,
    Const,
    Context,
    Declare,
    Eval,
    Expr,
    Guarded,
    Handler,
    HandlerKind,
    Param,
    Sink,
    Src,
    Step,
    Stmt,
    ThrowUnless,
    Var,
)
from ._parse import Parsed


@dataclass
class Placement:
    """Where a lowered chain goes, decided by the context rule.

    ``replace``: the node whose text the statements replace. ``make_async``: the function that
    must gain ``async`` (None when it already is). ``iife``: wrap in a started async arrow
    (fire-and-forget). ``arrow_body``: ``replace`` is an arrow's expression body (the
    statements become a block). ``region``: the scope in which names introduced by the
    rewrite must not collide (a function node, the chain itself for an IIFE, None = module).
    """

    replace: Node
    sink: Sink
    region: Node | None
    make_async: Node | None = None
    iife: bool = False
    arrow_body: bool = False


Prelude = list[Stmt]  # what a "prepare" rule puts before a chain's statements


@dataclass
class Lowered:
    chain: Chain
    placement: Placement
    stmts: list[Stmt]
    value: Expr | None  # what the sink receives (None: nothing left to deliver)


@dataclass
class Lowering:
    """The state rules work on while lowering one chain."""

    parsed: Parsed
    index: Index
    chain: Chain
    region: Node | None
    stmts: list[Stmt] = field(default_factory=list)
    cur: Expr = UNDEFINED
    settled: bool = False
    # The handler whose `return`s may stay as they are (see Body.direct), and whether it did.
    direct_tail: Node | None = None
    returned_directly: bool = False
    # Reference handlers that may not be functions (rules/method_reference.py), by node id:
    # the name each is called through, and its role ("then", "catch", "finally").
    guards: dict[int, tuple[str, str]] = field(default_factory=dict)

    # ---------------------------------------------------------------- helpers for rules

    def fresh(self, base: str) -> str:
        return self.index.fresh(base, self.region)

    def text(self, node: Node) -> str:
        return self.parsed.text(node)

    def pending(self) -> Expr:
        """The current outcome as an expression to evaluate now (awaited unless settled)."""
        return self.cur if self.settled else Await(self.cur)

    def settle_into(self, name: str) -> None:
        """``name = await cur`` (inside a try body: rejections must surface there)."""
        if self.settled and isinstance(self.cur, Var) and self.cur.name == name:
            return
        if self.cur is UNDEFINED and self.stmts and ends_in_throw(self.stmts[-1]):
            return  # `throw e; value = undefined;` would be dead code
        self.stmts.append(Assign(name, self.pending()))

    def result_var(self) -> str:
        """The variable a try-wrapping step (catch, then(a, b), finally) settles into.

        When the statements so far are ``let v; try {...}`` of the step before, whose outcome
        is ``v``, the new ``try`` reuses ``v`` (its ``let`` moves out, in front of the new
        ``try``) rather than copying ``v`` into a fresh variable."""
        s = self.stmts
        if (
            self.settled
            and isinstance(self.cur, Var)
            and s
            and isinstance(s[0], Declare)
            and s[0].names == [self.cur.name]
        ):
            del s[0]
            return self.cur.name
        name = self.fresh("value")
        self.settle_into(name)
        return name

    def catch_clause(self, handler: Handler, out: str) -> Catch:
        """A ``catch`` clause running the rejection ``handler`` and settling its result into
        ``out`` (shared by ``catch`` and ``then(a, b)``). A referenced handler gets a fresh
        parameter name; an inline one keeps its own parameter when it is used or a pattern."""
        saved, self.stmts = self.stmts, []
        param: Param | str | None
        if handler.kind is HandlerKind.REFERENCE:
            param = self.fresh("error")
            self.run_handler(handler, Var(param), bind=False)
        else:
            p = handler.param
            param = p if p is not None and (p.used or not p.is_identifier) else None
            self.run_handler(handler, None, bind=False)
        self.settle_into(out)
        clause = Catch(param, self.stmts)
        self.stmts = saved
        return clause

    def hoist_safe(self, names: tuple[str, ...] | list[str], owner: Node) -> bool:
        """Whether names can be declared in the rewrite's scope: used nowhere else there."""
        return all(
            not self.index.occurs_outside(n, self.region, owner) and n not in _GLOBALISH
            for n in names
        )

    def run_handler(self, handler: Handler, value: Expr | None, *, bind: bool = True) -> None:
        """Emit statements running handler with value as its argument (None: no argument);
        leave its (unadopted) result in ``cur``. ``bind=False``: the caller bound the
        parameter already (a catch clause)."""
        if handler.kind is HandlerKind.REFERENCE:
            self._call_reference(handler, value)
            return
        assert handler.kind in (HandlerKind.ARROW, HandlerKind.FUNCTION)
        outer = self.stmts
        inner: list[Stmt] = []
        param = handler.param
        binds = bind and param is not None and (param.used or not param.is_identifier)
        introduced: list[str] = list(param.names) if binds and param is not None else []
        if handler.body is not None and not handler.expression_body:
            introduced.extend(top_level_declarations(self.parsed, handler.body))
        safe = self.hoist_safe(introduced, handler.node)
        if not safe and value is not None and self._mentions(value, introduced):
            # The handler gets a block of its own; its argument is computed before the block,
            # where the parameter's name still means what it meant in the original
            # (`load(x).then(x => ...)` must not read the block's `x` in its dead zone).
            arg = self.fresh("value")
            outer.extend([Declare([arg]), Assign(arg, value)])
            value = Var(arg)
        self.stmts = inner
        if binds:
            assert value is not None and param is not None
            inner.append(Bind(param, value, mutable=param.assigned))
        elif bind and value is not None and needs_evaluation(value):
            # The handler ignores its value; the wait (and the previous handler's returned
            # expression, with its side effects) still happens.
            inner.append(Eval(value))
        body = handler.body
        assert body is not None
        if handler.expression_body:
            self.result_expr(body)
        else:
            returns = own_returns(self.parsed, body, handler.node)
            stmts = [c for c in body.named_children if c.type != "comment"]
            if not returns:
                form = "no-return"
            elif len(returns) == 1 and stmts and stmts[-1] == returns[0]:
                form = "tail-return"
            else:
                form = "early-return"
            rule = rules.get("body", form)
            assert rule is not None
            rule.fn(self, handler, returns, outer)
        self.stmts = outer
        if safe:
            outer.extend(inner)
            return
        # Names that would collide: give the handler its own block, hand the value out.
        if self.returned_directly:  # nothing to hand out: the block returns by itself
            outer.append(Block(inner))
            return
        out = self.fresh("value")
        outer.append(Declare([out]))
        self.stmts = inner
        self.settle_into(out)
        self.stmts = outer
        outer.append(Block(inner))
        self.cur, self.settled = Var(out), True

    def _call_reference(self, handler: Handler, value: Expr | None) -> None:
        """A handler named by reference, called with value (``then`` passes one argument);
        one that may not be a function is called through its guard (see ``guards``)."""
        self.settled = False
        guard = self.guards.get(handler.node.id)
        if guard is None:
            self.cur = Call(handler.node, () if value is None else (value,))
            return
        callee, role = guard
        if role == "catch":
            assert isinstance(value, Var)
            self.stmts.append(ThrowUnless(callee, value.name))
            self.cur = Call(callee, (value,))
            return
        if value is not None and not isinstance(value, Var):
            name = self.fresh("value")
            self.stmts.append(Const(name, value))
            value = Var(name)
        self.cur = Guarded(callee, value, UNDEFINED if value is None else value)

    def prepare(self, chain: Chain) -> Prelude:
        """What the "prepare" rules put before the chain's statements (``cur`` is its base)."""
        return [s for r in rules.rules_of("prepare") for s in r.fn(self, chain)]

    def _mentions(self, value: Expr, names: list[str]) -> bool:
        """Whether the source pieces of value refer to any of names."""
        if isinstance(value, Await):
            return self._mentions(value.value, names)
        if isinstance(value, Call):
            # The callee too: `.then(fmt).then(fmt => ...)` must not call the block's `fmt`.
            callee = value.callee
            return (
                callee in names if isinstance(callee, str) else self._mentions(Src(callee), names)
            ) or any(self._mentions(a, names) for a in value.args)
        if isinstance(value, Guarded):
            return (
                value.callee in names
                or (value.arg is not None and self._mentions(value.arg, names))
                or self._mentions(value.otherwise, names)
            )
        if isinstance(value, Src):
            pos = self.parsed.name_positions()
            lo, hi = value.node.start_byte, value.node.end_byte
            return any(
                bisect.bisect_left(pos.get(n, []), lo) < bisect.bisect_left(pos.get(n, []), hi)
                for n in names
            )
        return False

    def result_expr(self, expr: Node) -> None:
        """A handler's returned expression becomes ``cur``; a "result" rule may lower it
        instead (a returned chain is flattened: rules/nested_chain.py)."""
        for rule in rules.rules_of("result"):
            if rule.fn(self, expr):
                return
        self.cur, self.settled = Src(expr), _plain(unparen(expr))

    def flatten(self, chain: Chain) -> None:
        """Lower a chain returned from a handler in place (its steps follow the handler's)."""
        check_chain(self, chain)
        # The nested chain's catch/finally cover only its own steps: give it a fresh list.
        saved, self.stmts = self.stmts, []
        self.cur, self.settled = _base_expr(chain), False
        saved.extend(self.prepare(chain))
        self.apply_steps(chain.steps)
        saved.extend(self.stmts)
        self.stmts = saved

    def apply_steps(self, steps: list[Step]) -> None:
        for step in steps:
            form = step_form(step)
            rule = rules.get("step", form)
            if rule is None:  # pragma: no cover - every form has a rule
                raise Unsafe("unsupported", f"no rule for {form}", step.call)
            rule.fn(self, step)


# Expressions whose value is never a thenable: awaiting them changes nothing but the tick
# count, so the rewrite does not await them (`return 0`, `return a + 1`, `return \`x\``).
_PLAIN = frozenset(
    {
        "number",
        "string",
        "template_string",
        "true",
        "false",
        "null",
        "undefined",
        "unary_expression",
        "array",
    }
)
_NOT_PLAIN_OPS = frozenset({"&&", "||", "??", ","})


def _plain(node: Node) -> bool:
    if node.type in _PLAIN:
        return node.type != "unary_expression" or node.children[0].type != "await"
    if node.type == "binary_expression":
        op = node.child_by_field_name("operator")
        return op is not None and op.type not in _NOT_PLAIN_OPS
    return False


_LITERALS = frozenset({"number", "string", "true", "false", "null", "undefined"})


def needs_evaluation(value: Expr) -> bool:
    """Whether dropping value would lose something: an await (timing, a rejection) or a
    not-yet-evaluated source expression (`log(x) + 1` from a handler's body)."""
    if isinstance(value, (Await, Call, Guarded)):
        return True
    if isinstance(value, Src):
        return value.node.type not in _LITERALS
    return False


def ends_in_throw(stmt: Stmt) -> bool:
    """Whether stmt is a handler's body that always ends by throwing."""
    if not isinstance(stmt, Body) or stmt.result is not None or stmt.handler.body is None:
        return False
    named = [c for c in stmt.handler.body.named_children if c.type != "comment"]
    return bool(named) and named[-1].type == "throw_statement"


_GLOBALISH = frozenset({"undefined", "arguments", "eval", "this"})


def _base_expr(chain: Chain) -> Expr:
    return Src(chain.base)


def plain_base(value: Expr) -> bool:
    """Whether evaluating value has no effect to keep in order (a variable, ``this``, a
    literal): reading something before or after it is the same."""
    if isinstance(value, Var):
        return True
    return isinstance(value, Src) and value.node.type in ("identifier", "this", *_LITERALS)


def step_form(step: Step) -> str:
    if step.kind == "then" and step.on_rejected is not None and callable_handler(step.on_rejected):
        if step.on_fulfilled is None or not callable_handler(step.on_fulfilled):
            return "catch"
        return "then-reject"
    return step.kind


def callable_handler(h: Handler | None) -> bool:
    return h is not None and h.kind is not HandlerKind.NON_CALLABLE


def own_returns(parsed: Parsed, body: Node, fn: Node) -> list[Node]:
    """Return statements of fn's body that belong to fn (not to nested functions)."""
    return own_nodes(parsed, body, fn, ("return_statement",))


def top_level_declarations(parsed: Parsed, block: Node) -> list[str]:
    """Names declared by let/const/class at the top of a block (they would be hoisted)."""
    from ._analyse import _bound_names

    names: list[str] = []
    for stmt in block.named_children:
        if stmt.type == "lexical_declaration":
            for d in stmt.named_children:
                if d.type == "variable_declarator":
                    name = d.child_by_field_name("name")
                    if name is not None:
                        names.extend(_bound_names(parsed, name))
        elif stmt.type in ("class_declaration",):
            name = stmt.child_by_field_name("name")
            if name is not None:
                names.append(parsed.text(name))
    return names


def check_chain(lw: Lowering, chain: Chain) -> None:
    for r in rules.rules_of("check"):
        r.fn(lw, chain)


def lower(parsed: Parsed, index: Index, chain: Chain) -> Lowered:
    """Lower one chain, or raise Unsafe."""
    rule = rules.get("context", chain.context.value)
    if rule is None:  # pragma: no cover
        raise Unsafe("unsupported", "chain in an unsupported position", chain.node)
    lw = Lowering(parsed, index, chain, None)
    check_chain(lw, chain)
    placement: Placement = rule.fn(parsed, index, chain)
    lw.region = placement.region
    lw.cur, lw.settled = _base_expr(chain), False
    prelude = lw.prepare(chain)
    last = chain.steps[-1] if chain.steps else None
    if (
        chain.context in (Context.RETURNED, Context.ARROW_BODY)
        and last is not None
        and step_form(last) == "then"
        and callable_handler(last.on_fulfilled)
    ):
        assert last.on_fulfilled is not None
        lw.direct_tail = last.on_fulfilled.node
    lw.apply_steps(chain.steps)
    lw.stmts[:0] = prelude
    value: Expr | None = lw.cur if lw.settled else Await(lw.cur)
    if lw.returned_directly:
        value = None  # the handler's own returns end the function; falling off returns undefined
    if placement.sink.kind == "discard" and value is not None and not needs_evaluation(value):
        value = None
    if placement.sink.kind == "return" and not lw.settled and chain.context is not Context.AWAITED:
        value = lw.cur  # `return x` adopts a thenable as `await` would (not inside a try)
    return Lowered(chain, placement, lw.stmts, value)


__all__ = [
    "Lowered",
    "Lowering",
    "Param",
    "Placement",
    "Prelude",
    "check_chain",
    "ends_in_throw",
    "lower",
    "plain_base",
]
