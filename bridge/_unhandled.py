"""The one place where a rejection nobody handled is reported.

Both ``bridge.Promise`` and JS promises that reach Python report through ``report``: once per
promise, through the running loop's exception handler (as asyncio does for "exception was
never retrieved"), falling back to ``sys.unraisablehook``-style stderr output with no loop.
"""

from __future__ import annotations

import asyncio
import sys
import traceback
from typing import Any

MESSAGE = "Unhandled promise rejection"


def report(
    exc: BaseException, *, promise: Any, loop: asyncio.AbstractEventLoop | None = None
) -> None:
    """Report ``exc`` as the reason of ``promise``, which was rejected and never handled."""
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
    context: dict[str, Any] = {"message": MESSAGE, "exception": exc, "promise": promise}
    if loop is not None and not loop.is_closed():
        loop.call_exception_handler(context)
        return
    print(f"{MESSAGE}: {promise!r}", file=sys.stderr)
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
