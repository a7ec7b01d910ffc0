"""A function made async turns its synchronous throws into rejections: it is still
converted, and a note (`sync-throw`, one line) names every place evaluated before its chains
that can throw. The call the chain starts on is assumed to reject rather than throw."""

from __future__ import annotations

import pytest

import bridge

from .harness import outcome


def notes(source: str) -> list[tuple[int, int, str]]:
    result = bridge.translate(source)
    assert result.changed
    for d in result.diagnostics:
        assert "\n" not in d.message
    return [(d.line, d.column, d.message) for d in result.diagnostics if d.rule == "sync-throw"]


def test_the_issue_example_is_converted_with_a_note() -> None:
    src = "function f(x) {\n  const y = x.a.b;\n  return get(y).then(v => v + 1);\n}\n"
    assert notes(src) == [
        (
            2,
            13,
            "`f` becomes async: a synchronous throw from `x.a.b` now rejects its "
            "promise instead of reaching the caller",
        )
    ]


@pytest.mark.parametrize(
    ("source", "places"),
    [
        ("function f({a}) { return get(a).then(v => v); }", [(1, 12)]),
        ("function f(a = make()) { return get(a).then(v => v); }", [(1, 16)]),
        ("function f(a) { check(a); log(a); return get(a).then(v => v); }", [(1, 17), (1, 27)]),
        ("function f(a) { const n = a.list[0]; return get(n).then(v => v); }", [(1, 27)]),
    ],
)
def test_each_place_is_noted(source: str, places: list[tuple[int, int]]) -> None:
    found = notes(source)
    assert [(line, col) for line, col, _ in found[:1]] == places[:1]
    assert len(found) == 1


def test_one_note_per_function_naming_three_places_and_a_count() -> None:
    src = "function f(a) { a.b(); a.c(); a.d(); a.e(); return get(a).then(v => v); }"
    assert notes(src) == [
        (
            1,
            17,
            "`f` becomes async: a synchronous throw from `a.b()`, `a.c()`, `a.d()`, "
            "1 more place now rejects its promise instead of reaching the caller",
        )
    ]


@pytest.mark.parametrize(
    "source",
    [
        "function f(a) { return get(a.b.c).then(v => v); }",  # the chain's own start
        "function f(a) { const n = a + 1; return get(n).then(v => v); }",
        "class A { m() { const t = this.x; return get(t).then(v => v); } }",
        "function f(a) { const g = () => a.b.c; return get(a).then(v => g(v)); }",
        "const f = (a) => get(a).then(v => v);",
    ],
)
def test_nothing_that_cannot_throw_is_noted(source: str) -> None:
    assert notes(source) == []


def test_what_the_note_warns_about() -> None:
    # Before: f(null) throws at once, so the try sees it. After: a rejected promise.
    program = (
        "function f(x) { const y = x.a; return ok(y).then(v => v); }\n"
        "function main() { try { f(null); return 'returned'; } catch (e) { return 'threw'; } }"
    )
    translated = bridge.translate(program).code
    assert outcome(program)["outcome"] == {"value": "threw"}
    assert outcome(translated)["outcome"] == {"value": "returned"}


def test_an_explicit_throw_is_left_alone() -> None:
    # A function that throws on purpose means its callers rely on it: not converted.
    src = "function f(a) { if (!a) throw new Error('no'); return get(a).then(v => v); }"
    result = bridge.translate(src)
    assert not result.changed
    assert [d.rule for d in result.diagnostics] == ["sync-throw"]


def test_a_note_from_a_later_round_is_located_in_the_input() -> None:
    # The callback is converted by a second round, over the output of the first.
    src = (
        "function f(a) {\n  log(a);\n  return withIt(a, p => {\n    const q = p.x.y;\n"
        "    return load(q).then(s => s.size);\n  }).then(n => n + 1);\n}\n"
    )
    result = bridge.translate(src)
    assert "async p =>" in result.code
    assert notes(src) == [
        (
            2,
            3,
            "`f` becomes async: a synchronous throw from `log(a)` now rejects its promise "
            "instead of reaching the caller",
        ),
        (
            4,
            15,
            "the function becomes async: a synchronous throw from `p.x.y` now rejects its "
            "promise instead of reaching the caller",
        ),
    ]
