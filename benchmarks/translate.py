"""The translator against TypeScript's "Convert to async function" code fix, on one file.

A generated JavaScript file of 20,000 lines holding 2,000 promise-chain functions (four
shapes: then/catch/finally, then(a, b), nested chains, Promise.all with destructuring) is
translated by ``bridge.translate`` (median of 2 x REPEAT runs, called in-process, half of them
before the TypeScript run and half after it; a module this large is translated on two cores,
so its CPU time counts the forked child too) and, in the same run
(once: it takes about 20 s),
by the TypeScript language service: ``getCombinedCodeFix`` for fixId ``convertToAsyncFunction``
over the whole file, timed inside a small Node script (language-service setup and the fix
call; Node start-up and loading typescript are not counted). TypeScript is installed with
``npm install typescript`` into this benchmark's own temp folder (reused between runs); without
npm or node that column is skipped with a note.

Targets (issue 5): 20,000 lines in under 2 s; at least 10x faster than the TypeScript fix.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import bridge

CHAINS = 2_000
REPEAT = 3
TS_REPEAT = 1  # one TypeScript run takes ~20 s; the benchmark should stay near a minute
TS_DIR = os.path.join(tempfile.gettempdir(), "bridge-bench-typescript")

PRELUDE = """\
function load(id) { return Promise.resolve({ value: id }); }
function save(x) { return Promise.resolve(x); }
function log(x) { return x; }
function done(i) { return i; }
"""

# Each template is exactly 10 lines (9 + a blank line), so CHAINS of them make the line count.
TEMPLATES = [
    """\
function f{i}(id) {{
  return load(id)
    .then((x) => {{
      log(x);
      return x.value + {i};
    }})
    .catch((err) => log(err))
    .finally(() => done({i}));
}}
""",
    """\
function f{i}(id) {{
  return load(id)
    .then(
      (x) => save(x.value),
      (err) => log(err),
    )
    .then((saved) => saved + {i});
  // then(onFulfilled, onRejected)
}}
""",
    """\
function f{i}(id) {{
  return load(id).then((x) =>
    save(x).then((y) => {{
      log(y);
      return y.value * {i};
    }}),
  );
  // a nested chain, flattened
}}
""",
    """\
function f{i}(a, b) {{
  return Promise.all([load(a), load(b)])
    .then(([x, y]) => {{
      log(x);
      log(y);
      return x.value + y.value + {i};
    }})
    .catch(() => 0);
}}
""",
]

NODE_SCRIPT = r"""
const ts = require(require("path").join(process.argv[2], "node_modules", "typescript"));
const fs = require("fs");
const fileName = process.argv[3];
const text = fs.readFileSync(fileName, "utf8");
const options = { allowJs: true, checkJs: false, target: ts.ScriptTarget.ES2020, noEmit: true };
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
const host = {
  getScriptFileNames: () => [fileName],
  getScriptVersion: () => "1",
  getScriptSnapshot: (f) =>
    f === fileName ? ts.ScriptSnapshot.fromString(text)
    : fs.existsSync(f) ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, "utf8")) : undefined,
  getCurrentDirectory: () => process.cwd(),
  getCompilationSettings: () => options,
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  fileExists: ts.sys.fileExists,
  readFile: ts.sys.readFile,
  readDirectory: ts.sys.readDirectory,
};
const service = ts.createLanguageService(host, ts.createDocumentRegistry());
const fix = service.getCombinedCodeFix(
  { type: "file", fileName }, "convertToAsyncFunction", ts.getDefaultFormatCodeSettings(), {});
const t1 = process.hrtime.bigint();
const cpu = process.cpuUsage(c0);
let edits = 0;
for (const change of fix.changes) edits += change.textChanges.length;
const out = fix.changes.length ? ts.textChanges.applyChanges(text, fix.changes[0].textChanges) : "";
const converted = (out.match(/async function f\d+/g) || []).length;
console.log(JSON.stringify({
  seconds: Number(t1 - t0) / 1e9, cpu: (cpu.user + cpu.system) / 1e6, edits, converted }));
"""


def generate() -> str:
    body = "".join(TEMPLATES[i % len(TEMPLATES)].format(i=i) + "\n" for i in range(CHAINS))
    return PRELUDE + body


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (a large module is translated
    on two cores, the second half in a forked child): what Node's process.cpuUsage() counts
    for TypeScript's threads."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def time_bridge(source: str, runs: list[float], cpu: list[float]) -> int:
    """REPEAT timed runs of bridge.translate (wall and CPU seconds appended to runs and cpu);
    the number of functions it made async."""
    converted = 0
    for _ in range(REPEAT):
        start, start_cpu = time.perf_counter(), cpu_seconds()
        result = bridge.translate(source, filename="generated.js")
        runs.append(time.perf_counter() - start)
        cpu.append(cpu_seconds() - start_cpu)
        converted = result.code.count("async function f")
    return converted


def time_typescript(path: str) -> tuple[float, float, int] | str:
    """Wall and CPU seconds and converted functions for the TS fix, or why it was skipped."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        return "skipped: npm/node not found"
    os.makedirs(TS_DIR, exist_ok=True)
    if not os.path.exists(os.path.join(TS_DIR, "node_modules", "typescript")):
        proc = subprocess.run(
            [npm, "install", "--silent", "--no-audit", "--no-fund", "typescript@5"],
            cwd=TS_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode != 0:
            return f"skipped: npm install typescript failed ({proc.stderr.strip()[:80]})"
    script = os.path.join(TS_DIR, "fix.js")
    with open(script, "w") as f:
        f.write(NODE_SCRIPT)
    runs, cpu, converted = [], [], 0
    for _ in range(TS_REPEAT):
        proc = subprocess.run(
            [node, script, TS_DIR, path], capture_output=True, text=True, timeout=600
        )
        if proc.returncode != 0:
            return f"skipped: the TypeScript script failed ({proc.stderr.strip()[:80]})"
        data = json.loads(proc.stdout)
        runs.append(float(data["seconds"]))
        cpu.append(float(data["cpu"]))
        converted = int(data["converted"])
    return statistics.median(runs), statistics.median(cpu), converted


def main() -> None:
    source = generate()
    lines = source.count("\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "generated.js")
        with open(path, "w") as f:
            f.write(source)
        # bridge runs before and after TypeScript's: on a shared machine the speed drifts
        # over tens of seconds, and both sides should see the same conditions.
        runs: list[float] = []
        cpu: list[float] = []
        time_bridge(source, runs, cpu)
        theirs = time_typescript(path)
        ours_converted = time_bridge(source, runs, cpu)
        ours, ours_cpu = statistics.median(runs), statistics.median(cpu)
    ts = theirs if isinstance(theirs, tuple) else None
    note = theirs if isinstance(theirs, str) else "-"
    rows = [
        (
            f"translate {lines:,} lines, {CHAINS:,} chains: wall time",
            f"{ours:.2f} s",
            f"{ts[0]:.2f} s" if ts else note,
            f"{ts[0] / ours:.1f}x faster" if ts else "-",
        ),
        (
            "the same: CPU time (all processes, threads)",
            f"{ours_cpu:.2f} s",
            f"{ts[1]:.2f} s" if ts else "-",
            f"{ts[1] / ours_cpu:.1f}x less" if ts else "-",
        ),
        (
            "throughput (wall)",
            f"{lines / ours:,.0f} lines/s",
            f"{lines / ts[0]:,.0f} lines/s" if ts else "-",
            "",
        ),
        (
            "functions converted to async",
            f"{ours_converted:,} / {CHAINS:,}",
            f"{ts[2]:,} / {CHAINS:,}" if ts else "-",
            "",
        ),
    ]
    header = ("what was measured", "bridge.translate", "TypeScript convertToAsyncFunction", "ratio")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
    line = " | ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*header))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(line.format(*row))
    # On a shared machine wall time includes waiting for a CPU; CPU time is what the work
    # costs. Both are printed; the targets are checked on both.
    wall_ok = ours < 2.0 and (ts is None or ts[0] / ours >= 10)
    cpu_ok = ours_cpu < 2.0 and (ts is None or ts[1] / ours_cpu >= 10)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\ntargets (< 2 s, >= 10x the TS fix): wall {'met' if wall_ok else 'NOT met'}, "
        f"CPU {'met' if cpu_ok else 'NOT met'} "
        f"(load average {load:.1f} on {os.cpu_count()} CPUs during the run)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
