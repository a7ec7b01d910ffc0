"""Handlers that cannot be inlined or called equivalently.

* ``function`` callbacks using ``this``, ``arguments``, ``super`` or ``new.target``: ``then``
  calls them with ``this === undefined`` and one argument; inlined, those would mean the
  enclosing function's. (Arrows are fine: theirs already are the enclosing function's.)
* method references ``.then(obj.m)``: ``then`` calls ``m`` with ``this`` undefined, ``obj.m(v)``
  would not; and ``obj.m`` is read when the chain is built, not later.
* references not provably a function declared once and never reassigned: a non-function
  passes the value through, a call would throw; a reassigned name is read too late.
* parameters with defaults, rest parameters, used extra parameters, parameters of a
  ``finally`` handler (it gets no argument): kept exact only by calling, so left alone.
* ``var`` or function declarations in a handler body: inlined, they would move to the
  enclosing function's scope.
* a named ``function`` expression that refers to its own name.
"""

# Matches (left alone): .then(function () { return this.x }), .then(obj.method),
#   .then(maybeFn), .then((x = 1) => x), .then((...args) => args), .finally((x) => x),
#   .then(x => { var y = x; return y })

from __future__ import annotations

import bisect

from tree_sitter import Node

from .._analyse import FUNCTION_TYPES, Index, Unsafe, own_nodes, walk
from .._lower import Lowering
from .._model import Chain, Handler, HandlerKind
from .._parse import Parsed
from . import rule


def _own_function(node: Node) -> Node | None:
    """The nearest enclosing non-arrow function (the one `this`/`arguments` belong to)."""
    p = node.parent
    while p is not None:
        if p.type in FUNCTION_TYPES and p.type != "arrow_function":
            return p
        p = p.parent
    return None


@rule("this-arguments", "check")
def this_arguments(lw: Lowering, chain: Chain) -> None:
    parsed = lw.parsed
    for _, h in chain.handlers:
        if h.kind is not HandlerKind.FUNCTION or h.body is None:
            continue
        for n in walk(h.body):
            t = n.type  # read once: each read builds a new string
            word = None
            if t in ("this", "super"):
                word = t
            elif t == "identifier" and parsed.text(n) == "arguments":
                word = "arguments"
            elif t == "meta_property":
                word = "new.target"
            if word is not None and _own_function(n) == h.node:
                raise Unsafe(
                    "this-arguments",
                    f"a `function` handler uses `{word}`, which inlining would rebind",
                    n,
                )
        name = h.node.child_by_field_name("name")
        if name is not None:
            own = parsed.text(name)
            for n in walk(h.body):
                if n.type == "identifier" and parsed.text(n) == own:
                    raise Unsafe(
                        "self-reference",
                        f"the handler refers to its own name `{own}`",
                        n,
                    )


@rule("method-reference", "check")
def references(lw: Lowering, chain: Chain) -> None:
    for _, h in chain.handlers:
        if h.kind is not HandlerKind.REFERENCE:
            continue
        node = h.node
        if node.type in ("member_expression", "subscript_expression"):
            raise Unsafe(
                "method-reference",
                f"`{lw.text(node)}` is passed as a handler: `then` calls it without its "
                "object as `this`, and reads it when the chain is built",
                node,
            )
        if node.type != "identifier" or not declared_function(lw.parsed, lw.index, node):
            raise Unsafe(
                "unknown-handler",
                f"cannot prove `{lw.text(node)}` is a function declared once and never "
                "reassigned (a non-function would pass the value through)",
                node,
            )


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
        from .._analyse import _is_assigned

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
            owner = _parameter_owner(node)
            if owner is not None and not (
                owner.start_byte <= ref.start_byte and ref.end_byte <= owner.end_byte
            ):
                continue  # a parameter of a function elsewhere: ref cannot mean it
            return False
    return decls == 1


def _parameter_owner(node: Node) -> Node | None:
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


@rule("handler-params", "check")
def params(lw: Lowering, chain: Chain) -> None:
    for role, h in chain.handlers:
        if h.kind not in (HandlerKind.ARROW, HandlerKind.FUNCTION):
            continue
        if h.node.child_by_field_name("type_parameters") is not None:
            raise Unsafe(
                "handler-params",
                "a generic handler: its type parameters would be unbound once inlined",
                h.node,
            )
        for i, p in enumerate(h.params):
            t = p.pattern.type
            if t == "this":
                raise Unsafe("this-arguments", "a handler declares a `this` parameter", p.node)
            if t in ("assignment_pattern", "rest_pattern") or p.node.type == "optional_parameter":
                raise Unsafe(
                    "handler-params",
                    f"handler parameter `{lw.text(p.node)}` has a default or is a rest parameter",
                    p.node,
                )
            if (i > 0 or role == "finally") and (p.used or not p.is_identifier):
                raise Unsafe(
                    "handler-params",
                    f"handler parameter `{lw.text(p.node)}` receives no argument",
                    p.node,
                )
        if h.body is not None and h.body.type == "statement_block":
            _no_hoisting_declarations(lw, chain, h)


_LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})


def _var_stays_private(lw: Lowering, chain: Chain, h: Handler, decl: Node) -> bool:
    """Whether a handler's ``var`` may move to the enclosing function: its names occur
    nowhere else there (nothing outside the handler can see or shadow them), and the chain
    is in no loop of that function (each run of the handler had a fresh variable, which
    closures made in it kept; one function-wide variable would be shared)."""
    names = []
    for declarator in decl.named_children:
        target = declarator.child_by_field_name("name")
        if target is None:
            continue
        # Every identifier of the pattern (defaults' names too: more to check, never fewer).
        names += [
            lw.text(n)
            for n in walk(target)
            if n.type in ("identifier", "shorthand_property_identifier_pattern")
        ]
    if not names or any(lw.index.occurs_outside(x, chain.function, h.node) for x in names):
        return False
    # Read before its declaration (hoisting at work): left alone, as both targets cannot
    # express that the same way.
    pos = lw.parsed.name_positions()
    for x in names:
        if bisect.bisect_left(pos.get(x, []), decl.start_byte) > bisect.bisect_left(
            pos.get(x, []), h.node.start_byte
        ):
            return False
    n = chain.node.parent
    while n is not None and n != chain.function:
        if n.type in _LOOPS:
            return False
        n = n.parent
    return True


def _no_hoisting_declarations(lw: Lowering, chain: Chain, h: Handler) -> None:
    assert h.body is not None
    kinds = ("variable_declaration", "function_declaration", "generator_function_declaration")
    for n in own_nodes(lw.parsed, h.body, h.node, kinds):
        if n.type == "variable_declaration" and not _var_stays_private(lw, chain, h, n):
            raise Unsafe(
                "var-in-handler",
                "a handler declares `var` used elsewhere in the function, read before its "
                "declaration, or shared by a loop; inlined, it would move to the function",
                n,
            )
        if n.type in ("function_declaration", "generator_function_declaration"):
            raise Unsafe(
                "var-in-handler",
                "a handler declares a function; inlined, it would move to the enclosing scope",
                n,
            )
