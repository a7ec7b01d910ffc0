"""JS statements as Python lines, one handler per node type (``STATEMENTS``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tree_sitter import Node

from .._analyse import walk
from .common import (
    _CASE_ENDS,
    _NUMBERS,
    P_ADD,
    P_CMP,
    P_LAMBDA,
    P_PRIMARY,
    P_TERNARY,
    _assign,
    _declares,
    _describe_node,
    _discard,
    _field,
    _function_of,
    _inside_loop,
    _inside_try,
    _is_assignment_target,
    _return,
    _safe,
    _side_effect_free,
    _uses,
    _walk,
    _walk_no_functions,
    _walk_parented,
    unparen,
)
from .scopes import Binding
from .text import (
    drop_trailing_return,
    indent,
    js_comment,
    js_string,
    none_guard,
    pystr,
)

if TYPE_CHECKING:
    from .emitter import Emitter


def statement_lines(self: Emitter, st: Node) -> list[str]:
    """One statement as lines, the defs its expressions need written first."""
    self.pre.append([])
    try:
        lines = self.statement(st)
        return [*self.pre[-1], *lines]
    finally:
        self.pre.pop()


def block(self: Emitter, node: Node, bindings: Callable[[], list[str]] | None = None) -> list[str]:
    """A nested JS block (its own names) as Python lines; never empty."""
    self.scope.blocks.append({})
    try:
        lines = bindings() if bindings else []
        lines += self.block_body(node)
    finally:
        self.scope.blocks.pop()
    return lines or ["pass"]


def block_body(self: Emitter, node: Node) -> list[str]:
    """The statements of a block (or one statement) in the current JS block."""
    statements = node.named_children if node.type == "statement_block" else [node]
    self.predeclare(statements)
    lines: list[str] = []
    for st in statements:
        lines.extend(self.statement_lines(st))
    return lines


def statement(self: Emitter, st: Node) -> list[str]:
    """One JS statement as Python lines: its node type's handler in ``STATEMENTS``."""
    handler = STATEMENTS.get(st.type)
    if handler is None:
        self.fail(st, _describe_node(st))
    return handler(self, st)


def comment(self: Emitter, st: Node) -> list[str]:
    return [js_comment(self.text(st))]


def nothing(self: Emitter, st: Node) -> list[str]:
    """Empty statements, and TypeScript's types: no Python counterpart to write."""
    return []


def expression_statement_of(self: Emitter, st: Node) -> list[str]:
    return self.expression_statement(st.named_children[0])


def declaration(self: Emitter, st: Node) -> list[str]:
    lines: list[str] = []
    for decl in st.named_children:
        if decl.type == "variable_declarator":
            lines += self.declarator(decl)
    return lines


def function_declaration(self: Emitter, st: Node) -> list[str]:
    return self.function_def(st, self.text(st.child_by_field_name("name")))


def jump(self: Emitter, st: Node) -> list[str]:
    if st.named_children:  # a label
        self.fail(st, _describe_node(st))
    return ["break" if st.type == "break_statement" else "continue"]


def throw_statement(self: Emitter, st: Node) -> list[str]:
    return [f"raise {self.error_value(st.named_children[0])}".rstrip()]


def statement_block(self: Emitter, st: Node) -> list[str]:
    return self.block(st)


def expression_statement(self: Emitter, expr: Node) -> list[str]:
    """An expression used as a statement: an assignment, a call, an await..."""
    expr = unparen(expr)
    t = expr.type
    if t == "string" and self.text(expr)[1:-1] == "use strict":
        return []
    if t == "sequence_expression":  # a, b;  -> two statements
        return [line for part in expr.named_children for line in self.expression_statement(part)]
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


def target_code(self: Emitter, left: Node, value: Node | None = None) -> str:
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


def declarator(self: Emitter, decl: Node) -> list[str]:
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
                if self.unread(name):  # awaited for what it does; the value is dropped
                    return self.settle_into(inner, _discard)
                binding = self.declare(name, self.text(name), plain=True)
                binding.vtype = self.vtype(inner) if self.is_chain(inner) is False else ""
                return self.settle_into(inner, _assign(binding.py, declared=True))
            names = self.gathered_names(name, inner)
            if names is not None:  # const [a, b] = await Promise.all([x, y]): one per item
                targets = [self.declare(n, self.text(n), plain=True).py for n in names]
                return self.settle_into(inner, _assign(", ".join(targets)))
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
        if name.type == "identifier" and self.unread(name):
            return self.unused_value(value)
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
        if not code.isidentifier():
            temp = self.fresh("value")
            lines.append(f"{temp} = {code}")
        return lines + self.destructure(name, temp, plain=self.is_plain(value))
    if name.type != "identifier":
        self.fail(decl, "destructuring without a value")
    if self.unread(name):
        return []
    binding = self.declare(name, self.text(name))
    return [f"{binding.py} = None"]


def unused_value(self: Emitter, value: Node) -> list[str]:
    """A declared value nothing reads, kept for what computing it does: a call or an await
    stays as a statement; a property read becomes the TypeError JS throws on null or
    undefined (``v.a.b``: ``if v is None or v["a"] is None: raise``), since the read itself
    finds a missing key where JS finds undefined; anything else is nothing."""
    receivers: list[Node] = []
    node = unparen(value)
    while node.type in ("member_expression", "subscript_expression"):
        obj = unparen(_field(node, "object"))
        index = node.child_by_field_name("index")
        if index is not None and not _no_effect(index):
            receivers = []
            break
        receivers.insert(0, obj)
        node = obj
    if receivers and node.type == "identifier":
        return none_guard([self.expr_code(r) for r in receivers])
    return _discard(self.expr_code(value))


def _no_effect(node: Node) -> bool:
    node = unparen(node)
    return node.type in ("identifier", "number", "string") or (
        node.type == "member_expression" and _no_effect(_field(node, "object"))
    )


def destructure(
    self: Emitter, pattern: Node, source: str, plain: bool = False, error: bool = False
) -> list[str]:
    """Bind a JS destructuring pattern from the Python expression source (a name);
    error: source is a caught error (``{ message }`` is its text)."""
    pattern = unparen(pattern)
    t = pattern.type
    if t == "identifier":
        if self.unread(pattern):
            return []
        binding = self.declare(pattern, self.text(pattern), plain=plain)
        return [f"{binding.py} = {source}"]

    def item(target: Node, value: str) -> list[str]:
        """target bound from value, a read of source: when nothing reads target, the
        TypeError JS throws reading from null or undefined (once per source)."""
        if target.type in ("identifier", "shorthand_property_identifier_pattern") and (
            self.unread(target)
        ):
            guard = none_guard([source])
            return [] if lines[-len(guard) :] == guard else guard
        if target.type == "shorthand_property_identifier_pattern":
            binding = self.declare(target, self.text(target), plain=plain)
            return [f"{binding.py} = {value}"]
        return self.destructure(target, value, plain)

    if t in ("array_pattern", "object_pattern") and not any(
        c.type != "comment" for c in pattern.named_children
    ):
        return none_guard([source])  # `{}` / `[]` bind nothing but still throw on null
    if t == "array_pattern":
        items = _array_items(pattern)
        simple = _names_in_order(items)
        lines: list[str] = []
        if simple and len(items) == 1:
            return item(items[0][1], f"{source}[0]")
        if simple:
            names = [self.declare(c, self.text(c), plain=plain).py for _, c in items]
            return [f"{', '.join(names)} = {source}[:{len(names)}]"]
        for i, c in items:
            if c.type == "rest_pattern":
                if c is not items[-1][1] or c.named_children[0].type != "identifier":
                    self.fail(c, "rest element that is not last")
                lines += self.destructure(c.named_children[0], f"{source}[{i}:]", plain)
            elif c.type == "identifier":
                lines += item(c, f"{source}[{i}]")
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
                if error and self.text(c) != "message":
                    self.fail(c, f"the {self.text(c)} of an error")
                if error:
                    if not self.unread(c):
                        binding = self.declare(c, self.text(c), plain=plain)
                        lines.append(f"{binding.py} = str({source})")
                    continue
                lines += item(c, f"{source}[{pystr(self.text(c))}]")
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
                read = f"{source}[{pystr(key_text)}]"
                if value.type == "assignment_pattern":  # {key: name = default}
                    read = f"{source}.get({pystr(key_text)})"
                    target = _field(value, "left")
                    if target.type == "identifier":
                        temp = self.declare(target, self.text(target)).py
                    else:
                        temp = self.fresh("item")
                    lines += [f"{temp} = {read}", *self.if_none(temp, _field(value, "right"))]
                    if target.type != "identifier":
                        lines += self.destructure(target, temp, plain)
                elif unparen(value).type == "identifier":
                    lines += item(unparen(value), read)
                else:
                    temp = self.fresh("item")
                    lines.append(f"{temp} = {read}")
                    lines += self.destructure(value, temp, plain)
            else:
                self.fail(c, f"{_describe_node(c)} in a destructuring pattern")
        return lines
    self.fail(pattern, f"{_describe_node(pattern)} as a binding pattern")


def return_statement(self: Emitter, st: Node) -> list[str]:
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


def if_statement(self: Emitter, st: Node) -> list[str]:
    """``if/else if/else`` as ``if/elif/else``."""
    cond = st.child_by_field_name("condition")
    cons = st.child_by_field_name("consequence")
    alt = st.child_by_field_name("alternative")
    assert cond is not None and cons is not None
    both = _assigns_either(self, cons, alt)
    if both is not None:  # if (c) x = a; else x = b;  ->  x = a if c else b (ruff's SIM108)
        target, a, b = both
        test = self.wrap(unparen(cond), P_TERNARY + 1)
        value_a, value_b = self.wrap(a, P_TERNARY + 1), self.wrap(b, P_TERNARY + 1)
        self.assign_ref(target, a)
        line = f"{self.assign_ref(target, b)} = {value_a} if {test} else {value_b}"
        if len(line) <= 90:
            return [line]
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
    return lines


def _assigns_either(self: Emitter, cons: Node, alt: Node | None) -> tuple[Node, Node, Node] | None:
    """(name, a, b) when the branches of an if are only ``name = a`` and ``name = b``, with
    values that make no lines of their own (no await, function or conditional)."""
    if alt is None:
        return None
    pairs = [_only_assignment(self, cons), _only_assignment(self, alt.named_children[0])]
    if pairs[0] is None or pairs[1] is None:
        return None
    (target, a), (other, b) = pairs[0], pairs[1]
    if self.text(target) != self.text(other):
        return None
    return target, a, b


_MAKES_LINES = frozenset(
    {"await_expression", "arrow_function", "function_expression", "ternary_expression"}
)


def _only_assignment(self: Emitter, branch: Node) -> tuple[Node, Node] | None:
    stmts = branch.named_children if branch.type == "statement_block" else [branch]
    if len(stmts) != 1 or stmts[0].type != "expression_statement":
        return None
    expr = unparen(stmts[0].named_children[0])
    left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
    if expr.type != "assignment_expression" or left is None or right is None:
        return None
    if left.type != "identifier" or self.is_chain(right):
        return None
    if any(n.type in _MAKES_LINES for n in walk(right)):
        return None
    return left, right


def gathered_names(self: Emitter, pattern: Node, value: Node) -> list[Node] | None:
    """The names of ``[a, b]`` when value is ``Promise.all([x, y])`` with one item per name
    (no holes, defaults or spreads): gather gives exactly that many values."""
    pattern = unparen(pattern)
    if pattern.type != "array_pattern" or self.promise_static(value) != "all":
        return None
    found = _array_items(pattern)
    if not found or not _names_in_order(found):
        return None
    names = [c for _, c in found]
    args = self.call_args(value)
    items = [c for c in unparen(args[0]).named_children if c.type != "comment"] if args else []
    if len(args) != 1 or unparen(args[0]).type != "array" or len(items) != len(names):
        return None
    if any(i.type == "spread_element" for i in items):
        return None
    return names


def _array_items(pattern: Node) -> list[tuple[int, Node]]:
    """The elements of an array pattern, each with its position (a hole takes one)."""
    items, index = [], 0
    for c in pattern.children:
        if c.type == ",":
            index += 1
        elif c.is_named and c.type != "comment":
            items.append((index, c))
    return items


def _names_in_order(items: list[tuple[int, Node]]) -> bool:
    """Whether the elements are plain names at positions 0, 1, 2... (no hole before one)."""
    return all(c.type == "identifier" for _, c in items) and all(
        i == n for n, (i, _) in enumerate(items)
    )


def condition(self: Emitter, node: Node) -> str:
    """A test, in JS's own precedence (truthiness is Python's: see the README)."""
    return self.wrap(unparen(node), P_LAMBDA + 1)


def for_of(self: Emitter, st: Node) -> list[str]:
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
    if entries is not None and pair and all(c.type == "identifier" for c in left.named_children):
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
            for n, parent in _walk_parented(st, functions=False)
            if n.type == "identifier" and _declares(n, parent)
        }
    )
    try:
        lines = self.block(body, bind)
    finally:
        self.scope.loop_names.pop()
    return [f"for {target} in {iterable}:", *indent(lines)]


def object_entries(self: Emitter, node: Node) -> str | None:
    """The Python object of ``Object.entries(o)``, else None."""
    node = unparen(node)
    if node.type != "call_expression" or self.text(_field(node, "function")) != "Object.entries":
        return None
    args = self.call_args(node)
    if len(args) != 1 or self.resolve("Object") is not None:
        return None
    return self.wrap(args[0], P_PRIMARY)


def for_each(self: Emitter, call: Node, fn: Node) -> list[str]:
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


def counting_loop(self: Emitter, st: Node) -> list[str]:
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
    op = self.text(cond.child_by_field_name("operator")) if cond.type == "binary_expression" else ""
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


def loop_step(self: Emitter, step: Node, name: str) -> int | None:
    """+1 for ``i++``, -2 for ``i -= 2``...; None for anything else."""
    step = unparen(step)
    if step.type == "update_expression" and self.text(_field(step, "argument")) == name:
        return 1 if "++" in self.text(step) else -1
    if step.type == "augmented_assignment_expression" and self.text(_field(step, "left")) == name:
        amount = unparen(_field(step, "right"))
        op = self.text(_field(step, "operator"))
        if amount.type == "number" and self.text(amount).isdigit() and op in ("+=", "-="):
            value = int(self.text(amount))
            return value if op == "+=" else -value
    return None


def loop_invariant(self: Emitter, bound: Node, body: Node) -> bool:
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


def switch_statement(self: Emitter, st: Node) -> list[str]:
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


def while_statement(self: Emitter, st: Node) -> list[str]:
    cond = _field(st, "condition")
    body = _field(st, "body")
    self.scope.loop_names.append(
        {
            self.text(n)
            for n, parent in _walk_parented(body, functions=False)
            if n.type == "identifier" and _declares(n, parent)
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


def try_statement(self: Emitter, st: Node) -> list[str]:
    """``try/catch/finally`` as ``try/except Exception/finally``."""
    body = st.child_by_field_name("body")
    handler = st.child_by_field_name("handler")
    finalizer = st.child_by_field_name("finalizer")
    assert body is not None
    tried = self.block(body)
    if handler is not None:
        param = handler.child_by_field_name("parameter")
        hbody = handler.child_by_field_name("body")
        assert hbody is not None
        binding: Binding | None = None
        self.scope.blocks.append({})
        try:
            if param is not None:
                if param.type != "identifier":
                    self.fail(param, "destructuring catch parameter")
                binding = self.declare(
                    param, self.text(param), kind="error", vtype="error", plain=True
                )
            used = param is not None and _uses(self, hbody, self.text(param))
            name = binding.py if binding is not None and used else ""
            self.except_names.append(name)
            try:
                handled = self.block_body(hbody)
            finally:
                self.except_names.pop()
        finally:
            self.scope.blocks.pop()
        read = binding is not None and binding.reads > 0
        final = None
        if finalizer is not None:
            fbody = finalizer.child_by_field_name("body") or finalizer.named_children[0]
            final = self.block(fbody)
        return self.try_lines(tried, name if read else "", handled, [], final)
    assert finalizer is not None
    fbody = finalizer.child_by_field_name("body") or finalizer.named_children[0]
    return ["try:", *indent(tried), "finally:", *indent(self.block(fbody))]


def try_lines(
    self: Emitter,
    body: list[str],
    name: str,
    handled: list[str],
    orelse: list[str],
    final: list[str] | None,
) -> list[str]:
    """``try: body / except Exception as name: handled / else: / finally:`` (name "": no
    ``as``); ``try: x / except Exception: pass`` alone is ``contextlib.suppress``."""
    if not handled and not name and not orelse and final is None:
        self.imports.add("contextlib")
        return ["with contextlib.suppress(Exception):", *indent(body or ["pass"])]
    head = f"except Exception as {name}:" if name else "except Exception:"
    lines = ["try:", *indent(body or ["pass"]), head, *indent(handled or ["pass"])]
    if orelse:
        lines += ["else:", *indent(orelse)]
    if final is not None:
        lines += ["finally:", *indent(final or ["pass"])]
    return lines


def error_value(self: Emitter, node: Node) -> str:
    """What ``throw x`` raises: an Error becomes an Exception, a caught error itself."""
    node = unparen(node)
    caught = self.resolve(self.text(node)) if node.type == "identifier" else None
    if caught is not None and self.except_names and self.except_names[-1] == caught.py:
        return ""  # rethrowing the error being handled: a bare raise
    code = self.expr_code(node)
    if node.type == "new_expression":
        if self.except_names and self.except_names[-1]:
            caught_name = self.except_names[-1]
            for block in reversed(self.scope.blocks):  # `from e` reads e: count it
                for b in block.values():
                    if b.kind == "error" and b.py == caught_name:
                        b.reads += 1
            return f"{code} from {caught_name}"
        if self.except_names:
            return f"{code} from None"
        return code
    if node.type in ("identifier", "member_expression", "subscript_expression"):
        return code  # an Error held in a variable (Python raises TypeError if it is not)
    self.fail(node, "throw of a value that is not an Error")


def function_def(self: Emitter, fn: Node, name: str, pad: tuple[str, ...] = ()) -> list[str]:
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


def lambda_or_def(self: Emitter, fn: Node, base: str, pad: tuple[str, ...] = ()) -> str:
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
                        self.scope.blocks[-1][self.text(node)] = Binding(
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


# The handler of each statement node type; any other type is outside the subset.
STATEMENTS: dict[str, Callable[[Emitter, Node], list[str]]] = {
    "comment": comment,
    "empty_statement": nothing,
    "interface_declaration": nothing,
    "type_alias_declaration": nothing,
    "ambient_declaration": nothing,
    "expression_statement": expression_statement_of,
    "lexical_declaration": declaration,
    "variable_declaration": declaration,
    "function_declaration": function_declaration,
    "return_statement": return_statement,
    "if_statement": if_statement,
    "for_in_statement": for_of,
    "while_statement": while_statement,
    "switch_statement": switch_statement,
    "for_statement": counting_loop,
    "break_statement": jump,
    "continue_statement": jump,
    "throw_statement": throw_statement,
    "try_statement": try_statement,
    "statement_block": statement_block,
}
