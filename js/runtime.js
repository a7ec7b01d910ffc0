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
    return new PythonError(name, message, pyTraceback, box);
  }

  /**
   * A JS function for a Python function. `call` returns [true, value] or [false, error]: the
   * error is thrown here, in JS, so Python never has to attach its JS face to the exception.
   */
  function syncFunction(call, name) {
    return {
      [name](...args) {
        const outcome = call(...args);
        if (outcome[0]) return outcome[1];
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

  /** fn(...args), a promise among args rejecting with reasonOf its reason (see above). */
  function callForwarding(fn, ...args) {
    return fn(...args.map((a) => (a instanceof Promise ? a.catch((e) => { throw reasonOf(e); }) : a)));
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

  /** Turn any thenable into a native promise (Python then sees an asyncio.Future). */
  function adopt(thenable) { return Promise.resolve(thenable); }

  /**
   * A JS function for a Python async (or blocking) function: each call returns a native
   * Promise at once; `start(resolve, reject, ...args)` (Python) starts the work and settles it.
   */
  function asyncFunction(start, name) {
    return {
      [name](...args) { return new Promise((resolve, reject) => start(resolve, reject, ...args)); },
    }[name];
  }

  return {
    PythonError, describe, makePythonError, syncFunction, deferred, promiseFrom,
    getProperty, setProperty, deleteProperty, bind, same, hasProperty, ownKeys, construct, isThenable, isPromise, typeOf, adopt,
    asyncFunction, carryReason, reasonOf, callForwarding,
  };
})();
