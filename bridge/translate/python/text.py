"""Text for the Python target: string literals, f-string pieces, comments, line layout.

Pure functions on strings, used by the Python target (``emitter``) while it writes a module:
how a JS string literal's value is spelled in Python, how a JS comment becomes a ``#``
comment or the module docstring, and how a line longer than the project's 100 columns is
laid out the way ``ruff format`` would (so the output passes ``ruff check`` without a
formatter at hand).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..._exceptions import TranslationError

__all__ = [
    "MAX_LINE",
    "drop_trailing_return",
    "fstring_text",
    "indent",
    "join_top",
    "js_comment",
    "js_string",
    "module_docstring",
    "none_guard",
    "pystr",
    "space_nested_defs",
    "wrap_line",
]


def indent(lines: list[str]) -> list[str]:
    """Lines one level deeper (four spaces); blank lines stay empty (no trailing spaces)."""
    return [("    " + line) if line else "" for line in lines]


def join_top(lines: list[str]) -> list[str]:
    """Two blank lines around top-level defs (and the comments just above them), none
    between other top-level statements: the one blank-line style of PEP 8."""
    out: list[str] = []
    in_def = False
    for line in lines:
        if not line or line[0].isspace():
            out.append(line)
            continue
        is_def = line.startswith(("def ", "async def ", "class "))
        if (is_def or in_def) and out and out[-1] != "":
            at = len(out)
            if is_def:
                while at > 0 and out[at - 1].startswith("#"):
                    at -= 1
            if at > 0 and out[at - 1] != "":
                out[at:at] = ["", ""]
        if not line.startswith("#"):
            in_def = is_def
        out.append(line)
    return out


def wrap_line(line: str) -> list[str]:
    """A line longer than the project's 100 columns, split inside its last bracket pair the
    way ruff format does: one item per line, a trailing comma after several items."""
    if len(line) <= MAX_LINE or line.lstrip().startswith("#"):
        return [line]
    indent = line[: len(line) - len(line.lstrip())]
    statement = _statement_head(line)
    if statement:
        expr = line[len(statement) :]
        parts = [expr]
        for op in (" if ", " else ", " or ", " and "):
            parts = [piece for part in parts for piece in split_top(part, op, keep=True)]
        if len(parts) > 1 and not expr.lstrip().startswith(("lambda", "await ")):
            # ruff format's way with a long conditional: in parentheses, one clause a line.
            inner = indent + "    "
            out = [statement + "("]
            for part in parts:
                out += wrap_line(inner + part.strip())
            return [*out, indent + ")"]
    pairs = bracket_pairs(line)
    for opening, closing in sorted(pairs, key=lambda p: -p[1]):
        body = line[opening + 1 : closing].strip()
        if not body:
            continue
        head, tail = line[: opening + 1], line[closing:]
        inner = indent + "    "
        # A comprehension first: the commas of ``for i, x in ...`` are not items.
        parts = split_top(body, " for ", keep=True)
        items = split_top(body, ",") if len(parts) == 1 else [body]
        if len(parts) > 1:
            middle = [f"{inner}{part.strip()}" for part in parts]
        elif len(items) > 1:
            middle = [f"{inner}{item.strip()}," for item in items if item.strip()]
        else:
            middle = [f"{inner}{body}"]
        out = [head]
        for piece in middle:
            out += wrap_line(piece)
        return [*out, indent + tail.lstrip()]
    return [line]


def _statement_head(line: str) -> str:
    """``    return `` or ``    name = `` / ``    name["key"] = ``: the part of a line before
    its expression, for a return or an assignment to a name (or a subscript of one); else
    "". Read with the bracket scanner, as the line is laid out, not parsed."""
    body = line.lstrip()
    pad = line[: len(line) - len(body)]
    if body.startswith("return "):
        return pad + "return "
    parts = split_top(body, " = ")
    if len(parts) < 2:
        return ""
    target = parts[0]
    name, bracket, key = target.partition("[")
    if not all(part.isidentifier() for part in name.split(".")):
        return ""
    if bracket and (not key.endswith("]") or "]" in key[:-1]):
        return ""
    return pad + target + " = "


def _outside_strings(text: str) -> Iterator[int]:
    """Positions of the characters of text outside its string literals (their quotes and
    escapes excluded): what the bracket scanners below look at."""
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        else:
            yield i
        i += 1


def bracket_pairs(line: str) -> list[tuple[int, int]]:
    """(opening, closing) positions of the brackets of a line, strings skipped."""
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for i in _outside_strings(line):
        ch = line[i]
        if ch in "([{":
            stack.append(i)
        elif ch in ")]}" and stack:
            pairs.append((stack.pop(), i))
    return pairs


def split_top(text: str, sep: str, keep: bool = False) -> list[str]:
    """text split at sep (no quotes in it) where sep is outside brackets and strings."""
    parts: list[str] = []
    lambdas: list[int] = []
    depth, start, skip = 0, 0, 0
    for i in _outside_strings(text):
        if i < skip:  # inside the separator just split at
            continue
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith("lambda", i) and (i == 0 or not text[i - 1].isalnum()):
            depth += 1  # a lambda's parameters: closed by its colon below
            lambdas.append(depth)
        elif ch == ":" and lambdas and lambdas[-1] == depth:
            lambdas.pop()
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + (0 if keep else len(sep))
            skip = i + len(sep)
    parts.append(text[start:])
    return parts


def module_docstring(comments: list[str], filename: str | None) -> str:
    """The module docstring: the JS file's opening comment, and where the module came from."""
    lines: list[str] = []
    for text in comments:
        if text.startswith("//"):
            lines.append(text[3:] if text.startswith("// ") else text[2:])
        else:
            for line in text[2:-2].splitlines():
                stripped = line.strip()
                lines.append(stripped[2:] if stripped.startswith("* ") else stripped.lstrip("*"))
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    if filename:
        name = filename.replace("\\", "/").rsplit("/", 1)[-1]
        lines += ["", f"Translated from {name} by ``bridge translate --to python``."]
    if not any(line.strip() for line in lines):
        return ""
    body = "\n".join(line.rstrip() for line in lines).replace("\\", "\\\\")
    body = body.replace('"""', '\\"\\"\\"').lstrip("\n")
    return f'"""{body}\n"""'


def js_comment(text: str) -> str:
    text = text.strip()
    if text.startswith("//"):
        return "# " + text[2:].strip() if text[2:].strip() else "#"
    body = [line.strip().lstrip("*").strip() for line in text[2:-2].splitlines()]
    body = [b for b in body if b]
    return "\n".join("# " + b for b in body) if body else "#"


def drop_trailing_return(lines: list[str]) -> list[str]:
    while lines and lines[-1] in ("return", "return None"):
        lines = lines[:-1]
    return lines or ["pass"]


def pystr(value: str, fstring: int = 0) -> str:
    """A Python string literal for value (double quotes; single inside an f-string)."""
    quote = "'" if fstring else '"'
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == quote:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        else:
            out.append(_escaped(ch))
    text = "".join(out)
    if fstring and "\\" in text:
        raise TranslationError("backslash in a string inside a template string", rule="unsupported")
    return f"{quote}{text}{quote}"


def fstring_text(value: str) -> str:
    """Literal text of an f-string: braces doubled, quotes, backslashes and the characters
    of _escaped escaped."""
    text = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("{", "{{")
        .replace("}", "}}")
        .replace("\t", "\\t")
        .replace("\r", "\\r")
    )
    return _UNSAFE.sub(lambda m: _escaped(m.group()), text)


# What a Python string literal cannot hold as it is: control characters (NUL is not even
# allowed in a source file; "\n" ends the line), DEL, and lone surrogates (a JS string may
# hold them; the module's text could not be written as UTF-8).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _escaped(ch: str) -> str:
    """ch as it may stand in a Python string literal (escaped when _UNSAFE)."""
    if not _UNSAFE.match(ch):
        return ch
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def js_string(literal: str) -> str:
    """The value of a JS string literal (quotes included in literal)."""
    body = literal[1:-1]
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in ESCAPES:
            out.append(ESCAPES[nxt])
            i += 2
        elif nxt == "x":
            out.append(chr(int(body[i + 2 : i + 4], 16)))
            i += 4
        elif nxt == "u" and body[i + 2] == "{":
            end = body.index("}", i)
            out.append(chr(int(body[i + 3 : end], 16)))
            i = end + 1
        elif nxt == "u":
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        elif nxt == "\n":
            i += 2
        else:
            out.append(nxt)
            i += 2
    value = "".join(out)
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        # JS strings are UTF-16: "\ud83d\ude00" is one character (U+1F600), as Python
        # has it only once the pair is joined; a lone surrogate stays as it is.
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return value


MAX_LINE = 100


ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def space_nested_defs(lines: list[str]) -> list[str]:
    """One blank line around a nested def (not at the top of its block), as ruff format
    writes it."""
    out: list[str] = []
    open_defs: list[int] = []  # indents of nested defs whose block is still going
    for line in lines:
        stripped = line.lstrip()
        depth = len(line) - len(stripped)
        if stripped:
            while open_defs and depth <= open_defs[-1]:
                open_defs.pop()
                if out and out[-1] != "":
                    out.append("")  # after the def, before the next statement
        is_def = depth > 0 and stripped.startswith(("def ", "async def "))
        if is_def and out and out[-1] != "" and not out[-1].rstrip().endswith(":"):
            out.append("")
        if is_def:
            open_defs.append(depth)
        out.append(line)
    return out


def none_guard(receivers: list[str], pad: str = "") -> list[str]:
    """``if r is None: raise TypeError``: what JS does when a destructuring or a property
    read meets ``null``/``undefined`` (both are None here)."""
    test = " or ".join(f"{r} is None" for r in receivers)
    return [f"{pad}if {test}:", f'{pad}    raise TypeError("cannot read properties of None")']
