"""The Python target: a JS module built on promise chains -> a Python asyncio module.

Who calls this: ``bridge.translate(source, to="python")`` (and so ``bridge translate FILE
--to python``) calls ``translate_module``. It reads the chains with the shared chain model
(``_analyse.describe``: the same ``Chain``/``Step``/``Handler`` the JS target reads) and lowers
each step to Python statements: ``await``, ``try/except/else/finally``, ``asyncio.gather``...

Why a whole-module translator: Python cannot splice async/await into JS source, so everything
around the chains is translated too, for a stated subset of JS (the README's table). Anything
outside it stops the translation with ``TranslationError(rule="unsupported")`` naming the
construct and its place; nothing is guessed. The translated module is self-contained: the few
helpers it needs (``_settle``, ``_log``...; see ``_py_helpers``) are written into it, only
when used, and so is ``import asyncio``.

Semantics kept (checked by tests/translate/test_python_equivalence.py against the engine):
the settled value or the error message, and the order of side effects of each chain, at the
granularity of timers. Differences that remain are listed in the README (``null`` and
``undefined`` are both ``None``; JS truthiness of empty arrays and objects; missing keys).
"""

from __future__ import annotations

import ast
import functools
import keyword
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NoReturn

from tree_sitter import Node

from .._exceptions import TranslationError
from . import _py_helpers
from ._analyse import describe
from ._analyse import unparen as _unparen
from ._model import Handler, HandlerKind, Step, Translation
from ._parse import Parsed, first_error, parse
from ._py_text import (
    drop_trailing_return,
    drop_unused_assignments,
    fstring_text,
    indent,
    join_top,
    js_comment,
    js_string,
    module_docstring,
    none_guard,
    pystr,
    simplify_if,
    space_nested_defs,
    wrap_line,
)

__all__ = ["translate_module"]

# Python operator precedence, lowest first: an operand is parenthesised when it binds looser.
P_LAMBDA, P_TERNARY, P_OR, P_AND, P_NOT, P_CMP = 0, 1, 2, 3, 4, 5
P_ADD, P_MUL, P_UNARY, P_POW, P_AWAIT, P_PRIMARY, P_ATOM = 10, 11, 12, 13, 14, 15, 16

_FUNCTIONS = ("function_declaration", "function_expression", "arrow_function", "function")
_STEP_NAMES = ("then", "catch", "finally")
_COMBINATORS = ("all", "allSettled", "race", "any")
# Names the translation itself uses: a JS identifier spelled like one gets a trailing "_".
_RESERVED = (
    set(keyword.kwlist)
    | {"type"}  # soft keywords may be names, but typeof tests call type()
    | {"print", "len", "str", "isinstance", "Exception", "TypeError", "ValueError", "list"}
    | {"dict", "max", "min", "abs", "enumerate", "asyncio", "math", "contextlib", "inspect"}
    | {"decimal", "re", "AggregateError", "int", "float", "bool", "next", "set", "sorted"}
    | set(_py_helpers.HELPERS)
    | {"_js_key", "_JS_ESCAPES", "_running", "_copy"}
)
_NUMBERS = ("int", "num")
_CASE_ENDS = ("return_statement", "throw_statement", "continue_statement", "break_statement")
_CONSOLE = {
    "console.log": "stdout",
    "console.info": "stdout",
    "console.debug": "stdout",
    "console.error": "stderr",
    "console.warn": "stderr",
}
_ERROR_CLASSES = {"Error": "Exception", "TypeError": "TypeError", "RangeError": "ValueError"}
_STRING_METHODS = {
    "toUpperCase": "upper",
    "toLowerCase": "lower",
    "trim": "strip",
    "startsWith": "startswith",
    "endsWith": "endswith",
}


def translate_module(source: str | bytes, *, filename: str | None = None) -> Translation:
    """Translate a whole JS module into a Python asyncio module.

    Raises:
        TranslationError: ``rule="syntax"`` when the source does not parse;
            ``rule="unsupported"`` (message: the construct) at the first construct outside the
            subset. Nothing is produced in either case.
    """
    parsed = parse(source, filename)
    problem = first_error(parsed)
    if problem is not None:
        raise TranslationError(
            "syntax error", line=problem.line, column=problem.column, rule="syntax"
        )
    code = _Emitter(parsed, filename).module()
    return Translation(code=code, changed=True, diagnostics=())


# ---------------------------------------------------------------- scopes


@dataclass
class _Binding:
    """One JS name as Python sees it."""

    py: str
    scope: _Scope
    kind: str = "var"  # var | param | function | error
    node: Node | None = None  # the function node, for kind == "function"
    vtype: str = ""  # str | int | num | bool | list | dict | error | "" (unknown)
    plain: bool = False  # its value is known not to be awaitable
    maybe_promise: bool = False  # it was given the result of a call that may be a promise


@dataclass
class _Scope:
    """One Python function (or the module): JS blocks nest inside it."""

    parent: _Scope | None
    is_async: bool = False
    blocks: list[dict[str, _Binding]] = field(default_factory=lambda: [{}])
    nonlocals: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    loop_names: list[set[str]] = field(default_factory=list)  # names of enclosing loops
    taken: set[str] = field(default_factory=set)  # fresh names handed out in this function
    continue_returns: list[Node] = field(default_factory=list)  # forEach callbacks inlined

    def has_taken(self, name: str) -> bool:
        """Whether a fresh name is in use here or in an enclosing function (which it would
        shadow)."""
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.taken:
                return True
            scope = scope.parent
        return False

    @property
    def is_module(self) -> bool:
        return self.parent is None


Deliver = Callable[[str], list[str]]


class _Emitter:
    def __init__(self, parsed: Parsed, filename: str | None = None) -> None:
        self.p = parsed
        self.filename = filename
        self.helpers: set[str] = set()
        self.imports: set[str] = set()
        self.words = set(re.findall(r"[A-Za-z_$][A-Za-z0-9_$]*", parsed.source.decode()))
        self.module_scope = _Scope(None)
        self.scope = self.module_scope
        self.pre: list[list[str]] = [[]]
        self.fstring = 0
        self.async_memo: dict[int, bool] = {}
        self.plain_memo: dict[int, bool] = {}
        self.except_names: list[str] = []
        self.assigning = False
        # The one async call that may be translated next: the one being awaited, gathered or
        # started. Any other would be a coroutine that starts late (JS starts it at the call).
        self.consuming = -1
        self.declared = {
            self.text(n)
            for n in _walk(parsed.root)
            if n.type in ("identifier", "shorthand_property_identifier_pattern") and _declares(n)
        }

    # ------------------------------------------------------------ basics

    def text(self, node: Node | None) -> str:
        assert node is not None
        return self.p.text(node)

    def fail(self, node: Node, construct: str) -> NoReturn:
        """Stop: the construct at node is outside the subset (rule ``unsupported``)."""
        line, column = self.p.position(node.start_byte)
        raise TranslationError(construct, line=line, column=column, rule="unsupported")

    def fresh(self, base: str) -> str:
        """A name used nowhere in the source nor handed out in an enclosing function."""
        name, n = base, 1
        while name in self.words or name in _RESERVED or self.scope.has_taken(name):
            n += 1
            name = f"{base}_{n}"
        self.scope.taken.add(name)
        return name

    def helper(self, name: str) -> str:
        """Ask for a helper of ``_py_helpers`` to be written into the module; its name."""
        self.helpers.add(name)
        return name

    def asyncio(self) -> str:
        """``asyncio``, imported because it is used."""
        self.imports.add("asyncio")
        return "asyncio"

    # ------------------------------------------------------------ names

    def resolve(self, name: str) -> _Binding | None:
        """What a JS name means here: innermost block first, then enclosing functions."""
        scope: _Scope | None = self.scope
        while scope is not None:
            for block in reversed(scope.blocks):
                if name in block:
                    return block[name]
            scope = scope.parent
        return None

    def declare(
        self,
        at: Node,
        name: str,
        kind: str = "var",
        node: Node | None = None,
        vtype: str = "",
        plain: bool = False,
        maybe_promise: bool = False,
    ) -> _Binding:
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
        binding = _Binding(py, self.scope, kind, node, vtype, plain, maybe_promise)
        block[name] = binding
        return binding

    def _outer(self, name: str) -> bool:
        # A name also used for something outside this function would become local to it.
        return name not in self.declared and name in self.words

    def name_ref(self, node: Node) -> str:
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
        return binding.py

    def assign_ref(self, node: Node, value: Node | None = None, plain: bool = False) -> str:
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

    def predeclare(self, statements: list[Node]) -> None:
        """JS lets a block use its declarations before their line (functions above all)."""
        for st in statements:
            if st.type == "export_statement":
                self.fail(st, "export")
            if st.type == "function_declaration":
                name = st.child_by_field_name("name")
                assert name is not None
                self.declare(name, self.text(name), kind="function", node=st)

    # ------------------------------------------------------------ module

    def module(self) -> str:
        """The whole module: statements in order, the top-level async run last."""
        root = self.p.root
        statements = [c for c in root.named_children if c.type not in ("hash_bang_line",)]
        leading: list[str] = []
        while statements and statements[0].type == "comment":
            leading.append(self.text(statements.pop(0)))
        self.docstring = module_docstring(leading, self.filename)
        self.predeclare(statements)
        body: list[str] = []
        runner: list[str] = []
        for i, st in enumerate(statements):
            if self._needs_async_statement(st):
                later = [s for s in statements[i + 1 :] if s.type not in ("comment",)]
                if runner or any(s.type != "function_declaration" for s in later):
                    self.fail(st, "top-level async work that is not the module's last statement")
                runner = self.top_level_run(st)
                continue
            body.extend(self.statement_lines(st))
        code = join_top(body + runner)
        return self.render(code)

    def render(self, code: list[str]) -> str:
        """Docstring, imports, the helpers asked for, then the code: the module's text."""
        header: list[str] = []
        helper_imports = {
            imp
            for name in _py_helpers.ordered(self.helpers)
            for imp in _py_helpers.HELPERS[name].imports
        }
        for imp in sorted(self.imports | helper_imports):
            header.append(f"import {imp}")
        parts = [self.docstring] if self.docstring else []
        if header:
            parts.append("\n".join(header))
        for name in _py_helpers.ordered(self.helpers):
            parts.append(_py_helpers.HELPERS[name].source.rstrip("\n"))
        if code:
            code = space_nested_defs(code)
            wrapped = "\n".join(piece for line in code for piece in wrap_line(line))
            if not _parses(wrapped):  # never give up a parsing module for line length
                wrapped = "\n".join(code)
            if not _parses(wrapped):
                raise TranslationError(
                    "internal error: the Python translation does not parse (please report)",
                    rule="internal",
                )
            parts.append(wrapped.strip("\n"))
        if self.docstring and header:
            # A docstring and the imports under it: one blank line, like any module.
            parts[:2] = [parts[0] + "\n\n" + parts[1]]
        text = ""
        for i, part in enumerate(parts):
            if i:
                # isort: two blank lines after the imports only when a def follows.
                imports_end = i == 1 and bool(header) and not part.startswith(("def ", "async "))
                text += "\n\n" if imports_end else "\n\n\n"
            text += part
        return text + "\n"

    def _needs_async_statement(self, st: Node) -> bool:
        if st.type != "expression_statement":
            return False
        expr = unparen(st.named_children[0])
        if expr.type == "await_expression":
            return True
        return self.is_chain(expr) or self.awaitable_kind(expr) == "async"

    def top_level_run(self, st: Node) -> list[str]:
        """The module's last statement starts async work: ``asyncio.run`` it."""
        expr = unparen(st.named_children[0])
        self.asyncio()
        simple_call = expr.type == "call_expression" and self.promise_static(expr) is None
        if simple_call and not self.is_chain(expr) and self.awaitable_kind(expr) == "async":
            self.consuming = expr.id
            call = self.expr_code(expr)
            pre = self.take_pre()
            if not pre:
                return ['if __name__ == "__main__":', f"    asyncio.run({call})"]
        name = self.fresh("main") if "main" in self.words else "main"
        self.scope.taken.add(name)
        body = self.in_function(None, True, lambda: self.settle_into(expr, _discard))
        lines = [f"async def {name}():", *indent(body)]
        return [*lines, 'if __name__ == "__main__":', f"    asyncio.run({name}())"]

    # ------------------------------------------------------------ statements

    def take_pre(self) -> list[str]:
        """The lines hoisted for the statement being translated, handed over once."""
        lines = self.pre[-1]
        self.pre[-1] = []
        return lines

    def statement_lines(self, st: Node) -> list[str]:
        """One statement as lines, the defs its expressions need written first."""
        self.pre.append([])
        try:
            lines = self.statement(st)
            return [*self.pre[-1], *lines]
        finally:
            self.pre.pop()

    def block(self, node: Node, bindings: Callable[[], list[str]] | None = None) -> list[str]:
        """A nested JS block (its own names) as Python lines; never empty."""
        self.scope.blocks.append({})
        try:
            lines = bindings() if bindings else []
            lines += self.block_body(node)
        finally:
            self.scope.blocks.pop()
        return lines or ["pass"]

    def block_body(self, node: Node) -> list[str]:
        """The statements of a block (or one statement) in the current JS block."""
        statements = node.named_children if node.type == "statement_block" else [node]
        self.predeclare(statements)
        lines: list[str] = []
        for st in statements:
            lines.extend(self.statement_lines(st))
        return lines

    def statement(self, st: Node) -> list[str]:
        """One JS statement as Python lines."""
        t = st.type
        if t == "comment":
            return [js_comment(self.text(st))]
        if t in ("empty_statement", "interface_declaration", "type_alias_declaration"):
            return []  # TypeScript's types have no Python counterpart to write
        if t == "ambient_declaration":
            return []
        if t == "expression_statement":
            return self.expression_statement(st.named_children[0])
        if t in ("lexical_declaration", "variable_declaration"):
            lines: list[str] = []
            for decl in st.named_children:
                if decl.type == "variable_declarator":
                    lines += self.declarator(decl)
            return lines
        if t == "function_declaration":
            return self.function_def(st, self.text(st.child_by_field_name("name")))
        if t == "return_statement":
            return self.return_statement(st)
        if t == "if_statement":
            return self.if_statement(st)
        if t == "for_in_statement":
            return self.for_of(st)
        if t == "while_statement":
            return self.while_statement(st)
        if t == "switch_statement":
            return self.switch_statement(st)
        if t == "for_statement":
            return self.counting_loop(st)
        if t in ("break_statement", "continue_statement") and not st.named_children:
            return ["break" if t == "break_statement" else "continue"]
        if t == "throw_statement":
            return [f"raise {self.error_value(st.named_children[0])}".rstrip()]
        if t == "try_statement":
            return self.try_statement(st)
        if t == "statement_block":
            return self.block(st)
        self.fail(st, _describe_node(st))

    def expression_statement(self, expr: Node) -> list[str]:
        """An expression used as a statement: an assignment, a call, an await..."""
        expr = unparen(expr)
        t = expr.type
        if t == "string" and self.text(expr)[1:-1] == "use strict":
            return []
        if t == "sequence_expression":  # a, b;  -> two statements
            return [
                line for part in expr.named_children for line in self.expression_statement(part)
            ]
        if t == "await_expression":
            return self.settle_into(expr.named_children[0], _discard)
        if self.is_chain(expr) or self.awaitable_kind(expr) == "async":
            # Fire-and-forget: JS starts the work and moves on; so does a started task.
            self.check_loop_closure(expr, "a started chain")
            self.consuming = expr.id
            code = self.hoist_chain(expr) if self.is_chain(expr) else self.expr_code(expr)
            return [f"{self.helper('_spawn')}({code})"]
        if t == "assignment_expression":
            left = expr.child_by_field_name("left")
            right = expr.child_by_field_name("right")
            assert left is not None and right is not None
            if unparen(right).type == "await_expression" and left.type == "identifier":
                target = self.assign_ref(left, right, plain=True)
                return self.settle_into(unparen(right).named_children[0], _assign(target))
            if unparen(left).type in ("member_expression", "subscript_expression"):
                self.refuse_stored_promise(right, "a property")
            value = self.expr_code(right)
            return [f"{self.target_code(left, right)} = {value}"]
        if t == "augmented_assignment_expression":
            left = expr.child_by_field_name("left")
            right = expr.child_by_field_name("right")
            op = self.text(expr.child_by_field_name("operator"))
            assert left is not None and right is not None
            if op not in ("+=", "-=", "*=", "/="):
                self.fail(expr, f"operator {op}")
            lt, rt = self.vtype(left), self.vtype(right)
            if op == "+=" and not (lt == rt == "str" or (lt in _NUMBERS and rt in _NUMBERS)):
                current = self.expr_code(left)
                if lt == "str" or rt == "str":
                    value = f"{self.helper('_js_str')}({self.expr_code(right)})"
                    return [f"{self.target_code(left, right)} += {value}"]
                value = f"{self.helper('_js_add')}({current}, {self.expr_code(right)})"
                return [f"{self.target_code(left, right)} = {value}"]
            value = self.expr_code(right)
            return [f"{self.target_code(left)} {op} {value}"]
        if t == "update_expression":
            arg = expr.child_by_field_name("argument")
            op = "+=" if "++" in self.text(expr) else "-="
            assert arg is not None
            return [f"{self.target_code(arg)} {op} 1"]
        if t == "call_expression" and self.is_console_log(expr.child_by_field_name("function")):
            return [self.console_log(expr)]
        if t == "call_expression":
            fn = expr.child_by_field_name("function")
            if fn is not None and fn.type == "member_expression":
                method = self.text(fn.child_by_field_name("property"))
                if method == "forEach":
                    return self.for_each(expr, fn)
                if method == "push":
                    obj = self.wrap(_field(fn, "object"), P_PRIMARY)
                    args = self.call_args(expr)
                    if len(args) == 1:
                        return [f"{obj}.append({self.expr_code(args[0])})"]
                    return [f"{obj}.extend([{', '.join(self.expr_code(a) for a in args)}])"]
        return [self.expr_code(expr)]

    def target_code(self, left: Node, value: Node | None = None) -> str:
        """An assignment target (name, member, subscript, array pattern)."""
        left = unparen(left)
        if left.type == "identifier":
            return self.assign_ref(left, value)
        if left.type == "member_expression" and self.text(_field(left, "property")) in (
            "length",
            "message",
            "errors",
        ):
            self.fail(left, f"assignment to .{self.text(_field(left, 'property'))}")
        if left.type in ("member_expression", "subscript_expression"):
            self.assigning = True
            try:
                code, _ = self.expr(left)
            finally:
                self.assigning = False
            return code
        if left.type == "array_pattern":
            names = [self.target_code(c, left) for c in left.named_children]
            return ", ".join(names)
        self.fail(left, f"assignment to {_describe_node(left)}")

    def declarator(self, decl: Node) -> list[str]:
        """``const/let/var name = value`` (a pattern, an awaited chain, a function...)."""
        name = decl.child_by_field_name("name")
        value = decl.child_by_field_name("value")
        assert name is not None
        if value is not None:
            value_u = unparen(value)
            if name.type == "identifier" and value_u.type in (
                "arrow_function",
                "function_expression",
            ):
                binding = self.declare(name, self.text(name), kind="function", node=value_u)
                return self.function_def(value_u, binding.py)
            if value_u.type == "await_expression":
                inner = value_u.named_children[0]
                if name.type == "identifier":
                    binding = self.declare(name, self.text(name), plain=True)
                    binding.vtype = self.vtype(inner) if self.is_chain(inner) is False else ""
                    return self.settle_into(inner, _assign(binding.py))
                temp = self.fresh("value")
                settled = self.settle_into(inner, _assign(temp))
                return settled + self.destructure(name, temp, plain=True)
            if self.is_chain(value_u):
                self.fail(value_u, "promise chain stored before it is awaited (eager start)")
            if (
                value_u.type == "new_expression"
                and self.text(value_u.child_by_field_name("constructor")) == "Promise"
                and name.type == "identifier"
                and self.scope.is_async
            ):
                # A future starts when it is made, like the JS promise: it may be stored.
                code = self.new_promise(value_u, eager=True)
                binding = self.declare(name, self.text(name), vtype="future")
                return [f"{binding.py} = {code}"]
            if self.awaitable_kind(value_u) in ("async", "awaitable"):
                self.fail(value_u, "promise stored before it is awaited (eager start)")
            code = self.expr_code(value)
            if name.type == "identifier":
                plain = self.is_plain(value)
                binding = self.declare(
                    name,
                    self.text(name),
                    vtype=self.vtype(value),
                    plain=plain,
                    maybe_promise=value_u.type == "call_expression" and not plain,
                )
                return [f"{binding.py} = {code}"]
            temp = code
            lines = []
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", code):
                temp = self.fresh("value")
                lines.append(f"{temp} = {code}")
            return lines + self.destructure(name, temp, plain=self.is_plain(value))
        if name.type != "identifier":
            self.fail(decl, "destructuring without a value")
        binding = self.declare(name, self.text(name))
        return [f"{binding.py} = None"]

    def destructure(
        self, pattern: Node, source: str, plain: bool = False, error: bool = False
    ) -> list[str]:
        """Bind a JS destructuring pattern from the Python expression source (a name);
        error: source is a caught error (``{ message }`` is its text)."""
        pattern = unparen(pattern)
        t = pattern.type
        if t == "identifier":
            binding = self.declare(pattern, self.text(pattern), plain=plain)
            return [f"{binding.py} = {source}"]
        if t in ("array_pattern", "object_pattern") and not any(
            c.type != "comment" for c in pattern.named_children
        ):
            return none_guard([source])  # `{}` / `[]` bind nothing but still throw on null
        if t == "array_pattern":
            items, index = [], 0
            for c in pattern.children:
                if c.type == ",":
                    index += 1
                elif c.is_named and c.type != "comment":
                    items.append((index, c))
            simple = all(c.type == "identifier" for _, c in items) and all(
                i == n for n, (i, _) in enumerate(items)
            )
            if simple:
                names = [self.declare(c, self.text(c), plain=plain).py for _, c in items]
                if len(names) == 1:
                    return [f"{names[0]} = {source}[0]"]
                return [f"{', '.join(names)} = {source}[:{len(names)}]"]
            lines: list[str] = []
            for i, c in items:
                if c.type == "rest_pattern":
                    if c is not items[-1][1] or c.named_children[0].type != "identifier":
                        self.fail(c, "rest element that is not last")
                    lines += self.destructure(c.named_children[0], f"{source}[{i}:]", plain)
                elif c.type == "identifier":
                    lines += self.destructure(c, f"{source}[{i}]", plain)
                elif c.type == "assignment_pattern":  # [a = default]: missing or undefined
                    target = _field(c, "left")
                    if target.type == "identifier":
                        temp = self.declare(target, self.text(target)).py
                    else:
                        temp = self.fresh("item")
                    lines.append(f"{temp} = {source}[{i}] if len({source}) > {i} else None")
                    lines += self.if_none(temp, _field(c, "right"))
                    if target.type != "identifier":
                        lines += self.destructure(target, temp, plain)
                else:
                    temp = self.fresh("item")
                    lines.append(f"{temp} = {source}[{i}]")
                    lines += self.destructure(c, temp, plain)
            return lines
        if t == "object_pattern":
            lines = []
            for c in pattern.named_children:
                if c.type == "shorthand_property_identifier_pattern":
                    binding = self.declare(c, self.text(c), plain=plain)
                    if error and self.text(c) != "message":
                        self.fail(c, f"the {self.text(c)} of an error")
                    item = f"str({source})" if error else f"{source}[{pystr(self.text(c))}]"
                    lines.append(f"{binding.py} = {item}")
                elif c.type == "object_assignment_pattern":  # {name = default}
                    left, default = _field(c, "left"), _field(c, "right")
                    if error or left.type != "shorthand_property_identifier_pattern":
                        self.fail(c, "default in this destructuring pattern")
                    binding = self.declare(left, self.text(left))
                    lines.append(f"{binding.py} = {source}.get({pystr(self.text(left))})")
                    lines += self.if_none(binding.py, default)
                elif c.type == "pair_pattern":
                    key = c.child_by_field_name("key")
                    value = c.child_by_field_name("value")
                    assert key is not None and value is not None
                    if key.type not in ("property_identifier", "string"):
                        self.fail(key, "computed key in a destructuring pattern")
                    key_text = (
                        self.text(key)
                        if key.type == "property_identifier"
                        else js_string(self.text(key))
                    )
                    item = f"{source}[{pystr(key_text)}]"
                    if value.type == "assignment_pattern":  # {key: name = default}
                        item = f"{source}.get({pystr(key_text)})"
                        target = _field(value, "left")
                        if target.type == "identifier":
                            temp = self.declare(target, self.text(target)).py
                        else:
                            temp = self.fresh("item")
                        lines += [f"{temp} = {item}", *self.if_none(temp, _field(value, "right"))]
                        if target.type != "identifier":
                            lines += self.destructure(target, temp, plain)
                    elif unparen(value).type == "identifier":
                        lines += self.destructure(value, item, plain)
                    else:
                        temp = self.fresh("item")
                        lines.append(f"{temp} = {item}")
                        lines += self.destructure(value, temp, plain)
                else:
                    self.fail(c, f"{_describe_node(c)} in a destructuring pattern")
            return lines
        self.fail(pattern, f"{_describe_node(pattern)} as a binding pattern")

    def return_statement(self, st: Node) -> list[str]:
        """``return``: awaited the JS way in an async function."""
        value = st.named_children[0] if st.named_children else None
        if self.scope.continue_returns and _function_of(st) == self.scope.continue_returns[-1]:
            return ["continue"]  # return; in a forEach callback: on to the next element
        if value is None:
            return ["return"]
        if self.scope.is_async:
            if (
                _inside_try(st)
                and unparen(value).type != "await_expression"
                and not self.is_plain(value)
            ):
                # JS settles a returned promise after leaving the try: its catch never sees
                # the rejection, its finally runs first. Python would await inside the try.
                self.fail(value, "promise returned inside try (write return await)")
            return self.settle_into(value, _return)
        if self.is_chain(value) or self.awaitable_kind(value) == "async":
            self.fail(value, "promise returned from a function that is not async")
        return [f"return {self.expr_code(value)}"]

    def if_statement(self, st: Node) -> list[str]:
        """``if/else if/else`` as ``if/elif/else``."""
        cond = st.child_by_field_name("condition")
        cons = st.child_by_field_name("consequence")
        alt = st.child_by_field_name("alternative")
        assert cond is not None and cons is not None
        test = self.condition(cond)
        body = self.block(cons)
        lines = [f"if {test}:", *indent(body)]
        if alt is not None:
            inner = alt.named_children[0]
            if inner.type == "if_statement":
                self.pre.append([])
                try:
                    nested = self.if_statement(inner)
                    pre = self.pre[-1]
                finally:
                    self.pre.pop()
                if pre:
                    lines += ["else:", *indent(pre + nested)]
                else:
                    lines += ["el" + nested[0], *nested[1:]]
            else:
                lines += ["else:", *indent(self.block(inner))]
        return simplify_if(lines)

    def condition(self, node: Node) -> str:
        """A test, in JS's own precedence (truthiness is Python's: see the README)."""
        return self.wrap(unparen(node), P_LAMBDA + 1)

    def for_of(self, st: Node) -> list[str]:
        """``for (const x of xs)`` as ``for x in xs:``."""
        op = st.child_by_field_name("operator")
        if op is None or self.text(op) != "of" or any(c.type == "await" for c in st.children):
            self.fail(st, "for...in loop" if op is not None and self.text(op) == "in" else "loop")
        left = st.child_by_field_name("left")
        right = st.child_by_field_name("right")
        body = st.child_by_field_name("body")
        assert left is not None and right is not None and body is not None
        if st.child_by_field_name("kind") is None:
            self.fail(left, "for...of without const or let")
        iterable = self.wrap(right, P_TERNARY)
        entries = self.object_entries(right)
        pair = left.type == "array_pattern" and len(left.named_children) == 2
        if (
            entries is not None
            and pair
            and all(c.type == "identifier" for c in left.named_children)
        ):
            iterable = f"{entries}.items()"  # for (const [k, v] of Object.entries(o))
        target = ""

        def bind() -> list[str]:
            nonlocal target
            if left.type == "identifier":
                used = _uses(self, body, self.text(left))
                binding = self.declare(left, self.text(left))
                target = binding.py if used else self.fresh(f"_{binding.py}")
                return []
            if left.type == "array_pattern" and all(
                c.type == "identifier" for c in left.named_children
            ):
                target = ", ".join(
                    self.declare(c, self.text(c)).py
                    if _uses(self, body, self.text(c))
                    else self.fresh(f"_{_safe(self.text(c))}")
                    for c in left.named_children
                )
                return []
            target = self.fresh("item")
            return self.destructure(left, target)

        self.scope.loop_names.append(
            {
                self.text(n)
                for n in _walk_no_functions(st)
                if n.type == "identifier" and _declares(n)
            }
        )
        try:
            lines = self.block(body, bind)
        finally:
            self.scope.loop_names.pop()
        return [f"for {target} in {iterable}:", *indent(lines)]

    def object_entries(self, node: Node) -> str | None:
        """The Python object of ``Object.entries(o)``, else None."""
        node = unparen(node)
        if (
            node.type != "call_expression"
            or self.text(_field(node, "function")) != "Object.entries"
        ):
            return None
        args = self.call_args(node)
        if len(args) != 1 or self.resolve("Object") is not None:
            return None
        return self.wrap(args[0], P_PRIMARY)

    def for_each(self, call: Node, fn: Node) -> list[str]:
        """``xs.forEach((x, i) => { ... })`` as a statement: a for loop; ``return;`` inside
        the callback is ``continue``."""
        args = self.call_args(call)
        callback = unparen(args[0]) if len(args) == 1 else None
        if callback is None or callback.type not in ("arrow_function", "function_expression"):
            self.fail(call, "forEach without a function literal")
        if any(c.type == "async" for c in callback.children):
            self.fail(callback, "forEach with an async callback (nobody awaits it)")
        self.check_function(callback)
        body = _field(callback, "body")
        for n in _walk_no_functions(body):
            if n.type == "return_statement" and (n.named_children or _inside_loop(n, callback)):
                self.fail(n, "return with a value (or inside a loop) in a forEach callback")
        params, binders = self.parameters(callback)
        if binders or len(params) > 2 or any("=" in p or "*" in p for p, _ in params):
            self.fail(callback, "forEach callback with these parameters")
        source = self.wrap(_field(fn, "object"), P_TERNARY)
        names: list[str] = []

        def bind() -> list[str]:
            for _, node in params:
                assert node is not None
                used = _uses(self, body, self.text(node))
                binding = self.declare(node, self.text(node))
                names.append(binding.py if used else self.fresh(f"_{binding.py}"))
            return []

        self.scope.loop_names.append({self.text(n) for _, n in params if n is not None})
        self.scope.continue_returns.append(callback)
        try:
            if body.type == "statement_block":
                lines = self.block(body, bind)
            else:
                self.scope.blocks.append({})
                try:
                    bind()
                    lines = self.statement_lines_of(lambda: self.expression_statement(body))
                finally:
                    self.scope.blocks.pop()
        finally:
            self.scope.loop_names.pop()
            self.scope.continue_returns.pop()
        if not names:
            target = self.fresh("_item")
            return [f"for {target} in {source}:", *indent(lines)]
        if len(names) == 1:
            return [f"for {names[0]} in {source}:", *indent(lines)]
        return [f"for {names[1]}, {names[0]} in enumerate({source}):", *indent(lines)]

    def counting_loop(self, st: Node) -> list[str]:
        """``for (let i = a; i < b; i++)`` as ``for i in range(a, b):`` when b cannot change
        inside the loop and the body leaves i alone (anything else is refused)."""
        init = st.child_by_field_name("initializer")
        cond = st.child_by_field_name("condition")
        step = st.child_by_field_name("increment")
        body = _field(st, "body")
        declarators = [] if init is None else [c for c in init.named_children]
        if (
            init is None
            or init.type != "lexical_declaration"
            or len(declarators) != 1
            or cond is None
            or step is None
        ):
            self.fail(st, "for (;;) loop")
        var = _field(declarators[0], "name")
        start = declarators[0].child_by_field_name("value")
        if var.type != "identifier" or start is None:
            self.fail(st, "for (;;) loop")
        name = self.text(var)
        if cond.type == "expression_statement" and cond.named_children:
            cond = cond.named_children[0]
        cond = unparen(cond)
        op = (
            self.text(cond.child_by_field_name("operator"))
            if cond.type == "binary_expression"
            else ""
        )
        by = self.loop_step(step, name)
        bound = cond.child_by_field_name("right") if op else None
        if (
            op not in ("<", "<=", ">", ">=")
            or self.text(_field(cond, "left")) != name
            or bound is None
            or by is None
            or (by > 0) != (op in ("<", "<="))
            or not self.loop_invariant(bound, body)
            or any(
                n.type == "identifier" and self.text(n) == name and _is_assignment_target(n)
                for n in _walk(body)
            )
        ):
            self.fail(st, "for (;;) loop other than counting over a fixed range")
        first = self.expr_code(start)
        last = self.expr_code(bound)
        if op in ("<=", ">="):
            inclusive = 1 if by > 0 else -1
            if unparen(bound).type == "number" and self.text(unparen(bound)).isdigit():
                last = str(int(self.text(unparen(bound))) + inclusive)
            else:
                last = f"{self.wrap(bound, P_ADD)} {'+' if by > 0 else '-'} 1"
        args = [first, last] if by == 1 and first != "0" else [last] if by == 1 else [first, last]
        if by != 1:
            args.append(str(by))
        target = ""

        def bind() -> list[str]:
            nonlocal target
            binding = self.declare(var, name)
            target = binding.py if _uses(self, body, name) else self.fresh(f"_{binding.py}")
            return []

        self.scope.loop_names.append({name})
        try:
            lines = self.block(body, bind)
        finally:
            self.scope.loop_names.pop()
        return [f"for {target} in range({', '.join(args)}):", *indent(lines)]

    def loop_step(self, step: Node, name: str) -> int | None:
        """+1 for ``i++``, -2 for ``i -= 2``...; None for anything else."""
        step = unparen(step)
        if step.type == "update_expression" and self.text(_field(step, "argument")) == name:
            return 1 if "++" in self.text(step) else -1
        if (
            step.type == "augmented_assignment_expression"
            and self.text(_field(step, "left")) == name
        ):
            amount = unparen(_field(step, "right"))
            op = self.text(_field(step, "operator"))
            if amount.type == "number" and self.text(amount).isdigit() and op in ("+=", "-="):
                value = int(self.text(amount))
                return value if op == "+=" else -value
        return None

    def loop_invariant(self, bound: Node, body: Node) -> bool:
        """A loop bound Python may compute once: a literal, or a name (or its .length) that
        the body neither assigns nor calls methods on."""
        bound = unparen(bound)
        if bound.type == "number":
            return True
        if bound.type == "member_expression" and self.text(_field(bound, "property")) == "length":
            bound = unparen(_field(bound, "object"))
        if bound.type != "identifier":
            return False
        name = self.text(bound)
        for n in _walk(body):
            if n.type == "identifier" and self.text(n) == name:
                parent = n.parent
                if _is_assignment_target(n):
                    return False
                if parent is not None and parent.type == "member_expression":
                    grand = parent.parent
                    if grand is not None and grand.type == "call_expression":
                        return False  # xs.push(...) may change xs.length
        return True

    def switch_statement(self, st: Node) -> list[str]:
        """``switch`` whose cases end in break/return/throw: an if/elif/else chain (cases
        with no statements share the next one's body; default must come last)."""
        value = unparen(_field(st, "value"))
        lines: list[str] = []
        if _side_effect_free(value):
            subject = self.wrap(value, P_CMP + 1)
        else:
            subject = self.fresh("subject")
            lines.append(f"{subject} = {self.expr_code(value)}")
        groups: list[tuple[list[Node], bool, list[Node]]] = []
        tests: list[Node] = []
        default = False
        clauses = [c for c in _field(st, "body").named_children if c.type != "comment"]
        for i, clause in enumerate(clauses):
            if clause.type == "switch_case":
                tests.append(_field(clause, "value"))
            else:
                default = True
            body = [c for c in clause.children_by_field_name("body") if c.type != "comment"]
            if not body:
                continue
            # A braced case body shares the switch's block here: unwrap it to find its end.
            while body[-1].type == "statement_block":
                inner = [c for c in body[-1].named_children if c.type != "comment"]
                if not inner:
                    break
                body = body[:-1] + inner
            last = body[-1]
            if last.type == "break_statement" and not last.named_children:
                body = body[:-1]
            elif last.type not in _CASE_ENDS and i != len(clauses) - 1:
                self.fail(clause, "switch case that falls through to the next")
            for n in _walk_no_functions(clause):
                if n.type == "break_statement" and n != last and not _inside_loop(n, st):
                    self.fail(n, "break inside a switch case before its end")
            groups.append((tests, default, body))
            tests, default = [], False
        if tests or default:
            groups.append((tests, default, []))
        if any(is_default for _, is_default, _ in groups[:-1]):
            self.fail(st, "switch whose default is not the last case")
        self.scope.blocks.append({})  # one block for every case, as in JS
        try:
            for index, (cases, is_default, body) in enumerate(groups):
                self.predeclare(body)
                block = [line for child in body for line in self.statement_lines(child)]
                if is_default:
                    head = "else:" if index else ""
                else:
                    values = [self.wrap(c, P_CMP + 1) for c in cases]
                    test = (
                        f"{subject} == {values[0]}"
                        if len(values) == 1
                        else f"{subject} in ({', '.join(values)})"
                    )
                    head = f"{'el' if index else ''}if {test}:"
                if head:
                    lines += [head, *indent(block or ["pass"])]
                else:
                    lines += block
        finally:
            self.scope.blocks.pop()
        return lines

    def while_statement(self, st: Node) -> list[str]:
        cond = _field(st, "condition")
        body = _field(st, "body")
        self.scope.loop_names.append(
            {
                self.text(n)
                for n in _walk_no_functions(body)
                if n.type == "identifier" and _declares(n)
            }
        )
        self.pre.append([])
        try:
            test = self.condition(cond)
            if self.pre[-1]:
                self.fail(cond, "while condition that needs statements of its own")
            lines = self.block(body)
        finally:
            self.pre.pop()
            self.scope.loop_names.pop()
        return [f"while {test}:", *indent(lines)]

    def check_loop_closure(self, fn: Node, what: str) -> None:
        """Python closures see a loop variable's last value, JS closures their iteration's:
        a function made in a loop that reads the loop's names (and may run later) is refused."""
        names = set().union(*self.scope.loop_names) if self.scope.loop_names else set()
        if names and any(n.type == "identifier" and self.text(n) in names for n in _walk(fn)):
            self.fail(fn, f"{what} inside a loop that uses the loop's variables")

    def try_statement(self, st: Node) -> list[str]:
        """``try/catch/finally`` as ``try/except Exception/finally``."""
        body = st.child_by_field_name("body")
        handler = st.child_by_field_name("handler")
        finalizer = st.child_by_field_name("finalizer")
        assert body is not None
        lines = ["try:", *indent(self.block(body))]
        if handler is not None:
            param = handler.child_by_field_name("parameter")
            hbody = handler.child_by_field_name("body")
            assert hbody is not None
            name = ""

            def bind() -> list[str]:
                nonlocal name
                if param is None:
                    return []
                if param.type != "identifier":
                    self.fail(param, "destructuring catch parameter")
                binding = self.declare(
                    param, self.text(param), kind="error", vtype="error", plain=True
                )
                if _uses(self, hbody, self.text(param)):
                    name = binding.py
                return []

            self.scope.blocks.append({})
            try:
                bind()
                self.except_names.append(name)
                try:
                    except_body = self.block_body(hbody) or ["pass"]
                finally:
                    self.except_names.pop()
            finally:
                self.scope.blocks.pop()
            lines += [f"except Exception{' as ' + name if name else ''}:", *indent(except_body)]
        if finalizer is not None:
            fbody = finalizer.child_by_field_name("body") or finalizer.named_children[0]
            lines += ["finally:", *indent(self.block(fbody))]
        return _simplify_try(lines, self)

    def error_value(self, node: Node) -> str:
        """What ``throw x`` raises: an Error becomes an Exception, a caught error itself."""
        node = unparen(node)
        if (
            node.type == "identifier"
            and self.except_names
            and self.except_names[-1] == self.name_ref(node)
        ):
            return ""  # rethrowing the error being handled: a bare raise
        code = self.expr_code(node)
        if node.type == "new_expression":
            if self.except_names and self.except_names[-1]:
                return f"{code} from {self.except_names[-1]}"
            if self.except_names:
                return f"{code} from None"
            return code
        if node.type in ("identifier", "member_expression", "subscript_expression"):
            return code  # an Error held in a variable (Python raises TypeError if it is not)
        self.fail(node, "throw of a value that is not an Error")

    # ------------------------------------------------------------ functions

    def in_function(
        self, fn: Node | None, is_async: bool, body: Callable[[], list[str]]
    ) -> list[str]:
        """Translate body in a new Python function scope; global/nonlocal lines first."""
        outer = self.scope
        self.scope = _Scope(outer, is_async=is_async)
        saved_except = self.except_names
        self.except_names = []
        try:
            lines = body()
            decls = []
            if self.scope.globals:
                decls.append(f"global {', '.join(sorted(self.scope.globals))}")
            if self.scope.nonlocals:
                decls.append(f"nonlocal {', '.join(sorted(self.scope.nonlocals))}")
            keep = self.scope.globals | self.scope.nonlocals
            return decls + (drop_unused_assignments(lines, keep) or ["pass"])
        finally:
            self.scope = outer
            self.except_names = saved_except

    def function_def(self, fn: Node, name: str, pad: tuple[str, ...] = ()) -> list[str]:
        """A JS function (declaration, expression or arrow) as a Python def named name; pad
        names the arguments its caller passes, which JS lets a function leave out."""
        self.check_function(fn)
        is_async = self.python_async(fn)
        params, binders = self.parameters(fn, pad)

        def body() -> list[str]:
            lines: list[str] = []
            for binder in binders:
                lines += binder()
            b = fn.child_by_field_name("body")
            assert b is not None
            if b.type == "statement_block":
                lines += self.block_body(b)
                return drop_trailing_return(lines)
            if is_async:
                lines += self.statement_lines_of(lambda: self.settle_into(b, _return))
                return drop_trailing_return(lines)
            else:
                lines += self.statement_lines_of(lambda: [f"return {self.expr_code(b)}"])
            return lines

        lines = self.in_function(fn, is_async, lambda: self.with_params(params, body))
        head = f"{'async ' if is_async else ''}def {name}({', '.join(p for p, _ in params)}):"
        return [head, *indent(lines)]

    def statement_lines_of(self, make: Callable[[], list[str]]) -> list[str]:
        """Lines made by make, the defs its expressions hoisted written first."""
        self.pre.append([])
        try:
            lines = make()
            return [*self.pre[-1], *lines]
        finally:
            self.pre.pop()

    def with_params(
        self, params: list[tuple[str, Node | None]], body: Callable[[], list[str]]
    ) -> list[str]:
        """Declare a function's parameters in its scope, then translate its body."""
        for _, node in params:
            if node is not None:
                self.declare(node, self.text(node), kind="param")
        return body()

    def parameters(
        self, fn: Node, pad: tuple[str, ...] = ()
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
                        _safe(self.text(pattern))
                        if pattern.type == "identifier"
                        else self.fresh("arg")
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

    def is_literal(self, value: Node) -> bool:
        """A default Python may evaluate once, in the signature (JS: at each call)."""
        return unparen(value).type in ("number", "string", "true", "false", "null", "undefined")

    def param_default(self, name: str, target: Node, default: Node) -> list[str]:
        """``if name is None: name = default`` (then destructured when target is a pattern)."""
        lines = self.if_none(name, default)
        if target.type != "identifier":
            lines += self.destructure(target, name)
        return lines

    def if_none(self, name: str, default: Node) -> list[str]:
        """``if name is None: name = default`` (JS: a default applies to undefined)."""
        value = self.statement_lines_of(lambda: [f"{name} = {self.expr_code(default)}"])
        return [f"if {name} is None:", *indent(value)]

    def check_function(self, fn: Node) -> None:
        # (``this`` and ``arguments`` are refused where they are read: x_this, name_ref.)
        """Refuse what Python functions cannot be (generators)."""
        if fn.type.startswith("generator") or any(c.type == "*" for c in fn.children):
            self.fail(fn, "generator function")

    def python_async(self, fn: Node) -> bool:
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

    def local_names(self, fn: Node) -> dict[str, _Binding]:
        """What a function's own names mean, for questions asked before its body is
        translated (is it async? does it return plain values?): parameters shadow outer
        names; local functions are known by their nodes."""
        names: dict[str, _Binding] = {}
        for n in _walk_no_functions(fn):
            if n.type == "identifier" and _declares(n):
                names[self.text(n)] = _Binding(self.text(n), self.scope, kind="param")
        body = fn.child_by_field_name("body")
        for st in (
            body.named_children if body is not None and body.type == "statement_block" else []
        ):
            if st.type == "function_declaration":
                name = _field(st, "name")
                names[self.text(name)] = _Binding(self.text(name), self.scope, "function", st)
            elif st.type in ("lexical_declaration", "variable_declaration"):
                for decl in st.named_children:
                    init = decl.child_by_field_name("value")
                    target = decl.child_by_field_name("name")
                    if init is not None and target is not None and target.type == "identifier":
                        init = unparen(init)
                        if init.type in ("arrow_function", "function_expression"):
                            names[self.text(target)] = _Binding(
                                self.text(target), self.scope, "function", init
                            )
        return names

    def lambda_or_def(self, fn: Node, base: str, pad: tuple[str, ...] = ()) -> str:
        """An arrow or function expression used as a value: a lambda when Python can say it in
        one expression, else a nested def written before the statement that uses it."""
        self.check_function(fn)
        body = fn.child_by_field_name("body")
        assert body is not None
        if body.type != "statement_block" and not self.python_async(fn):
            params, binders = self.parameters(fn, pad)
            if not binders and all("=" not in p for p, _ in params):
                saved = self.scope.blocks
                self.scope.blocks = [*saved, {}]
                self.pre.append([])
                try:
                    for _, node in params:
                        if node is not None:
                            self.scope.blocks[-1][self.text(node)] = _Binding(
                                _safe(self.text(node)), self.scope, kind="param"
                            )
                    code = self.wrap(body, P_LAMBDA)
                    pre = self.pre[-1]
                finally:
                    self.pre.pop()
                    self.scope.blocks = saved
                if not pre:
                    if not pad:
                        self.check_loop_closure(fn, "a function")
                    names = ", ".join(p for p, _ in params)
                    return f"lambda {names}: {code}" if names else f"lambda: {code}"
        if not pad:  # an executor runs at once, inside the iteration
            self.check_loop_closure(fn, "a function")
        name = self.fresh(base)
        self.pre[-1].extend(self.function_def(fn, name, pad))
        return name

    # ------------------------------------------------------------ promises

    def is_chain(self, node: Node) -> bool:
        """Whether node is a ``.then/.catch/.finally`` call."""
        node = unparen(node)
        if node.type != "call_expression":
            return False
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "member_expression":
            return False
        prop = fn.child_by_field_name("property")
        return prop is not None and self.text(prop) in _STEP_NAMES

    def promise_static(self, node: Node) -> str | None:
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

    def awaitable_kind(self, node: Node) -> str | None:
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
        if (
            t == "new_expression"
            and self.text(node.child_by_field_name("constructor")) == "Promise"
        ):
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

    def is_plain(self, node: Node) -> bool:
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
                t != "new_expression"
                or self.text(node.child_by_field_name("constructor")) != "Promise"
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

    def returns_plain(self, fn: Node) -> bool:
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

    def settle_into(self, node: Node, deliver: Deliver) -> list[str]:
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

    def awaited(self, node: Node) -> str:
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

    def awaitable(self, node: Node) -> str:
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

    def hoist_chain(self, node: Node) -> str:
        """A chain used as a value: an async def written before the statement; its call."""
        name = self.fresh("chain")
        body = self.in_function(
            None, True, lambda: self.statement_lines_of(lambda: self.chain(node, _return))
        )
        self.pre[-1].extend([f"async def {name}():", *indent(drop_trailing_return(body))])
        return f"{name}()"

    def combinator(self, node: Node, name: str) -> str:
        """``Promise.all/allSettled/race/any(...)`` as a Python awaitable."""
        args = self.call_args(node)
        if len(args) != 1:
            self.fail(node, f"Promise.{name} with {len(args)} arguments")
        arg = unparen(args[0])
        if arg.type == "array":
            items = []
            for item in arg.named_children:
                if item.type == "spread_element":
                    items.append(
                        f"*map({self.helper('_settle')}, {self.expr_code(item.named_children[0])})"
                    )
                else:
                    items.append(self.awaitable(item))
            inner = ", ".join(items)
        else:
            code = self.map_awaitables(arg) if arg.type == "call_expression" else None
            inner = code or f"*map({self.helper('_settle')}, {self.expr_code(arg)})"
        if name == "all":
            return f"{self.asyncio()}.gather({inner})"
        helper = {"allSettled": "_all_settled", "race": "_race", "any": "_any"}[name]
        return f"{self.helper(helper)}({inner})"

    def map_awaitables(self, call: Node) -> str | None:
        """``xs.map(async x => ...)`` given to Promise.all: a starred comprehension."""
        fn = call.child_by_field_name("function")
        if fn is None or fn.type != "member_expression":
            return None
        if self.text(fn.child_by_field_name("property")) != "map":
            return None
        args = self.call_args(call)
        if len(args) != 1:
            return None
        callback = unparen(args[0])
        code = self.array_method(call, "map", wrap_awaitable=True)
        del callback
        return f"*{code}"

    def new_promise(self, node: Node, eager: bool = False) -> str:
        """``new Promise(executor)`` as a Python awaitable; eager: a future, started now
        (a timer promise awaited at once may be a lazy ``asyncio.sleep``)."""
        args = self.call_args(node)
        if len(args) != 1:
            self.fail(node, "new Promise without one executor")
        executor = unparen(args[0])
        if executor.type not in ("arrow_function", "function_expression"):
            self.fail(executor, "new Promise with an executor that is not a function literal")
        if any(c.type == "async" for c in executor.children):
            self.fail(executor, "new Promise with an async executor")
        sleep = None if eager else self.timer_promise(executor)
        if sleep is not None:
            return sleep
        executor_code = self.lambda_or_def(executor, "executor", pad=("_resolve", "_reject"))
        return f"{self.helper('_promise')}({executor_code})"

    def timer_promise(self, executor: Node) -> str | None:
        """``resolve => setTimeout(resolve, ms[, v])`` or ``r => setTimeout(() => r(v), ms)``."""
        params, _ = self.parameters(executor)
        if not params or params[0][1] is None:
            return None
        resolve = self.text(params[0][1])
        body = unparen(_field(executor, "body"))
        if body.type == "statement_block":
            statements = [c for c in body.named_children if c.type != "comment"]
            if len(statements) != 1 or statements[0].type != "expression_statement":
                return None
            body = unparen(statements[0].named_children[0])
        if (
            body.type != "call_expression"
            or self.text(body.child_by_field_name("function")) != "setTimeout"
        ):
            return None
        args = self.call_args(body)
        if len(args) < 2:
            return None
        callback = unparen(args[0])
        value: Node | None = None
        if callback.type == "identifier" and self.text(callback) == resolve:
            if len(args) > 3:
                return None
            value = args[2] if len(args) == 3 else None
        elif (
            callback.type == "arrow_function"
            and self.call_args_of_arrow(callback, resolve) is not None
        ):
            found = self.call_args_of_arrow(callback, resolve)
            if found is None or len(found) > 1 or len(args) != 2:
                return None
            value = found[0] if found else None
        else:
            return None
        if self.resolve(resolve) is not None or _uses(self, args[1], resolve):
            return None
        delay = self.seconds(args[1])
        if value is None:
            return f"{self.asyncio()}.sleep({delay})"
        return f"{self.asyncio()}.sleep({delay}, {self.expr_code(value)})"

    def call_args_of_arrow(self, arrow: Node, resolve: str) -> list[Node] | None:
        """The arguments of ``() => resolve(...)``, the arrow's only statement."""
        if arrow.child_by_field_name("parameter") is not None:
            return None
        params = arrow.child_by_field_name("parameters")
        if params is not None and params.named_children:
            return None
        body = unparen(_field(arrow, "body"))
        if body.type == "statement_block":
            statements = body.named_children
            if len(statements) != 1 or statements[0].type != "expression_statement":
                return None
            body = unparen(statements[0].named_children[0])
        if body.type != "call_expression":
            return None
        if self.text(body.child_by_field_name("function")) != resolve:
            return None
        return self.call_args(body)

    def seconds(self, ms: Node) -> str:
        """A delay in JS milliseconds as Python seconds (folded when a literal)."""
        ms = unparen(ms)
        if ms.type == "number":
            value = float(self.text(ms).replace("_", "")) / 1000
            return repr(int(value)) if value.is_integer() else repr(value)
        return f"{self.wrap(ms, P_MUL)} / 1000"

    # ------------------------------------------------------------ chains

    def chain(self, node: Node, deliver: Deliver) -> list[str]:
        """A promise chain as statements (the shared chain model, lowered for Python)."""
        model = describe(self.p, node)  # analysis never refuses; refusals happen below
        return self.steps(model.base, model.steps, deliver)

    def steps(self, base: Node, steps: list[Step], deliver: Deliver) -> list[str]:
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
        self, body: list[str], err: Handler, deliver: Deliver, orelse: list[str]
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
        self, handler: Handler, error: bool = False
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
                block[name] = _Binding(
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
        self, handler: Handler, value: str, bind: Callable[[], list[str]] | None, deliver: Deliver
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
        if any(re.search(r"\bawait\b", line) for line in inner_lines):
            head = f"async def {name}({arg}):"
            return [head, *indent(inner_lines), *deliver(f"await {name}({arg})")]
        # Written as async, it awaited nothing: every return was a plain value. A plain def
        # says so (it is ours alone, called right here).
        return [f"def {name}({arg}):", *indent(inner_lines), *deliver(f"{name}({arg})")]

    def apply_reference(self, handler: Handler, value: str, deliver: Deliver) -> list[str]:
        """A handler that names a function: called with the one value JS passes."""
        ref = handler.node
        if ref.type != "identifier":
            if self.is_console_log(ref):
                return [self.log_call(ref, value), *deliver("None")]
            self.fail(ref, "method reference as a handler (this)")
        fn_name = self.name_ref(ref)
        binding = self.resolve(self.text(ref))
        args = value
        if binding is not None and binding.kind == "function" and binding.node is not None:
            params, _ = self.parameters(binding.node)
            if not params:
                args = ""
            call = f"{fn_name}({args})"
            if self.python_async(binding.node):
                return deliver(f"await {call}")
            if self.returns_plain(binding.node):
                return deliver(call)
            return deliver(f"await {self.helper('_settle')}({call})")
        return deliver(f"await {self.helper('_settle')}({fn_name}({args}))")

    # ------------------------------------------------------------ expressions

    def expr_code(self, node: Node) -> str:
        """The Python code of an expression."""
        return self.expr(node)[0]

    def wrap(self, node: Node, prec: int) -> str:
        """The code of node, parenthesised when it binds looser than prec."""
        code, p = self.expr(node)
        return code if p >= prec else f"({code})"

    def call_args(self, call: Node) -> list[Node]:
        """The argument nodes of a call (comments left out)."""
        args = call.child_by_field_name("arguments")
        if args is None:
            return []
        return [c for c in args.named_children if c.type != "comment"]

    def expr(self, node: Node) -> tuple[str, int]:
        """(code, precedence) of a JS expression; x_<node type> does the work."""
        t = node.type
        method = getattr(self, f"x_{t}", None)
        if method is None:
            self.fail(node, _describe_node(node))
        result: tuple[str, int] = method(node)
        return result

    def x_as_expression(self, node: Node) -> tuple[str, int]:
        return self.expr(node.named_children[0])  # TypeScript: types are erased

    x_non_null_expression = x_satisfies_expression = x_as_expression

    def x_parenthesized_expression(self, node: Node) -> tuple[str, int]:
        inner = node.named_children
        if len(inner) != 1:
            self.fail(node, "comma operator")
        return self.expr(inner[0])

    def x_sequence_expression(self, node: Node) -> tuple[str, int]:
        # The comma operator inside an expression: every part in order, the last one's value.
        parts = ", ".join(self.expr_code(part) for part in node.named_children)
        return f"({parts})[-1]", P_PRIMARY

    def x_identifier(self, node: Node) -> tuple[str, int]:
        return self.name_ref(node), P_ATOM

    def x_undefined(self, node: Node) -> tuple[str, int]:
        return "None", P_ATOM

    def x_null(self, node: Node) -> tuple[str, int]:
        return "None", P_ATOM

    def x_true(self, node: Node) -> tuple[str, int]:
        return "True", P_ATOM

    def x_false(self, node: Node) -> tuple[str, int]:
        return "False", P_ATOM

    def x_number(self, node: Node) -> tuple[str, int]:
        text = self.text(node).replace("_", "")
        if text.endswith("n") or re.fullmatch(r"0[0-7]+", text):
            self.fail(node, "BigInt or legacy octal literal")
        if text.startswith("."):
            text = "0" + text
        if text.endswith("."):
            text += "0"
        return text.lower() if text.lower().startswith(("0x", "0o", "0b")) else text, P_ATOM

    def x_string(self, node: Node) -> tuple[str, int]:
        if self.fstring >= 2:
            self.fail(node, "string literal inside a template string inside a template string")
        try:
            return pystr(js_string(self.text(node)), self.fstring), P_ATOM
        except TranslationError:
            self.fail(node, "escape sequence inside a template string's ${...}")

    def x_template_string(self, node: Node) -> tuple[str, int]:
        parts: list[str] = []
        literal = True
        nested = self.fstring >= 1  # inside another f-string's braces: no backslash, no quote
        children = node.named_children
        for i, c in enumerate(children):
            if c.type in ("string_fragment", "escape_sequence"):
                # A run of literal pieces is read as one string: "\ud83d" "\ude00" are two
                # escape_sequence nodes and one character (a surrogate pair).
                if i + 1 < len(children) and children[i + 1].type in (
                    "string_fragment",
                    "escape_sequence",
                ):
                    continue
                first = i
                while first and children[first - 1].type in ("string_fragment", "escape_sequence"):
                    first -= 1
                raw = self.p.source[children[first].start_byte : c.end_byte].decode()
                value = js_string('"' + raw + '"')
                if nested and any(ch in value for ch in "\\'\"\n\r\t"):
                    self.fail(c, "quote or escape in a template string inside a template string")
                parts.append(fstring_text(value))
            elif c.type == "template_substitution":
                literal = False
                inner = c.named_children[0]
                if self.fstring >= 2:
                    self.fail(c, "template strings nested three deep")
                self.fstring += 1
                try:
                    parts.append("{" + self.template_part(inner) + "}")
                finally:
                    self.fstring -= 1
            else:
                self.fail(c, _describe_node(c))
        text = "".join(parts)
        if literal:
            if self.fstring >= 2:
                self.fail(node, "string literal inside a template string inside a template string")
            try:
                return pystr(js_string(self.text(node)[1:-1].join('""')), self.fstring), P_ATOM
            except TranslationError:
                self.fail(node, "escape sequence inside a template string's ${...}")
        if "\n" in text:
            text = text.replace("\n", "\\n")
        quote = "'" if self.fstring else '"'
        return f"f{quote}{text}{quote}", P_ATOM

    def template_part(self, node: Node) -> str:
        """A ``${...}`` part: the value as JS's ``String(value)`` spells it."""
        vtype = self.vtype(node)
        node_u = unparen(node)
        if node_u.type == "member_expression" and self.is_error_message(node_u):
            obj = node_u.child_by_field_name("object")
            assert obj is not None
            return self.wrap(obj, P_PRIMARY)
        code = self.expr_code(node)
        if vtype in ("str", "int"):
            return code
        if "\\" in code:
            self.fail(node, "backslash inside a template substitution")
        return f"{self.helper('_js_str')}({code})"

    def vtype(self, node: Node) -> str:
        """The JS type of an expression when it is certain: str, int, num, bool, list, dict."""
        node = unparen(node)
        t = node.type
        if t in ("string", "template_string"):
            return "str"
        if t == "number":
            text = self.text(node)
            return "int" if re.fullmatch(r"\d+", text) else "num"
        if t in ("true", "false"):
            return "bool"
        if t == "array":
            return "list"
        if t == "object":
            return "dict"
        if t == "identifier":
            binding = self.resolve(self.text(node))
            return binding.vtype if binding is not None else ""
        if t == "member_expression":
            prop = self.text(node.child_by_field_name("property"))
            if prop == "length":
                return "int"
            if self.is_error_message(node):
                return "str"
            return ""
        if t == "binary_expression":
            op = self.text(node.child_by_field_name("operator"))
            left = self.vtype(_field(node, "left"))
            right = self.vtype(_field(node, "right"))
            if op in ("===", "!==", "<", ">", "<=", ">="):
                return "bool"
            if op == "+" and "str" in (left, right):
                return "str"
            if op in ("+", "-", "*") and left == right == "int":
                return "int"
            return ""
        if t == "unary_expression" and self.text(node.child_by_field_name("operator")) == "!":
            return "bool"
        if t == "call_expression":
            fn = node.child_by_field_name("function")
            if fn is not None and fn.type == "member_expression":
                prop = self.text(fn.child_by_field_name("property"))
                if prop in ("join", "toFixed", *_STRING_METHODS):
                    return "str"
                if prop in ("map", "filter", "split", "slice"):
                    return "list" if prop != "slice" else ""
            if fn is not None and self.text(fn) == "String":
                return "str"
        return ""

    def is_error_message(self, node: Node) -> bool:
        """``e.message``: the error's text, ``str(e)`` in Python."""
        prop = node.child_by_field_name("property")
        obj = node.child_by_field_name("object")
        if prop is None or obj is None or self.text(prop) != "message":
            return False
        # JS code reads .message off errors; a dict literal's "message" key stays a key.
        return self.vtype(obj) != "dict"

    def x_array(self, node: Node) -> tuple[str, int]:
        items = []
        for c in node.named_children:
            if c.type == "comment":
                continue
            if c.type == "spread_element":
                items.append("*" + self.wrap(c.named_children[0], P_PRIMARY))
            else:
                self.refuse_stored_promise(c, "an array")
                items.append(self.expr_code(c))
        if "" in items or self.text(node).replace(" ", "").find(",,") >= 0:
            self.fail(node, "array with holes")
        return f"[{', '.join(items)}]", P_ATOM

    def refuse_stored_promise(self, value: Node, where: str) -> None:
        """A call that may give a promise, kept in an array or object literal: JS starts it
        now; a Python coroutine would start only when awaited, and reading it back later
        (``o.p``, ``a[0]``) is taken to be plain data, so it would never be awaited at all.
        (``Promise.all([...])`` and friends read their array themselves: not through here.)"""
        kind = unparen(value).type
        if kind in ("call_expression", "new_expression") and self.awaitable_kind(value):
            self.fail(value, f"call that may return a promise, stored in {where} (eager start)")

    def x_object(self, node: Node) -> tuple[str, int]:
        items = []
        for c in node.named_children:
            if c.type == "comment":
                continue
            if c.type == "pair":
                key = c.child_by_field_name("key")
                value = c.child_by_field_name("value")
                assert key is not None and value is not None
                if key.type == "property_identifier":
                    k = pystr(self.text(key), self.fstring)
                elif key.type == "string":
                    k = pystr(js_string(self.text(key)), self.fstring)
                elif key.type == "number":
                    k = self.expr_code(key)  # JS makes it a string; lookups use numbers
                elif key.type == "computed_property_name":
                    k = self.expr_code(key.named_children[0])
                else:
                    self.fail(key, _describe_node(key))
                if unparen(value).type in ("arrow_function", "function_expression"):
                    self.fail(value, "function stored in an object")
                self.refuse_stored_promise(value, "an object")
                items.append(f"{k}: {self.expr_code(value)}")
            elif c.type == "shorthand_property_identifier":
                items.append(f"{pystr(self.text(c), self.fstring)}: {self.name_ref(c)}")
            elif c.type == "spread_element":
                items.append("**" + self.wrap(c.named_children[0], P_PRIMARY))
            else:
                self.fail(c, _describe_node(c))
        return "{" + ", ".join(items) + "}", P_ATOM

    def x_member_expression(self, node: Node) -> tuple[str, int]:
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        assert obj is not None and prop is not None
        if any(c.type == "optional_chain" for c in node.children):
            self.fail(node, "optional chaining (?.)")
        name = self.text(prop)
        if prop.type != "property_identifier":
            self.fail(prop, "private field")
        if self.text(obj) == "Math" and self.resolve("Math") is None:
            if name == "PI":
                self.imports.add("math")
                return "math.pi", P_PRIMARY
            self.fail(node, f"Math.{name}")
        if name == "length":
            return f"len({self.expr_code(obj)})", P_PRIMARY
        if self.is_error_message(node):
            return f"str({self.expr_code(obj)})", P_PRIMARY
        if name in ("constructor", "prototype", "__proto__"):
            self.fail(prop, f".{name}")
        if name == "name" and self.vtype(obj) == "error":
            self.fail(prop, "the name of an error")
        if name == "errors" and self.vtype(obj) != "dict":
            return f"{self.wrap(obj, P_PRIMARY)}.errors", P_PRIMARY  # AggregateError.errors
        return f"{self.wrap(obj, P_PRIMARY)}[{pystr(name, self.fstring)}]", P_PRIMARY

    def x_subscript_expression(self, node: Node) -> tuple[str, int]:
        obj = node.child_by_field_name("object")
        index = node.child_by_field_name("index")
        assert obj is not None and index is not None
        if any(c.type == "optional_chain" for c in node.children):
            self.fail(node, "optional chaining (?.)")
        if self.vtype(obj) == "dict" and not self.assigning:
            # A missing key is undefined in JS (a lookup table's usual test), None here.
            return f"{self.wrap(obj, P_PRIMARY)}.get({self.expr_code(index)})", P_PRIMARY
        return f"{self.wrap(obj, P_PRIMARY)}[{self.expr_code(index)}]", P_PRIMARY

    def x_await_expression(self, node: Node) -> tuple[str, int]:
        if not self.scope.is_async:
            self.fail(node, "await outside an async function")
        code = self.awaited(node.named_children[0])
        return code, P_AWAIT if code.startswith("await ") else self.expr(node.named_children[0])[1]

    def x_ternary_expression(self, node: Node) -> tuple[str, int]:
        cond = node.child_by_field_name("condition")
        a = node.child_by_field_name("consequence")
        b = node.child_by_field_name("alternative")
        assert cond is not None and a is not None and b is not None
        return (
            f"{self.wrap(a, P_OR)} if {self.wrap(cond, P_OR)} else {self.wrap(b, P_TERNARY)}",
            P_TERNARY,
        )

    def x_unary_expression(self, node: Node) -> tuple[str, int]:
        op = self.text(node.child_by_field_name("operator"))
        arg = node.child_by_field_name("argument")
        assert arg is not None
        if op == "!":
            return f"not {self.wrap(arg, P_NOT)}", P_NOT
        if op == "-":
            return f"-{self.wrap(arg, P_UNARY)}", P_UNARY
        if op == "typeof":
            return f"{self.helper('_js_typeof')}({self.expr_code(arg)})", P_PRIMARY
        self.fail(node, f"operator {op}")

    def x_binary_expression(self, node: Node) -> tuple[str, int]:
        op = self.text(node.child_by_field_name("operator"))
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        assert left is not None and right is not None
        test = self.typeof_test(left, right) if op in ("===", "!==", "==", "!=") else None
        if test is not None:
            return (f"not {test}", P_NOT) if "!" in op else (test, P_CMP)
        if op in ("===", "!=="):
            for a, b in ((left, right), (right, left)):
                if unparen(b).type in ("null", "undefined") or self.text(unparen(b)) == "undefined":
                    neg = " not" if op == "!==" else ""
                    return f"{self.wrap(a, P_CMP + 1)} is{neg} None", P_CMP
            py = "==" if op == "===" else "!="
            return f"{self.wrap(left, P_CMP + 1)} {py} {self.wrap(right, P_CMP + 1)}", P_CMP
        if op in ("<", ">", "<=", ">="):
            return f"{self.wrap(left, P_CMP + 1)} {op} {self.wrap(right, P_CMP + 1)}", P_CMP
        if op == "&&":
            return f"{self.wrap(left, P_AND)} and {self.wrap(right, P_AND + 1)}", P_AND
        if op == "||":
            return f"{self.wrap(left, P_OR)} or {self.wrap(right, P_OR + 1)}", P_OR
        if op == "??":
            if unparen(left).type in ("number", "string", "template_string", "true", "false"):
                return self.expr(left)  # never null
            if unparen(left).type in ("null", "undefined"):
                return self.expr(right)
            if not _side_effect_free(left):
                self.fail(node, "?? on an expression with side effects")
            lhs = self.wrap(left, P_CMP + 1)
            rhs = self.wrap(right, P_TERNARY)
            return f"{lhs} if {lhs} is not None else {rhs}", P_TERNARY
        if op == "+":
            lt, rt = self.vtype(left), self.vtype(right)
            if "str" in (lt, rt) and lt != rt:
                return self.concat(node)
            if lt == rt == "str" or (lt in _NUMBERS and rt in _NUMBERS):
                return f"{self.wrap(left, P_ADD)} + {self.wrap(right, P_ADD + 1)}", P_ADD
            # Unknown types: JS concatenates when either side is a string, Python would raise.
            add = self.helper("_js_add")
            return f"{add}({self.expr_code(left)}, {self.expr_code(right)})", P_PRIMARY
        if op == "-":
            return f"{self.wrap(left, P_ADD)} - {self.wrap(right, P_ADD + 1)}", P_ADD
        if op in ("*", "/", "%"):
            return f"{self.wrap(left, P_MUL)} {op} {self.wrap(right, P_MUL + 1)}", P_MUL
        if op == "**":
            return f"{self.wrap(left, P_POW + 1)} ** {self.wrap(right, P_POW)}", P_POW
        self.fail(node, f"operator {op}")

    def typeof_test(self, left: Node, right: Node) -> str | None:
        """``typeof x === "number"`` and friends as a type test on the Python value."""
        left, right = unparen(left), unparen(right)
        if right.type == "unary_expression":
            left, right = right, left
        if left.type != "unary_expression" or self.text(_field(left, "operator")) != "typeof":
            return None
        if right.type != "string":
            self.fail(left, "typeof compared with something other than a string literal")
        arg = self.wrap(_field(left, "argument"), P_PRIMARY)
        kind = js_string(self.text(right))
        tests = {
            "number": f"type({arg}) in (int, float)",
            "string": f"isinstance({arg}, str)",
            "boolean": f"isinstance({arg}, bool)",
            "undefined": f"{arg} is None",
            "object": f"isinstance({arg}, (dict, list))",
        }
        if kind not in tests:
            self.fail(left, f'typeof ... === "{kind}"')
        return tests[kind]

    def concat(self, node: Node) -> tuple[str, int]:
        """``"a" + x + "b"``: string concatenation as an f-string (x converted the JS way)."""
        pieces: list[Node] = []

        def flatten(n: Node) -> None:
            n = unparen(n)
            if (
                n.type == "binary_expression"
                and self.text(n.child_by_field_name("operator")) == "+"
                and self.vtype(n) == "str"
            ):
                flatten(_field(n, "left"))
                flatten(_field(n, "right"))
            else:
                pieces.append(n)

        flatten(node)
        if self.fstring:
            # Inside an f-string's braces: + of JS-converted pieces (no nested f-string).
            codes = [
                self.expr_code(piece)
                if self.vtype(piece) == "str"
                else f"{self.helper('_js_str')}({self.expr_code(piece)})"
                for piece in pieces
            ]
            return " + ".join(codes), P_ADD
        parts = []
        self.fstring += 1
        try:
            for piece in pieces:
                if piece.type == "string":
                    parts.append(fstring_text(js_string(self.text(piece))))
                else:
                    parts.append("{" + self.template_part(piece) + "}")
        finally:
            self.fstring -= 1
        text = "".join(parts).replace("\n", "\\n")
        return f'f"{text}"', P_ATOM

    def x_new_expression(self, node: Node) -> tuple[str, int]:
        ctor = node.child_by_field_name("constructor")
        assert ctor is not None
        name = self.text(ctor)
        if name == "Promise":
            if not self.scope.is_async:
                self.fail(node, "new Promise outside a function that can await it")
            return self.new_promise(node), P_PRIMARY
        if name in _ERROR_CLASSES and self.resolve(name) is None:
            args = self.call_args(node)
            if len(args) > 1:
                self.fail(node, f"new {name} with options")
            inner = self.expr_code(args[0]) if args else ""
            return f"{_ERROR_CLASSES[name]}({inner})", P_PRIMARY
        self.fail(node, f"new {name}")

    def x_arrow_function(self, node: Node) -> tuple[str, int]:
        code = self.lambda_or_def(node, "callback")
        return code, P_LAMBDA if code.startswith("lambda") else P_ATOM

    def x_function_expression(self, node: Node) -> tuple[str, int]:
        return self.lambda_or_def(node, "callback"), P_ATOM

    def x_spread_element(self, node: Node) -> tuple[str, int]:
        return "*" + self.wrap(node.named_children[0], P_PRIMARY), P_ATOM

    def is_console_log(self, fn: Node | None) -> bool:
        """``console.log`` and its siblings (``error``/``warn`` write to stderr)."""
        return fn is not None and self.text(fn) in _CONSOLE and self.resolve("console") is None

    def log_call(self, fn: Node, args: str, printable: bool = False) -> str:
        """print(args) or _log(args), to stderr for console.error and console.warn."""
        call = "print" if printable else self.helper("_log")
        if _CONSOLE[self.text(fn)] == "stdout":
            return f"{call}({args})"
        self.imports.add("sys")
        return f"{call}({args}{', ' if args else ''}file=sys.stderr)"

    def console_log(self, call: Node) -> str:
        """``console.log(...)``: print when every argument prints the same, else _log."""
        args = self.call_args(call)
        codes = [self.expr_code(a) for a in args]
        types = [self.vtype(a) for a in args]
        first = unparen(args[0]) if args else None
        if (
            first is not None
            and first.type in ("string", "template_string")
            and len(args) > 1
            and re.search(r"%[sdifjoOc%]", self.text(first))
        ):
            self.fail(first, "console.log format directives (%)")
        printable = (
            not args
            or (types[0] == "str" and all(t in ("str", "int") for t in types[1:]))
            or all(t == "int" for t in types)
        )
        return self.log_call(_field(call, "function"), ", ".join(codes), printable)

    def x_call_expression(self, node: Node) -> tuple[str, int]:
        fn = node.child_by_field_name("function")
        assert fn is not None
        if any(c.type == "optional_chain" for c in node.children):
            self.fail(node, "optional call (?.)")
        if self.is_chain(node):
            if not self.scope.is_async:
                self.fail(node, "promise chain outside a function that can await it")
            self.fail(node, "promise chain used as a value (not awaited or returned)")
        consumed, self.consuming = self.consuming == node.id, -1
        static = self.promise_static(node)
        if not consumed and (static in _COMBINATORS or self.awaitable_kind(node) == "async"):
            self.fail(node, "promise used as a value before it is awaited (eager start)")
        if static is not None:
            if static in _COMBINATORS:
                return self.combinator(node, static), P_PRIMARY
            if static == "resolve":
                args = self.call_args(node)
                return (
                    f"{self.helper('_settle')}({self.expr_code(args[0]) if args else 'None'})",
                    P_PRIMARY,
                )
            self.fail(node, f"Promise.{static}")
        if self.is_console_log(fn):
            return self.console_log(node), P_PRIMARY
        args = self.call_args(node)
        if fn.type == "member_expression":
            return self.method_call(node, fn, args)
        if fn.type == "identifier":
            name = self.text(fn)
            if self.resolve(name) is None:
                if name == "String" and len(args) == 1:
                    return f"{self.helper('_js_str')}({self.expr_code(args[0])})", P_PRIMARY
                if name == "setTimeout":
                    return self.set_timeout(node, args), P_PRIMARY
                if name in (
                    "require",
                    "eval",
                    "Symbol",
                    "fetch_",
                    "Number",
                    "parseInt",
                    "parseFloat",
                ):
                    self.fail(node, f"{name}()")
        callee = self.wrap(fn, P_PRIMARY)
        return f"{callee}({', '.join(self.expr_code(a) for a in args)})", P_PRIMARY

    def set_timeout(self, node: Node, args: list[Node]) -> str:
        """``setTimeout(fn, ms, ...args)`` as ``loop.call_later``."""
        if len(args) < 2:
            self.fail(node, "setTimeout without a delay")
        if not self.scope.is_async and self.scope.is_module:
            self.fail(node, "setTimeout outside async code")
        callback = self.expr_code(args[0])
        extra = "".join(f", {self.expr_code(a)}" for a in args[2:])
        loop = f"{self.asyncio()}.get_running_loop()"
        return f"{loop}.call_later({self.seconds(args[1])}, {callback}{extra})"

    def method_call(self, node: Node, fn: Node, args: list[Node]) -> tuple[str, int]:
        """A method call on a value of the subset (array, string, Object, Math...)."""
        obj = fn.child_by_field_name("object")
        prop = fn.child_by_field_name("property")
        assert obj is not None and prop is not None
        method = self.text(prop)
        if any(c.type == "optional_chain" for c in fn.children):
            self.fail(fn, "optional chaining (?.)")
        objname = self.text(obj)
        if objname == "Object" and self.resolve("Object") is None and len(args) == 1:
            target = self.wrap(args[0], P_PRIMARY)
            if method == "keys":
                return f"list({target})", P_PRIMARY
            if method == "values":
                return f"list({target}.values())", P_PRIMARY
            if method == "entries":
                return f"[list(item) for item in {target}.items()]", P_ATOM
            self.fail(node, f"Object.{method}")
        if objname == "Math" and self.resolve("Math") is None:
            if method in ("max", "min", "abs"):
                return f"{method}({', '.join(self.expr_code(a) for a in args)})", P_PRIMARY
            if method == "floor" and len(args) == 1:
                self.imports.add("math")
                return f"math.floor({self.expr_code(args[0])})", P_PRIMARY
            self.fail(node, f"Math.{method}")
        if objname == "Array" and method == "isArray" and len(args) == 1:
            return f"isinstance({self.expr_code(args[0])}, list)", P_PRIMARY
        if objname == "JSON" or objname == "console":
            self.fail(node, f"{objname}.{method}")
        target = self.wrap(obj, P_PRIMARY)
        if method in ("map", "filter"):
            return self.array_method(node, method), P_ATOM
        if method == "join":
            sep = self.expr_code(args[0]) if args else '","'
            if self.vtype(obj) == "list" and self.elements_are_strings(obj):
                return f"{sep}.join({self.expr_code(obj)})", P_PRIMARY
            joiner = self.wrap(args[0], P_PRIMARY) if args else sep
            return f"{joiner}.join(map({self.helper('_js_str')}, {self.expr_code(obj)}))", P_PRIMARY
        if method == "includes" and len(args) == 1:
            return f"{self.wrap(args[0], P_CMP + 1)} in {self.wrap(obj, P_CMP + 1)}", P_CMP
        if method in _STRING_METHODS and len(args) == (
            1 if method in ("startsWith", "endsWith") else 0
        ):
            inner = ", ".join(self.expr_code(a) for a in args)
            return f"{target}.{_STRING_METHODS[method]}({inner})", P_PRIMARY
        if method == "slice" and len(args) <= 2:
            bounds = [self.expr_code(a) for a in args]
            if not bounds:
                return f"{target}[:]", P_PRIMARY
            return f"{target}[{bounds[0]}:{bounds[1] if len(bounds) > 1 else ''}]", P_PRIMARY
        if method == "concat":
            parts = [self.expr_code(obj), *(self.expr_code(a) for a in args)]
            return "[" + ", ".join(f"*{p}" for p in parts) + "]", P_ATOM
        if method == "toFixed" and len(args) == 1:
            digits = unparen(args[0])
            if digits.type != "number" or not self.text(digits).isdigit():
                self.fail(digits, "toFixed with digits that are not a literal")
            return (
                f"format({self.expr_code(obj)}, {pystr('.' + self.text(digits) + 'f')})",
                P_PRIMARY,
            )
        if (
            method == "split"
            and len(args) == 1
            and unparen(args[0]).type == "string"
            and self.text(args[0]) not in ('""', "''")
        ):
            return f"{target}.split({self.expr_code(args[0])})", P_PRIMARY
        if method == "push":
            self.fail(node, "push used as a value")
        self.fail(node, f"method call .{method}()")

    def elements_are_strings(self, arr: Node) -> bool:
        """Whether an array certainly holds strings only (join needs no str())."""
        arr = unparen(arr)
        if arr.type == "array":
            return all(self.vtype(c) == "str" for c in arr.named_children)
        if arr.type == "call_expression":
            fn = arr.child_by_field_name("function")
            if (
                fn is not None
                and fn.type == "member_expression"
                and self.text(fn.child_by_field_name("property")) == "map"
            ):
                args = self.call_args(arr)
                if args and unparen(args[0]).type == "arrow_function":
                    body = unparen(args[0]).child_by_field_name("body")
                    return (
                        body is not None
                        and body.type != "statement_block"
                        and self.vtype_in(args[0], body) == "str"
                    )
        return False

    def vtype_in(self, fn: Node, body: Node) -> str:
        """The type of body when fn's parameters are in scope."""
        saved = self.scope.blocks
        self.scope.blocks = [*saved, {}]
        try:
            params, _ = self.parameters(fn)
            for _, node in params:
                if node is not None:
                    self.scope.blocks[-1][self.text(node)] = _Binding(
                        _safe(self.text(node)), self.scope
                    )
            return self.vtype(body)
        finally:
            self.scope.blocks = saved

    def array_method(self, node: Node, method: str, wrap_awaitable: bool = False) -> str:
        """``xs.map(f)`` / ``xs.filter(f)`` as a list comprehension (f gets the element, and
        the index when it names a second parameter)."""
        fn = node.child_by_field_name("function")
        assert fn is not None
        obj = fn.child_by_field_name("object")
        assert obj is not None
        args = self.call_args(node)
        if len(args) != 1:
            self.fail(node, f".{method}() with {len(args)} arguments")
        source = self.wrap(obj, P_OR)
        callback = unparen(args[0])
        if callback.type in ("arrow_function", "function_expression"):
            self.check_function(callback)
            params, binders = self.parameters(callback)
            body = callback.child_by_field_name("body")
            assert body is not None
            simple = (
                not binders
                and all("=" not in p and "*" not in p for p, _ in params)
                and len(params) <= 2
            )
            js_async = any(c.type == "async" for c in callback.children)
            # A plain arrow that returns promises is still one expression when its calls'
            # results go straight to gather: [fetch(x) for x in xs].
            one_expression = not self.python_async(callback) or (wrap_awaitable and not js_async)
            if simple and body.type != "statement_block" and one_expression:
                attempt = (set(self.scope.taken), set(self.helpers), set(self.imports))
                saved = self.scope.blocks
                self.scope.blocks = [*saved, {}]
                self.pre.append([])
                try:
                    names: list[str] = []
                    for p, pnode in params:
                        used = pnode is not None and _uses(self, body, self.text(pnode))
                        py = p if used or (method == "filter" and not names) else "_"
                        if pnode is not None:
                            self.scope.blocks[-1][self.text(pnode)] = _Binding(
                                py, self.scope, kind="param"
                            )
                        names.append(py)
                    if wrap_awaitable and method == "map":
                        code = self.awaitable(body)
                    elif method == "map":
                        code = self.wrap(body, P_TERNARY)
                    else:
                        code = self.condition(body)
                    pre = self.pre[-1]
                finally:
                    self.pre.pop()
                    self.scope.blocks = saved
                if pre:  # one expression was not enough: forget what the attempt made
                    self.scope.taken, self.helpers, self.imports = attempt
                else:
                    item = names[0] if names else "_"
                    loop = f"for {item} in {source}"
                    if len(names) == 2:
                        loop = f"for {names[1]}, {item} in enumerate({source})"
                    if method == "map":
                        return f"[{code} {loop}]"
                    return f"[{item} {loop} if {code}]"
            name = self.lambda_or_def(callback, "callback")
            nparams = len(params)
        else:
            name = self.wrap(callback, P_PRIMARY)
            binding = self.resolve(self.text(callback)) if callback.type == "identifier" else None
            nparams = 1
            if binding is not None and binding.node is not None:
                nparams = len(self.parameters(binding.node)[0])
        first = (
            callback.child_by_field_name("parameter") if callback.type == "arrow_function" else None
        )
        if first is None and callback.type in ("arrow_function", "function_expression"):
            plist = callback.child_by_field_name("parameters")
            first = plist.named_children[0] if plist is not None and plist.named_children else None
        item = (
            _safe(self.text(first))
            if first is not None and first.type == "identifier"
            else self.fresh("item")
        )
        args_code = {0: "", 1: item}.get(nparams, f"{item}, index")
        loop = (
            f"for {item} in {source}"
            if nparams < 2
            else f"for index, {item} in enumerate({source})"
        )
        call = f"{name}({args_code})"
        if wrap_awaitable and not (
            callback.type in ("arrow_function", "function_expression")
            and self.python_async(callback)
        ):
            call = f"{self.helper('_settle')}({call})"
        if method == "map":
            return f"[{call} {loop}]"
        return f"[{item} {loop} if {call}]"


# ---------------------------------------------------------------- helpers


_TYPE_WRAPPERS = ("as_expression", "non_null_expression", "satisfies_expression")


def unparen(node: Node) -> Node:
    """node without parentheses or TypeScript's type-only wrappers (``x as T``, ``x!``)."""
    node = _unparen(node)
    while node.type in _TYPE_WRAPPERS and node.named_children:
        node = _unparen(node.named_children[0])
    return node


def _parses(code: str) -> bool:
    """Whether code is valid Python (3.10 grammar, the oldest the project supports)."""
    try:
        ast.parse(code, feature_version=(3, 10))
    except SyntaxError:
        return False
    return True


def _field(node: Node, name: str) -> Node:
    """A child that the grammar always has (tree-sitter's API says it may be None)."""
    child = node.child_by_field_name(name)
    assert child is not None, (node.type, name)
    return child


def _discard(value: str) -> list[str]:
    """A value nobody uses: kept only for what evaluating it does (a call, an await)."""
    tree: ast.AST
    try:
        tree = ast.parse(value, mode="eval")
    except SyntaxError:  # await outside a function: ast needs it wrapped
        tree = ast.parse(f"async def _():\n    {value}", mode="exec")
    if not any(isinstance(n, (ast.Call, ast.Await)) for n in ast.walk(tree)):
        return []
    return [value]


def _return(value: str) -> list[str]:
    if re.fullmatch(r"await asyncio\.sleep\([^,]*\)", value):
        return [value, "return None"]  # sleep gives None: say so, not return await
    return [f"return {value}"]


def _assign(name: str) -> Deliver:
    def deliver(value: str) -> list[str]:
        return [f"{name} = {value}"]

    return deliver


def _callable(handler: Handler | None) -> Handler | None:
    if handler is None or handler.kind == HandlerKind.NON_CALLABLE:
        return None
    return handler


def _function_of(node: Node) -> Node | None:
    """The JS function a node belongs to (None at module level)."""
    parent = node.parent
    while parent is not None and parent.type not in _FUNCTIONS:
        parent = parent.parent
    return parent


def _inside_loop(node: Node, fn: Node) -> bool:
    """Whether node sits in a loop inside fn (a Python continue would go to that loop)."""
    parent = node.parent
    while parent is not None and parent != fn:
        if parent.type in ("for_in_statement", "for_statement", "while_statement", "do_statement"):
            return True
        parent = parent.parent
    return False


def _inside_try(node: Node) -> bool:
    """Whether node sits in the body of a try (with catch or finally) of its own function."""
    child, parent = node, node.parent
    while parent is not None and parent.type not in _FUNCTIONS:
        if parent.type == "try_statement" and parent.child_by_field_name("body") == child:
            return True
        child, parent = parent, parent.parent
    return False


def _simplify_try(lines: list[str], emitter: _Emitter) -> list[str]:
    """``try: x / except Exception: pass`` -> ``with contextlib.suppress(Exception): x``;
    ``except Exception as e`` loses ``as e`` when nothing reads e (a bare ``raise``)."""
    for i, line in enumerate(lines):
        m = re.fullmatch(r"except Exception as (\w+):", line)
        if m:
            end = next(
                (j for j in range(i + 1, len(lines)) if lines[j] and not lines[j][0].isspace()),
                len(lines),
            )
            if not any(re.search(rf"\b{m.group(1)}\b", x) for x in lines[i + 1 : end]):
                lines = [*lines[:i], "except Exception:", *lines[i + 1 :]]
    if "except Exception:" in lines and "else:" not in lines and "finally:" not in lines:
        i = lines.index("except Exception:")
        if lines[i + 1 :] == ["    pass"] and lines[0] == "try:":
            emitter.imports.add("contextlib")
            return ["with contextlib.suppress(Exception):", *lines[1:i]]
    return lines


def _safe(name: str) -> str:
    return name + "_" if name in _RESERVED or keyword.iskeyword(name) else name


def _side_effect_free(node: Node) -> bool:
    node = unparen(node)
    if node.type == "identifier":
        return True
    if node.type == "member_expression":
        obj = node.child_by_field_name("object")
        return obj is not None and _side_effect_free(obj)
    if node.type == "subscript_expression":
        obj = node.child_by_field_name("object")
        index = node.child_by_field_name("index")
        return (
            obj is not None
            and index is not None
            and _side_effect_free(obj)
            and _side_effect_free(index)
        )
    return node.type in ("number", "string")


def _describe_node(node: Node) -> str:
    names = {
        "class_declaration": "class",
        "class": "class",
        "while_statement": "while loop",
        "do_statement": "do...while loop",
        "for_statement": "for (;;) loop",
        "switch_statement": "switch",
        "labeled_statement": "label",
        "break_statement": "break",
        "continue_statement": "continue",
        "this": "this",
        "regex": "regular expression",
        "import_statement": "import",
        "export_statement": "export",
        "generator_function_declaration": "generator function",
        "sequence_expression": "comma operator",
        "yield_expression": "yield",
        "jsx_element": "JSX",
        "with_statement": "with",
    }
    return names.get(node.type, node.type.replace("_", " "))


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def _walk_no_functions(node: Node) -> Iterator[Node]:
    """Every node below node that belongs to the same function (nested functions skipped)."""
    stack = list(reversed(node.children)) if node.type in _FUNCTIONS else [node]
    while stack:
        n = stack.pop()
        yield n
        if n.type not in _FUNCTIONS:
            stack.extend(reversed(n.children))


def _declares(ident: Node) -> bool:
    """Whether an identifier node is a binding occurrence (declaration or parameter)."""
    parent = ident.parent
    if parent is None:
        return False
    if parent.type == "variable_declarator" and parent.child_by_field_name("name") == ident:
        return True
    if (
        parent.type in ("function_declaration", "function_expression")
        and parent.child_by_field_name("name") == ident
    ):
        return True
    if parent.type in ("formal_parameters", "array_pattern", "rest_pattern", "object_pattern"):
        return True
    if parent.type in ("required_parameter", "optional_parameter"):
        return parent.child_by_field_name("pattern") == ident
    if parent.type == "arrow_function" and parent.child_by_field_name("parameter") == ident:
        return True
    if (
        parent.type in ("assignment_pattern", "object_assignment_pattern")
        and parent.child_by_field_name("left") == ident
    ):
        return True
    if parent.type == "pair_pattern" and parent.child_by_field_name("value") == ident:
        return True
    if parent.type == "catch_clause":
        return True
    return parent.type == "for_in_statement" and parent.child_by_field_name("left") == ident


def _is_assignment_target(ident: Node) -> bool:
    """Whether an identifier is written: assigned, updated or re-declared."""
    parent = ident.parent
    if parent is None:
        return False
    if parent.type in ("assignment_expression", "augmented_assignment_expression"):
        return parent.child_by_field_name("left") == ident
    return parent.type == "update_expression" or _declares(ident)


def _uses(emitter: _Emitter, node: Node, name: str) -> bool:
    return any(
        n.type in ("identifier", "shorthand_property_identifier") and emitter.text(n) == name
        for n in _walk(node)
    )
