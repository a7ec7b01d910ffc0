"""What the Python target's parts share: operator precedences, node-type sets, and small
functions on tree-sitter nodes and emitted lines."""

from __future__ import annotations

import ast
import keyword
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Node

from .._analyse import unparen as _unparen
from . import helpers as _py_helpers

if TYPE_CHECKING:
    from .emitter import Emitter


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

Deliver = Callable[[str], list[str]]

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
    if value.startswith("await asyncio.sleep(") and value.endswith(")") and "," not in value:
        return [value, "return None"]  # sleep gives None: say so, not return await
    return [f"return {value}"]


@dataclass(frozen=True)
class Into:
    """Deliver into a name: ``name = value``. ``declared``: the statement being translated
    declares the name (JS code in the chain cannot have read it: it was in its dead zone)."""

    name: str
    declared: bool = False

    def __call__(self, value: str) -> list[str]:
        return [f"{self.name} = {value}"]


def _assign(name: str, declared: bool = False) -> Deliver:
    return Into(name, declared)


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


def _walk_parented(node: Node, functions: bool = True) -> Iterator[tuple[Node, Node | None]]:
    """Every node below node with its parent (tree-sitter finds ``Node.parent`` by walking
    down from the root: asked of every node of a deep chain, that is quadratic). Without
    ``functions``, nested functions are skipped as in ``_walk_no_functions``."""
    stack: list[tuple[Node, Node | None]]
    if not functions and node.type in _FUNCTIONS:
        stack = [(c, node) for c in reversed(node.children)]
    else:
        stack = [(node, node.parent)]
    while stack:
        n, parent = stack.pop()
        yield n, parent
        if functions or n.type not in _FUNCTIONS:
            stack.extend((c, n) for c in reversed(n.children))


def _declares(ident: Node, parent: Node | None) -> bool:
    """Whether an identifier node (whose parent is given) is a binding occurrence
    (declaration or parameter)."""
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
    return parent.type == "update_expression" or _declares(ident, parent)


def _uses(emitter: Emitter, node: Node, name: str) -> bool:
    return any(
        n.type in ("identifier", "shorthand_property_identifier") and emitter.text(n) == name
        for n in _walk(node)
    )
