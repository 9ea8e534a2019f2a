"""A promotion reaches the API within 2 s through the registry's webhook; polling is slow here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from typing import Any

import httpx
import pytest

from psystock.errors import AuthenticationError
from psystock.serving.webhook import verify_signature
from tests.conftest import MlflowServer, log_xgboost_booster
from tests.integration.serving.conftest import BOOK_ROW, unique_model_name


def _registered_versions(mlflow_server: MlflowServer, name: str) -> tuple[str, str]:
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(mlflow_server.url)
    first = log_xgboost_booster(name, seed=1)
    second = log_xgboost_booster(name, seed=2, rounds=12)
    MlflowClient(mlflow_server.url).set_registered_model_alias(name, "production", first)
    return first, second


def _webhooks(mlflow_server: MlflowServer, name: str) -> list[Any]:
    from mlflow import MlflowClient

    return [
        webhook
        for webhook in MlflowClient(mlflow_server.url).list_webhooks()
        if webhook.name == f"psystock-serve-{name}"
    ]


def test_an_alias_move_is_served_within_2_s_under_load_and_the_webhook_goes_at_stop(
    start_api: Any, mlflow_server: MlflowServer
) -> None:
    from mlflow import MlflowClient

    name = unique_model_name("webhook")
    first, second = _registered_versions(mlflow_server, name)
    api = start_api(f"models:/{name}@production", poll_interval_s=600)
    assert len(_webhooks(mlflow_server, name)) == 1
    health = httpx.get(f"{api.url}/health").json()
    assert health["version"] == first
    assert health["registry"]["webhook"]["registered"] is True
    time.sleep(1.5)  # the registry sees new webhooks after MLFLOW_WEBHOOK_CACHE_TTL (1 s here)

    stop = threading.Event()
    failures: list[int] = []

    def load() -> None:
        with httpx.Client(base_url=api.url) as client:
            while not stop.is_set():
                status = client.post("/invocations", json={"instances": [BOOK_ROW]}).status_code
                if status != 200:
                    failures.append(status)

    threads = [threading.Thread(target=load) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        moved = time.monotonic()
        MlflowClient(mlflow_server.url).set_registered_model_alias(name, "production", second)
        while api.app.state.holder.model.info.version != second:
            assert time.monotonic() - moved < 2.0, "the new version was not served within 2 s"
            time.sleep(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not failures
    assert httpx.get(f"{api.url}/health").json()["registry"]["webhook"]["last_event_at"]
    api.stop()
    assert _webhooks(mlflow_server, name) == []


def _signed(secret: str, body: bytes, timestamp: int) -> dict[bytes, bytes]:
    stamp = str(timestamp).encode()
    digest = hmac.new(secret.encode(), b"id-1." + stamp + b"." + body, hashlib.sha256).digest()
    return {
        b"x-mlflow-signature": b"v1," + base64.b64encode(digest),
        b"x-mlflow-timestamp": stamp,
        b"x-mlflow-delivery-id": b"id-1",
    }


def test_an_unsigned_or_forged_delivery_is_refused(
    start_api: Any, mlflow_server: MlflowServer
) -> None:
    name = unique_model_name("forged")
    _registered_versions(mlflow_server, name)
    api = start_api(f"models:/{name}@production", poll_interval_s=600)
    body = b'{"entity": "model_version_alias", "action": "created", "data": {"name": "x"}}'
    unsigned = httpx.post(f"{api.url}/registry/events", content=body)
    assert unsigned.status_code == 401
    assert unsigned.json()["message"] == (
        "unsigned webhook delivery: expected X-MLflow-Signature, X-MLflow-Timestamp and"
        " X-MLflow-Delivery-Id"
    )
    forged = {k.decode(): v.decode() for k, v in _signed("guess", body, int(time.time())).items()}
    answer = httpx.post(f"{api.url}/registry/events", content=body, headers=forged)
    assert answer.status_code == 401
    assert answer.json()["message"] == "webhook delivery: the signature does not match"


def test_a_replayed_delivery_is_refused() -> None:
    body = b"{}"
    now = float(int(time.time()))
    verify_signature("s", _signed("s", body, int(now)), body, now)
    with pytest.raises(AuthenticationError, match=r"^stale webhook delivery: signed 600 s ago$"):
        verify_signature("s", _signed("s", body, int(now) - 600), body, now)
