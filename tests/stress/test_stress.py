"""The short form of the stress suite (``nox -s stress`` runs the long one: crossings.py).

Each kind runs in its own process, a few batches: the cost per batch must stay flat (no stall
that grows with the number of crossings). Memory is judged by the long form only: over 20,000
crossings the forced JS collection every 100,000 promise jobs has not run yet, so RSS only shows
the saw's rising edge.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crossings

TOTAL = 8_000
BATCH = 2_000


@pytest.fixture(autouse=True)
def _checkout_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    root = str(Path(__file__).resolve().parent.parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))


@pytest.mark.parametrize("kind", list(crossings.KINDS))
def test_crossing_cost_stays_flat(kind: str) -> None:
    out = crossings.measure(kind, TOTAL, BATCH, timeout=120)
    times = out["times"]
    # No batch may cost much more than the fastest: a stall grows with the crossings done.
    assert max(times[1:]) < 3 * min(times) + 0.5, times
