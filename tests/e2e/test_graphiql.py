"""GraphiQL in a real headless Chromium (Debian's, driven by Playwright): the page loads with no network beyond
this server, a query typed into the editor runs, and its result shows."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from graphql import parse, validate
from pydantic import SecretStr
from strawberry.http.ides import get_graphql_ide_html

from app.api.app import create_app
from app.api.graphiql import GRAPHIQL_ASSETS_PATH, STARTER_QUERY, graphiql_page
from app.api.http import GRAPHIQL_ASSETS, MeridianGraphQL
from app.api.schema import schema
from app.security import Role, issue_token
from app.settings import Settings

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


def test_the_starter_query_is_the_readmes_first_and_valid() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```graphql\n(.*?)```", readme, re.S)
    assert first is not None
    assert first.group(1).replace("query(", "query WhereItShipsFrom(", 1) in STARTER_QUERY
    assert "placeOrder(input:" in readme and "mutation PlaceOrder" in STARTER_QUERY
    assert validate(schema._schema, parse(STARTER_QUERY)) == []


def test_only_the_development_page_reads_a_token_and_neither_holds_one() -> None:
    strawberrys = get_graphql_ide_html(graphql_ide="graphiql")
    production = graphiql_page(strawberrys, development=False)
    assert production == MeridianGraphQL(schema, graphql_ide="graphiql").graphql_ide_html
    assert "devToken" not in production and "Bearer" not in production
    assert "WhereItShipsFrom" in production
    assert "devToken" in graphiql_page(strawberrys, development=True)


async def test_production_serves_graphiql_to_admins_only_and_without_the_token_script(
    database_url: str, tmp_path: Path
) -> None:
    secret = "p" * 40
    settings = Settings(
        MERIDIAN_ENV="production",
        MERIDIAN_JWT_SECRET=SecretStr(secret),
        MERIDIAN_WEBHOOK_SECRET=SecretStr("w" * 40),
        MERIDIAN_DATA_DIR=tmp_path,
    )
    app = create_app(settings, database_url)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://meridian") as client,
    ):
        html = {"accept": "text/html"}
        assert (await client.get("/graphql", headers=html)).status_code == 403
        admin = {**html, "authorization": f"Bearer {issue_token(SecretStr(secret), Role.ADMIN)}"}
        page = await client.get("/graphql", headers=admin)
    assert page.status_code == 200 and "WhereItShipsFrom" in page.text
    assert "devToken" not in page.text


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed here (`apt-get install chromium`)"
)
async def test_development_graphiql_opens_on_the_starter_query_with_the_token_in_its_headers(api: Api) -> None:
    from playwright.async_api import async_playwright, expect

    token = api.token()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = await browser.new_page()
            await page.goto(f"{api.url}/graphql#devToken={token}", wait_until="networkidle")
            editor = page.locator(".graphiql-query-editor .CodeMirror")
            await expect(editor).to_contain_text("query WhereItShipsFrom", timeout=15_000)
            await expect(editor).to_contain_text("mutation PlaceOrder")
            assert "devToken" not in page.url  # out of the address bar, and so of the history
            await page.get_by_role("button", name="Headers").click()
            headers = page.locator(".graphiql-editor-tool .CodeMirror").last
            await expect(headers).to_contain_text(f"Bearer {token}")
        finally:
            await browser.close()


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed here (`apt-get install chromium`)"
)
def introspection(response: Any) -> bool:
    return response.request.method == "POST" and "__schema" in (response.request.post_data or "")


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
            # The editor runs a query only once the schema has loaded: wait for its introspection's answer.
            async with page.expect_response(introspection):
                response = await page.goto(f"{api.url}/graphql?headers={quote(headers)}", wait_until="networkidle")
            assert response is not None and response.status == 200

            editor = page.locator(".graphiql-query-editor .CodeMirror")
            await editor.wait_for(timeout=15_000)
            await editor.click()
            await page.keyboard.press("Control+A")
            await page.keyboard.press("Delete")
            # Inserted as one input, as a paste is: key by key, the autocomplete list that opens on a loaded
            # machine took some of the keys (the editor read "}Sites { locations { code eryq").
            await page.keyboard.insert_text("query Sites { locations { code } }")
            # GraphiQL reads the edit (and so which operation to run) a moment later, as the page's address shows:
            # run it before, and it sends the starter's first operation name with this document.
            await page.wait_for_function("() => new URLSearchParams(location.search).get('q')?.includes('Sites')")
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
