"""The embedded runtime's entry points: evaluate JS, require modules, construct, run.

``bridge.eval``, ``bridge.require``, ``bridge.new``, ``bridge.run`` and ``bridge.globals`` are
these functions: synchronous where JS is synchronous (``bridge.eval("6*7")`` needs no loop).
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar, overload

from .._exceptions import BridgeError, JSError, JSSyntaxError, ModuleNotFound
from . import _engine, _loop, _resolve
from ._values import _to_js_arg, wrap

T = TypeVar("T")

_require_cache: dict[str, Any] = {}


def eval(code: str, *, filename: str = "<eval>", lineno: int = 1) -> Any:
    """``bridge.eval``: evaluate JS source; functions come back wrapped, promises as futures."""
    pm = _engine.engine()
    options = {"filename": filename, "lineno": lineno}
    if "require" in code:
        # As `node -e` code has one: resolving from the Python file that called eval (code
        # that runs later, in a callback, sees the one of the latest eval that set it).
        js_global = pm.globalThis
        current = js_global.get("require")
        if current is None or current in _eval_requires.values():
            js_global["require"] = _eval_require(caller_file(1))
    try:
        return wrap(_loop.call(pm.eval, code, options))
    except JSSyntaxError as exc:
        if exc.text is None and exc.filename == filename and exc.lineno is not None:
            lines = code.splitlines()
            index = exc.lineno - lineno
            if 0 <= index < len(lines):
                exc.text = lines[index]  # the traceback shows the line and a caret
        if exc.message.startswith(("import declarations", "export declarations")):
            exc.message += f" ({ESM_HINT})"
            exc.args = (exc.message, *exc.args[1:])
        raise


def js_globals() -> Any:
    """``bridge.globals``: the JS global object (a ``JSObject``, like every JS object)."""
    return wrap(_engine.engine().globalThis)


@overload
def run(x: Coroutine[Any, Any, T], *, filename: str = "<run>") -> T: ...
@overload
def run(x: str, *, filename: str = "<run>") -> Any: ...
def run(x: str | Coroutine[Any, Any, T], *, filename: str = "<run>") -> Any:
    """``bridge.run``: the settled value of JS source or a coroutine, from synchronous code.

    Like ``asyncio.run``, it starts and closes an event loop, so it cannot be called where a
    loop already runs (async code, Jupyter, IPython): there, ``await`` the work instead.
    """
    if asyncio._get_running_loop() is not None:
        if inspect.iscoroutine(x):
            x.close()  # not run, and no "coroutine was never awaited" warning
            hint = "await the coroutine instead"
        else:
            hint = "use await bridge.eval(source) instead (bridge.eval alone for a non-promise)"
        raise BridgeError(
            "bridge.run() cannot be called while an asyncio event loop is running in this "
            f"thread (async code, Jupyter, IPython): {hint}"
        )
    _engine.engine()
    if isinstance(x, str):
        source = x

        async def main() -> Any:
            value = eval(source, filename=filename)
            raw = getattr(value, "js_value", None) if type(value).__name__ == "JSObject" else None
            if raw is not None and _engine.helpers().isThenable(raw):
                value = _loop.call(
                    _engine.helpers().adopt, raw
                )  # a JS thenable settles like a promise
            if inspect.isawaitable(value):
                return await _loop.settle(value, filename)
            return value

        return asyncio.run(main())
    if inspect.iscoroutine(x):
        return asyncio.run(x)
    raise TypeError(f"bridge.run takes JS source (str) or a coroutine, not {type(x).__name__}")


ESM_HINT = (
    "the embedded engine runs scripts and CommonJS modules, not ES modules: use require() "
    "(bridge.require) or run ES modules in Node.js with bridge.node()"
)

# Node built-ins that need the operating system (files, sockets, processes): SpiderMonkey in
# this process has none of it, and no browser implementation stands in for them.
NODE_ONLY = frozenset(
    [
        "child_process",
        "cluster",
        "dgram",
        "dns",
        "fs",
        "fs/promises",
        "http",
        "http2",
        "https",
        "inspector",
        "module",
        "net",
        "os",
        "perf_hooks",
        "readline",
        "repl",
        "tls",
        "tty",
        "v8",
        "vm",
        "worker_threads",
        "zlib",
    ]
)


def require(path: str | os.PathLike[str]) -> Any:
    """``bridge.require``: CommonJS exports of ``path``, resolved as Node resolves it; cached.

    ``./x`` and ``../x`` are relative to the calling file's folder; a bare name (``lodash``,
    ``@scope/pkg/sub``) is looked up in ``node_modules`` folders upward from there, with
    ``package.json`` ``main``, ``index.js`` and ``.json`` files as Node does.

    Raises:
        ModuleNotFound: nothing by that name; the message names the folders searched.
        BridgeError: a Node built-in that needs the operating system (``fs``, ``http``...).
    """
    return require_from(os.fspath(path), caller_file(1))


def caller_file(depth: int) -> str:
    """The Python file ``depth`` frames above the caller (``<cwd>/<python>`` if none)."""
    caller = sys._getframe(depth + 1).f_globals.get("__file__")
    return str(Path(caller).resolve()) if caller else os.path.join(os.getcwd(), "<python>")


# Node built-ins SpiderMonkey lacks, and the well-kept browser implementations that stand in for
# them (as webpack's resolve.fallback does), first found first: shipped by pythonmonkey, or
# installed from npm. The last stream candidate is the one pythonmonkey ships, so that its own
# crypto-browserify tree works without stream-browserify installed.
FALLBACKS = {
    "assert": ("assert",),
    "crypto": ("crypto-browserify",),
    "path": ("path-browserify",),
    "querystring": ("querystring-es3",),
    "stream": ("stream-browserify", "readable-stream/readable-browser.js"),
    "url": ("url",),
}


def _fallback(name: str, requirer: str) -> str | None:
    """The file or folder of the browser implementation standing in for the built-in ``name``
    (``process`` is the global)."""
    name = name[5:] if name.startswith("node:") else name
    if name == "process":
        return _engine.js_file("lib", "process.js")
    candidates = FALLBACKS.get(name)
    if candidates is None:
        return None
    folders = [_bundled_node_modules(), *_resolve.search_folders(requirer, os.getcwd())]
    for candidate in candidates:
        package = candidate.split("/", 1)[0]
        for folder in folders:
            if os.path.isfile(os.path.join(folder, package, "package.json")):
                return os.path.join(folder, candidate)
    raise BridgeError(
        f"require({name!r}): the embedded engine has no {name!r} built-in and stands in the "
        f"browser implementation from npm for it: `npm install {candidates[0]}` next to your "
        f"script (looked in {', '.join(folders[1:3])}...), or run the code in Node.js with "
        "bridge.node()"
    )


def require_from(spec: str, requirer: str) -> Any:
    """``require(spec)`` as the file ``requirer`` would call it (see ``require``)."""
    fallback = _fallback(spec, requirer)
    if fallback is not None:
        spec = fallback
    name = spec[5:] if spec.startswith("node:") else spec
    if name in NODE_ONLY:
        raise BridgeError(
            f"require({spec!r}): {name!r} is a Node.js built-in that needs the operating system "
            "(files, sockets or processes), which the embedded engine does not have; "
            "run code that needs it with bridge.node() (Node.js)"
        )
    load = _require_function(requirer)
    try:
        target = _resolve.package_target(name, requirer, os.getcwd()) or name
        filename = str(_loop.call(_engine.helpers().getProperty(load, "resolve"), target))
    except JSError as exc:
        if "module not found" not in exc.message:
            raise
        missing = ModuleNotFound(_not_found_message(spec, requirer))
    else:
        found = _require_cache.get(filename)
        if found is None:  # one wrapper per module file, however it was named
            if _resolve.is_esm(filename):
                raise _resolve.esm_error(filename)
            found = _require_cache[filename] = wrap(_loop.call(load, filename))
        return found
    raise missing  # outside the except block: the JS error stays out of the traceback


def _require_function(requirer: str) -> Any:
    """pythonmonkey's require for ``requirer`` (one per file), its loaders hooked once."""
    pm = _engine.engine()
    load = pm.createRequire(requirer)
    extensions = _engine.helpers().getProperty(load, "extensions")
    global _hooks
    if _hooks is None:  # Python functions as bridge hands them over: errors keep their identity
        _hooks = (_to_js_arg(_target_for_js), _to_js_arg(_check_esm))
    _engine.js_module("modules").hook(extensions, *_hooks, ESM_HINT)
    return load


def _eval_require(requirer: str) -> Any:
    """The ``require`` bridge.eval code sees, resolving from the file that called eval."""
    found = _eval_requires.get(requirer)
    if found is None:
        load = _require_function(requirer)
        found = _eval_requires[requirer] = _engine.js_module("modules").requireFor(load, requirer)
    return found


_eval_requires: dict[str, Any] = {}


_hooks: tuple[Any, Any] | None = None


def _target_for_js(spec: str, requirer: str) -> str | None:
    """For JS: the file a package's ``exports`` maps ``spec`` to, or the browser implementation
    of a built-in (None: pythonmonkey resolves)."""
    spec, requirer = str(spec), str(requirer)
    if requirer.startswith(_bundled_node_modules() + os.sep):
        browser = _resolve.browser_target(spec, requirer, _engine.js_file("lib", "empty.js"))
        if browser is not None:
            return browser
    fallback = _fallback(spec, requirer)
    if fallback is not None:
        return fallback
    return _resolve.package_target(spec, requirer, os.getcwd())


def _bundled_node_modules() -> str:
    """pythonmonkey's own node_modules: the browserify implementations of built-ins, whose
    packages are read with their ``browser`` field."""
    return os.path.join(os.path.dirname(_engine.engine().__file__), "node_modules")


def _check_esm(filename: str) -> None:
    if _resolve.is_esm(str(filename)):
        raise _resolve.esm_error(str(filename))


def _not_found_message(spec: str, requirer: str) -> str:
    if spec.startswith(("./", "../", "/")):
        where = f"no file {os.path.normpath(os.path.join(os.path.dirname(requirer), spec))!r}"
        where += " (nor with .js, .json, or as a folder with package.json or index.js)"
    else:
        where = "searched " + ", ".join(_resolve.search_folders(requirer, os.getcwd()))
    return f"cannot find module {spec!r} required from {requirer}: {where}"


def new(cls: Any) -> Callable[..., Any]:
    """``bridge.new``: a Python callable that runs the JS ``new`` operator on ``cls``."""
    h = _engine.helpers()
    raw = getattr(cls, "js_value", cls)

    def construct(*args: Any) -> Any:
        return wrap(_loop.call(h.construct, raw, list(args)))

    return construct
