"""The /docs page in a real browser (Debian's chromium, headless, driven by Playwright).

The page loads from this server alone (no CDN, no failed request), lists every operation of
/openapi.json, and "Try it out" on POST /invocations, prefilled with the book's row, gets a
prediction from this server.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from psystock.serving import BackgroundServer
from tests.conftest import require

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR_VARIABLE = "TEST_SCREENSHOT_DIR"
"""When set, the page's screenshot is also copied there (to look at it)."""


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require(Path(CHROMIUM).is_file(), f"Debian's chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # an empty --user-data-dir
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 2200},
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def test_docs_page_loads_from_this_server_lists_every_route_and_tries_a_prediction(
    api: BackgroundServer, client: httpx.Client, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    requested: list[str] = []
    failed: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: failed.append(f"{request.url}: {request.failure}"))
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.url}: {response.status}") if response.status >= 400 else None
        ),
    )

    page.goto(f"{api.url}/docs", wait_until="networkidle")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)

    shown = {
        (
            block.query_selector(".opblock-summary-method").inner_text().strip().upper(),
            block.query_selector(".opblock-summary-path").get_attribute("data-path"),
        )
        for block in page.query_selector_all(".opblock")
    }
    spec = client.get("/openapi.json").json()
    described = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    assert shown == described

    operation = page.locator(".opblock-post", has=page.locator("[data-path='/invocations']"))
    operation.locator(".opblock-summary").click()
    body = operation.locator(".body-param__text")
    prefilled = json.loads(body.input_value())
    assert prefilled == {"dataframe_split": {"data": [[1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]]}}
    operation.locator("button.execute").click()
    answer = operation.locator(
        ".live-responses-table tr.response .response-col_description pre"
    ).first
    answer.wait_for(timeout=30_000)
    status = operation.locator(
        ".live-responses-table tr.response .response-col_status"
    ).first.inner_text()
    assert status.strip() == "200"
    predictions = json.loads(answer.inner_text())["predictions"]
    assert len(predictions) == 1
    assert 0.0 <= predictions[0] <= 1.0

    screenshot = tmp_path / "docs.png"
    page.screenshot(path=str(screenshot), full_page=False)
    assert screenshot.stat().st_size > 10_000
    if os.environ.get(SCREENSHOT_DIR_VARIABLE):
        shutil.copy(screenshot, Path(os.environ[SCREENSHOT_DIR_VARIABLE]) / "docs.png")

    assert failed == []
    assert requested
    assert all(url.startswith(api.url) for url in requested), requested
    assert any(url.endswith("/invocations") for url in requested)
