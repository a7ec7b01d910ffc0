"""Every Python example in README.md and docs/ runs as written, and prints what the page shows.

The convention the pages follow:

* each ```` ```python ```` block is a standalone script, run in a fresh temporary directory
  (60 s at most);
* a block with a title (```` ```js title="counter.js" ````) is written to that file name in the
  temporary directory first, so the page's scripts can use it (a titled python block is
  written and also run);
* a ```` ```text title="output" ```` block right after a python block is what that script
  prints (compared line by line, trailing spaces ignored);
* ``<!-- norun -->`` on the line before a python fence leaves that block out (fragments that
  cannot run alone);
* the npm packages of tests/packages, when installed there, are resolvable as from a project
  folder (``node_modules`` is linked into the temporary directory).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import bridge

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PACKAGES = ROOT / "tests" / "packages" / "node_modules"
TIMEOUT = 60

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
_TITLE = re.compile(r"""\btitle=(?:"([^"]*)"|'([^']*)'|(\S+))""")
_NORUN = "<!-- norun -->"


@dataclass
class Block:
    lang: str
    title: str | None
    code: str
    line: int  # 1-based line of the opening fence
    norun: bool = False
    output: str | None = None  # the ```text title="output"``` block right after it


@dataclass
class Page:
    path: Path
    blocks: list[Block] = field(default_factory=list)

    @property
    def files(self) -> dict[str, str]:
        return {b.title: b.code for b in self.blocks if b.title and b.title != "output"}

    @property
    def scripts(self) -> list[Block]:
        return [b for b in self.blocks if b.lang == "python" and not b.norun]


def parse(text: str, path: Path = Path("<text>")) -> Page:
    """The fenced blocks of a Markdown page, with the conventions above applied."""
    lines = text.splitlines()
    page = Page(path)
    i = 0
    previous: Block | None = None
    previous_end = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m["indent"], m["fence"], m["info"].strip()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines):
            close = lines[i].strip()
            if close.startswith(fence[0] * len(fence)) and not close.strip(fence[0]):
                break
            line = lines[i]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1
        lang = info.split()[0].lstrip(".").lower() if info else ""
        t = _TITLE.search(info)
        title = next(g for g in t.groups() if g is not None) if t else None
        before = next((s.strip() for s in reversed(lines[:start]) if s.strip()), "")
        block = Block(lang, title, "\n".join(body) + "\n", start + 1, norun=before == _NORUN)
        if lang == "text" and title == "output" and previous is not None:
            between = lines[previous_end:start]
            if not any(s.strip() for s in between):
                previous.output = block.code
        page.blocks.append(block)
        previous = block if lang == "python" else None
        previous_end = i
    return page


def _params() -> list[object]:
    params: list[object] = []
    for path in PAGES:
        page = parse(path.read_text(encoding="utf-8"), path)
        for block in page.scripts:
            rel = path.relative_to(ROOT)
            params.append(pytest.param(page, block, id=f"{rel}:{block.line}"))
    return params


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # The package as this test run imports it (installed, or the source tree on PYTHONPATH).
    home = str(Path(bridge.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [home, env.get("PYTHONPATH")]))
    env.pop("PYTHONSTARTUP", None)
    return env


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


@pytest.mark.parametrize(("page", "block"), _params())
def test_doc_example_runs(page: Page, block: Block, tmp_path: Path, npm_packages: Path) -> None:
    for name, code in page.files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(code, encoding="utf-8")
    if PACKAGES.is_dir():
        (tmp_path / "node_modules").symlink_to(PACKAGES, target_is_directory=True)
    script = tmp_path / (block.title or f"example_{block.line}.py")
    script.write_text(block.code, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, script.name],
        cwd=tmp_path,
        env=_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    where = f"{page.path.relative_to(ROOT)}:{block.line}"
    assert proc.returncode == 0, f"{where} exited {proc.returncode}:\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, f"{where} printed a traceback:\n{proc.stderr}"
    if block.output is not None:
        shown, printed = _normal(block.output), _normal(proc.stdout)
        assert printed == shown, f"{where}: printed\n{printed}\n--- the page shows\n{shown}"


def test_readme_examples_are_collected() -> None:
    # An empty collection would pass silently: the front page must hold runnable examples.
    readme = parse((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(readme.scripts) >= 3
    assert any(b.output is not None for b in readme.scripts)


SAMPLE = """\
# A page

```js title="counter.js"
exports.n = 1;
```

```python
print(open("counter.js").read().strip())
```

```text title="output"
exports.n = 1;
```

<!-- norun -->
```python
await something()
```

1. In a list:

    ```python title="tool.py"
    print("indented")
    ```
"""


def test_the_convention_itself() -> None:
    page = parse(SAMPLE)
    assert page.files == {"counter.js": "exports.n = 1;\n", "tool.py": 'print("indented")\n'}
    first, skipped, indented = (b for b in page.blocks if b.lang == "python")
    assert first.output == "exports.n = 1;\n"
    assert skipped.norun and not first.norun and not indented.norun
    assert indented.code == 'print("indented")\n'
    assert page.scripts == [first, indented]


def test_output_must_follow_its_block_directly() -> None:
    page = parse('```python\nprint(1)\n```\n\nSome words.\n\n```text title="output"\n1\n```\n')
    assert page.scripts[0].output is None


def test_readme_is_a_front_page() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 150
    assert "pip install promise-bridge" in text
    assert "python3 -m pip install nox && python3 -m nox -s demo" in text
    assert "python3 -m pip install nox && python3 -m nox " in text


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_pages_stand_alone(path: Path) -> None:
    # The docs describe the project itself: no working notes or trackers it does not ship.
    text = path.read_text(encoding="utf-8")
    for outside in ("DESIGN.md", "the issue", "issue #"):
        assert outside not in text, f"{path.name} mentions {outside!r}"
