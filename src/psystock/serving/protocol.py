"""HTTP/1.1 connections no client can hold hostage: uvicorn's httptools protocol, with limits.

uvicorn parses requests with httptools (the fastest of its parsers) but bounds neither the size
of a request's headers nor the time they, or a body, take to arrive: a 128 MB header kept every
other client waiting for seconds, and a connection that stops half-way through its headers
stayed open for good. This subclass adds, per connection:

- **header size**: more than ``max_header_bytes`` of request line and headers is answered 431
  and the connection closed (the parser never sees the rest);
- **header time**: the next request's line and headers must be complete within
  ``header_timeout_s`` of the connection's start or of the previous answer, else 408 (when
  something arrived) and close; this is also the keep-alive idle timeout;
- **body time**: a body must be complete within ``body_timeout_s`` of its headers, else 408
  and close (the application sees a disconnect);
- **drain**: when the application answers before reading the whole body (413, 401...), the
  rest is read and discarded, at most ``DRAIN_BYTES`` within the header timeout, so a client
  that is still sending gets to read the answer instead of a connection reset.

Each request's cycle is a ``OneWriteCycle``: an answer's head and body leave in one write.

Measured before choosing this: granian 2.8.9 enforces header size and time natively but served
half the requests per second of uvicorn with httptools on this machine (13-15k vs 30-33k/s for
a constant answer, one worker, 8 connections), which the API's speed targets cannot afford.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from psystock.serving.response_cycle import OneWriteCycle

DRAIN_BYTES = 256 << 20
"""Most bytes of an unread request body discarded after an early answer before closing."""


@dataclass(frozen=True)
class ConnectionLimits:
    """Per-connection bounds (from ``ServingSettings``)."""

    max_header_bytes: int = 32 << 10
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0


def _plain_answer(status: bytes, message: str) -> bytes:
    body = json.dumps({"error_code": "BAD_REQUEST", "message": message}).encode()
    return b"".join(
        [
            b"HTTP/1.1 ",
            status,
            b"\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ",
            str(len(body)).encode(),
            b"\r\n\r\n",
            body,
        ]
    )


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with header size, header time and body time limits.

    The limits come from ``config.connection_limits`` (``PsystockConfig``), defaults otherwise.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._limits: ConnectionLimits = getattr(
            self.config, "connection_limits", ConnectionLimits()
        )
        self._reading_headers = True
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._refused = False
        self._drained = 0

    # Connection events
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Accept the connection and start the clock on its first request's headers."""
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clocks, then let uvicorn clean up."""
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Feed the parser, unless the connection is only being drained; enforce the limits."""
        if self._refused or self._is_draining():
            self._drain(len(data))
            if self._refused:
                return
        super().data_received(data)
        if self._reading_headers:
            self._header_bytes += len(data)
            if self._header_bytes > self._limits.max_header_bytes and not self._refused:
                self._refuse_headers()
        elif self._body_timer is None and self._is_reading_body():
            self._body_timer = self.loop.call_later(self._limits.body_timeout_s, self._body_late)

    # Parser callbacks
    def on_message_begin(self) -> None:
        """A request starts: its headers are being read."""
        self._reading_headers = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        """Check the headers' size before uvicorn starts the application."""
        self._reading_headers = False
        self._header_bytes = 0
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self._limits.max_header_bytes:
            self._refuse_headers()
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        """Pass body bytes on (nothing is left to receive them once headers were refused)."""
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        """The whole body arrived: stop its clock."""
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        if not self._refused:
            super().on_message_complete()

    def on_response_complete(self) -> None:
        """An answer went out: the next request's headers are timed from now."""
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._arm_header_timer()

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        """Run the application on ``cycle``, made a ``OneWriteCycle`` before it starts."""
        cycle.__class__ = OneWriteCycle  # uvicorn builds the cycle inline; same state, one write
        super()._start_asgi_task(cycle, app)

    # Limits
    def _arm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
        self._header_timer = self.loop.call_later(self._limits.header_timeout_s, self._headers_late)

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self._header_bytes and not self._refused:  # part of a request head, no more
            self.transport.write(
                _plain_answer(b"408 Request Timeout", "request headers not complete in time")
            )
        self.transport.close()

    def _body_late(self) -> None:
        self._body_timer = None
        cycle = self.cycle
        if self.transport.is_closing() or not self._is_reading_body():
            return
        if not cycle.response_started:
            self.transport.write(
                _plain_answer(b"408 Request Timeout", "request body not complete in time")
            )
        cycle.disconnected = True  # the application's receive() sees a disconnect
        cycle.message_event.set()
        self.transport.close()

    def _refuse_headers(self) -> None:
        """Answer 431 and discard whatever else the client sends, within the drain bound."""
        self._refused = True
        limit = self._limits.max_header_bytes
        self.transport.write(
            _plain_answer(
                b"431 Request Header Fields Too Large",
                f"request line and headers over the limit of {limit} bytes",
            )
        )
        self._arm_header_timer()  # bounds the drain in time

    def _is_reading_body(self) -> bool:
        cycle = self.cycle
        return cycle is not None and cycle.more_body and not self._reading_headers

    def _is_draining(self) -> bool:
        cycle = self.cycle
        return cycle is not None and cycle.response_complete and cycle.more_body

    def _drain(self, size: int) -> None:
        self._drained += size
        if self._drained > DRAIN_BYTES:
            self.transport.close()

    def _cancel_timers(self) -> None:
        for timer in (self._header_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._header_timer = self._body_timer = None
