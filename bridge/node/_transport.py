"""The byte stream from Node cut into frames, each handed on as soon as its last byte is in.

A protocol rather than a StreamReader task: a reader task wakes once per frame after the data
arrived (one more turn of the event loop per answer), where ``data_received`` resolves the
waiting future in the same turn. A frame on the wire is ``u32 length, frame``.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable

LENGTH = struct.Struct(">I")  # a frame's length; also the JSON length inside a frame


class FrameProtocol(asyncio.Protocol):
    """Calls ``on_frame(frame)`` for each complete frame, ``on_lost()`` when the stream ends."""

    def __init__(self, on_frame: Callable[[bytes], None], on_lost: Callable[[], None]) -> None:
        self._on_frame = on_frame
        self._on_lost = on_lost
        self._buf = bytearray()
        self._need = 4  # bytes the next step waits for: a length, or a whole frame after it

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        if len(buf) < self._need:
            return  # the middle of a large frame: no scan until enough is in
        at, end = 0, len(buf)
        while end - at >= 4:
            (size,) = LENGTH.unpack_from(buf, at)
            if end - at - 4 < size:
                self._need = size + 4
                break
            self._on_frame(bytes(buf[at + 4 : at + 4 + size]))
            at += 4 + size
        else:
            self._need = 4
        del buf[:at]

    def connection_lost(self, exc: Exception | None) -> None:
        self._on_lost()
