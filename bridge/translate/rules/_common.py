"""Helpers shared by several rules (not a rule: no ``@rule`` here)."""

from __future__ import annotations

from typing import Literal

from tree_sitter import Node

from .._analyse import FUNCTION_TYPES, Index, _is_assigned
from .._parse import Parsed

_BINDING_PARENTS = frozenset(
    {
        "formal_parameters",
        "required_parameter",
        "optional_parameter",
        "import_specifier",
        "namespace_import",
        "import_clause",
        "catch_clause",
        "array_pattern",
        "object_pattern",
        "rest_pattern",
        "class_declaration",
        "pair_pattern",
        "assignment_pattern",
        "arrow_function",
    }
)


def declared_function(parsed: Parsed, index: Index, ref: Node) -> bool:
    """ref names exactly one function declaration (or const = function/arrow) of the file,
    declared before ref, with no other binding or assignment of that name anywhere."""
    name = parsed.text(ref)
    decls = 0
    for pos in index.positions.get(name, []):
        node = parsed.root.descendant_for_byte_range(pos, pos + len(name.encode()))
        if node is None:
            return False
        parent = node.parent
        if parent is None:
            continue
        if _is_assigned(node):
            return False
        t = parent.type
        if t in ("function_declaration", "generator_function_declaration") and (
            parent.child_by_field_name("name") == node
        ):
            decls += 1
            continue
        if t == "variable_declarator" and parent.child_by_field_name("name") == node:
            value = parent.child_by_field_name("value")
            decl = parent.parent
            if (
                value is not None
                and value.type in ("arrow_function", "function_expression", "function")
                and decl is not None
                and parsed.text(decl).startswith("const")
                and decl.end_byte <= ref.start_byte
            ):
                decls += 1
                continue
            return False
        if t in ("function_expression", "class_declaration", "method_definition") and (
            parent.child_by_field_name("name") == node
        ):
            return False
        if t in _BINDING_PARENTS and node != ref:
            owner = parameter_owner(node)
            if owner is not None and not (
                owner.start_byte <= ref.start_byte and ref.end_byte <= owner.end_byte
            ):
                continue  # a parameter of a function elsewhere: ref cannot mean it
            return False
    return decls == 1


def parameter_owner(node: Node) -> Node | None:
    """The function node is a plain (identifier) parameter of, else None."""
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "arrow_function" and parent.child_by_field_name("parameter") == node:
        return parent
    if parent.type in ("required_parameter", "optional_parameter"):
        if parent.child_by_field_name("pattern") != node:
            return None
        parent = parent.parent
        if parent is None:
            return None
    if parent.type == "formal_parameters" and parent.parent is not None:
        return parent.parent if parent.parent.type in FUNCTION_TYPES else None
    return None


_IMPORT_PARENTS = frozenset({"import_specifier", "namespace_import", "import_clause"})

ReferenceKind = Literal["declared-function", "stable", "free", "unstable"]


def reference_kind(parsed: Parsed, index: Index, ref: Node) -> ReferenceKind:
    """What a name passed as a handler is, for when it is read.

    ``declared-function``: a function declared once, never reassigned (called as it is).
    ``stable``: a parameter of a function around ref, or an import, never assigned: read
    later, it holds what it held when the chain was built. ``free``: bound nowhere in the file
    and never assigned here (a global). ``unstable``: anything else (assigned somewhere, or a
    variable that may still be in its dead zone when the chain is built).
    """
    if declared_function(parsed, index, ref):
        return "declared-function"
    name = parsed.text(ref)
    bound = False
    for pos in index.positions.get(name, []):
        ident = parsed.root.descendant_for_byte_range(pos, pos + len(name.encode()))
        if ident is None or ident.type != "identifier" or _is_assigned(ident):
            return "unstable"
        parent = ident.parent
        if parent is not None and parent.type in _IMPORT_PARENTS:
            bound = True
            continue
        owner = parameter_owner(ident)
        if owner is not None:
            if owner.start_byte <= ref.start_byte and ref.end_byte <= owner.end_byte:
                bound = True
            continue  # a parameter of a function elsewhere cannot be what ref means
        if parent is not None and parent.child_by_field_name("name") == ident:
            return "unstable"  # declared (let, const, var, function, class): maybe not yet
        if parent is not None and parent.type in _BINDING_PARENTS:
            return "unstable"  # bound some other way (a pattern, a catch clause...)
    return "stable" if bound else "free"
