"""Upward calls: the one way a lower layer reaches a function that a higher layer provides.

A lower module declares a ``Hook`` and calls it; the module that provides the function sets it
when it is imported (``hook.set(fn)``). ``bridge/__init__`` imports every provider, so a hook is
always set by the time user code runs. Nothing here imports anything of bridge.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Hook(Generic[F]):
    """One upward call. ``hook.fn`` is the provider's function (read it once on hot paths)."""

    __slots__ = ("fn", "name")

    def __init__(self, name: str, default: F | None = None) -> None:
        self.name = name
        self.fn: F | None = default

    def set(self, fn: F) -> None:
        """Called once by the providing module, at its import."""
        self.fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        fn = self.fn
        if fn is None:  # a bug in bridge's imports, never the user's doing
            raise RuntimeError(f"bridge internal error: hook {self.name!r} was never set")
        return fn(*args, **kwargs)


class Hooks(Generic[F]):
    """Several providers of one kind, called in the order they registered."""

    __slots__ = ("fns", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.fns: list[F] = []

    def add(self, fn: F) -> None:
        self.fns.append(fn)
