"""Before/after tables, one per rule, plus the shapes each rule must leave alone.

Every ``fixes`` case is ``pytest.param(before, after, id=...)``: the exact text the JS target
produces. Every ``noop`` case is the source, the diagnostic it must produce (line, column,
rule), and the assertion that the output is the input byte for byte. The rewritten cases also
run through the equivalence harness (tests/translate/test_equivalence.py has the behaviour).
"""

from __future__ import annotations

import pytest

import bridge
from bridge.translate._parse import parse

THEN = [
    pytest.param(
        """\
function f() {
  return get().then(x => x.id);
}
""",
        """\
async function f() {
  const x = await get();
  return x.id;
}
""",
        id="arrow-expression",
    ),
    pytest.param(
        """\
function f() {
  return get().then(x => {
    log(x);
    return x.id;
  });
}
""",
        """\
async function f() {
  const x = await get();
  log(x);
  return x.id;
}
""",
        id="arrow-block",
    ),
    pytest.param(
        """\
function f() {
  return get().then(function (x) {
    return x + 1;
  });
}
""",
        """\
async function f() {
  const x = await get();
  return x + 1;
}
""",
        id="function-handler",
    ),
    pytest.param(
        """\
function handle(x) {
  return x * 2;
}
function f() {
  return get().then(handle);
}
""",
        """\
function handle(x) {
  return x * 2;
}
async function f() {
  return handle(await get());
}
""",
        id="declared-function",
    ),
    pytest.param(
        """\
function f() {
  return get().then(({ id, name }) => id + name);
}
""",
        """\
async function f() {
  const { id, name } = await get();
  return id + name;
}
""",
        id="destructured",
    ),
    pytest.param(
        """\
function f() {
  return get().then(() => next());
}
""",
        """\
async function f() {
  await get();
  return next();
}
""",
        id="unused-param",
    ),
    pytest.param(
        """\
function f() {
  return get().then(null).then(x => x);
}
""",
        """\
async function f() {
  const x = await get();
  return x;
}
""",
        id="non-callable",
    ),
    pytest.param(
        """\
function f(x) {
  return get().then(x => x + 1).then(y => y + x);
}
""",
        """\
async function f(x) {
  let value;
  {
    const x = await get();
    value = x + 1;
  }
  const y = value;
  return y + x;
}
""",
        id="name-collision",
    ),
    pytest.param(
        """\
function f() {
  return get().then(x => {
    if (!x) return null;
    return load(x);
  }).then(y => show(y));
}
""",
        """\
async function f() {
  let result;
  const x = await get();
  step: {
    if (!x) { result = null; break step; }
    result = load(x);
  }
  const y = await result;
  return show(y);
}
""",
        id="early-return",
    ),
    pytest.param(
        """\
function f() {
  return get().then(x => {
    if (!x) return null;
    return load(x);
  });
}
""",
        """\
async function f() {
  const x = await get();
  if (!x) return null;
  return load(x);
}
""",
        id="early-return-last-step",
    ),
    pytest.param(
        """\
function f() {
  return get().then(x => load(x).then(y => y.name));
}
""",
        """\
async function f() {
  const x = await get();
  const y = await load(x);
  return y.name;
}
""",
        id="nested-flattened",
    ),
    pytest.param(
        """\
function f() {
  return get().then(x => {
    audit(x).then(done);
    return x;
  });
}
function done() {}
""",
        # The inner chain is rewritten by the same call (a second round inside it).
        """\
async function f() {
  const x = await get();
  void (async () => {
    await done(await audit(x));
  })();
  return x;
}
function done() {}
""",
        id="nested-left-running",
    ),
    pytest.param(
        """\
function f() {
  return Promise.all([a(), b()]).then(([x, y]) => x + y);
}
""",
        """\
async function f() {
  const [x, y] = await Promise.all([a(), b()]);
  return x + y;
}
""",
        id="all-destructured",
    ),
    pytest.param(
        """\
function f() {
  return new Promise(resolve => setTimeout(resolve, 100)).then(() => tick());
}
""",
        """\
async function f() {
  await new Promise(resolve => setTimeout(resolve, 100));
  return tick();
}
""",
        id="delay",
    ),
]

THEN_REJECT = [
    pytest.param(
        """\
function f() {
  return get().then(x => use(x), e => fallback(e));
}
""",
        """\
async function f() {
  let value;
  let fulfilled = false;
  try {
    value = await get();
    fulfilled = true;
  } catch (e) {
    value = await fallback(e);
  }
  if (fulfilled) {
    const x = value;
    value = await use(x);
  }
  return value;
}
""",
        id="two-handlers",
    ),
    pytest.param(
        """\
function f() {
  return get().then(null, e => 0);
}
""",
        """\
async function f() {
  let value;
  try {
    value = await get();
  } catch (error) {
    value = 0;
  }
  return value;
}
""",
        id="null-first",
    ),
]

CATCH = [
    pytest.param(
        """\
function f() {
  return get().catch(e => 0);
}
""",
        """\
async function f() {
  let value;
  try {
    value = await get();
  } catch (error) {
    value = 0;
  }
  return value;
}
""",
        id="recovers",
    ),
    pytest.param(
        """\
function f() {
  return get().catch(e => {
    log(e);
    throw e;
  });
}
""",
        """\
async function f() {
  let value;
  try {
    value = await get();
  } catch (e) {
    log(e);
    throw e;
  }
  return value;
}
""",
        id="rethrows",
    ),
    pytest.param(
        """\
function f() {
  return get().catch(() => []).then(xs => xs.length);
}
""",
        """\
async function f() {
  let value;
  try {
    value = await get();
  } catch (error) {
    value = [];
  }
  const xs = value;
  return xs.length;
}
""",
        id="followed-by-then",
    ),
    pytest.param(
        """\
function f() {
  return get().catch(a).catch(b);
}
function a(e) {}
function b(e) {}
""",
        """\
async function f() {
  let value;
  try {
    try {
      value = await get();
    } catch (error) {
      value = await a(error);
    }
  } catch (error2) {
    value = await b(error2);
  }
  return value;
}
function a(e) {}
function b(e) {}
""",
        id="twice",
    ),
]

FINALLY = [
    pytest.param(
        """\
function f() {
  return get().finally(() => stop());
}
""",
        """\
async function f() {
  let value;
  try {
    value = await get();
  } finally {
    await stop();
  }
  return value;
}
""",
        id="keeps-value",
    ),
    pytest.param(
        """\
function f() {
  return get().catch(e => 0).finally(() => {
    log('done');
  });
}
""",
        """\
async function f() {
  let value;
  try {
    value = await get();
  } catch (error) {
    value = 0;
  } finally {
    log('done');
  }
  return value;
}
""",
        id="after-catch",
    ),
]

CONTEXTS = [
    pytest.param(
        """\
const f = (id) => get(id).then(x => x.name);
""",
        """\
const f = async (id) => {
  const x = await get(id);
  return x.name;
};
""",
        id="arrow-body",
    ),
    pytest.param(
        """\
async function f() {
  const data = await fetch(url).then(r => r.json());
  return data;
}
""",
        """\
async function f() {
  const r = await fetch(url);
  const data = await r.json();
  return data;
}
""",
        id="awaited-declaration",
    ),
    pytest.param(
        """\
async function f() {
  let n = 0;
  n = await count().catch(() => -1);
  return n;
}
""",
        """\
async function f() {
  let n = 0;
  let value;
  try {
    value = await count();
  } catch (error) {
    value = -1;
  }
  n = value;
  return n;
}
""",
        id="awaited-assignment",
    ),
    pytest.param(
        """\
async function f() {
  await save().finally(() => close());
}
""",
        """\
async function f() {
  let value;
  try {
    value = await save();
  } finally {
    await close();
  }
}
""",
        id="awaited-statement",
    ),
    pytest.param(
        """\
function f() {
  save().then(() => log('saved'));
  return 1;
}
""",
        """\
function f() {
  void (async () => {
    await save();
    await log('saved');
  })();
  return 1;
}
""",
        id="statement-iife",
    ),
    pytest.param(
        """\
class A {
  load() {
    return get().then(x => x + 1);
  }
}
""",
        """\
class A {
  async load() {
    const x = await get();
    return x + 1;
  }
}
""",
        id="method",
    ),
    pytest.param(
        """\
async function f() {
  log('x');
  return get().then(x => x);
}
""",
        """\
async function f() {
  log('x');
  const x = await get();
  return x;
}
""",
        id="async-already",
    ),
    pytest.param(
        """\
function f() { return get().then(x => x); }
""",
        """\
async function f() {
  const x = await get();
  return x;
}
""",
        id="one-line",
    ),
    pytest.param(
        """\
export const data = await fetch(url).then(r => r.json());
""",
        """\
const r = await fetch(url);
export const data = await r.json();
""",
        id="export-awaited",
    ),
    pytest.param(
        """\
function f(c) {
  if (c) return a().then(x => x);
  return b().then(y => y);
}
""",
        """\
async function f(c) {
  if (c) {
    const x = await a();
    return x;
  }
  const y = await b();
  return y;
}
""",
        id="if-without-braces",
    ),
    pytest.param(
        """\
function f(c) {
  if (c) {
    return a().then(x => x + 1);
  } else {
    return b().then(y => y * 2);
  }
}
""",
        """\
async function f(c) {
  if (c) {
    const x = await a();
    return x + 1;
  } else {
    const y = await b();
    return y * 2;
  }
}
""",
        id="if-else-both-return",
    ),
    pytest.param(
        """\
function f() {
  return get().then(x => {
    var y = x + 1;
    return y;
  });
}
""",
        """\
async function f() {
  const x = await get();
  var y = x + 1;
  return y;
}
""",
        id="var-used-only-in-its-handler",
    ),
    pytest.param(
        """\
function fmt(v) { return String(v); }
function f() {
  return get().then(fmt).then(fmt => fmt.length);
}
""",
        # The declared `fmt` is called before the block whose `fmt` shadows it.
        """\
function fmt(v) { return String(v); }
async function f() {
  let value;
  value = await fmt(await get());
  let value2;
  {
    const fmt = value;
    value2 = await fmt.length;
  }
  return value2;
}
""",
        id="declared-handler-shadowed-by-a-parameter",
    ),
    pytest.param(
        """\
function count(n) {
  if (n <= 0) return Promise.resolve(n);
  return step(n).then(() => count(n - 1));
}
""",
        """\
async function count(n) {
  if (n <= 0) return Promise.resolve(n);
  await step(n);
  return count(n - 1);
}
""",
        id="recursion-with-a-promise-base-case",
    ),
    pytest.param(
        """\
async function done(n) { return n; }
function count(n) {
  if (n <= 0) return done(n);
  return step(n).then(() => count(n - 1));
}
""",
        """\
async function done(n) { return n; }
async function count(n) {
  if (n <= 0) return done(n);
  await step(n);
  return count(n - 1);
}
""",
        id="base-case-calls-an-async-function",
    ),
]

REFERENCES = [
    pytest.param(
        """\
class A {
  load() {
    return fetchIt().then(this.onData);
  }
}
""",
        """\
class A {
  async load() {
    const promise = fetchIt();
    const onData = this.onData;
    const value = await promise;
    return typeof onData === "function" ? onData(value) : value;
  }
}
""",
        id="method-reference",
    ),
    pytest.param(
        """\
function f(p) {
  return p.then(obj.onData).catch(obj.onError).finally(obj.close);
}
""",
        """\
async function f(p) {
  const onData = obj.onData;
  const onError = obj.onError;
  const close = obj.close;
  let value2;
  try {
    const value = await p;
    value2 = await (typeof onData === "function" ? onData(value) : value);
  } catch (error) {
    if (typeof onError !== "function") throw error;
    value2 = await onError(error);
  } finally {
    await (typeof close === "function" ? close() : undefined);
  }
  return value2;
}
""",
        id="method-references-every-role",
    ),
    pytest.param(
        """\
function f(cb) {
  return get().then(cb);
}
""",
        """\
async function f(cb) {
  const value = await get();
  return typeof cb === "function" ? cb(value) : value;
}
""",
        id="parameter-reference",
    ),
    pytest.param(
        """\
import { parse } from "./p";
function f() {
  return get().then(parse).then(x => x + 1);
}
""",
        """\
import { parse } from "./p";
async function f() {
  const value = await get();
  const x = await (typeof parse === "function" ? parse(value) : value);
  return x + 1;
}
""",
        id="imported-reference",
    ),
    pytest.param(
        """\
let handle = null;
function f() {
  return get().then(handle);
}
""",
        """\
let handle = null;
async function f() {
  const promise = get();
  const handler = handle;
  const value = await promise;
  return typeof handler === "function" ? handler(value) : value;
}
""",
        id="variable-reference-read-when-built",
    ),
    pytest.param(
        """\
function f(obj) {
  return get().then(x => other(x).then(obj.m));
}
""",
        """\
async function f(obj) {
  const x = await get();
  const promise = other(x);
  const m = obj.m;
  const value = await promise;
  return typeof m === "function" ? m(value) : value;
}
""",
        id="nested-chain-reference-read-in-the-handler",
    ),
]

NOOPS = [
    pytest.param(
        """\
function f() {
  return get().then(function (x) { return this.y + x; });
}
""",
        None,
        [(2, 43, "this-arguments")],
        id="this-in-function",
    ),
    pytest.param(
        """\
function f() {
  return get().then(function () { return arguments.length; });
}
""",
        None,
        [(2, 42, "this-arguments")],
        id="arguments-in-function",
    ),
    pytest.param(
        """\
function f() {
  const p = get().then(x => x);
  return p;
}
""",
        None,
        [(2, 13, "eager-start")],
        id="stored",
    ),
    pytest.param(
        """\
function f() {
  return get().then(a, b, c);
}
function a() {}
function b() {}
""",
        None,
        [(2, 10, "three-arg-then")],
        id="three-arg-then",
    ),
    pytest.param(
        """\
function* g() {
  yield get().then(x => x);
}
""",
        None,
        [(2, 9, "generator")],
        id="generator",
    ),
    pytest.param(
        """\
function f() {
  return get().then(function* (x) {
    yield x;
  });
}
""",
        None,
        [(2, 21, "generator")],
        id="generator-handler",
    ),
    pytest.param(
        """\
function f(c) {
  if (c) return a().then(x => x + 1);
  else if (c > 1) return b().then(y => y * 2);
  else { log(c); }
}
""",
        None,
        [(2, 17, "fall-through"), (3, 26, "fall-through")],
        id="if-else-one-branch-falls-through",
    ),
    pytest.param(
        """\
function done(n) { return n; }
function count(n) {
  if (n <= 0) return done(n);
  return step(n).then(() => count(n - 1));
}
""",
        None,
        [(4, 10, "mixed-returns")],
        id="base-case-may-return-a-plain-value",
    ),
    pytest.param(
        """\
function f() {
  return use(get().then(x => x));
}
""",
        None,
        [(2, 14, "chain-as-value")],
        id="as-argument",
    ),
    pytest.param(
        """\
function f(x) {
  if (!x) throw new Error('no');
  return get(x).then(y => y);
}
""",
        None,
        [(3, 10, "sync-throw")],
        id="sync-throw",
    ),
    pytest.param(
        """\
function f(x) {
  if (!x) return null;
  return get(x).then(y => y);
}
""",
        None,
        [(3, 10, "mixed-returns")],
        id="mixed-returns",
    ),
    pytest.param(
        """\
function f(x) {
  if (x) return get(x).then(y => y);
}
""",
        None,
        [(2, 17, "fall-through")],
        id="fall-through",
    ),
    pytest.param(
        """\
function f() {
  try {
    return get().then(x => x);
  } finally {
    stop();
  }
}
""",
        None,
        [(3, 5, "return-in-try")],
        id="return-in-try",
    ),
    pytest.param(
        """\
function F() {
  return get().then(x => x);
}
new F();
""",
        None,
        [(1, 1, "constructor")],
        id="constructor",
    ),
    pytest.param(
        """\
class A {
  get v() {
    return get().then(x => x);
  }
}
""",
        None,
        [(2, 3, "not-async-able")],
        id="getter",
    ),
    pytest.param(
        """\
function f() {
  return get().then((x = 1) => x);
}
""",
        None,
        [(2, 22, "handler-params")],
        id="default-param",
    ),
    pytest.param(
        """\
function f() {
  return get().finally(x => x);
}
""",
        None,
        [(2, 24, "handler-params")],
        id="finally-param",
    ),
    pytest.param(
        """\
function f() {
  var y = 0;
  return get().then(x => {
    var y = x;
    return y;
  });
}
""",
        None,
        [(4, 5, "var-in-handler")],
        id="var-in-handler",
    ),
    pytest.param(
        """\
async function f(list) {
  for (const p of list) {
    await p.then(x => {
      var y = x;
      fns.push(() => y);
    });
  }
}
""",
        None,
        [(4, 7, "var-in-handler")],
        id="var-in-handler-in-a-loop",
    ),
    pytest.param(
        """\
function f() {
  return get().then(...hs);
}
""",
        None,
        [(2, 10, "spread-arguments")],
        id="spread-args",
    ),
    pytest.param(
        """\
function f(c) {
  if (c) return a().then(function () { return this.m; });
  return b().then(x => x);
}
""",
        None,
        [(2, 47, "this-arguments"), (3, 10, "sibling-return")],
        id="sibling-return",
    ),
    pytest.param(
        """\
function f(): Bluebird<number> {
  return get().then(x => x);
}
""",
        "x.ts",
        [(1, 13, "return-type")],
        id="return-type",
    ),
    pytest.param(
        """\
function f() {
  return new Promise((resolve) => load().then((v) => resolve(v)));
}
""",
        None,
        [(2, 22, "promise-executor")],
        id="promise-executor",
    ),
    pytest.param(
        """\
function f(): Promise<number> {
  return get().then(<T>(x: T) => x);
}
""",
        "x.ts",
        [(2, 21, "handler-params")],
        id="generic-handler",
    ),
    pytest.param(
        """\
function f(): Promise<number> {
  return get().then(function (this: Window, x: number) { return x; });
}
""",
        "x.ts",
        [(2, 31, "this-arguments")],
        id="this-parameter",
    ),
]


@pytest.mark.parametrize(
    ("before", "after"), THEN + THEN_REJECT + CATCH + FINALLY + CONTEXTS + REFERENCES
)
def test_fixes(before: str, after: str) -> None:
    result = bridge.translate(before)
    assert result.code == after
    assert result.changed
    assert result.diagnostics == ()
    assert parse(result.code).syntax_problem() is None
    # A translation is a fixed point: nothing left to rewrite in it.
    assert bridge.translate(result.code).code == result.code


@pytest.mark.parametrize(("source", "filename", "diagnostics"), NOOPS)
def test_noop(source: str, filename: str | None, diagnostics: list[tuple[int, int, str]]) -> None:
    result = bridge.translate(source, filename=filename)
    assert result.code == source
    assert not result.changed
    assert [(d.line, d.column, d.rule) for d in result.diagnostics] == diagnostics
    assert all(d.message and "\n" not in d.message for d in result.diagnostics)


def test_one_module_per_rule_name_named_after_the_rule() -> None:
    """Every rule lives in the module named after it (``-`` as ``_``, ``finally_`` for the
    keyword), and every public module in rules/ registers a rule."""
    import pkgutil

    from bridge.translate import rules as rules_package

    rules_package._load()
    modules_of: dict[str, set[str]] = {}
    for registered in rules_package.REGISTRY.values():
        module = registered.fn.__module__.rsplit(".", 1)[1]
        assert module.rstrip("_") == registered.name.replace("-", "_"), (registered.name, module)
        modules_of.setdefault(module, set()).add(registered.name)
    assert all(len(names) == 1 for names in modules_of.values()), modules_of
    public = {
        m.name for m in pkgutil.iter_modules(rules_package.__path__) if not m.name.startswith("_")
    }
    assert public == set(modules_of)
