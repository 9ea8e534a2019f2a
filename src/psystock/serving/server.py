"""Run the API with uvicorn: in the foreground (``psystock serve``) or in a background thread.

The listening socket is bound here first, so a port in use is one clear error before anything
claims to serve. Connections go through ``GuardedHttpToolsProtocol`` (header size and time,
body time). Several workers share that socket under uvicorn's supervisor, which restarts a
worker that dies; each worker receives the settings inside its pickled ``PsystockConfig``
(through the supervisor's pipe, so a bearer token never lands in an environment), and their
metrics meet in a fresh ``PROMETHEUS_MULTIPROC_DIR`` removed at exit.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess

from psystock.errors import AddressInUseError, PsystockError
from psystock.logging import configure_logging
from psystock.registry.references import parse_reference
from psystock.serving.app import ServingApp, create_app
from psystock.serving.docs_page import curl_example
from psystock.serving.protocol import ConnectionLimits, GuardedHttpToolsProtocol
from psystock.serving.webhook import new_secret, registered_webhook
from psystock.settings import Settings

logger = logging.getLogger(__name__)

METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
WORKER_APP = "psystock.serving.app:ServingApp"
"""What uvicorn's supervisor names the workers' app; ``PsystockConfig.load`` builds it."""
KEEP_ALIVE_S = 5
"""An idle keep-alive connection is closed after this many seconds (uvicorn's timer)."""


class PsystockConfig(uvicorn.Config):
    """uvicorn's configuration, carrying psystock's settings and connection limits.

    A worker process receives this object pickled from the supervisor and builds its app from
    ``settings`` in ``load``.
    """

    def __init__(
        self, app: Any, settings: Settings, webhook_secret: str | None = None, **options: Any
    ) -> None:
        serving = settings.serving
        super().__init__(app, **uvicorn_options(settings), **options)
        self.settings = settings
        self.webhook_secret = webhook_secret
        self.connection_limits = ConnectionLimits(
            serving.max_header_bytes, serving.header_timeout_s, serving.body_timeout_s
        )

    def load(self) -> None:
        """Build the app (in a worker process: from the settings it was given), then load."""
        if self.app == WORKER_APP:
            configure_logging(self.settings.log_level)
            self.app = create_app(self.settings, self.webhook_secret)
        super().load()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn options for ``settings`` (``bind_listener`` binds host and port)."""
    serving = settings.serving
    return {
        "host": serving.host,
        "port": serving.port,
        "loop": "auto",  # uvloop when installed (uvicorn[standard])
        "http": GuardedHttpToolsProtocol,
        "ws": "none",
        "access_log": serving.access_log,
        "log_config": None,  # psystock.logging configures logging
        "lifespan": "on",
        "timeout_keep_alive": KEEP_ALIVE_S,
        "timeout_graceful_shutdown": 10,
        "timeout_worker_healthcheck": int(serving.startup_timeout_s) + 10,
    }


def bind_listener(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (port 0: any free one), ready for uvicorn to listen on.

    Raises:
        AddressInUseError: the port is taken, the address is not local, or not permitted.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise AddressInUseError(host, port, reason or str(exc)) from exc
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings) -> None:
    """Serve the API in the foreground until SIGINT or SIGTERM.

    Raises:
        ModelReferenceError: the model reference is malformed (checked before starting).
        AddressInUseError: the host and port cannot be bound.
    """
    serving = settings.serving
    parse_reference(settings.scoring.reference)
    sock = bind_listener(serving.host, serving.port)
    port = int(sock.getsockname()[1])
    url = f"http://{serving.host}:{port}"
    logger.info(
        "psystock API on %s (%d worker%s), model %s; docs at %s/docs",
        url,
        serving.workers,
        "" if serving.workers == 1 else "s",
        settings.scoring.reference,
        url,
    )
    logger.info("try it:\n%s", curl_example(url))
    secret = new_secret()
    with contextlib.closing(sock), registered_webhook(settings, port, secret) as registered:
        webhook_secret = secret if registered else None
        if serving.workers == 1:
            app = create_app(settings, webhook_secret)
            app.state.is_webhook_registered = registered
            uvicorn.Server(PsystockConfig(app, settings)).run(sockets=[sock])
            return
        with multiprocess_metrics_dir() as metrics_dir:
            settings = settings.model_copy(
                update={"serving": serving.model_copy(update={"metrics_dir": metrics_dir})}
            )
            config = PsystockConfig(WORKER_APP, settings, webhook_secret, workers=serving.workers)
            with _metrics_variable(metrics_dir):
                Multiprocess(config, sockets=[sock]).run()


@contextlib.contextmanager
def multiprocess_metrics_dir() -> Iterator[Path]:
    """A fresh directory for the workers' metric files, removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="psystock-metrics-"))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def _metrics_variable(directory: Path) -> Iterator[None]:
    """``PROMETHEUS_MULTIPROC_DIR`` for the workers spawned meanwhile (read at their import)."""
    saved = os.environ.get(METRICS_DIR_VARIABLE)
    os.environ[METRICS_DIR_VARIABLE] = str(directory)
    try:
        yield
    finally:
        if saved is None:
            del os.environ[METRICS_DIR_VARIABLE]
        else:
            os.environ[METRICS_DIR_VARIABLE] = saved


class BackgroundServer:
    """The API served by uvicorn in a daemon thread of this process (one worker).

    ``serving.port`` 0 picks a free port; ``url`` tells which. Use as a context manager, or
    ``start()`` then ``stop()``.
    """

    def __init__(self, settings: Settings) -> None:
        self._secret = new_secret()
        self.app: ServingApp = create_app(settings, self._secret)
        self._settings = settings
        self._server = uvicorn.Server(PsystockConfig(self.app, settings))
        self._webhook = contextlib.ExitStack()
        self._host = settings.serving.host
        self._port = settings.serving.port
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL the server listens on."""
        return f"http://{self._host}:{self._port}"

    def start(self, timeout_s: float = 10.0) -> str:
        """Start serving; return the URL once the socket listens.

        Raises:
            AddressInUseError: the host and port cannot be bound.
            PsystockError: the server did not start.
        """
        self._socket = bind_listener(self._host, self._port)
        self._port = int(self._socket.getsockname()[1])
        self.app.state.is_webhook_registered = self._webhook.enter_context(
            registered_webhook(self._settings, self._port, self._secret)
        )
        sockets = [self._socket]
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": sockets}, name="psystock-api", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise PsystockError(f"the API did not start on {self.url}; see the log")
            time.sleep(0.01)
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
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout_s)
        self._webhook.close()
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> BackgroundServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
