"""Sessions: tests (every Python 3.10-3.13 found), lint, typecheck, docs; examples, demo, bench.

Virtualenvs are kept in .nox/ and reused from one run to the next; `rm -rf .nox` frees them.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
# The test dependencies are one list, pyproject.toml's `test` extra: `install(".[test]")`;
# the docs tools are its `docs` extra, installed alone (the docs build imports no bridge code).
PYPROJECT = nox.project.load_toml("pyproject.toml")
DOCS_DEPS: list[str] = PYPROJECT["project"]["optional-dependencies"]["docs"]

# The examples run in every tests session too (tests/test_examples.py); their own session is
# for running them by hand.
nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.reuse_existing_virtualenvs = True


def _answers(exe: str) -> bool:
    try:
        return subprocess.run([exe, "-c", "pass"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _find_pythons() -> list[str]:
    """The versions of PYTHONS this machine has, putting pyenv's folders on PATH for nox.

    pyenv shims answer only for the selected version, so a shim on PATH is not proof; the
    interpreters under `pyenv root`/versions are used directly when the shim does not answer.
    """
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")]
    found = []
    for version in PYTHONS:
        exe = shutil.which(f"python{version}")
        if exe and _answers(exe):
            found.append(version)
            continue
        for root in filter(None, roots):
            hits = sorted(glob.glob(os.path.join(root, "versions", f"{version}.*", "bin")))
            hits = [h for h in hits if _answers(os.path.join(h, f"python{version}"))]
            if hits:
                os.environ["PATH"] = hits[-1] + os.pathsep + os.environ["PATH"]
                found.append(version)
                break
        else:
            print(
                f"noxfile: Python {version} not found on this machine; skipping it", file=sys.stderr
            )
    return found or [f"{sys.version_info[0]}.{sys.version_info[1]}"]


FOUND = _find_pythons()
CURRENT = f"{sys.version_info[0]}.{sys.version_info[1]}"
MAIN = CURRENT if CURRENT in FOUND else FOUND[-1]


@nox.session(python=FOUND)
def tests(session: nox.Session) -> None:
    """Run the test suite against the real engine."""
    session.install(".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python=MAIN)
def lint(session: nox.Session) -> None:
    """ruff over the package, tests, examples and benchmarks."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", "bridge", "benchmarks", "tests", "examples")


@nox.session(python=MAIN)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, and the public types as a user's code sees them."""
    # mypy reads the source tree; pythonmonkey ships no types, so it is not installed here
    # (it is the largest part of a virtualenv).
    deps = [d for d in PYPROJECT["project"]["dependencies"] if not d.startswith("pythonmonkey")]
    session.install("mypy>=1.11", "typing_extensions", *deps)
    session.run("mypy")
    # assert_type lines: the types a user's code sees (Promise[int], what run returns...).
    session.run("mypy", "tests/typing/")


@nox.session(python=MAIN, default=False)
def examples(session: nox.Session) -> None:
    """Run every example script; each prints what it shows."""
    session.install(".")
    for path in sorted(glob.glob("examples/*.py")):
        session.run("python", path)


@nox.session(python=MAIN)
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/; any warning (broken link, reference) fails."""
    session.install(*DOCS_DEPS)
    # NO_MKDOCS_2_WARNING: Material's banner about its successor, printed on every build.
    session.run("mkdocs", "build", "--strict", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session(python=MAIN, default=False)
def demo(session: nox.Session) -> None:
    """The main job: translate examples/chains.js, then await JS from Python."""
    session.install(".")
    session.run("bridge", "translate", "examples/chains.js")
    session.run("python", "examples/await_js.py")


@nox.session(python=MAIN, default=False)
def bench(session: nox.Session) -> None:
    """Side-by-side benchmarks, printed as tables."""
    session.install(".", "promise==2.3", "javascript")  # javascript: JSPyBridge, for node.py
    names = session.posargs or sorted(glob.glob("benchmarks/*.py"))
    for path in names:
        session.run("python", path)


@nox.session(python=MAIN, default=False)
def stress(session: nox.Session) -> None:
    """The long form of tests/stress: 1,000,000 crossings of each kind, a table of time and RSS."""
    session.install(".")
    session.run("python", "tests/stress/crossings.py", *session.posargs)
