"""The OpenAPI description covers every route, the docs page renders it, and a schema-driven
fuzz run (schemathesis) over the live server finds no 5xx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from psystock.serving import BackgroundServer


def test_openapi_describes_every_route_and_method(
    api: BackgroundServer, client: httpx.Client
) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"] == "3.1.0"
    described = {(path, method.upper()) for path, item in spec["paths"].items() for method in item}
    served = {
        (getattr(route, "path", ""), method)
        for route in api.app._starlette.routes
        for method in set(getattr(route, "methods", None) or ()) - {"HEAD"}
    }
    assert served == described
    invocations = spec["paths"]["/invocations"]["post"]
    assert set(invocations["requestBody"]["content"]) == {"application/json", "text/csv"}
    assert set(invocations["responses"]) == {"200", "400", "401", "413", "415", "500", "503"}
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error_code", "message"]


def test_docs_page_lists_every_path_without_external_resources(client: httpx.Client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for path in client.get("/openapi.json").json()["paths"]:
        assert f"<code>{path}</code>" in response.text
    assert "http://" not in response.text.replace("http://HOST:PORT", "")
    assert "https://" not in response.text
    assert "<script" not in response.text


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzing_the_openapi_description_finds_no_server_error(
    api: BackgroundServer, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json")
    model = api.app.state.holder.model
    assert model is not None
    served = {"name": model.info.name, "version": model.info.version}  # reach the model's routes
    cases = schema.as_strategy(mode) | schema.as_strategy(mode, path_parameters=served)

    @given(case=cases)
    @settings(
        max_examples=250, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def call(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(checks=[not_a_server_error])

    call()
    assert httpx.get(f"{api.url}/ping").status_code == 200
