"""bridge.translate as a function: bytes kept, languages, errors, the public names."""

from __future__ import annotations

from typing import Any

import pytest

import bridge
from bridge.translate import Diagnostic, Translation
from bridge.translate import translate as translate_fn
from bridge.translate._parse import parse


def test_bridge_translate_is_the_function() -> None:
    assert bridge.translate is translate_fn
    assert callable(bridge.translate)
    result = bridge.translate("function f() { return a().then(x => x); }")
    assert isinstance(result, bridge.Translation)
    assert bridge.Translation is Translation and bridge.Diagnostic is Diagnostic


def test_unchanged_source_is_returned_as_is() -> None:
    src = "// nothing here\nconst x = 1;\n"
    assert bridge.translate(src) == Translation(src, False, ())


def test_everything_outside_the_chain_is_kept_byte_for_byte() -> None:
    head = "#!/usr/bin/env node\r\n/* licence */\r\nconst  odd   =  1 ;   // spacing\r\n\r\n"
    tail = "\r\n\r\n// trailing comment\r\nexport { odd };\r\n"
    chain = "function f() {\r\n  return get().then(x => x + 1);\r\n}"
    result = bridge.translate(head + chain + tail, filename="m.mjs")
    assert result.code.startswith(head)
    assert result.code.endswith(tail)
    middle = result.code[len(head) : -len(tail)]
    assert middle == "async function f() {\r\n  const x = await get();\r\n  return x + 1;\r\n}"
    assert "\n" not in result.code.replace("\r\n", "")  # CRLF file stays CRLF


def test_comments_between_steps_are_kept() -> None:
    src = (
        "function f() {\n"
        "  return get() // fetch\n"
        "    /* then */ .then(/* the user */ x => other(x) /* inner */ .then(y => y))\n"
        "    .catch((e /* err */) => 0);\n"
        "}\n"
    )
    code = bridge.translate(src).code
    for comment in ("// fetch", "/* then */", "/* the user */", "/* inner */", "/* err */"):
        assert code.count(comment) == 1, comment


def test_multiline_template_literal_is_not_reindented() -> None:
    src = (
        "function f() {\n"
        "  return get().then(x => {\n"
        "    const s = `line1\n"
        "    line2`;\n"
        "    return s + x;\n"
        "  });\n"
        "}\n"
    )
    code = bridge.translate(src).code
    assert "`line1\n    line2`" in code


def test_typescript_keeps_annotations() -> None:
    src = (
        "async function f(): Promise<number> {\n"
        "  const n: number = await get().then((x: number) => x + 1);\n"
        "  return n;\n"
        "}\n"
    )
    code = bridge.translate(src, filename="a.ts").code
    assert "const x: number = await get();" in code
    assert "const n: number = x + 1;" in code
    assert parse(code, "a.ts").syntax_problem() is None


@pytest.mark.parametrize("ext", [".jsx", ".tsx"])
def test_jsx(ext: str) -> None:
    src = "function f() {\n  return get().then(x => <b>{x}</b>);\n}\n"
    code = bridge.translate(src, filename="c" + ext).code
    assert code == "async function f() {\n  const x = await get();\n  return <b>{x}</b>;\n}\n"


def test_syntax_error_is_located() -> None:
    with pytest.raises(
        bridge.TranslationError, match=r"^syntax error at line 2, column 5$"
    ) as info:
        bridge.translate("const x = 1;\nfoo(;\n")
    assert (info.value.line, info.value.column, info.value.rule) == (2, 5, "syntax")


def test_unknown_target() -> None:
    with pytest.raises(bridge.TranslationError, match=r"unknown target 'ruby'"):
        bridge.translate("x", to="ruby")  # type: ignore[arg-type]


def test_diagnostic_format() -> None:
    d = Diagnostic(3, 7, "eager-start", "why")
    assert d.format("a.js") == "a.js:3:7: eager-start: why"


def test_fresh_names_avoid_every_word_of_the_file() -> None:
    # `value` and `fulfilled` appear (even only in a comment/property): the rewrite picks others
    src = "// value fulfilled\nfunction f() {\n  return get().then(x => o.value, e => 0);\n}\n"
    code = bridge.translate(src).code
    assert "let value2;" in code and "let fulfilled2 = false;" in code


def test_output_of_many_chains_parses_and_is_stable() -> None:
    src = "\n".join(
        f"function f{i}(a) {{\n  return g(a).then(x => x + {i}).catch(e => {i});\n}}"
        for i in range(50)
    )
    result = bridge.translate(src)
    assert result.code.count("async function") == 50
    assert parse(result.code).syntax_problem() is None
    assert not bridge.translate(result.code).changed


def test_comments_around_a_tail_return_are_kept_and_the_return_is_not_duplicated() -> None:
    src = (
        "function f() {\n"
        "  return get().then(x => {\n"
        "    log(x); // one\n"
        "    return x + 1; // done\n"
        "  });\n"
        "}\n"
    )
    assert bridge.translate(src).code == (
        "async function f() {\n"
        "  const x = await get();\n"
        "  log(x); // one\n"
        "  // done\n"
        "  return x + 1;\n"
        "}\n"
    )


def test_a_rewrite_that_would_not_parse_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    # The safety net under every rule: outputs are parsed again, and a rewrite that does not
    # parse is left out (its chain stays as it was) with an `internal` diagnostic.
    from bridge.translate import _emit_js

    real = _emit_js.JSEmitter.edits

    def broken(self: _emit_js.JSEmitter, low: Any) -> list[_emit_js.Edit]:
        edits = real(self, low)
        if (
            b"broken()"
            not in self.parsed.source[low.chain.node.start_byte : low.chain.node.end_byte]
        ):
            return edits
        return [_emit_js.Edit(e.start, e.end, e.text + b" )(") for e in edits]

    monkeypatch.setattr(_emit_js.JSEmitter, "edits", broken)
    first = "function f() {\n  return broken().then(x => x);\n}\n"
    second = "function g() {\n  return fine().then(y => y);\n}\n"
    result = bridge.translate(first + second)
    assert (
        result.code == first + "async function g() {\n  const y = await fine();\n  return y;\n}\n"
    )
    assert [(d.line, d.rule) for d in result.diagnostics] == [(2, "internal")]


def test_non_ascii_names() -> None:
    src = "function f() {\n  return get().then(café => café + 1);\n}\n"
    assert bridge.translate(src).code == (
        "async function f() {\n  const café = await get();\n  return café + 1;\n}\n"
    )


def test_words_in_strings_and_property_names_do_not_collide() -> None:
    # `x` in a string, `.items` as a property: neither is the variable, so no extra block;
    # `...items` is the variable.
    src = (
        "function f(o) {\n"
        "  log('x', o.items);\n"
        "  return get().then(x => x).then(items => [...items]);\n"
        "}\n"
    )
    assert bridge.translate(src).code == (
        "async function f(o) {\n"
        "  log('x', o.items);\n"
        "  const x = await get();\n"
        "  const items = await x;\n"
        "  return [...items];\n"
        "}\n"
    )


def test_temporaries_are_per_function_and_shadow_nothing() -> None:
    siblings = (
        "function f() {\n  return a().catch(() => 0);\n}\n"
        "function g() {\n  return b().catch(() => 1);\n}\n"
    )
    assert bridge.translate(siblings).code.count("  let value;\n") == 2
    nested = (
        "async function f() {\n"
        "  const v = await a().catch(() => 0);\n"
        "  function inner() {\n"
        "    return b().catch(() => 1);\n"
        "  }\n"
        "  return [v, inner];\n"
        "}\n"
    )
    code = bridge.translate(nested).code
    assert "  let value;\n" in code and "    let value2;\n" in code  # inner's does not shadow
