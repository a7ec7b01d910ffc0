"""The shared IR (``_model``: what ``_lower`` and ``rules/`` make of a chain) as Python lines.

One handler per IR node type (``STATEMENTS``, ``VALUES``), as the JS target renders the same
IR. What differs from JS is said where it is rendered: Python has one scope per function, so
a ``Block`` is a scope of names, not of lines; a handler with early returns becomes a nested
``def`` (Python leaves a block only by leaving a function); a value that may or may not be
awaitable is settled by the ``_settle`` helper (``await`` of a plain value is an error in
Python, not in JS).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._model import (
    UNDEFINED,
    Assign,
    Await,
    Bind,
    Block,
    Body,
    Call,
    Catch,
    Const,
    Declare,
    Eval,
    Expr,
    Guarded,
    Param,
    Return,
    Src,
    Stmt,
    ThrowUnless,
    Try,
    Var,
)
from .common import Deliver, _assign, _discard, _return, _safe
from .scopes import Binding
from .text import drop_trailing_return, indent

if TYPE_CHECKING:
    from .emitter import Emitter


@dataclass
class Renderer:
    """Renders the IR of one chain: the Python name of each IR variable, the JS names each
    bound parameter introduced (a nested ``def`` for early returns takes them as its own)."""

    e: Emitter
    names: dict[str, str] = field(default_factory=dict)
    # IR variables holding a value already settled by the nested def that produced it.
    settled: set[str] = field(default_factory=set)
    bound: dict[int, dict[str, Binding]] = field(default_factory=dict)
    # What comes after the statement being rendered (a statement, or the chain's value).
    following: Stmt | Expr | None = None
    # An early-return handler's call, left for the statement right after it to await.
    deferred: dict[str, str] = field(default_factory=dict)
    # IR variables nothing reads: their assignments are evaluated for effect only.
    unread: set[str] = field(default_factory=set)
    # A variable read only by one parameter's Bind, after its last assignment: that Bind.
    alias_of: dict[str, Bind] = field(default_factory=dict)
    aliased: set[int] = field(default_factory=set)  # Binds whose value is in place already

    def start(self, stmts: list[Stmt], value: Expr | None) -> None:
        """Note the variables of stmts that nothing reads (value: what is delivered)."""
        reads: dict[str, int] = {}
        assigned: set[str] = set()
        walked = _walk(stmts)
        for s in walked:
            if isinstance(s, (Assign, Const)):
                assigned.add(s.name)
                self.alias_of.pop(s.name, None)  # assigned again after the Bind read it
            for v in _values(s):
                for name in _reads(v):
                    reads[name] = reads.get(name, 0) + 1
            if isinstance(s, Bind) and isinstance(s.value, Var) and s.param.is_identifier:
                self.alias_of[s.value.name] = s
        for name in _reads(value) if value is not None else ():
            reads[name] = reads.get(name, 0) + 1
        self.unread = assigned - set(reads)
        self.alias_of = {k: b for k, b in self.alias_of.items() if reads.get(k) == 1}
        self._drop_unused_results(walked)

    def _drop_unused_results(self, walked: list[Stmt]) -> None:
        """``{ const x = v + 1; return x; }`` whose value nothing uses: the read of ``x``
        goes (reading a name does nothing; awaiting it, when its value is plain, neither),
        so ``x`` is a name nothing reads (``Emitter.unread``) and its line goes too."""
        # The returned name of each handler body, when the body declares it at its top level
        # (the same scope as its return) with a value known not to be a promise.
        plain: set[int] = set()
        for s in walked:
            if not (isinstance(s, Body) and s.skip_tail and s.returns and s.handler.body):
                continue
            returned = [c for c in s.returns[0].named_children if c.type != "comment"]
            if not returned or returned[0].type != "identifier":
                continue
            name = self.e.text(returned[0])
            for decl in s.handler.body.named_children:
                if decl.type != "lexical_declaration":
                    continue
                for d in decl.named_children:
                    target, value = d.child_by_field_name("name"), d.child_by_field_name("value")
                    if (
                        target is not None
                        and value is not None
                        and self.e.text(target) == name
                        and self.e.is_plain(value)
                    ):
                        plain.add(returned[0].start_byte)
        for s in walked:
            if not isinstance(s, (Assign, Const)) or s.name not in self.unread:
                continue
            got, awaited = s.value, False
            if isinstance(got, Await):
                got, awaited = got.value, True
            if (
                isinstance(got, Src)
                and got.node.type == "identifier"
                and (not awaited or got.node.start_byte in plain)
            ):
                self.e.dropped_reads.add(got.node.start_byte)

    def py(self, name: str) -> str:
        """The Python name of an IR variable (fresh for Python on first use; the name of
        the parameter it is handed to, when that is all it is for)."""
        if name not in self.names:
            bind = self.alias_of.get(name)
            if bind is not None:
                self.aliased.add(id(bind))
                self.names[name] = _param_name(self.e, self.e.text(bind.param.pattern))
            else:
                self.names[name] = self.e.fresh(name)
        return self.names[name]

    def stmts(self, stmts: list[Stmt], then: Expr | None = None) -> list[str]:
        """Lines for stmts; then: the value read right after them (the chain's value)."""
        lines: list[str] = []
        for i, s in enumerate(stmts):
            self.following = stmts[i + 1] if i + 1 < len(stmts) else then
            lines += STATEMENTS[type(s)](self, s)
        return lines

    def awaits_next(self, name: str) -> bool:
        """Whether what follows the current statement starts by awaiting variable name."""
        nxt = self.following
        value = nxt.value if isinstance(nxt, (Assign, Const, Bind, Eval, Return)) else nxt
        return isinstance(value, Await) and value.value == Var(name)

    def deliver(self, value: Expr, deliver: Deliver) -> list[str]:
        """Statements that evaluate value (awaiting it where it is an ``Await``) and hand its
        Python expression to deliver."""
        return VALUES[type(value)](self, value, deliver)

    def simple(self, value: Expr, base: str = "value") -> tuple[list[str], str]:
        """value as a Python expression, with the statements it needs first."""
        if isinstance(value, Var):
            return [], self.py(value.name)
        if value is UNDEFINED:
            return [], "None"
        name = self.e.fresh(base)
        return self.deliver(value, _assign(name)), name


# ---------------------------------------------------------------- values


def _await(r: Renderer, value: Await, deliver: Deliver) -> list[str]:
    inner = value.value
    if isinstance(inner, Src):  # the JS expression, awaited as JS `await` would
        node = inner.node
        return r.e.statement_lines_of(lambda: r.e.settle_into(node, deliver))
    if isinstance(inner, Var):
        if inner.name in r.deferred:
            return deliver(r.deferred.pop(inner.name))
        name = r.py(inner.name)
        if inner.name in r.settled:
            return deliver(name)
        return deliver(f"await {r.e.helper('_settle')}({name})")
    # A handler's call (settled where it is made) or undefined: as they are.
    return r.deliver(inner, deliver)


def _src(r: Renderer, value: Src, deliver: Deliver) -> list[str]:
    node = value.node
    return r.e.statement_lines_of(lambda: deliver(r.e.expr_code(node)))


def _var(r: Renderer, value: Var, deliver: Deliver) -> list[str]:
    return deliver(r.py(value.name))


def _undefined(r: Renderer, value: Any, deliver: Deliver) -> list[str]:
    return deliver("None")


def _call(r: Renderer, value: Call, deliver: Deliver) -> list[str]:
    """A handler named by reference, called with the value ``then`` passes (see
    ``chains.apply_reference``: what Python knows of the function decides the await)."""
    lines: list[str] = []
    args: list[str] = []
    for a in value.args:
        pre, code = r.simple(a)
        lines += pre
        args.append(code)
    callee = value.callee
    if isinstance(callee, str):
        call = f"{r.py(callee)}({', '.join(args)})"
        return lines + deliver(f"await {r.e.helper('_settle')}({call})")
    return lines + r.e.apply_reference(callee, args[0] if args else "", deliver)


def _guarded(r: Renderer, value: Guarded, deliver: Deliver) -> list[str]:
    lines, arg = ([], "") if value.arg is None else r.simple(value.arg)
    other, otherwise = r.simple(value.otherwise)
    fn = r.py(value.callee)
    called = f"await {r.e.helper('_settle')}({fn}({arg}))"
    return lines + other + deliver(f"({called} if callable({fn}) else {otherwise})")


VALUES: dict[type, Callable[[Renderer, Any, Deliver], list[str]]] = {
    Await: _await,
    Src: _src,
    Var: _var,
    type(UNDEFINED): _undefined,
    Call: _call,
    Guarded: _guarded,
}


# ---------------------------------------------------------------- statements


def _declare(r: Renderer, s: Declare) -> list[str]:
    return []  # Python needs no declaration; the name is chosen where it is first used


def _assign_stmt(r: Renderer, s: Assign | Const) -> list[str]:
    value = s.value.value if isinstance(s.value, Await) else s.value
    if isinstance(value, Src) and value.node.start_byte in r.e.dropped_reads:
        return []  # see Renderer._drop_unused_results
    if s.name in r.unread:
        return r.deliver(s.value, _discard)
    return r.deliver(s.value, _assign(r.py(s.name)))


def _throw_unless(r: Renderer, s: ThrowUnless) -> list[str]:
    fn = r.py(s.callee)
    return [f"if not callable({fn}):", f"    raise {r.py(s.error)}"]


def _eval(r: Renderer, s: Eval) -> list[str]:
    return r.deliver(s.value, _discard)


def _return_stmt(r: Renderer, s: Return) -> list[str]:
    return r.deliver(s.value, _return)


def _bind(r: Renderer, s: Bind) -> list[str]:
    """A handler's parameter receives the value (a pattern destructures it, as JS does).
    The value is computed before the name is bound: it may read an outer name alike."""
    e, param = r.e, s.param
    block = e.scope.blocks[-1]
    before = dict(block)
    if param.is_identifier:
        name = e.text(param.pattern)
        if id(s) in r.aliased:
            assert isinstance(s.value, Var)
            py, lines = r.py(s.value.name), []
        else:
            py = _param_name(e, name)
            lines = r.deliver(s.value, _assign(py))
        block[name] = Binding(py, e.scope, kind="var", plain=True)
    else:
        node = s.value.value if isinstance(s.value, Await) else None
        names = e.gathered_names(param.pattern, node.node) if isinstance(node, Src) else None
        if names is not None and not any(_visible(e, e.text(n)) for n in names):
            # ([a, b]) => ... of Promise.all([x, y]): one name per item (bound before the
            # value is computed, so only names that mean nothing else here)
            py = ", ".join(e.declare(n, e.text(n), plain=True).py for n in names)
            lines = r.deliver(s.value, _assign(py))
        else:
            lines, temp = r.simple(s.value)
            lines += e.destructure(param.pattern, temp, plain=True)
    r.bound[id(param)] = {k: b for k, b in block.items() if before.get(k) is not b}
    return lines


def _body(r: Renderer, s: Body) -> list[str]:
    """A handler's block body, inline; with early returns (``result`` set), a nested def
    called right here, whose value is what the handler returned, settled."""
    e, handler = r.e, s.handler
    fn, body = handler.node, handler.body
    e.check_function(fn)
    assert body is not None
    statements = list(body.named_children)
    if s.result is None:
        if s.skip_tail:
            statements = statements[:-1]  # the returned value is the IR's to deliver
        e.predeclare(list(body.named_children))
        return [line for st in statements for line in e.statement_lines(st)]
    params = r.bound.get(id(handler.param), {}) if handler.param is not None else {}
    args = ", ".join(b.py for b in params.values())

    def inner() -> list[str]:
        block = e.scope.blocks[-1]
        for name, b in params.items():  # the def's own parameters, not the closure's
            block[name] = Binding(b.py, e.scope, kind="param", vtype=b.vtype, plain=b.plain)
        return drop_trailing_return(e.block_body(body))

    name = e.fresh("step")
    inner_lines = e.in_function(fn, True, inner)
    # Written as async, it may await nothing: every return was a plain value. A plain def
    # says so (it is ours alone, called right here).
    is_async = _awaits(inner_lines)
    call = f"await {name}({args})" if is_async else f"{name}({args})"
    head = f"async def {name}({args}):" if is_async else f"def {name}({args}):"
    lines = [head, *indent(inner_lines)]
    if r.awaits_next(s.result):  # called where its value is used, as one expression
        r.deferred[s.result] = call
        return lines
    r.settled.add(s.result)
    return [*lines, f"{r.py(s.result)} = {call}"]


def _block(r: Renderer, s: Block) -> list[str]:
    """Names of a handler that would collide: a scope of their own (renamed by ``declare``
    where Python would merge them)."""
    r.e.scope.blocks.append({})
    try:
        return r.stmts(s.body)
    finally:
        r.e.scope.blocks.pop()


def _visible(e: Emitter, name: str) -> bool:
    return e.resolve(name) is not None or e._outer(name)


def _param_name(e: Emitter, name: str) -> str:
    """The Python name of a handler's parameter: its own, unless that is visible here."""
    py = e.fresh(_safe(name)) if _visible(e, name) else _safe(name)
    e.scope.taken.add(py)
    return py


def _try(r: Renderer, s: Try) -> list[str]:
    """``try/except Exception/else/finally`` (Python has ``else``: no flag needed)."""
    body = r.stmts(s.body)
    name, handled = _except(r, s.catch) if s.catch is not None else ("", [])
    if s.catch is None:  # try/finally
        last = r.stmts(s.finalbody or [])
        return ["try:", *indent(body or ["pass"]), "finally:", *indent(last or ["pass"])]
    orelse = r.stmts(s.orelse)
    final = r.stmts(s.finalbody) if s.finalbody is not None else None
    return r.e.try_lines(body, name, handled, orelse, final)


def _except(r: Renderer, c: Catch) -> tuple[str, list[str]]:
    """The name an except clause binds ("" for none: nothing reads it) and its lines."""
    e = r.e
    e.scope.blocks.append({})
    try:
        bind: list[str] = []
        name = ""
        binding: Binding | None = None
        if isinstance(c.param, str):
            name = r.py(c.param)
        elif isinstance(c.param, Param):
            if c.param.is_identifier:
                js = e.text(c.param.pattern)
                name = _param_name(e, js)
                binding = Binding(name, e.scope, kind="error", vtype="error", plain=True)
                e.scope.blocks[-1][js] = binding
            else:
                name = e.fresh("error")
                bind = e.destructure(c.param.pattern, name, plain=True, error=True)
        e.except_names.append(name)
        try:
            body = bind + r.stmts(c.body)
        finally:
            e.except_names.pop()
    finally:
        e.scope.blocks.pop()
    if binding is not None and binding.reads == 0:
        name = ""  # nothing reads it (a rethrow is a bare raise)
    elif isinstance(c.param, Param) and not c.param.is_identifier and not bind:
        name = ""  # a pattern whose names nothing reads
    return name, body


STATEMENTS: dict[type, Callable[[Renderer, Any], list[str]]] = {
    Declare: _declare,
    Assign: _assign_stmt,
    Const: _assign_stmt,
    ThrowUnless: _throw_unless,
    Eval: _eval,
    Return: _return_stmt,
    Bind: _bind,
    Body: _body,
    Block: _block,
    Try: _try,
}


def _walk(stmts: list[Stmt]) -> list[Stmt]:
    """Every statement of stmts, nested ones included."""
    out: list[Stmt] = []
    for s in stmts:
        out.append(s)
        if isinstance(s, Block):
            out += _walk(s.body)
        elif isinstance(s, Try):
            out += _walk(s.body) + _walk(s.orelse) + _walk(s.finalbody or [])
            if s.catch is not None:
                out += _walk(s.catch.body)
    return out


def _values(s: Stmt) -> list[Expr]:
    if isinstance(s, (Assign, Const, Bind, Eval, Return)):
        return [s.value]
    if isinstance(s, ThrowUnless):
        return [Var(s.callee), Var(s.error)]
    return []


def _reads(value: Expr) -> set[str]:
    """The IR variables value reads."""
    if isinstance(value, Var):
        return {value.name}
    if isinstance(value, Await):
        return _reads(value.value)
    if isinstance(value, Call):
        out = {value.callee} if isinstance(value.callee, str) else set()
        return out.union(*(_reads(a) for a in value.args))
    if isinstance(value, Guarded):
        out = {value.callee} | _reads(value.otherwise)
        return out | (set() if value.arg is None else _reads(value.arg))
    return set()


def _awaits(body: list[str]) -> bool:
    """Whether a function body of ours awaits at its own level (an ``await`` in a string or
    in a nested function does not count), read from its syntax tree."""
    try:
        tree = ast.parse("async def _():\n" + "\n".join(indent(body)))
    except SyntaxError:  # not expected; async is the choice that is always right
        return True
    stack = list(ast.iter_child_nodes(tree.body[0]))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return False


__all__ = ["Renderer"]
