"""``bridge.node()``: a Node.js child process behind the ``bridge.Runtime`` interface.

The model is playwright-python's transport: one process, length-prefixed frames over a
socketpair (Node is told its fd; its stdout stays the user's), a protocol resolving pending
futures by request id as each frame arrives, so calls pipeline. A frame is ``u32 total,
u32 JSON length, JSON, blobs``: bytes travel raw in the blobs, never as base64. JSON-like
values cross by value; other JS values come back as handle proxies (``Ref``), Python objects
go to JS as handles too, and both sides free handles when the other side's proxy is
collected (weakref finalizers here, a FinalizationRegistry in Node), counting sends so that a
handle in flight is never freed.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import inspect
import math
import os
import shutil
import signal as _signal
import socket
import struct
import sys
import traceback
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from .._exceptions import (
    ERROR_KINDS,
    BridgeError,
    JSAggregateError,
    JSError,
    JSRejection,
    ModuleNotFound,
    RuntimeGone,
)
from .._proxy import Ref
from .._proxy import new as _new
from .._runtime import RuntimeBase
from .._unhandled import report
from . import _frames
from ._transport import LENGTH, FrameProtocol

__all__ = ["NodeRuntime", "node"]

MIN_NODE = 18
T = "\x00"
_HEAD = struct.Struct(">II")
_MAX_SAFE = 2**53
_CALLS = ("call", "new")


def _host_script() -> Path:
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_js" / "node" / "host.js", here.parent / "js" / "node" / "host.js"):
        if candidate.is_file():
            return candidate
    raise BridgeError(f"bridge's Node host script is missing (looked beside {here})")


def _die_with_parent() -> None:
    # Linux: the kernel kills Node when Python dies, even by SIGKILL (PR_SET_PDEATHSIG = 1).
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, _signal.SIGKILL)


def _caller_file(depth: int = 2) -> str:
    """The Python file calling require/import_ (``<cwd>/<python>`` if none, as at a prompt):
    Node resolves from its folder and names it when nothing is found."""
    caller = sys._getframe(depth).f_globals.get("__file__")
    return str(Path(caller).resolve()) if caller else os.path.join(os.getcwd(), "<python>")


_CHUNK = 256  # frames (and blobs) that go out together within one busy turn of the loop


def _nothing_waits(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether no other callback is ready to run in this turn of the loop. asyncio's own
    loops keep them in ``_ready``; on another loop (uvloop) the answer is no, always."""
    ready = getattr(loop, "_ready", None)
    return ready is not None and not ready


class NodeRuntime(RuntimeBase):
    """Node.js in a child process as a ``bridge.Runtime``; start it with ``async with``."""

    name = "node"

    def __init__(
        self,
        *,
        node: str = "node",
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._node = node
        self._cwd = None if cwd is None else os.fspath(cwd)
        self._env = None if env is None else dict(env)
        self._proc: asyncio.subprocess.Process | None = None
        self._writer: asyncio.Transport | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._outbox: list[bytes] = []
        self._turn_open = False
        self._next = 1
        self._gone: RuntimeGone | None = None
        self._stderr: collections.deque[str] = collections.deque(maxlen=20)
        # JS handles: id -> live proxy, and how many times Node sent each id (freed by count).
        self._proxies: weakref.WeakValueDictionary[int, Ref] = weakref.WeakValueDictionary()
        self._received: dict[int, int] = {}
        self._to_free: list[list[int]] = []
        # Python objects held by Node: pyid -> [object, sends]; id(object) -> pyid.
        self._py: dict[int, list[Any]] = {}
        self._py_ids: dict[int, int] = {}
        self._next_py = 1
        self._signals: weakref.WeakKeyDictionary[asyncio.Task[Any], int] = (
            weakref.WeakKeyDictionary()
        )
        self._next_signal = 1
        self.version = ""

    # --- lifecycle ---

    async def start(self) -> NodeRuntime:
        if self._proc is not None:
            return self
        exe = self._find_node()
        if self._cwd is not None and not os.path.isdir(self._cwd):
            raise BridgeError(f"cannot start Node.js in {self._cwd}: no such directory")
        self._loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair()
        try:
            self._proc = await asyncio.create_subprocess_exec(
                exe,
                str(_host_script()),
                str(theirs.fileno()),
                stdin=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                pass_fds=(theirs.fileno(),),
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                cwd=self._cwd,
                env=self._env,
            )
        except OSError as exc:
            ours.close()
            raise BridgeError(f"cannot start Node.js ({exe}): {exc}") from None
        finally:
            theirs.close()
        hello: asyncio.Future[Any] = self._loop.create_future()
        self._pending[0] = hello
        self._writer, _ = await self._loop.create_unix_connection(
            lambda: FrameProtocol(self._on_frame, self._on_lost), sock=ours
        )
        self._tasks = [asyncio.ensure_future(self._read_stderr())]
        try:
            info = await asyncio.wait_for(hello, 30)
        except BaseException:
            await self.close()
            raise
        self.version = info["node"]
        if int(self.version.split(".")[0]) < MIN_NODE:
            await self.close()
            raise BridgeError(
                f"Node.js {self.version} at {exe} is too old: bridge needs {MIN_NODE} or later"
            )
        return self

    def _find_node(self) -> str:
        """The node executable: ``node`` as given (a path, or a name looked up on PATH); the
        default ``"node"`` may be overridden by the ``BRIDGE_NODE`` environment variable."""
        wanted = self._node
        if wanted == "node" and os.environ.get("BRIDGE_NODE"):
            wanted = os.environ["BRIDGE_NODE"]
        if os.sep in wanted:
            return wanted  # a path: start() says clearly if nothing runs there
        found = shutil.which(wanted)
        if not found:
            raise BridgeError(
                f"Node.js was not found: no {wanted!r} on PATH. Install Node.js {MIN_NODE} or "
                "later, or pass bridge.node(node=...) the path of the node executable"
            )
        return found

    async def close(self) -> None:
        if self._proc is None or (self._gone is not None and self._proc.returncode is not None):
            return
        if self._gone is None:
            self._fail_all(RuntimeGone("the Node runtime was closed"))
        if self._writer is not None:
            self._write_out()  # what was sent in this turn still goes
            self._writer.close()
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            await asyncio.wait_for(self._proc.wait(), 5)
        except asyncio.TimeoutError:
            self._proc.kill()
            await self._proc.wait()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- the Runtime interface (each returns a lazy Ref: await it) ---

    def eval(self, code: str, *, filename: str = "<eval>") -> Any:
        return Ref(self, ("eval", code, filename))

    def require(self, spec: str) -> Any:
        # As Node resolves from the calling file: ./x beside it, bare names in node_modules
        # folders upward from it, then from the current directory.
        return Ref(self, ("require", spec, _caller_file(), self._base()))

    def import_(self, spec: str) -> Any:
        return Ref(self, ("import", spec, _caller_file(), self._base()))

    def _base(self) -> str:
        """Where a bare name not found from the calling file is looked up: Node's cwd."""
        return self._cwd if self._cwd is not None else os.getcwd()

    @property
    def globals(self) -> Any:
        return Ref(self, ("global",))

    def expose(self, name: str, obj: Any) -> Any:
        self.assign(Ref(self, ("global",)), name, obj)
        return obj

    def new(self, cls: Any) -> Callable[..., Awaitable[Any]]:
        if not isinstance(cls, Ref):
            raise TypeError(f"rt.new() takes a JS value of this runtime, not {cls!r}")
        return _new(cls)  # type: ignore[no-any-return]

    def signal(self) -> Any:
        task = asyncio.current_task()
        if task is None:
            raise BridgeError("rt.signal() needs a running asyncio task (call it from async code)")
        sid = self._signals.get(task)
        if sid is None:
            sid = self._signals[task] = self._next_signal
            self._next_signal += 1
            self._send({"op": "signal", "sid": sid}, [])
            task.add_done_callback(self._task_done)
        return Ref(self, ("signal", sid))

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        sid = self._signals.pop(task, None)
        if sid is not None and self._gone is None:
            self._send({"op": "abort", "sid": sid, "cancelled": task.cancelled()}, [])

    def _collect(self) -> Any:
        """A full GC in Node, and a turn for its FinalizationRegistry callbacks (for tests)."""
        return Ref(self, ("gc",))

    # --- the proxy backend ---

    def resolve(self, ref: Ref) -> asyncio.Future[Any]:
        return self._request(self._chain("run", ref))

    async def iterate(self, ref: Ref) -> AsyncIterator[Any]:
        iterator = await ref._bridge_then(("iter",))
        while True:
            done, value = await self._request({"op": "next", "it": iterator._bridge_root[1]})
            if done:
                return
            yield value

    def assign(self, ref: Ref, name: str, value: Any, *, delete: bool = False) -> None:
        # Fire and forget, ordered with later messages; a failure is reported as unhandled.
        msg = self._chain("set", ref)
        msg.update({"name": name, "del": delete})
        blobs: list[bytes] = []
        msg["value"] = None if delete else self._encode(value, blobs)
        self._send(msg, blobs)

    def _own(self, ref: Ref) -> None:
        if ref._bridge_backend is not self:
            raise BridgeError("a JS value of another runtime was used on this Node runtime")

    def _chain(self, op: str, ref: Ref) -> dict[str, Any]:
        """A message op about ref: its root and operations (encoded by _send)."""
        self._own(ref)
        return {"op": op, "root": ref._bridge_root, "ops": ref._bridge_ops}

    # --- wire ---

    def _check(self) -> None:
        if self._gone is not None:
            raise self._gone
        if self._writer is None:
            raise BridgeError("the Node runtime is not started: use `async with bridge.node()`")

    def _send(self, msg: dict[str, Any], blobs: list[bytes]) -> None:
        self._check()
        if "ops" in msg:
            msg["ops"] = self._encode_ops(msg["ops"], blobs)
        blob_bytes = 0
        if blobs:  # (a call's frame has none: no list to make)
            msg["sizes"] = sizes = [len(b) for b in blobs]
            blob_bytes = sum(sizes)
        data = _frames.dumps(msg)
        head = _HEAD.pack(4 + len(data) + blob_bytes, len(data)) + data
        # Frames sent while other callbacks wait their turn go out together once they ran: a
        # send() costs tens of microseconds, so 10,000 concurrent calls were mostly system
        # calls. A frame sent when nothing else waits goes out at once, with no callback to
        # flush it (that callback cost each sequential call one more turn of the loop).
        assert self._writer is not None and self._loop is not None
        if not self._turn_open and _nothing_waits(self._loop):
            self._writer.write(head)
            for b in blobs:
                self._writer.write(b)
            return
        self._outbox.append(head)
        self._outbox.extend(blobs)
        if not self._turn_open:
            self._turn_open = True
            self._loop.call_soon(self._write_out)
        elif len(self._outbox) >= _CHUNK:
            # Node starts on these while the rest of the turn is still sending (it runs on
            # the other core): a turn of 10,000 calls went out as one write at its end.
            self._write_outbox()

    def _write_outbox(self) -> None:
        """Write what the outbox holds, in one write."""
        outbox, self._outbox = self._outbox, []
        if outbox and self._writer is not None and not self._writer.is_closing():
            self._writer.write(outbox[0] if len(outbox) == 1 else b"".join(outbox))

    def _write_out(self) -> None:
        """The end of a busy turn: its frames go, and the next frame starts a turn."""
        self._turn_open = False
        self._write_outbox()

    def _request(self, msg: dict[str, Any]) -> asyncio.Future[Any]:
        """Send ``msg`` and return the future of its answer. A function, not a coroutine: a
        pending call holds only its future (10,000 pending coroutines and their messages made
        the garbage collector's passes a third of a concurrent call's time)."""
        self._check()
        assert self._loop is not None
        rid = self._next
        self._next += 1
        msg["id"] = rid
        fut = self._loop.create_future()
        self._pending[rid] = fut
        try:
            self._send(msg, [])
        except BaseException:
            del self._pending[rid]
            raise
        return fut

    def _on_frame(self, frame: memoryview) -> None:
        (jlen,) = LENGTH.unpack_from(frame)
        msg = _frames.loads(frame[4 : 4 + jlen])
        blobs, at = [], 4 + jlen
        for size in msg.get("sizes", ()):
            blobs.append(bytes(frame[at : at + size]))
            at += size
        self._dispatch(msg, blobs)

    def _on_lost(self) -> None:
        self._tasks.append(asyncio.ensure_future(self._ended()))

    async def _read_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        async for line in self._proc.stderr:
            text = line.decode(errors="replace")
            self._stderr.append(text.rstrip("\n"))
            sys.stderr.write(text)

    async def _ended(self) -> None:
        if self._gone is not None or self._proc is None:
            return
        try:
            code = await asyncio.wait_for(self._proc.wait(), 5)
        except asyncio.TimeoutError:
            code = None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._tasks[0], 1)
        sig = -code if code is not None and code < 0 else None
        how = f"killed by signal {sig}" if sig else f"exit code {code}"
        self._fail_all(
            RuntimeGone(
                f"the Node process ended ({how})",
                returncode=code,
                signal=sig,
                stderr="\n".join(self._stderr),
            )
        )

    def _fail_all(self, gone: RuntimeGone) -> None:
        self._gone = gone
        pending, self._pending = self._pending, {}
        for fut in pending.values():
            if not fut.done():
                fut.set_exception(gone)

    def _dispatch(self, msg: dict[str, Any], blobs: list[bytes]) -> None:
        if "re" in msg:
            fut = self._pending.pop(msg["re"], None)
            if fut is None or fut.done():
                return
            if "err" in msg:
                fut.set_exception(self._error(msg["err"], blobs))
            else:
                try:
                    fut.set_result(self._decode(msg["ok"], blobs))
                except BaseException as exc:  # pragma: no cover - a decoding bug
                    fut.set_exception(exc)
            return
        op = msg["op"]
        if op == "hello":
            fut = self._pending.pop(0)
            fut.set_result(msg)
        elif op == "call":
            self._call_python(msg, blobs)
        elif op == "pyfree":
            entry = self._py.get(msg["id"])
            if entry is not None:
                entry[1] -= msg["n"]
                if entry[1] <= 0:
                    del self._py[msg["id"]]
                    self._py_ids.pop(id(entry[0]), None)
        elif op == "unhandled":
            report(self._error(msg["err"], blobs), promise=None, loop=self._loop)

    # --- Python called from JS ---

    def _call_python(self, msg: dict[str, Any], blobs: list[bytes]) -> None:
        call = msg["id"]
        try:
            fn = self._py[msg["fn"]][0]
            args = self._decode(msg["args"], blobs)
            result = fn(*args[: _arity(fn, len(args))])
        except BaseException as exc:
            self._answer(call, exc, failed=True)
            return
        if inspect.isawaitable(result):
            assert self._loop is not None
            task = asyncio.ensure_future(result)
            task.add_done_callback(
                lambda t: (
                    self._answer(call, None, cancelled=True)
                    if t.cancelled()
                    else self._answer(call, t.exception() or t.result(), failed=bool(t.exception()))
                )
            )
        else:
            self._answer(call, result)

    def _answer(
        self, call: int, value: Any, *, failed: bool = False, cancelled: bool = False
    ) -> None:
        if self._gone is not None:
            return
        if cancelled:
            value, failed = asyncio.CancelledError("the Python task was cancelled"), True
        blobs: list[bytes] = []
        msg: dict[str, Any] = {"op": "result", "re": call}
        try:
            msg["err" if failed else "ok"] = self._encode(value, blobs)
        except BaseException as exc:
            blobs = []
            msg.pop("ok", None)
            msg["err"] = self._encode(exc, blobs)
        self._send(msg, blobs)

    # --- values ---

    def _encode(self, v: Any, blobs: list[bytes]) -> Any:
        kind = type(v)  # the common exact types first: a call's arguments pass here each time
        if kind is str or v is None:
            return v
        if kind is int and -_MAX_SAFE <= v <= _MAX_SAFE:
            return v
        if kind is tuple or kind is list:
            return [self._encode(x, blobs) for x in v]
        if isinstance(v, (bool, str)):
            return v
        if isinstance(v, int):
            return {T: "big", "v": str(v)} if abs(v) > _MAX_SAFE else v
        if isinstance(v, float):
            return v if math.isfinite(v) else {T: "num", "v": str(v).replace("inf", "Infinity")}
        if isinstance(v, (bytes, bytearray, memoryview)):
            blobs.append(bytes(v))
            return {T: "b", "i": len(blobs) - 1}
        if isinstance(v, Ref):
            self._own(v)
            if not v._bridge_ops and v._bridge_root[0] == "h":
                return {T: "h", "id": v._bridge_root[1]}
            return {T: "x", "root": v._bridge_root, "ops": self._encode_ops(v._bridge_ops, blobs)}
        if isinstance(v, (list, tuple)):
            return [self._encode(x, blobs) for x in v]
        if isinstance(v, dict) and all(isinstance(k, str) for k in v):
            return {k: self._encode(x, blobs) for k, x in v.items()}
        if isinstance(v, BaseException):
            if isinstance(v, JSError) and isinstance(v.js_value, Ref):
                return self._encode(v.js_value, blobs)
            text = "".join(traceback.format_exception(type(v), v, v.__traceback__))
            return {
                T: "pyerr",
                "id": self._hold(v),
                "message": f"{type(v).__name__}: {v}",
                "traceback": text,
            }
        return {T: "p", "id": self._hold(v), "fn": callable(v)}

    def _encode_ops(self, ops: tuple[Any, ...], blobs: list[bytes]) -> list[Any]:
        """A chain's operations with their arguments encoded (tuples go as JSON arrays)."""
        return [(op[0], self._encode(op[1], blobs)) if op[0] in _CALLS else op for op in ops]

    def _hold(self, obj: Any) -> int:
        pyid = self._py_ids.get(id(obj))
        if pyid is None:
            pyid = self._next_py
            self._next_py += 1
            self._py_ids[id(obj)] = pyid
            self._py[pyid] = [obj, 0]
        self._py[pyid][1] += 1
        return pyid

    def _decode(self, v: Any, blobs: list[bytes]) -> Any:
        kind = type(v)  # decoded JSON: exact types only
        if kind is list:
            return [self._decode(x, blobs) for x in v]
        if kind is not dict:
            return v
        tag = v.get(T)
        if tag is None:
            return {k: self._decode(x, blobs) for k, x in v.items()}
        if tag == "h":
            return self._handle(v["id"])
        if tag == "b":
            return blobs[v["i"]]
        if tag == "big":
            return int(v["v"])
        if tag == "num":
            return float(v["v"].replace("Infinity", "inf"))
        if tag == "p":
            return self._py[v["id"]][0]
        if tag in ("err", "rej"):
            return self._error(v, blobs)
        raise BridgeError(f"unknown value tag from Node: {tag!r}")

    def _handle(self, hid: int) -> Ref:
        self._received[hid] = self._received.get(hid, 0) + 1
        ref = self._proxies.get(hid)
        if ref is None:
            ref = Ref(self, ("h", hid))
            self._proxies[hid] = ref
            weakref.finalize(ref, self._release, hid)
        return ref

    def _release(self, hid: int) -> None:
        # A finalizer: may run in any thread, during GC. Batched into one message per loop turn.
        if hid in self._proxies:  # a newer proxy for the same id took over
            return
        n = self._received.pop(hid, 0)
        if not n or self._gone is not None or self._loop is None or self._loop.is_closed():
            return
        self._to_free.append([hid, n])
        if len(self._to_free) == 1:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._flush)

    def _flush(self) -> None:
        ids, self._to_free = self._to_free, []
        if ids and self._gone is None and self._writer is not None:
            self._send({"op": "free", "ids": ids}, [])

    def _error(self, v: dict[str, Any], blobs: list[bytes]) -> BaseException:
        tag = v.get(T)
        if tag == "p":
            return self._py[v["id"]][0]  # type: ignore[no-any-return]
        if tag == "rej":
            value = self._decode(v["v"], blobs)
            return JSRejection(value, is_null=bool(v.get("null")))
        name = v["name"]
        if name == "ModuleNotFound":  # the host's, for require/import_ of a missing module
            self._handle(v["id"])  # a proxy made and dropped at once: Node frees the error
            return ModuleNotFound(v["message"])
        handle = self._handle(v["id"])
        exc: JSError
        if name == "AggregateError":
            errors = [self._error(e, blobs) for e in v.get("errors", [])]
            exc = JSAggregateError(
                v["message"], errors=errors, name=name, stack=v["stack"], js_value=handle
            )
        else:
            cls = ERROR_KINDS.get(name, JSError)
            exc = cls(v["message"], name=name, stack=v["stack"], js_value=handle)
        if "cause" in v:
            exc.__cause__ = self._error(v["cause"], blobs)
        return exc


def _arity(fn: Any, given: int) -> int:
    """How many of ``given`` JS arguments ``fn`` takes: JS drops extras (``map`` passes three)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return given
    positional = 0
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            return given
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            positional += 1
    return min(given, positional)


def node(
    *,
    node: str = "node",
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> NodeRuntime:
    """A Node.js runtime (a child process) as a ``bridge.Runtime``; use ``async with``.

    ``node``: the executable, a path or a name looked up on PATH (``BRIDGE_NODE`` overrides
    the default); ``cwd``: Node's working directory, where bare module names are also looked
    up (default: this process's); ``env``: Node's whole environment, as ``subprocess`` takes
    it (default: this process's)."""
    return NodeRuntime(node=node, cwd=cwd, env=env)
