"""An error crossing the boundary twice comes back as itself.

* A Python exception raised in a coroutine JS awaits becomes a JS ``PythonError`` (name = the
  Python class, message = str(exc), the Python traceback at the end of its stack); when JS lets
  it propagate back to Python, Python catches the very same exception object.
* A JS error rejected to Python is a ``bridge.JSError`` subclass (a ``RangeError`` is also a
  ``ValueError``); raised back into JS, JS catches the very same Error object (``===``).
"""

from __future__ import annotations

import asyncio

import bridge


class OutOfStock(Exception):
    pass


original = OutOfStock("only 2 left of 'widget'")


async def reserve(item: str, qty: float) -> str:
    await asyncio.sleep(0)
    raise original


JS = """
async function order(item, qty) {
  try {
    return await reserve(item, qty);
  } catch (e) {
    log(`JS caught ${e.name} (instanceof PythonError: ${e instanceof PythonError}): ${e.message}`);
    log(`its JS stack ends with the Python traceback: ${e.stack.trim().split('\\n').pop()}`);
    throw e;  // back to Python
  }
}
order
"""


async def main() -> None:
    bridge.expose("reserve", reserve)
    bridge.expose("log", print)
    order = bridge.eval(JS, filename="order.js")
    try:
        await order("widget", 3)
    except OutOfStock as exc:
        print(f"Python caught the same exception object again: {exc is original}")

    js_error = bridge.eval("globalThis.limit = new RangeError('quantity must be <= 2'); limit")
    is_value_error = isinstance(js_error, ValueError)
    print(f"JS RangeError in Python: {type(js_error).__name__}, a ValueError: {is_value_error}")

    def check(qty: float) -> None:
        if qty > 2:
            raise js_error

    same = bridge.eval(
        "(check) => { try { check(3); } catch (e) { return e === globalThis.limit; } }"
    )
    print(f"raised back into JS, it is the same JS object (===): {same(check)}")


if __name__ == "__main__":
    asyncio.run(main())
