"""One run reaches the fixed point: translating the output again changes nothing, on every
input of the tables, the JS example, random chains, and the shapes that used to need a
second or third run (a chain inside a callback, after an early return, nested in both)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import bridge

from . import test_equivalence, test_python_equivalence, test_python_subset, test_rules
from .harness import assert_equivalent
from .test_hypothesis import programs

ROOT = Path(__file__).resolve().parents[2]


def _inputs() -> list[Any]:
    out: list[Any] = []
    for table in ("THEN", "THEN_REJECT", "CATCH", "FINALLY", "CONTEXTS", "NOOPS"):
        for row in getattr(test_rules, table):
            values = row.values if hasattr(row, "values") else row
            filename = values[1] if table == "NOOPS" else None
            out.append(pytest.param(values[0], filename, id=f"rules-{row.id or len(out)}"))
    for name, program in test_equivalence.SHAPES:
        out.append(pytest.param(program, None, id=f"equivalence-{name}"))
    for table in (test_python_equivalence.PROGRAMS, test_python_subset.FIXES):
        for row in table:
            if isinstance(row.values[0], str):
                out.append(pytest.param(row.values[0], None, id=f"python-{row.id}"))
    for path in sorted((ROOT / "examples").glob("*.js")):
        out.append(pytest.param(path.read_text(), str(path), id=f"example-{path.name}"))
    return out


def _again(source: str, filename: str | None) -> None:
    once = bridge.translate(source, filename=filename)
    twice = bridge.translate(once.code, filename=filename)
    assert twice.code == once.code, f"\n--- once\n{once.code}\n--- twice\n{twice.code}"


@pytest.mark.parametrize(("source", "filename"), _inputs())
def test_one_run_is_a_fixed_point(source: str, filename: str | None) -> None:
    _again(source, filename)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_chains_reach_the_fixed_point(program: str) -> None:
    _again(program, None)


# Chains the rules saw only as text inside an inlined handler: each needed another run.
SECOND_RUN = [
    pytest.param(
        "function withIt(a, cb) { return cb(a); }\n"
        "function main() { return withIt(5, p => { return ok(p).then(s => s * 2); })"
        ".then(n => n + 1); }",
        id="in-a-callback",
    ),
    pytest.param(
        "function main() { return ok(0).then(n => { if (n) return n; "
        "return ok(n + 1).then(d => d + 1); }); }",
        id="after-an-early-return",
    ),
    pytest.param(
        "function withIt(a, cb) { return cb(a); }\n"
        "function main() { return ok(0).then(n => { if (n) return n; "
        "return withIt(n, p => { return ok(p).then(q => ok(q + 1).then(r => r * 3)); }); }); }",
        id="three-deep",
    ),
]


@pytest.mark.parametrize("program", SECOND_RUN)
def test_nested_chains_are_rewritten_in_one_run(program: str) -> None:
    _, code = assert_equivalent(program)
    assert ".then(" not in code
    _again(program, None)


def test_a_later_round_locates_its_diagnostic_in_the_input() -> None:
    src = (
        "function f() {\n  return get().then(x => {\n"
        "    audit(x).then(function () { return this.y; });\n"
        "    return x;\n  });\n}\n"
    )
    result = bridge.translate(src)
    assert "const x = await get();" in result.code
    assert [(d.line, d.column, d.rule) for d in result.diagnostics] == [(3, 40, "this-arguments")]
