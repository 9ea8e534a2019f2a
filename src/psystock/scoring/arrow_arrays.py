"""Move numbers between numpy and Arrow through buffers, without pyarrow's pandas shim.

``pa.array(...)``, ``Array.to_numpy()`` and Python scalars make pyarrow import pandas (to
check whether an object is a Series): about 50 MB of RSS and 0.4 s that the batch job, which
never touches pandas, cannot afford under its 300 MB budget. These helpers build and read
fixed-width arrays from their buffers instead, zero-copy where the layout allows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from psystock.scoring.schema import BOOLEAN_TYPE, INTEGER_TYPES

_FIXED_WIDTH = {
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "uint8": np.uint8,
    "uint16": np.uint16,
    "uint32": np.uint32,
    "uint64": np.uint64,
    "halffloat": np.float16,
    "float": np.float32,
    "double": np.float64,
}


def numpy_values(chunk: Any) -> np.ndarray:
    """The values of one Arrow array (not chunked) of numbers or booleans as numpy.

    Integers and floats without nulls are zero-copy views; nulls become NaN (and the
    result float64); booleans become 0/1 as uint8.
    """
    import pyarrow as pa

    size = len(chunk)
    if pa.types.is_boolean(chunk.type):
        values = _bits(chunk.buffers()[1], chunk.offset, size).astype(np.uint8)
    else:
        dtype = np.dtype(_FIXED_WIDTH[str(chunk.type)])
        values = np.frombuffer(
            chunk.buffers()[1], dtype=dtype, count=size, offset=chunk.offset * dtype.itemsize
        )
    if chunk.null_count == 0:
        return values
    floats = values.astype(np.float64)
    floats[~_bits(chunk.buffers()[0], chunk.offset, size)] = np.nan
    return floats


def arrow_array(values: np.ndarray, missing: np.ndarray | None = None) -> Any:
    """A 1-D numeric or boolean numpy array as an Arrow array; ``missing`` marks nulls."""
    import pyarrow as pa

    if values.dtype == np.bool_:
        kind = pa.bool_()
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
    else:
        contiguous = np.ascontiguousarray(values)
        kind = pa.from_numpy_dtype(contiguous.dtype)
        data = pa.py_buffer(contiguous)
    validity = None
    null_count = 0
    if missing is not None and missing.any():
        validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
        null_count = int(missing.sum())
    return pa.Array.from_buffers(kind, len(values), [validity, data], null_count=null_count)


def _bits(buffer: Any, offset: int, size: int) -> np.ndarray:
    """Arrow's little-endian bitmap as a boolean array of ``size`` entries from ``offset``."""
    bits = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little")
    return bits[offset : offset + size].astype(bool)


def arrow_type(kind: str) -> Any:
    """The Arrow type a signature type (``long``, ``double``...) is read and written as."""
    import pyarrow as pa

    if kind in INTEGER_TYPES:
        return pa.int64()
    if kind == BOOLEAN_TYPE:
        return pa.bool_()
    return pa.float64()
