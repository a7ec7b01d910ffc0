"""The ``bridge`` command (also ``python -m bridge``); ``main(argv=None) -> int``.

Subcommands: ``bridge translate`` rewrites promise chains as async/await (JS or Python).
Exit status: 0 done, 1 ``--check`` found something to change, 2 bad usage or an input that
could not be used.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import re
import sys
import tempfile
from collections.abc import Sequence

from ._exceptions import TranslationError

_PY_SUFFIX = ".py"
_SIGPIPE_STATUS = 128 + 13  # what a shell reports for a process killed by SIGPIPE


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


def _parser() -> argparse.ArgumentParser:
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


def _read(path: str) -> str | None:
    """The text of path (stdin for -), or None after reporting why it cannot be used."""
    if path != "-" and os.path.isdir(path):
        print(
            f"{path}: is a directory (pass its files: {os.path.join(path, '*.js')})",
            file=sys.stderr,
        )
        return None
    try:
        data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()  # noqa: SIM115
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return None
    if b"\x00" in data[:8192]:
        print(f"{path}: binary file, skipped", file=sys.stderr)
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        print(f"{path}: not UTF-8 text (byte {exc.start}), skipped", file=sys.stderr)
        return None
    return text


def _one(path: str, args: argparse.Namespace) -> int:
    from .translate import translate

    source = _read(path)
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
    changed = result.changed
    if args.to == "python" and path != "-":
        target = os.path.splitext(path)[0] + _PY_SUFFIX
        if os.path.exists(target) and os.path.samefile(target, path):
            print(f"{name}: the Python translation would overwrite the input", file=sys.stderr)
            return 2
        current = _current(target)
        old, old_label = current or "", target if current is not None else "/dev/null"
        changed = current != result.code
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
                write_atomic(os.path.realpath(target), result.code, like=path)
            except OSError as exc:
                print(f"{target}: cannot write: {exc.strerror or exc}", file=sys.stderr)
                return 2
        return 0
    sys.stdout.write(result.code)
    return 0


def unified_diff(old: str, new: str, old_label: str, new_label: str) -> list[str]:
    """A unified diff that ``patch -p0`` and ``git apply -p0`` accept: lines split at ``\n``
    only (a JS file may hold U+2028 or a form feed, which ``str.splitlines`` would split
    at), and a last line without its newline marked as such."""
    lines = difflib.unified_diff(_lines(old), _lines(new), fromfile=old_label, tofile=new_label)
    out: list[str] = []
    for line in lines:
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return out


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def write_atomic(path: str, text: str, *, like: str) -> None:
    """Write text to path so that a crash leaves either the old file or the new one.

    The data goes to a temporary file in the same directory (same filesystem, so the final
    ``os.replace`` is atomic), is flushed to disk, takes the mode of ``like``, and replaces
    path in one step. ``newline=""`` keeps the translation's line endings (CRLF stays CRLF).
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".bridge-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):  # a mode we cannot copy is not worth failing for
            os.chmod(tmp, os.stat(like).st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _current(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
