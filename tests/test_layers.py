"""The layers: pythonmonkey only in bridge/embedded/, no import cycle among runtime modules."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "bridge"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every import in the file."""
    tree = ast.parse(path.read_text("utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.append((module, node.lineno, id(node) in top_level))
            # `from . import x` imports the submodule x.
            out += [(f"{module}.{a.name}", node.lineno, id(node) in top_level) for a in node.names]
    return out


def test_pythonmonkey_is_imported_only_inside_bridge_embedded() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for name, path in _modules().items()
        for module, line, _ in _imports(name, path)
        if module.split(".")[0] == "pythonmonkey" and not name.startswith("bridge.embedded")
    ]
    assert offenders == []


def test_runtime_modules_import_no_bridge_module_inside_functions() -> None:
    # Upward calls go through bridge._hooks, never through a late import.
    late = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}"
        for name, path in _modules().items()
        if not name.startswith("bridge.translate") and name != "bridge._cli"
        for module, line, top in _imports(name, path)
        if not top and module.startswith("bridge")
    ]
    assert late == []


def test_no_sys_modules_lookups_in_the_runtimes() -> None:
    for name, path in _modules().items():
        if not name.startswith("bridge.translate"):
            assert "sys.modules" not in path.read_text("utf-8"), name


def test_runtime_modules_import_each_other_in_no_cycle() -> None:
    modules = {n: p for n, p in _modules().items() if not n.startswith("bridge.translate")}
    graph = {
        name: sorted(
            {m for m, _, _ in _imports(name, path) if m in modules and m != name}
            - {name.rpartition(".")[0]}  # a submodule may name its own package's __init__
        )
        for name, path in modules.items()
    }
    # A package __init__ that re-exports its submodules is not a cycle with them.
    for name in graph:
        graph[name] = [m for m in graph[name] if not name.startswith(m + ".")]
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
