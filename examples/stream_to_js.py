"""A Python async generator streamed into a JS `for await` loop that stops early.

JS pulls one value at a time (nothing is produced ahead of what JS consumed) and leaves the
loop with `break` after three readings: the generator's `finally` runs before JS moves on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import bridge

produced = []


async def readings() -> AsyncIterator[float]:
    """A sensor that produces a reading whenever it is asked for one."""
    try:
        n = 0
        while True:
            n += 1
            await asyncio.sleep(0.005)
            produced.append(n)
            print(f"Python: produced reading {n}")
            yield n * 1.5
    finally:
        print(f"Python: generator closed after {len(produced)} readings")


CONSUMER = """
async function consume(stream) {
  let total = 0;
  for await (const value of stream) {
    console.log(`JS:     got ${value}`);
    total += value;
    if (value >= 4.5) break;   // runs the Python generator's finally
  }
  console.log('JS:     loop left');
  return total;
}
consume
"""


async def main() -> None:
    bridge.expose("readings", readings)
    consume = bridge.eval(CONSUMER)
    total = await consume(bridge.eval("readings()"))
    print(f"total: {total} from {len(produced)} readings (none produced ahead)")


if __name__ == "__main__":
    asyncio.run(main())
