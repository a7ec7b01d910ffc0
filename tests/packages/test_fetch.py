"""fetch, Headers, Request and Response in the embedded engine (the whatwg-fetch polyfill from
npm on pythonmonkey's XMLHttpRequest), checked against Node 20's own fetch: the same script, the
same local HTTP server, the same results."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

SCRIPT = """
async (url) => {
    const out = {};
    const r = await fetch(url + '/json?x=1', { headers: new Headers({ 'X-Test': 'yes' }) });
    out.status = r.status;
    out.ok = r.ok;
    out.type = r.headers.get('content-type');
    out.bytes = (await r.clone().arrayBuffer()).byteLength;
    out.json = await r.json();
    const posted = await fetch(new Request(url + '/echo', { method: 'POST', body: 'hello' }));
    out.posted = [posted.status, await posted.text()];
    const missing = await fetch(url + '/missing');
    out.missing = [missing.status, missing.ok, await missing.text()];
    const controller = new AbortController();
    const slow = fetch(url + '/slow', { signal: controller.signal });
    controller.abort();
    try { await slow; out.aborted = 'no'; } catch (e) { out.aborted = e.name; }
    const made = new Response('{"a": [1, 2]}', { status: 202, headers: { 'X-Made': 'm' } });
    out.made = [made.status, made.headers.get('x-made'), await made.json()];
    return JSON.stringify(out);
}
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(1)
        if self.path == "/missing":
            self._send(404, b"not here", "text/plain")
            return
        body = json.dumps({"path": self.path, "header": self.headers.get("X-Test")})
        self._send(200, body.encode(), "application/json")

    def do_POST(self) -> None:
        data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._send(201, data.upper(), "text/plain")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _embedded(url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    code = textwrap.dedent(
        f"""
        import bridge
        async def main():
            print(await bridge.eval({SCRIPT!r})({url!r}))
        bridge.run(main())
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, env=env, timeout=60
    )


def test_fetch_behaves_as_in_node(npm_packages: Path, server: str) -> None:
    assert (npm_packages / "whatwg-fetch").is_dir()
    embedded = _embedded(server, HERE)
    assert embedded.returncode == 0, embedded.stderr
    got = json.loads(embedded.stdout)
    assert got["json"] == {"path": "/json?x=1", "header": "yes"}
    assert got["posted"] == [201, "HELLO"]
    assert got["aborted"] == "AbortError"
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the comparison with Node is skipped")
    check = f"({SCRIPT})({json.dumps(server)}).then((s) => console.log(s))"
    expected = subprocess.run(
        [node, "-e", check], capture_output=True, text=True, timeout=60, check=True
    )
    assert got == json.loads(expected.stdout)


def test_without_the_polyfill_fetch_says_what_to_install(tmp_path: Path, server: str) -> None:
    result = _embedded(server, tmp_path)
    assert result.returncode == 1
    assert "`npm install whatwg-fetch` next to your script" in result.stderr
