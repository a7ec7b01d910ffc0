# mypy: warn-unused-ignores
"""The public types as a user's code sees them, checked by `nox -s typecheck` (mypy --strict).

Never run: mypy reads it. Each `assert_type` fails the check if a type drifts; each
`# type: ignore[...]` marks a mistake mypy must catch (with warn-unused-ignores, so an ignore
that is no longer needed fails too).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from typing_extensions import assert_type

import bridge
from bridge import Promise


async def promises() -> None:
    one = Promise.resolve(1)
    assert_type(one, Promise[int])
    assert_type(Promise.resolve(), Promise[None])
    assert_type(Promise.resolve(one), Promise[int])  # a promise is adopted, not nested
    assert_type(Promise.resolve(asyncio.sleep(0, "x")), Promise[str])  # so is a coroutine
    assert_type(await one, int)

    assert_type(one.then(str), Promise[str])

    def listed(n: int) -> Promise[list[int]]:
        return Promise.resolve([n])

    assert_type(one.then(listed), Promise[list[int]])  # a returned promise is adopted
    assert_type(one.then(), Promise[int])
    assert_type(one.then(str, lambda err: None), Promise[str | None])
    assert_type(one.catch(lambda err: "fallback"), Promise[int | str])
    assert_type(one.catch(None), Promise[int])
    assert_type(one.finally_(lambda: print("done")), Promise[int])
    assert_type(one.then(str).then(len).finally_(None), Promise[int])

    async def fetch(n: int) -> bytes:
        return b"x" * n

    assert_type(one.then(fetch), Promise[bytes])  # an async handler's result is awaited

    assert_type(Promise.all([one, Promise.resolve(2)]), Promise[list[int]])
    assert_type(Promise.race([one, Promise.resolve(2)]), Promise[int])
    assert_type(Promise.any([one]), Promise[int])
    settled = await Promise.all_settled([one])
    assert_type(settled, list[dict[str, Any]])

    rejected: Promise[str] = Promise.reject(ValueError("x"))  # fits any annotation
    widened: Promise[float] = one  # a Promise[int] is a Promise[float]
    print(rejected, widened)

    wrong: Promise[str] = Promise.resolve(1)  # type: ignore[arg-type]
    one.then(lambda s: s.upper())  # type: ignore[attr-defined]
    print(wrong)


async def runtime() -> None:
    def digest(text: str, *, size: int = 12) -> str:
        return text[:size]

    blocked = bridge.blocking(digest)
    assert_type(await blocked("abc", size=2), str)
    blocked(b"bytes")  # type: ignore[arg-type]
    assert_type(blocked("abc"), asyncio.Future[str])
    future: Awaitable[str] = blocked("abc")
    print(future)


def sync_code() -> None:
    async def work() -> list[int]:
        return [1]

    assert_type(bridge.run(work()), list[int])
    bridge.require("./x.js", _depth=2)  # type: ignore[call-arg]
    try:
        bridge.eval("let x = ;", filename="broken.js")
    except bridge.JSSyntaxError as err:
        assert_type(err.filename, str | None)
        assert_type(err.lineno, int | None)
        assert_type(err.offset, int | None)


async def runtimes() -> None:
    async with bridge.node() as node:
        assert_type(node, bridge.NodeRuntime)
    async with bridge.embedded() as embedded:
        assert_type(embedded, bridge.EmbeddedRuntime)
    runtime: bridge.Runtime = embedded
    print(runtime.name)
