"""Lazy remote-object proxies, shared by both runtimes.

A ``Ref`` is a JS expression not yet evaluated: a root (a handle, ``globalThis``, an eval, a
require...) and a chain of property reads, calls and ``new``. Attribute access and calls compose
without any work; ``await ref`` evaluates the chain in the runtime and awaits a promise result,
as JS ``await expression`` does. Each runtime supplies a ``Backend`` that evaluates chains.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Generator
from typing import Any, Protocol

__all__ = ["Backend", "Ref"]


class Backend(Protocol):
    """What a runtime provides to evaluate and assign through ``Ref`` chains."""

    def resolve(self, ref: Ref) -> Awaitable[Any]: ...

    def assign(self, ref: Ref, name: str, value: Any, *, delete: bool = False) -> None: ...

    def iterate(self, ref: Ref) -> AsyncIterator[Any]: ...


class Ref:
    """A JS value or expression in a runtime; ``await`` it for its (settled) value."""

    __slots__ = ("__weakref__", "_bridge_backend", "_bridge_keep", "_bridge_ops", "_bridge_root")
    _bridge_backend: Backend
    _bridge_keep: Any
    _bridge_ops: tuple[Any, ...]
    _bridge_root: Any

    def __init__(
        self, backend: Backend, root: Any, ops: tuple[Any, ...] = (), keep: Any = None
    ) -> None:
        # The slots' own setters (``__setattr__`` is the JS assignment): a Ref is made for
        # every call and attribute read, and these take half the time of object.__setattr__.
        _set_backend(self, backend)
        # A chain keeps the handle it starts from alive (the runtime frees a collected handle).
        _set_keep(self, keep)
        _set_root(self, root)
        _set_ops(self, ops)

    def _bridge_then(self, op: Any) -> Ref:
        keep = self._bridge_keep if self._bridge_ops else self
        return Ref(self._bridge_backend, self._bridge_root, (*self._bridge_ops, op), keep)

    def __getattr__(self, name: str) -> Ref:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # Python protocol look-ups (copy, pickle...) are not JS
        return self._bridge_then(("get", name))

    def __getitem__(self, key: str | int) -> Ref:
        return self._bridge_then(("get", key))

    def __call__(self, *args: Any, **kwargs: Any) -> Ref:
        if kwargs:
            raise TypeError("JS functions take positional arguments only")
        return self._bridge_then(("call", args))

    def __setattr__(self, name: str, value: Any) -> None:
        self._bridge_backend.assign(self, name, value)

    def __setitem__(self, key: str | int, value: Any) -> None:
        self._bridge_backend.assign(self, str(key), value)

    def __delattr__(self, name: str) -> None:
        self._bridge_backend.assign(self, name, None, delete=True)

    def __await__(self) -> Generator[Any, None, Any]:
        return self._bridge_backend.resolve(self).__await__()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._bridge_backend.iterate(self)

    def __repr__(self) -> str:
        path = "".join(
            f".{op[1]}" if op[0] == "get" else "(...)" if op[0] == "call" else " new(...)"
            for op in self._bridge_ops
        )
        root = self._bridge_root
        base = {"h": "object", "value": "object", "global": "globalThis"}.get(root[0], root[0])
        return f"<JS {base}{path}>"


def new(ref: Ref) -> Any:
    """``new ref(...args)`` as a composable ``Ref`` factory."""

    def construct(*args: Any) -> Ref:
        return ref._bridge_then(("new", args))

    return construct


_set_backend = Ref.__dict__["_bridge_backend"].__set__
_set_keep = Ref.__dict__["_bridge_keep"].__set__
_set_root = Ref.__dict__["_bridge_root"].__set__
_set_ops = Ref.__dict__["_bridge_ops"].__set__
