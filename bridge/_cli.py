"""The ``bridge`` command. ``bridge translate [PATH ...|-] [--to js|python] [--check] [--diff]
[--write]``.

Exit status: 0 done (nothing to change under ``--check``), 1 ``--check`` found something to
change, 2 bad usage or some input could not be read or parsed (the other files are still
processed). Diagnostics go to stderr as ``path:line:col: rule: message``; the translation (one
file or stdin, without ``--write``/``--check``/``--diff``) goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ._exceptions import TranslationError
from .translate._files import current, read_source, unified_diff, write_atomic

_PY_SUFFIX = ".py"
_SIGPIPE_STATUS = 128 + 13  # what a shell reports for a process killed by SIGPIPE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bridge", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser(
        "translate",
        help="rewrite promise chains as async/await (JS) or as Python asyncio",
        description="Rewrite .then/.catch/.finally chains as async/await.",
    )
    tr.add_argument("paths", nargs="*", default=["-"], metavar="PATH", help="files, or - for stdin")
    tr.add_argument("--to", choices=("js", "python"), default="js", help="target (default: js)")
    mode = tr.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if anything would change")
    mode.add_argument("--diff", action="store_true", help="print a unified diff")
    mode.add_argument("--write", action="store_true", help="rewrite the files in place")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bridge`` console script; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    try:
        status = _translate(args)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as a process killed by SIGPIPE
        # would, and keep Python from complaining when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return _SIGPIPE_STATUS
    return status


def _translate(args: argparse.Namespace) -> int:
    paths: list[str] = args.paths
    if "-" in paths and len(paths) > 1:
        print("bridge translate: '-' (stdin) cannot be combined with paths", file=sys.stderr)
        return 2
    if args.write and paths == ["-"]:
        print("bridge translate: --write needs file paths, not stdin", file=sys.stderr)
        return 2
    if not (args.write or args.check or args.diff) and len(paths) > 1:
        print(
            "bridge translate: several paths need --write, --check or --diff "
            "(stdout takes one translation)",
            file=sys.stderr,
        )
        return 2
    status = 0
    for path in paths:
        status = max(status, _one(path, args))
    return status


def _one(path: str, args: argparse.Namespace) -> int:
    from .translate import translate

    source = read_source(path)
    if source is None:
        return 2
    name = "<stdin>" if path == "-" else path
    try:
        result = translate(source, to=args.to, filename=None if path == "-" else path)
    except TranslationError as exc:
        if exc.rule == "syntax":
            print(f"{name}:{exc.line}:{exc.column}: syntax error", file=sys.stderr)
        else:
            where = f"{exc.line}:{exc.column}: " if exc.line else ""
            print(f"{name}:{where}{exc.rule or 'error'}: {exc.message}", file=sys.stderr)
        return 2
    for d in result.diagnostics:
        print(d.format(name), file=sys.stderr)
    # What the result replaces: the file itself (JS), or FILE.py beside it (Python); --check,
    # --diff and --write all compare with that, so they agree on what would change.
    target, old, old_label = path, source, name
    expected: str | None = source  # what --write may replace: the file as it was read
    changed = result.changed
    if args.to == "python" and path != "-":
        target = os.path.splitext(path)[0] + _PY_SUFFIX
        if os.path.exists(target) and os.path.samefile(target, path):
            print(f"{name}: the Python translation would overwrite the input", file=sys.stderr)
            return 2
        expected = current(target)
        old, old_label = expected or "", target if expected is not None else "/dev/null"
        changed = expected != result.code
    if args.check:
        if changed:
            print(
                f"{name}: would change" + (f" {target}" if target != path else ""), file=sys.stderr
            )
        return 1 if changed else 0
    if args.diff:
        if changed:
            new_label = target if path != "-" else name
            sys.stdout.writelines(unified_diff(old, result.code, old_label, new_label))
        return 0
    if args.write:
        if changed:
            try:
                # Through a symlink to the file it names: replacing the link itself would
                # leave the real file stale and turn the link into a copy.
                write_atomic(os.path.realpath(target), result.code, like=path, expected=expected)
            except OSError as exc:
                print(f"{target}: cannot write: {exc.strerror or exc}", file=sys.stderr)
                return 2
        return 0
    sys.stdout.write(result.code)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
