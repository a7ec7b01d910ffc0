"""``bridge.embedded()``: the in-process engine behind the ``bridge.Runtime`` interface.

There is one engine per process; every ``EmbeddedRuntime`` is a view of it, so ``close()`` only
ends the view (the engine lives as long as the process).
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from . import _cancel, _modules, _values


async def _settled(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


class EmbeddedRuntime:
    """The embedded SpiderMonkey engine as a ``bridge.Runtime``."""

    name = "embedded"

    async def start(self) -> EmbeddedRuntime:
        _modules.js_globals()  # starts the engine on this (the main) thread
        return self

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> EmbeddedRuntime:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def eval(self, code: str, *, filename: str = "<eval>") -> Any:
        return await _settled(_modules.eval(code, filename=filename))

    async def require(self, spec: str) -> Any:
        target = spec
        if spec.startswith(("./", "../")):
            caller = sys._getframe(1).f_globals.get("__file__")
            base = Path(caller).resolve().parent if caller else Path.cwd()
            target = os.fspath(base / spec)
        return _modules.require(target)

    async def import_(self, spec: str) -> Any:
        raise NotImplementedError("ES modules on the embedded runtime: not yet")

    @property
    def globals(self) -> Any:
        return _modules.js_globals()

    def expose(self, name: str, obj: Any) -> Any:
        return _values.expose(name, obj)

    def new(self, cls: Any) -> Callable[..., Awaitable[Any]]:
        construct = _modules.new(cls)

        async def new(*args: Any) -> Any:
            return construct(*args)

        return new

    def signal(self) -> Any:
        return _cancel.signal()


def embedded() -> EmbeddedRuntime:
    """The embedded runtime (SpiderMonkey in this process) as a ``bridge.Runtime``."""
    return EmbeddedRuntime()
