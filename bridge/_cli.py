"""The ``bridge`` command (also ``python -m bridge``); ``main(argv=None) -> int``.

Subcommands: ``bridge translate`` rewrites promise chains as async/await (JS or Python).
Exit status: 0 done, 1 ``--check`` found something to change, 2 bad usage or an input that
could not be used.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from ._exceptions import TranslationError
from ._files import JS_SUFFIXES, Settings, SettingsError, find_settings, walk
from .translate._files import current, read_source, unified_diff, write_atomic

_PY_SUFFIX = ".py"
_SIGPIPE_STATUS = 128 + 13  # what a shell reports for a process killed by SIGPIPE

_TRANSLATE_DESCRIPTION = """\
Rewrite promise chains (.then/.catch/.finally) as async/await.

Each PATH is a file or a directory. Directories are walked for .js .mjs .cjs .jsx .ts .mts .cts
.tsx files, skipping node_modules, hidden files and folders, what the .gitignore files ignore and
`exclude` patterns of the settings. With no PATH, the code is read from stdin (- names stdin
too). A chain that cannot be rewritten with the same behaviour is left as it is, with a
diagnostic on stderr saying why (path:line:col: rule: message).

Settings are read from [tool.bridge.translate] in the nearest pyproject.toml (searched from
the first PATH, or the current folder, upwards):

  [tool.bridge.translate]
  target = "es2017"             # oldest ECMAScript edition the output must parse as
  exclude = ["dist/", "*.min.js"]  # gitignore-style patterns, relative to pyproject.toml
  to = "js"                     # or "python", as --to

Command-line options win over the settings.

exit status: 0 nothing (left) to do, 1 --check found files to change, 2 bad usage or an input
that cannot be read or parsed (the other files are still processed)."""

_TRANSLATE_EPILOG = """\
examples:
  bridge translate app.js                  print the translation of app.js
  bridge translate src/ --check --diff     what would change under src/, as a diff; exit 1 if any
  bridge translate src/ --write            rewrite the files under src/ in place
  cat a.ts | bridge translate --stdin-filename a.ts   translate TypeScript from stdin
  bridge translate --to python client.js   print client.js as Python asyncio code"""


_DESCRIPTION = """\
Python and JavaScript awaiting each other. This command holds the tools that need no
Python code: the translator of promise chains (.then/.catch/.finally) to async/await."""

_EPILOG = """\
examples:
  bridge translate app.js                 print app.js with its chains as async/await
  bridge translate src/*.js --check       exit 1 if any file would change
  bridge translate app.js --to python     the same program as Python asyncio
  bridge translate --help                 every option of the translator

exit status: 0 done, 1 --check found changes, 2 bad usage or an unusable input.
The library itself is used from Python: import bridge."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__

    try:
        engine = f"pythonmonkey {version('pythonmonkey')}"
    except PackageNotFoundError:
        engine = "pythonmonkey not installed"
    return f"bridge {__version__} ({engine}, Python {sys.version.split()[0]})"


def _parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The ``bridge`` parser and its ``translate`` subparser."""
    parser = argparse.ArgumentParser(
        prog="bridge",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-V", "--version", action="version", version=_version(), help="print the version and exit"
    )
    sub = parser.add_subparsers(dest="command", required=True, title="commands", metavar="COMMAND")
    tr = sub.add_parser(
        "translate",
        help="rewrite promise chains as async/await (JS) or as Python asyncio",
        description=_TRANSLATE_DESCRIPTION,
        epilog=_TRANSLATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tr.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or directories to translate, or - for stdin (the default)",
    )
    tr.add_argument(
        "--to",
        choices=("js", "python"),
        default=None,
        help="js: rewrite the JS/TS in place of the chains (default); python: write the "
        "module as Python asyncio code (FILE.py beside FILE.js with --write)",
    )
    tr.add_argument(
        "--target",
        metavar="EDITION",
        default=None,
        help="the oldest ECMAScript edition the JS output must parse as: es2017 (default: "
        "the first with async/await) to esnext; from es2019 an unused catch binding is "
        "dropped (catch {), which older tools cannot parse",
    )
    tr.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if any file would change, and name it",
    )
    tr.add_argument(
        "--diff",
        action="store_true",
        help="write nothing; print a unified diff of what would change (with --check: "
        "also exit 1 if anything would)",
    )
    tr.add_argument(
        "--write",
        action="store_true",
        help="rewrite the files in place (only those that change)",
    )
    tr.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only errors: no diagnostics about chains left alone, no 'would change' "
        "lines, no summary",
    )
    tr.add_argument(
        "--stdin-filename",
        metavar="NAME",
        default=None,
        help="the name of the code read from stdin: its extension picks the grammar "
        "(.ts/.tsx for TypeScript) and it names stdin in messages",
    )
    return parser, tr


@dataclass
class _Tally:
    """What happened to each file, for the summary line."""

    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    names: list[str] = field(default_factory=list)

    def summary(self, check: bool) -> str:
        def n(count: int) -> str:
            return f"{count} file{'s' if count != 1 else ''}"

        if check:
            parts = [f"{n(self.changed)} would be rewritten", f"{n(self.unchanged)} left unchanged"]
        else:
            parts = [f"{n(self.changed)} rewritten", f"{n(self.unchanged)} left unchanged"]
        if self.failed:
            parts.append(f"{n(self.failed)} failed")
        return ", ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bridge`` console script; returns the exit status."""
    parser, translate_parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    try:
        status = _translate(args, translate_parser)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as a process killed by SIGPIPE
        # would, and keep Python from complaining when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return _SIGPIPE_STATUS
    return status


def _usage_error(message: str) -> int:
    print(f"bridge translate: {message}", file=sys.stderr)
    return 2


def _translate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    paths: list[str] = args.paths
    if not paths:
        if sys.stdin is None or sys.stdin.isatty():
            # Waiting silently for a terminal to type JavaScript helps nobody.
            parser.print_usage(sys.stderr)
            return _usage_error("no PATH given and stdin is a terminal (see --help)")
        paths = ["-"]
    if args.write and (args.check or args.diff):
        return _usage_error("--write cannot be combined with --check or --diff")
    if "-" in paths and len(paths) > 1:
        return _usage_error("'-' (stdin) cannot be combined with paths")
    if args.write and paths == ["-"]:
        return _usage_error("--write needs file paths, not stdin")
    if args.stdin_filename is not None and paths != ["-"]:
        return _usage_error("--stdin-filename names stdin; it cannot be used with paths")
    try:
        settings = find_settings(paths[0] if paths != ["-"] else os.curdir)
    except SettingsError as exc:
        return _usage_error(str(exc))
    args.to = args.to or settings.to or "js"
    args.target = args.target or settings.target or "es2017"
    from .translate._driver import TARGETS

    if args.target not in TARGETS:
        return _usage_error(
            f"unknown --target {args.target!r}: expected one of {', '.join(TARGETS)}"
        )
    files, status = _collect(paths, settings)
    if not (args.write or args.check or args.diff) and (
        len(files) > 1 or any(p != "-" and os.path.isdir(p) for p in paths)
    ):
        return _usage_error(
            "with a directory or several files, use --write, --check or --diff "
            "(stdout takes one translation)"
        )
    tally = _Tally()
    for path in files:
        status = max(status, _one(path, args, tally))
    if (args.write or args.check) and paths != ["-"] and not args.quiet:
        print(tally.summary(check=not args.write), file=sys.stderr)
    return status


def _collect(paths: list[str], settings: Settings) -> tuple[list[str], int]:
    """The files paths name, directories walked, in order; and 2 if a path was refused."""
    files: list[str] = []
    status = 0
    for path in paths:
        if path == "-":
            files.append(path)
        elif os.path.isdir(path):
            files.extend(walk(path, settings))
        elif os.path.exists(path) and not path.endswith(JS_SUFFIXES):
            # A .py or .txt file parsed as JavaScript would be "translated" into nonsense.
            print(
                f"{path}: not a JavaScript/TypeScript file (expected one of "
                f"{' '.join(JS_SUFFIXES)}), skipped",
                file=sys.stderr,
            )
            status = 2
        else:
            files.append(path)  # a missing file is reported when it is read
    return files, status


def _one(path: str, args: argparse.Namespace, tally: _Tally) -> int:
    from .translate import translate

    source = read_source(path)
    if source is None:
        tally.failed += 1
        return 2
    stdin = path == "-"
    name = (args.stdin_filename or "<stdin>") if stdin else path
    try:
        result = translate(
            source,
            to=args.to,
            filename=(args.stdin_filename if stdin else path),
            target=args.target,
        )
    except TranslationError as exc:
        tally.failed += 1
        if exc.rule == "syntax":
            print(f"{name}:{exc.line}:{exc.column}: syntax error", file=sys.stderr)
        else:
            where = f"{exc.line}:{exc.column}: " if exc.line else ""
            print(f"{name}:{where}{exc.rule or 'error'}: {exc.message}", file=sys.stderr)
        return 2
    if not args.quiet:
        for d in result.diagnostics:
            print(d.format(name), file=sys.stderr)
    # What the result replaces: the file itself (JS), or FILE.py beside it (Python); --check,
    # --diff and --write all compare with that, so they agree on what would change.
    target, old, old_label = path, source, name
    expected: str | None = source  # what --write may replace: the file as it was read
    changed = result.changed
    if args.to == "python" and not stdin:
        target = os.path.splitext(path)[0] + _PY_SUFFIX
        if os.path.exists(target) and os.path.samefile(target, path):
            print(f"{name}: the Python translation would overwrite the input", file=sys.stderr)
            tally.failed += 1
            return 2
        expected = current(target)
        old, old_label = expected or "", target if expected is not None else "/dev/null"
        changed = expected != result.code
    if changed:
        tally.changed += 1
    else:
        tally.unchanged += 1
    if args.diff and changed:
        new_label = target if not stdin else name
        sys.stdout.writelines(unified_diff(old, result.code, old_label, new_label))
    if args.check:
        if changed and not args.quiet:
            print(
                f"{name}: would change" + (f" {target}" if target != path else ""), file=sys.stderr
            )
        return 1 if changed else 0
    if args.diff:
        return 0
    if args.write:
        if changed:
            try:
                # Through a symlink to the file it names: replacing the link itself would
                # leave the real file stale and turn the link into a copy.
                write_atomic(os.path.realpath(target), result.code, like=path, expected=expected)
            except OSError as exc:
                print(f"{target}: cannot write: {exc.strerror or exc}", file=sys.stderr)
                tally.changed -= 1
                tally.failed += 1
                return 2
        return 0
    sys.stdout.write(result.code)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
