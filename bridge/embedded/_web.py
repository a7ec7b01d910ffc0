"""The web globals of ``js/web.js``, given the Python functions that do their work.

``queueMicrotask``, ``performance``, ``TextEncoder``/``TextDecoder``, ``crypto.getRandomValues``
/ ``randomUUID``, ``structuredClone`` and ``global``: what libraries written for Node and browsers
take for granted. The operating system's random numbers, the clock and the text codecs are
Python's; ``structuredClone`` is core-js's, which pythonmonkey ships.
"""

from __future__ import annotations

import codecs
import os
import platform
import sys
import time
from typing import Any

from . import _engine


def _utf8_length(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _encode_into(text: str, out: memoryview) -> None:
    # Lone surrogates become U+FFFD, as the WHATWG encoder does.
    out[:] = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


def _encoding_name(label: str) -> str | None:
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None  # JS throws the RangeError
    return {"utf-8": "utf-8", "utf-16-le": "utf-16le", "latin-1": "windows-1252"}.get(name, name)


def _decode(view: memoryview, encoding: str, fatal: bool, ignore_bom: bool) -> str:
    data = bytes(view)
    if encoding == "utf-8" and not ignore_bom and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    codec = {"utf-16le": "utf-16-le", "windows-1252": "cp1252"}.get(encoding, encoding)
    return data.decode(codec, "strict" if fatal else "replace")


def _fill_random(view: memoryview) -> None:
    view[:] = os.urandom(len(view))


def _fetch_polyfill() -> str | None:
    """The folder of whatwg-fetch in node_modules upward from the main script, then the
    current directory (nearest first), if installed."""
    starts = [os.getcwd()]
    main = sys.argv[0] if sys.argv else ""  # the script Python runs ("-c" or "" otherwise)
    if os.path.isfile(main):
        starts.insert(0, os.path.dirname(os.path.abspath(main)))
    for start in starts:
        folder = start
        while True:
            candidate = os.path.join(folder, "node_modules", FETCH_PACKAGE)
            if os.path.isfile(os.path.join(candidate, "package.json")):
                return candidate
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    return None


# fetch, Headers, Request and Response come from GitHub's whatwg-fetch polyfill (npm), built on
# the XMLHttpRequest pythonmonkey provides over aiohttp: loaded the first time JS reads one.
FETCH_PACKAGE = "whatwg-fetch"


# Node's names for sys.platform and platform.machine() values.
_PLATFORMS = {"linux": "linux", "darwin": "darwin", "win32": "win32", "cygwin": "cygwin"}
_ARCHES = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64", "i386": "ia32"}


def _start(pm: Any) -> None:
    install = _engine.js_module("web")
    python = {
        "now": lambda: time.perf_counter() * 1000.0,
        "timeOrigin": lambda: time.time() * 1000.0,
        "utf8Length": _utf8_length,
        "encodeInto": _encode_into,
        "encodingName": _encoding_name,
        "decode": _decode,
        "fillRandom": _fill_random,
        "structuredClone": None,
        "environ": lambda: dict(os.environ),
        "argv": lambda: [sys.executable, *sys.argv],
        "pid": os.getpid,
        "cwd": os.getcwd,
        "platform": lambda: _PLATFORMS.get(sys.platform, sys.platform),
        "arch": lambda: _ARCHES.get(platform.machine().lower(), platform.machine().lower()),
    }
    try:
        # core-js (shipped with pythonmonkey) defines the global and returns the function.
        load = pm.createRequire(str(_engine._js_dir() / "web.js"))
        python["structuredClone"] = load("core-js/actual/structured-clone")
    except Exception:  # pythonmonkey without core-js: no structuredClone rather than no engine
        pass

    def load_fetch() -> bool:
        found = _fetch_polyfill()
        if found is None:
            return False
        pm.createRequire(str(_engine._js_dir() / "web.js"))(found)
        return True

    python["loadFetch"] = load_fetch
    install(python)


_engine.on_start.add(_start)
