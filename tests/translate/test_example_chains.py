"""examples/chains.js, the README's main job: translated, it prints exactly what it printed."""

from __future__ import annotations

from pathlib import Path

import pytest

import bridge
from bridge._cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "chains.js"


def test_every_chain_of_the_example_is_rewritten() -> None:
    result = bridge.translate(EXAMPLE.read_text(), filename=str(EXAMPLE))
    assert result.diagnostics == ()
    assert ".then(" not in result.code and ".catch(" not in result.code
    assert ".finally(" not in result.code


def test_translation_prints_the_same(capfd: pytest.CaptureFixture[str]) -> None:
    source = EXAMPLE.read_text()
    # Each run in a block of its own: the engine is shared, top-level consts would collide.
    assert bridge.run("{\n" + source + "\n}") == "done"
    before = capfd.readouterr().out
    assert bridge.run("{\n" + bridge.translate(source).code + "\n}") == "done"
    after = capfd.readouterr().out
    assert after == before
    assert "not paid: card declined for Lin" in after


def test_cli_main_job(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["translate", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("// An order service")
    assert "async function checkout(id, total) {" in out
