"""Shared fixtures: ``rt`` runs a test on each runtime (embedded, and node when Node is found)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator

import pytest

import bridge

HAVE_NODE = bool(os.environ.get("BRIDGE_NODE") or shutil.which("node"))
needs_node = pytest.mark.skipif(not HAVE_NODE, reason="Node.js is not installed (not on PATH)")


@pytest.fixture(params=["embedded", pytest.param("node", marks=needs_node)])
async def rt(request: pytest.FixtureRequest) -> AsyncIterator[bridge.Runtime]:
    """A started runtime of each kind, closed after the test."""
    runtime: bridge.Runtime = bridge.embedded() if request.param == "embedded" else bridge.node()
    async with runtime:
        yield runtime
