"""Node.js as a runtime: Node built-ins, bytes as Buffers, and JS awaiting Python.

Run: python examples/node_runtime.py (needs `node` on PATH).
"""

from __future__ import annotations

import asyncio
import hashlib

import bridge


async def main() -> None:
    async with bridge.node() as rt:
        print("Node", rt.version)

        # Node's own modules: proxies compose until awaited, then JS `await` semantics apply.
        path = await rt.require("path")
        print("path.join:", await path.join("/srv", "app", "..", "data.json"))

        # bytes cross as Buffers (raw, in binary frames) and come back as bytes.
        crypto = await rt.require("crypto")
        data = b"hello from Python" * 1000
        digest = await crypto.createHash("sha256").update(data).digest("hex")
        print("same sha256 in JS and Python:", digest == hashlib.sha256(data).hexdigest())

        # JS awaits an async Python function; many calls run concurrently, pipelined by id.
        async def fetch_price(item: str) -> float:
            await asyncio.sleep(0.01)
            return {"apple": 0.5, "pear": 0.75}[item]

        rt.expose("fetchPrice", fetch_price)
        total = await rt.eval(
            "Promise.all(['apple', 'pear', 'apple'].map(fetchPrice))"
            ".then((prices) => prices.reduce((a, b) => a + b, 0))"
        )
        print("total price:", total)

        # JS errors arrive as bridge's error classes.
        try:
            await rt.eval("JSON.parse('{oops')")
        except bridge.JSSyntaxError as exc:
            print("JS threw:", exc.name)


asyncio.run(main())
