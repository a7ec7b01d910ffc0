"""Promise chains and awaits: which values may be awaitable, and each chain's steps as
``await`` and ``try/except/else/finally``."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from tree_sitter import Node

from .._analyse import describe
from .._model import Handler, HandlerKind, Step
from ..rules._common import reference_kind
from .builtins import (
    _JS_GLOBALS,
    _STRING_METHODS,
)
from .common import (
    _STEP_NAMES,
    P_PRIMARY,
    Deliver,
    _assign,
    _callable,
    _discard,
    _field,
    _return,
    _safe,
    _simplify_try,
    _walk_no_functions,
    unparen,
)
from .scopes import Binding
from .text import (
    drop_trailing_return,
    indent,
)

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
    """A promise chain as statements (the shared chain model, lowered for Python)."""
    model = describe(self.p, node)  # analysis never refuses; refusals happen below
    return self.steps(model.base, model.steps, deliver)


def steps(self: Emitter, base: Node, steps: list[Step], deliver: Deliver) -> list[str]:
    """The chain ``base.steps[0]...steps[-1]`` as statements, last step outermost:

    * ``then(f)``: the steps before, delivering into f's parameter; then f's body.
    * ``catch(g)``: ``try:`` the steps before ``except Exception as e:`` g's body.
    * ``then(f, g)``: ``try:`` the steps before ``except:`` g ``else:`` f, so g never sees
      f's errors.
    * ``finally(h)``: ``try:`` the steps before ``finally:`` h (its value ignored, its
      awaitable awaited, its throw replacing the outcome, as Python's finally does).

    deliver says what happens to the final value (return it, assign it, drop it).
    """
    if not steps:
        return self.settle_into(base, deliver)
    *init, last = steps
    ok = _callable(last.on_fulfilled)
    err = _callable(last.on_rejected)
    if last.kind == "finally":
        fin = _callable(last.on_finally)
        if fin is None:
            return self.steps(base, init, deliver)
        body = self.steps(base, init, deliver)
        final = self.apply(fin, "", None, _discard)
        return ["try:", *indent(body or ["pass"]), "finally:", *indent(final or ["pass"])]
    if err is None:
        if ok is None:
            return self.steps(base, init, deliver)
        value, bind = self.handler_input(ok)
        lines = self.steps(base, init, _assign(value) if value else _discard)
        return lines + self.apply(ok, value, bind, deliver)
    if ok is None and last.kind == "catch":
        body = self.steps(base, init, deliver)
        return self.try_except(body, err, deliver, [])
    value, bind = self.handler_input(ok) if ok is not None else (self.fresh("value"), None)
    body = self.steps(base, init, _assign(value) if value else _discard)
    orelse = deliver(value) if ok is None else self.apply(ok, value, bind, deliver)
    return self.try_except(body, err, deliver, orelse)


def try_except(
    self: Emitter, body: list[str], err: Handler, deliver: Deliver, orelse: list[str]
) -> list[str]:
    """``try: body / except Exception as e: err / else: orelse``."""
    if not body:
        return orelse  # nothing before the handler can throw: it never runs
    name, bind = self.handler_input(err, error=True)
    self.except_names.append(name or "")
    try:
        handled = self.apply(err, name, bind, deliver)
    finally:
        self.except_names.pop()
    lines = [
        "try:",
        *indent(body),
        f"except Exception{' as ' + name if name else ''}:",
        *indent(handled or ["pass"]),
    ]
    if orelse:
        lines += ["else:", *indent(orelse)]
    return _simplify_try(lines, self)


def handler_input(
    self: Emitter, handler: Handler, error: bool = False
) -> tuple[str, Callable[[], list[str]] | None]:
    """The Python name that receives the value a handler is called with (its parameter's
    own name when it can), and what binds the handler's parameters inside its block."""
    if handler.kind == HandlerKind.REFERENCE:
        return self.fresh("error" if error else "value"), None
    param = handler.param
    extra = handler.params[1:]

    def bind_extra() -> list[str]:
        return [
            f"{self.declare(p.pattern, p.names[0]).py} = None"
            for p in extra
            if p.used and p.is_identifier
        ]

    # An unused pattern (``({a}) => 1``) is still bound: JS destructures the value, and
    # throws a TypeError on null/undefined (the unused names become that check).
    if param is None or (not param.used and param.is_identifier):

        def bind_none() -> list[str]:
            return bind_extra()

        return "", bind_none
    if param.is_identifier:
        name = self.text(param.pattern)
        visible = self.resolve(name) is not None or self._outer(name)
        py = self.fresh(_safe(name)) if visible else _safe(name)
        self.scope.taken.add(py)

        def bind_ident() -> list[str]:
            block = self.scope.blocks[-1]
            block[name] = Binding(
                py,
                self.scope,
                kind="error" if error else "var",
                vtype="error" if error else "",
                plain=True,
            )
            return []

        return py, bind_ident
    temp = self.fresh("error" if error else "value")

    def bind_pattern() -> list[str]:
        return self.destructure(param.pattern, temp, plain=True, error=error) + bind_extra()

    return temp, bind_pattern


def apply(
    self: Emitter,
    handler: Handler,
    value: str,
    bind: Callable[[], list[str]] | None,
    deliver: Deliver,
) -> list[str]:
    """The statements that run a handler on the value just bound (the Python name value,
    "" when the handler ignores it), delivering its result."""
    if handler.kind == HandlerKind.REFERENCE:
        return self.apply_reference(handler, value, deliver)
    fn = handler.node
    self.check_function(fn)
    body = handler.body
    assert body is not None
    self.scope.blocks.append({})
    try:
        lines = bind() if bind else []
        if handler.expression_body:
            return lines + self.statement_lines_of(lambda: self.settle_into(body, deliver))
        returns = [n for n in _walk_no_functions(body) if n.type == "return_statement"]
        statements = [c for c in body.named_children]
        last = statements[-1] if statements else None
        if not returns:
            self.predeclare(statements)
            for st in statements:
                lines += self.statement_lines(st)
            if lines and lines[-1].startswith("raise"):
                return lines  # a handler that always throws delivers nothing
            return lines + deliver("None")
        if len(returns) == 1 and returns[0] is last:
            self.predeclare(statements)
            for st in statements[:-1]:
                lines += self.statement_lines(st)
            result = last.named_children[0] if last.named_children else None
            if result is None:
                return lines + deliver("None")
            return lines + self.statement_lines_of(lambda: self.settle_into(result, deliver))
    finally:
        self.scope.blocks.pop()
    # Early returns: Python leaves a block only by leaving a function, so the handler
    # becomes a nested async def, called where the step runs.
    name = self.fresh("step")
    arg = value if bind is not None else ""

    def inner() -> list[str]:
        lines = bind() if bind is not None and arg else []
        return drop_trailing_return(lines + self.block_body(body))

    inner_lines = self.in_function(fn, True, inner)
    if _awaits(inner_lines):
        head = f"async def {name}({arg}):"
        return [head, *indent(inner_lines), *deliver(f"await {name}({arg})")]
    # Written as async, it awaited nothing: every return was a plain value. A plain def
    # says so (it is ours alone, called right here).
    return [f"def {name}({arg}):", *indent(inner_lines), *deliver(f"{name}({arg})")]


def apply_reference(self: Emitter, handler: Handler, value: str, deliver: Deliver) -> list[str]:
    """A handler that names a function: called with the one value JS passes.

    A name that may not hold a function is called only if it is callable, as ``then`` does
    (anything else passes the value through); one that may change before the handler runs
    (assigned somewhere, or declared in a way it may be read in its dead zone) is refused:
    ``then`` reads it when the chain is built, which the statements here cannot."""
    ref = handler.node
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
