// Web globals checked the same way in Node 20 and in the embedded engine (tests/test_web_globals.py).
// The completion value is the JSON of what each check gave.
const out = [];
out.push(typeof global, global === globalThis);
const te = new TextEncoder(); const bytes = te.encode('héllo €');
out.push(Array.from(bytes).join(','), bytes instanceof Uint8Array);
out.push(new TextDecoder().decode(bytes), new TextDecoder().decode(new Uint8Array([0xff, 0x41])));
out.push(new TextDecoder('utf-16le').decode(new Uint8Array([0x41, 0, 0x42, 0])));
const r = crypto.getRandomValues(new Uint32Array(4)); out.push(r.length, r instanceof Uint32Array);
out.push(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
const c = structuredClone({a: [1, {b: new Date(0)}], m: new Map([[1, 2]])});
out.push(c.a[1].b instanceof Date, c.m.get(1));
out.push(typeof performance.now(), performance.now() >= 0);
try { crypto.getRandomValues(new Float64Array(1)); } catch (e) { out.push(e.name); }
try { new TextDecoder('nope'); } catch (e) { out.push(e.name); }
out.push(typeof process.env.PATH, process.env.PATH === undefined ? '' : process.env.PATH.length > 0);
out.push(process.platform, process.cwd(), typeof process.nextTick, require('process') === process);
out.push(process.hrtime().length, typeof process.hrtime.bigint());
JSON.stringify(out)
