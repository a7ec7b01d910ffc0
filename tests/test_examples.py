"""Every example runs to completion as a user would run it, and prints something."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=path.parent
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip(), f"{path.name} printed nothing"
    assert "Traceback" not in proc.stderr, proc.stderr
