/**
 * runtime.js - the JavaScript half of bridge's runtime, evaluated once when the engine starts.
 *
 * The completion value of this script is the helpers object bridge/_runtime.py keeps; only
 * `PythonError` is also put on globalThis, so JS code can test `err instanceof PythonError`.
 * Each helper exists to do in one boundary crossing what would otherwise take several
 * (every property read from Python is a crossing of about 1 us).
 */
(function bridgeRuntime() {
  'use strict';

  // Where a PythonError keeps the Python exception it stands for (a Python box object), so the
  // exception comes back to Python as itself. Only this direction holds on: the exception does
  // not hold its PythonError, so no cycle runs through both heaps (neither GC could free it).
  const PY_BOX = Symbol('bridge.pyException');

  /** A Python exception seen from JS: name = Python class name, message = str(exc). */
  class PythonError extends Error {
    constructor(name, message, pyTraceback, box) {
      super(message);
      Object.defineProperty(this, 'name', { value: name, writable: true, configurable: true });
      // The JS stack (where JS called into Python) first, then the Python traceback.
      this.stack = `${this.stack || ''}${pyTraceback}`;
      Object.defineProperty(this, 'pyException', { value: box, configurable: true });
      Object.defineProperty(this, PY_BOX, { value: box });
    }
  }
  Object.defineProperty(PythonError.prototype, 'name', {
    value: 'PythonError', writable: true, configurable: true,
  });
  Object.defineProperty(globalThis, 'PythonError', {
    value: PythonError, writable: true, configurable: true,
  });

  const BUILTIN_KINDS = [
    ['AggregateError', AggregateError],
    ['TypeError', TypeError],
    ['RangeError', RangeError],
    ['ReferenceError', ReferenceError],
    ['SyntaxError', SyntaxError],
  ];

  function isError(value) {
    return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
  }

  /**
   * Everything Python needs to map a thrown/rejected value, in one call:
   * [kind, name, message, stack, hasCause, cause, errors, box, primitive]
   * kind: 'box' (already stands for a Python exception), 'error' + builtin kind, or 'value'.
   */
  function describe(value, unwrapPrimitive) {
    if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
      const box = Object.prototype.hasOwnProperty.call(value, PY_BOX) ? value[PY_BOX] : undefined;
      if (box !== undefined) return ['box', '', '', '', false, undefined, undefined, box, undefined];
      if (isError(value)) {
        let kind = 'Error';
        for (const [name, ctor] of BUILTIN_KINDS) {
          if (value instanceof ctor || value.name === name) { kind = name; break; }
        }
        const hasCause = 'cause' in value;
        const errors = kind === 'AggregateError' && Array.isArray(value.errors) ? value.errors : undefined;
        return [kind, String(value.name), String(value.message ?? ''), String(value.stack ?? ''),
          hasCause, hasCause ? value.cause : undefined, errors, undefined, undefined];
      }
      // pythonmonkey hands thrown primitives over wrapped in objects (new Number(7)).
      if (unwrapPrimitive && (value instanceof Number || value instanceof String
          || value instanceof Boolean || value instanceof BigInt || value instanceof Symbol)) {
        return ['primitive', '', '', '', false, undefined, undefined, undefined, value.valueOf()];
      }
    }
    return ['value', '', '', '', false, undefined, undefined, undefined, undefined];
  }

  function makePythonError(name, message, pyTraceback, box) {
    return new PythonError(owned(name), owned(message), owned(pyTraceback), box);
  }

  /**
   * A JS function for a Python function. `call` returns [true, value] or [false, error]: the
   * error is thrown here, in JS, so Python never has to attach its JS face to the exception.
   */
  function syncFunction(call, name) {
    return {
      [name](...args) {
        const outcome = call(...args);
        if (outcome[0]) return owned(outcome[1]);
        // A Python KeyboardInterrupt/SystemExit: bridge asked SpiderMonkey to stop this JS
        // (uncatchably) at its next interrupt check, which the loop head is.
        if (outcome.length > 2) for (;;);
        throw outcome[1];
      },
    }[name];
  }

  /** A promise and its settle functions (Promise.withResolvers is not in this engine). */
  function deferred() {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return [promise, resolve, reject];
  }

  /**
   * A JS promise settled from Python: `settler(resolve, reject)` gets both functions.
   * Returned as-is to a JS caller; used by to_js so the promise is created JS-side.
   */
  function promiseFrom(settler) {
    return new Promise((resolve, reject) => settler(resolve, reject));
  }

  // A non-Error reason (42, null, undefined, "x") on its way back to JS inside a Python future:
  // pythonmonkey rejects a future's promise with an object only, so bridge rejects with a
  // PythonError and notes the reason here; bridge's own JS code that sees such a rejection
  // (reasonOf) throws the reason instead. Weak: the PythonError alone keeps the entry.
  const REASONS = new WeakMap();
  function carryReason(error, reason) { REASONS.set(error, reason); }
  function reasonOf(error) {
    return error !== null && typeof error === 'object' && REASONS.has(error) ? REASONS.get(error) : error;
  }

  // A Python str crosses with U+100000 appended (bridge's _values: pythonmonkey then copies it
  // instead of lending its buffer, whose table makes garbage collection quadratic). `owned`
  // takes the mark off; the JSON round trip stores the copy as Latin-1 where it fits, as
  // SpiderMonkey would have, so that it reaches Python again as an ordinary str.
  function owned(value) {
    if (typeof value !== 'string') return value;
    const n = value.length;
    if (n < 2 || value.charCodeAt(n - 1) !== 0xDC00 || value.charCodeAt(n - 2) !== 0xDBC0) return value;
    return JSON.parse(JSON.stringify(value.slice(0, -2)));
  }
  function resolveOwned(resolve, value) { resolve(owned(value)); }
  function callOwned(fn, ...args) { return fn(...args.map(owned)); }
  function callMethodOwned(fn, thisArg, ...args) { return Reflect.apply(fn, thisArg, args.map(owned)); }

  /** fn(...args), a promise among args rejecting with reasonOf its reason (see above). */
  function callForwarding(fn, ...args) {
    return fn(...args.map((a) => (a instanceof Promise ? a.catch((e) => { throw reasonOf(e); }) : owned(a))));
  }

  /** fn called with `this`: a function read as a property, called through its object. */
  function callMethod(fn, thisArg, ...args) { return Reflect.apply(fn, thisArg, args); }
  function callMethodForwarding(fn, thisArg, ...args) {
    return callForwarding((...rest) => Reflect.apply(fn, thisArg, rest), ...args);
  }

  function getProperty(target, key) { return target[key]; }
  function setProperty(target, key, value) { target[key] = value; }
  function deleteProperty(target, key) { delete target[key]; }
  function bind(fn, thisArg) {
    const bound = function (...args) { return fn.apply(thisArg, args); };
    return bound;
  }
  function same(a, b) { return a === b; }
  function hasProperty(target, key) { return target != null && key in Object(target); }
  function ownKeys(target) { return Reflect.ownKeys(target).filter((k) => typeof k === 'string'); }
  function construct(ctor, args) { return Reflect.construct(ctor, Array.from(args)); }
  function isThenable(value) {
    return value !== null && (typeof value === 'object' || typeof value === 'function')
      && typeof value.then === 'function';
  }
  function isPromise(value) { return value instanceof Promise; }
  function typeOf(value) { return typeof value; }

  // What Python's len / in / iteration of a JS object see: its own enumerable string keys.
  function keysOf(target) { return Object.keys(target); }
  function keyCount(target) { return Object.keys(target).length; }
  function hasKey(target, key) {
    return typeof key === 'string' && Object.prototype.propertyIsEnumerable.call(target, key);
  }
  /** A JS Proxy of a function, callable from Python (pythonmonkey holds it as an object). */
  function callerOf(fn) { return (...args) => fn(...args); }

  /**
   * A Python-style preview of a JS value for repr(), made in JS: nothing is converted on the
   * way (pythonmonkey's own repr crashes on a Symbol inside an array and on deep nesting).
   * Bounded: 3 levels, 30 entries a level, cycles shown as {...}.
   */
  function preview(value, depth = 0, seen = new Set()) {
    if (value === undefined || value === null) return 'None';
    switch (typeof value) {
      case 'boolean': return value ? 'True' : 'False';
      case 'number':
        if (Number.isNaN(value)) return 'nan';
        if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
        return Number.isInteger(value) && Math.abs(value) < 1e16 ? `${value}.0` : String(value);
      case 'bigint': return String(value);
      case 'string': return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
      case 'symbol': return `<JS ${String(value)}>`;
      case 'function': return `<JS function ${value.name || 'anonymous'}>`;
      default: break;
    }
    if (seen.has(value)) return Array.isArray(value) ? '[...]' : '{...}';
    if (isError(value)) return `<JS ${value.name}: ${value.message}>`;
    if (depth >= 3) return Array.isArray(value) ? '[...]' : '{...}';
    seen.add(value);
    try {
      if (Array.isArray(value)) {
        const items = value.slice(0, 30).map((item) => preview(item, depth + 1, seen));
        if (value.length > 30) items.push('...');
        return `[${items.join(', ')}]`;
      }
      if (value instanceof Date) {
        return `<JS Date ${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()}>`;
      }
      const keys = Object.keys(value);
      const items = keys.slice(0, 30).map((key) => `${preview(key)}: ${preview(value[key], depth + 1, seen)}`);
      if (keys.length > 30) items.push('...');
      return `{${items.join(', ')}}`;
    } finally {
      seen.delete(value);
    }
  }

  /** Turn any thenable into a native promise (Python then sees an asyncio.Future). */
  function adopt(thenable) { return Promise.resolve(thenable); }

  /**
   * A JS function for a Python async (or blocking) function: each call returns a native
   * Promise at once; `start(resolve, reject, ...args)` (Python) starts the work and settles it.
   */
  const ASYNC_FUNCTION_PROTOTYPE = Object.getPrototypeOf(async function () {});
  function asyncFunction(start, name) {
    const fn = {
      [name](...args) { return new Promise((resolve, reject) => start(resolve, reject, ...args)); },
    }[name];
    // Libraries tell async functions apart by their tag (async's mapLimit awaits only those):
    // the prototype of an async function gives it, while each call still returns its promise.
    Object.setPrototypeOf(fn, ASYNC_FUNCTION_PROTOTYPE);
    return fn;
  }

  return {
    PythonError, describe, makePythonError, syncFunction, deferred, promiseFrom,
    getProperty, setProperty, deleteProperty, bind, same, hasProperty, ownKeys, construct, isThenable, isPromise, typeOf, adopt,
    asyncFunction, carryReason, reasonOf, callForwarding, callMethod, callMethodForwarding,
    owned, resolveOwned, callOwned, callMethodOwned,
    keysOf, keyCount, hasKey, callerOf, preview,
  };
})();
