"""A large module is lowered in two processes (``_fork``): the result is the serial one.

Each case runs in a fresh interpreter: forking is only used in a single-threaded process
that has not loaded the JS engine, which the test process has (other tests use it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from bridge.translate._driver import _joined_parse, _Piece, _piece
from bridge.translate._parse import parse

FORKS = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="translations fork only on Linux"
)

# Shapes that are rewritten, left alone (with diagnostics), nested, and that hand out fresh
# names (`value`, `error`) in functions.
SHAPES = [
    "function f{i}(id) {{\n  return load(id).then((x) => x.value + {i}).catch((e) => log(e))"
    ".finally(() => done({i}));\n}}\n",
    "function f{i}(id) {{\n  return load(id).then((x) => save(x), (err) => log(err))"
    ".then((s) => s + {i});\n}}\n",
    "const o{i} = {{ m() {{ return load({i}).then(function () {{ return this.v; }}); }} }};\n",
    "function f{i}(a) {{\n  const p = load(a).then((x) => x);\n  return p;\n}}\n",
    "function f{i}(id) {{\n  return load(id).then((x) =>\n"
    "    save(x).then((y) => {{ const value = y; return value * {i}; }}),\n  );\n}}\n",
    "function f{i}(id) {{\n  if (id) return load(id).then(log);\n"
    "  return save(id).catch(log);\n}}\n",
]


def module(count: int, extra: dict[int, str] | None = None) -> str:
    """count functions of the shapes above, with extra statements put before some of them."""
    parts = ["function load(x) { return Promise.resolve(x); }\n"]
    parts.append("function onError(e) { return 0; }\n")
    for i in range(count):
        parts.append((extra or {}).get(i, ""))
        parts.append(SHAPES[i % len(SHAPES)].format(i=i))
    return "".join(parts)


# A chain at module level hands out names (`value2`, `fulfilled`) before any function does:
# every function after it, in either half, must pick others.
MODULE_FIRST = {0: "const first = await load(1).then((v) => save(v), () => 0);\n"}
# A function early in the first half is the only one to hand out `error`; a chain at module
# level in the second half must then pick `error2`.
MODULE_LAST = {
    1: "function early() { return load(1).catch(onError); }\n",
    590: "const last = await load(2).catch(onError);\n",
}


SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import bridge
    from bridge.translate import _fork

    mode = sys.argv[1]
    forks = []
    real_start = _fork.start

    def start(work):
        forks.append(os.getpid())
        if mode == "child-fails":
            return real_start(lambda: os._exit(3))
        if mode == "child-raises":
            return real_start(lambda: 1 / 0)
        return real_start(work)

    _fork.start = start
    if mode == "sigchld-ignored":  # children are reaped by the kernel: no exit status
        import signal
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    if mode == "threads":
        import threading
        stop = threading.Event()
        threading.Thread(target=stop.wait, daemon=True).start()
    source = sys.stdin.read()
    parallel = bridge.translate(source, filename="m.mjs")
    if mode == "threads":
        stop.set()
    os.environ["BRIDGE_TRANSLATE_JOBS"] = "1"
    serial = bridge.translate(source, filename="m.mjs")
    try:
        os.waitpid(-1, os.WNOHANG)
        leftover = True
    except ChildProcessError:
        leftover = False
    print(json.dumps({
        "forks": len(forks),
        "same": parallel == serial,
        "changed": serial.changed,
        "diagnostics": sorted({d.rule for d in serial.diagnostics}),
        "leftover_child": leftover,
    }))
    """
)


def run(source: str, mode: str = "normal") -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "BRIDGE_TRANSLATE_JOBS"}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode],
        input=source,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout)
    return result


@FORKS
def test_two_processes_give_the_serial_result() -> None:
    got = run(module(600))
    assert got["forks"] == 1
    assert got["same"] is True
    assert got["changed"] is True
    # left-alone chains are reported from both halves
    assert {"this-arguments", "eager-start"} <= set(got["diagnostics"])
    assert got["leftover_child"] is False


@FORKS
@pytest.mark.parametrize("extra", [MODULE_FIRST, MODULE_LAST], ids=["first-half", "second-half"])
def test_module_level_names_fall_back_to_serial_order(extra: dict[int, str]) -> None:
    # Names handed out at module level shape every region's names, and a module-level
    # chain's names depend on every region's: the second half is redone in the parent.
    got = run(module(600, extra))
    assert got["forks"] == 1 and got["same"] is True and got["leftover_child"] is False


@FORKS
@pytest.mark.parametrize("mode", ["child-fails", "child-raises", "sigchld-ignored"])
def test_a_failing_child_changes_nothing(mode: str) -> None:
    got = run(module(600), mode)
    assert got["forks"] == 1 and got["same"] is True and got["leftover_child"] is False


@FORKS
def test_no_fork_with_threads_or_small_modules_or_one_top_level_statement() -> None:
    assert run(module(600), "threads")["forks"] == 0
    assert run(module(20))["forks"] == 0
    wrapped = "(function () {\n" + module(600) + "})();\n"  # no top-level boundary to cut at
    got = run(wrapped)
    assert got["forks"] == 0 and got["same"] is True


def piece(text: str) -> _Piece:
    whole = parse(text)
    return _piece(whole, [], 0, len(whole.source))


@pytest.mark.parametrize(
    ("a", "b", "parses"),
    [
        ("let a = b;\n", "f(1);\n", True),
        ("// only a comment\n", "f(1);\n", True),
        ("function f() {}\n", "(g)();\n", True),
        # each half parses, the whole does not: `b / x / .test(s)`
        ("let a = b\n", "/x/.test(s);\n", False),
        # the whole parses, but not as the halves did (`b(g)()`): the caller parses it all
        ("let a = b\n", "(g)();\n", False),
        ("let a = ;\n", "f(1);\n", False),
    ],
)
def test_the_seam_between_halves_is_checked(a: str, b: str, parses: bool) -> None:
    first, second = piece(a), piece(b)
    out = (a + b).encode()
    assert _joined_parse(first, second, out, "javascript") is parses
    assert _joined_parse(first, second, out + b" ", "javascript") is False
