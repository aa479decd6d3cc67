"""Observations as JSON: nested dicts and lists whose leaves may be NumPy arrays.

Arrays travel as base64 of their bytes with dtype and shape, so a result reaches the grader
exactly as the kernel computed it, NaN and infinities included (Jupyter's messages are strict
JSON and refuse a bare NaN).
"""
from __future__ import annotations

import base64

import numpy as np

ARRAY = "__ndarray__"


def encode(value):
    """``value`` with every NumPy array (and NumPy scalar) replaced by a JSON-able dict."""
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        a = np.asarray(value, order="C")  # not ascontiguousarray: that makes a 0-d array 1-d
        if a.dtype.kind not in "biuf":
            raise TypeError(f"cannot report an array of dtype {a.dtype}")
        return {ARRAY: base64.b64encode(a.tobytes()).decode("ascii"), "dtype": a.dtype.str,
                "shape": list(a.shape)}
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, float) and not np.isfinite(value):
            return encode(np.float64(value))
        return value
    raise TypeError(f"cannot report a {type(value).__name__}")


def decode(value):
    """The inverse of :func:`encode`; raises ``ValueError`` on anything malformed."""
    if isinstance(value, dict):
        if ARRAY in value:
            try:
                dtype = np.dtype(value["dtype"])
                if dtype.kind not in "biuf":
                    raise ValueError(f"dtype {dtype}")
                data = base64.b64decode(value[ARRAY], validate=True)
                return np.frombuffer(data, dtype=dtype).reshape(value["shape"]).copy()
            except (KeyError, TypeError, ValueError) as err:
                raise ValueError(f"malformed array: {err}") from None
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
