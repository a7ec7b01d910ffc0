"""What only Node.js runs, from Python through bridge.node(): Node built-ins (fs, http,
child_process, zlib, streams) and npm packages built on them (axios, node-fetch, ws), and an
ES-module-only package (p-map 7), each a realistic call with its result checked. HTTP goes to a
real local server started by the test."""

from __future__ import annotations

import gzip
import http.server
import json
import os
import shutil
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

import bridge

pytestmark = pytest.mark.skipif(
    not (os.environ.get("BRIDGE_NODE") or shutil.which("node")),
    reason="Node.js is not installed (not on PATH)",
)


@pytest.fixture(autouse=True)
def _installed(npm_packages: Path) -> None:
    assert (npm_packages / "axios").is_dir()


@pytest.fixture
async def node() -> AsyncIterator[Any]:
    async with bridge.node() as rt:
        yield rt


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"path": self.path, "agent": self.headers.get("User-Agent", "")})
        self._send(200, body.encode())

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        data = json.loads(self.rfile.read(length) or b"null")
        self._send(201, json.dumps({"got": data}).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_fs_promises_write_and_read_bytes(node: Any, tmp_path: Path) -> None:
    fs = await node.require("fs")
    target = str(tmp_path / "data.bin")
    payload = bytes(range(256)) * 4
    await fs.promises.writeFile(target, payload)
    assert (tmp_path / "data.bin").read_bytes() == payload
    assert await fs.promises.readFile(target) == payload
    assert await fs.promises.readFile(target, "latin1") == payload.decode("latin1")


async def test_axios_get_and_post_against_a_local_server(node: Any, server: str) -> None:
    axios = await node.require("axios")
    got = await axios.get(f"{server}/users/7", {"headers": {"User-Agent": "bridge-test"}})
    assert await got.status == 200
    assert await got.data.path == "/users/7"
    assert await got.data.agent == "bridge-test"
    posted = await axios.post(f"{server}/items", {"name": "ada", "n": 3})
    assert await posted.status == 201
    assert await posted.data.got.name == "ada"


async def test_node_fetch_json_against_a_local_server(node: Any, server: str) -> None:
    fetch = await node.require("node-fetch")
    response = await fetch(f"{server}/hello?x=1")
    assert await response.ok is True
    body = await response.json()  # JSON-like values come back by value
    assert body["path"] == "/hello?x=1"


async def test_ws_message_round_trip(node: Any) -> None:
    ws = await node.require("ws")
    echo = await node.eval(
        """async ({ WebSocketServer, WebSocket }, text) => {
            const server = new WebSocketServer({ port: 0 });
            await new Promise((r) => server.on('listening', r));
            server.on('connection', (s) => s.on('message', (m) => s.send('echo: ' + m)));
            const client = new WebSocket('ws://127.0.0.1:' + server.address().port);
            await new Promise((r) => client.on('open', r));
            const reply = new Promise((r) => client.on('message', (m) => r(String(m))));
            client.send(text);
            const got = await reply;
            client.close();
            await new Promise((r) => server.close(r));
            return got;
        }"""
    )
    assert await echo(ws, "hi from Python") == "echo: hi from Python"


async def test_child_process_exec_file(node: Any) -> None:
    util = await node.require("util")
    child_process = await node.require("child_process")
    run = await util.promisify(child_process.execFile)
    result = await run(sys.executable, ["-c", "print(6 * 7)"])
    assert result["stdout"].strip() == "42"  # a plain object: by value


async def test_zlib_gzip_bytes_decompress_in_python(node: Any) -> None:
    zlib = await node.require("zlib")
    text = "bridge " * 1000
    compressed = await zlib.gzipSync(text)
    assert isinstance(compressed, bytes) and len(compressed) < len(text)
    assert gzip.decompress(compressed).decode() == text


async def test_a_node_stream_is_consumed_with_async_for(node: Any) -> None:
    stream = await node.require("stream")
    readable = await (await node.eval("(s) => s.Readable.from(['a', 'b', 'c'])"))(stream)
    chunks = [chunk async for chunk in readable]
    assert chunks == ["a", "b", "c"]


async def test_an_es_module_only_package_through_import(node: Any) -> None:
    p_map = await node.import_("p-map")

    async def double(x: int) -> int:
        return x * 2

    result = await p_map.default([1, 2, 3, 4], double, {"concurrency": 2})
    assert list(result) == [2, 4, 6, 8]
