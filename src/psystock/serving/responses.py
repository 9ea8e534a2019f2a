"""JSON encoding of answers, and errors turned into HTTP answers (the API's error boundary).

A ``PsystockError`` becomes its ``http_status`` and MLflow's wire format
``{"error_code": ..., "message": ..., ...details}``; anything else becomes a 500 with a
generic message while the traceback goes to the log. Whatever a message or a detail quotes of
the request (a column name, a cell) is cut to about ``ECHO_LIMIT`` characters: a 9 MB column
name is not sent back. Prediction routes of the Open Inference
Protocol add ``"error"`` (the protocol's field) with the same message.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from psystock.errors import AuthenticationError, PsystockError

logger = logging.getLogger(__name__)

JSON_HEADERS = ((b"content-type", b"application/json"),)
INTERNAL_ERROR_MESSAGE = "internal server error: the failure was logged; the server keeps serving"

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
ECHO_LIMIT = 200
"""Most characters of a request echoed by one detail of an error answer."""
MESSAGE_LIMIT = 2 * ECHO_LIMIT + 200
"""Longest error message: psystock's own words around at most two echoes."""


def dumps(content: Any) -> bytes:
    """Encode ``content`` as JSON; numpy arrays and pandas objects included, NaN as null."""
    return orjson.dumps(content, default=_default, option=_OPTIONS)


def _default(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and hasattr(value, "columns"):  # a pandas DataFrame: MLflow's records
        return to_dict(orient="records")
    tolist = getattr(value, "tolist", None)
    if callable(tolist):  # numpy arrays orjson cannot take directly, numpy scalars, Series
        return tolist()
    return str(value)


def predictions_body(prediction: Any, *, is_wrapped: bool) -> bytes:
    """The answer to a prediction request: ``{"predictions": [...]}`` or a bare list (1.x)."""
    return dumps({"predictions": prediction} if is_wrapped else prediction)


def error_answer(
    error: BaseException, *, v2: bool = False
) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """Status, JSON body and extra headers answering ``error``.

    Unexpected errors are logged with their traceback and answered with a generic 500.
    """
    if isinstance(error, PsystockError):
        content = {key: clip(value) for key, value in error.to_json().items()}
        content["message"] = clip(error.message, MESSAGE_LIMIT)
        status = int(error.http_status)
    else:
        logger.error("unexpected error while answering a request", exc_info=error)
        content = {"error_code": "INTERNAL_ERROR", "message": INTERNAL_ERROR_MESSAGE}
        status = 500
    if v2:
        content = {"error": content["message"], **content}
    headers = list(JSON_HEADERS)
    if isinstance(error, AuthenticationError):
        headers.append((b"www-authenticate", b'Bearer realm="psystock"'))
    return status, dumps(content), headers


def clip(value: Any, limit: int = ECHO_LIMIT) -> Any:
    """``value`` with any string in it cut to about ``limit`` characters (head and tail kept)."""
    if isinstance(value, str):
        if len(value) <= limit:
            return value
        tail = limit // 4
        omitted = len(value) - limit
        return f"{value[: limit - tail]}...[{omitted} characters omitted]...{value[-tail:]}"
    if isinstance(value, list):
        return [clip(item, limit) for item in value[:20]]
    return value
