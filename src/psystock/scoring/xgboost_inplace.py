"""``Booster.inplace_predict`` on a dense float32 matrix, without its per-call overhead.

For a small batch (the API's one-row requests) the native prediction is a few microseconds;
the rest of ``inplace_predict`` is overhead, measured at about 4x the call this module makes:

- in Python: input type dispatch, the JSON config built with ``json.dumps``, and the result
  copied through an array-interface class defined anew on every call;
- in the library: a fresh proxy ``DMatrix`` per call, whose context reads the cgroup CPU
  quota files (several system calls) each time.

``DensePredictor`` calls the same C function, ``XGBoosterPredictFromDense``, with the same
arguments: the config is encoded once, and each thread keeps one proxy ``DMatrix`` (the
input's array interface is set on it by each call, as on a fresh one). The output is a copy
of the library's buffer, as ``inplace_predict`` returns it, value for value. When this
XGBoost lacks any of the names used, it falls back to ``inplace_predict``.
"""

from __future__ import annotations

import ctypes
import json
import logging
import math
import threading
from typing import Any

import numpy as np
import orjson

logger = logging.getLogger(__name__)

_CONFIG = {
    "type": 0,  # predicted values, not margins
    "training": False,
    "iteration_begin": 0,
    "iteration_end": 0,  # every tree
    "missing": math.nan,
    "strict_shape": False,
    "cache_id": 0,
}
"""What ``inplace_predict(matrix)`` passes with its default arguments."""


class DensePredictor:
    """Predict a C-contiguous float32 matrix with one booster, as ``inplace_predict`` does.

    Thread-safe: each thread uses its own proxy ``DMatrix``.
    """

    def __init__(self, booster: Any) -> None:
        self._booster = booster
        self._local = threading.local()
        self._native = _native_api()
        self._config = json.dumps(_CONFIG).encode()  # as xgboost encodes it: "missing": NaN

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        """The booster's predictions for ``matrix`` (float32, C-contiguous, rows x features).

        Raises:
            xgboost.core.XGBoostError: the library refused the call (e.g. a wrong width).
        """
        native = self._native
        if native is None:
            result: np.ndarray = self._booster.inplace_predict(matrix, validate_features=False)
            return result
        shape = ctypes.POINTER(native.ulong)()
        dims = native.ulong()
        predictions = ctypes.POINTER(ctypes.c_float)()
        native.check(
            native.predict(
                self._booster.handle,
                orjson.dumps(matrix.__array_interface__),
                self._config,
                self._proxy(native),
                ctypes.byref(shape),
                ctypes.byref(dims),
                ctypes.byref(predictions),
            )
        )
        out_shape = tuple(int(shape[axis]) for axis in range(dims.value))
        size = math.prod(out_shape)
        if size == 0:
            return np.empty(out_shape, dtype=np.float32)
        buffer = (ctypes.c_float * size).from_address(ctypes.addressof(predictions.contents))
        return np.frombuffer(memoryview(buffer), dtype=np.float32).reshape(out_shape).copy()

    def _proxy(self, native: _NativeApi) -> ctypes.c_void_p:
        proxy = getattr(self._local, "proxy", None)
        if proxy is None:
            proxy = self._local.proxy = native.proxy_class()
        handle: ctypes.c_void_p = proxy.handle
        return handle


class _NativeApi:
    """The names of ``xgboost.core`` the direct call needs."""

    def __init__(self, core: Any) -> None:
        self.predict = core._LIB.XGBoosterPredictFromDense
        self.check = core._check_call
        self.ulong = core.c_bst_ulong
        self.proxy_class = core._ProxyDMatrix


def _native_api() -> _NativeApi | None:
    try:
        from xgboost import core

        return _NativeApi(core)
    except (ImportError, AttributeError) as exc:  # another XGBoost: the public API
        logger.info("XGBoost's inplace_predict is used as is (%s)", exc)
        return None
