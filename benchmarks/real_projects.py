"""The translator on a real project: its chain calls and its own tests, before and after.

Usage (the project is a git checkout with its npm dependencies installed, outside this
repository; its working tree must be clean, as the script rewrites it and restores it):

    python benchmarks/real_projects.py PROJECT --dirs lib test \\
        --test "npx tap -J test/*.js --no-coverage -R tap" --reporter tap
    python benchmarks/real_projects.py PROJECT --dirs src test \\
        --test "npx mocha --require babel-register test/test.js -R json" --reporter mocha-json

It counts the ``.then/.catch/.finally`` calls of the JS files ``bridge translate`` walks in
those folders, runs the test command and records which tests pass, translates the folders
with ``bridge translate --write``, checks that a second run has nothing to change, counts and
tests again, prints one table row, and restores the tree (``git checkout``). The numbers in
docs/guides/translator.md were made this way (cacache 12.0.4, node-fetch 2.7.0).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys

from bridge._cli import main as bridge_main
from bridge._files import find_settings, walk
from bridge.translate._analyse import step_calls
from bridge.translate._parse import parse


def chain_calls(project: str, dirs: list[str]) -> tuple[int, int]:
    """(files, step calls) of the JS/TS files bridge walks under dirs."""
    files = calls = 0
    for d in dirs:
        top = os.path.join(project, d)
        for path in walk(top, find_settings(top)):
            with open(path, encoding="utf-8") as f:
                calls += len(step_calls(parse(f.read(), path)))
            files += 1
    return files, calls


def passing(project: str, command: str, reporter: str) -> tuple[set[str], int]:
    """The names of the tests that pass, and how many tests ran."""
    proc = subprocess.run(
        command, shell=True, cwd=project, capture_output=True, text=True, timeout=1800
    )
    if reporter == "mocha-json":
        data = json.loads(proc.stdout[proc.stdout.index("{") :])
        return {t["fullTitle"] for t in data["passes"]}, data["stats"]["tests"]
    results: dict[str, bool] = {}
    current = None
    for line in proc.stdout.splitlines():
        m = re.match(r"^(?:not )?ok \d+ - (\S+\.js)", line)
        if m:
            current = m.group(1)
            continue
        m = re.match(r"^    (not )?ok \d+ - (.*?)(?: # time=.*)?$", line)
        if m and current:
            results[f"{current} :: {m.group(2)}"] = m.group(1) is None
    return {k for k, ok in results.items() if ok}, len(results)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("project")
    ap.add_argument("--dirs", nargs="+", required=True)
    ap.add_argument("--test", required=True, help="the project's test command")
    ap.add_argument("--reporter", choices=("tap", "mocha-json"), required=True)
    args = ap.parse_args()
    project = os.path.abspath(args.project)
    paths = [os.path.join(project, d) for d in args.dirs]
    files, before_calls = chain_calls(project, args.dirs)
    before, total = passing(project, args.test, args.reporter)
    try:
        rewritten = bridge_main(["translate", "--write", "--quiet", *paths])
        again = bridge_main(["translate", "--check", "--quiet", *paths])
        _, after_calls = chain_calls(project, args.dirs)
        after, total_after = passing(project, args.test, args.reporter)
    finally:
        subprocess.run(["git", "checkout", "-q", "."], cwd=project, check=True)
    print("| project | files | chain calls before -> after | tests passing before -> after |")
    print(
        f"| {os.path.basename(project)} | {files} | {before_calls} -> {after_calls} | "
        f"{len(before)} of {total} -> {len(after)} of {total_after} |"
    )
    print(f"--write exit {rewritten}; a second --check exit {again} (0: nothing left to do)")
    lost = sorted(before - after)
    for name in lost:
        print(f"passed before, fails after: {name}")
    return 1 if lost or again else 0


if __name__ == "__main__":
    sys.exit(main())
