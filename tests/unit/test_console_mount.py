"""/console serves the built console: hashed assets cached for good, index.html asked for every time, client-side
routes answered with index.html, and a page saying how to build it when there is no build."""

from __future__ import annotations

from pathlib import Path

import httpx
from starlette.applications import Starlette

from app.api.console import IMMUTABLE, NO_CACHE, console_routes


def client(dist: Path) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=Starlette(routes=console_routes(dist)))
    return httpx.AsyncClient(transport=transport, base_url="http://console.test")


def built(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>console</title>")
    (dist / "assets" / "index-abc123.js").write_text("console.log(1)")
    (dist / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    return dist


async def test_hashed_assets_are_immutable_and_the_page_is_never_cached(tmp_path: Path) -> None:
    async with client(built(tmp_path)) as http:
        asset = await http.get("/console/assets/index-abc123.js")
        assert asset.status_code == 200 and asset.headers["cache-control"] == IMMUTABLE
        assert "javascript" in asset.headers["content-type"]
        for path in ["/console/", "/console/orders/o-1", "/console/store/CHI"]:
            page = await http.get(path)
            assert page.status_code == 200 and page.headers["cache-control"] == NO_CACHE, path
            assert "<title>console</title>" in page.text
        not_hashed = await http.get("/console/favicon.svg")
        assert not_hashed.headers["cache-control"] == NO_CACHE  # a fixed name: revalidated


async def test_bare_console_redirects_to_the_app(tmp_path: Path) -> None:
    async with client(built(tmp_path)) as http:
        response = await http.get("/console", follow_redirects=False)
    assert response.status_code == 308 and response.headers["location"] == "/console/"


async def test_a_missing_asset_is_a_404_and_nothing_outside_the_build_is_served(tmp_path: Path) -> None:
    async with client(built(tmp_path)) as http:
        assert (await http.get("/console/assets/index-old999.js")).status_code == 404
        for path in ["/console/..%2Fsecret.txt", "/console/assets/..%2F..%2Fsecret.txt"]:
            assert "outside the build" not in (await http.get(path)).text, path


async def test_without_a_build_the_page_says_how_to_build_it(tmp_path: Path) -> None:
    async with client(tmp_path / "missing") as http:
        response = await http.get("/console/orders")
    assert response.status_code == 503
    assert "npm ci && npm run build" in response.text and response.headers["cache-control"] == NO_CACHE
