"""JS expressions as ``(code, precedence)``, one handler per node type (``EXPRESSIONS``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from tree_sitter import Node

from ..._exceptions import TranslationError
from .builtins import (
    _ERROR_CLASSES,
    _STRING_METHODS,
)
from .common import (
    _COMBINATORS,
    _NUMBERS,
    P_ADD,
    P_AND,
    P_ATOM,
    P_AWAIT,
    P_CMP,
    P_LAMBDA,
    P_MUL,
    P_NOT,
    P_OR,
    P_POW,
    P_PRIMARY,
    P_TERNARY,
    P_UNARY,
    _describe_node,
    _field,
    _side_effect_free,
    unparen,
)
from .text import (
    fstring_text,
    js_string,
    pystr,
)

if TYPE_CHECKING:
    from .emitter import Emitter


# ------------------------------------------------------------ expressions


def expr_code(self: Emitter, node: Node) -> str:
    """The Python code of an expression."""
    return self.expr(node)[0]


def wrap(self: Emitter, node: Node, prec: int) -> str:
    """The code of node, parenthesised when it binds looser than prec."""
    code, p = self.expr(node)
    return code if p >= prec else f"({code})"


def call_args(self: Emitter, call: Node) -> list[Node]:
    """The argument nodes of a call (comments left out)."""
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [c for c in args.named_children if c.type != "comment"]


def expr(self: Emitter, node: Node) -> tuple[str, int]:
    """(code, precedence) of a JS expression: its node type's handler in ``EXPRESSIONS``."""
    handler = EXPRESSIONS.get(node.type)
    if handler is None:
        self.fail(node, _describe_node(node))
    return handler(self, node)


def x_as_expression(self: Emitter, node: Node) -> tuple[str, int]:
    return self.expr(node.named_children[0])  # TypeScript: types are erased


def x_parenthesized_expression(self: Emitter, node: Node) -> tuple[str, int]:
    inner = node.named_children
    if len(inner) != 1:
        self.fail(node, "comma operator")
    return self.expr(inner[0])


def x_sequence_expression(self: Emitter, node: Node) -> tuple[str, int]:
    # The comma operator inside an expression: every part in order, the last one's value.
    parts = ", ".join(self.expr_code(part) for part in node.named_children)
    return f"({parts})[-1]", P_PRIMARY


def x_identifier(self: Emitter, node: Node) -> tuple[str, int]:
    return self.name_ref(node), P_ATOM


def x_undefined(self: Emitter, node: Node) -> tuple[str, int]:
    return "None", P_ATOM


def x_null(self: Emitter, node: Node) -> tuple[str, int]:
    return "None", P_ATOM


def x_true(self: Emitter, node: Node) -> tuple[str, int]:
    return "True", P_ATOM


def x_false(self: Emitter, node: Node) -> tuple[str, int]:
    return "False", P_ATOM


def x_number(self: Emitter, node: Node) -> tuple[str, int]:
    text = self.text(node).replace("_", "")
    if text.endswith("n") or re.fullmatch(r"0[0-7]+", text):
        self.fail(node, "BigInt or legacy octal literal")
    if text.startswith("."):
        text = "0" + text
    if text.endswith("."):
        text += "0"
    return text.lower() if text.lower().startswith(("0x", "0o", "0b")) else text, P_ATOM


def x_string(self: Emitter, node: Node) -> tuple[str, int]:
    if self.fstring >= 2:
        self.fail(node, "string literal inside a template string inside a template string")
    try:
        return pystr(js_string(self.text(node)), self.fstring), P_ATOM
    except TranslationError:
        self.fail(node, "escape sequence inside a template string's ${...}")


def x_template_string(self: Emitter, node: Node) -> tuple[str, int]:
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


def template_part(self: Emitter, node: Node) -> str:
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


def vtype(self: Emitter, node: Node) -> str:
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


def is_error_message(self: Emitter, node: Node) -> bool:
    """``e.message``: the error's text, ``str(e)`` in Python."""
    prop = node.child_by_field_name("property")
    obj = node.child_by_field_name("object")
    if prop is None or obj is None or self.text(prop) != "message":
        return False
    # JS code reads .message off errors; a dict literal's "message" key stays a key.
    return self.vtype(obj) != "dict"


def x_array(self: Emitter, node: Node) -> tuple[str, int]:
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


def refuse_stored_promise(self: Emitter, value: Node, where: str) -> None:
    """A call that may give a promise, kept in an array or object literal: JS starts it
    now; a Python coroutine would start only when awaited, and reading it back later
    (``o.p``, ``a[0]``) is taken to be plain data, so it would never be awaited at all.
    (``Promise.all([...])`` and friends read their array themselves: not through here.)"""
    kind = unparen(value).type
    if kind in ("call_expression", "new_expression") and self.awaitable_kind(value):
        self.fail(value, f"call that may return a promise, stored in {where} (eager start)")


def x_object(self: Emitter, node: Node) -> tuple[str, int]:
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


def x_member_expression(self: Emitter, node: Node) -> tuple[str, int]:
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


def x_subscript_expression(self: Emitter, node: Node) -> tuple[str, int]:
    obj = node.child_by_field_name("object")
    index = node.child_by_field_name("index")
    assert obj is not None and index is not None
    if any(c.type == "optional_chain" for c in node.children):
        self.fail(node, "optional chaining (?.)")
    if self.vtype(obj) == "dict" and not self.assigning:
        # A missing key is undefined in JS (a lookup table's usual test), None here.
        return f"{self.wrap(obj, P_PRIMARY)}.get({self.expr_code(index)})", P_PRIMARY
    return f"{self.wrap(obj, P_PRIMARY)}[{self.expr_code(index)}]", P_PRIMARY


def x_await_expression(self: Emitter, node: Node) -> tuple[str, int]:
    if not self.scope.is_async:
        self.fail(node, "await outside an async function")
    code = self.awaited(node.named_children[0])
    return code, P_AWAIT if code.startswith("await ") else self.expr(node.named_children[0])[1]


def x_ternary_expression(self: Emitter, node: Node) -> tuple[str, int]:
    cond = node.child_by_field_name("condition")
    a = node.child_by_field_name("consequence")
    b = node.child_by_field_name("alternative")
    assert cond is not None and a is not None and b is not None
    return (
        f"{self.wrap(a, P_OR)} if {self.wrap(cond, P_OR)} else {self.wrap(b, P_TERNARY)}",
        P_TERNARY,
    )


def x_unary_expression(self: Emitter, node: Node) -> tuple[str, int]:
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


def x_binary_expression(self: Emitter, node: Node) -> tuple[str, int]:
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


def typeof_test(self: Emitter, left: Node, right: Node) -> str | None:
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


def concat(self: Emitter, node: Node) -> tuple[str, int]:
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


def x_new_expression(self: Emitter, node: Node) -> tuple[str, int]:
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


def x_arrow_function(self: Emitter, node: Node) -> tuple[str, int]:
    code = self.lambda_or_def(node, "callback")
    return code, P_LAMBDA if code.startswith("lambda") else P_ATOM


def x_function_expression(self: Emitter, node: Node) -> tuple[str, int]:
    return self.lambda_or_def(node, "callback"), P_ATOM


def x_spread_element(self: Emitter, node: Node) -> tuple[str, int]:
    return "*" + self.wrap(node.named_children[0], P_PRIMARY), P_ATOM


def x_call_expression(self: Emitter, node: Node) -> tuple[str, int]:
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


# The handler of each expression node type; any other type is outside the subset.
EXPRESSIONS: dict[str, Callable[[Emitter, Node], tuple[str, int]]] = {
    "as_expression": x_as_expression,
    "parenthesized_expression": x_parenthesized_expression,
    "sequence_expression": x_sequence_expression,
    "identifier": x_identifier,
    "undefined": x_undefined,
    "null": x_null,
    "true": x_true,
    "false": x_false,
    "number": x_number,
    "string": x_string,
    "template_string": x_template_string,
    "array": x_array,
    "object": x_object,
    "member_expression": x_member_expression,
    "subscript_expression": x_subscript_expression,
    "await_expression": x_await_expression,
    "ternary_expression": x_ternary_expression,
    "unary_expression": x_unary_expression,
    "binary_expression": x_binary_expression,
    "new_expression": x_new_expression,
    "arrow_function": x_arrow_function,
    "function_expression": x_function_expression,
    "spread_element": x_spread_element,
    "call_expression": x_call_expression,
}
