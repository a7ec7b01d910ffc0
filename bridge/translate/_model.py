"""The chain model and the target-neutral IR that both emitters (JS, Python) render.

One chain model, two emitters. The pipeline is::

    _parse.parse(source)               -> Parsed (bytes + tree-sitter tree)
    _analyse.find_chains(parsed)       -> [Chain]          (what the source says)
    _lower.lower(parsed, index, chain) -> Lowered          (what it means: IR statements, the
                                                            final value, where they go)
    _emit_js / python/                 -> text             (how each target spells it)

``_driver.translate_js`` runs the JS pipeline; the rules in ``rules/`` do the deciding.

Chain: what was recognised
--------------------------
``a().then(f).catch(g).finally(h)`` is a ``Chain`` whose ``base`` is the node ``a()`` and whose
``steps`` are, in source order, ``Step("then", on_fulfilled=f)``, ``Step("catch",
on_rejected=g)``, ``Step("finally", on_finally=h)``. ``then(f, r)`` is one step holding both
handlers. Each handler is a ``Handler``: its ``kind`` (an arrow, a ``function`` expression, a
reference to a declared function, or a non-callable value that passes the outcome through),
its parameters (``Param``: the pattern node, the names it binds, whether any is used) and its
body (an expression node, or a ``statement_block`` node, ``expression_body`` telling which).
All source pieces are tree-sitter nodes of ``Parsed``: emitters slice ``parsed.source`` (JS)
or translate the node (Python); nothing is re-printed from an AST, which is what keeps
comments and formatting inside handlers.

``Chain.context`` says where the chain stands (``Context``): returned from a function,
awaited (``const x = await chain`` / ``x = await chain`` / ``await chain;`` / ``return await``),
a statement of its own (fire-and-forget), stored (``const p = chain``: eager start), the
expression body of an arrow, or used as a value elsewhere. ``Chain.function`` is the
enclosing function node (None at module level); ``Chain.statement`` is the statement the
rewrite replaces.

IR: what it means
-----------------
``_lower.lower`` turns a chain into a list of ``Stmt`` that runs the same steps with ``await``.
Expressions (``Expr``) are ``Src(node)`` (a source expression, evaluated exactly there),
``Var(name)`` (a fresh temporary or a handler parameter), ``UNDEFINED``, ``Await(expr)`` (await
and adopt thenables, exactly as ``then`` adopts a handler's returned thenable) and
``Call(callee_node, args)`` (a declared-function handler called with the one argument ``then``
would pass), ``Guarded(callee, arg, otherwise)`` (a handler read into ``callee`` that may
not be a function: called with ``arg`` if it is one, else ``otherwise``, what ``then`` does
with a non-callable handler). Statements:

* ``Declare(names)``          ``let a, b;``  (temporaries; start as undefined / None)
* ``Bind(param, value, mutable)``  bind a handler's parameter pattern to value
                              (``const {a} = await x;``; ``let`` when the handler assigns it)
* ``Assign(name, value)``     ``name = value;``
* ``Const(name, value)``      ``const name = value;`` (a handler read when the chain is built)
* ``ThrowUnless(callee, error)``  ``if (typeof callee !== "function") throw error;`` (a rejection
                              handler that is not a function passes the rejection through)
* ``Eval(value)``             ``value;`` (an ``await``, or a handler's not yet evaluated result,
                              whose value is not needed: never dropped, for its effects)
* ``Return(value)``           ``return value;``
* ``Body(handler, result, skip_tail)``  the handler's block body inlined. ``result`` None: the
                              body has no ``return`` (or only a final ``return X;`` that was
                              dropped with ``skip_tail``: the caller renders ``X`` itself).
                              ``result`` a name: every ``return X`` leaves the body with
                              ``result = X`` (not awaited: the caller awaits ``Var(result)``
                              afterwards); falling off the end leaves it undefined.
                              JS renders early exits with a labelled block; Python may use a
                              nested ``def``. ``Body.returns`` lists the return statements.
                              ``direct``: the handler is the returned chain's last step (not
                              inside any ``try``): its ``return``s are the function's own.
* ``Block(body)``             a nested scope (handler names that would collide otherwise)
* ``Try(body, catch, orelse, finalbody, flag)``  try/except/else/finally. ``catch`` is a
                              ``Catch(param, body)``; ``param`` is the handler's own ``Param``,
                              a fresh name (a declared-function handler is called with it), or
                              None when the handler ignores the error. ``orelse`` runs only
                              when ``body`` completed without throwing and is *not* covered
                              by ``catch`` (``then(a, b)``: ``b`` never sees ``a``'s errors).
                              JS has no ``else``: it renders
                              ``flag`` (a fresh name) set at the end of ``body`` and tested after.
                              ``finalbody`` runs on both paths; a throw there replaces the
                              outcome, an await there delays it (``finally`` semantics).

``Sink`` says what happens to the chain's final value: ``"return"``, ``"discard"``,
``"declare"`` (``decl_kind`` + ``target`` declarator node), ``"assign"`` (``target`` node).
A value that is a settled ``Var`` needs no ``await``; ``Await(...)`` marks where the original
waited for a promise.

Guarantee (documented in the README): the rewritten code settles with the same value or
rejection and runs the chain's side effects in the same order; the number of microtask ticks
between steps may differ (``await`` and ``then`` take different numbers of ticks), so code
*outside* the chain that races it may interleave differently.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

from tree_sitter import Node

# ---------------------------------------------------------------- public results


@dataclass(frozen=True)
class Diagnostic:
    """Something the translator reports about a place in the input.

    ``line`` and ``column`` are 1-based (column in characters); ``rule`` names the rule that
    decided (``"eager-start"``, ``"this-arguments"``...); ``message`` says why in one sentence.
    """

    line: int
    column: int
    rule: str
    message: str

    def format(self, path: str) -> str:
        """``path:line:col: rule: message``, the form the CLI prints on stderr."""
        return f"{path}:{self.line}:{self.column}: {self.rule}: {self.message}"


@dataclass(frozen=True)
class Translation:
    """The result of ``bridge.translate``: the new code, whether it differs, and diagnostics."""

    code: str
    changed: bool
    diagnostics: tuple[Diagnostic, ...] = ()


# ---------------------------------------------------------------- the chain model


class HandlerKind(enum.Enum):
    ARROW = "arrow"  # (x) => ..., async too
    FUNCTION = "function"  # function (x) { ... }
    REFERENCE = "reference"  # an identifier bound to a declared function (called, not inlined)
    NON_CALLABLE = "non-callable"  # a literal/undefined/null: the outcome passes through


class Context(enum.Enum):
    RETURNED = "returned"  # return chain;            (in a function)
    ARROW_BODY = "arrow-body"  # (x) => chain
    AWAITED = "awaited"  # const v = await chain; / v = await chain; / await chain; / return await
    STATEMENT = "statement"  # chain;  (fire-and-forget)
    STORED = "stored"  # const p = chain; / p = chain;   (eager start, awaited later)
    VALUE = "value"  # anything else: an argument, an operand...


@dataclass
class Param:
    """One handler parameter: ``node`` is the pattern (identifier, object/array pattern, or a
    TypeScript parameter wrapper: ``pattern`` is the binding part), ``names`` the identifiers it
    binds, ``used`` whether the handler body refers to any of them."""

    node: Node
    pattern: Node
    names: tuple[str, ...]
    used: bool
    assigned: bool  # the body assigns one of the names (bind with let, not const)
    is_identifier: bool = field(init=False)  # the pattern is a plain name

    def __post_init__(self) -> None:
        # Computed once (asked often; each Node.type read builds a new string).
        self.is_identifier = self.pattern.type == "identifier"


@dataclass
class Handler:
    """One callback given to then/catch/finally."""

    node: Node
    kind: HandlerKind
    params: list[Param] = field(default_factory=list)
    body: Node | None = None  # expression node or statement_block (None for references)
    is_async: bool = False
    expression_body: bool = field(init=False)  # an arrow's `=> expr` (not a block)

    def __post_init__(self) -> None:
        self.expression_body = self.body is not None and self.body.type != "statement_block"

    @property
    def param(self) -> Param | None:
        return self.params[0] if self.params else None


StepKind = Literal["then", "catch", "finally"]


@dataclass
class Step:
    """One ``.then(...)``, ``.catch(...)`` or ``.finally(...)`` call of a chain."""

    kind: StepKind
    call: Node  # the call_expression of this step
    on_fulfilled: Handler | None = None  # then's first argument
    on_rejected: Handler | None = None  # then's second argument, or catch's argument
    on_finally: Handler | None = None  # finally's argument
    args: list[Node] = field(default_factory=list)  # every argument of the call, in order


@dataclass
class Chain:
    """A recognised promise chain and where it stands."""

    node: Node  # the outermost call_expression
    base: Node  # the promise expression the first step is called on
    steps: list[Step]
    context: Context
    statement: Node | None  # the statement (or arrow body expression) the rewrite replaces
    function: Node | None  # the enclosing function, None at module level
    function_is_async: bool
    # AWAITED: how the value is used.  RETURNED/ARROW_BODY: "return".  STATEMENT: "discard".
    sink: Sink | None = None
    # Every handler with its role ("then", "catch", "finally"), in order.
    handlers: list[tuple[str, Handler]] = field(init=False)

    def __post_init__(self) -> None:
        self.handlers = [
            (role, h)
            for step in self.steps
            for role, h in (
                ("then", step.on_fulfilled),
                ("catch", step.on_rejected),
                ("finally", step.on_finally),
            )
            if h is not None
        ]


# ---------------------------------------------------------------- IR


@dataclass(frozen=True)
class Src:
    node: Node


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class _Undefined:
    pass


UNDEFINED = _Undefined()


@dataclass(frozen=True)
class Await:
    value: Expr


@dataclass(frozen=True)
class Call:
    callee: Node | str  # the handler's node, or the name it was read into
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Guarded:
    """``typeof callee === "function" ? callee(arg) : otherwise`` (no argument: ``arg`` None)."""

    callee: str
    arg: Expr | None
    otherwise: Expr


Expr = Src | Var | _Undefined | Await | Call | Guarded


@dataclass
class Declare:
    names: list[str]


@dataclass
class Bind:
    param: Param
    value: Expr
    mutable: bool = False


@dataclass
class Assign:
    name: str
    value: Expr


@dataclass
class Const:
    name: str
    value: Expr


@dataclass
class ThrowUnless:
    callee: str
    error: str


@dataclass
class Eval:
    value: Expr


@dataclass
class Return:
    value: Expr


@dataclass
class Body:
    handler: Handler
    result: str | None = None
    skip_tail: bool = False
    label: str | None = None  # a fresh label name for JS early exits (set when result is)
    returns: list[Node] = field(default_factory=list)
    # The chain's last handler, returned from its function: its `return`s stay as they are
    # (they return from the function, adopting thenables exactly as `then` would).
    direct: bool = False


@dataclass
class Block:
    body: list[Stmt]


@dataclass
class Catch:
    param: Param | str | None  # the handler's own parameter, a fresh name, or no binding
    body: list[Stmt]


@dataclass
class Try:
    body: list[Stmt]
    catch: Catch | None = None
    orelse: list[Stmt] = field(default_factory=list)
    finalbody: list[Stmt] | None = None
    flag: str | None = None  # fresh name JS uses to render orelse


Stmt = Declare | Bind | Assign | Const | ThrowUnless | Eval | Return | Body | Block | Try


@dataclass
class Sink:
    """Where the chain's final value goes."""

    kind: Literal["return", "discard", "declare", "assign"]
    # declare: the variable_declarator (its ``name`` field is the pattern; ``value`` the
    # ``await chain`` expression; a TypeScript ``type`` annotation sits in between);
    # assign: the assigned identifier.
    target: Node | None = None
    decl_kind: str = "const"  # declare: const/let/var
