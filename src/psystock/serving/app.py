"""The ASGI application: a plain hot path in front of a Starlette app for everything else.

``POST /invocations`` and ``POST /endpoints/{name}/invocations`` (every prediction of MLflow
and SageMaker clients), ``POST /v2/models/{name}/infer`` (the Open Inference Protocol's) and
``GET /ping`` are dispatched without a router; the Starlette app
serves health, the Open Inference Protocol, metrics, OpenAPI and the docs, and runs the
lifespan: the registry watcher starts there and stops on shutdown. With one worker the socket
opens at once (``/ping`` answers 503 until the model is loaded); with several, a worker's
startup waits for its model (up to ``startup_timeout_s``) so that a worker restarted under load
takes no connection it cannot serve while its siblings can.

``create_app(settings)`` builds an app (the server builds one per worker process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from psystock.serving.asgi import Receive, Scope, Send, send_answer
from psystock.serving.health import health_answer
from psystock.serving.invocations import (
    ENDPOINT_INVOCATIONS_ROUTE,
    INVOCATIONS_ROUTE,
    handle_invocations,
    invocations_route,
)
from psystock.serving.responses import JSON_HEADERS, dumps
from psystock.serving.routes import build_routes
from psystock.serving.state import ServingState
from psystock.serving.v2_infer import handle_v2_infer, v2_infer_target
from psystock.settings import Settings

logger = logging.getLogger(__name__)

OTHER_ROUTE = "other"
"""Metrics label of requests that match no route (keeps label values bounded)."""


class ServingApp:
    """The psystock API as one ASGI callable."""

    def __init__(self, settings: Settings, webhook_secret: str | None = None) -> None:
        self.state = ServingState.build(settings, webhook_secret)
        self._starlette = Starlette(
            routes=[*build_routes(), *self._invocation_routes()],
            lifespan=self._lifespan,
            exception_handlers={HTTPException: _http_exception},
        )
        self._starlette.state.serving = self.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch one ASGI connection."""
        if scope["type"] == "http":
            path: str = scope["path"]
            if scope["method"] == "POST":
                route = invocations_route(path)
                if route is not None:
                    await handle_invocations(self.state, route, scope, receive, send)
                    return
                target = v2_infer_target(path)
                if target is not None:
                    await handle_v2_infer(self.state, target, scope, receive, send)
                    return
            elif path == "/ping" and scope["method"] == "GET":
                await self._ping(send)
                return
            await self._instrumented(scope, receive, send)
            return
        await self._starlette(scope, receive, send)

    async def _ping(self, send: Send) -> None:
        started = time.perf_counter()
        status, body = health_answer(self.state)
        await send_answer(send, status, dumps(body), JSON_HEADERS)
        self.state.metrics.observe_request("/ping", status, time.perf_counter() - started)

    async def _instrumented(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._starlette(scope, receive, send_and_record)  # type: ignore[arg-type]
        finally:
            route = self._route_label(scope)
            self.state.metrics.observe_request(route, status, time.perf_counter() - started)

    def _route_label(self, scope: Scope) -> str:
        for route in self._starlette.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE and isinstance(route, Route):
                return route.path
        return OTHER_ROUTE

    def _invocation_routes(self) -> list[Route]:
        """The hot path's routes, so Starlette answers 405 to other methods on them."""

        async def fallback(scope: Scope, receive: Receive, send: Send) -> None:
            route = invocations_route(scope["path"]) or INVOCATIONS_ROUTE
            await handle_invocations(self.state, route, scope, receive, send)

        return [
            Route(INVOCATIONS_ROUTE, fallback, methods=["POST"]),
            Route(ENDPOINT_INVOCATIONS_ROUTE, fallback, methods=["POST"]),
        ]

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        logger.info("starting; loading %s", self.state.watcher.reference)
        self.state.watcher.start()
        if self.state.signal is not None:
            self.state.signal.start()
        if self.state.settings.serving.workers > 1:
            await self._wait_for_model(self.state.settings.serving.startup_timeout_s)
        try:
            yield
        finally:
            if self.state.signal is not None:
                self.state.signal.stop()
            self.state.watcher.stop()
            self.state.metrics.close()

    async def _wait_for_model(self, timeout_s: float) -> None:
        """Hold this worker's startup (no accepting yet) until its model is loaded."""
        deadline = time.monotonic() + timeout_s
        while self.state.holder.model is None and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if self.state.holder.model is None:
            logger.warning(
                "no model after %.0f s (%s); accepting connections, answering 503 until loaded",
                timeout_s,
                self.state.holder.last_error or "still loading",
            )


async def _http_exception(request: Request, exc: Exception) -> Response:
    """Routing errors (404, 405) in MLflow's JSON error format."""
    if not isinstance(exc, HTTPException):  # registered for HTTPException only
        raise exc
    codes = {404: "ENDPOINT_NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
    body = {
        "error_code": codes.get(exc.status_code, "BAD_REQUEST"),
        "message": f"{request.method} {request.url.path}: {exc.detail}",
    }
    headers = dict(exc.headers or {})
    return Response(dumps(body), exc.status_code, headers, media_type="application/json")


def create_app(settings: Settings, webhook_secret: str | None = None) -> ServingApp:
    """The API for ``settings``; the model is loaded when the server starts (lifespan).

    ``webhook_secret`` turns on ``POST /registry/events`` for the registry's webhook.
    """
    if settings.serving.access_log:  # uvicorn's access logger is below the root's WARNING
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    return ServingApp(settings, webhook_secret)
