"""The byte stream from Node cut into frames, each handed on as soon as its last byte is in.

A buffered protocol: the transport reads straight into our buffer (``recv_into``), where a
plain protocol is handed a new ``bytes`` per read, which asyncio allocates at 256 KiB before
shrinking it: an ``mmap`` and ``munmap`` per answer, the larger part of a sequential call's
time on the Python side. A protocol rather than a StreamReader task: ``buffer_updated``
resolves the waiting future in the same turn of the loop. A frame on the wire is
``u32 length, frame``.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable

LENGTH = struct.Struct(">I")  # a frame's length; also the JSON length inside a frame
_START = 64 * 1024  # the buffer's size; it grows to hold a larger frame, for as long as it lasts


class FrameProtocol(asyncio.BufferedProtocol):
    """Calls ``on_frame(frame)`` for each complete frame, ``on_lost()`` when the stream ends.
    ``frame`` is a view of the buffer, valid during the call only: what is kept is copied out
    (a 10 MB ``bytes`` value is copied once, from here to its own object)."""

    def __init__(self, on_frame: Callable[[memoryview], None], on_lost: Callable[[], None]) -> None:
        self._on_frame = on_frame
        self._on_lost = on_lost
        self._view = memoryview(bytearray(_START))  # the buffer, read and written through
        self._at = 0  # the first byte not yet handed on
        self._end = 0  # the end of what was read
        self._need = 4  # bytes the next step waits for from _at: a length, or a whole frame

    def get_buffer(self, sizehint: int) -> memoryview:
        wanted = max(sizehint, 1)
        size = len(self._view)
        if size - self._end < wanted or self._at + self._need > size:
            self._make_room(wanted)
        return self._view[self._end :]

    def _make_room(self, wanted: int) -> None:
        """Move what is pending to the front, in a larger buffer when the frame being read (or
        the read asked for) does not fit. A new buffer, not a resized one: the transport may
        still hold a view of the old one."""
        pending = self._end - self._at
        size = max(len(self._view), self._need, pending + wanted)
        if size > len(self._view):
            view = memoryview(bytearray(size))
            view[:pending] = self._view[self._at : self._end]
            self._view = view
        else:
            self._view[:pending] = self._view[self._at : self._end]
        self._at, self._end = 0, pending

    def buffer_updated(self, nbytes: int) -> None:
        self._end += nbytes
        if self._end - self._at < self._need:
            return  # the middle of a large frame: no scan until enough is in
        view, at, end = self._view, self._at, self._end
        while end - at >= 4:
            (size,) = LENGTH.unpack_from(view, at)
            if end - at - 4 < size:
                self._need = size + 4
                break
            self._on_frame(view[at + 4 : at + 4 + size])
            at += 4 + size
        else:
            self._need = 4
        if at == end:
            at = end = 0
            if len(self._view) > _START:  # a large frame went by: its room goes with it
                self._view = memoryview(bytearray(_START))
        self._at, self._end = at, end

    def connection_lost(self, exc: Exception | None) -> None:
        self._on_lost()
