"""Prometheus metrics of the API, correct with one worker or several.

With several workers, ``psystock serve`` points ``PROMETHEUS_MULTIPROC_DIR`` (read by
prometheus-client when it is imported) and ``serving.metrics_dir`` at one fresh directory;
each worker writes its values to memory-mapped files there and ``/metrics`` merges them.
Files of workers that died are marked dead on each scrape, so live gauges stay truthful.
With one worker, metrics live in a registry of their own (several apps in one process, as in
tests, do not collide). Hot-path updates use label children bound once per (route, status).
"""

from __future__ import annotations

import logging
import math
import os
from bisect import bisect_left
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)

from psystock.errors import ConfigError, PsystockError
from psystock.scoring import LoadedModel, ModelInfo
from psystock.scoring.runtime import ResolvedModel

logger = logging.getLogger(__name__)

LATENCY_BUCKETS_S = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
PREDICTION_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
BATCH_ROW_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096, 16384, 65536)
FEW_VALUES = 8
"""Below this many values, ``observe_many`` counts in Python (numpy sums them in order too)."""


class ServingMetrics:
    """The API's metrics; also the ``RolloutListener`` that counts reloads and their failures."""

    def __init__(self, metrics_dir: Path | None = None) -> None:
        """Create the metrics.

        Args:
            metrics_dir: the shared multiprocess directory, or ``None`` for one process.

        Raises:
            ConfigError: ``metrics_dir`` is set but prometheus-client was imported without
                ``PROMETHEUS_MULTIPROC_DIR``.
        """
        self._metrics_dir = metrics_dir
        if metrics_dir is not None and values.ValueClass is values.MutexValue:
            raise ConfigError(
                f"PSYSTOCK_SERVING__METRICS_DIR={str(metrics_dir)!r} needs"
                " PROMETHEUS_MULTIPROC_DIR set to the same directory before the server starts"
            )
        self._registry = CollectorRegistry()
        registry = self._registry if metrics_dir is None else None
        self._requests = Counter(
            "psystock_http_requests",
            "HTTP requests answered, by route and status.",
            ["route", "status"],
            registry=registry,
        )
        self._latency = Histogram(
            "psystock_http_request_duration_seconds",
            "Time from the request's arrival to its answer, by route and status.",
            ["route", "status"],
            buckets=LATENCY_BUCKETS_S,
            registry=registry,
        )
        self._predictions = Histogram(
            "psystock_prediction_value",
            "Distribution of predicted values (probability of an up day), by model version.",
            ["version"],
            buckets=PREDICTION_BUCKETS,
            registry=registry,
        )
        self._batch_rows = Histogram(
            "psystock_batch_rows",
            "Rows per native predict call: how well concurrent requests are micro-batched.",
            buckets=BATCH_ROW_BUCKETS,
            registry=registry,
        )
        self._model_info = Gauge(
            "psystock_model_info",
            "1 for the model version a worker serves (several during a rollout).",
            ["model", "version", "reference"],
            registry=registry,
            multiprocess_mode="livemax",
        )
        self._reloads = Counter(
            "psystock_model_reloads",
            "Model versions loaded and swapped in, the first load included.",
            registry=registry,
        )
        self._reload_failures = Counter(
            "psystock_model_reload_failures",
            "Model versions that failed to load (the previous model kept serving), by error.",
            ["version", "error_code"],
            registry=registry,
        )
        self._registry_failures = Counter(
            "psystock_registry_check_failures",
            "Registry checks that failed (registry unreachable, model not found), by error.",
            ["error_code"],
            registry=registry,
        )
        self._request_children: dict[tuple[str, int], tuple[Any, Any]] = {}
        self._prediction_children: dict[str | None, Any] = {}

    def observe_request(self, route: str, status: int, seconds: float) -> None:
        """Count one answered request and its latency (``route`` is a template, not a path)."""
        children = self._request_children.get((route, status))
        if children is None:
            labels = (route, str(status))
            children = (self._requests.labels(*labels), self._latency.labels(*labels))
            self._request_children[(route, status)] = children
        children[0].inc()
        children[1].observe(seconds)

    def observe_batch(self, model: LoadedModel, rows: int, predictions: Sequence[Any]) -> None:
        """Record one native predict call: its size and the distribution of its predictions."""
        self._batch_rows.observe(rows)
        version = model.info.version
        child = self._prediction_children.get(version)
        if child is None:
            child = self._prediction_children[version] = self._predictions.labels(str(version))
        numbers = _numeric_values(predictions)
        if numbers is not None and numbers.size:
            observe_many(child, numbers)

    def on_model_loaded(self, info: ModelInfo, previous: ModelInfo | None) -> None:
        """Count a rollout and point the info gauge at the new version."""
        self._reloads.inc()
        if previous is not None:
            self._model_info.labels(*_info_labels(previous)).set(0)
        self._model_info.labels(*_info_labels(info)).set(1)

    def on_load_failed(self, resolved: ResolvedModel, error: PsystockError) -> None:
        """Count a version that failed to load."""
        self._reload_failures.labels(str(resolved.version), error.error_code).inc()

    def on_registry_error(self, error: PsystockError) -> None:
        """Count a failed registry check."""
        self._registry_failures.labels(error.error_code).inc()

    def render(self) -> tuple[bytes, str]:
        """The text exposition of every metric (merged across workers) and its content type."""
        if self._metrics_dir is None:
            return generate_latest(self._registry), CONTENT_TYPE_LATEST
        _mark_dead_workers(self._metrics_dir)
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=str(self._metrics_dir))  # type: ignore[no-untyped-call]
        return generate_latest(merged), CONTENT_TYPE_LATEST

    def close(self) -> None:
        """Mark this worker dead for the live gauges (on shutdown)."""
        if self._metrics_dir is not None:
            multiprocess.mark_process_dead(os.getpid(), str(self._metrics_dir))  # type: ignore[no-untyped-call]


def observe_many(histogram: Any, numbers: np.ndarray[Any, Any]) -> None:
    """Observe many values with one numpy pass instead of one ``observe`` call per value.

    prometheus-client has no bulk ``observe``; this adds per-bucket counts and the sum to the
    child's bucket and sum values, as ``observe`` does one at a time. NaN is not observed.
    Fewer than ``FEW_VALUES`` values are counted in Python, where numpy's per-call cost would
    be most of the work.
    """
    buckets = getattr(histogram, "_buckets", None)
    total = getattr(histogram, "_sum", None)
    bounds = getattr(histogram, "_upper_bounds", None)
    if buckets is None or total is None or bounds is None:  # library internals changed
        for number in numbers[~np.isnan(numbers)].tolist():
            histogram.observe(number)
        return
    if numbers.size < FEW_VALUES:
        _observe_few(buckets, total, bounds, numbers.tolist())
        return
    numbers = numbers[~np.isnan(numbers)]
    counts = np.bincount(np.searchsorted(bounds, numbers, side="left"), minlength=len(bounds))
    for bucket, count in zip(buckets, counts.tolist(), strict=False):
        if count:
            bucket.inc(count)
    total.inc(float(numbers.sum()))


def _observe_few(buckets: Any, total: Any, bounds: Sequence[float], numbers: list[float]) -> None:
    """``observe_many`` of a few values: the same counts and the same sum, added in order."""
    added = 0.0
    for number in numbers:
        if math.isnan(number):
            continue
        buckets[bisect_left(bounds, number)].inc(1)
        added += number
    total.inc(added)


def _numeric_values(predictions: Sequence[Any]) -> np.ndarray[Any, Any] | None:
    if len(predictions) == 1:  # one native call's output: no concatenation
        only = predictions[0]
        if isinstance(only, np.ndarray) and only.dtype.kind in "fiub":
            return only.reshape(-1).astype(np.float64, copy=False)
        return None
    arrays = []
    for prediction in predictions:
        if isinstance(prediction, np.ndarray) and prediction.dtype.kind in "fiub":
            arrays.append(prediction.reshape(-1))
        else:
            return None  # pyfunc outputs of other kinds are not summarised
    return np.concatenate(arrays).astype(np.float64, copy=False) if arrays else None


def _info_labels(info: ModelInfo) -> tuple[str, str, str]:
    return (info.name or "", info.version or "", info.reference)


def _mark_dead_workers(directory: Path) -> None:
    for path in directory.glob("gauge_live*_*.db"):
        pid_text = path.stem.rpartition("_")[2]
        if not pid_text.isdigit():
            continue
        pid = int(pid_text)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
            logger.info("marked dead worker %d in the metrics", pid)
        except PermissionError:  # alive, owned by someone else
            continue
