"""The frame splitter: whatever the chunks the stream arrives in, the same frames come out."""

from __future__ import annotations

import itertools
import random
import struct
from collections.abc import Callable

from bridge.node._transport import FrameProtocol


def _wire(frames: list[bytes]) -> bytes:
    return b"".join(struct.pack(">I", len(f)) + f for f in frames)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    edges = [0, *sorted(set(cuts)), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges) if b > a]


def _keeper(got: list[bytes]) -> Callable[[memoryview], None]:
    """An on_frame that keeps a copy of each frame (the view it is handed is reused)."""
    return lambda frame: got.append(bytes(frame))


def _feed(proto: FrameProtocol, chunk: bytes) -> None:
    """What the transport does with a read: into the protocol's buffer, as much as fits."""
    while chunk:
        buf = proto.get_buffer(-1)
        n = min(len(buf), len(chunk))
        assert n > 0
        buf[:n] = chunk[:n]
        proto.buffer_updated(n)
        chunk = chunk[n:]


def test_frames_come_out_whole_however_the_bytes_are_cut() -> None:
    rng = random.Random(7)
    frames = [b"", b"x", b"abc" * 100, bytes(range(256)) * 600, b"{}", b"y" * 70_000] * 3
    data = _wire(frames)
    for trial in range(200):
        got: list[bytes] = []
        proto = FrameProtocol(_keeper(got), lambda: None)
        cuts = (
            list(range(1, len(data)))[:: max(1, len(data) // 50)]
            if trial == 0
            else [rng.randrange(1, len(data)) for _ in range(rng.randrange(0, 40))]
        )
        for chunk in _split(data, cuts):
            _feed(proto, chunk)
        assert got == frames


def test_one_byte_at_a_time_and_the_end_of_the_stream() -> None:
    got: list[bytes] = []
    lost: list[bool] = []
    proto = FrameProtocol(_keeper(got), lambda: lost.append(True))
    for b in _wire([b"hello", b"", b"world"]):
        _feed(proto, bytes([b]))
    proto.connection_lost(None)
    assert got == [b"hello", b"", b"world"]
    assert lost == [True]
