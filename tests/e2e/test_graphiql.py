"""GraphiQL in a real headless Chromium (Debian's, driven by Playwright): the page loads with no network beyond
this server, a query typed into the editor runs, and its result shows."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from app.api.http import GRAPHIQL_ASSETS, GRAPHIQL_ASSETS_PATH, MeridianGraphQL
from app.api.schema import schema

from .conftest import Api
from .test_order_journey import network

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def test_the_graphiql_page_refers_only_to_files_this_server_has() -> None:
    page = MeridianGraphQL(schema, graphql_ide="graphiql").graphql_ide_html
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert len(assets) >= 7, assets
    for url in assets:
        assert url.startswith(f"{GRAPHIQL_ASSETS_PATH}/") or url.startswith("data:"), url
        if url.startswith(GRAPHIQL_ASSETS_PATH):
            assert (GRAPHIQL_ASSETS / url.removeprefix(f"{GRAPHIQL_ASSETS_PATH}/")).is_file(), url


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed here (`apt-get install chromium`)"
)
async def test_graphiql_runs_a_typed_query_in_headless_chromium(api: Api) -> None:
    from playwright.async_api import async_playwright

    await network(api)
    headers = json.dumps({"Authorization": f"Bearer {api.token()}"})
    outside: list[str] = []
    failed: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = await browser.new_page()
            page.on("request", lambda r: None if r.url.startswith((api.url, "data:")) else outside.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            response = await page.goto(f"{api.url}/graphql?headers={quote(headers)}", wait_until="networkidle")
            assert response is not None and response.status == 200

            editor = page.locator(".graphiql-query-editor .CodeMirror")
            await editor.wait_for(timeout=15_000)
            await editor.click()
            await page.keyboard.press("Control+A")
            await page.keyboard.press("Delete")
            # CodeMirror closes brackets as they open; typing the closing one steps over it.
            await page.keyboard.type("query Sites { locations { code } }", delay=5)
            await page.keyboard.press("Escape")  # close the autocomplete list if it opened
            await page.locator(".graphiql-execute-button").click()

            result = page.locator(".graphiql-response .CodeMirror")
            await page.wait_for_function(
                "() => (document.querySelector('.graphiql-response .CodeMirror')?.innerText || '').includes('RET')",
                timeout=15_000,
            )
            text = await result.inner_text()
        finally:
            await browser.close()
    assert '"locations"' in text and '"NWK"' in text and '"CHI"' in text, text
    assert outside == [], f"the page reached beyond this server: {outside}"
    assert failed == [], f"requests failed: {failed}"
