"""``POST /v2/models/{name}[/versions/{version}]/infer`` on the hot path, in plain ASGI.

The Open Inference Protocol's predictions take the same road as ``/invocations``: no router,
no request object, headers read in one pass, the body under its limit, parsed with orjson and
micro-batched; errors answer in the protocol's format (``"error"`` beside MLflow's fields).
"""

from __future__ import annotations

from psystock.errors import ContentTypeError
from psystock.serving.asgi import Receive, RequestHeaders, Scope, Send, read_body
from psystock.serving.content_types import CONTENT_TYPE_JSON, parse_content_type
from psystock.serving.inference_protocol import infer_answer, parse_infer_body
from psystock.serving.invocations import respond
from psystock.serving.responses import dumps
from psystock.serving.state import ServingState, served_name

V2_INFER_ROUTE = "/v2/models/{name}/infer"
V2_VERSIONED_INFER_ROUTE = "/v2/models/{name}/versions/{version}/infer"
_PREFIX = "/v2/models/"
_SUFFIX = "/infer"


def v2_infer_target(path: str) -> tuple[str, str, str | None] | None:
    """The route template, model name and version ``path`` names, or None if not an infer path."""
    if not (path.startswith(_PREFIX) and path.endswith(_SUFFIX)):
        return None
    parts = path[len(_PREFIX) : -len(_SUFFIX)].split("/")
    if len(parts) == 1 and parts[0]:
        return V2_INFER_ROUTE, parts[0], None
    if len(parts) == 3 and parts[1] == "versions" and parts[0] and parts[2]:
        return V2_VERSIONED_INFER_ROUTE, parts[0], parts[2]
    return None


async def handle_v2_infer(
    state: ServingState,
    target: tuple[str, str, str | None],
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """Answer one V2 inference request; never raises (every failure becomes an answer)."""
    route, name, version = target
    await respond(state, route, send, _infer(state, name, version, scope, receive), v2=True)


async def _infer(
    state: ServingState, name: str, version: str | None, scope: Scope, receive: Receive
) -> bytes:
    headers = RequestHeaders.from_scope(scope)
    if state.auth is not None:
        state.auth.check(headers.authorization)
    if headers.content_type is not None:
        _require_json(headers.content_type)
    state.model_named(name, version)
    body = await read_body(receive, headers, state.settings.serving.max_body_bytes)
    inference = parse_infer_body(body)
    model, prediction = await state.predict(inference.payload)
    return dumps(infer_answer(prediction, served_name(model), model.info.version, inference.id))


def _require_json(content_type: bytes) -> None:
    try:
        is_json = parse_content_type(content_type).mime == CONTENT_TYPE_JSON
    except ContentTypeError:
        is_json = False
    if not is_json:
        raise ContentTypeError(content_type.decode("latin-1"), (CONTENT_TYPE_JSON,))
