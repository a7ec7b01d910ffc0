"""A JS module built on promise chains and its Python translation, printing the same lines.

``chains.js`` is an order service written with ``.then/.catch/.finally``; ``chains.py`` next
to it is what ``bridge translate examples/chains.js --to python`` made of it (regenerate it
with ``--write``). This script runs the JS in the embedded engine (``bridge.run``) and the
Python under asyncio, prints both outputs side by side, and says whether they are the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import io
from pathlib import Path

import bridge

HERE = Path(__file__).parent


def run_js() -> list[str]:
    """What chains.js prints when the engine runs it."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bridge.run((HERE / "chains.js").read_text(encoding="utf-8"), filename="chains.js")
    return out.getvalue().splitlines()


def run_python() -> list[str]:
    """What the committed translation, chains.py, prints under asyncio."""
    spec = importlib.util.spec_from_file_location("chains", HERE / "chains.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        asyncio.run(module.main())
    return out.getvalue().splitlines()


def main() -> None:
    source = (HERE / "chains.js").read_text(encoding="utf-8")
    fresh = bridge.translate(source, to="python", filename="chains.js").code
    current = fresh == (HERE / "chains.py").read_text(encoding="utf-8")
    print(f"chains.py is {'the' if current else 'NOT the'} current translation of chains.js\n")

    js, py = run_js(), run_python()
    width = max(len(line) for line in [*js, "JavaScript (bridge.run)"]) + 2
    print(f"{'JavaScript (bridge.run)':<{width}}| Python (asyncio)")
    print(f"{'-' * width}+{'-' * width}")
    for i in range(max(len(js), len(py))):
        left = js[i] if i < len(js) else ""
        right = py[i] if i < len(py) else ""
        print(f"{left:<{width}}| {right}{'' if left == right else '   <-- differs'}")
    print(f"\n{'same lines, same order' if js == py else 'the outputs differ'}")
    if js != py:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
