"""The ``/docs`` page: plain HTML rendered from the OpenAPI description (no CDN, no script)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "code,pre{background:#f4f4f4;padding:.1rem .3rem}pre{padding:.6rem;overflow-x:auto}"
    ".method{font-weight:bold;text-transform:uppercase;margin-right:.5rem}"
    "section{border-top:1px solid #ddd;padding:.4rem 0}"
)


def curl_example(base_url: str = "http://HOST:PORT") -> str:
    """A curl command that scores the book's example row on the API at ``base_url``."""
    row = "[[1,0,1,1,0,1,0,1,0,1,0,1,0,1]]"
    return (
        f"curl -s {base_url}/invocations -H 'Content-Type: application/json' \\\n"
        f"""  -d '{{"dataframe_split": {{"data": {row}}}}}'"""
    )


def render_docs_page(spec: dict[str, Any]) -> str:
    """An HTML page listing every route of ``spec``: methods, bodies, examples, answers."""
    info = spec["info"]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{escape(info['title'])}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(info['title'])} {escape(info['version'])}</h1>",
        f"<p>{escape(info['description'])}</p>",
        f"<p>Try it:</p><pre>{escape(curl_example())}</pre>",
        "<p>The machine-readable description is <a href='/openapi.json'>/openapi.json</a>.</p>",
    ]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            parts.append(_operation(path, method, operation))
    parts.append("</body></html>")
    return "".join(parts)


def _operation(path: str, method: str, operation: dict[str, Any]) -> str:
    html = [
        f"<section><h3><span class='method'>{escape(method)}</span><code>{escape(path)}</code>"
        f"</h3><p>{escape(operation.get('summary', ''))}</p>"
    ]
    if "description" in operation:
        html.append(f"<p>{escape(operation['description'])}</p>")
    body = operation.get("requestBody")
    if body:
        html.append("<p>Request body:</p><ul>")
        for content_type, content in body["content"].items():
            html.append(f"<li><code>{escape(content_type)}</code>{_examples(content)}</li>")
        html.append("</ul>")
    html.append("<p>Answers:</p><ul>")
    for status, response in operation["responses"].items():
        html.append(f"<li><b>{escape(status)}</b> {escape(response['description'])}</li>")
    html.append("</ul></section>")
    return "".join(html)


def _examples(content: dict[str, Any]) -> str:
    examples = [content["example"]] if "example" in content else []
    examples += [example["value"] for example in content.get("examples", {}).values()]
    return "".join(
        f"<pre>{escape(example if isinstance(example, str) else json.dumps(example))}</pre>"
        for example in examples
    )
