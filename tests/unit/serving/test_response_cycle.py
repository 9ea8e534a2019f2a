import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from psystock.serving.response_cycle import OneWriteCycle

START = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]}


def in_loop(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    """Run an async test in a fresh event loop."""

    @functools.wraps(test)
    def run() -> None:
        asyncio.run(test())

    return run


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


class Flow:
    """The part of uvicorn's flow control a cycle's ``send`` looks at: writes never pause."""

    write_paused = False


def cycle(transport: RecordingTransport, *, method: str = "GET", keep_alive: bool = True) -> Any:
    options: dict[str, Any] = {  # the scope's keys that ``send`` reads, a stand-in flow
        "scope": {"type": "http", "method": method, "path": "/"},
        "transport": transport,
        "flow": Flow(),
        "logger": logging.getLogger("test"),
        "access_logger": logging.getLogger("test.access"),
        "access_log": False,
        "default_headers": [],
        "message_event": asyncio.Event(),
        "expect_100_continue": False,
        "keep_alive": keep_alive,
        "on_response": lambda: None,
    }
    return OneWriteCycle(**options)


@in_loop
async def test_head_and_body_leave_in_one_write() -> None:
    transport = RecordingTransport()
    answer = cycle(transport)
    await answer.send(START)
    assert transport.writes == []
    await answer.send({"type": "http.response.body", "body": b"hello"})
    assert len(transport.writes) == 1
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert transport.writes[0].endswith(b"\r\n\r\nhello")
    assert answer.response_complete
    assert answer.transport is transport


@in_loop
async def test_a_streamed_body_sends_its_later_parts_as_they_come() -> None:
    transport = RecordingTransport()
    answer = cycle(transport)
    await answer.send({"type": "http.response.start", "status": 200, "headers": []})
    await answer.send({"type": "http.response.body", "body": b"ab", "more_body": True})
    await answer.send({"type": "http.response.body", "body": b"cd", "more_body": False})
    assert len(transport.writes) == 2
    assert transport.writes[0].endswith(b"\r\n\r\n2\r\nab\r\n")
    assert transport.writes[1] == b"2\r\ncd\r\n0\r\n\r\n"


@in_loop
async def test_a_head_request_gets_its_head() -> None:
    transport = RecordingTransport()
    answer = cycle(transport, method="HEAD")
    await answer.send(START)
    await answer.send({"type": "http.response.body", "body": b""})
    assert len(transport.writes) == 1
    assert transport.writes[0].endswith(b"content-length: 5\r\n\r\n")


@in_loop
async def test_the_head_is_written_before_a_close() -> None:
    transport = RecordingTransport()
    answer = cycle(transport, keep_alive=False)
    await answer.send(START)
    await answer.send({"type": "http.response.body", "body": b"hello"})
    assert len(transport.writes) == 1
    assert transport.writes[0].endswith(b"hello")
    assert transport.closed


@in_loop
async def test_an_application_failing_after_the_head_still_sends_it_and_closes() -> None:
    transport = RecordingTransport()
    answer = cycle(transport)

    async def app(_scope: Any, _receive: Any, send: Any) -> None:
        await send(START)
        raise RuntimeError("boom")

    await answer.run_asgi(app)
    assert len(transport.writes) == 1
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK")
    assert transport.closed


@in_loop
async def test_nothing_is_written_to_a_closed_connection() -> None:
    transport = RecordingTransport()
    answer = cycle(transport)
    await answer.send(START)
    transport.closed = True
    answer.disconnected = True
    await answer.send({"type": "http.response.body", "body": b"hello"})
    assert transport.writes == []


@pytest.fixture(autouse=True)
def _quiet_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="test")
