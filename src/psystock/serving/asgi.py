"""Low-level ASGI I/O of the hot path: headers, a body read under a size limit, answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from psystock.errors import PayloadError, PayloadTooLargeError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_LIMIT_WHAT = "request body size in bytes"


class ClientDisconnectedError(Exception):
    """The client went away before its body was read; there is nobody to answer."""


@dataclass(frozen=True)
class RequestHeaders:
    """The few request headers the hot path looks at (raw bytes, as ASGI gives them)."""

    content_type: bytes | None = None
    content_length: bytes | None = None
    authorization: bytes | None = None

    @classmethod
    def from_scope(cls, scope: Scope) -> RequestHeaders:
        """Pick the headers out of an ASGI HTTP scope in one pass."""
        content_type = content_length = authorization = None
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value
            elif name == b"content-length":
                content_length = value
            elif name == b"authorization":
                authorization = value
        return cls(content_type, content_length, authorization)


async def read_body(receive: Receive, headers: RequestHeaders, limit: int) -> bytes:
    """Read the whole request body, refusing more than ``limit`` bytes.

    ``Content-Length`` is checked first; the bytes actually streamed are counted too, so a
    chunked body or a lying header cannot get past the limit.

    Raises:
        PayloadTooLargeError: the body is over ``limit`` (HTTP 413).
        PayloadError: ``Content-Length`` is not a number.
        ClientDisconnectedError: the client disconnected.
    """
    if headers.content_length is not None:
        try:
            declared = int(headers.content_length)
        except ValueError:
            raise PayloadError(
                f"Content-Length: expected a number, got {headers.content_length!r}"
            ) from None
        if declared > limit:
            raise PayloadTooLargeError(BODY_LIMIT_WHAT, limit, declared)
    message = await receive()
    if message["type"] == "http.disconnect":
        raise ClientDisconnectedError
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        if len(body) > limit:
            raise PayloadTooLargeError(BODY_LIMIT_WHAT, limit, len(body))
        return body
    chunks = [body]
    size = len(body)
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnectedError
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(BODY_LIMIT_WHAT, limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def send_answer(
    send: Send, status: int, body: bytes, headers: Sequence[tuple[bytes, bytes]]
) -> None:
    """Send a complete answer with ``Content-Length``."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
