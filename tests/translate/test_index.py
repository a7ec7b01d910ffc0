"""The position indexes the analysis uses instead of climbing the tree agree with climbing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tree_sitter import Node

from bridge.translate._analyse import (
    FUNCTION_TYPES,
    NamePositions,
    _has_word,
    _masked,
    _tree_names,
    function_of,
    own_nodes,
    walk,
)
from bridge.translate._parse import Parsed, parse


def enclosing_function(node: Node) -> Node | None:
    """The definition function_of answers by position: the nearest function ancestor."""
    p = node.parent
    while p is not None:
        if p.type in FUNCTION_TYPES:
            return p
        p = p.parent
    return None


# Every name at once: a token starting at a letter that follows no `.` or name character
# (except after `...`), in the source with strings and comments blanked out. NamePositions
# answers name by name.
_NAME_WORD = re.compile(rb"[A-Za-z_$](?:(?<=\.\.\..)|(?<![.\w$].))[\w$]*")


def name_positions(parsed: Parsed) -> dict[str, list[int]]:
    if not parsed.source.isascii():
        return _tree_names(parsed)
    by_word: dict[bytes, list[int]] = {}
    for m in _NAME_WORD.finditer(_masked(parsed)):
        by_word.setdefault(m.group(), []).append(m.start())
    return {word.decode("ascii"): starts for word, starts in by_word.items()}


EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.js"))
NESTED = (
    """\
x => 1
async y => z => 2
function outer(a) {
  function inner() { return 1; var v = 2; function deep() { throw 3; } }
  const f = () => { return 2; };
  var w = 1;
  class C { m() { return 3; } static async n() { return () => this; } }
  if (a) throw a;
  q => r
  return (function () { return 4; })();
}
const g = async (x) => {
  for (const y of x) { if (y) return y; }
  return [1].map(z => { return z; });
};
function big() {
"""
    + "".join(f"  const f{i} = () => {i};\n" for i in range(100))
    + "  return 1;\n}\n"
)
SOURCES = [NESTED] + [p.read_text() for p in EXAMPLES]


@pytest.mark.parametrize("source", SOURCES, ids=["nested"] + [p.name for p in EXAMPLES])
def test_function_of_is_the_enclosing_function(source: str) -> None:
    parsed = parse(source)
    checked = 0
    for node in walk(parsed.root):
        assert function_of(parsed, node) == enclosing_function(node), parsed.text(node)[:60]
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("source", SOURCES, ids=["nested"] + [p.name for p in EXAMPLES])
def test_own_nodes_are_those_whose_function_is_fn(source: str) -> None:
    parsed = parse(source)
    kinds = ("return_statement", "throw_statement", "variable_declaration", "function_declaration")
    for fn in walk(parsed.root):
        body = fn.child_by_field_name("body") if fn.type in FUNCTION_TYPES else None
        if body is None:
            continue
        want = [
            n.id
            for n in walk(body)
            if n.type in kinds and n != body and enclosing_function(n) == fn
        ]
        assert [n.id for n in own_nodes(parsed, body, fn, kinds)] == want, parsed.text(fn)[:60]


@pytest.mark.parametrize(
    ("source", "word", "found"),
    [
        (b"a value b", b"value", True),
        (b"x.value", b"value", True),
        (b"values", b"value", False),
        (b"_value", b"value", False),
        (b"$value", b"value", False),
        (b"value2", b"value", False),
        (b"2value", b"value", True),  # a scan for words skips the digits, then finds `value`
        (b"a2value", b"value", False),
        (b"\xc3\xa9value", b"value", True),
        (b"no value2 here, value3", b"value2", True),
        (b"", b"value", False),
    ],
)
def test_has_word_matches_a_scan_for_words(source: bytes, word: bytes, found: bool) -> None:
    assert _has_word(source, word) is found


NAMES = """\
const a = b.c + $d + _e; // a comment naming f and g
let s = "h and i", t = `j ${k + l.m} n`;
o(...p, ...q.r); 2value; x2y; a.b.c.d;
/* x y */ function u({ v, w: z }, [aa, ...bb]) { return v ?. w ?? aa; }
"""


@pytest.mark.parametrize(
    "source", [NAMES, "const é = 1; let a = é + b; // c\n", *SOURCES], ids=lambda s: s[:12]
)
def test_name_positions_asked_one_by_one_match_all_at_once(source: str) -> None:
    parsed = parse(source)
    every = name_positions(parsed)
    lazy = NamePositions(parsed)
    assert every, "the source has names"
    for name, starts in every.items():
        assert lazy.get(name) == starts, name
    for absent in ("f", "h", "x", "value", "zz", "c d", ""):
        if absent not in every:
            assert lazy.get(absent) is None and lazy.get(absent, []) == []


@pytest.mark.parametrize(
    ("source", "refused"),
    [
        ("function f() {\n  try {\n    return get().then(x => x);\n  } finally {}\n}\n", True),
        # a try outside the function that returns the chain: not the function's business
        ("try {\n  var f = () => {\n    return get().then(x => x);\n  };\n} catch {}\n", False),
        # a try in the function that ends before the return
        ("function f() {\n  try { a(); } catch {}\n  return get().then(x => x);\n}\n", False),
        ("function f() {\n  try { a(); } catch { return get().then(x => x); }\n}\n", True),
    ],
)
def test_return_in_try_is_found_by_position(source: str, refused: bool) -> None:
    import bridge

    rules = {d.rule for d in bridge.translate(source).diagnostics}
    assert ("return-in-try" in rules) is refused, rules


def test_a_translation_leaves_no_reference_cycles() -> None:
    # The cyclic GC is paused while translating; a cycle (a recursive closure once was one)
    # would keep the whole tree and its indexes alive until the next collection.
    import gc

    import bridge

    source = "".join(
        f"function f{i}(a) {{ return get(a).then(({{ x, y: [z] }}) => x + z).catch(e => 0); }}\n"
        for i in range(50)
    )
    bridge.translate(source)  # first: imports and lazily built classes make cycles of their own
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        assert bridge.translate(source).changed
        assert gc.collect() == 0, {type(o).__name__ for o in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
