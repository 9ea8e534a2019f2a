"""Low-level ASGI I/O of the hot path: headers, a body read under a size limit, answers.

A body sent with ``Content-Encoding: gzip`` is decoded under the same limit, counted on the
decoded bytes, in bounded steps: a small "gzip bomb" stops at the limit with a 413 instead of
filling memory. Any other encoding is refused with 415.
"""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from psystock.errors import ContentEncodingError, PayloadError, PayloadTooLargeError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_LIMIT_WHAT = "request body size in bytes"
DECODED_LIMIT_WHAT = "decoded (gunzipped) request body size in bytes"
GZIP = b"gzip"
IDENTITY = b"identity"
ACCEPTED_ENCODINGS = ("gzip", "identity")
_GZIP_WINDOW = 16 + zlib.MAX_WBITS  # a gzip header and trailer around deflate data
_INFLATE_STEP = 1 << 20


class ClientDisconnectedError(Exception):
    """The client went away before its body was read; there is nobody to answer."""


@dataclass(frozen=True)
class RequestHeaders:
    """The few request headers the hot path looks at (raw bytes, as ASGI gives them)."""

    content_type: bytes | None = None
    content_length: bytes | None = None
    authorization: bytes | None = None
    content_encoding: bytes | None = None

    @classmethod
    def from_scope(cls, scope: Scope) -> RequestHeaders:
        """Pick the headers out of an ASGI HTTP scope in one pass."""
        content_type = content_length = authorization = content_encoding = None
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value
            elif name == b"content-length":
                content_length = value
            elif name == b"authorization":
                authorization = value
            elif name == b"content-encoding":
                content_encoding = value
        return cls(content_type, content_length, authorization, content_encoding)

    def check_encoding(self) -> bool:
        """Whether the body is gzipped (``False``: sent as is).

        Raises:
            ContentEncodingError: an encoding other than gzip or identity (HTTP 415).
        """
        encoding = self.content_encoding
        if encoding is None:
            return False
        encoding = encoding.strip().lower()
        if encoding == GZIP:
            return True
        if encoding in (IDENTITY, b""):
            return False
        raise ContentEncodingError(encoding.decode("latin-1"), ACCEPTED_ENCODINGS)


async def read_body(receive: Receive, headers: RequestHeaders, limit: int) -> bytes:
    """Read the whole request body, refusing more than ``limit`` bytes (gzip decoded).

    ``Content-Length`` is checked first; the bytes actually streamed are counted too, so a
    chunked body or a lying header cannot get past the limit. A gzipped body is decoded and
    the decoded size is held to the same limit.

    Raises:
        PayloadTooLargeError: the body is over ``limit`` (HTTP 413).
        PayloadError: ``Content-Length`` is not a number, or the gzip data is corrupt.
        ContentEncodingError: the body's encoding is not gzip or identity (HTTP 415).
        ClientDisconnectedError: the client disconnected.
    """
    is_gzipped = headers.check_encoding()
    body = await _read_raw_body(receive, headers, limit)
    return gunzip(body, limit) if is_gzipped else body


def gunzip(data: bytes, limit: int) -> bytes:
    """Decode gzip ``data`` (one member or several), refusing more than ``limit`` bytes out.

    Raises:
        PayloadTooLargeError: the decoded body is over ``limit``.
        PayloadError: ``data`` is not valid gzip.
    """
    out: list[bytes] = []
    size = 0
    pending = data
    try:
        while pending:
            inflater = zlib.decompressobj(_GZIP_WINDOW)
            chunk = inflater.decompress(pending, _INFLATE_STEP)
            while True:
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLargeError(DECODED_LIMIT_WHAT, limit)
                out.append(chunk)
                if not inflater.unconsumed_tail:
                    break
                chunk = inflater.decompress(inflater.unconsumed_tail, _INFLATE_STEP)
            if not inflater.eof:
                raise PayloadError("request body is not valid gzip: the data ends early")
            pending = inflater.unused_data
    except zlib.error as exc:
        raise PayloadError(f"request body is not valid gzip: {exc}") from exc
    return b"".join(out)


async def _read_raw_body(receive: Receive, headers: RequestHeaders, limit: int) -> bytes:
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
