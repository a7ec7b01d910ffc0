"""Random expressions of the subset: the same values in the engine and in Python.

Hypothesis builds typed expression trees (numbers, strings, booleans; literals and values that
arrive through ``await ok(v)``, whose type the translator cannot know) with ``+ - * /``,
comparisons, ``! && || ??``, ternaries, template strings, ``.length`` and ``.join``; a
program logs several of them and returns one. Both sides must log and return the same
values. Combinations whose results JS and Python define differently by design (README:
truthiness of empty arrays, ``%`` on negatives, division by zero) are not drawn.
"""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import bridge

from .python_harness import assert_same

NUM_LITERALS = st.sampled_from(["0", "1", "2", "7", "10", "0.5", "1.25", "3"])
STR_LITERALS = st.sampled_from(["''", "'a'", "'hello'", "'7'", "'x y'"])
DIVISORS = st.sampled_from(["2", "4", "0.5", "3"])

# Values whose type only the running program knows: main() binds them first.
AWAITED = {"n1": "3", "n2": "0.25", "n3": "10", "s1": "'ab'", "s2": "''"}


def _leaf(kind: str) -> st.SearchStrategy[str]:
    names = [name for name in AWAITED if name.startswith(kind[0])]
    literals = NUM_LITERALS if kind == "num" else STR_LITERALS
    return st.one_of(literals, st.sampled_from(names))


@functools.cache
def expressions(kind: str, depth: int = 3) -> st.SearchStrategy[str]:
    """A JS expression of the given kind: num, str or bool (deferred: a short repr)."""
    return st.deferred(lambda: _expressions(kind, depth))


def _expressions(kind: str, depth: int) -> st.SearchStrategy[str]:
    if kind == "bool":
        if depth <= 0:
            return st.sampled_from(["true", "false"])
        sub_num, sub_str = expressions("num", depth - 1), expressions("str", depth - 1)
        sub_bool = expressions("bool", depth - 1)
        return st.one_of(
            st.tuples(sub_num, st.sampled_from(["<", ">=", "===", "!=="]), sub_num).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(sub_str, sub_str).map(lambda t: f"({t[0]} === {t[1]})"),
            sub_bool.map(lambda e: f"!{e}"),
            st.tuples(sub_str, sub_str).map(lambda t: f"{t[0]}.includes({t[1]})"),
            st.tuples(
                st.one_of(_leaf("num"), _leaf("str")), st.sampled_from(["number", "string"])
            ).map(lambda t: f"(typeof {t[0]} === '{t[1]}')"),
            st.tuples(sub_bool, st.sampled_from(["&&", "||"]), sub_bool).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
        )
    if depth <= 0:
        return _leaf(kind)
    sub = expressions(kind, depth - 1)
    sub_num = expressions("num", depth - 1)
    sub_bool = expressions("bool", depth - 1)
    ternary = st.tuples(sub_bool, sub, sub).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})")
    if kind == "num":
        return st.one_of(
            _leaf("num"),
            st.tuples(sub, st.sampled_from(["+", "-", "*"]), sub).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(sub, DIVISORS).map(lambda t: f"({t[0]} / {t[1]})"),
            sub.map(lambda e: f"(-{e})"),
            expressions("str", depth - 1).map(lambda e: f"{e}.length"),
            st.tuples(sub, st.sampled_from(["||", "&&"]), sub).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(_leaf("num"), sub).map(lambda t: f"({t[0]} ?? {t[1]})"),
            ternary,
        )
    sub_any = st.one_of(sub, sub_num, sub_bool)
    return st.one_of(
        _leaf("str"),
        st.tuples(sub, sub_any).map(lambda t: f"({t[0]} + {t[1]})"),
        st.tuples(sub_num, sub).map(lambda t: f"({t[0]} + {t[1]})"),
        st.lists(sub_any, min_size=1, max_size=3).map(
            lambda parts: "`" + "-".join("${" + p + "}" for p in parts) + "`"
        ),
        st.lists(st.one_of(sub, sub_num), min_size=0, max_size=3).map(
            lambda items: f"[{', '.join(items)}].join('/')"
        ),
        st.lists(sub_num, min_size=1, max_size=3).map(
            lambda items: f"[{', '.join(items)}].map((x, i) => x * 2 + i).join('+')"
        ),
        st.lists(sub_num, min_size=1, max_size=3).map(
            lambda items: f"[{', '.join(items)}].filter((x) => x > 1).join(',')"
        ),
        sub.map(lambda e: f"{e}.toUpperCase()"),
        st.tuples(sub, st.sampled_from(["0", "1", "2"])).map(lambda t: f"{t[0]}.slice({t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"({t[0]} || {t[1]})"),
        ternary,
    )


@st.composite
def programs(draw: st.DrawFn) -> str:
    lines = ["async function main() {"]
    for name, value in AWAITED.items():
        lines.append(f"  const {name} = await ok({value});")
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["num", "str", "bool"]))
        lines.append(f"  log({draw(expressions(kind))});")
    kind = draw(st.sampled_from(["num", "str", "bool"]))
    lines.append(f"  return {draw(expressions(kind, 2))};")
    lines.append("}")
    return "\n".join(lines)


@settings(
    max_examples=60,  # ~4 s per Python
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(programs())
def test_random_expressions_have_the_same_values(program: str) -> None:
    try:
        bridge.translate(program, to="python")
    except bridge.TranslationError as exc:
        # Python before 3.12 cannot nest f-strings deeper; the translator says so.
        assert exc.rule == "unsupported" and "template string" in exc.message, exc
        reject()
    assert_same(program)
