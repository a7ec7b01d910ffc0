"""Offloading blocking work: JS awaits a slow Python function without stalling the loop.

``bridge.blocking(fn)`` runs ``fn`` in an executor (the loop's default thread pool, or one you
pass) and gives JS a Promise at once. While the two 200 ms calls run in threads, a JS timer keeps
ticking on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from concurrent.futures import ThreadPoolExecutor

import bridge


def slow_digest(text: str) -> str:
    time.sleep(0.2)  # stands for disk, a blocking client library, or CPU work
    return hashlib.sha256(text.encode()).hexdigest()[:12]


JS = """
(async () => {
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 10);
  const started = Date.now();
  const digests = await Promise.all([digest('alpha'), digest('beta')]);
  clearInterval(timer);
  return [digests, Date.now() - started, ticks];
})()
"""


async def main() -> None:
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="digest") as pool:
        bridge.expose("digest", bridge.blocking(slow_digest, pool))
        digests, took_ms, ticks = await bridge.eval(JS)
    print(f"digests computed in worker threads: {list(digests)}")
    print(f"both took {took_ms:.0f} ms together (each sleeps 200 ms)")
    print(f"meanwhile a 10 ms JS interval ticked {ticks:.0f} times: the loop never blocked")


if __name__ == "__main__":
    asyncio.run(main())
