"""The ``/docs`` page: Swagger UI on ``/openapi.json``, served from package data (no CDN).

Swagger UI comes from the npm package ``swagger-ui-dist`` (Apache-2.0), vendored into
``static/swagger-ui`` by ``scripts/vendor-swagger-ui`` and served under ``/docs/static``; the
page and ``docs.js`` use relative URLs, so the page also works behind a path prefix. "Try it
out" is open on every operation and prefilled with the served model's example row, and its
requests go to the server that served the page.
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources

STATIC_ROUTE = "/docs/static"
STATIC_PACKAGE = ("psystock.serving", "static")


def curl_example(base_url: str = "http://HOST:PORT") -> str:
    """A curl command that scores the book's example row on the API at ``base_url``."""
    row = "[[1,0,1,1,0,1,0,1,0,1,0,1,0,1]]"
    return (
        f"curl -s {base_url}/invocations -H 'Content-Type: application/json' \\\n"
        f"""  -d '{{"dataframe_split": {{"data": {row}}}}}'"""
    )


def swagger_ui_version() -> str:
    """The vendored Swagger UI's version."""
    folder = resources.files(STATIC_PACKAGE[0]).joinpath(STATIC_PACKAGE[1], "swagger-ui")
    return folder.joinpath("VERSION").read_text(encoding="utf-8").strip()


@cache
def render_docs_page(title: str) -> str:
    """The HTML of ``/docs``: Swagger UI's assets from ``/docs/static``, then ``docs.js``."""
    static = f"docs{STATIC_ROUTE.removeprefix('/docs')}"
    version = escape(swagger_ui_version())
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<link rel='stylesheet' href='{static}/swagger-ui/swagger-ui.css?v={version}'>"
        "</head><body><div id='swagger-ui'></div>"
        f"<script src='{static}/swagger-ui/swagger-ui-bundle.js?v={version}'></script>"
        f"<script src='{static}/docs.js?v={version}'></script>"
        "</body></html>\n"
    )
