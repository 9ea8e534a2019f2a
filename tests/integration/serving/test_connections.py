"""No client stalls the others: header size and time limits, body time limit, under load."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from psystock.serving import BackgroundServer
from tests.integration.serving.conftest import BOOK_ROW


@pytest.fixture
def guarded_api(
    start_api: Callable[..., BackgroundServer], registered_model: Any
) -> BackgroundServer:
    return start_api(
        registered_model.uri, max_header_bytes=8192, header_timeout_s=1.0, body_timeout_s=1.0
    )


def _connect(api: BackgroundServer) -> socket.socket:
    address = urlparse(api.url)
    sock = socket.create_connection((address.hostname, address.port))
    sock.settimeout(10)
    return sock


def _read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_headers_over_the_limit_get_a_431(guarded_api: BackgroundServer) -> None:
    response = httpx.get(f"{guarded_api.url}/health", headers={"X-Big": "a" * 20000})
    assert response.status_code == 431
    assert response.json()["message"] == "request line and headers over the limit of 8192 bytes"
    assert httpx.get(f"{guarded_api.url}/health").status_code == 200


def test_a_128_mb_header_gets_a_431_the_sending_client_can_read(
    guarded_api: BackgroundServer,
) -> None:
    started = time.monotonic()
    with _connect(guarded_api) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ")
        for _ in range(128 * 16):
            sock.sendall(b"a" * 65536)
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert time.monotonic() - started < 10


def test_partial_headers_are_dropped_after_the_header_timeout(
    guarded_api: BackgroundServer,
) -> None:
    started = time.monotonic()
    with _connect(guarded_api) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert 0.8 < time.monotonic() - started < 5


def test_an_idle_keep_alive_connection_is_closed(guarded_api: BackgroundServer) -> None:
    with _connect(guarded_api) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        first = sock.recv(65536)
        started = time.monotonic()
        assert first.startswith(b"HTTP/1.1 200 OK")
        assert _read_until_closed(sock) == b""
    assert time.monotonic() - started < 5


def test_a_body_that_stops_arriving_is_dropped_after_the_body_timeout(
    guarded_api: BackgroundServer,
) -> None:
    started = time.monotonic()
    with _connect(guarded_api) as sock:
        sock.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"instances": '
        )
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert 0.8 < time.monotonic() - started < 5
    assert httpx.post(f"{guarded_api.url}/invocations", json={"instances": [BOOK_ROW]}).is_success


def _load(url: str, seconds: float, latencies: list[float], errors: list[str]) -> None:
    body = {"instances": [BOOK_ROW]}
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=10) as client:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = client.post("/invocations", json=body)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors.append(response.text)


def _p99(url: str, seconds: float = 4.0, threads: int = 4) -> float:
    latencies: list[float] = []
    errors: list[str] = []
    workers = [
        threading.Thread(target=_load, args=(url, seconds, latencies, errors))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors
    latencies.sort()
    return latencies[int(len(latencies) * 0.99)]


@pytest.fixture
def attackers(guarded_api: BackgroundServer) -> Iterator[None]:
    """A huge header, 200 slowloris connections and a stalled body, all at once."""
    stop = threading.Event()

    def huge_header() -> None:  # one 128 MB header, sent as fast as the socket takes it
        with contextlib.suppress(OSError), _connect(guarded_api) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ")
            chunk = b"a" * (1 << 20)
            for _ in range(128):
                if stop.is_set():
                    return
                sock.sendall(chunk)

    def slowloris() -> None:  # 100 connections trickling a header, one byte a second each
        socks = [_connect(guarded_api) for _ in range(100)]
        while not stop.wait(1.0):
            for sock in socks:
                with contextlib.suppress(OSError):  # closed by the header timeout: expected
                    sock.send(b"X")
        for sock in socks:
            sock.close()

    def stalled_body() -> None:
        while not stop.is_set():
            sock = _connect(guarded_api)
            sock.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\n{")
            stop.wait(2)
            sock.close()

    threads = [threading.Thread(target=attack) for attack in (huge_header, slowloris, stalled_body)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    yield
    stop.set()
    for thread in threads:
        thread.join(30)


def test_hostile_clients_do_not_stall_the_others(
    guarded_api: BackgroundServer, request: pytest.FixtureRequest
) -> None:
    _p99(guarded_api.url, seconds=1.0)  # warm-up
    quiet = _p99(guarded_api.url)
    request.getfixturevalue("attackers")
    attacked = _p99(guarded_api.url)
    assert attacked <= 2 * quiet + 0.002, (
        f"p99 {attacked * 1000:.1f} ms vs quiet {quiet * 1000:.1f} ms"
    )


def _write_calls() -> int:
    """``write``-family system calls made so far by this process (the server runs in it)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("syscw:"):
            return int(line.split()[1])
    raise AssertionError("no syscw in /proc/self/io")


def test_each_answer_leaves_in_one_write(guarded_api: BackgroundServer) -> None:
    """Head and body of an answer go out in one system call (``OneWriteCycle``), not two."""
    requests = 200
    with _connect(guarded_api) as sock:
        request = b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"  # keep-alive: one connection for all
        sock.sendall(request)
        sock.recv(65536)  # the first answer: the connection is warm
        before = _write_calls()
        for _ in range(requests):
            sock.sendall(request)
            assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK\r\n")
        writes = _write_calls() - before  # the server's; sendall is send(2), not counted
    assert writes < 1.5 * requests  # two writes an answer would make 2x
