"""Equivalence evidence: each program and its translation settle alike and log alike.

Every program is run twice in the embedded engine (original, translation) with the stubs of
``harness.py``; the settled value or rejection and the order of logged side effects must be
identical, and the translation must actually have rewritten the chain.

Stubs that run concurrently (Promise.all/race/any, a chain left running) use delays at least
20 ms apart: on a loaded machine two timers a few ms apart can fire in either order, in the
original as much as in the translation.
"""

# ruff: noqa: E501  (tables of one-line JS programs read best unwrapped)
from __future__ import annotations

import pytest

from .harness import assert_equivalent, outcome

# One program a line: the table reads as a list of cases.
# fmt: off
SHAPES = [
    # ---- then: handler kinds, bodies, parameters
    ("then-arrow-expr", "function main() { return ok(1).then(x => x + 1); }"),
    ("then-arrow-block", "function main() { return ok(1).then(x => { log(x); return x * 3; }); }"),
    ("then-arrow-noreturn", "function main() { return ok(1).then(x => { log(x); }); }"),
    ("then-function-expr", "function main() { return ok(2).then(function (x) { return x * 2; }); }"),
    ("ref-method-this-undefined", "class C { m(v) { log(this === undefined ? 'this undefined' : 'this set'); return v + 1; } }\nconst c = new C();\nfunction main() { return ok(1).then(c.m); }"),
    ("ref-non-function-passes", "const obj = { m: 5 };\nfunction main() { return ok(1).then(obj.m).then(x => x + 1); }"),
    ("ref-read-after-base", "const obj = { m: (v) => v + 1 };\nfunction start() { obj.m = (v) => v * 10; return ok(2); }\nfunction main() { return start().then(obj.m); }"),
    ("ref-read-before-handlers-run", "const obj = { m: (v) => v + 1 };\nfunction main() { return ok(2).then(v => { obj.m = (x) => x * 10; return v; }).then(obj.m); }"),
    ("ref-getter-order", "const obj = { get m() { log('read m'); return (v) => log(v); } };\nfunction base() { log('base'); return ok(1); }\nfunction main() { return base().then(obj.m); }"),
    ("ref-catch-function", "const obj = { onError: (e) => 'handled ' + e.message };\nfunction main() { return fail('x').catch(obj.onError); }"),
    ("ref-catch-non-function", "const obj = {};\nfunction main() { return fail('x').catch(obj.onError).then(() => log('never')); }"),
    ("ref-then-reject-refs", "const obj = { bad: 1, ok: (v) => 'ok ' + v };\nfunction main() { return fail('y').then(obj.ok, obj.bad).catch(e => 'caught ' + e.message); }"),
    ("ref-finally", "const obj = { close() { log('close'); return ok('closed'); }, nope: 3 };\nfunction main() { return ok(1).finally(obj.close).finally(obj.nope); }"),
    ("ref-parameter", "function run(cb) { return ok(3).then(cb); }\nfunction main() { return Promise.all([run(x => x * 2), run(null), run('str')]); }"),
    ("ref-reassigned-variable", "let handle = (v) => v + 1;\nfunction main() { return ok(1).then(v => { handle = null; return v; }).then(handle); }"),
    ("ref-nested-chain", "const obj = { m: (v) => v * 3 };\nfunction main() { return ok(1).then(x => ok(x + 1).then(obj.m)); }"),
    ("ref-global-function", "function main() { return ok('a').then(String).then(s => s + '!'); }"),
    ("then-declared", "function dbl(v) { log('dbl'); return v * 2; }\nfunction main() { return ok(4).then(dbl); }"),
    ("then-const-arrow-ref", "const inc = (v) => v + 1;\nfunction main() { return ok(4).then(inc).then(inc); }"),
    ("then-destructure-object", "function main() { return ok({a: 1, b: 2}).then(({a, b}) => a + b); }"),
    ("then-destructure-array", "function main() { return ok([1, 2]).then(([a, , c = 5]) => a + c); }"),
    ("then-destructure-throws", "function main() { return ok(null).then(({a}) => 1); }"),
    ("then-unused-param", "function main() { return ok(1).then(_ => log('next')).then(() => 7); }"),
    ("then-no-param", "function main() { return ok(1).then(() => ok(2)); }"),
    ("then-non-callable", "function main() { return ok(1).then(null).then(5).then(x => x + 1); }"),
    ("then-undefined-then-empty", "function main() { return ok(1).then(undefined).then().then(x => [x]); }"),
    ("then-passes-rejection", "function main() { return fail('boom').then(x => log('never')); }"),
    ("then-throws", "function main() { return ok(1).then(x => { throw new Error('bad ' + x); }); }"),
    ("then-three-steps", "function main() { return ok(1).then(x => x + 1).then(y => log(y) * 2).then(z => 'z' + z); }"),
    ("then-async-handler", "function main() { return ok(1).then(async x => { await sleep(1); log('in'); return x + 1; }); }"),
    ("then-reassigns-param", "function main() { return ok(1).then(x => { x += 10; return x; }); }"),
    ("then-same-param-names", "function main() { return ok(1).then(x => x + 1).then(x => x * 10); }"),
    ("then-name-collision", "let x = 'outer';\nfunction main() { return ok(1).then(v => { const x = v + 1; return x; }).then(() => x); }"),
    ("param-shadows-base", "function main() { const x = 5; return ok(x).then(x => x + 1); }"),
    ("body-const-shadows-base", "function main() { const y = 2; return ok(y).then(v => { const y = v * 10; return y + 1; }); }"),
    ("then-sequence-return", "function main() { return ok(1).then(x => (log('a'), x + 1)); }"),
    ("then-object-literal", "function main() { return ok(1).then(x => ({ v: x })); }"),
    # ---- then(a, b): b must not see a's errors
    ("then-two-fulfilled", "function main() { return ok(1).then(x => x + 1, e => -1); }"),
    ("then-two-rejected", "function main() { return fail('no').then(x => x + 1, e => e.message); }"),
    ("then-two-a-throws", "function main() { return ok(1).then(x => { throw new Error('from a'); }, e => 'caught ' + e.message); }"),
    ("then-two-b-throws", "function main() { return fail('no').then(x => 1, e => { throw new Error('b: ' + e.message); }); }"),
    ("then-two-then-catch", "function main() { return ok(1).then(x => { throw new Error('a'); }, e => 0).catch(e => 'outer ' + e.message); }"),
    ("then-null-reject", "function main() { return fail('x').then(null, e => 'r ' + e.message); }"),
    # ---- catch
    ("catch-recovers", "function main() { return fail('x').catch(e => 'recovered ' + e.message); }"),
    ("catch-not-called", "function main() { return ok(3).catch(e => log('never')); }"),
    ("catch-rethrows", "function main() { return fail('x').catch(e => { log('saw ' + e.message); throw e; }); }"),
    ("catch-then-more", "function main() { return fail('x').catch(e => 1).then(v => v + 1); }"),
    ("catch-twice", "function main() { return fail('x').catch(e => { throw new Error('y'); }).catch(e => e.message + '!'); }"),
    ("catch-covers-handler", "function main() { return ok(1).then(x => { throw new Error('t'); }).catch(e => 'c ' + e.message); }"),
    ("catch-no-param", "function main() { return fail('x').catch(() => 'ignored'); }"),
    ("catch-declared", "function onErr(e) { log('onErr'); return 'handled ' + e.message; }\nfunction main() { return fail('q').catch(onErr); }"),
    ("catch-returns-rejection", "function main() { return fail('x').catch(e => fail('again')); }"),
    ("catch-destructure", "function main() { return fail('m').catch(({ message }) => message.length); }"),
    # ---- finally
    ("finally-keeps-value", "function main() { return ok(5).finally(() => log('cleanup')); }"),
    ("finally-keeps-rejection", "function main() { return fail('x').finally(() => log('cleanup')); }"),
    ("finally-awaits-promise", "function main() { return ok(5).finally(() => sleep(5).then(() => log('slept'))); }"),
    ("finally-throw-replaces", "function main() { return ok(5).finally(() => { throw new Error('f'); }); }"),
    ("finally-rejection-replaces", "function main() { return fail('x').finally(() => fail('fin')); }"),
    ("finally-value-ignored", "function main() { return ok(5).finally(() => 99); }"),
    ("finally-after-catch", "function main() { return fail('x').catch(e => 1).finally(() => log('f')).then(v => v + 1); }"),
    ("catch-then-finally", "function main() { return ok(1).then(x => { throw new Error('t'); }).catch(e => 2).finally(() => log('done')); }"),
    ("finally-declared", "function stop() { log('stop'); }\nfunction main() { return ok(1).finally(stop); }"),
    # ---- thenables and promises returned from handlers
    ("returns-promise", "function main() { return ok(1).then(x => ok(x + 1, 2)); }"),
    ("returns-thenable", "function main() { return ok(1).then(x => thenable(x * 5)); }"),
    ("returns-bad-thenable", "function main() { return ok(1).then(x => badThenable('tb')).catch(e => 'c:' + e.message); }"),
    ("base-thenable", "function main() { return Promise.resolve(thenable(3)).then(x => x + 1); }"),
    ("returns-rejected", "function main() { return ok(1).then(x => fail('r' + x)); }"),
    ("base-aplus-thenable", "function main() { return aplus(3).then(x => x + 1).catch(e => 0); }"),
    ("base-aplus-awaited", "async function main() { const v = await aplus(4).then(x => [x]); return v; }"),
    ("throws-non-error", "function main() { return ok(1).then(x => { throw 'plain ' + x; }).catch(e => 'got ' + e); }"),
    ("rejects-non-error", "function main() { return ok(1).then(x => Promise.reject(42)); }"),
    ("then-two-a-rejects-async", "function main() { return ok(1).then(x => fail('a-async'), e => 'wrong'); }"),
    ("then-two-chain", "function main() { return fail('x').catch(e => 1).then(v => { throw new Error('v' + v); }, e => 'wrong').finally(() => log('fin')).catch(e => e.message); }"),
    ("finally-thenable", "function main() { return ok(2).finally(() => thenable('t')).then(v => v * 2); }"),
    ("catch-returns-bad-thenable", "function main() { return fail('x').catch(e => badThenable('bt')).catch(e => 'second ' + e.message); }"),
    ("early-return-switch", "function main() { return ok(2).then(x => { switch (x) { case 1: return 'one'; case 2: log('two'); return ok('TWO'); } return 'other'; }).then(v => v + '!'); }"),
    ("early-return-try-finally", "function main() { return ok(1).then(x => { try { if (x) return ok('early'); } finally { log('handler finally'); } return 'late'; }).then(v => v); }"),
    ("two-awaited-chains-same-names", "async function main() { const a = await ok(1).then(x => x + 1); const b = await ok(10).then(x => x * 2); return [a, b]; }"),
    ("awaited-in-loop", "async function main() { let t = 0; for (const n of [1, 2, 3]) { t = await ok(n).then(x => x + t); } return t; }"),
    ("statement-with-finally", "function main() { ok(1, 1).then(x => log('ff ' + x)).finally(() => log('ff done')); return sleep(25).then(() => 'end'); }"),
    ("nested-finally-in-handler", "function main() { return ok(1).then(x => ok(x + 1).finally(() => log('inner fin'))).then(y => y * 3); }"),
    ("plain-result-with-effect-dropped-next", "function main() { return ok(1).then(x => log('a') + x).then(() => 5); }"),
    ("plain-result-in-finally", "function main() { return ok(1).finally(() => log('f') + 1); }"),
    ("plain-result-fire-and-forget", "function main() { ok(1).then(x => log('s') + x); return sleep(25).then(() => 'end'); }"),
    ("semicolon-free-style", "function main() {\n  return ok([1, 2])\n    .then(xs => {\n      log(xs.length)\n    })\n    .then(() => {\n      [3, 4].forEach(n => log(n))\n    })\n    .then(() => `t${1}`)\n    .then(() => (log('paren'), 1))\n}"),
    ("spread-of-param", "function main() { const o = { items: 1 }; return ok([1, 2]).then(items => [...items, o.items]); }"),
    ("non-ascii-names", "function main() { const café = 'c'; return ok(1).then(naïve => naïve + café); }"),
    ("early-return-last-step", "function main() { return ok(0).then(x => { if (!x) return ok('zero'); log('nonzero'); return x; }); }"),
    ("early-return-last-step-in-try", "function main() { return ok(1).then(x => { try { return fail('in'); } catch (e) { return 'no'; } finally { log('fin'); } }); }"),
    ("early-return-last-step-falls-off", "const main = () => ok(7).then(x => { if (x > 10) return 'big'; log('small'); });"),
    # ---- nested chains
    ("nested-returned-flattened", "function main() { return ok(1).then(x => ok(x + 1).then(y => y * 10)); }"),
    ("nested-catch-scoped", "function main() { return ok(1).then(x => fail('in').catch(e => 'inner ' + e.message)); }"),
    ("nested-catch-not-outer", "function main() { return fail('outer').then(x => ok(1).catch(e => 'wrong')).catch(e => 'right ' + e.message); }"),
    ("nested-not-returned", "function main() { return ok(1).then(x => { ok(2, 1).then(v => log('inner ' + v)); return x; }).then(v => sleep(25).then(() => v)); }"),
    ("nested-block-tail", "function main() { return ok(1).then(x => { log('pre'); return ok(x).then(y => y + 100); }); }"),
    # ---- early returns
    ("early-return-taken", "function main() { return ok(0).then(x => { if (!x) return 'zero'; log('nonzero'); return x; }).then(v => v + '!'); }"),
    ("early-return-not-taken", "function main() { return ok(3).then(x => { if (!x) return 'zero'; log('nonzero'); return ok(x); }).then(v => v + 1); }"),
    ("early-return-in-loop", "function main() { return ok([1, 5, 9]).then(xs => { for (const x of xs) { if (x > 4) return x; } return -1; }).then(v => v * 2); }"),
    ("early-return-fallthrough", "function main() { return ok(1).then(x => { if (x > 5) return 'big'; log('small'); }).then(v => String(v)); }"),
    ("early-return-in-try", "function main() { return ok(1).then(x => { try { return fail('inner'); } catch (e) { return 'no'; } }).catch(e => 'outer ' + e.message); }"),
    # ---- combinators and delays
    ("all-destructure", "function main() { return Promise.all([ok(1, 25), ok(2, 1)]).then(([a, b]) => a * 10 + b); }"),
    ("all-rejects", "function main() { return Promise.all([ok(1, 25), fail('e', 1)]).then(([a]) => a).catch(e => e.message); }"),
    ("allSettled", "function main() { return Promise.allSettled([ok(1, 1), fail('n', 25)]).then(rs => rs.map(r => r.status).join()); }"),
    ("race", "function main() { return Promise.race([ok('slow', 25), ok('fast', 1)]).then(w => w + '!'); }"),
    ("any", "function main() { return Promise.any([fail('a', 1), ok('b', 25)]).then(v => v); }"),
    ("any-all-fail", "function main() { return Promise.any([fail('a', 1), fail('b', 25)]).catch(e => e.constructor.name); }"),
    ("delay", "function main() { return new Promise(resolve => setTimeout(resolve, 5)).then(() => log('after delay')); }"),
    ("delay-in-handler", "function main() { return ok(1).then(x => new Promise(r => setTimeout(() => r(x + 1), 3))); }"),
    # ---- contexts
    ("arrow-body", "const main = () => ok(2).then(x => x * 2);"),
    ("async-fn-awaited-decl", "async function main() { const v = await ok(1).then(x => x + 1); log('v ' + v); return v; }"),
    ("async-fn-awaited-assign", "async function main() { let v = 0; v = await ok(1).then(x => x + 1).catch(() => -1); return v; }"),
    ("async-fn-awaited-stmt", "async function main() { await ok(1).then(x => log('got ' + x)); return 'end'; }"),
    ("async-fn-return-await", "async function main() { try { return await fail('z').then(x => x); } catch (e) { return 'caught ' + e.message; } }"),
    ("async-fn-return-chain", "async function main() { log('start'); return ok(7).then(x => x - 1); }"),
    ("statement-fire-and-forget", "function main() { ok(1, 1).then(x => log('ff ' + x)); log('sync after'); return sleep(25).then(() => 'end'); }"),
    ("statement-in-async", "async function main() { ok(1).then(x => log('ff ' + x)); log('after'); await sleep(25); return 1; }"),
    ("several-returns", "function main() { const f = (n) => { if (n) return ok(n).then(x => x * 2); return ok(0).then(() => -1); }; return f(3); }"),
    ("method", "const o = { k: 3, get() { return ok(1).then(x => x + this.k); } };\nfunction main() { return o.get(); }"),
    ("class-method", "class C { constructor() { this.k = 4; } run() { return ok(1).then(x => x + this.k); } }\nfunction main() { return new C().run(); }"),
    ("arguments-in-arrow", "function main() { return (function (a) { return ok(1).then(x => x + arguments[0]); })(10); }"),
    ("if-without-braces", "function main() { return g(1); }\nfunction g(n) { if (n) return ok(n).then(x => x + 1); return ok(0).then(x => x); }"),
    # ---- realistic code: fetch/json/catch/finally, retries, Promise.all with map, timeouts
    ("real-fetch-json-ok", "function getJson(url) { return ok({ status: 200, body: { id: 7 } }, 5).then((res) => { if (res.status !== 200) throw new Error('HTTP ' + res.status); return res.body; }); }\nfunction main() { log('start'); return getJson('/u').then((u) => log(u.id)).catch((e) => log('err ' + e.message)).finally(() => log('done')); }"),
    ("real-fetch-json-http-error", "function getJson(url) { return ok({ status: 500, body: null }, 5).then((res) => { if (res.status !== 200) throw new Error('HTTP ' + res.status); return res.body; }); }\nfunction main() { return getJson('/u').then((u) => u.id).catch((e) => 'err ' + e.message).finally(() => log('done')); }"),
    ("real-retry-loop", "function attempt(n) { return n < 2 ? fail('flaky ' + n, 3) : ok('ok at ' + n, 3); }\nasync function retry(times) { for (let i = 0; i < times; i++) { try { return await attempt(i); } catch (e) { log('retry ' + e.message); } } throw new Error('gave up'); }\nfunction main() { return retry(5).then((v) => v + '!'); }"),
    ("real-retry-gives-up", "function attempt(n) { return fail('flaky ' + n, 3); }\nasync function retry(times) { for (let i = 0; i < times; i++) { try { return await attempt(i); } catch (e) { log('retry ' + e.message); } } throw new Error('gave up'); }\nfunction main() { return retry(2).then((v) => v + '!').catch((e) => 'final: ' + e.message); }"),
    ("real-all-with-map", "function main() { const ids = [1, 2, 3]; return Promise.all(ids.map((id) => ok(id * 10, 80 - id * 20))).then((vals) => vals.join(',')); }"),
    ("real-all-settled-statuses", "function main() { return Promise.allSettled([ok(1, 5), fail('x', 30)]).then((rs) => rs.map((r) => r.status).join(' ')); }"),
    ("real-race-timeout", "function main() { return Promise.race([ok('slow', 200), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 10))]).catch((e) => e.message); }"),
    ("real-early-return-admin", "function loadUser(id) { return ok({ id: id, admin: id === 1 }, 5).then((u) => { if (!u.admin) return 'guest'; return ok('admin ' + u.id, 5); }).then((label) => log(label)); }\nfunction main() { return loadUser(1).then(() => loadUser(2)); }"),
    ("real-cleanup-rethrow", "function main() { let open = true; return fail('db down', 5).then((r) => r.rows).catch((e) => { log('logged ' + e.message); throw e; }).finally(() => { open = false; log('closed'); }).catch((e) => 'final: ' + e.message + ' ' + open); }"),
    ("real-then-two-args-validate", "function main() { return ok(5).then((v) => { if (v > 3) throw new Error('too big'); return v; }, (e) => 'never').catch((e) => e.message); }"),
    ("if-else-both-return", "function pick(c) { if (c) { return ok(1).then(x => x + 1); } else { return fail('no').catch(e => e.message); } }\nfunction main() { return pick(true).then(a => pick(false).then(b => [a, b])); }"),
    ("nested-in-callback", "function withIt(a, cb) { return cb(a); }\nfunction main() { return withIt(5, p => { return ok(p).then(s => s * 2); }).then(n => n + 1); }"),
    ("nested-after-early-return", "function main() { return ok(0).then(n => { if (n) return n; return ok(n + 1).then(d => log(d) + 1); }); }"),
    ("var-only-in-handler", "function main() { return ok(2).then(x => { var y = x * 3; var z = y; log(typeof z); return z; }).then(v => v + 1); }"),
    ("declared-handler-shadowed", "function fmt(v) { log('fmt ' + v); return 'v' + v; }\nfunction main() { return ok(7).then(fmt).then(fmt => fmt.length).then((n) => [n, typeof fmt]); }"),
    ("declared-handler-shadowed-ts-style", "function fmt(v) { return [v]; }\nfunction main() { return ok(1).then((fmt) => fmt + 1).then(fmt).then(r => r.concat(fmt(2))); }"),
    ("recursion-promise-base-case", "function count(n) { if (n <= 0) return Promise.resolve(log('base ' + n)); return ok(n).then((v) => log(v)).then(() => count(n - 1)); }\nfunction main() { return count(3); }"),
    ("recursion-async-base-case", "async function done(n) { await sleep(1); return log('done ' + n); }\nfunction count(n) { if (n <= 0) return done(n); return ok(n).then((v) => count(v - 1)); }\nfunction main() { return count(2).then((r) => [r]); }"),
    ("real-delay-steps", "const delay = (ms) => new Promise((r) => setTimeout(r, ms));\nfunction main() { return delay(10).then(() => log('tick')).then(() => delay(5)).then(() => 'done'); }"),
]
# fmt: on


@pytest.mark.parametrize(("program"), [pytest.param(p, id=i) for i, p in SHAPES])
def test_equivalent(program: str) -> None:
    assert_equivalent(program)


def test_table_is_large_enough() -> None:
    assert len(SHAPES) >= 60
    assert len({i for i, _ in SHAPES}) == len(SHAPES)


def test_harness_detects_difference() -> None:
    # The harness itself must be able to fail: the naive then(a, b) -> try/catch rewrite
    # (what jscodeshift codemods emit) lets b catch a's error.
    original = "function main() { return ok(1).then(x => { throw new Error('a'); }, e => 'b'); }"
    naive = (
        "async function main() { try { const x = await ok(1); throw new Error('a'); }"
        " catch (e) { return 'b'; } }"
    )
    assert outcome(original)["outcome"] == {"error": "Error: a"}
    assert outcome(naive)["outcome"] == {"value": "b"}
