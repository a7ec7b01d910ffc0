// A CommonJS module for tests/test_runtime.py: a function with own properties, like Bluebird.
let loads = (globalThis.__counterLoads || 0) + 1;
globalThis.__counterLoads = loads;

function Counter(start) {
  if (!new.target) throw new TypeError('Counter must be called with new');
  this.value = start || 0;
}
Counter.prototype.add = function add(n) { this.value += n; return this.value; };
Counter.delay = function delay(ms, value) {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
};
Counter.kind = 'counter';
Counter.create = function create(start) { return new this(start); };
Counter.loads = loads;
module.exports = Counter;
