"""``HttpTransport`` against servers that are not a healthy MLflow: a real HTTP server in a
thread answers what a proxy, an auth gateway or a broken server would."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from psystock.errors import RegistryError
from psystock.registry.models import list_versions
from psystock.registry.transport.http import HttpTransport
from psystock.settings import Settings
from tests.conftest import free_port

ANSWERS: dict[str, tuple[int, str, str]] = {
    "/auth": (401, "text/plain", "Unauthorized"),
    "/html": (502, "text/html", "<html><body>Bad Gateway</body></html>\n"),
    "/notjson": (200, "text/plain", "hello"),
    "/list": (200, "application/json", "[1, 2]"),
    "/empty": (500, "text/plain", ""),
}


class _Handler(BaseHTTPRequestHandler):
    seen_headers: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        prefix = "/" + self.path.split("/")[1]
        status, content_type, body = ANSWERS[prefix]
        type(self).seen_headers = dict(self.headers)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def transport(url: str, **settings: object) -> HttpTransport:
    return HttpTransport(Settings(tracking_uri=url, **settings))  # type: ignore[arg-type]


def test_credentials_refused_say_which_variables_to_set(server: str) -> None:
    with (
        transport(f"{server}/auth") as http,
        pytest.raises(
            RegistryError,
            match=rf"^registry {server}/auth answered HTTP 401: set MLFLOW_TRACKING_TOKEN, or "
            r"MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD$",
        ),
    ):
        http.get_model_version("m", "1")


def test_a_bearer_token_is_sent(server: str) -> None:
    with (
        transport(f"{server}/auth", tracking_token="t0k3n") as http,
        pytest.raises(RegistryError, match="answered HTTP 401"),
    ):
        http.get_model_version("m", "1")

    assert _Handler.seen_headers["Authorization"] == "Bearer t0k3n"


def test_basic_auth_is_sent(server: str) -> None:
    with (
        transport(f"{server}/auth", tracking_username="me", tracking_password="pw") as http,
        pytest.raises(RegistryError, match="answered HTTP 401"),
    ):
        http.get_model_version("m", "1")

    assert _Handler.seen_headers["Authorization"] == "Basic bWU6cHc="


def test_a_proxy_error_page_is_quoted_by_its_first_line(server: str) -> None:
    with (
        transport(f"{server}/html") as http,
        pytest.raises(
            RegistryError,
            match=rf"^registry {server}/html answered HTTP 502: "
            r"<html><body>Bad Gateway</body></html>$",
        ),
    ):
        http.get_model_version("m", "1")


def test_an_empty_error_says_the_status(server: str) -> None:
    with (
        transport(f"{server}/empty") as http,
        pytest.raises(
            RegistryError,
            match=rf"^registry {server}/empty answered HTTP 500: Internal Server Error$",
        ),
    ):
        http.get_model_version("m", "1")


@pytest.mark.parametrize(
    ("path", "got"), [("/notjson", "expected JSON from "), ("/list", "expected a JSON object")]
)
def test_a_body_that_is_not_a_json_object_is_an_error(server: str, path: str, got: str) -> None:
    with transport(f"{server}{path}") as http, pytest.raises(RegistryError, match=f"^{got}"):
        http.get_model_version("m", "1")


def test_an_operation_says_what_it_was_doing(server: str) -> None:
    settings = Settings(tracking_uri=f"{server}/html")

    with pytest.raises(
        RegistryError,
        match=rf"^listing versions of training-model-psystock at {server}/html: registry "
        rf"{server}/html answered HTTP 502",
    ):
        list_versions(settings)


def test_nothing_listening_is_unreachable_with_the_way_out() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with (
        transport(url) as http,
        pytest.raises(
            RegistryError,
            match=rf"^registry {url} unreachable \(connection refused\): start the local one "
            r"with `psystock registry up`, or set MLFLOW_TRACKING_URI$",
        ),
    ):
        http.list_webhooks()


def test_a_json_body_of_an_error_is_mlflow_s_message(server: str) -> None:
    ANSWERS["/mlflowerror"] = (
        400,
        "application/json",
        json.dumps({"error_code": "INVALID_PARAMETER_VALUE", "message": "bad name"}),
    )
    with (
        transport(f"{server}/mlflowerror") as http,
        pytest.raises(RegistryError, match=r"^bad name$"),
    ):
        http.search_model_versions("m")
