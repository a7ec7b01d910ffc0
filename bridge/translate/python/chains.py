"""Promise chains and awaits for the Python target: which values may be awaitable, how a JS
``await`` settles one, and a chain lowered by the shared rules and written by ``ir``."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from tree_sitter import Node

from .._analyse import Unsafe, describe
from .._lower import Lowering, check_chain, ends_in_throw
from .._model import UNDEFINED, Assign, Block, Catch, Expr, Return, Src, Stmt, Try, Var
from ..rules._common import reference_kind
from .builtins import _JS_GLOBALS, _STRING_METHODS
from .common import (
    _STEP_NAMES,
    P_PRIMARY,
    Deliver,
    Into,
    _discard,
    _field,
    _function_of,
    _return,
    _walk_no_functions,
    unparen,
)
from .ir import Renderer
from .text import drop_trailing_return, indent

if TYPE_CHECKING:
    from .emitter import Emitter


# ------------------------------------------------------------ promises


def is_chain(self: Emitter, node: Node) -> bool:
    """Whether node is a ``.then/.catch/.finally`` call."""
    node = unparen(node)
    if node.type != "call_expression":
        return False
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "member_expression":
        return False
    prop = fn.child_by_field_name("property")
    return prop is not None and self.text(prop) in _STEP_NAMES


def promise_static(self: Emitter, node: Node) -> str | None:
    """``all``/``race``/... when node is ``Promise.<name>(...)``."""
    node = unparen(node)
    if node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "member_expression":
        return None
    obj = fn.child_by_field_name("object")
    prop = fn.child_by_field_name("property")
    if obj is None or prop is None or self.text(obj) != "Promise":
        return None
    return self.text(prop)


def awaitable_kind(self: Emitter, node: Node) -> str | None:
    """ "async": a Python awaitable to await as is; "awaitable": the same, made by a plain
    function; "unknown": may be either; None: known plain value."""
    node = unparen(node)
    t = node.type
    if self.is_chain(node) or self.promise_static(node) is not None:
        return "async"
    if t == "identifier":
        binding = self.resolve(self.text(node))
        if binding is not None and binding.vtype == "future":
            return "async"
    if t == "new_expression" and self.text(node.child_by_field_name("constructor")) == "Promise":
        return "async"
    if t == "call_expression":
        fn = unparen(_field(node, "function"))
        if fn.type == "identifier":
            binding = self.resolve(self.text(fn))
            if binding is not None and binding.kind == "function" and binding.node is not None:
                if self.python_async(binding.node):
                    return "async"
                return None if self.returns_plain(binding.node) else "unknown"
            if binding is None and self.text(fn) in ("String", "Number", "Boolean"):
                return None
        if fn.type in ("arrow_function", "function_expression"):
            return "async" if self.python_async(fn) else "unknown"
        if fn.type == "member_expression":
            if self.is_console_log(fn):
                return None
            prop = self.text(fn.child_by_field_name("property"))
            if prop in ("map", "filter", "join", "slice", "concat", "includes", "log"):
                return None
            if prop in _STRING_METHODS or prop in (
                "split",
                "toFixed",
                "keys",
                "values",
                "entries",
            ):
                return None
        return "unknown"
    if t == "await_expression" or self.is_plain(node):
        return None
    return "unknown"


def is_plain(self: Emitter, node: Node) -> bool:
    """Whether a JS expression certainly gives a value that is not a promise or thenable."""
    node = unparen(node)
    t = node.type
    if t in ("number", "string", "template_string", "true", "false", "null", "undefined"):
        return True
    if t == "binary_expression" and self.text(_field(node, "operator")) in ("&&", "||", "??"):
        return self.is_plain(_field(node, "left")) and self.is_plain(_field(node, "right"))
    if t in ("array", "object", "binary_expression", "unary_expression", "await_expression"):
        return True
    if t in ("arrow_function", "function_expression", "new_expression"):
        return (
            t != "new_expression" or self.text(node.child_by_field_name("constructor")) != "Promise"
        )
    if t == "identifier":
        binding = self.resolve(self.text(node))
        return binding is not None and (binding.plain or binding.kind in ("error", "function"))
    if t in ("member_expression", "subscript_expression"):
        if t == "member_expression" and self.text(_field(node, "property")) in (
            "length",
            "message",
        ):
            return True
        # A field of data that is not a promise is taken not to be one either.
        obj = _field(node, "object")
        return self.vtype(obj) in ("dict", "list") or self.is_plain(obj)
    if t == "call_expression":
        return self.awaitable_kind(node) is None
    if t == "ternary_expression":
        a = node.child_by_field_name("consequence")
        b = node.child_by_field_name("alternative")
        return a is not None and b is not None and self.is_plain(a) and self.is_plain(b)
    return False


def returns_plain(self: Emitter, fn: Node) -> bool:
    """Whether every value fn returns is certainly not a promise."""
    key = fn.id
    if key in self.plain_memo:
        return self.plain_memo[key]
    self.plain_memo[key] = False
    body = fn.child_by_field_name("body")
    result = True
    self.scope.blocks.append(self.local_names(fn))
    if body is None:
        result = False
    elif body.type != "statement_block":
        result = self.is_plain(body)
    else:
        result = all(
            self.is_plain(n.named_children[0])
            for n in _walk_no_functions(body)
            if n.type == "return_statement" and n.named_children
        )
    self.scope.blocks.pop()
    self.plain_memo[key] = result
    return result


def settle_into(self: Emitter, node: Node, deliver: Deliver) -> list[str]:
    """Statements that await node the way JS ``await`` does and deliver its value."""
    node = unparen(node)
    if self.is_chain(node):
        return self.chain(node, deliver)
    if node.type == "await_expression":
        return self.settle_into(node.named_children[0], deliver)
    if node.type == "sequence_expression":  # (a, b): a for its effects, then b
        *effects, last = node.named_children
        lines = [line for part in effects for line in self.expression_statement(part)]
        return lines + self.statement_lines_of(lambda: self.settle_into(last, deliver))
    static = self.promise_static(node)
    if static == "resolve":
        args = self.call_args(node)
        return self.settle_into(args[0], deliver) if args else deliver("None")
    if static == "reject":
        args = self.call_args(node)
        if not args:
            self.fail(node, "Promise.reject() without a reason")
        return [f"raise {self.error_value(args[0])}".rstrip()]
    if node.type == "ternary_expression" and not self.is_plain(node):
        cond = node.child_by_field_name("condition")
        a = node.child_by_field_name("consequence")
        b = node.child_by_field_name("alternative")
        assert cond is not None and a is not None and b is not None
        return [
            f"if {self.condition(cond)}:",
            *indent(self.settle_into(a, deliver)),
            "else:",
            *indent(self.settle_into(b, deliver)),
        ]
    return deliver(self.awaited(node))


def awaited(self: Emitter, node: Node) -> str:
    """A Python expression for JS ``await node`` that needs no statements of its own."""
    node = unparen(node)
    kind = self.awaitable_kind(node)
    if kind is None:
        return self.expr_code(node)
    if node.type == "await_expression":
        return self.awaited(node.named_children[0])
    if self.is_chain(node):
        return f"await {self.hoist_chain(node)}"
    self.consuming = node.id
    code, prec = self.expr(node)
    if kind in ("async", "awaitable"):
        return f"await {code if prec >= P_PRIMARY else '(' + code + ')'}"
    if node.type == "identifier":
        binding = self.resolve(self.text(node))
        if binding is not None and binding.maybe_promise:
            self.fail(node, "promise stored in a variable and awaited later (eager start)")
    return f"await {self.helper('_settle')}({code})"


def awaitable(self: Emitter, node: Node) -> str:
    """A Python awaitable for a JS value given to Promise.all and friends."""
    node = unparen(node)
    if self.is_chain(node):
        return self.hoist_chain(node)
    kind = self.awaitable_kind(node)
    self.consuming = node.id
    code = self.expr_code(node)
    if kind in ("async", "awaitable"):
        return code
    return f"{self.helper('_settle')}({code})"


def hoist_chain(self: Emitter, node: Node) -> str:
    """A chain used as a value: an async def written before the statement; its call."""
    name = self.fresh("chain")
    body = self.in_function(
        None, True, lambda: self.statement_lines_of(lambda: self.chain(node, _return))
    )
    self.pre[-1].extend([f"async def {name}():", *indent(drop_trailing_return(body))])
    return f"{name}()"


# ------------------------------------------------------------ chains


def chain(self: Emitter, node: Node, deliver: Deliver) -> list[str]:
    """A promise chain as statements: the shared lowering's IR (``_lower`` and ``rules/``,
    the JS target's too) rendered for Python (``ir``); deliver receives its final value."""
    model = describe(self.p, node)  # analysis never refuses; refusals happen below
    lw = Lowering(self.p, self.index, model, _function_of(node))
    lw.cur, lw.settled = Src(model.base), False
    try:
        check_chain(lw, model)
        lw.apply_steps(model.steps)
    except Unsafe as exc:
        self.fail(exc.node, exc.message)
    renderer = Renderer(self)
    stmts, value = lw.stmts, lw.pending()
    if isinstance(value, Var):
        if isinstance(deliver, Into) and deliver.declared:
            # The chain's result variable is the declared one (`const v = await ...`).
            renderer.names[value.name] = deliver.name
            deliver = _no_copy(deliver)
        elif deliver is _return:
            pushed = returns_pushed(stmts, value.name)
            if pushed is not None:  # each branch of the last try returns by itself
                stmts, deliver = pushed, _discard
    renderer.start(stmts, None if deliver is _discard else value)
    self.scope.blocks.append({})  # the handlers' names end with the chain
    try:
        lines = renderer.stmts(stmts, value)
        cur: Expr = lw.cur  # (a step may have changed it)
        if cur is UNDEFINED and stmts and ends_in_throw(stmts[-1]):
            return lines  # a handler that always throws delivers nothing
        return lines + renderer.deliver(value, deliver)
    finally:
        self.scope.blocks.pop()


def _no_copy(into: Into) -> Deliver:
    """``into``, except that ``name = name`` is nothing."""

    def deliver(value: str) -> list[str]:
        return [] if value == into.name else into(value)

    return deliver


def returns_pushed(stmts: list[Stmt], out: str) -> list[Stmt] | None:
    """stmts whose outcome is the variable out, rewritten to ``return`` it where each path
    settles it (the last try's branches), as a returned chain's steps would; None when some
    path would not (then out is assigned and returned after)."""
    if not stmts:
        return None
    *init, last = stmts
    if isinstance(last, Assign) and last.name == out:
        return [*init, Return(last.value)]
    if ends_in_throw(last):
        return stmts
    if isinstance(last, Block):
        inner = returns_pushed(last.body, out)
        return None if inner is None else [*init, Block(inner)]
    if not isinstance(last, Try):
        return None
    catch = last.catch
    if catch is not None:
        handled = returns_pushed(catch.body, out)
        if handled is None:
            return None
        catch = Catch(catch.param, handled)
    body, orelse = last.body, last.orelse
    if orelse:  # the body's value goes to the else branch, which returns
        pushed = returns_pushed(orelse, out)
        if pushed is None:
            return None
        orelse = pushed
    else:
        pushed = returns_pushed(body, out)
        if pushed is None:
            return None
        body = pushed
    return [*init, replace(last, body=body, catch=catch, orelse=orelse)]


def apply_reference(self: Emitter, ref: Node, value: str, deliver: Deliver) -> list[str]:
    """A handler that names a function: called with the one value JS passes.

    A name that may not hold a function is called only if it is callable, as ``then`` does
    (anything else passes the value through); one that may change before the handler runs
    (assigned somewhere, or declared in a way it may be read in its dead zone) is refused:
    ``then`` reads it when the chain is built, which the statements here cannot."""
    if ref.type != "identifier":
        if self.is_console_log(ref):
            return [self.log_call(ref, value), *deliver("None")]
        self.fail(ref, "method reference as a handler (this)")
    name = self.text(ref)
    binding = self.resolve(name)
    kind = reference_kind(self.p, self.index, ref)
    if binding is None and name in _JS_GLOBALS:
        self.fail(ref, f"JS built-in {name} passed as a handler")
    if kind == "unstable":
        self.fail(ref, f"handler {name} may change before the chain runs it (then reads it early)")
    fn_name = self.name_ref(ref)
    args = value
    if (
        kind == "declared-function"
        and binding is not None
        and binding.kind == "function"
        and binding.node is not None
    ):
        params, _ = self.parameters(binding.node)
        if not params:
            args = ""
        call = f"{fn_name}({args})"
        if self.python_async(binding.node):
            return deliver(f"await {call}")
        if self.returns_plain(binding.node):
            return deliver(call)
        return deliver(f"await {self.helper('_settle')}({call})")
    called = f"await {self.helper('_settle')}({fn_name}({args}))"
    if kind == "free" and binding is None:
        return deliver(called)  # a function of the environment (the JS code calls it)
    return deliver(f"({called} if callable({fn_name}) else {value or 'None'})")
