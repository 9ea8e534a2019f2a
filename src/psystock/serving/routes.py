"""Every route besides the hot path, as Starlette routes: health, V2, metrics, OpenAPI, docs.

Each endpoint catches its own errors (``answers``), so an unexpected exception is logged and
answered with a 500 while the worker keeps serving.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from psystock import __version__
from psystock.scoring import LoadedModel
from psystock.serving.asgi import ClientDisconnectedError, RequestHeaders, read_body
from psystock.serving.docs_page import STATIC_PACKAGE, STATIC_ROUTE, render_docs_page
from psystock.serving.health import health_answer
from psystock.serving.inference_protocol import metadata_inputs
from psystock.serving.responses import dumps, error_answer
from psystock.serving.state import ServingState, served_name
from psystock.serving.v2_infer import V2_INFER_ROUTE, V2_VERSIONED_INFER_ROUTE
from psystock.serving.webhook import WEBHOOK_PATH

Endpoint = Callable[[Request], Awaitable[Response]]

PLATFORMS = {"xgboost": "xgboost", "pyfunc": "mlflow_pyfunc"}


def json_response(content: object, status: int = 200) -> Response:
    """A JSON answer encoded with orjson."""
    return Response(dumps(content), status_code=status, media_type="application/json")


def answers(*, v2: bool = False) -> Callable[[Endpoint], Endpoint]:
    """Turn any exception an endpoint raises into its JSON error answer."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def wrapper(request: Request) -> Response:
            try:
                return await endpoint(request)
            except ClientDisconnectedError:  # nobody to answer; the send is dropped
                return Response(status_code=499)
            except Exception as exc:
                status, body, headers = error_answer(exc, v2=v2)
                response = Response(body, status_code=status, media_type="application/json")
                for name, value in headers[1:]:
                    response.headers[name.decode()] = value.decode()
                return response

        return wrapper

    return decorate


def _state(request: Request) -> ServingState:
    state: ServingState = request.app.state.serving
    return state


@answers()
async def health(request: Request) -> Response:
    """Health of the server and the served model (also ``/ping``)."""
    status, body = health_answer(_state(request))
    return json_response(body, status)


@answers()
async def version(_request: Request) -> Response:
    """The psystock version."""
    return json_response({"version": __version__})


@answers()
async def metrics(request: Request) -> Response:
    """Prometheus metrics, merged across workers."""
    body, content_type = _state(request).metrics.render()
    return Response(body, media_type=content_type)


@answers()
async def openapi(request: Request) -> Response:
    """The OpenAPI 3 description of every route, for the served model."""
    return Response(_state(request).openapi_document(), media_type="application/json")


@answers()
async def docs(_request: Request) -> Response:
    """Swagger UI on /openapi.json, from package data (no CDN)."""
    return HTMLResponse(render_docs_page("psystock API"))


@answers(v2=True)
async def v2_server_metadata(_request: Request) -> Response:
    """V2 server metadata."""
    return json_response({"name": "psystock", "version": __version__, "extensions": []})


@answers(v2=True)
async def v2_live(_request: Request) -> Response:
    """V2 liveness: the process answers."""
    return json_response({"live": True})


@answers(v2=True)
async def v2_ready(request: Request) -> Response:
    """V2 readiness: a model is loaded."""
    ready = _state(request).holder.model is not None
    return json_response({"ready": ready}, 200 if ready else 503)


def _model_for(request: Request) -> LoadedModel:
    """The served model if the path names it (and its version, when given), else 404."""
    params = request.path_params
    return _state(request).model_named(params["name"], params.get("version"))


@answers(v2=True)
async def v2_model_metadata(request: Request) -> Response:
    """V2 model metadata: name, versions, platform, inputs and outputs."""
    model = _model_for(request)
    return json_response(
        {
            "name": served_name(model),
            "versions": [model.info.version] if model.info.version else [],
            "platform": PLATFORMS.get(model.info.flavor, model.info.flavor),
            "inputs": metadata_inputs(model.schema, model.n_features),
            "outputs": [{"name": "predict", "datatype": "FP32", "shape": [-1]}],
        }
    )


@answers(v2=True)
async def v2_model_ready(request: Request) -> Response:
    """V2 model readiness."""
    _model_for(request)
    return json_response({"name": request.path_params["name"], "ready": True})


async def v2_infer_other_methods(_request: Request) -> Response:
    """Never called: the hot path answers POST and the route answers 405 to other methods."""
    raise HTTPException(405)  # pragma: no cover


WEBHOOK_BODY_LIMIT = 64 << 10
"""A registry event is a few hundred bytes."""


@answers()
async def registry_events(request: Request) -> Response:
    """A registry webhook delivery: verified, then the model is checked at once."""
    state = _state(request)
    if state.webhook is None:
        message = f"POST {WEBHOOK_PATH}: this server registered no registry webhook"
        return json_response({"error_code": "ENDPOINT_NOT_FOUND", "message": message}, 404)
    headers = RequestHeaders.from_scope(request.scope)
    body = await read_body(request.receive, headers, WEBHOOK_BODY_LIMIT)
    return json_response(state.webhook.receive(dict(request.scope["headers"]), body))


def build_routes() -> list[BaseRoute]:
    """Every route the Starlette app serves (the docs page's static files included)."""
    model = "/v2/models/{name}"
    versioned = "/v2/models/{name}/versions/{version}"
    return [
        Route("/health", health, methods=["GET"]),
        Route("/ping", health, methods=["GET"]),
        Route("/version", version, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/docs", docs, methods=["GET"]),
        Mount(STATIC_ROUTE, StaticFiles(packages=[STATIC_PACKAGE]), name="docs-static"),
        Route(WEBHOOK_PATH, registry_events, methods=["POST"]),
        Route("/v2", v2_server_metadata, methods=["GET"]),
        Route("/v2/health/live", v2_live, methods=["GET"]),
        Route("/v2/health/ready", v2_ready, methods=["GET"]),
        Route(model, v2_model_metadata, methods=["GET"]),
        Route(versioned, v2_model_metadata, methods=["GET"]),
        Route(f"{model}/ready", v2_model_ready, methods=["GET"]),
        Route(f"{versioned}/ready", v2_model_ready, methods=["GET"]),
        Route(V2_INFER_ROUTE, v2_infer_other_methods, methods=["POST"]),
        Route(V2_VERSIONED_INFER_ROUTE, v2_infer_other_methods, methods=["POST"]),
    ]
