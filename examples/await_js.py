"""Awaiting JavaScript promises from Python.

A JS async function does real asynchronous work (timers); Python awaits its promise like any
asyncio future, gathers it with Python work, and catches a JS rejection as a Python exception.
"""

from __future__ import annotations

import asyncio
import time

import bridge

JS = """
async function fetchPrice(symbol, ms) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  if (symbol === 'XXX') throw new RangeError(`unknown symbol ${symbol}`);
  return { symbol, price: symbol.length * 10.5 };
}
fetchPrice
"""


async def main() -> None:
    fetch_price = bridge.eval(JS, filename="prices.js")

    quote = await fetch_price("ACME", 20)
    print(f"awaited a JS promise: {quote['symbol']} costs {quote['price']}")

    async def python_side() -> str:
        await asyncio.sleep(0.02)
        return "python done"

    start = time.perf_counter()
    js_quote, py_result = await asyncio.gather(fetch_price("BRDG", 20), python_side())
    took = (time.perf_counter() - start) * 1000
    print(
        f"gathered JS and Python work concurrently in {took:.0f} ms: "
        f"{js_quote['price']}, {py_result}"
    )

    try:
        await fetch_price("XXX", 1)
    except ValueError as exc:  # a JS RangeError is a bridge.JSRangeError, also a ValueError
        print(f"JS rejection caught in Python: {type(exc).__name__}: {exc}")

    order: list[str] = []
    bridge.eval(
        "(log) => { Promise.resolve().then(() => log('then 1')).then(() => log('then 2'));"
        " setTimeout(() => log('timer'), 0); }"
    )(order.append)
    await asyncio.sleep(0.01)
    print(f"promise jobs run before timers, as in Node: {order}")


if __name__ == "__main__":
    asyncio.run(main())
