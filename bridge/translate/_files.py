"""The files of ``bridge translate``: reading an input, diffing, and ``--write``.

``write_atomic`` replaces a file only when that is safe: it refuses (``WriteRefused``) a
read-only file, a file with other hard links (replacing one name would split them), and a
file that was edited, deleted or created since it was read. The new text is written to an
unnamed temporary file (Linux ``O_TMPFILE``), so a killed process leaves nothing behind; it
gets a name only for the instant before the rename. Where ``O_TMPFILE`` is not available, a
named ``.bridge-PID-*.tmp`` is used, and leftovers of dead processes are removed by the next
write in that directory.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import re
import stat
import sys
import tempfile

from ._parse import MAX_SOURCE_BYTES, parse

# Where a NUL byte usually means binary data (git and grep look at the same 8 KiB).
_BINARY_PROBE = 8192


class WriteRefused(OSError):
    """``--write`` will not replace this file; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.strerror = message


def read_source(path: str) -> str | None:
    """The text of path (stdin for -), or None after reporting on stderr why it cannot be
    used: a directory, unreadable, too large, binary, not UTF-8."""
    if path != "-" and os.path.isdir(path):
        print(
            f"{path}: is a directory (pass its files: {os.path.join(path, '*.js')})",
            file=sys.stderr,
        )
        return None
    data = b""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_SOURCE_BYTES + 1)
            too_large = len(data) > MAX_SOURCE_BYTES
        else:
            with open(path, "rb") as f:
                # Checked before reading: a huge file is refused without being loaded.
                too_large = os.fstat(f.fileno()).st_size > MAX_SOURCE_BYTES
                if not too_large:
                    data = f.read(MAX_SOURCE_BYTES + 1)
                    too_large = len(data) > MAX_SOURCE_BYTES  # grew since fstat
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return None
    if too_large:
        print(
            f"{path}: larger than {MAX_SOURCE_BYTES // 2**20} MiB, the most the translator "
            "takes; skipped",
            file=sys.stderr,
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if b"\x00" in data[:_BINARY_PROBE]:
            print(f"{path}: binary file, skipped", file=sys.stderr)
        else:
            print(f"{path}: not UTF-8 text (byte {exc.start}), skipped", file=sys.stderr)
        return None
    # A NUL early on usually means binary data (or UTF-16, which decodes as UTF-8 when it is
    # ASCII); JS allows NUL in strings and comments, so a source that parses is text.
    if "\x00" in text[:_BINARY_PROBE]:
        name = None if path == "-" else path
        if parse(data, name).syntax_problem() is not None:
            print(f"{path}: binary file, skipped", file=sys.stderr)
            return None
    return text


def current(path: str) -> str | None:
    """The text of path, or None when it does not exist or cannot be read as UTF-8."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None


def unified_diff(old: str, new: str, old_label: str, new_label: str) -> list[str]:
    """A unified diff that ``patch -p0`` and ``git apply -p0`` accept: lines split at ``\\n``
    only (a JS file may hold U+2028 or a form feed, which ``str.splitlines`` would split
    at), a last line without its newline marked as such, and file names quoted as git
    quotes them when they hold a newline, a quote, a backslash or a non-ASCII byte."""
    lines = difflib.unified_diff(
        lines_of(old), lines_of(new), fromfile=quote(old_label), tofile=quote(new_label)
    )
    out: list[str] = []
    for line in lines:
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return out


def lines_of(text: str) -> list[str]:
    """text split after each ``\\n`` (and nowhere else), newlines kept."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


_C_ESCAPES = {7: "a", 8: "b", 9: "t", 10: "n", 11: "v", 12: "f", 13: "r", 34: '"', 92: "\\"}


def quote(name: str) -> str:
    """name as git writes it in a diff header: as it is when plain, else in double quotes
    with C escapes (bytes that are not printable ASCII in octal)."""
    data = os.fsencode(name)
    if all(0x20 <= b < 0x7F and b not in (34, 92) for b in data):
        return name
    out = []
    for b in data:
        if b in _C_ESCAPES:
            out.append("\\" + _C_ESCAPES[b])
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\{b:03o}")
    return '"' + "".join(out) + '"'


def write_atomic(path: str, text: str, *, like: str, expected: str | None) -> None:
    """Replace path with text, if path still holds expected (None: path did not exist).

    The data is written and flushed to disk in a temporary file of the same directory
    (same filesystem, so ``os.replace`` is atomic) that takes path's mode (``like``'s for a
    new file); just before the rename, path is checked again. ``text`` is written as it is
    (CRLF stays CRLF).

    Raises:
        WriteRefused: path is read-only, has other hard links, or is not what was read
            (edited, deleted, created meanwhile).
        OSError: the write itself failed; path is untouched and nothing is left behind.
    """
    before = _check(path, expected)
    data = text.encode("utf-8")
    directory = os.path.dirname(os.path.abspath(path))
    _clean_leftovers(directory)
    mode = stat.S_IMODE(before.st_mode) if before is not None else _mode_of(like)
    fd, tmp = _open_temp(directory)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
            if mode is not None:
                with contextlib.suppress(OSError):  # a mode we cannot copy: not worth failing
                    os.fchmod(fd, mode)
            after = _check(path, expected)
            if (before is None) != (after is None) or (
                before is not None
                and after is not None
                and (before.st_dev, before.st_ino) != (after.st_dev, after.st_ino)
            ):
                raise WriteRefused(
                    "replaced by another file while translating (not written; run again)"
                )
            if tmp is None:
                tmp = _name_of(fd, directory)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _sync_directory(directory)


def _check(path: str, expected: str | None) -> os.stat_result | None:
    """path's status when it may be replaced (None: it does not exist, as expected)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if expected is not None:
            raise WriteRefused("deleted while translating (not written)") from None
        return None
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise WriteRefused(
            "read-only file (not written; make it writable to let --write change it)"
        )
    if st.st_nlink > 1 and stat.S_ISREG(st.st_mode):
        raise WriteRefused(
            f"has {st.st_nlink} hard links, which replacing it would split (not written; "
            "translate to stdout and copy the result in)"
        )
    if expected is None:
        raise WriteRefused("created while translating, or not UTF-8 text (not written)")
    try:
        with open(path, "rb") as f:
            unchanged = f.read() == expected.encode("utf-8")
    except OSError as exc:
        raise WriteRefused(f"cannot be read back: {exc.strerror or exc} (not written)") from None
    if not unchanged:
        raise WriteRefused("edited while translating (not written; run again)")
    return st


def _mode_of(path: str) -> int | None:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None


_PREFIX = ".bridge-"
_LEFTOVER = re.compile(r"\.bridge-(\d+)-[A-Za-z0-9_]+\.tmp")


def _open_temp(directory: str) -> tuple[int, str | None]:
    """A file to write the new text to: unnamed (path None) where the system allows it."""
    o_tmpfile = getattr(os, "O_TMPFILE", 0)
    if o_tmpfile and os.path.isdir("/proc/self/fd"):  # naming it later goes through /proc
        try:
            return os.open(directory, o_tmpfile | os.O_WRONLY, 0o600), None
        except OSError:
            pass  # a filesystem without O_TMPFILE: a named file
    fd, tmp = tempfile.mkstemp(prefix=f"{_PREFIX}{os.getpid()}-", suffix=".tmp", dir=directory)
    return fd, tmp


def _name_of(fd: int, directory: str) -> str:
    """Give the unnamed file fd a temporary name in directory (to rename it from)."""
    # A dir_fd makes os.link call linkat(AT_SYMLINK_FOLLOW), which links the file the /proc
    # entry stands for (plain link(2) would try to link the /proc symlink itself).
    dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        for _ in range(100):
            name = f"{_PREFIX}{os.getpid()}-{os.urandom(6).hex()}.tmp"
            try:
                os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=dir_fd)
            except FileExistsError:
                continue
            return os.path.join(directory, name)
    finally:
        os.close(dir_fd)
    raise FileExistsError(errno.EEXIST, "no free temporary name", directory)


_cleaned: set[str] = set()


def _clean_leftovers(directory: str) -> None:
    """Remove the temporary files that processes killed while writing left in directory
    (named ``.bridge-PID-*.tmp``; only those whose process is gone). Once per directory."""
    if directory in _cleaned:
        return
    _cleaned.add(directory)
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            m = _LEFTOVER.fullmatch(entry.name)
            if m is None or not entry.is_file(follow_symlinks=False):
                continue
            if not _alive(int(m.group(1))):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True


def _sync_directory(directory: str) -> None:
    """Make the rename durable (the directory entry is on disk too); best effort."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
