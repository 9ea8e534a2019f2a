from __future__ import annotations

from psystock.serving.docs_page import render_docs_page, swagger_ui_version
from psystock.serving.invocations import ENDPOINT_INVOCATIONS_ROUTE, INVOCATIONS_ROUTE
from psystock.serving.openapi import build_openapi_spec
from psystock.serving.routes import build_routes


def test_openapi_spec_documents_every_route_with_its_methods() -> None:
    spec = build_openapi_spec("1.2.3")
    documented = {(path, method.upper()) for path, item in spec["paths"].items() for method in item}
    routes = {
        (getattr(route, "path", ""), method)
        for route in build_routes()
        for method in getattr(route, "methods", None) or ()  # the static files' Mount has none
    }
    routes -= {(path, "HEAD") for path, _ in routes}
    routes |= {(INVOCATIONS_ROUTE, "POST"), (ENDPOINT_INVOCATIONS_ROUTE, "POST")}
    assert documented == routes
    assert spec["info"]["version"] == "1.2.3"


def test_openapi_spec_references_resolve() -> None:
    spec = build_openapi_spec("0")
    schemas = spec["components"]["schemas"]

    def refs(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [ref for value in node.values() for ref in refs(value)]
        if isinstance(node, list):
            return [ref for value in node for ref in refs(value)]
        return []

    for ref in refs(spec):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in schemas, ref


def test_docs_page_loads_swagger_ui_from_this_server_by_relative_urls() -> None:
    page = render_docs_page("psystock <API>")
    assert page.startswith("<!doctype html>")
    assert "<title>psystock &lt;API&gt;</title>" in page
    version = swagger_ui_version()
    assert version.startswith("5.")
    assert f"src='docs/static/swagger-ui/swagger-ui-bundle.js?v={version}'" in page
    assert "src='docs/static/docs.js" in page
    assert "http" not in page


def test_curl_example_posts_the_books_row_to_the_given_url() -> None:
    from psystock.serving import curl_example

    command = curl_example("http://127.0.0.1:6000")
    assert command.startswith("curl -s http://127.0.0.1:6000/invocations ")
    assert "[[1,0,1,1,0,1,0,1,0,1,0,1,0,1]]" in command
