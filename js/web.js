/**
 * web.js - the web globals real libraries expect (the WinterCG minimum common API) where
 * SpiderMonkey as pythonmonkey embeds it has none. Evaluated once at engine start; its completion
 * value is `install(python)`, called by bridge/embedded/_web.py with the Python functions that do
 * the work JS cannot do alone here (the operating system's random numbers, the clock, UTF-8
 * through Python's codecs: maintained implementations rather than hand-written ones).
 */
(function bridgeWeb() {
  'use strict';

  function define(name, value) {
    if (!(name in globalThis)) {
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true });
    }
  }

  return function install(python) {
    define('global', globalThis);

    define('queueMicrotask', function queueMicrotask(callback) {
      if (typeof callback !== 'function') {
        throw new TypeError("The \"callback\" argument must be of type function");
      }
      Promise.resolve().then(() => callback());
    });

    const origin = python.now();
    define('performance', {
      timeOrigin: python.timeOrigin(),
      now() { return python.now() - origin; },
    });

    class TextEncoder {
      get encoding() { return 'utf-8'; }
      encode(input = '') {
        const text = String(input);
        const out = new Uint8Array(python.utf8Length(text));
        python.encodeInto(text, out);
        return out;
      }
      encodeInto(input, destination) {
        const bytes = this.encode(input);
        const written = Math.min(bytes.length, destination.length);
        destination.set(bytes.subarray(0, written));
        return { read: String(input).length, written };
      }
    }
    class TextDecoder {
      constructor(label = 'utf-8', options = {}) {
        this.encoding = python.encodingName(String(label));
        if (this.encoding == null) {
          throw new RangeError(`The "${label}" encoding is not supported`);
        }
        this.fatal = Boolean(options.fatal);
        this.ignoreBOM = Boolean(options.ignoreBOM);
      }
      decode(input) {
        if (input === undefined) return '';
        const view = ArrayBuffer.isView(input)
          ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
          : new Uint8Array(input);
        return python.decode(view, this.encoding, this.fatal, this.ignoreBOM);
      }
    }
    define('TextEncoder', TextEncoder);
    define('TextDecoder', TextDecoder);

    const INTEGER_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
      Int32Array, Uint32Array, BigInt64Array, BigUint64Array];
    function getRandomValues(array) {
      if (!INTEGER_ARRAYS.some((Kind) => array instanceof Kind)) {
        throw new DOMException('The data provided is not an integer typed array', 'TypeMismatchError');
      }
      if (array.byteLength > 65536) {
        throw new DOMException(`${array.byteLength} bytes asked, 65536 at most`, 'QuotaExceededError');
      }
      python.fillRandom(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      return array;
    }
    function randomUUID() {
      const b = getRandomValues(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40; // version 4
      b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
      const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    define('crypto', { getRandomValues, randomUUID });

    if (python.structuredClone) define('structuredClone', python.structuredClone);

    // process: the part of Node's process object libraries read to learn where they run
    // (process.env.NODE_ENV, platform, cwd(), nextTick). Written here because the `process`
    // package's browser shim has an empty env and cwd '/': this one has the real environment
    // (a copy taken at engine start), working directory and platform. `versions` has no `node`
    // and `browser` is true, so code that looks for Node takes its browser path.
    const noop = function () { return processObject; };
    const processObject = {
      title: 'bridge',
      browser: true,
      env: python.environ(),
      argv: python.argv(),
      execArgv: [],
      pid: python.pid(),
      platform: python.platform(),
      arch: python.arch(),
      version: '',
      versions: {},
      release: { name: 'bridge' },
      exitCode: undefined,
      cwd() { return python.cwd(); },
      chdir() { throw new Error('process.chdir() is not supported by the embedded engine'); },
      umask() { return 0o022; },
      uptime() { return (python.now() - origin) / 1000; },
      hrtime: Object.assign(function hrtime(previous) {
        const ns = BigInt(Math.round((python.now() - origin) * 1e6));
        let seconds = Number(ns / 1000000000n);
        let nanos = Number(ns % 1000000000n);
        if (previous) {
          seconds -= previous[0];
          nanos -= previous[1];
          if (nanos < 0) { seconds -= 1; nanos += 1e9; }
        }
        return [seconds, nanos];
      }, { bigint() { return BigInt(Math.round((python.now() - origin) * 1e6)); } }),
      nextTick(callback, ...args) {
        if (typeof callback !== 'function') {
          throw new TypeError('The "callback" argument must be of type function');
        }
        Promise.resolve().then(() => callback(...args));
      },
      emitWarning(warning) { console.warn(String(warning && warning.message ? `${warning.name}: ${warning.message}` : warning)); },
      on: noop, once: noop, off: noop, addListener: noop, removeListener: noop,
      removeAllListeners: noop, prependListener: noop, prependOnceListener: noop,
      emit() { return false; },
      listeners() { return []; },
      binding(name) { throw new Error(`process.binding(${JSON.stringify(name)}) is not supported by the embedded engine`); },
    };
    define('process', processObject);

    // fetch and its classes: the whatwg-fetch polyfill from npm, loaded (by Python, which finds
    // it in node_modules) the first time JS reads one of these names; when it is not
    // installed, functions that say so.
    const FETCH_NAMES = ['fetch', 'Headers', 'Request', 'Response'];
    let fetchLoaded = false;
    function missing(name) {
      const message = `${name}: the embedded engine's fetch is the whatwg-fetch polyfill on its `
        + 'XMLHttpRequest; `npm install whatwg-fetch` next to your script, or use bridge.node() '
        + '(Node.js has fetch)';
      // A function expression (not a method): `new Headers()` must reach the message too.
      return { [name]: function () { throw new TypeError(message); } }[name];
    }
    function loadFetch() {
      if (fetchLoaded) return;
      fetchLoaded = true;
      for (const name of FETCH_NAMES) delete globalThis[name];
      if (!python.loadFetch()) {
        for (const name of FETCH_NAMES) define(name, missing(name));
      }
    }
    for (const name of FETCH_NAMES) {
      if (name in globalThis) continue;
      Object.defineProperty(globalThis, name, {
        get() { loadFetch(); return globalThis[name]; },
        set(value) {
          Object.defineProperty(globalThis, name, { value, writable: true, configurable: true });
        },
        configurable: true,
      });
    }
  };
})();
