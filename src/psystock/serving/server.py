"""Run the API with uvicorn: in the foreground (``psystock serve``) or in a background thread.

One worker serves the app object directly. Several workers need uvicorn's import-string
factory (``create_app_from_environment``), so the settings travel to the worker processes as
their own ``PSYSTOCK_*`` variables (each section as JSON), and the workers' metrics meet in a
fresh ``PROMETHEUS_MULTIPROC_DIR`` that is removed at exit.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import SecretStr

from psystock.errors import PsystockError
from psystock.registry.references import parse_reference
from psystock.serving.app import ServingApp, create_app
from psystock.serving.docs_page import curl_example
from psystock.settings import ENV_PREFIX, Settings

logger = logging.getLogger(__name__)

APP_FACTORY = "psystock.serving.app:create_app_from_environment"
TRACKING_URI_VARIABLE = "MLFLOW_TRACKING_URI"
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def _uvicorn_options(settings: Settings) -> dict[str, Any]:
    serving = settings.serving
    return {
        "host": serving.host,
        "port": serving.port,
        "loop": "auto",  # uvloop when installed (uvicorn[standard])
        "http": "auto",  # httptools when installed
        "access_log": serving.access_log,
        "log_config": None,  # psystock.logging configures logging
        "lifespan": "on",
        "timeout_graceful_shutdown": 10,
    }


def serve(settings: Settings) -> None:
    """Serve the API in the foreground until SIGINT or SIGTERM.

    Raises:
        ModelReferenceError: the model reference is malformed (checked before starting).
    """
    serving = settings.serving
    parse_reference(settings.scoring.reference)
    logger.info(
        "psystock API on http://%s:%d (%d worker%s), model %s; docs at /docs",
        serving.host,
        serving.port,
        serving.workers,
        "" if serving.workers == 1 else "s",
        settings.scoring.reference,
    )
    logger.info("try it:\n%s", curl_example(f"http://{serving.host}:{serving.port}"))
    if serving.workers == 1:
        uvicorn.Server(uvicorn.Config(create_app(settings), **_uvicorn_options(settings))).run()
        return
    with multiprocess_metrics_dir() as metrics_dir:
        settings = settings.model_copy(
            update={"serving": serving.model_copy(update={"metrics_dir": metrics_dir})}
        )
        with _environment(worker_environment(settings, metrics_dir)):
            uvicorn.run(
                APP_FACTORY, factory=True, workers=serving.workers, **_uvicorn_options(settings)
            )


@contextlib.contextmanager
def multiprocess_metrics_dir() -> Iterator[Path]:
    """A fresh directory for the workers' metric files, removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="psystock-metrics-"))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def worker_environment(settings: Settings, metrics_dir: Path | None = None) -> dict[str, str]:
    """The variables that make a worker process build exactly ``settings``.

    Every top-level setting becomes ``PSYSTOCK_<NAME>`` (sections as JSON, secrets revealed:
    the variables go to child processes only); the tracking URI keeps MLflow's name.
    """
    environment: dict[str, str] = {}
    for key, value in settings.model_dump(exclude={"tracking_uri"}).items():
        if value is None:
            continue
        text = _to_json(value) if isinstance(value, dict | list) else _reveal(value)
        environment[f"{ENV_PREFIX}{key.upper()}"] = text
    if settings.tracking_uri is not None:
        environment[TRACKING_URI_VARIABLE] = settings.tracking_uri
    if metrics_dir is not None:
        environment[METRICS_DIR_VARIABLE] = str(metrics_dir)
    return environment


def _to_json(value: Any) -> str:
    return json.dumps(value, default=_reveal)


def _reveal(item: Any) -> str:
    if isinstance(item, SecretStr):
        return item.get_secret_value()
    return str(item)


@contextlib.contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """Replace every ``PSYSTOCK_*`` variable with ``variables`` for the duration.

    Worker processes inherit the environment; the original one is restored afterwards.
    """
    saved = dict(os.environ)
    try:
        for key in list(os.environ):
            if key.startswith(ENV_PREFIX):
                del os.environ[key]
        os.environ.update(variables)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class BackgroundServer:
    """The API served by uvicorn in a daemon thread of this process (one worker).

    ``serving.port`` 0 picks a free port; ``url`` tells which. Use as a context manager, or
    ``start()`` then ``stop()``.
    """

    def __init__(self, settings: Settings) -> None:
        self.app: ServingApp = create_app(settings)
        options = _uvicorn_options(settings)
        self._server = uvicorn.Server(uvicorn.Config(self.app, **options))
        self._thread = threading.Thread(target=self._server.run, name="psystock-api", daemon=True)
        self._host = settings.serving.host
        self._port = settings.serving.port

    @property
    def url(self) -> str:
        """The base URL the server listens on."""
        return f"http://{self._host}:{self._port}"

    def start(self, timeout_s: float = 10.0) -> str:
        """Start serving; return the URL once the socket listens.

        Raises:
            PsystockError: the server did not start (e.g. the port is taken).
        """
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise PsystockError(f"the API did not start on {self.url}; see the log")
            time.sleep(0.01)
        sockets = [sock for server in self._server.servers for sock in server.sockets]
        if sockets:
            self._port = int(sockets[0].getsockname()[1])
        return self.url

    def wait_until_loaded(self, timeout_s: float = 60.0) -> None:
        """Block until a model is served.

        Raises:
            PsystockError: no model was loaded within ``timeout_s`` (the message says why).
        """
        deadline = time.monotonic() + timeout_s
        while self.app.state.holder.model is None:
            if time.monotonic() > deadline:
                reason = self.app.state.holder.last_error or "still loading"
                raise PsystockError(f"no model loaded within {timeout_s:.0f} s: {reason}")
            time.sleep(0.02)

    @property
    def is_serving(self) -> bool:
        """Whether the server thread is still running."""
        return self._thread.is_alive()

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout_s)

    def __enter__(self) -> BackgroundServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
