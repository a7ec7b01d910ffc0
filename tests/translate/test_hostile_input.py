"""The translator on hostile input: broken or odd JS, odd characters, huge files.

Whatever the input, the answer is a translation or a located ``TranslationError`` (a
``path:line:col:`` diagnostic and exit 2 from the CLI): never a traceback, never an
"internal error", never a silent success on what JavaScript itself rejects.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bridge
from bridge.translate._parse import _LineTable, parse

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="needs Node.js")

SEED = """\
function load(url) {
  return fetch(url).then(r => r.json()).then(data => {
    console.log(`got ${data.length} items`);
    return data.map(x => x * 2);
  }).catch(err => { console.error(err); return []; }).finally(() => done());
}
const p = Promise.all([load("a"), load('b')]).then(([a, b]) => a.concat(b));
class Store {
  constructor(db) { this.db = db; }
  get(id) { return this.db.find({ id }).then(rows => rows[0] ?? null); }
  static of(x) { return new Store(x); }
}
async function run(items, { retries = 2 } = {}) {
  for (const k of [1, 2, 3]) { await load(k); }
  let i = 0;
  while (i < 3) { i += 1; if (i === 2) continue; }
  try { await p; } catch (e) { throw new Error("bad: " + e.message); }
  const f = async (x) => (await get(x)) || [];
  return /ab+c/gi.test("abbc") ? { ok: true, n: 0x1f, s: [..."abc"], f } : null;
}
run().then(() => done());
"""

_TOKEN = re.compile(
    r"\s+|[A-Za-z_$][\w$]*|\d+|\"[^\"]*\"|'[^']*'|`[^`]*`|/[^/\n]+/[a-z]*"
    r"|=>|===|\?\?|\.\.\.|[^\sA-Za-z0-9]"
)
_INSERTS = [*"(){}[];,.=+-*/<>!?:`'\"", "=>", "async", "await", "function", "class", "new"]
_INSERTS += ["let", "static", "with", "delete", "017", "label:", '"\\01"']


# A module (strict code): what is an error only in strict code must be found here.
MODULE_SEED = """\
import { get } from "./db.js";
export const ids = [1, 2, 3];
export default function load(items, { retries = 2 } = {}) {
  let count = 0;
  const cache = { items, static: true };
  return get("/items").then((rows) => {
    count += rows.length;
    return rows.filter((r) => r.id !== 0o17 && r.name !== "a\\x01");
  }).catch(function (err) { console.error(err, count); return []; });
}
"""


def mutants(count: int, seed: int, source: str = SEED) -> list[str]:
    """count copies of source, each with one token deleted, doubled, inserted or swapped."""
    tokens = _TOKEN.findall(source)
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        t = list(tokens)
        j = rnd.randrange(len(t))
        op = rnd.randrange(4)
        if op == 0:
            del t[j]
        elif op == 1:
            t.insert(j, t[j])
        elif op == 2:
            t.insert(j, rnd.choice(_INSERTS))
        else:
            k = min(j + 1, len(t) - 1)
            t[j], t[k] = t[k], t[j]
        out.append("".join(t))
    return out


# Node compiles each source as CommonJS (what `node --check file.js` does) and as an ES
# module (`node --check file.mjs`), all in one process.
_NODE_CHECK = r"""
const vm = require("node:vm");
const sources = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const params = ["exports", "require", "module", "__filename", "__dirname"];
process.stdout.write(JSON.stringify(sources.map((src) => {
  let script = true, module = true;
  try { vm.compileFunction(src, params); } catch { script = false; }
  try { new vm.SourceTextModule(src); } catch { module = false; }
  return script || module;
})));
"""


def node_accepts(sources: list[str]) -> list[bool]:
    assert NODE is not None
    proc = subprocess.run(
        [NODE, "--experimental-vm-modules", "--no-warnings", "-e", _NODE_CHECK],
        input=json.dumps(sources),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    verdicts: list[bool] = json.loads(proc.stdout)
    return verdicts


@needs_node
def test_mutants_are_rejected_exactly_when_node_rejects_them() -> None:
    # What Node rejects both as a script and as a module must be a syntax error; what it
    # accepts either way must translate. (tree-sitter's grammar accepts some of the first.)
    sources = [SEED, MODULE_SEED, *mutants(300, seed=1), *mutants(300, 2, MODULE_SEED)]
    wrong = []
    for src, ok in zip(sources, node_accepts(sources), strict=True):
        ours = parse(src).syntax_problem() is None
        if ours != ok:
            wrong.append(("accepted" if ours else "rejected", src))
    assert wrong == [], f"{len(wrong)} disagree with node, first: {wrong[0]}"
    assert any(not ok for ok in node_accepts(sources[1:50]))  # the corpus has both kinds


EARLY_ERRORS = [
    # (source, line, column of the error)
    ("async function f() {\n  await ;\n}\n", 2, 3),
    ("function f() {\n  return await g();\n}\n", 2, 10),
    ("const o = { a: 1,, b: 2 };\n", 1, 17),
    ("f(, a);\n", 1, 3),
    ("let { a,, b } = o;\n", 1, 8),
    ("function () {}\n", 1, 1),
    ("x;\nclass {}\n", 2, 1),
    ("async function () {}\n", 1, 1),
    ("function () {}();\n", 1, 1),
    ("const g = !r => r;\n", 1, 12),
    ("const g = a + r => r;\n", 1, 15),
    ("const re = /ab+c/gitest;\n", 1, 18),
    ("const re = /a/gg;\n", 1, 15),
    ("function f() { for await (const x of xs) {} }\n", 1, 20),
    # a module is strict code
    ('import a from "a";\nwith (a) {}\n', 2, 1),
    ("export const x = 017;\n", 1, 18),
    ('export const s = "\\01";\n', 1, 19),
    ("export let static = 1;\n", 1, 12),
    ("export function f() { delete x; }\n", 1, 30),
    ("export const x = 1;\nlabel: function g() {}\n", 2, 8),
    ("export const x = 1;\nconst await = 2;\n", 2, 7),
]


@pytest.mark.parametrize(("source", "line", "column"), EARLY_ERRORS)
def test_what_tree_sitter_lets_through_is_a_located_syntax_error(
    source: str, line: int, column: int
) -> None:
    for to in ("js", "python"):
        with pytest.raises(bridge.TranslationError) as info:
            bridge.translate(source, to=to)  # type: ignore[arg-type]
        assert (info.value.rule, info.value.line, info.value.column) == ("syntax", line, column)


VALID_LOOKALIKES = [
    "function f() { const await = 1; return await; }\n",  # a name outside async code
    "const s = 'await ; function () {} /a/gg {a,,b}';\n// async function () {}\n",
    "export default function () {}\nconst c = class {};\n",
    "(function () {})();\n(async function () {})();\nx = [a,, b];\n",
    "const g = !((r) => r), h = a + ((r) => r);\nconst re = /a/dgimsuy;\n",
    "for await (const x of xs) {}\nawait g();\n",  # top-level await (a module)
    "async function f() { for await (const x of xs) {} }\nf(a, b,);\n",
    "const o = { async: 1, class: 2, function: 3 };\nasync();\n",
    # a script (no import/export) is sloppy code
    'var let = 017, static = "\\01";\nwith (o) { delete x; }\nlabel: function g() {}\n',
]


@needs_node
def test_valid_lookalikes_still_translate() -> None:
    assert all(node_accepts(VALID_LOOKALIKES))
    for source in VALID_LOOKALIKES:
        assert parse(source).syntax_problem() is None, source


def test_lone_surrogate_is_a_located_error_not_a_unicode_error() -> None:
    for to in ("js", "python"):
        with pytest.raises(bridge.TranslationError) as info:
            bridge.translate('const a = 1;\nconst s = "x\ud800";\n', to=to)  # type: ignore[arg-type]
        assert (info.value.rule, info.value.line, info.value.column) == ("encoding", 2, 13)
        assert "U+D800" in info.value.message


LITERALS = ["\\0", "\\x00", "\\x01", "\\x1b", "\\x7f", "\\b\\f\\v", "\\u0085", "\\u2028"]
LITERALS += ["\\u{1F600}", "é{}\\\\", "a\\tb", "\\ud83d\\ude00", '\\"', "\\x00\\x00", "\\x1c\\x1e"]


@needs_node
def test_escapes_in_strings_and_templates_translate_to_python_that_prints_the_same(
    tmp_path: Path,
) -> None:
    # Every JS escape, in a plain string, a template with a substitution and one without:
    # the Python module parses and prints what Node prints.
    lines = ["const n = 1;"]
    for lit in LITERALS:
        tl = lit.replace('\\"', '"')
        lines += [f'console.log("{lit}");', f"console.log(`{tl}${{n}}`);", f"console.log(`{tl}`);"]
    js = tmp_path / "lits.js"
    js.write_text("\n".join(lines) + "\n")
    code = bridge.translate(js.read_text(), to="python").code
    py = tmp_path / "lits.py"
    py.write_text(code, encoding="utf-8")
    assert NODE is not None
    node = subprocess.run([NODE, str(js)], capture_output=True, timeout=60, check=True)
    ours = subprocess.run(
        [sys.executable, str(py)],
        capture_output=True,
        timeout=60,
        check=True,
        env={"PYTHONIOENCODING": "utf-8", "PATH": "/usr/bin:/bin"},
    )
    assert ours.stdout == node.stdout


def test_lone_surrogate_escape_becomes_a_python_escape() -> None:
    code = bridge.translate('const n = 1;\nconsole.log("\\ud800", `\\udc00${n}`);\n', to="python")
    assert "\\ud800" in code.code and "\\udc00" in code.code
    code.code.encode("utf-8")  # the module can be written out
    compile(code.code, "lits.py", "exec")


def test_positions_count_characters_across_table_strides() -> None:
    rnd = random.Random(3)
    text = "".join(rnd.choice(["a", "é", "😀", "\n", "中"]) for _ in range(200_000))
    data = text.encode()
    table = _LineTable(data)
    for byte in [*sorted(rnd.sample(range(len(data)), 300)), 0, len(data)]:
        while byte < len(data) and 0x80 <= data[byte] < 0xC0:
            byte += 1  # positions are asked for at character starts
        line_start = data.rfind(b"\n", 0, byte) + 1
        expected = (data.count(b"\n", 0, byte) + 1, len(data[line_start:byte].decode()) + 1)
        assert table.position(byte) == expected


def test_word_lookups_past_the_scan_limit_agree_with_scanning() -> None:
    # A long chain asks for thousands of fresh names: past a few, the words are collected
    # once instead of the source being scanned for each; both must answer the same.
    from bridge.translate._analyse import _WORD_SCANS, Index, _has_word

    source = "const a = b.value2 + 2value3 + é4value4 + x_value5;\n// value6 $value7 value8$\n"
    index = Index(parse(source))
    names = [f"value{i}" for i in range(2 * _WORD_SCANS)] + ["a", "b", "x_value5", "x"]
    for name in names:
        assert index.is_word(name) is _has_word(source.encode(), name.encode()), name
    assert index._words is not None


def test_long_chain_and_many_diagnostics_take_linear_time() -> None:
    # Both were quadratic: a 10,000-step chain (a query matched across each receiver, a
    # source scan per fresh name) and one position rescan of the text per diagnostic.
    import time

    def seconds(source: str) -> float:
        start = time.perf_counter()
        bridge.translate(source)
        return time.perf_counter() - start

    def chain(n: int) -> str:
        steps = "".join(f"\n    .then(x => x + {i})" for i in range(n))
        return "function f() {\n  return get()" + steps + ";\n}\n"

    def stored(n: int) -> str:  # one eager-start diagnostic each
        return "".join(f"const p{i} = get().then(x => x);\n" for i in range(n))

    for make in (chain, stored):
        small, large = seconds(make(500)), seconds(make(4000))
        assert large < 8 * small * 2.5, (make.__name__, small, large)  # 8x the size
