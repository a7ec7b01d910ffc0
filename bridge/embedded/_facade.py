"""``bridge.embedded()``: the in-process engine behind the ``bridge.Runtime`` interface.

There is one engine per process; every ``EmbeddedRuntime`` is a view of it, so ``close()`` only
ends the view (the engine lives as long as the process).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from .._exceptions import BridgeError
from .._proxy import Ref
from .._proxy import new as _new
from .._runtime import RuntimeBase
from . import _cancel, _engine, _modules, _values

# By value only when every leaf is JSON-like (or bytes), as on the Node runtime.
_BY_VALUE = """(function byValue(v, seen = new Set()) {
  if (v === null || v === undefined) return true;
  const t = typeof v;
  if (t === "string" || t === "number" || t === "boolean" || t === "bigint") return true;
  if (t !== "object" || seen.has(v)) return false;
  if (v instanceof Uint8Array) return true;
  const p = Object.getPrototypeOf(v);
  const plain = (p === Object.prototype || p === null)
    && Object.prototype.toString.call(v) === "[object Object]";
  if (!Array.isArray(v) && !plain) return false;
  seen.add(v);
  for (const k of Object.keys(v)) if (!byValue(v[k], seen)) return false;
  seen.delete(v);
  return true;
})"""


class _Backend:
    """Evaluates ``Ref`` chains synchronously with the embedded engine's own functions."""

    def __init__(self) -> None:
        self._by_value: Any = None

    def evaluate(self, ref: Ref) -> Any:
        root = ref._bridge_root
        kind = root[0]
        if kind == "value":
            cur = root[1]
        elif kind == "global":
            cur = _modules.js_globals()
        elif kind == "eval":
            cur = _modules.eval(root[1], filename=root[2])
        elif kind == "require":
            cur = _modules.require_from(root[1], root[2])
        else:  # pragma: no cover
            raise AssertionError(kind)
        for op in ref._bridge_ops:
            if op[0] == "get":
                cur = cur[op[1]] if isinstance(op[1], int) else getattr(cur, op[1])
            elif op[0] == "call":
                cur = cur(*self._args(op[1]))
            else:
                cur = _modules.new(cur)(*self._args(op[1]))
        return cur

    def _args(self, args: Any) -> Any:
        if isinstance(args, Ref):
            return self.evaluate(args)
        if isinstance(args, (list, tuple)):
            return [self._args(a) for a in args]
        if isinstance(args, dict):
            return {k: self._args(a) for k, a in args.items()}
        return args

    async def resolve(self, ref: Ref) -> Any:
        value = self.evaluate(ref)
        if inspect.isawaitable(value):
            value = await value
        return self.settle(value)

    async def iterate(self, ref: Ref) -> AsyncIterator[Any]:
        async for item in self.evaluate(ref):
            yield self.settle(item)

    def settle(self, value: Any) -> Any:
        if value is _engine.engine().null:
            return None  # JSON-like values read the same on both runtimes: null is None
        if isinstance(value, memoryview):
            return bytes(value)
        if isinstance(value, list):
            return [self.settle(v) for v in value]
        if isinstance(value, (_values.JSObject, _values.JSFunction)):
            if self._by_value is None:
                self._by_value = _modules.eval(_BY_VALUE)
            if isinstance(value, _values.JSObject) and self._by_value(value):
                return {k: self.settle(value[k]) for k in value}
            return Ref(self, ("value", value))
        return value

    def assign(self, ref: Ref, name: str, value: Any, *, delete: bool = False) -> None:
        target = self.evaluate(ref)
        if delete:
            delattr(target, name)
        else:
            setattr(target, name, self._args(value))


class EmbeddedRuntime(RuntimeBase):
    """The embedded SpiderMonkey engine as a ``bridge.Runtime``.

    Like the Node runtime, it hands out lazy ``Ref`` proxies: ``await rt.eval(...)``,
    ``await (await rt.require(...)).f(1)`` behave the same on both.
    """

    name = "embedded"

    def __init__(self) -> None:
        self._backend = _Backend()

    async def start(self) -> EmbeddedRuntime:
        _modules.js_globals()  # starts the engine on this (the main) thread
        return self

    async def close(self) -> None:
        return None

    def eval(self, code: str, *, filename: str = "<eval>") -> Any:
        return Ref(self._backend, ("eval", code, filename))

    def require(self, spec: str) -> Any:
        # Resolved as from the calling file: ./x beside it, bare names in node_modules upward.
        return Ref(self._backend, ("require", spec, _modules.caller_file(1)))

    async def import_(self, spec: str) -> Any:
        raise BridgeError(
            f"import({spec!r}): {_modules.ESM_HINT}; `async with bridge.node() as rt: "
            "await rt.import_(...)` loads ES modules"
        )

    @property
    def globals(self) -> Any:
        return Ref(self._backend, ("global",))

    def expose(self, name: str, obj: Any) -> Any:
        return _values.expose(name, obj)

    def new(self, cls: Any) -> Callable[..., Awaitable[Any]]:
        if not isinstance(cls, Ref):
            cls = Ref(self._backend, ("value", cls))
        return _new(cls)  # type: ignore[no-any-return]

    def signal(self) -> Any:
        return _cancel.signal()


def embedded() -> EmbeddedRuntime:
    """The embedded runtime (SpiderMonkey in this process) as a ``bridge.Runtime``."""
    return EmbeddedRuntime()
