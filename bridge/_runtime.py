"""The ``Runtime`` interface: what both runtimes, embedded and node, offer.

Code written against ``bridge.Runtime`` runs on either runtime unchanged::

    async with bridge.node() as rt:          # or: bridge.embedded()
        lodash = await rt.require("lodash")
        print(await lodash.chunk([1, 2, 3], 2))

Values a runtime hands to Python are awaitable where JS would be asynchronous: ``await`` of a
call, a property read or a promise gives its settled value, as JS ``await`` does.
This module holds the interface and nothing else; it imports no runtime.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Protocol, TypeVar, runtime_checkable

__all__ = ["Runtime", "RuntimeBase"]

_R = TypeVar("_R", bound="RuntimeBase")


@runtime_checkable
class Runtime(Protocol):
    """A JavaScript runtime driven from asyncio (``bridge.embedded()`` or ``bridge.node()``)."""

    @property
    def name(self) -> str:
        """``"embedded"`` or ``"node"``."""
        ...

    async def start(self) -> Runtime:
        """Start the runtime (``async with`` does it); returns the runtime itself."""
        ...

    async def close(self) -> None:
        """Stop the runtime; pending awaits fail with ``RuntimeGone``. Idempotent."""
        ...

    async def __aenter__(self) -> Runtime: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def eval(self, code: str, *, filename: str = "<eval>") -> Any:
        """Evaluate JS source (a script); a promise result is awaited, as JS ``await`` would."""
        ...

    async def require(self, spec: str) -> Any:
        """``require(spec)`` with Node's resolution: ``./x`` from the calling Python file."""
        ...

    async def import_(self, spec: str) -> Any:
        """The namespace of the ES module ``spec`` (dynamic ``import()``)."""
        ...

    @property
    def globals(self) -> Any:
        """JS ``globalThis``."""
        ...

    def expose(self, name: str, obj: Any) -> Any:
        """``globalThis[name] = obj``; an ``async def`` returns a JS Promise. Returns ``obj``."""
        ...

    def new(self, cls: Any) -> Callable[..., Awaitable[Any]]:
        """``rt.new(Cls)(*args)``: awaitable ``new Cls(...args)``."""
        ...

    def signal(self) -> Any:
        """The current task's JS ``AbortSignal``: aborted when the task is cancelled."""
        ...


class RuntimeBase:
    """What both runtimes share as written code: ``async with`` starts and closes them."""

    async def start(self) -> Any:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self: _R) -> _R:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
