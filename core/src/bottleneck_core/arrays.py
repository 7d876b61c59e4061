"""Arrow arrays from Python values, built from their buffers.

``pyarrow.array(list)`` imports pandas (to ask whether the list is a pandas object): ~0.3 s
that a one-step process reading a source (``bottleneck step extract_erp``) does not need.
The four column types the sources use are simple to lay out by hand; any other type, or
a big-endian machine, goes through ``pyarrow.array``.
"""

from __future__ import annotations

import sys
from array import array
from decimal import Decimal

import pyarrow as pa


def _validity(values: list) -> tuple[pa.Buffer | None, int]:
    bits = bytearray((len(values) + 7) // 8)
    nulls = 0
    for i, value in enumerate(values):
        if value is None:
            nulls += 1
        else:
            bits[i >> 3] |= 1 << (i & 7)
    return (pa.py_buffer(bytes(bits)) if nulls else None), nulls


def _bits(flags) -> pa.Buffer:
    bits = bytearray()
    for i, flag in enumerate(flags):
        if i & 7 == 0:
            bits.append(0)
        if flag:
            bits[-1] |= 1 << (i & 7)
    return pa.py_buffer(bytes(bits))


def build(values: list, kind: pa.DataType) -> pa.Array:
    """An Arrow array of type ``kind`` (string, int64, bool or decimal128) holding ``values``."""
    n = len(values)
    if sys.byteorder != "little":
        return pa.array(values, kind)
    validity, nulls = _validity(values)
    if kind == pa.string():
        data, offsets = bytearray(), array("i", [0])
        for value in values:
            if value is not None:
                data += value.encode("utf-8")
            offsets.append(len(data))
            if len(data) > 2**31 - 1:
                return pa.array(values, kind)
        buffers = [validity, pa.py_buffer(offsets.tobytes()), pa.py_buffer(bytes(data))]
    elif kind == pa.int64():
        buffers = [validity, pa.py_buffer(array("q", [0 if v is None else v for v in values]).tobytes())]
    elif kind == pa.bool_():
        buffers = [validity, _bits(bool(v) for v in values)]
    elif pa.types.is_decimal128(kind):
        scale = kind.scale
        raw = b"".join(
            (0 if v is None else int(Decimal(v).scaleb(scale))).to_bytes(16, "little", signed=True) for v in values
        )
        buffers = [validity, pa.py_buffer(raw)]
    else:
        return pa.array(values, kind)
    return pa.Array.from_buffers(kind, n, buffers, null_count=nulls)
