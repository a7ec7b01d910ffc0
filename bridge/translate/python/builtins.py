"""The JS built-ins the subset maps onto Python: console, Error classes, string and array
methods, Math/Object/JSON, timers, ``new Promise`` and the ``Promise`` combinators."""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from tree_sitter import Node

from .common import (
    P_ATOM,
    P_CMP,
    P_MUL,
    P_OR,
    P_PRIMARY,
    P_TERNARY,
    _field,
    _safe,
    _uses,
    unparen,
)
from .scopes import Binding
from .text import (
    pystr,
)

if TYPE_CHECKING:
    from .emitter import Emitter


_CONSOLE = {
    "console.log": "stdout",
    "console.info": "stdout",
    "console.debug": "stdout",
    "console.error": "stderr",
    "console.warn": "stderr",
}

_ERROR_CLASSES = {"Error": "Exception", "TypeError": "TypeError", "RangeError": "ValueError"}

# Methods of JS's own arrays, strings, numbers and functions that the mapping above does not
# translate: called on a value of unknown type they are refused (a Python list or str has no
# such method) rather than passed through as the methods of an unknown object are.
_JS_BUILTIN_METHODS = frozenset(
    [
        "reduce",
        "reduceRight",
        "forEach",
        "find",
        "findIndex",
        "findLast",
        "findLastIndex",
        "some",
        "every",
        "indexOf",
        "lastIndexOf",
        "sort",
        "reverse",
        "splice",
        "shift",
        "unshift",
        "pop",
        "push",
        "flat",
        "flatMap",
        "fill",
        "at",
        "copyWithin",
        "padStart",
        "padEnd",
        "replace",
        "replaceAll",
        "match",
        "matchAll",
        "search",
        "charAt",
        "charCodeAt",
        "codePointAt",
        "substring",
        "substr",
        "localeCompare",
        "normalize",
        "repeat",
        "trimStart",
        "trimEnd",
        "toString",
        "toLocaleString",
        "valueOf",
        "hasOwnProperty",
        "isPrototypeOf",
        "call",
        "apply",
        "bind",
        "then",
        "catch",
        "finally",
        "keys",
        "values",
        "entries",
        "toPrecision",
        "toExponential",
        "toJSON",
    ]
)

# The JS environment's own objects (language, Node and browser): a method called on one of
# them, or on a value read from one, is refused rather than passed through.
_JS_GLOBALS = frozenset(
    [
        "Array",
        "ArrayBuffer",
        "Atomics",
        "BigInt",
        "Boolean",
        "Buffer",
        "DataView",
        "Date",
        "Error",
        "EvalError",
        "Function",
        "Intl",
        "JSON",
        "Map",
        "Math",
        "Number",
        "Object",
        "Promise",
        "Proxy",
        "RangeError",
        "ReferenceError",
        "Reflect",
        "RegExp",
        "Set",
        "String",
        "Symbol",
        "SyntaxError",
        "TypeError",
        "URIError",
        "URL",
        "URLSearchParams",
        "WeakMap",
        "WeakRef",
        "WeakSet",
        "WebAssembly",
        "TextDecoder",
        "TextEncoder",
        "AbortController",
        "Headers",
        "Request",
        "Response",
        "console",
        "crypto",
        "document",
        "globalThis",
        "history",
        "localStorage",
        "location",
        "module",
        "navigator",
        "performance",
        "process",
        "require",
        "self",
        "sessionStorage",
        "window",
        "exports",
    ]
)
_STRING_METHODS = {
    "toUpperCase": "upper",
    "toLowerCase": "lower",
    "trim": "strip",
    "startsWith": "startswith",
    "endsWith": "endswith",
}


def combinator(self: Emitter, node: Node, name: str) -> str:
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


def map_awaitables(self: Emitter, call: Node) -> str | None:
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


def new_promise(self: Emitter, node: Node, eager: bool = False) -> str:
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


def timer_promise(self: Emitter, executor: Node) -> str | None:
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
        callback.type == "arrow_function" and self.call_args_of_arrow(callback, resolve) is not None
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


def call_args_of_arrow(self: Emitter, arrow: Node, resolve: str) -> list[Node] | None:
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


def seconds(self: Emitter, ms: Node) -> str:
    """A delay in JS milliseconds as Python seconds (folded when a literal)."""
    ms = unparen(ms)
    if ms.type == "number":
        value = float(self.text(ms).replace("_", "")) / 1000
        return repr(int(value)) if value.is_integer() else repr(value)
    return f"{self.wrap(ms, P_MUL)} / 1000"


def is_console_log(self: Emitter, fn: Node | None) -> bool:
    """``console.log`` and its siblings (``error``/``warn`` write to stderr)."""
    return fn is not None and self.text(fn) in _CONSOLE and self.resolve("console") is None


def log_call(self: Emitter, fn: Node, args: str, printable: bool = False) -> str:
    """print(args) or _log(args), to stderr for console.error and console.warn."""
    call = "print" if printable else self.helper("_log")
    if _CONSOLE[self.text(fn)] == "stdout":
        return f"{call}({args})"
    self.imports.add("sys")
    return f"{call}({args}{', ' if args else ''}file=sys.stderr)"


def console_log(self: Emitter, call: Node) -> str:
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


def set_timeout(self: Emitter, node: Node, args: list[Node]) -> str:
    """``setTimeout(fn, ms, ...args)`` as ``loop.call_later``."""
    if len(args) < 2:
        self.fail(node, "setTimeout without a delay")
    if not self.scope.is_async and self.scope.is_module:
        self.fail(node, "setTimeout outside async code")
    callback = self.expr_code(args[0])
    extra = "".join(f", {self.expr_code(a)}" for a in args[2:])
    loop = f"{self.asyncio()}.get_running_loop()"
    return f"{loop}.call_later({self.seconds(args[1])}, {callback}{extra})"


def method_call(self: Emitter, node: Node, fn: Node, args: list[Node]) -> tuple[str, int]:
    """A method call: a static of a JS built-in (``STATICS``), a method of an array, string
    or number (``METHODS``), or a method of a value of unknown type."""
    obj = fn.child_by_field_name("object")
    prop = fn.child_by_field_name("property")
    assert obj is not None and prop is not None
    method = self.text(prop)
    if any(c.type == "optional_chain" for c in fn.children):
        self.fail(fn, "optional chaining (?.)")
    static = STATICS.get(self.text(obj))
    if static is not None:
        result = static(self, node, method, args)
        if result is not None:
            return result
    target = self.wrap(obj, P_PRIMARY)
    handler = METHODS.get(method)
    if handler is not None:
        result = handler(self, node, obj, target, args)
        if result is not None:
            return result
    if (
        self.vtype(obj) == ""
        and not self.of_js_global(obj)
        and method not in _JS_BUILTIN_METHODS
        and method not in METHODS
        and method.isidentifier()
        and not keyword.iskeyword(method)
    ):
        # A value the module knows nothing about (a parameter, a response from fetch): its
        # method is taken to be the Python object's method of the same name. Where the
        # chain awaits the result, awaitable_kind calls it "unknown": _settle awaits it if
        # it is awaitable (an aiohttp response's json()), else takes it as it is.
        inner = ", ".join(self.expr_code(a) for a in args)
        return f"{target}.{method}({inner})", P_PRIMARY
    self.fail(node, f"method call .{method}()")


# ---- statics of the JS built-ins: (emitter, call, method, args) -> code or None (not mine)


def object_static(
    self: Emitter, node: Node, method: str, args: list[Node]
) -> tuple[str, int] | None:
    if self.resolve("Object") is not None or len(args) != 1:
        return None
    target = self.wrap(args[0], P_PRIMARY)
    if method == "keys":
        return f"list({target})", P_PRIMARY
    if method == "values":
        return f"list({target}.values())", P_PRIMARY
    if method == "entries":
        return f"[list(item) for item in {target}.items()]", P_ATOM
    self.fail(node, f"Object.{method}")


def math_static(self: Emitter, node: Node, method: str, args: list[Node]) -> tuple[str, int] | None:
    if self.resolve("Math") is not None:
        return None
    if method in ("max", "min", "abs"):
        return f"{method}({', '.join(self.expr_code(a) for a in args)})", P_PRIMARY
    if method == "floor" and len(args) == 1:
        self.imports.add("math")
        return f"math.floor({self.expr_code(args[0])})", P_PRIMARY
    self.fail(node, f"Math.{method}")


def array_static(
    self: Emitter, node: Node, method: str, args: list[Node]
) -> tuple[str, int] | None:
    if method == "isArray" and len(args) == 1:
        return f"isinstance({self.expr_code(args[0])}, list)", P_PRIMARY
    return None


def refused_static(
    self: Emitter, node: Node, method: str, args: list[Node]
) -> tuple[str, int] | None:
    fn = node.child_by_field_name("function")
    obj = fn.child_by_field_name("object") if fn is not None else None
    self.fail(node, f"{self.text(obj)}.{method}")


STATICS: dict[str, Callable[[Emitter, Node, str, list[Node]], tuple[str, int] | None]] = {
    "Object": object_static,
    "Math": math_static,
    "Array": array_static,
    "JSON": refused_static,
    "console": refused_static,
}


# ---- methods of arrays, strings and numbers: (emitter, call, receiver, its code, args) ->
# code, or None when this call's form is not one the mapping covers


def map_filter(
    self: Emitter, node: Node, obj: Node, target: str, args: list[Node]
) -> tuple[str, int] | None:
    return self.array_method(node, self.text(_method_name(node))), P_ATOM


def join(
    self: Emitter, node: Node, obj: Node, target: str, args: list[Node]
) -> tuple[str, int] | None:
    sep = self.expr_code(args[0]) if args else '","'
    if self.vtype(obj) == "list" and self.elements_are_strings(obj):
        return f"{sep}.join({self.expr_code(obj)})", P_PRIMARY
    joiner = self.wrap(args[0], P_PRIMARY) if args else sep
    return f"{joiner}.join(map({self.helper('_js_str')}, {self.expr_code(obj)}))", P_PRIMARY


def includes(
    self: Emitter, node: Node, obj: Node, target: str, args: list[Node]
) -> tuple[str, int] | None:
    if len(args) != 1:
        return None
    return f"{self.wrap(args[0], P_CMP + 1)} in {self.wrap(obj, P_CMP + 1)}", P_CMP


def string_method(
    self: Emitter, node: Node, obj: Node, target: str, args: list[Node]
) -> tuple[str, int] | None:
    method = self.text(_method_name(node))
    if len(args) != (1 if method in ("startsWith", "endsWith") else 0):
        return None
    inner = ", ".join(self.expr_code(a) for a in args)
    return f"{target}.{_STRING_METHODS[method]}({inner})", P_PRIMARY


def slice_(
    self: Emitter, node: Node, obj: Node, target: str, args: list[Node]
) -> tuple[str, int] | None:
    if len(args) > 2:
        return None
    bounds = [self.expr_code(a) for a in args]
    if not bounds:
        return f"{target}[:]", P_PRIMARY
    return f"{target}[{bounds[0]}:{bounds[1] if len(bounds) > 1 else ''}]", P_PRIMARY


def concat(
    self: Emitter, node: Node, obj: Node, target: str, args: list[Node]
) -> tuple[str, int] | None:
    parts = [self.expr_code(obj), *(self.expr_code(a) for a in args)]
    return "[" + ", ".join(f"*{p}" for p in parts) + "]", P_ATOM


def to_fixed(
    self: Emitter, node: Node, obj: Node, target: str, args: list[Node]
) -> tuple[str, int] | None:
    if len(args) != 1:
        return None
    digits = unparen(args[0])
    if digits.type != "number" or not self.text(digits).isdigit():
        self.fail(digits, "toFixed with digits that are not a literal")
    return (
        f"format({self.expr_code(obj)}, {pystr('.' + self.text(digits) + 'f')})",
        P_PRIMARY,
    )


def split(
    self: Emitter, node: Node, obj: Node, target: str, args: list[Node]
) -> tuple[str, int] | None:
    if (
        len(args) == 1
        and unparen(args[0]).type == "string"
        and self.text(args[0]) not in ('""', "''")
    ):
        return f"{target}.split({self.expr_code(args[0])})", P_PRIMARY
    return None


def push_value(
    self: Emitter, node: Node, obj: Node, target: str, args: list[Node]
) -> tuple[str, int] | None:
    self.fail(node, "push used as a value")


def _method_name(call: Node) -> Node:
    fn = call.child_by_field_name("function")
    prop = fn.child_by_field_name("property") if fn is not None else None
    assert prop is not None
    return prop


METHODS: dict[str, Callable[[Emitter, Node, Node, str, list[Node]], tuple[str, int] | None]] = {
    "map": map_filter,
    "filter": map_filter,
    "join": join,
    "includes": includes,
    **dict.fromkeys(_STRING_METHODS, string_method),
    "slice": slice_,
    "concat": concat,
    "toFixed": to_fixed,
    "split": split,
    "push": push_value,
}


def of_js_global(self: Emitter, obj: Node) -> bool:
    """Whether a receiver (``Date``, ``process.stdout``...) is, or is read from, one of the
    JS environment's own objects: Python has no such name to call a method of."""
    root = unparen(obj)
    while root.type in ("member_expression", "subscript_expression", "call_expression"):
        inner = root.child_by_field_name("object" if root.type != "call_expression" else "function")
        if inner is None:
            return False
        root = unparen(inner)
    return (
        root.type == "identifier"
        and self.text(root) in _JS_GLOBALS
        and self.resolve(self.text(root)) is None
    )


def elements_are_strings(self: Emitter, arr: Node) -> bool:
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


def vtype_in(self: Emitter, fn: Node, body: Node) -> str:
    """The type of body when fn's parameters are in scope."""
    saved = self.scope.blocks
    self.scope.blocks = [*saved, {}]
    try:
        params, _ = self.parameters(fn)
        for _, node in params:
            if node is not None:
                self.scope.blocks[-1][self.text(node)] = Binding(_safe(self.text(node)), self.scope)
        return self.vtype(body)
    finally:
        self.scope.blocks = saved


def array_method(self: Emitter, node: Node, method: str, wrap_awaitable: bool = False) -> str:
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
                        self.scope.blocks[-1][self.text(pnode)] = Binding(
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
    first = callback.child_by_field_name("parameter") if callback.type == "arrow_function" else None
    if first is None and callback.type in ("arrow_function", "function_expression"):
        plist = callback.child_by_field_name("parameters")
        first = plist.named_children[0] if plist is not None and plist.named_children else None
    item = (
        _safe(self.text(first))
        if first is not None and first.type == "identifier"
        else self.fresh("item")
    )
    args_code = {0: "", 1: item}.get(nparams, f"{item}, index")
    loop = f"for {item} in {source}" if nparams < 2 else f"for index, {item} in enumerate({source})"
    call = f"{name}({args_code})"
    if wrap_awaitable and not (
        callback.type in ("arrow_function", "function_expression") and self.python_async(callback)
    ):
        call = f"{self.helper('_settle')}({call})"
    if method == "map":
        return f"[{call} {loop}]"
    return f"[{item} {loop} if {call}]"
