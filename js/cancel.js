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
    // instanceof first: it does not throw, and a throw (an Error with its stack) costs far more
    // than a call; only an object that claims the prototype gets the real brand check.
    if (typeof value !== 'object' || value === null || !(value instanceof global.AbortSignal))
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
    // undefined (None in Python) when there is none: no array for Python to look into.
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
    return found.length ? found : undefined;
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

  // The AbortError for the first of `signals` already aborted, else undefined (None in Python;
  // JS null would arrive as pythonmonkey's null object). One crossing for all the signals.
  function firstAborted(signals) {
    for (const signal of Array.from(signals)) {
      if (signal.aborted)
        return abortError(signal, '');
    }
    return undefined;
  }

  // Calls `callback(signal)` once, when the first of `signals` aborts; gives back the function
  // that detaches every listener (called when the Python task ends).
  function onAbort(signals, callback) {
    const listeners = Array.from(signals, (signal) => {
      const listener = () => { detach(); callback(signal); };
      signal.addEventListener('abort', listener);
      return [signal, listener];
    });
    function detach() {
      for (const [signal, listener] of listeners)
        signal.removeEventListener('abort', listener);
    }
    return detach;
  }

  return Object.freeze({ isSignal, findSignals, firstAborted, abortError, newController, abort, onAbort });
})(globalThis);
