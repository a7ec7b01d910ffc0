/*
 * Async iteration across the boundary: helpers for bridge/_cancel.py, not a public API. The
 * script's completion value is the helpers object (_runtime.js_module('iter')).
 *
 * - fromPython(next, ret, thr, reasonOf): a JS async iterator over a Python async iterator. Each of the
 *   three Python functions returns a promise of [done, value]; JS sees real {value, done}
 *   objects, and `for await ... break` calls return(), which closes the Python generator.
 * - iteratorOf(obj) / step(it) / close(it): what Python's `async for` over a JS async (or
 *   sync) iterable needs, one crossing per step; drop(it) closes one Python let go of.
 */
(function installBridgeIter(global) {
  'use strict';

  const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf((async function* () {})()));

  const asResult = (pair) => ({ value: pair[1], done: !!pair[0] });

  // reasonOf (runtime.js): a non-Error reason the generator let through (it.throw(42)) is
  // rejected with as itself, not as the PythonError pythonmonkey had to carry it in.
  function fromPython(next, ret, thr, reasonOf) {
    const fail = (error) => { throw reasonOf(error); };
    const iterator = Object.create(AsyncIteratorPrototype);
    Object.defineProperties(iterator, {
      next: { value: (value) => Promise.resolve(next(value)).then(asResult, fail), writable: true, configurable: true },
      return: { value: (value) => Promise.resolve(ret(value)).then(asResult, fail), writable: true, configurable: true },
      throw: { value: (error) => Promise.resolve(thr(error)).then(asResult, fail), writable: true, configurable: true },
      [Symbol.toStringTag]: { value: 'PythonAsyncIterator', configurable: true },
    });
    return iterator;
  }

  function describe(value) {
    if (value === null || value === undefined)
      return String(value);
    if (typeof value === 'object' || typeof value === 'function')
      return value.constructor && value.constructor.name ? `${value.constructor.name} object` : 'object';
    return `${typeof value} ${String(value)}`;
  }

  // The async iterator `for await (x of obj)` would use: Symbol.asyncIterator, else a sync
  // iterator whose values are awaited (as for-await does).
  function iteratorOf(obj) {
    if (obj !== null && obj !== undefined) {
      const asyncMethod = obj[Symbol.asyncIterator];
      if (asyncMethod !== undefined && asyncMethod !== null) {
        const iterator = asyncMethod.call(obj);
        if (Object(iterator) !== iterator)
          throw new TypeError('Result of the Symbol.asyncIterator() method is not an object');
        return iterator;
      }
      if (typeof obj[Symbol.iterator] === 'function')
        return (async function* () { yield* obj; })();
    }
    throw new TypeError(`${describe(obj)} is not async iterable`);
  }

  // One next() as a promise of [done, value]; a synchronous throw becomes a rejection.
  function step(iterator) {
    return new Promise((resolve) => resolve(iterator.next())).then((result) => {
      if (Object(result) !== result)
        throw new TypeError(`Iterator result ${String(result)} is not an object`);
      return [!!result.done, result.value];
    });
  }

  function close(iterator) {
    return new Promise((resolve) => {
      resolve(typeof iterator.return === 'function' ? iterator.return() : undefined);
    }).then(() => undefined);
  }

  // close() for an iterator Python dropped: nobody awaits it, so a failing return() is dropped.
  function drop(iterator) {
    close(iterator).catch(() => undefined);
  }

  return Object.freeze({ fromPython, iteratorOf, step, close, drop });
})(globalThis);
