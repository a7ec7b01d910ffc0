"""Names: what each JS name is bound to in Python (``Binding``), the Python function that
holds it (``Scope``), and how a name is declared, read and assigned (``global``/``nonlocal``,
fresh names, parameters with defaults)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tree_sitter import Node

from .common import (
    _declares,
    _describe_node,
    _field,
    _function_of,
    _safe,
    _walk,
    _walk_no_functions,
    _walk_parented,
    unparen,
)
from .text import (
    indent,
)

if TYPE_CHECKING:
    from .emitter import Emitter


@dataclass
class Binding:
    """One JS name as Python sees it."""

    py: str
    scope: Scope
    kind: str = "var"  # var | param | function | error
    node: Node | None = None  # the function node, for kind == "function"
    vtype: str = ""  # str | int | num | bool | list | dict | error | "" (unknown)
    plain: bool = False  # its value is known not to be awaitable
    maybe_promise: bool = False  # it was given the result of a call that may be a promise
    reads: int = 0  # how often the translation read it (a caught error's `as` needs one)


@dataclass
class Scope:
    """One Python function (or the module): JS blocks nest inside it."""

    parent: Scope | None
    is_async: bool = False
    blocks: list[dict[str, Binding]] = field(default_factory=lambda: [{}])
    nonlocals: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    loop_names: list[set[str]] = field(default_factory=list)  # names of enclosing loops
    taken: set[str] = field(default_factory=set)  # fresh names handed out in this function
    next_number: dict[str, int] = field(default_factory=dict)  # per base name, for fresh()
    continue_returns: list[Node] = field(default_factory=list)  # forEach callbacks inlined

    def has_taken(self, name: str) -> bool:
        """Whether a fresh name is in use here or in an enclosing function (which it would
        shadow)."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.taken:
                return True
            scope = scope.parent
        return False

    @property
    def is_module(self) -> bool:
        return self.parent is None


# ------------------------------------------------------------ names


def resolve(self: Emitter, name: str) -> Binding | None:
    """What a JS name means here: innermost block first, then enclosing functions."""
    scope: Scope | None = self.scope
    while scope is not None:
        for block in reversed(scope.blocks):
            if name in block:
                return block[name]
        scope = scope.parent
    return None


def declare(
    self: Emitter,
    at: Node,
    name: str,
    kind: str = "var",
    node: Node | None = None,
    vtype: str = "",
    plain: bool = False,
    maybe_promise: bool = False,
) -> Binding:
    """Bind a JS name in the innermost block, renamed when Python would merge it with a
    name still visible (Python has one scope per function, JS one per block)."""
    py = _safe(name)
    nested = len(self.scope.blocks) > 1
    if not name.isidentifier():
        self.fail(at, f"identifier {name!r}")
    block = self.scope.blocks[-1]
    if name in block:
        return block[name]
    visible = self.resolve(name)
    if nested and visible is not None:
        py = self.fresh(py)
    binding = Binding(py, self.scope, kind, node, vtype, plain, maybe_promise)
    block[name] = binding
    return binding


def unread(self: Emitter, node: Node) -> bool:
    """Whether the JS name declared at node is read nowhere: no other occurrence of it in
    the function that declares it (nested functions included; a module-level name is kept,
    another module may import it). Its assignment is then kept only for what computing the
    value does (Python's linters flag a name assigned and never read)."""
    if self.scope.is_module:
        return False
    name, region = self.text(node), _function_of(node)
    return not self.index.occurs_outside(name, region, node, ignoring=self.dropped_reads)


def _outer(self: Emitter, name: str) -> bool:
    # A name also used for something outside this function would become local to it.
    return name not in self.declared and name in self.words


def name_ref(self: Emitter, node: Node) -> str:
    """The Python name for a JS identifier that is read."""
    name = self.text(node)
    if name == "undefined":
        return "None"
    binding = self.resolve(name)
    if binding is None:
        if name == "arguments":
            self.fail(node, "arguments")
        if not name.isidentifier():
            self.fail(node, f"identifier {name!r}")
        return _safe(name)
    binding.reads += 1
    return binding.py


def assign_ref(self: Emitter, node: Node, value: Node | None = None, plain: bool = False) -> str:
    """The Python name for an assignment target; records nonlocal/global, and what is
    known about the new value (value None: an arithmetic update, plain)."""
    name = self.text(node)
    binding = self.resolve(name)
    if binding is None:
        self.fail(node, "assignment to an undeclared variable")
    if binding.scope is not self.scope:
        if binding.scope.is_module:
            self.scope.globals.add(binding.py)
        else:
            self.scope.nonlocals.add(binding.py)
    if value is None:
        binding.plain, binding.maybe_promise = True, False
    else:
        binding.plain = plain or self.is_plain(value)
        binding.maybe_promise = unparen(value).type == "call_expression" and not binding.plain
    binding.vtype = binding.vtype if value is None and binding.vtype in ("int", "num") else ""
    return binding.py


def predeclare(self: Emitter, statements: list[Node]) -> None:
    """JS lets a block use its declarations before their line (functions above all)."""
    for st in statements:
        if st.type == "export_statement":
            self.fail(st, "export")
        if st.type == "function_declaration":
            name = st.child_by_field_name("name")
            assert name is not None
            self.declare(name, self.text(name), kind="function", node=st)


# ------------------------------------------------------------ functions


def in_function(
    self: Emitter, fn: Node | None, is_async: bool, body: Callable[[], list[str]]
) -> list[str]:
    """Translate body in a new Python function scope; global/nonlocal lines first."""
    outer = self.scope
    self.scope = Scope(outer, is_async=is_async)
    saved_except = self.except_names
    self.except_names = []
    try:
        lines = body()
        decls = []
        if self.scope.globals:
            decls.append(f"global {', '.join(sorted(self.scope.globals))}")
        if self.scope.nonlocals:
            decls.append(f"nonlocal {', '.join(sorted(self.scope.nonlocals))}")
        return decls + (lines or ["pass"])
    finally:
        self.scope = outer
        self.except_names = saved_except


def with_params(
    self: Emitter, params: list[tuple[str, Node | None]], body: Callable[[], list[str]]
) -> list[str]:
    """Declare a function's parameters in its scope, then translate its body."""
    for _, node in params:
        if node is not None:
            self.declare(node, self.text(node), kind="param")
    return body()


def parameters(
    self: Emitter, fn: Node, pad: tuple[str, ...] = ()
) -> tuple[list[tuple[str, Node | None]], list[Callable[[], list[str]]]]:
    """A function's parameters as Python ones, and the lines that bind patterns
    and non-literal defaults at the top of its body."""
    single = fn.child_by_field_name("parameter")
    nodes = (
        [single]
        if single is not None
        else [
            c
            for c in (fn.child_by_field_name("parameters") or fn).named_children
            if c.type != "comment"
        ]
        if fn.child_by_field_name("parameters") is not None
        else []
    )
    params: list[tuple[str, Node | None]] = []
    binders: list[Callable[[], list[str]]] = []
    for p in nodes:
        if p.type in ("required_parameter", "optional_parameter"):  # TypeScript
            pattern = _field(p, "pattern")
            default = p.child_by_field_name("value")
            if default is not None and not (
                pattern.type == "identifier" and self.is_literal(default)
            ):
                name = (
                    _safe(self.text(pattern)) if pattern.type == "identifier" else self.fresh("arg")
                )
                node = pattern if pattern.type == "identifier" else None
                params.append((f"{name}=None", node))
                binders.append(functools.partial(self.param_default, name, pattern, default))
                continue
            if default is not None or p.type == "optional_parameter":
                if pattern.type != "identifier":
                    self.fail(p, "optional destructured parameter")
                value = "None" if default is None else self.expr_code(default)
                params.append((f"{_safe(self.text(pattern))}={value}", pattern))
                continue
            p = pattern
        if p.type == "identifier":
            params.append((_safe(self.text(p)), p))
        elif p.type == "assignment_pattern":
            left, right = _field(p, "left"), _field(p, "right")
            if left.type == "identifier" and self.is_literal(right):
                params.append((f"{_safe(self.text(left))}={self.expr_code(right)}", left))
                continue
            # JS evaluates a default at each call that passes undefined: so does this.
            name = _safe(self.text(left)) if left.type == "identifier" else self.fresh("arg")
            params.append((f"{name}=None", left if left.type == "identifier" else None))
            binders.append(functools.partial(self.param_default, name, left, right))
        elif p.type == "rest_pattern" and p.named_children[0].type == "identifier":
            params.append((f"*{_safe(self.text(p.named_children[0]))}", p.named_children[0]))
        elif p.type in ("object_pattern", "array_pattern"):
            temp = self.fresh("arg")
            params.append((temp, None))
            binders.append(functools.partial(self.destructure, p, temp))
        else:
            self.fail(p, f"{_describe_node(p)} parameter")
    if not any(p.startswith("*") for p, _ in params):
        params += [(self.fresh(extra), None) for extra in pad[len(params) :]]
    return params, binders


def is_literal(self: Emitter, value: Node) -> bool:
    """A default Python may evaluate once, in the signature (JS: at each call)."""
    return unparen(value).type in ("number", "string", "true", "false", "null", "undefined")


def param_default(self: Emitter, name: str, target: Node, default: Node) -> list[str]:
    """``if name is None: name = default`` (then destructured when target is a pattern)."""
    lines = self.if_none(name, default)
    if target.type != "identifier":
        lines += self.destructure(target, name)
    return lines


def if_none(self: Emitter, name: str, default: Node) -> list[str]:
    """``if name is None: name = default`` (JS: a default applies to undefined)."""
    value = self.statement_lines_of(lambda: [f"{name} = {self.expr_code(default)}"])
    return [f"if {name} is None:", *indent(value)]


def check_function(self: Emitter, fn: Node) -> None:
    # (``this`` and ``arguments`` are refused where they are read: x_this, name_ref.)
    """Refuse what Python functions cannot be (generators)."""
    if fn.type.startswith("generator") or any(c.type == "*" for c in fn.children):
        self.fail(fn, "generator function")


def python_async(self: Emitter, fn: Node) -> bool:
    """Whether a JS function becomes ``async def``: it is async, or it returns promises."""
    key = fn.id
    if key in self.async_memo:
        return self.async_memo[key]
    self.async_memo[key] = False
    result = any(c.type == "async" for c in fn.children)
    if not result:
        body = fn.child_by_field_name("body")
        if body is not None:
            self.scope.blocks.append(self.local_names(fn))
            result = any(
                n.type == "return_statement"
                and n.named_children
                and self.awaitable_kind(n.named_children[0]) == "async"
                for n in _walk_no_functions(body)
            )
            if body.type != "statement_block" and self.awaitable_kind(body) == "async":
                result = True
            self.scope.blocks.pop()
    self.async_memo[key] = result
    return result


def local_names(self: Emitter, fn: Node) -> dict[str, Binding]:
    """What a function's own names mean, for questions asked before its body is
    translated (is it async? does it return plain values?): parameters shadow outer
    names; local functions are known by their nodes."""
    names: dict[str, Binding] = {}
    for n, parent in _walk_parented(fn, functions=False):
        if n.type == "identifier" and _declares(n, parent):
            names[self.text(n)] = Binding(self.text(n), self.scope, kind="param")
    body = fn.child_by_field_name("body")
    for st in body.named_children if body is not None and body.type == "statement_block" else []:
        if st.type == "function_declaration":
            name = _field(st, "name")
            names[self.text(name)] = Binding(self.text(name), self.scope, "function", st)
        elif st.type in ("lexical_declaration", "variable_declaration"):
            for decl in st.named_children:
                init = decl.child_by_field_name("value")
                target = decl.child_by_field_name("name")
                if init is not None and target is not None and target.type == "identifier":
                    init = unparen(init)
                    if init.type in ("arrow_function", "function_expression"):
                        names[self.text(target)] = Binding(
                            self.text(target), self.scope, "function", init
                        )
    return names


def check_loop_closure(self: Emitter, fn: Node, what: str) -> None:
    """Python closures see a loop variable's last value, JS closures their iteration's:
    a function made in a loop that reads the loop's names (and may run later) is refused."""
    names = set().union(*self.scope.loop_names) if self.scope.loop_names else set()
    if names and any(n.type == "identifier" and self.text(n) in names for n in _walk(fn)):
        self.fail(fn, f"{what} inside a loop that uses the loop's variables")
