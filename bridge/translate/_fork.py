"""Running one piece of a translation in a forked child process, on the second core.

``start(work)`` forks; the child runs ``work()`` and sends its (pickled) result back through a
pipe, the parent goes on with its own part and then calls ``Child.result()``. Any failure of
the child (an exception, a crash, a kill, unreadable data) gives ``None``, and the caller does
that part itself: forking only ever changes how long a translation takes, never its result.

Forking is used only where it is safe (``available()``): on Linux, in a process with a single
thread (a fork of a multi-threaded process can deadlock in the child; the JS engine runs
helper threads, so a process that has loaded it never forks), and unless
``BRIDGE_TRANSLATE_JOBS=1`` asks for one process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Any

ENV = "BRIDGE_TRANSLATE_JOBS"


def available() -> bool:
    """Whether a translation may fork a helper process now."""
    if os.environ.get(ENV, "").strip() == "1":
        return False
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    if "pythonmonkey" in sys.modules:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


class Child:
    """A forked child computing one result."""

    def __init__(self, pid: int, fd: int) -> None:
        self._pid = pid
        self._fd = fd
        self._done = False

    def result(self) -> Any | None:
        """The child's result (waiting for it), or None when it failed in any way."""
        if self._done:
            return None
        self._done = True
        try:
            with os.fdopen(self._fd, "rb") as pipe:
                data = pipe.read()
        finally:
            status = _reap(self._pid)
        if status not in (0, None) or not data:
            return None
        # With the exit status unknown (reaped elsewhere), the data decides: a pickle that
        # was cut short does not load.
        try:
            return pickle.loads(data)
        except Exception:
            return None

    def cancel(self) -> None:
        """Stop the child and reap it (the parent's own part failed)."""
        if self._done:
            return
        self._done = True
        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        os.close(self._fd)
        _reap(self._pid)


def _reap(pid: int) -> int | None:
    """Wait for the child; its exit status, or None when something else reaped it (a
    SIGCHLD handler of the application, or SIGCHLD ignored)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def start(work: Callable[[], Any]) -> Child | None:
    """Fork a child that runs work(); None when the fork itself failed."""
    read_fd, write_fd = os.pipe()
    for stream in (sys.stdout, sys.stderr):  # the child must not flush the parent's buffers
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # pragma: no cover - the child; its coverage is not collected
        code = 1
        try:
            os.close(read_fd)
            data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view) :]
            code = 0
        except BaseException:
            pass
        finally:
            os._exit(code)
    os.close(write_fd)
    return Child(pid, read_fd)
