"""Which files ``bridge translate`` works on: settings from ``pyproject.toml`` and the walk
of a directory (JS/TS files only; ``node_modules``, hidden folders, ``.gitignore``d and
excluded paths skipped), the way black and prettier choose theirs.

Ignore files are matched with ``pathspec`` (git's own pattern rules, negations and
directory-only patterns included) rather than a hand-written matcher.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pathspec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# The extensions the translator's grammars know (translate/_parse.py).
JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
_SKIPPED_DIRS = frozenset({"node_modules"})
_KEYS = ("exclude", "target", "to")


class SettingsError(Exception):
    """A ``[tool.bridge.translate]`` table that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Settings:
    """``[tool.bridge.translate]`` of the nearest ``pyproject.toml`` (all None without one).

    ``root`` is the folder of that file: ``exclude`` patterns are relative to it."""

    root: str | None = None
    target: str | None = None
    to: str | None = None
    exclude: pathspec.GitIgnoreSpec | None = None


def find_settings(start: str) -> Settings:
    """The settings that apply to start (a file or folder): the nearest ``pyproject.toml``
    in start's folder or above it.

    Raises:
        SettingsError: that file is not valid TOML, or its table has an unknown key or a
            value of the wrong type.
    """
    here = os.path.abspath(start)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    while True:
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate):
            return _load(candidate)
        parent = os.path.dirname(here)
        if parent == here:
            return Settings()
        here = parent


def _load(path: str) -> Settings:
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the settings: {exc}") from None
    table = data.get("tool", {}).get("bridge", {}).get("translate", {})
    where = f"{path}: [tool.bridge.translate]"
    if not isinstance(table, dict):
        raise SettingsError(f"{where} must be a table")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise SettingsError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(_KEYS)})")
    for key in ("target", "to"):
        if key in table and not isinstance(table[key], str):
            raise SettingsError(f"{where}: {key} must be a string")
    exclude = table.get("exclude")
    if isinstance(exclude, str):
        exclude = [exclude]
    if exclude is not None and not (
        isinstance(exclude, list) and all(isinstance(p, str) for p in exclude)
    ):
        raise SettingsError(f"{where}: exclude must be a list of gitignore-style patterns")
    return Settings(
        root=os.path.dirname(path),
        target=table.get("target"),
        to=table.get("to"),
        exclude=pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None,
    )


def walk(top: str, settings: Settings) -> Iterator[str]:
    """The JS/TS files under top, sorted, skipping ``node_modules``, hidden folders and
    files, what the ``.gitignore`` files of the tree (and of its git repository above top)
    ignore, and what ``settings.exclude`` matches. Paths keep top's spelling as a prefix."""
    top_abs = os.path.abspath(top)
    inherited = _ancestor_ignores(top_abs)
    ignores: dict[str, list[tuple[str, pathspec.GitIgnoreSpec]]] = {top_abs: inherited}
    for dirpath, dirnames, filenames in os.walk(top):
        here = os.path.abspath(dirpath)
        specs = ignores.pop(here, inherited)
        own = _read_ignore(here)
        if own is not None:
            specs = [*specs, (here, own)]
        keep = []
        for d in sorted(dirnames):
            full = os.path.join(here, d)
            if d in _SKIPPED_DIRS or d.startswith(".") or _ignored(full, True, specs, settings):
                continue
            keep.append(d)
            ignores[full] = specs
        dirnames[:] = keep
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(JS_SUFFIXES):
                continue
            if not _ignored(os.path.join(here, name), False, specs, settings):
                path = os.path.join(dirpath, name)
                # `bridge translate .` names files as black does: src/a.js, not ./src/a.js.
                yield path[2:] if top == os.curdir and path.startswith("./") else path


def _read_ignore(folder: str) -> pathspec.GitIgnoreSpec | None:
    try:
        with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as f:
            return pathspec.GitIgnoreSpec.from_lines(f)
    except OSError:
        return None


def _ancestor_ignores(top: str) -> list[tuple[str, pathspec.GitIgnoreSpec]]:
    """The ``.gitignore`` files above top, up to the root of the git work tree holding top
    (none when top is in no work tree), outermost first."""
    chain = []
    here = os.path.dirname(top)
    while True:
        chain.append(here)
        if os.path.exists(os.path.join(here, ".git")):
            break
        parent = os.path.dirname(here)
        if parent == here:
            return []  # not in a git work tree: .gitignore files above top do not apply
        here = parent
    specs = []
    for folder in reversed(chain):
        spec = _read_ignore(folder)
        if spec is not None:
            specs.append((folder, spec))
    return specs


def _ignored(
    path: str,
    is_dir: bool,
    specs: list[tuple[str, pathspec.GitIgnoreSpec]],
    settings: Settings,
) -> bool:
    suffix = "/" if is_dir else ""
    if settings.exclude is not None and settings.root is not None:
        rel = os.path.relpath(path, settings.root)
        if not rel.startswith(os.pardir) and settings.exclude.match_file(
            rel.replace(os.sep, "/") + suffix
        ):
            return True
    verdict = None
    for folder, spec in specs:  # outermost first: a deeper .gitignore has the last word
        rel = os.path.relpath(path, folder).replace(os.sep, "/") + suffix
        include = spec.check_file(rel).include
        if include is not None:
            verdict = include
    return bool(verdict)
