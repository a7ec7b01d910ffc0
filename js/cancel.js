/*
 * Helpers bridge/_cancel.py uses to join JS abort signals and Python task cancellation.
 * Not a public API: the script's completion value is the helpers object, which the runtime
 * keeps (_runtime.js_module('cancel')); nothing is added to globalThis. Kept in JS so that each
 * crossing is one call, not a property walk from Python.
 */
(function installBridgeCancel(global) {
  'use strict';

  let abortedGetter = null;  // looked up on first use: this file may load before abort.js

  // The brand check browsers use: the `aborted` getter throws for anything but a real signal.
  function isSignal(value) {
    if (typeof value !== 'object' || value === null)
      return false;
    if (abortedGetter === null)
      abortedGetter = Object.getOwnPropertyDescriptor(global.AbortSignal.prototype, 'aborted').get;
    try {
      abortedGetter.call(value);
      return true;
    } catch (_) {
      return false;
    }
  }

  function describe(value) {
    if (value === null)
      return 'null';
    if (typeof value === 'object')
      return value.constructor && value.constructor.name ? `an instance of ${value.constructor.name}` : 'an object';
    if (typeof value === 'string')
      return `type string (${JSON.stringify(value)})`;
    return `type ${typeof value} (${String(value)})`;
  }

  // The signals among an exposed function's arguments: an AbortSignal given as an argument, or
  // as the `signal` property of an options object (the shape Node and fetch take it in).
  // undefined/null there means "no signal"; anything else there is a caller's mistake.
  function findSignals(...args) {
    const found = [];
    args.forEach((arg, index) => {
      if (isSignal(arg)) {
        found.push(arg);
      } else if (typeof arg === 'object' && arg !== null && !Array.isArray(arg) && 'signal' in arg) {
        const signal = arg.signal;
        if (signal === undefined || signal === null)
          return;
        if (!isSignal(signal))
          throw new TypeError(`The "signal" option of argument ${index + 1} must be an AbortSignal, got ${describe(signal)}`);
        found.push(signal);
      }
    });
    return found;
  }

  // What an exposed Python coroutine's promise rejects with when its task was cancelled:
  // an AbortError whose `cause` is the signal's reason when a signal did it.
  function abortError(signal, detail) {
    const message = detail ? `The operation was aborted: ${detail}` : 'The operation was aborted';
    const error = new global.DOMException(message, 'AbortError');
    if (signal !== undefined && signal !== null)
      Object.defineProperty(error, 'cause', { value: signal.reason, writable: true, configurable: true });
    return error;
  }

  function newController() {
    return new global.AbortController();
  }

  function abort(controller, timedOut) {
    controller.abort(timedOut
      ? new global.DOMException('The operation was aborted due to timeout', 'TimeoutError')
      : undefined);
  }

  // Calls `callback()` once when `signal` aborts; gives back the function that detaches it.
  function onAbort(signal, callback) {
    const listener = () => callback();
    signal.addEventListener('abort', listener, { once: true });
    return () => signal.removeEventListener('abort', listener);
  }

  const aborted = (signal) => signal.aborted;

  return Object.freeze({ isSignal, findSignals, abortError, newController, abort, onAbort, aborted });
})(globalThis);
