"""JavaScript awaiting Python coroutines.

An ``async def`` exposed to JS becomes a function returning a native JS Promise; JS code awaits
it like any other promise, runs several at once with ``Promise.all``, and gets Python's return
values converted (a dict arrives as a JS object).
"""

from __future__ import annotations

import asyncio

import bridge

USERS = {1: "ada", 2: "grace", 3: "barbara"}


async def load_user(uid: float) -> dict[str, object]:
    await asyncio.sleep(0.01)  # stands for a database or HTTP call on the Python side
    return {"id": int(uid), "name": USERS[int(uid)]}


JS = """
async function greetAll(ids) {
  const pending = loadUser(ids[0]);
  const first = await pending;
  const rest = await Promise.all(ids.slice(1).map((id) => loadUser(id)));
  return [pending instanceof Promise, [first, ...rest].map((u) => `hello ${u.name}`).join(', ')];
}
greetAll
"""


async def main() -> None:
    bridge.expose("loadUser", load_user)
    greet_all = bridge.eval(JS, filename="greet.js")
    is_promise, greeting = await greet_all([1, 2, 3])
    print(f"loadUser(...) returned a native JS Promise: {is_promise}")
    print(f"JS awaited Python coroutines: {greeting}")

    # Any Python awaitable can be handed to JS as a promise with bridge.to_js.
    describe = bridge.eval("async (p) => `JS awaited a Python task and got ${(await p).name}`")
    print(await describe(bridge.to_js(asyncio.ensure_future(load_user(3)))))


if __name__ == "__main__":
    asyncio.run(main())
