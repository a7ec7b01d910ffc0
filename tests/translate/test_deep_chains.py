"""Very long chains: the step query and the Python target's name scan are linear in the
chain's length, so a chain too deep to rewrite is refused quickly (it once took 86 s)."""

from __future__ import annotations

import time

import pytest

from bridge.translate import TranslationError, translate
from bridge.translate._analyse import step_calls, walk
from bridge.translate._parse import parse

SOURCE = """\
const p = a.then(f).catch(g)?.finally(h);
a?.then(f); a.b.then(f)(x); (a.then)(f);
a["then"](f); then(f); a.thenx(f); a.then; a.then.call(b, f);
class C { #then() {} m() { return this.#then(); } }
new Promise(r => r(1)).then(v => v.then(w => w.catch(e => e)));
"""


def test_step_calls_are_the_then_catch_finally_method_calls() -> None:
    parsed = parse(SOURCE, None)
    expected = []
    for node in walk(parsed.root):
        fn = node.child_by_field_name("function") if node.type == "call_expression" else None
        prop = fn.child_by_field_name("property") if fn is not None else None
        if (
            fn is not None
            and fn.type == "member_expression"
            and prop is not None
            and prop.type == "property_identifier"
            and parsed.text(prop) in ("then", "catch", "finally")
        ):
            expected.append((node.start_byte, node.end_byte))
    found = [(n.start_byte, n.end_byte) for n in step_calls(parsed)]
    assert sorted(found) == sorted(expected)
    assert [start for start, _ in found] == sorted(start for start, _ in found)  # source order
    assert len(found) == 8


@pytest.mark.parametrize("to", ["python", "js"])
def test_a_10000_step_chain_finishes_in_seconds(to: str) -> None:
    source = "function f() { return get()" + ".then(x => x + 1)" * 10_000 + " }\n"
    start = time.perf_counter()
    try:
        translate(source, to=to)
    except TranslationError as exc:
        assert exc.rule == "too-deep" and to == "python"
    # Linear: about 2-3 s on a loaded 2-core machine; quadratic took 86 s (python) and 19 s
    # in the step query alone.
    assert time.perf_counter() - start < 20
