/**
 * views.js - Python lists and dicts as JS sees them through bridge: views of pythonmonkey's
 * list and dict proxies.
 *
 * pythonmonkey's list proxy answers `push`, `map`, `slice`... with native functions that read
 * the Python list out of `this`: called on anything else (`list.push.call(other)`, immer's
 * draft of the list, any Proxy around it) they read garbage and the process crashes; and its
 * `slice()` wants an argument. The view is a Proxy whose target is a real (empty) array, so
 * `Array.isArray` and the prototype are an array's. Its indices and `length` read and write
 * the Python list. A method called on the view runs pythonmonkey's own on the list (no trap
 * per item); called on anything else, it is `Array.prototype`'s, which works on any
 * array-like `this`. Lists read out of the list, or returned by its methods, are views too.
 *
 * A dict that holds lists or dicts gets an object view for the same reason: the lists in it,
 * and the dicts in those (pythonmonkey's proxies of Python objects are the non-extensible
 * objects among the values read from a Python container), are viewed when read. A dict of
 * scalars needs none and crosses as pythonmonkey's proxy.
 *
 * Completion value: { view(list, own), objectView(dict, own) -> a view; original(value) -> what
 * a view stands for (when `own`), or undefined }.
 */
(function bridgeViews() {
  'use strict';

  // `view[MARK]` is true: how Python tells a view coming back without a call into JS.
  const MARK = '__bridge_view__';
  const INDEX = /^(?:0|[1-9][0-9]*)$/;
  const proto = Array.prototype;
  const hasOwn = Object.prototype.hasOwnProperty;
  const RETURNS_THIS = new Set(['sort', 'reverse', 'fill', 'copyWithin']);
  const ITERATORS = new Set(['values', 'entries', Symbol.iterator]);
  const PREDICATES = new Set([
    'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'some', 'every',
  ]);
  // pythonmonkey's own versions of these miss that a view is an array (its flatMap would not
  // flatten a list returned by a Python callback): `Array.prototype`'s do not.
  const GENERIC = new Set(['flatMap', 'flat', 'concat']);

  const VIEWS = new WeakSet();
  const ORIGINALS = new WeakMap(); // view -> pythonmonkey's list proxy, when it is the caller's
  // target -> { proxy (pythonmonkey's), view, detached, methods, children }: one set of
  // traps serves every view.
  const STATES = new WeakMap();

  /** pythonmonkey's list proxy: an array with its own `push` (a real array has none). */
  function isListProxy(value) {
    return typeof value === 'object' && value !== null && Array.isArray(value)
      && !VIEWS.has(value) && hasOwn.call(value, 'push');
  }

  /** A Python object's proxy (a dict, a tuple...) read out of a Python container. */
  function isObjectProxy(value) {
    return typeof value === 'object' && value !== null && !VIEWS.has(value)
      && !Object.isExtensible(value) && !Array.isArray(value);
  }

  function viewed(value) {
    if (isListProxy(value)) return view(value);
    if (isObjectProxy(value)) return objectView(value);
    return value;
  }

  /**
   * The item at key, viewed, the same view each time while the view holds it (pythonmonkey
   * makes a new proxy per read, so `d.items === d.items` was false, and immer, which compares
   * what it reads twice, wrote into the Python list instead of drafting it). Writes through
   * the view drop the remembered items; a replacement made from Python is seen from the next
   * crossing on.
   */
  function child(state, key, value) {
    if (typeof value !== 'object' || value === null) return value;
    let known = state.children.get(key);
    if (known === undefined) {
      known = viewed(value);
      if (known !== value) state.children.set(key, known);
    }
    return known;
  }

  /** What to store in the Python list: a view stores its own list. */
  function stored(value) {
    const list = ORIGINALS.get(value);
    return list === undefined ? value : list;
  }

  function isIndex(key) {
    return typeof key === 'string' && INDEX.test(key);
  }

  function inRange(list, key) {
    return isIndex(key) && Number(key) < list.length;
  }

  /** list[key] = value for an index or `length`, growing or shrinking the Python list. */
  function write(list, key, value) {
    if (key === 'length') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new RangeError('Invalid array length');
      if (n < list.length) list.splice(n);
      while (list.length < n) list.push(undefined);
      return;
    }
    const i = Number(key);
    if (i < list.length) {
      list[key] = stored(value);
      return;
    }
    while (list.length < i) list.push(undefined);
    list.push(stored(value));
  }

  /**
   * A callback given to one of pythonmonkey's methods, seeing what it would see on a JS array:
   * items viewed (pythonmonkey passes its raw proxies), the view as the array.
   */
  function viewingCallback(state, key, callback) {
    if (key === 'sort' || key === 'toSorted') return (a, b) => callback(viewed(a), viewed(b));
    if (key === 'reduce' || key === 'reduceRight') {
      return (acc, item, i) => callback(viewed(acc), viewed(item), i, state.view);
    }
    if (PREDICATES.has(key)) {
      // A boolean: pythonmonkey tests what the predicate returns by Python truthiness, so an
      // empty object or array counted as false.
      return function viewingTest(item, i) {
        return !!callback.call(this, viewed(item), i, state.view);
      };
    }
    return function viewing(item, i) {
      return callback.call(this, viewed(item), i, state.view);
    };
  }

  /** pythonmonkey's iterator over the list, its items viewed. */
  function viewedIterator(iterator, entries) {
    return {
      next() {
        const step = iterator.next();
        if (!step.done) {
          step.value = entries ? [step.value[0], viewed(step.value[1])] : viewed(step.value);
        }
        return step;
      },
      [Symbol.iterator]() { return this; },
    };
  }

  /** The view's `key` method (see the top of this file). */
  function method(state, key, generic) {
    let fn = state.methods[key];
    if (fn === undefined) {
      fn = state.methods[key] = function viewMethod(...args) {
        if (this === state.view) state.children.clear(); // it may move or replace items
        if (this !== state.view || state.detached || GENERIC.has(key)) {
          return generic.apply(this, args);
        }
        if (key === 'slice' && args.length === 0) args = [0];
        if (ITERATORS.has(key)) return viewedIterator(state.proxy[key](), key === 'entries');
        if (typeof args[0] === 'function') args[0] = viewingCallback(state, key, args[0]);
        const result = state.proxy[key](...args);
        return RETURNS_THIS.has(key) ? state.view : viewed(result);
      };
    }
    return fn;
  }

  // Freezing or sealing a view (immer freezes what it returns) detaches it: its items are
  // copied onto the target, which the traps use from then on, so the frozen array keeps what
  // the list held then (a Python list itself cannot be frozen).
  const TRAPS = {
    get(target, key, receiver) {
      if (key === MARK) return true;
      const state = STATES.get(target);
      if (state.detached) return Reflect.get(target, key, receiver);
      const list = state.proxy;
      if (key === 'length') return list.length;
      if (isIndex(key)) return Number(key) < list.length ? child(state, key, list[key]) : undefined;
      const value = proto[key];
      return typeof value === 'function' && key !== 'constructor' ? method(state, key, value) : value;
    },
    set(target, key, value, receiver) {
      const state = STATES.get(target);
      if (state.detached) return Reflect.set(target, key, value, receiver);
      state.children.clear();
      if (key === 'length' || isIndex(key)) {
        write(state.proxy, key, value);
        return true;
      }
      return false;
    },
    has(target, key) {
      if (key === MARK) return true;
      const state = STATES.get(target);
      if (state.detached) return Reflect.has(target, key);
      if (key === 'length') return true;
      if (isIndex(key)) return inRange(state.proxy, key);
      return key in proto;
    },
    deleteProperty(target, key) {
      const state = STATES.get(target);
      if (state.detached) return Reflect.deleteProperty(target, key);
      state.children.clear();
      if (isIndex(key)) {
        if (inRange(state.proxy, key)) state.proxy[key] = undefined; // a hole has no Python form
        return true;
      }
      return key !== 'length';
    },
    ownKeys(target) {
      const state = STATES.get(target);
      if (state.detached) return Reflect.ownKeys(target);
      const keys = [];
      for (let i = 0, n = state.proxy.length; i < n; i++) keys.push(String(i));
      keys.push('length');
      return keys;
    },
    getOwnPropertyDescriptor(target, key) {
      const state = STATES.get(target);
      if (state.detached) return Reflect.getOwnPropertyDescriptor(target, key);
      const list = state.proxy;
      if (key === 'length') {
        return { value: list.length, writable: true, enumerable: false, configurable: false };
      }
      if (inRange(list, key)) {
        return { value: child(state, key, list[key]), writable: true, enumerable: true, configurable: true };
      }
      return undefined;
    },
    defineProperty(target, key, desc) {
      const state = STATES.get(target);
      if (state.detached) return Reflect.defineProperty(target, key, desc);
      state.children.clear();
      if ((key === 'length' || isIndex(key)) && 'value' in desc && !desc.get && !desc.set) {
        write(state.proxy, key, desc.value);
        return true;
      }
      return false;
    },
    preventExtensions(target) {
      const state = STATES.get(target);
      if (!state.detached) {
        const list = state.proxy;
        for (let i = 0, n = list.length; i < n; i++) target[i] = child(state, String(i), list[i]);
        target.length = list.length;
        state.detached = true;
      }
      return Reflect.preventExtensions(target);
    },
  };

  // The object view's traps: the same, over the dict's keys.
  const OBJECT_TRAPS = {
    get(target, key, receiver) {
      if (key === MARK) return true;
      const state = STATES.get(target);
      if (state.detached) return Reflect.get(target, key, receiver);
      return child(state, key, Reflect.get(state.proxy, key));
    },
    set(target, key, value, receiver) {
      const state = STATES.get(target);
      if (state.detached) return Reflect.set(target, key, value, receiver);
      state.children.delete(key);
      return Reflect.set(state.proxy, key, stored(value));
    },
    has(target, key) {
      const state = STATES.get(target);
      return state.detached ? Reflect.has(target, key) : Reflect.has(state.proxy, key);
    },
    deleteProperty(target, key) {
      const state = STATES.get(target);
      state.children.delete(key);
      return Reflect.deleteProperty(state.detached ? target : state.proxy, key);
    },
    ownKeys(target) {
      const state = STATES.get(target);
      return Reflect.ownKeys(state.detached ? target : state.proxy);
    },
    getOwnPropertyDescriptor(target, key) {
      const state = STATES.get(target);
      if (state.detached) return Reflect.getOwnPropertyDescriptor(target, key);
      const desc = Reflect.getOwnPropertyDescriptor(state.proxy, key);
      if (desc === undefined) return undefined;
      const value = 'value' in desc ? child(state, key, desc.value) : desc.get.call(state.proxy);
      return { value, writable: true, enumerable: desc.enumerable, configurable: true };
    },
    defineProperty(target, key, desc) {
      const state = STATES.get(target);
      if (state.detached) return Reflect.defineProperty(target, key, desc);
      if (!('value' in desc) || desc.get || desc.set) return false;
      state.children.delete(key);
      return Reflect.set(state.proxy, key, stored(desc.value));
    },
    preventExtensions(target) {
      const state = STATES.get(target);
      if (!state.detached) {
        for (const key of Reflect.ownKeys(state.proxy)) target[key] = child(state, key, state.proxy[key]);
        state.detached = true;
      }
      return Reflect.preventExtensions(target);
    },
  };

  /** A view of a Python object's proxy (a dict); `original(view)` gives it back. */
  function objectView(object, own = true) {
    const target = {};
    const v = new Proxy(target, OBJECT_TRAPS);
    STATES.set(target, { proxy: object, view: v, detached: false, methods: null, children: new Map() });
    VIEWS.add(v);
    if (own) ORIGINALS.set(v, object);
    return v;
  }

  /** A view of pythonmonkey's list proxy; `original(view)` gives the list back if `own`. */
  function view(list, own = true) {
    const target = [];
    const v = new Proxy(target, TRAPS);
    STATES.set(target, {
      proxy: list, view: v, detached: false, methods: Object.create(null), children: new Map(),
    });
    VIEWS.add(v);
    if (own) ORIGINALS.set(v, list);
    return v;
  }

  function original(value) {
    return ORIGINALS.get(value);
  }

  return { view, objectView, original };
})();
