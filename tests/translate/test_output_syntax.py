"""The JS output parses as the edition asked for: ES2017 (async/await) by default, plus what
the input already uses; no `catch {` unless the file has one or --target es2019+ asks."""

from __future__ import annotations

import pytest

import bridge
from bridge import TranslationError

from .harness import assert_equivalent

IGNORED = "function f() {\n  return get().catch(() => 0);\n}\n"


def test_catch_binds_a_name_by_default() -> None:
    code = bridge.translate(IGNORED).code
    assert "} catch (error) {" in code and "catch {" not in code


def test_the_fresh_binding_shadows_nothing_the_handler_reads() -> None:
    src = "function f(error) {\n  return get().catch(() => error);\n}\n"
    code = bridge.translate(src).code
    assert "} catch (error2) {" in code and "value = await error;" in code


def test_optional_binding_when_the_file_already_uses_it() -> None:
    src = "try { a(); } catch { b(); }\n" + IGNORED
    assert "} catch {\n    value = 0;" in bridge.translate(src).code


def test_a_catch_word_in_a_string_or_comment_is_not_optional_binding() -> None:
    src = "// try {} catch {}\nconst s = 'catch {';\n" + IGNORED
    assert "} catch (error) {" in bridge.translate(src).code


@pytest.mark.parametrize("target", ["es2019", "es2022", "esnext"])
def test_optional_binding_from_es2019(target: str) -> None:
    assert "} catch {" in bridge.translate(IGNORED, target=target).code


def test_unknown_target_is_a_usage_error() -> None:
    with pytest.raises(TranslationError, match="unknown target 'es5'") as info:
        bridge.translate(IGNORED, target="es5")
    assert info.value.rule == "usage"


def test_bound_catch_behaves_the_same() -> None:
    assert_equivalent(
        "let error = 'outer';\n"
        "function main() { return fail('x').catch(() => error).then(v => log(v)); }"
    )
