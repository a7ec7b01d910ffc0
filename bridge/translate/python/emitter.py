"""The Python target's driver: ``translate_module`` and ``Emitter``, one translation's state.

Who calls this: ``bridge.translate(source, to="python")`` (and so ``bridge translate FILE
--to python``) calls ``translate_module``. It reads the chains with the shared chain model
(``_analyse.describe``: the same ``Chain``/``Step``/``Handler`` the JS target reads) and lowers
each step to Python statements: ``await``, ``try/except/else/finally``, ``asyncio.gather``...

Why a whole-module translator: Python cannot splice async/await into JS source, so everything
around the chains is translated too, for a stated subset of JS (the README's table). Anything
outside it stops the translation with ``TranslationError(rule="unsupported")`` naming the
construct and its place; nothing is guessed. The translated module is self-contained: the few
helpers it needs (``_settle``, ``_log``...; see ``helpers``) are written into it, only
when used, and so is ``import asyncio``.

Semantics kept (checked by tests/translate/test_python_equivalence.py against the engine):
the settled value or the error message, and the order of side effects of each chain, at the
granularity of timers. Differences that remain are listed in the README (``null`` and
``undefined`` are both ``None``; JS truthiness of empty arrays and objects; missing keys).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import NoReturn

from tree_sitter import Node

from ..._exceptions import TranslationError
from .._analyse import Index
from .._model import Translation
from .._parse import Parsed, first_error, parse
from . import builtins, chains, expressions, scopes, statements
from . import helpers as _py_helpers
from .common import (
    _RESERVED,
    _declares,
    _discard,
    _parses,
    _walk_parented,
    unparen,
)
from .scopes import Scope
from .text import (
    indent,
    join_top,
    module_docstring,
    space_nested_defs,
    wrap_line,
)

__all__ = ["Emitter", "translate_module"]


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
    code = Emitter(parsed, filename).module()
    return Translation(code=code, changed=True, diagnostics=())


class Emitter:
    """One translation: the module's state (scopes, helpers and imports asked for, hoisted
    statements). The handlers live in the modules by kind of node; they are bound here so
    that each calls the others as ``self.name(...)``."""

    # scopes
    resolve = scopes.resolve
    declare = scopes.declare
    unread = scopes.unread
    _outer = scopes._outer
    name_ref = scopes.name_ref
    assign_ref = scopes.assign_ref
    predeclare = scopes.predeclare
    in_function = scopes.in_function
    with_params = scopes.with_params
    parameters = scopes.parameters
    is_literal = scopes.is_literal
    param_default = scopes.param_default
    if_none = scopes.if_none
    check_function = scopes.check_function
    python_async = scopes.python_async
    local_names = scopes.local_names
    check_loop_closure = scopes.check_loop_closure

    # statements
    statement_lines = statements.statement_lines
    block = statements.block
    block_body = statements.block_body
    statement = statements.statement
    expression_statement = statements.expression_statement
    target_code = statements.target_code
    declarator = statements.declarator
    destructure = statements.destructure
    try_lines = statements.try_lines
    unused_value = statements.unused_value
    gathered_names = statements.gathered_names
    return_statement = statements.return_statement
    if_statement = statements.if_statement
    condition = statements.condition
    for_of = statements.for_of
    object_entries = statements.object_entries
    for_each = statements.for_each
    counting_loop = statements.counting_loop
    loop_step = statements.loop_step
    loop_invariant = statements.loop_invariant
    switch_statement = statements.switch_statement
    while_statement = statements.while_statement
    try_statement = statements.try_statement
    error_value = statements.error_value
    function_def = statements.function_def
    lambda_or_def = statements.lambda_or_def

    # expressions
    expr_code = expressions.expr_code
    wrap = expressions.wrap
    call_args = expressions.call_args
    expr = expressions.expr
    x_as_expression = expressions.x_as_expression
    x_parenthesized_expression = expressions.x_parenthesized_expression
    x_sequence_expression = expressions.x_sequence_expression
    x_identifier = expressions.x_identifier
    x_undefined = expressions.x_undefined
    x_null = expressions.x_null
    x_true = expressions.x_true
    x_false = expressions.x_false
    x_number = expressions.x_number
    x_string = expressions.x_string
    x_template_string = expressions.x_template_string
    template_part = expressions.template_part
    vtype = expressions.vtype
    is_error_message = expressions.is_error_message
    x_array = expressions.x_array
    refuse_stored_promise = expressions.refuse_stored_promise
    x_object = expressions.x_object
    x_member_expression = expressions.x_member_expression
    x_subscript_expression = expressions.x_subscript_expression
    x_await_expression = expressions.x_await_expression
    x_ternary_expression = expressions.x_ternary_expression
    x_unary_expression = expressions.x_unary_expression
    x_binary_expression = expressions.x_binary_expression
    typeof_test = expressions.typeof_test
    concat = expressions.concat
    x_new_expression = expressions.x_new_expression
    x_arrow_function = expressions.x_arrow_function
    x_function_expression = expressions.x_function_expression
    x_spread_element = expressions.x_spread_element
    x_call_expression = expressions.x_call_expression

    # builtins
    combinator = builtins.combinator
    map_awaitables = builtins.map_awaitables
    new_promise = builtins.new_promise
    timer_promise = builtins.timer_promise
    call_args_of_arrow = builtins.call_args_of_arrow
    seconds = builtins.seconds
    is_console_log = builtins.is_console_log
    log_call = builtins.log_call
    console_log = builtins.console_log
    set_timeout = builtins.set_timeout
    method_call = builtins.method_call
    of_js_global = builtins.of_js_global
    elements_are_strings = builtins.elements_are_strings
    vtype_in = builtins.vtype_in
    array_method = builtins.array_method

    # chains
    is_chain = chains.is_chain
    promise_static = chains.promise_static
    awaitable_kind = chains.awaitable_kind
    is_plain = chains.is_plain
    returns_plain = chains.returns_plain
    settle_into = chains.settle_into
    awaited = chains.awaited
    awaitable = chains.awaitable
    hoist_chain = chains.hoist_chain
    chain = chains.chain
    apply_reference = chains.apply_reference

    def __init__(self, parsed: Parsed, filename: str | None = None) -> None:
        self.p = parsed
        self.filename = filename
        self.helpers: set[str] = set()
        self.imports: set[str] = set()
        self.words = set(re.findall(r"[A-Za-z_$][A-Za-z0-9_$]*", parsed.source.decode()))
        self.module_scope = Scope(None)
        self.scope = self.module_scope
        self.pre: list[list[str]] = [[]]
        self.fstring = 0
        self.async_memo: dict[int, bool] = {}
        self.plain_memo: dict[int, bool] = {}
        self.except_names: list[str] = []
        # Where a JS name is read only to be dropped (a handler's result nothing uses).
        self.dropped_reads: set[int] = set()
        self.assigning = False
        # The one async call that may be translated next: the one being awaited, gathered or
        # started. Any other would be a coroutine that starts late (JS starts it at the call).
        self.consuming = -1
        self.declared = {
            self.text(n)
            for n, parent in _walk_parented(parsed.root)
            if n.type in ("identifier", "shorthand_property_identifier_pattern")
            and _declares(n, parent)
        }

    @functools.cached_property
    def index(self) -> Index:
        """The name index the shared rules read (positions of every name)."""
        return Index(self.p)

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
        # Searching from the last number handed out here keeps a chain of 10,000 steps linear.
        n = self.scope.next_number.get(base, 1)
        name = base if n == 1 else f"{base}_{n}"
        while name in self.words or name in _RESERVED or self.scope.has_taken(name):
            n += 1
            name = f"{base}_{n}"
        self.scope.taken.add(name)
        self.scope.next_number[base] = n
        return name

    def helper(self, name: str) -> str:
        """Ask for a helper of ``helpers`` to be written into the module; its name."""
        self.helpers.add(name)
        return name

    def asyncio(self) -> str:
        """``asyncio``, imported because it is used."""
        self.imports.add("asyncio")
        return "asyncio"

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

    def statement_lines_of(self, make: Callable[[], list[str]]) -> list[str]:
        """Lines made by make, the defs its expressions hoisted written first."""
        self.pre.append([])
        try:
            lines = make()
            return [*self.pre[-1], *lines]
        finally:
            self.pre.pop()
