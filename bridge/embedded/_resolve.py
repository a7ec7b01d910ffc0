"""Node's package ``exports`` for the embedded engine's ``require``, and which files are ES modules.

pythonmonkey's module loader resolves ``main`` and ``index.js`` only: a package that maps its
entry points (or hides its internals) through ``package.json`` ``exports`` loads the wrong file
or one it does not export. This implements the part of Node's resolution algorithm that differs
(PACKAGE_EXPORTS_RESOLVE with the conditions ``require``, ``node``, ``default``; subpath patterns)
and leaves everything else (relative paths, built-ins, packages without ``exports``) to
pythonmonkey. Written here because no maintained Python package implements it.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .._exceptions import BridgeError, ModuleNotFound, PackagePathNotExported

CONDITIONS = ("require", "node", "default")


def _split(spec: str) -> tuple[str, str] | None:
    """A bare specifier as (package name, subpath "." or "./rest"); None if not bare."""
    if not spec or spec.startswith((".", "/")) or ":" in spec.split("/", 1)[0]:
        return None
    parts = spec.split("/")
    count = 2 if spec.startswith("@") else 1
    if len(parts) < count or not all(parts[:count]):
        return None
    name = "/".join(parts[:count])
    rest = "/".join(parts[count:])
    return name, "./" + rest if rest else "."


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def node_modules_folders(start: str) -> list[str]:
    """The ``node_modules`` folders Node searches from the folder ``start``, nearest first."""
    folders = []
    folder = os.path.abspath(start)
    while True:
        folders.append(os.path.join(folder, "node_modules"))
        parent = os.path.dirname(folder)
        if parent == folder:
            return folders
        folder = parent


# Node 20's require("module").builtinModules (without the internal "_" ones): these names are
# built-ins, whatever node_modules holds.
NODE_BUILTINS = frozenset(
    [
        "assert",
        "assert/strict",
        "async_hooks",
        "buffer",
        "child_process",
        "cluster",
        "console",
        "constants",
        "crypto",
        "dgram",
        "diagnostics_channel",
        "dns",
        "dns/promises",
        "domain",
        "events",
        "fs",
        "fs/promises",
        "http",
        "http2",
        "https",
        "inspector",
        "inspector/promises",
        "module",
        "net",
        "os",
        "path",
        "path/posix",
        "path/win32",
        "perf_hooks",
        "process",
        "punycode",
        "querystring",
        "readline",
        "readline/promises",
        "repl",
        "stream",
        "stream/consumers",
        "stream/promises",
        "stream/web",
        "string_decoder",
        "sys",
        "timers",
        "timers/promises",
        "tls",
        "trace_events",
        "tty",
        "url",
        "util",
        "util/types",
        "v8",
        "vm",
        "wasi",
        "worker_threads",
        "zlib",
    ]
)


def search_folders(requirer: str, cwd: str | None) -> list[str]:
    """The node_modules folders a bare name is looked up in from ``requirer``: upward from its
    folder, then upward from ``cwd`` (those not already listed), nearest first."""
    folders = node_modules_folders(os.path.dirname(requirer))
    if cwd is not None:
        folders += [f for f in node_modules_folders(cwd) if f not in folders]
    return folders


def package_target(spec: str, requirer: str, cwd: str | None = None) -> str | None:
    """What ``require(spec)`` loads from ``requirer`` for a bare name that is no built-in: the
    file a package's ``exports`` maps it to, else the package's folder or file path found in
    node_modules upward from ``requirer``, then ``cwd`` (pythonmonkey's own search would look in
    its bundled node_modules first and shadow the user's packages). None when not bare, a
    built-in, or not installed.

    Raises:
        PackagePathNotExported: the package has ``exports`` and it does not list the subpath.
    """
    parsed = _split(spec)
    if parsed is None or (spec in NODE_BUILTINS and not spec.endswith("/")):
        return None
    name, subpath = parsed
    for folder in search_folders(requirer, cwd):
        package_dir = os.path.join(folder, name)
        if os.path.isdir(package_dir):
            manifest = os.path.join(package_dir, "package.json")
            pkg = _read_json(manifest)
            if not isinstance(pkg, dict) or pkg.get("exports") is None:
                # Node's legacy rules (main, index.js, extensions) on an absolute path:
                # pythonmonkey applies them.
                return os.path.join(package_dir, subpath[2:]) if subpath != "." else package_dir
            return _exports_resolve(package_dir, manifest, subpath, pkg["exports"], spec)
    return None


def package_folder(name: str, requirer: str, cwd: str | None) -> str | None:
    """The folder of the package ``name`` in node_modules upward from ``requirer``, then ``cwd``
    (``require("util/")`` names the npm package, not the built-in)."""
    for folder in search_folders(requirer, cwd):
        if os.path.isfile(os.path.join(folder, name, "package.json")):
            return os.path.join(folder, name)
    return None


def browser_target(spec: str, requirer: str, empty: str) -> str | None:
    """What the ``browser`` field of package.json (the browserify convention webpack follows)
    puts in place of ``spec`` required from ``requirer``: a file, ``empty`` for ``false``, or None.

    Used for the browser implementations of built-ins, which rely on it (create-hash's main
    requires Node's crypto; its ``browser`` file does not).
    """
    own = _package_root(os.path.dirname(requirer))
    if own is not None:
        browser = (_read_json(os.path.join(own, "package.json")) or {}).get("browser")
        if isinstance(browser, dict):
            keys = [spec]
            if spec.startswith("."):
                rel = os.path.relpath(os.path.join(os.path.dirname(requirer), spec), own)
                keys += ["./" + rel, "./" + rel + ".js", rel, rel + ".js"]
            for key in keys:
                if key in browser:
                    value = browser[key]
                    if value is False:
                        return empty
                    if isinstance(value, str):
                        if value.startswith("."):
                            return os.path.normpath(os.path.join(own, value))
                        return None if value == spec else browser_target(value, requirer, empty)
    parsed = _split(spec)
    if parsed is None or parsed[1] != ".":
        return None
    folder = package_folder(parsed[0], requirer, None)
    if folder is None:
        return None
    pkg = _read_json(os.path.join(folder, "package.json")) or {}
    browser = pkg.get("browser")
    if isinstance(browser, str):
        return os.path.normpath(os.path.join(folder, browser))
    if isinstance(browser, dict):
        main = str(pkg.get("main") or "./index.js")
        main = "./" + os.path.normpath(main)
        for key in (main, main + ".js", main[2:], main[2:] + ".js"):
            if isinstance(browser.get(key), str):
                return os.path.normpath(os.path.join(folder, browser[key]))
    return None


def _package_root(folder: str) -> str | None:
    """The nearest folder from ``folder`` upward holding a package.json."""
    while True:
        if os.path.isfile(os.path.join(folder, "package.json")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _exports_resolve(package_dir: str, manifest: str, subpath: str, exports: Any, spec: str) -> str:
    if isinstance(exports, (str, list)) or (
        isinstance(exports, dict) and exports and not any(k.startswith(".") for k in exports)
    ):
        exports = {".": exports}  # sugar: the main entry point alone
    if not isinstance(exports, dict):
        exports = {}
    target: str | None = None
    if subpath in exports and "*" not in subpath:
        target = _target(package_dir, exports[subpath], None)
    else:
        best = ""
        for key in exports:
            star = key.find("*")
            if star < 0 or key.find("*", star + 1) >= 0:
                continue
            prefix, suffix = key[:star], key[star + 1 :]
            if (
                subpath.startswith(prefix)
                and subpath != prefix
                and subpath.endswith(suffix)
                and len(subpath) >= len(key)
                and _pattern_order(key, best) < 0
            ):
                best = key
        if best:
            star = best.find("*")
            matched = subpath[star : len(subpath) - (len(best) - star - 1)]
            target = _target(package_dir, exports[best], matched)
    if target is None:
        listed = ", ".join(repr(k) for k in exports) or "nothing"
        raise PackagePathNotExported(
            f"cannot find module {spec!r}: {subpath!r} is not exported by the package at "
            f'{package_dir} (its package.json "exports" lists {listed} for the conditions '
            f"{', '.join(CONDITIONS)}): {manifest}"
        )
    if not os.path.isfile(target):
        raise ModuleNotFound(
            f'cannot find module {spec!r}: the package\'s "exports" ({manifest}) points to '
            f"{target}, which does not exist"
        )
    return target


def _pattern_order(a: str, b: str) -> int:
    """Node's PATTERN_KEY_COMPARE: negative when ``a`` is the more specific pattern."""
    if not b:
        return -1
    base_a, base_b = a.find("*") + 1, b.find("*") + 1
    if base_a != base_b:
        return -1 if base_a > base_b else 1
    return -1 if len(a) > len(b) else 1


def _target(package_dir: str, target: Any, matched: str | None) -> str | None:
    if isinstance(target, str):
        if not target.startswith("./"):
            return None  # a bare or absolute target is not valid in exports
        if matched is not None:
            target = target.replace("*", matched)
        resolved = os.path.normpath(os.path.join(package_dir, target))
        inside = os.path.normpath(package_dir) + os.sep
        return resolved if resolved.startswith(inside) else None
    if isinstance(target, list):
        for item in target:
            found = _target(package_dir, item, matched)
            if found is not None:
                return found
        return None
    if isinstance(target, dict):
        for key, value in target.items():
            if key in CONDITIONS:
                found = _target(package_dir, value, matched)
                if found is not None:
                    return found
        return None
    return None  # null: explicitly not exported


def is_esm(filename: str) -> bool:
    """True for a file Node loads as an ES module: ``.mjs``, or ``.js`` in a package whose
    nearest ``package.json`` says ``"type": "module"``."""
    if filename.endswith(".mjs"):
        return True
    if not filename.endswith(".js"):
        return False
    folder = os.path.dirname(os.path.abspath(filename))
    while True:
        manifest = os.path.join(folder, "package.json")
        if os.path.isfile(manifest):
            pkg = _read_json(manifest)
            return isinstance(pkg, dict) and pkg.get("type") == "module"
        parent = os.path.dirname(folder)
        if parent == folder or os.path.basename(folder) == "node_modules":
            return False
        folder = parent


def esm_error(filename: str) -> BridgeError:
    return BridgeError(
        f"require() of the ES module {filename}: the embedded engine runs "
        "scripts and CommonJS modules, not ES modules; load it in Node.js with bridge.node() "
        "(await rt.import_(...)), or require a CommonJS build of the package"
    )
