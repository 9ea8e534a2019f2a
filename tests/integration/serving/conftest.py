"""Real API servers for the serving tests: uvicorn in a thread on a free port, real HTTP."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from psystock.scoring import LoadedModel, ModelInput, ScoringRuntime
from psystock.serving import BackgroundServer
from psystock.settings import Settings, load_settings
from tests.conftest import MlflowServer, RegisteredModel
from tests.integration.scoring.conftest import logreg_model  # noqa: F401  (a shared fixture)

BOOK_ROW = [1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]
ROWS = [BOOK_ROW, [1] * 14, [0] * 14]
_names = itertools.count(1)


def unique_model_name(prefix: str) -> str:
    """A registered-model name no other test uses (rollouts must not move the shared one)."""
    return f"{prefix}-{time.time_ns()}-{next(_names)}"


def api_settings(
    mlflow_server: MlflowServer, home: Path, model_uri: str, **serving: Any
) -> Settings:
    """Settings of an API on a free port (0), scoring ``model_uri`` from the session server."""
    return load_settings(
        home=home,
        tracking_uri=mlflow_server.url,
        scoring={"model_uri": model_uri},
        serving={"port": 0, "poll_interval_s": 0, **serving},
    )


@pytest.fixture
def start_api(
    mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., BackgroundServer]]:
    """Start APIs for one test (``start_api(model_uri, **serving)``); all stopped at the end."""
    servers: list[BackgroundServer] = []

    def start(model_uri: str, *, wait: bool = True, **serving: Any) -> BackgroundServer:
        home = tmp_path_factory.mktemp("api-home")
        server = BackgroundServer(api_settings(mlflow_server, home, model_uri, **serving))
        servers.append(server)
        server.start()
        if wait:
            server.wait_until_loaded(timeout_s=60)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def api(
    mlflow_server: MlflowServer,
    registered_model: RegisteredModel,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BackgroundServer]:
    """One API on the session's registered model, shared by a module's tests."""
    home = tmp_path_factory.mktemp("api-home")
    settings = api_settings(mlflow_server, home, registered_model.uri, max_rows=500)
    with BackgroundServer(settings) as server:
        server.wait_until_loaded(timeout_s=60)
        yield server


@pytest.fixture(scope="module")
def client(api: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def reference_model(
    api: BackgroundServer, mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory
) -> LoadedModel:
    """The same model version the API serves, loaded directly through the runtime."""
    served = api.app.state.holder.model
    assert served is not None
    settings = load_settings(
        home=tmp_path_factory.mktemp("ref-home"), tracking_uri=mlflow_server.url
    )
    return ScoringRuntime(settings).load(f"models:/{served.info.name}/{served.info.version}")


def expected_predictions(model: LoadedModel, rows: list[list[Any]]) -> np.ndarray:
    """What the runtime predicts for ``rows`` (positional)."""
    return np.asarray(model.predict(model.prepare(ModelInput(rows))))


def as_float32(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)
