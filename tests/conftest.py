"""Shared fixtures: ``rt`` runs a test on each runtime (embedded, and node when Node is found);
``npm_packages``, the real npm packages the suite requires, installed from the lockfile."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

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


PACKAGES = Path(__file__).resolve().parent / "packages"


def install_npm_packages() -> Path:
    """``npm ci`` in tests/packages when node_modules is missing or older than the lockfile.

    nox runs the suite once per Python over the same folder: a marker holding the lockfile's
    hash makes the later runs reuse the first install.
    """
    lock = PACKAGES / "package-lock.json"
    modules = PACKAGES / "node_modules"
    marker = modules / ".bridge-lock-sha256"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if marker.is_file() and marker.read_text() == digest:
        return modules
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not on PATH: the real-package suite needs it to install its packages")
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PACKAGES,
        check=True,
        timeout=600,
    )
    marker.write_text(digest)
    return modules


@pytest.fixture(scope="session")
def npm_packages() -> Path:
    """The node_modules folder of tests/packages, with every package of its lockfile."""
    return install_npm_packages()
