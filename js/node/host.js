// bridge's Node.js host: runs JS for a Python process over a socketpair (its fd is argv[2]).
// Frame: u32 total length, u32 JSON length, JSON, then binary blobs (Buffers travel raw).
// Node built-ins only. Exits when Python goes away (socket or stdin closing).
"use strict";
const net = require("net");
const vm = require("vm");
const path = require("path");
const Module = require("module");
const { createRequire } = Module;

const T = "\u0000";
// A full GC on request (tests of handle freeing), without exposing gc() to user code.
require("v8").setFlagsFromString("--expose-gc");
const collect = vm.runInNewContext("gc");
const sock = new net.Socket({ fd: Number(process.argv[2]), readable: true, writable: true });
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
process.stdin.resume();
sock.on("close", () => process.exit(0));
sock.on("error", () => process.exit(0));

// --- JS handles held for Python: id -> {obj, count}; obj -> id for identity while held ---
const handles = new Map();
const ids = new Map();
let nextId = 1;
function handleOf(obj) {
  let id = ids.get(obj);
  if (id === undefined) {
    id = nextId++;
    ids.set(obj, id);
    handles.set(id, { obj, count: 0 });
  }
  handles.get(id).count++;
  return id;
}
function free(id, n) {
  const h = handles.get(id);
  if (!h) return;
  h.count -= n;
  if (h.count <= 0) {
    handles.delete(id);
    ids.delete(h.obj);
  }
}

// --- Python objects held by JS: pyid -> WeakRef(proxy); freed through FinalizationRegistry ---
const pyRefs = new Map();
const pyCounts = new Map();
const registry = new FinalizationRegistry((id) => {
  const ref = pyRefs.get(id);
  if (ref && ref.deref() === undefined) pyRefs.delete(id);
  const n = pyCounts.get(id) || 0;
  pyCounts.delete(id);
  if (n) send({ op: "pyfree", id, n });
});
const PY = Symbol("bridge.python");
class PythonError extends Error {
  constructor(message, traceback) {
    super(message);
    this.name = "PythonError";
    this.pythonTraceback = traceback;
  }
}
globalThis.PythonError = PythonError;
// Code run by rt.eval sees `require` as `node -e` code does: resolving from the current directory.
if (typeof globalThis.require === "undefined") {
  Object.defineProperty(globalThis, "require", {
    value: createRequire(path.join(process.cwd(), "__bridge_eval__.js")),
    writable: true,
    configurable: true,
  });
}
function pyObject(id, callable) {
  pyCounts.set(id, (pyCounts.get(id) || 0) + 1);
  const ref = pyRefs.get(id);
  const known = ref && ref.deref();
  if (known) return known;
  const obj = callable
    ? function (...args) {
        return callPython(id, args);
      }
    : {};
  Object.defineProperty(obj, PY, { value: id });
  pyRefs.set(id, new WeakRef(obj));
  registry.register(obj, id);
  return obj;
}

// --- values ---
function plain(v) {
  const p = Object.getPrototypeOf(v);
  return (p === Object.prototype || p === null) && Object.prototype.toString.call(v) === "[object Object]";
}
// By value only when every leaf is JSON-like (or bytes): an object holding a function or a
// Map comes back as one handle, so methods stay callable on it.
function byValue(v, seen) {
  if (v === null || v === undefined) return true;
  const t = typeof v;
  if (t === "string" || t === "number" || t === "boolean" || t === "bigint") return true;
  if (t !== "object" || seen.has(v) || v[PY] !== undefined) return false;
  if (v instanceof Uint8Array) return true;
  if (!Array.isArray(v) && !plain(v)) return false;
  seen.add(v);
  for (const k of Object.keys(v)) if (!byValue(v[k], seen)) return false;
  seen.delete(v);
  return true;
}
function encode(v, blobs) {
  if (v === undefined || v === null) return null;
  const t = typeof v;
  if (t === "number") return Number.isFinite(v) ? v : { [T]: "num", v: String(v) };
  if (t === "string" || t === "boolean") return v;
  if (t === "bigint") return { [T]: "big", v: v.toString() };
  if (t === "object" || t === "function") {
    if (v[PY] !== undefined) return { [T]: "p", id: v[PY] };
    if (v instanceof Uint8Array) {
      blobs.push(v);
      return { [T]: "b", i: blobs.length - 1 };
    }
    if (v instanceof Error) return encodeError(v, blobs);
    if ((Array.isArray(v) || plain(v)) && byValue(v, new Set())) {
      if (Array.isArray(v)) return v.map((x) => encode(x, blobs));
      const out = {};
      for (const k of Object.keys(v)) out[k] = encode(v[k], blobs);
      return out;
    }
    return { [T]: "h", id: handleOf(v), fn: t === "function" };
  }
  return { [T]: "h", id: handleOf(v), fn: false }; // symbols
}
function encodeError(e, blobs) {
  if (e[PY] !== undefined) return { [T]: "p", id: e[PY] };
  const out = {
    [T]: "err",
    name: String(e.name),
    message: String(e.message),
    stack: String(e.stack || ""),
    id: handleOf(e),
  };
  if (e.cause !== undefined) out.cause = errorValue(e.cause, blobs);
  if (Array.isArray(e.errors)) out.errors = e.errors.map((x) => errorValue(x, blobs));
  return out;
}
function errorValue(reason, blobs) {
  if (reason instanceof Error) return encodeError(reason, blobs);
  return { [T]: "rej", v: encode(reason, blobs), null: reason === null };
}
function decode(v, blobs) {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => decode(x, blobs));
  const tag = v[T];
  if (tag === undefined) {
    const out = {};
    for (const k of Object.keys(v)) out[k] = decode(v[k], blobs);
    return out;
  }
  if (tag === "h") {
    const h = handles.get(v.id);
    if (!h) throw new Error(`bridge: JS handle ${v.id} was already released`);
    return h.obj;
  }
  if (tag === "p") return pyObject(v.id, v.fn);
  if (tag === "b") return blobs[v.i];
  if (tag === "big") return BigInt(v.v);
  if (tag === "num") return Number(v.v);
  if (tag === "x") return evaluate(v.root, v.ops, blobs);
  if (tag === "pyerr") {
    const e = new PythonError(v.message, v.traceback);
    Object.defineProperty(e, PY, { value: v.id });
    pyCounts.set(v.id, (pyCounts.get(v.id) || 0) + 1);
    registry.register(e, v.id);
    return e;
  }
  throw new Error(`bridge: unknown value tag ${tag}`);
}

// --- frames ---
// A message and the bytes its values refer to (by index), with their sizes.
function send(msg, blobs = []) {
  let total = 4;
  if (blobs.length) {
    msg.sizes = blobs.map((b) => b.byteLength);
    for (const size of msg.sizes) total += size;
  }
  const json = JSON.stringify(msg);
  const jlen = Buffer.byteLength(json);
  total += jlen;
  // One buffer for the frame (from Node's pool when small): header, JSON, then the bytes.
  const frame = Buffer.allocUnsafe(4 + total);
  frame.writeUInt32BE(total, 0);
  frame.writeUInt32BE(jlen, 4);
  let at = 8 + frame.write(json, 8);
  for (const b of blobs) {
    frame.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), at);
    at += b.byteLength;
  }
  // Frames written in one tick go out together (corked until the next tick): one system call
  // for many replies.
  if (!corked) {
    corked = true;
    sock.cork();
    process.nextTick(uncork);
  }
  sock.write(frame);
}
let corked = false;
function uncork() {
  corked = false;
  sock.uncork();
}
function reply(id, value) {
  const blobs = [];
  let msg;
  try {
    msg = { re: id, ok: encode(value, blobs) };
  } catch (e) {
    return fail(id, e);
  }
  send(msg, blobs);
}
function fail(id, reason) {
  const blobs = [];
  const msg = { re: id, err: errorValue(reason, blobs) };
  send(msg, blobs);
}

// --- calls into Python ---
let nextCall = 1;
const pending = new Map();
function callPython(id, args) {
  return new Promise((resolve, reject) => {
    const call = -nextCall++;
    pending.set(call, { resolve, reject });
    const blobs = [];
    const msg = { op: "call", id: call, fn: id, args: args.map((a) => encode(a, blobs)) };
      send(msg, blobs);
  });
}

// --- evaluation of a root and a chain of operations ---
// `file` is the Python file that asked (Node reads only its folder); `cwd` is Node's.
function isRelative(spec) {
  return spec.startsWith("./") || spec.startsWith("../") || path.isAbsolute(spec);
}
// The files a spec is resolved from: the calling file, then, for a bare name not found
// upward from its folder, the current directory (as a file in it).
function resolvedFrom(spec, file, cwd) {
  const files = [file];
  if (!isRelative(spec) && cwd && cwd !== path.dirname(file)) files.push(path.join(cwd, "<python>"));
  return files;
}
// The folders a bare name was looked for in, from those files (`modules`: node_modules
// folders only, as ES-module resolution does; CommonJS also reads Node's global folders).
function searched(spec, files, modules) {
  const folders = [];
  for (const from of files) {
    for (const f of createRequire(from).resolve.paths(spec) || []) {
      if (!folders.includes(f) && (!modules || path.basename(f) === "node_modules")) folders.push(f);
    }
  }
  return `searched ${folders.join(", ")}`;
}
function requireFrom(spec, file, cwd) {
  const files = resolvedFrom(spec, file, cwd);
  for (const from of files) {
    let found;
    try {
      found = createRequire(from).resolve(spec);
    } catch (e) {
      // Only the spec itself missing (not a package whose own "main" file is missing).
      if (e.code !== "MODULE_NOT_FOUND" || !e.message.startsWith(`Cannot find module '${spec}'`)) {
        throw e;
      }
      continue;
    }
    return createRequire(file)(found);
  }
  if (isRelative(spec)) {
    const target = path.resolve(path.dirname(file), spec);
    throw notFound(spec, file, `no file '${target}' (nor with .js, .json or .node, or as a folder with package.json or index.js)`);
  }
  throw notFound(spec, file, searched(spec, files, false));
}
// import() as the Python file would write it: Node's ES-module resolution ("import"
// conditions, exports) from that file, then from the current directory for a bare name.
async function importFrom(spec, file, cwd) {
  const files = resolvedFrom(spec, file, cwd);
  for (const from of files) {
    try {
      return await importer(from)(spec);
    } catch (e) {
      // Only the spec itself missing: an import inside the module names its own importer.
      if (e.code !== "ERR_MODULE_NOT_FOUND" || !e.message.endsWith(` imported from ${from}`)) {
        throw e;
      }
    }
  }
  if (isRelative(spec)) throw notFound(spec, file, `no file '${path.resolve(path.dirname(file), spec)}'`);
  throw notFound(spec, file, searched(spec, files, true));
}
// A function that calls import() from `file`: a CommonJS module compiled under that file's
// name, whose import() resolves from there. Node 18-20 have no public way to resolve an ES
// module from a given file (import.meta.resolve takes no parent without a flag); before, a
// bare name was imported from this script's own folder, and an "import"-only package failed.
const importers = new Map();
function importer(file) {
  let found = importers.get(file);
  if (!found) {
    const m = new Module(file, null);
    m._compile("module.exports = (spec) => import(spec);", file);
    found = m.exports;
    importers.set(file, found);
  }
  return found;
}
// Node's own message names a require stack of our making, or this script as the importer;
// this one names the calling file and where it was looked for, as the embedded runtime's does.
function notFound(spec, file, where) {
  const e = new Error(`cannot find module '${spec}' required from ${file}: ${where}`);
  e.name = "ModuleNotFound";
  e.code = "MODULE_NOT_FOUND";
  return e;
}
function root(r, blobs) {
  switch (r[0]) {
    case "h":
      return decode({ [T]: "h", id: r[1] }, blobs);
    case "global":
      return globalThis;
    case "signal": {
      const c = signals.get(r[1]);
      if (!c) throw new Error("bridge: this task's AbortSignal is gone (its task ended)");
      return c.signal;
    }
    case "gc":
      collect();
      return new Promise((resolve) => setTimeout(() => resolve(null), 10));
    case "eval":
      return vm.runInThisContext(r[1], { filename: r[2] });
    case "require":
      return requireFrom(r[1], r[2], r[3]);
    case "import":
      return importFrom(r[1], r[2], r[3]);
  }
  throw new Error(`bridge: unknown root ${r[0]}`);
}
function evaluate(r, ops, blobs) {
  let self;
  let cur = root(r, blobs);
  for (const op of ops) {
    if (op[0] === "get") {
      self = cur;
      cur = cur[op[1]];
    } else if (op[0] === "call") {
      if (typeof cur !== "function") throw new TypeError(`${describe(op, ops)} is not a function`);
      cur = Reflect.apply(cur, self, decode(op[1], blobs));
      self = undefined;
    } else if (op[0] === "iter") {
      const make = cur[Symbol.asyncIterator] || cur[Symbol.iterator];
      if (typeof make !== "function") throw new TypeError("the value is not (async) iterable");
      cur = make.call(cur);
      self = undefined;
    } else if (op[0] === "new") {
      cur = Reflect.construct(cur, decode(op[1], blobs));
      self = undefined;
    }
  }
  return cur;
}
function describe(op, ops) {
  const i = ops.indexOf(op);
  const prev = ops[i - 1];
  return prev && prev[0] === "get" ? `.${prev[1]}` : "value";
}

// AbortControllers of Python tasks (rt.signal()): aborted when the task is cancelled.
const signals = new Map();

async function handle(msg, blobs) {
  switch (msg.op) {
    case "signal":
      signals.set(msg.sid, new AbortController());
      return;
    case "abort": {
      const c = signals.get(msg.sid);
      signals.delete(msg.sid);
      if (c && msg.cancelled) {
        const e = new Error("the Python task was cancelled");
        e.name = "AbortError";
        c.abort(e);
      }
      return;
    }
    case "run":
      try {
        let v = evaluate(msg.root, msg.ops, blobs);
        if (v !== null && (typeof v === "object" || typeof v === "function") && typeof v.then === "function" && !v[PY]) v = await v;
        if (msg.id) reply(msg.id, v);
      } catch (e) {
        if (msg.id) fail(msg.id, e);
        else send({ op: "unhandled", err: errorValue(e, []) });
      }
      return;
    case "set":
      try {
        const target = evaluate(msg.root, msg.ops, blobs);
        if (msg.del) delete target[msg.name];
        else target[msg.name] = decode(msg.value, blobs);
        if (msg.id) reply(msg.id, null);
      } catch (e) {
        if (msg.id) fail(msg.id, e);
        else send({ op: "unhandled", err: errorValue(e, []) });
      }
      return;
    case "next":
      try {
        const res = await decode({ [T]: "h", id: msg.it }, blobs).next();
        const out = [];
        const m = { re: msg.id, ok: [Boolean(res.done), encode(res.value, out)] };
        send(m, out);
      } catch (e) {
        fail(msg.id, e);
      }
      return;
    case "free":
      for (const [id, n] of msg.ids) free(id, n);
      return;
    case "result": {
      const p = pending.get(msg.re);
      pending.delete(msg.re);
      if (!p) return;
      try {
        if ("err" in msg) p.reject(decode(msg.err, blobs));
        else p.resolve(decode(msg.ok, blobs));
      } catch (e) {
        p.reject(e);
      }
      return;
    }
  }
}

process.on("unhandledRejection", (reason) => {
  const blobs = [];
  const msg = { op: "unhandled", err: errorValue(reason, blobs) };
  send(msg, blobs);
});

// Chunks are kept in a list and joined once a frame is complete (joining on every chunk made a
// 10 MB frame quadratic).
let chunks = [];
let have = 0;
let need = 4;
let frameLen = -1;
function take(n) {
  const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, have);
  chunks = all.length > n ? [all.subarray(n)] : [];
  have -= n;
  return all.subarray(0, n);
}
sock.on("data", (chunk) => {
  chunks.push(chunk);
  have += chunk.length;
  while (have >= need) {
    if (frameLen < 0) {
      frameLen = take(4).readUInt32BE(0);
      need = frameLen;
      continue;
    }
    const frame = take(frameLen);
    frameLen = -1;
    need = 4;
    const jlen = frame.readUInt32BE(0);
    const msg = JSON.parse(frame.toString("utf8", 4, 4 + jlen));
    const blobs = [];
    let at = 4 + jlen;
    for (const size of msg.sizes || []) {
      blobs.push(frame.subarray(at, at + size));
      at += size;
    }
    handle(msg, blobs);
  }
});
send({ op: "hello", node: process.versions.node, pid: process.pid });
