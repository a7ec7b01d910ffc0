"""A JS fetch-like API, cancelled from a Python timeout.

`slowFetch(url, {signal})` is JS that takes an AbortSignal, as fetch does: when the signal
aborts it stops its work (clears its timer) and rejects with the signal's reason. Python hands
it `bridge.signal()` and gives up after 50 ms with asyncio.wait_for; the JS side hears about it
at once, with a TimeoutError as the reason.
"""

from __future__ import annotations

import asyncio

import bridge

API = """
({
  log: [],
  slowFetch(url, { signal } = {}) {
    return new Promise((resolve, reject) => {
      signal?.throwIfAborted();
      const started = Date.now();
      const onAbort = () => {
        clearTimeout(timer);
        this.log.push(`${url}: stopped after ${Date.now() - started} ms (${signal.reason.name})`);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);  // done: later aborts are not ours
        resolve(`body of ${url}`);
      }, 200);
      signal?.addEventListener('abort', onAbort);
    });
  },
})
"""


async def main() -> None:
    api = bridge.eval(API)

    # Fast enough: the signal is never used.
    body = await asyncio.wait_for(api.slowFetch("/fast", {"signal": bridge.signal()}), 1.0)
    print(f"got: {body}")

    # Too slow: the Python timeout aborts the JS request.
    try:
        await asyncio.wait_for(api.slowFetch("/slow", {"signal": bridge.signal()}), 0.05)
    except asyncio.TimeoutError:
        print("Python: timed out after 50 ms")
    await asyncio.sleep(0)
    for line in api.log:
        print(f"JS:     {line}")

    # Cancelling the task that awaits the request aborts it too, with an AbortError.
    async def download() -> str:
        return str(await api.slowFetch("/cancelled", {"signal": bridge.signal()}))

    task = asyncio.ensure_future(download())
    await asyncio.sleep(0.02)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("Python: task cancelled")
    print(f"JS:     {api.log[len(api.log) - 1]}")


if __name__ == "__main__":
    asyncio.run(main())
