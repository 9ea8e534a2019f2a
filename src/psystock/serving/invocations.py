"""The hot path: ``POST /invocations`` and ``POST /endpoints/{name}/invocations`` in plain ASGI.

No router, no request object: headers are read in one pass, the body under its size limit,
the payload parsed with orjson (or pyarrow's CSV reader) on the event loop and micro-batched.
The SageMaker runtime's path ``/endpoints/{name}/invocations`` accepts any endpoint name: this
server serves one model.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Coroutine
from typing import Any

from psystock.serving.asgi import (
    ClientDisconnectedError,
    Receive,
    RequestHeaders,
    Scope,
    Send,
    read_body,
    send_answer,
)
from psystock.serving.content_types import CONTENT_TYPE_CSV, parse_content_type
from psystock.serving.csv_payloads import parse_csv_body
from psystock.serving.payloads import parse_json_body
from psystock.serving.responses import JSON_HEADERS, error_answer, predictions_body
from psystock.serving.state import ServingState

logger = logging.getLogger(__name__)

INVOCATIONS_ROUTE = "/invocations"
ENDPOINT_INVOCATIONS_ROUTE = "/endpoints/{name}/invocations"


def invocations_route(path: str) -> str | None:
    """The route template ``path`` belongs to, or ``None`` when it is not an invocations path."""
    if path == INVOCATIONS_ROUTE:
        return INVOCATIONS_ROUTE
    if path.startswith("/endpoints/") and path.endswith(INVOCATIONS_ROUTE):
        name = path[len("/endpoints/") : -len(INVOCATIONS_ROUTE)]
        if name and "/" not in name:
            return ENDPOINT_INVOCATIONS_ROUTE
    return None


async def handle_invocations(
    state: ServingState, route: str, scope: Scope, receive: Receive, send: Send
) -> None:
    """Answer one prediction request; never raises (every failure becomes an answer)."""
    await respond(state, route, send, _predict(state, scope, receive))


async def respond(
    state: ServingState,
    route: str,
    send: Send,
    work: Coroutine[Any, Any, bytes],
    *,
    v2: bool = False,
) -> None:
    """Send the JSON body ``work`` makes, or the error answer of what it raised, and count it.

    The hot path's one error boundary (``v2``: the Open Inference Protocol's error format).
    """
    started = time.perf_counter()
    try:
        status, body, headers = 200, await work, JSON_HEADERS
    except ClientDisconnectedError:
        state.metrics.observe_request(route, 499, time.perf_counter() - started)
        return
    except Exception as exc:  # the API's error boundary: PsystockError or a 500
        status, body, headers = error_answer(exc, v2=v2)  # type: ignore[assignment]
    await send_answer(send, status, body, headers)
    state.metrics.observe_request(route, status, time.perf_counter() - started)


async def _predict(state: ServingState, scope: Scope, receive: Receive) -> bytes:
    headers = RequestHeaders.from_scope(scope)
    if state.auth is not None:
        state.auth.check(headers.authorization)
    content_type = parse_content_type(headers.content_type)
    body = await read_body(receive, headers, state.settings.serving.max_body_bytes)
    if content_type.mime == CONTENT_TYPE_CSV:
        payload = parse_csv_body(body, state.input_schema())
    else:
        payload = parse_json_body(body, content_type.pandas_orient)
    _, prediction = await state.predict(payload)
    return predictions_body(prediction, is_wrapped=payload.is_wrapped)
