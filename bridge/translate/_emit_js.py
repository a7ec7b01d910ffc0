"""The JavaScript target: render lowered IR as source text, and the edits that splice it in.

Source pieces are copied from the input (``Src`` nodes, handler bodies), re-indented to their
new depth except inside multi-line strings and template literals, whose text is never
touched. Generated lines use the file's own newline (CRLF stays CRLF) and indent unit.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from tree_sitter import Node

from ._analyse import COMMENTS_QUERY, TEMPLATES_QUERY, captures
from ._lower import Lowered
from ._model import (
    UNDEFINED,
    Assign,
    Await,
    Bind,
    Block,
    Body,
    Call,
    Const,
    Declare,
    Eval,
    Expr,
    Guarded,
    Param,
    Return,
    Src,
    Stmt,
    ThrowUnless,
    Try,
    Var,
    _Undefined,
)
from ._parse import Parsed


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: bytes


# Expressions `await x` accepts without parentheses.
_TIGHT = frozenset(
    {
        "identifier",
        "this",
        "member_expression",
        "subscript_expression",
        "call_expression",
        "new_expression",
        "parenthesized_expression",
        "string",
        "number",
        "template_string",
        "array",
        "object",
        "null",
        "true",
        "false",
        "undefined",
        "regex",
        "await_expression",
        "unary_expression",
    }
)
_WS = re.compile(rb"[ \t]*")
_BLANK_LINE = re.compile(rb"[ \t]*[\n\r]")  # matched in place: no copy of the rest
# Statement starts that a semicolon-free line before them would continue, or that would not
# parse as an expression statement.
_HAZARD = re.compile(r"([{(\[`+\-/]|function\b|class\b|let\s*\[|async\s+function\b)")
_BLOCKLIKE = frozenset({"statement_block", "program", "switch_case", "switch_default"})


_CATCH = re.compile(rb"\bcatch\s*\{")
_WORD = re.compile(r"[A-Za-z_$][\w$]*")


def uses_optional_catch(parsed: Parsed) -> bool:
    """Whether the source has a ``catch`` clause without a binding (``try {} catch {}``)."""
    for m in _CATCH.finditer(parsed.source):
        node = parsed.root.descendant_for_byte_range(m.start(), m.start() + 5)
        if node is not None and node.type == "catch" and node.parent is not None:
            clause = node.parent
            if clause.type == "catch_clause" and clause.child_by_field_name("parameter") is None:
                return True
    return False


def _unused_name(base: str, lines: list[str]) -> str:
    """base, or base2, base3...: a name no word of lines spells, so binding it in a catch
    clause shadows nothing those lines read."""
    words = {w for line in lines for w in _WORD.findall(line)}
    name, n = base, 1
    while name in words:
        n += 1
        name = f"{base}{n}"
    return name


class JSEmitter:
    """Renders one module's lowered chains; holds what is per-file (indent unit, newline)."""

    def __init__(self, parsed: Parsed, *, optional_catch: bool = False) -> None:
        self.parsed = parsed
        src = parsed.source
        # `catch {` (ES2019) only where the input's tooling is known to read it: asked for, or
        # already used by the file; otherwise an unused binding keeps the output at ES2017.
        self.optional_catch = optional_catch or uses_optional_catch(parsed)
        self.nl = "\r\n" if b"\r\n" in src else "\n"
        self.unit = _indent_unit(src)
        spans = []
        for node in captures(parsed, parsed.root, TEMPLATES_QUERY).get("t", []):
            if node.start_point[0] != node.end_point[0]:
                spans.append((node.start_byte, node.end_byte))
        spans.sort()
        self._protected_starts = [s for s, _ in spans]
        self._copied: list[tuple[int, int]] | None = None  # source ranges one rewrite copied
        self.copied_all: list[tuple[int, int]] = []  # ... and all rewrites so far
        comments = captures(parsed, parsed.root, COMMENTS_QUERY).get("c", [])
        self._comments = sorted(comments, key=lambda n: n.start_byte)
        self._comment_starts = [c.start_byte for c in self._comments]
        self._protected = spans
        self._indents: dict[int, str] = {}  # line start -> its indentation

    # ---------------------------------------------------------------- source slices

    def line_indent(self, byte: int) -> str:
        src = self.parsed.source
        start = src.rfind(b"\n", 0, byte) + 1
        indent = self._indents.get(start)
        if indent is None:
            m = _WS.match(src, start)
            assert m is not None
            indent = self._indents[start] = m.group().decode()
        return indent

    def _in_protected(self, byte: int) -> bool:
        i = bisect.bisect_right(self._protected_starts, byte) - 1
        return i >= 0 and self._protected[i][0] < byte < self._protected[i][1]

    def slice(self, start: int, end: int, ind_from: str, ind_to: str) -> str:
        """Source [start, end) with continuation lines moved from ind_from to ind_to."""
        src = self.parsed.source
        if self._copied is not None:
            self._copied.append((start, end))
        if src.find(b"\n", start, end) < 0:  # one line: nothing to re-indent
            return src[start:end].decode("utf-8")
        out: list[bytes] = []
        pos = start
        f, t = ind_from.encode(), ind_to.encode()
        while True:
            nl = src.find(b"\n", pos, end)
            if nl < 0:
                out.append(src[pos:end])
                break
            out.append(src[pos : nl + 1])
            pos = nl + 1
            if pos >= end or self._in_protected(pos):
                continue
            if src.startswith(f, pos):
                out.append(t)
                pos += len(f)
            elif _BLANK_LINE.match(src, pos, end):
                # a blank line: drop its trailing spaces rather than re-indent them
                while pos < end and src[pos : pos + 1] in (b" ", b"\t"):
                    pos += 1
        return b"".join(out).decode("utf-8")

    def node_text(self, node: Node, ind: str) -> str:
        return self.slice(node.start_byte, node.end_byte, self.line_indent(node.start_byte), ind)

    # ---------------------------------------------------------------- expressions

    def expr(self, e: Expr, ind: str, *, rhs: bool = True) -> str:
        if isinstance(e, Src):
            text = self.node_text(e.node, ind)
            if rhs and e.node.type == "sequence_expression":
                return f"({text})"
            return text
        if isinstance(e, Var):
            return e.name
        if isinstance(e, _Undefined):
            return "undefined"
        if isinstance(e, Await):
            inner = e.value
            text = self.expr(inner, ind, rhs=False)
            if (isinstance(inner, Src) and inner.node.type not in _TIGHT) or isinstance(
                inner, Guarded
            ):
                text = f"({text})"
            return f"await {text}"
        if isinstance(e, Call):
            callee = e.callee if isinstance(e.callee, str) else self.node_text(e.callee, ind)
            return f"{callee}({', '.join(self.expr(a, ind) for a in e.args)})"
        if isinstance(e, Guarded):
            arg = "" if e.arg is None else self.expr(e.arg, ind)
            otherwise = self.expr(e.otherwise, ind)
            return f'typeof {e.callee} === "function" ? {e.callee}({arg}) : {otherwise}'
        raise TypeError(e)  # pragma: no cover

    def statement_expr(self, e: Expr, ind: str) -> str:
        """An expression used as a statement: as ``void (x)`` when its text would otherwise
        start a block, a declaration or a function statement, or continue the line before it
        (``(``, ``[``, a template: a semicolon-free line above would swallow it)."""
        text = self.expr(e, ind)
        if _HAZARD.match(text):
            return f"void ({text})"
        return text

    # ---------------------------------------------------------------- statements

    def stmts(self, stmts: list[Stmt], ind: str) -> list[str]:
        lines: list[str] = []
        for s in stmts:
            lines.extend(self.stmt(s, ind))
        return lines

    def stmt(self, s: Stmt, ind: str) -> list[str]:
        u = self.unit
        if isinstance(s, Declare):
            return [f"{ind}let {', '.join(s.names)};"]
        if isinstance(s, Bind):
            kw = "let" if s.mutable else "const"
            return [f"{ind}{kw} {self.node_text(s.param.node, ind)} = {self.expr(s.value, ind)};"]
        if isinstance(s, Assign):
            return [f"{ind}{s.name} = {self.expr(s.value, ind)};"]
        if isinstance(s, Const):
            return [f"{ind}const {s.name} = {self.expr(s.value, ind)};"]
        if isinstance(s, ThrowUnless):
            return [f'{ind}if (typeof {s.callee} !== "function") throw {s.error};']
        if isinstance(s, Eval):
            return [f"{ind}{self.statement_expr(s.value, ind)};"]
        if isinstance(s, Return):
            return [f"{ind}return {self.expr(s.value, ind)};"]
        if isinstance(s, Block):
            return [f"{ind}{{", *self.stmts(s.body, ind + u), f"{ind}}}"]
        if isinstance(s, Body):
            return self.body(s, ind)
        if isinstance(s, Try):
            lines = []
            if s.flag is not None:
                lines.append(f"{ind}let {s.flag} = false;")
            lines.append(f"{ind}try {{")
            lines.extend(self.stmts(s.body, ind + u))
            if s.flag is not None:
                lines.append(f"{ind}{u}{s.flag} = true;")
            if s.catch is not None:
                p = s.catch.param
                body = self.stmts(s.catch.body, ind + u)
                if p is None and self.optional_catch:
                    head = "catch {"
                elif p is None:
                    head = f"catch ({_unused_name('error', body)}) {{"
                elif isinstance(p, Param):
                    head = f"catch ({self.node_text(p.pattern, ind)}) {{"
                else:
                    head = f"catch ({p}) {{"
                lines.append(f"{ind}}} {head}")
                lines.extend(body)
            if s.finalbody is not None:
                lines.append(f"{ind}}} finally {{")
                lines.extend(self.stmts(s.finalbody, ind + u))
            lines.append(f"{ind}}}")
            if s.flag is not None:
                lines.append(f"{ind}if ({s.flag}) {{")
                lines.extend(self.stmts(s.orelse, ind + u))
                lines.append(f"{ind}}}")
            return lines
        raise TypeError(s)  # pragma: no cover

    def body(self, s: Body, ind: str) -> list[str]:
        """A handler's block body, inlined (see ``_model.Body``)."""
        block = s.handler.body
        assert block is not None
        stmts = list(block.named_children)
        trailing: list[Node] = []
        if s.skip_tail:
            # Drop the final `return x` (the caller renders x); comments after it are kept,
            # moved above the line that replaces it.
            tail = max(i for i, c in enumerate(stmts) if c.type != "comment")
            trailing = stmts[tail + 1 :]
            stmts = stmts[:tail]
        if not stmts and not trailing:
            return []
        if not stmts:
            return [ind + self.node_text(c, ind) for c in trailing]
        start, end = stmts[0].start_byte, stmts[-1].end_byte
        first_line_start = self.parsed.source.rfind(b"\n", 0, start) + 1
        if self.parsed.source[first_line_start:start].strip() == b"":
            ind_from = self.line_indent(start)
        else:
            ind_from = self.line_indent(block.start_byte) + self.unit
        inner_ind = ind + self.unit if s.result is not None else ind
        # Inlined after other code, a body starting with `(`, `[`, a template... would continue
        # a semicolon-free line before it: `;` keeps it a statement of its own (standard style).
        first = next((c for c in stmts if c.type != "comment"), None)
        lead = b"" if first is None else self.parsed.source[first.start_byte : first.start_byte + 1]
        guard = ";" if lead in (b"(", b"[", b"`", b"+", b"-", b"/") else ""
        if s.result is None:
            moved = [inner_ind + self.node_text(c, inner_ind) for c in trailing]
            return [inner_ind + guard + self.slice(start, end, ind_from, inner_ind), *moved]
        # Early returns: `return x` -> `{ result = x; break label; }`, inside `label: { }`.
        pieces: list[str] = []
        pos = start
        last = stmts[-1] if stmts else None
        for ret in sorted(s.returns, key=lambda n: n.start_byte):
            pieces.append(self.slice(pos, ret.start_byte, ind_from, inner_ind))
            args = [c for c in ret.named_children if c.type != "comment"]
            assign = ""
            if args:
                arg = args[0]
                text = self.slice(arg.start_byte, arg.end_byte, ind_from, inner_ind)
                if arg.type == "sequence_expression":
                    text = f"({text})"
                assign = f"{s.result} = {text};"
            if ret == last and assign:
                pieces.append(assign)
            elif ret.parent is not None and ret.parent.type == "statement_block":
                # already inside braces: two statements, the second on its own line
                brk = f"break {s.label};"
                pieces.append(
                    assign + self.nl + self._moved_indent(ret, ind_from, inner_ind) + brk
                    if assign
                    else brk
                )
            else:
                pieces.append("{ " + (assign + " " if assign else "") + f"break {s.label}; }}")
            pos = ret.end_byte
        pieces.append(self.slice(pos, end, ind_from, inner_ind))
        return [f"{ind}{s.label}: {{", inner_ind + "".join(pieces), f"{ind}}}"]

    def _moved_indent(self, node: Node, ind_from: str, ind_to: str) -> str:
        """The indentation node's line has once re-indented from ind_from to ind_to."""
        own = self.line_indent(node.start_byte)
        return ind_to + own[len(ind_from) :] if own.startswith(ind_from) else own

    # ---------------------------------------------------------------- placement

    def sink_lines(self, low: Lowered, ind: str) -> list[str]:
        sink, value = low.placement.sink, low.value
        if value is None:
            return []
        v = self.expr(value, ind)
        if sink.kind == "return":
            return [f"{ind}return {v};"]
        if sink.kind == "discard":
            if isinstance(value, Var) or value is UNDEFINED:
                return []
            return [f"{ind}{self.statement_expr(value, ind)};"]
        if sink.kind == "declare":
            decl = sink.target
            assert decl is not None
            val = decl.child_by_field_name("value")
            assert val is not None
            head = self.parsed.source[decl.start_byte : val.start_byte].decode()
            return [f"{ind}{sink.decl_kind} {head}{v};"]
        assert sink.target is not None
        return [f"{ind}{self.parsed.text(sink.target)} = {v};"]

    def edits(self, low: Lowered) -> list[Edit]:
        """The edits that replace one chain's statement (and make its function async)."""
        pl = low.placement
        node = pl.replace
        base = self.line_indent(node.start_byte)
        nl, u = self.nl, self.unit
        self._copied = []
        out: list[Edit] = []
        start, end = node.start_byte, node.end_byte
        if pl.arrow_body:
            inner = base + u
            lines = self.stmts(low.stmts, inner) + self.sink_lines(low, inner)
            lines = self._lost_comments(node, inner) + lines
            text = "{" + nl + nl.join(lines) + nl + base + "}"
        else:
            parent = node.parent
            blocky = pl.iife or (parent is not None and parent.type in _BLOCKLIKE)
            src = self.parsed.source
            line_start = src.rfind(b"\n", 0, start) + 1
            line_end = src.find(b"\n", end)
            line_end = len(src) if line_end < 0 else line_end
            # `function f() { return a().then(g); }` on one line: give the statements lines
            # of their own, one level deeper, and put what followed on the next line.
            shares_start = src[line_start:start].strip() != b""
            shares_end = src[end:line_end].strip() not in (b"", b"\r")
            if blocky and shares_start:
                base = base + u
            ind = base if blocky else base + u
            inner = ind + u if pl.iife else ind
            lines = self.stmts(low.stmts, inner) + self.sink_lines(low, inner)
            lines = self._lost_comments(node, inner) + lines
            if pl.iife:
                text = "void (async () => {" + nl + nl.join(lines) + nl + ind + "})();"
            elif not lines:
                text = ";"
            elif blocky:
                text = nl.join(lines)[len(ind) :]
            else:
                text = "{" + nl + nl.join(lines) + nl + base + "}"
            if blocky and shares_start:
                text = nl + ind + text
                while start > line_start and src[start - 1 : start] in (b" ", b"\t"):
                    start -= 1
            if shares_end:
                rest = src[end:line_end].strip()
                sibling = blocky and shares_start and not rest.startswith((b"}", b")"))
                text += nl + (ind if sibling else self.line_indent(start))
                while end < line_end and src[end : end + 1] in (b" ", b"\t"):
                    end += 1
        out.append(Edit(start, end, text.encode()))
        fn = pl.make_async
        if fn is not None:
            at = fn.start_byte
            if fn.type == "method_definition":
                name = fn.child_by_field_name("name")
                assert name is not None
                at = name.start_byte
            out.append(Edit(at, at, b"async "))
        return out

    def _lost_comments(self, node: Node, ind: str) -> list[str]:
        """Comments inside the replaced node that the rewrite did not copy (between a chain's
        steps, around a handler's parameters...), as lines put before the rewrite: nothing a
        reader wrote is lost."""
        copied = self._copied or []
        self._copied = None
        self.copied_all.extend(copied)
        lo = bisect.bisect_left(self._comment_starts, node.start_byte)
        hi = bisect.bisect_left(self._comment_starts, node.end_byte)
        lost = [
            c for c in self._comments[lo:hi] if not any(s <= c.start_byte < e for s, e in copied)
        ]
        return [ind + self.node_text(c, ind) for c in lost]


def _indent_unit(src: bytes) -> str:
    """The file's indentation step: a tab when any line (of the first 200 KB) starts with
    one, else the narrowest indentation of a non-blank line when it is 2 to 8 spaces, else 2
    spaces. Each width is looked for with its own search (no match list is built)."""
    head = src[:200_000]
    if re.search(rb"\n\t[ \t]*\S", head):
        return "\t"
    for width in range(1, 9):
        if re.search(rb"\n [ \t]{%d}\S" % (width - 1), head):
            return " " * (width if width >= 2 else 2)
    return "  "


def apply(source: bytes, edits: list[Edit]) -> bytes:
    """Apply non-overlapping edits, back to front."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    # Two rewrites on one line may both claim the spaces between them: the first yields.
    for i in range(len(ordered) - 1):
        a, b = ordered[i], ordered[i + 1]
        if a.end > b.start:
            a = ordered[i] = Edit(a.start, b.start, a.text)
        if a.end == b.start and b.text.startswith((b"\n", b"\r\n")):
            # both sides asked for a line break between them: one is enough
            ordered[i] = Edit(a.start, a.end, a.text.rstrip(b" \t").rstrip(b"\r\n"))
    parts: list[bytes] = []
    pos = 0
    for e in ordered:
        parts.append(source[pos : e.start])
        parts.append(e.text)
        pos = e.end
    parts.append(source[pos:])
    return b"".join(parts)
