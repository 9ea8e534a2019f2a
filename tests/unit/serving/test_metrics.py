from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from psystock.errors import ConfigError, ModelLoadError
from psystock.registry.resolve import ResolvedModel
from psystock.scoring import ModelInfo
from psystock.serving.metrics import PREDICTION_BUCKETS, ServingMetrics, observe_many


def _info(version: str) -> ModelInfo:
    return ModelInfo(
        "m", version, "models:/m/Production", "src", None, "xgboost", datetime.now(UTC)
    )


def _histograms() -> tuple[CollectorRegistry, Histogram, CollectorRegistry, Histogram]:
    one, many = CollectorRegistry(), CollectorRegistry()
    return (
        one,
        Histogram("p", "p", buckets=PREDICTION_BUCKETS, registry=one),
        many,
        Histogram("p", "p", buckets=PREDICTION_BUCKETS, registry=many),
    )


@pytest.mark.parametrize(
    "values",
    [
        [0.0, 0.05, 0.1, 0.1000001, 0.5, 0.55, 0.99, 1.0, 1.5, np.nan],  # counted by numpy
        [0.1, np.nan, 0.1000001, 0.55, 1.5],  # a few: counted in Python
        [np.nan],
    ],
)
def test_observe_many_equals_one_observe_per_value(values: list[float]) -> None:
    numbers = np.array(values)
    one, single, many, bulk = _histograms()
    for value in numbers[~np.isnan(numbers)]:
        single.observe(float(value))
    observe_many(bulk, numbers)
    assert _samples(many) == _samples(one)
    assert f"p_count {float(np.count_nonzero(~np.isnan(numbers)))}" in _samples(many)


def _samples(registry: CollectorRegistry) -> list[str]:
    lines = generate_latest(registry).decode().splitlines()
    return [line for line in lines if not line.startswith(("#", "p_created"))]


def test_service_metrics_render_requests_and_rollout_events() -> None:
    metrics = ServingMetrics()
    metrics.observe_request("/invocations", 200, 0.002)
    metrics.observe_request("/invocations", 200, 0.004)
    metrics.on_model_loaded(_info("1"), None)
    metrics.on_model_loaded(_info("2"), _info("1"))
    resolved = ResolvedModel("models:/m/Production", "m", "3", "src", None)
    metrics.on_load_failed(resolved, ModelLoadError("broken"))
    body, content_type = metrics.render()
    text = body.decode()
    assert content_type.startswith("text/plain")
    assert 'psystock_http_requests_total{route="/invocations",status="200"} 2.0' in text
    assert re.search(
        r'psystock_http_request_duration_seconds_sum\{route="/invocations",status="200"\} 0\.006',
        text,
    )
    assert "psystock_model_reloads_total 2.0" in text
    assert 'psystock_model_info{model="m",reference="models:/m/Production",version="2"} 1.0' in text
    assert 'psystock_model_info{model="m",reference="models:/m/Production",version="1"} 0.0' in text
    assert (
        'psystock_model_reload_failures_total{error_code="MODEL_LOAD_ERROR",version="3"} 1.0'
        in text
    )


def test_service_metrics_refuse_a_metrics_dir_without_multiprocess_mode(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match="needs PROMETHEUS_MULTIPROC_DIR set to the same directory"
    ):
        ServingMetrics(tmp_path)
