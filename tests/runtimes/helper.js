// required relative to the test file by both runtimes
exports.double = (x) => x * 2;
exports.later = (x) => new Promise((resolve) => setTimeout(() => resolve(x), 1));
exports.Counter = class Counter {
  constructor(start) { this.n = start; }
  bump() { return ++this.n; }
};
