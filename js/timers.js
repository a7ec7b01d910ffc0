/**
 * timers.js - bridge's setTimeout family, evaluated once when the engine starts.
 *
 * pythonmonkey 1.4.1's timers keep every timer forever (an entry in a table that only grows,
 * holding the asyncio handle, hence its loop, and a debug record with the callback and a stack
 * string: about 1 KB each), and run the callback as a bare loop callback, so the microtasks it
 * queues run after the next timer. These schedule through bridge (bridge/embedded/_loop.py), which
 * drains the microtask queue after each callback, as Node and browsers do, and forgets a timer
 * once it fired or was cleared. The completion value installs them: install(schedule, cancel, ref).
 */
(function bridgeTimers() {
  'use strict';

  return function install(schedule, cancel, setRef) {
    class Timeout {
      #id;
      #refed = true;

      constructor(id) { this.#id = id; }

      hasRef() { return this.#refed; }

      ref() { this.#refed = true; setRef(this.#id, true); return this; }

      unref() { this.#refed = false; setRef(this.#id, false); return this; }

      refresh() {
        throw new Error('Timeout.refresh() is not supported by the embedded runtime (bridge.node() has it)');
      }

      close() { cancel(this.#id); return this; }

      [Symbol.toPrimitive]() { return this.#id; }
    }

    function start(handler, delayMs, args, repeat) {
      // A string handler is source code, as in browsers and Node.
      const fn = typeof handler === 'function' ? handler : new Function(String(handler));
      let delay = Number(delayMs) || 0;
      if (!(delay >= 1)) delay = repeat ? 1 : 0;
      const job = args.length ? () => fn.apply(globalThis, args) : () => fn.call(globalThis);
      return new Timeout(schedule(delay / 1000, job, repeat));
    }

    function clear(timeout) {
      if (timeout instanceof Timeout || Number.isInteger(timeout)) cancel(Number(timeout));
    }

    const timers = {
      setTimeout(handler, delayMs = 0, ...args) { return start(handler, delayMs, args, false); },
      setInterval(handler, delayMs = 0, ...args) { return start(handler, delayMs, args, true); },
      setImmediate(handler, ...args) { return start(handler, 0, args, false); },
      clearTimeout: clear,
      clearInterval: clear,
      clearImmediate: clear,
    };
    for (const [name, fn] of Object.entries(timers)) {
      Object.defineProperty(globalThis, name, { value: fn, writable: true, configurable: true });
    }
  };
})();
