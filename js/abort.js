/*
 * AbortController / AbortSignal for the embedded engine, as in Node and browsers
 * (https://dom.spec.whatwg.org/#aborting-ongoing-activities).
 *
 * pythonmonkey 1.4.1 ships EventTarget, Event and DOMException but no AbortController, so this
 * file installs AbortController and AbortSignal, and a DOMException/Event/EventTarget only
 * where the engine lacks them. Everything is installed only when missing: an engine that
 * grows its own AbortController keeps it.
 *
 * Behaviour worth knowing (the same as Node and browsers):
 * - the default abort reason is a DOMException named "AbortError"; AbortSignal.timeout(ms)
 *   aborts with a DOMException named "TimeoutError";
 * - "abort" listeners run synchronously inside abort(), once, in the order they were added;
 *   `onabort` takes its place in that order when first set; a listener that throws is reported
 *   and the others still run;
 * - aborting twice does nothing the second time (the first reason stays);
 * - an AbortSignal.any result's listeners run after those of the source that aborted it
 *   (inside the source's listeners it is already aborted, as the DOM spec says; Node 20 still
 *   says false there).
 *
 * bridge/_cancel.py drives this from Python: the controller behind bridge.signal() is aborted
 * when its task is cancelled or times out; a signal handed to an exposed Python coroutine
 * cancels that coroutine's task when it aborts.
 */
(function installAbort(global) {
  'use strict';

  if (typeof global.AbortController === 'function' && typeof global.AbortSignal === 'function')
    return;

  /* DOMException: pythonmonkey has one (core-js); a small stand-in for engines without. */
  if (typeof global.DOMException !== 'function') {
    const codes = { AbortError: 20, TimeoutError: 23, NotSupportedError: 9, InvalidStateError: 11 };
    class DOMException extends Error {
      #name;
      constructor(message = '', name = 'Error') {
        super(String(message));
        this.#name = String(name);
      }
      get name() { return this.#name; }
      get code() { return codes[this.#name] || 0; }
    }
    DOMException.ABORT_ERR = 20;
    DOMException.TIMEOUT_ERR = 23;
    Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: 'DOMException' });
    global.DOMException = DOMException;
  }

  /* Event: only the parts an abort event needs, for engines without one. */
  if (typeof global.Event !== 'function') {
    global.Event = class Event {
      constructor(type) {
        this.type = String(type);
        this.target = null;
        this.currentTarget = null;
        this.timeStamp = Date.now();
      }
    };
  }

  const BaseTarget = typeof global.EventTarget === 'function' ? global.EventTarget : Object;

  function reportError(err) {
    // A throwing listener must not stop the others (browsers report it and go on); hand it to
    // whoever installed a reporter, or print it like an uncaught error.
    try {
      if (typeof global.reportError === 'function')
        global.reportError(err);
      else
        console.error('Uncaught', err);
    } catch (_) { /* reporting must never break abort() */ }
  }

  function normalizeOptions(options) {
    if (typeof options === 'boolean')
      return { capture: options, once: false, signal: undefined };
    if (options === null || options === undefined || typeof options !== 'object')
      return { capture: false, once: false, signal: undefined };
    return { capture: !!options.capture, once: !!options.once, signal: options.signal };
  }

  const kSignal = Symbol('AbortSignal.create');
  let abortSignal;  // (signal, reason) => void, set by AbortSignal's static block
  const kTimeoutMessage = 'The operation was aborted due to timeout';
  const kAbortMessage = 'This operation was aborted';

  function defaultReason() {
    return new global.DOMException(kAbortMessage, 'AbortError');
  }

  class AbortSignal extends BaseTarget {
    // Listener records in registration order: {type, callback, capture, once, removed}.
    #listeners = [];
    #aborted = false;
    #reason = undefined;
    #onabort = null;         // the handler attribute's current value
    #onabortRecord = null;   // its slot in #listeners, kept while the attribute is non-null
    #sources = null;         // AbortSignal.any's result: the signals it follows (never dependents)
    #dependents = [];        // the AbortSignal.any results following this one

    constructor(key) {
      if (key !== kSignal)
        throw new TypeError('Illegal constructor');
      super();
    }

    static #is(value) {
      return typeof value === 'object' && value !== null && #aborted in value;
    }

    static {
      // The controller (below) reaches the private abort steps through this, not through a
      // public name on AbortSignal.
      abortSignal = (signal, reason) => signal.#abort(reason);
    }

    get aborted() {
      if (!AbortSignal.#is(this))
        throw new TypeError('Value of "this" must be of type AbortSignal');
      return this.#aborted;
    }

    get reason() {
      if (!AbortSignal.#is(this))
        throw new TypeError('Value of "this" must be of type AbortSignal');
      return this.#reason;
    }

    throwIfAborted() {
      if (!AbortSignal.#is(this))
        throw new TypeError('Value of "this" must be of type AbortSignal');
      if (this.#aborted)
        throw this.#reason;
    }

    get onabort() {
      return this.#onabort;
    }

    set onabort(handler) {
      const value = typeof handler === 'function' || (typeof handler === 'object' && handler !== null) ? handler : null;
      this.#onabort = value;
      if (value === null) {
        if (this.#onabortRecord) {
          this.#onabortRecord.removed = true;
          this.#listeners = this.#listeners.filter((r) => r !== this.#onabortRecord);
          this.#onabortRecord = null;
        }
      } else if (!this.#onabortRecord) {
        // The handler keeps the position it got when first set, as in browsers.
        this.#onabortRecord = { type: 'abort', callback: null, capture: false, once: false, removed: false, handler: true };
        this.#listeners.push(this.#onabortRecord);
      }
    }

    addEventListener(type, callback, options) {
      if (callback === null || callback === undefined)
        return;
      if (typeof callback !== 'function' && typeof callback !== 'object')
        throw new TypeError('The "listener" argument must be a function or an object with handleEvent');
      const opts = normalizeOptions(options);
      type = String(type);
      if (opts.signal !== undefined) {
        if (!AbortSignal.#is(opts.signal))
          throw new TypeError('The "options.signal" property must be an AbortSignal');
        if (opts.signal.aborted)
          return;
      }
      if (this.#listeners.some((r) => r.type === type && r.callback === callback && r.capture === opts.capture))
        return;
      const record = { type, callback, capture: opts.capture, once: opts.once, removed: false, handler: false };
      this.#listeners.push(record);
      if (opts.signal !== undefined)
        opts.signal.addEventListener('abort', () => this.removeEventListener(type, callback, opts.capture), { once: true });
    }

    removeEventListener(type, callback, options) {
      const capture = normalizeOptions(options).capture;
      type = String(type);
      const index = this.#listeners.findIndex((r) => !r.handler && r.type === type && r.callback === callback && r.capture === capture);
      if (index < 0)
        return;
      this.#listeners[index].removed = true;
      this.#listeners.splice(index, 1);
    }

    dispatchEvent(event) {
      if (typeof event !== 'object' || event === null || typeof event.type !== 'string')
        throw new TypeError('The "event" argument must be an instance of Event');
      const set = (key, value) => {
        try { event[key] = value; } catch (_) { /* a frozen/foreign event: leave it */ }
      };
      set('target', this);
      set('currentTarget', this);
      // A snapshot: listeners added during dispatch wait for the next event; removed ones
      // (including `once` ones already run) are skipped.
      for (const record of this.#listeners.slice()) {
        if (record.removed || record.type !== event.type)
          continue;
        if (record.once)
          this.removeEventListener(record.type, record.callback, record.capture);
        try {
          const callback = record.handler ? this.#onabort : record.callback;
          if (typeof callback === 'function')
            callback.call(this, event);
          else if (callback && typeof callback.handleEvent === 'function')
            callback.handleEvent(event);
        } catch (err) {
          reportError(err);
        }
      }
      set('currentTarget', null);
      return true;
    }

    // pythonmonkey's EventTarget asks these of its subclasses; answered from this class's list.
    _hasAnyListeners() {
      return this.#listeners.length > 0;
    }

    _hasListeners(type) {
      return this.#listeners.some((r) => r.type === String(type));
    }

    static abort(reason) {
      const signal = new AbortSignal(kSignal);
      signal.#aborted = true;
      signal.#reason = reason === undefined ? defaultReason() : reason;
      return signal;
    }

    static timeout(ms) {
      const delay = Number(ms);
      if (typeof ms !== 'number' || !Number.isFinite(delay) || delay < 0 || delay > Number.MAX_SAFE_INTEGER)
        throw new TypeError(`AbortSignal.timeout: delay must be a finite non-negative number, got ${String(ms)}`);
      const signal = new AbortSignal(kSignal);
      const timer = setTimeout(() => {
        signal.#abort(new global.DOMException(kTimeoutMessage, 'TimeoutError'));
      }, delay);
      // As in Node, a pending timeout signal does not keep the process alive.
      if (timer && typeof timer.unref === 'function')
        timer.unref();
      return signal;
    }

    static any(signals) {
      if (signals === null || signals === undefined || typeof signals[Symbol.iterator] !== 'function')
        throw new TypeError('AbortSignal.any: the argument must be an iterable of AbortSignal');
      const sources = [...signals];
      sources.forEach((s, i) => {
        if (!AbortSignal.#is(s))
          throw new TypeError(`AbortSignal.any: item ${i} is not an AbortSignal`);
      });
      const result = new AbortSignal(kSignal);
      const first = sources.find((s) => s.#aborted);
      if (first) {
        result.#aborted = true;
        result.#reason = first.#reason;
        return result;
      }
      // As the DOM spec does: a dependent given as a source stands for its own sources, so
      // dependents never have dependents and one abort reaches every follower in one step.
      result.#sources = [];
      for (const source of sources) {
        for (const origin of source.#sources === null ? [source] : source.#sources) {
          if (!result.#sources.includes(origin)) {
            result.#sources.push(origin);
            origin.#dependents.push(result);
          }
        }
      }
      return result;
    }

    // Called by AbortController.abort and the timers above: the spec's "signal abort". The
    // dependents are aborted (flag and reason) at once, but their listeners run after this
    // signal's own, as in Node and browsers.
    #abort(reason) {
      if (this.#aborted)
        return;
      this.#aborted = true;
      this.#reason = reason === undefined ? defaultReason() : reason;
      const followers = [];
      for (const dependent of this.#dependents) {
        if (!dependent.#aborted) {
          dependent.#aborted = true;
          dependent.#reason = this.#reason;
          followers.push(dependent);
        }
      }
      this.#dependents = [];
      this.dispatchEvent(new global.Event('abort'));
      for (const dependent of followers) {
        // It follows nobody any more: the other sources must not keep it alive.
        for (const origin of dependent.#sources)
          origin.#dependents = origin.#dependents.filter((d) => d !== dependent);
        dependent.#sources = [];
        dependent.dispatchEvent(new global.Event('abort'));
      }
    }

  }

  Object.defineProperty(AbortSignal.prototype, Symbol.toStringTag, { value: 'AbortSignal', configurable: true });

  class AbortController {
    #signal = new AbortSignal(kSignal);

    get signal() {
      return this.#signal;
    }

    abort(reason) {
      abortSignal(this.#signal, reason);
    }
  }

  Object.defineProperty(AbortController.prototype, Symbol.toStringTag, { value: 'AbortController', configurable: true });

  for (const [name, value] of [['AbortSignal', AbortSignal], ['AbortController', AbortController]])
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
})(globalThis);
