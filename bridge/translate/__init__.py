"""The translator: promise chains (``.then/.catch/.finally``) -> async/await, as JS or Python.

Stages (each a private module; see ``_model`` for the chain model and the IR):

* ``_parse``    tree-sitter parse of ``.js .mjs .cjs .jsx .ts .tsx``; syntax errors located.
* ``_analyse``  finds every chain and describes it (``Chain``, ``Step``, ``Handler``).
* ``rules/``    one module per shape: each either lowers its part of a chain into the IR or
                refuses with a named diagnostic (``Unsafe``); registered by a decorator.
* ``_lower``    runs the rules over a chain: the IR of async statements.
* ``_emit_js``  renders the IR as JavaScript and splices it into the untouched source.
* ``python``  the Python target (issue 6): reads the same chain model (``_analyse``) and
                lowers each step to asyncio statements (``python.helpers``, ``python.text``).

``translate`` is the one public entry point; ``bridge.translate`` re-exports it.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
from typing import Literal

from .._exceptions import TranslationError
from ._model import Diagnostic, Translation

__all__ = ["Diagnostic", "Translation", "translate"]


def translate(
    source: str,
    *,
    to: Literal["js", "python"] = "js",
    filename: str | None = None,
    target: str = "es2017",
) -> Translation:
    """Rewrite the promise chains of a JS/TS module as async/await.

    ``to="js"`` keeps everything outside the rewritten chains byte for byte; chains that
    cannot be rewritten equivalently stay as they are, each with a ``Diagnostic`` saying why.
    ``to="python"`` translates the whole module into Python asyncio code.
    ``filename`` picks the grammar by extension (JavaScript when None) and names the input in
    errors. ``target`` is the oldest ECMAScript edition the JS output must parse as
    (``"es2017"``, the first with ``async``/``await``, up to ``"esnext"``): below ``"es2019"``
    a ``catch`` always binds a name unless the input already uses ``catch {``.

    Raises:
        TranslationError: the source does not parse (``rule == "syntax"``, with its line and
            column), holds a lone surrogate (``"encoding"``), is over ``MAX_SOURCE_BYTES``
            of UTF-8 (``"too-large"``), ``to`` is unknown, or the Python target cannot
            express the module.
    """
    from ._parse import check_size, encode

    check_size(encode(source))
    try:
        return _translate(source, to=to, filename=filename, target=target)
    except RecursionError:
        # Deep nesting (a chain of thousands of steps, handlers nested hundreds deep) goes
        # past Python's recursion limit somewhere in the stages: a located error, not a crash.
        from ._parse import deepest, parse

        depth, line, column = deepest(parse(source, filename))
        raise TranslationError(
            f"the source nests too deeply to translate ({depth} levels)",
            line=line,
            column=column,
            rule="too-deep",
        ) from None


def _translate(source: str, *, to: str, filename: str | None, target: str) -> Translation:
    if to == "js":
        from ._driver import translate_js

        # The translator makes ~10^5 short-lived node wrappers and no reference cycles; cyclic
        # GC passes over them are pure cost (5-10% of a large file), so they wait until the end.
        paused = gc.isenabled()
        gc.disable()
        try:
            return translate_js(source, filename=filename, target=target)
        finally:
            if paused:
                gc.enable()
    if to == "python":
        # The Python target (issue 6) lives in its own module; looked up by name so that this
        # entry point works (with a clear error) in a tree that does not have it yet.
        name = f"{__name__}.python"
        if importlib.util.find_spec(name) is None:
            raise TranslationError(
                "the Python target is not available in this build", rule="unsupported"
            )
        result: Translation = importlib.import_module(name).translate_module(
            source, filename=filename
        )
        return result
    raise TranslationError(f"unknown target {to!r}: expected 'js' or 'python'", rule="usage")
