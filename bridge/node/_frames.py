"""JSON text of the Node runtime's frames: orjson, with the standard library behind it.

orjson encodes and decodes a frame's JSON in about 0.6 us where ``json`` takes about 9 (a
third of the cost of a call in 10,000 concurrent ones). It refuses strings with lone
surrogates, which JS strings may hold (Node's ``JSON.stringify`` escapes them as
``\\ud800``), and numbers beyond a double: those frames go through ``json``.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(msg: Any) -> bytes:
    """The JSON of msg (its values already made JSON-safe: finite floats, str keys)."""
    try:
        return orjson.dumps(msg)
    except orjson.JSONEncodeError:  # a lone surrogate; an int beyond 64 bits
        return json.dumps(msg, separators=(",", ":"), allow_nan=False).encode()


def loads(data: bytes | memoryview) -> Any:
    """The value of a frame's JSON text."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:  # an escaped lone surrogate
        return json.loads(bytes(data))
