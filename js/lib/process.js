// require("process") in the embedded engine: the global process, as in Node.
module.exports = globalThis.process;
