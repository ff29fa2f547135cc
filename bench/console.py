"""Console bench: Lighthouse-style budgets for the operations console, measured in Debian's Chromium.

Run `python bench/console.py` (add `--quick` for a smoke run of three runs each). On a fresh database seeded
with the demo network (app/seed.py) it starts `meridian serve` and one `meridian worker` as separate processes,
places a few orders and waits for them to be sourced; or, with `--url` and `--token` (an admin's), it measures a
Meridian already running (`make run`'s, say), whose orders it opens but never changes.

- **Entry bundle**: the scripts and styles the console's index.html loads, as the server serves them, raw and
  gzipped (level 9, as `npm run budget` counts them).
- **First screen interactive**: in a new browser context each run (a first visit: empty cache), from navigation
  start to the sign-in form painted (its token field enabled, its Sign in button there: the first contentful
  paint past) with no long task (PerformanceObserver `longtask`, > 50 ms) for a quiet window after it: the end of
  the last long task before that window, or the form's moment if later. Lighthouse waits 5 s of quiet; this
  waits QUIET_MS. First contentful paint is printed too. Target < 1500 ms.
- **Order page after navigation**: signed in, on the orders list, from the click on an order's link (a
  different order each run, never in the page's cache) to its timeline rendered (the `Timeline` heading and the
  `Order placed` entry in the DOM). Target < 300 ms.

No throttling (of CPU or network): the browser and the server share this machine, over loopback. Prints one JSON
object per line, medians of the runs, each with its target beside it; nothing here asserts a figure.
DATABASE_URL names the PostgreSQL server; REDIS_URL the Redis.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder heads sys.path; the project root must come first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import gzip
import random
import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from app.security import Role, issue_token
from app.seed import demo_skus
from app.seed import seed as seed_demo
from bench._common import Databases, emit, server_dsn, server_settings
from bench._network import PLACE_ORDER, admin_headers, cart, seeded_database, settled
from bench._processes import SECRET, Cluster

BENCH = "console"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
QUIET_MS = 1000
FIRST_SCREEN_TARGET_MS = 1500
ORDER_PAGE_TARGET_MS = 300
ORDERS_LIST = "{ orders(first: 20) { edges { node { id } } } }"

# Installed before the console's own scripts: long tasks, and the moment the sign-in form is there to type into
# (its button stays disabled until a token is typed: the field taking input is what "interactive" means here).
WATCH_FIRST_SCREEN = """
window.__bench = { longTasks: [], ready: null };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.longTasks.push(e.startTime + e.duration);
}).observe({ type: "longtask", buffered: true });
const signInReady = () => {
  if (window.__bench.ready !== null) return;
  const button = [...document.querySelectorAll("button")].some((b) => b.textContent.trim() === "Sign in");
  const field = document.querySelector("textarea, input");
  if (button && field && !field.disabled) window.__bench.ready = performance.now();
};
new MutationObserver(signInReady).observe(document, { childList: true, subtree: true, attributes: true });
"""
# Resolves, once the page has been quiet for QUIET_MS after the form was ready, to the interactive moment.
INTERACTIVE = """(quiet) => {
  const b = window.__bench;
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  if (b.ready === null || paint === undefined) return false;
  const busy = Math.max(b.ready, paint.startTime, ...b.longTasks);
  return performance.now() - busy >= quiet ? busy : false;
}"""
FIRST_PAINT = "() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"
# Armed on the orders list: the click's moment, and the moment the order's timeline is in the DOM.
WATCH_NAVIGATION = """() => {
  window.__nav = { clicked: null, rendered: null };
  document.addEventListener("click", () => { window.__nav.clicked ??= performance.now(); }, { capture: true });
  const shown = () =>
    [...document.querySelectorAll("h2")].some((h) => h.textContent.trim() === "Timeline") &&
    [...document.querySelectorAll("td")].some((td) => td.textContent.trim() === "Order placed");
  const observer = new MutationObserver(() => {
    if (window.__nav.clicked !== null && shown()) {
      window.__nav.rendered = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
}"""
RENDERED = "() => window.__nav.rendered !== null && window.__nav.rendered - window.__nav.clicked"


@dataclass(frozen=True)
class Plan:
    runs: int
    orders: int


FULL = Plan(runs=11, orders=12)
QUICK = Plan(runs=3, orders=3)


async def entry_bundle(url: str) -> dict[str, dict[str, int]]:
    """{"js": {"raw": bytes, "gzip": bytes}, "css": ...}: what the console's index.html loads."""
    sizes = {kind: {"raw": 0, "gzip": 0} for kind in ("js", "css")}
    async with httpx.AsyncClient(timeout=30) as client:
        page = (await client.get(f"{url}/console/")).text
        for asset in re.findall(r'(?:src|href)="(/console/assets/[^"]+\.(?:js|css))"', page):
            body = (await client.get(f"{url}{asset}")).content
            kind = "js" if asset.endswith(".js") else "css"
            sizes[kind]["raw"] += len(body)
            sizes[kind]["gzip"] += len(gzip.compress(body, compresslevel=9))
    return sizes


async def first_screen(browser: Any, url: str) -> tuple[float, float]:
    """(interactive ms, first contentful paint ms) of one first visit."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        await context.add_init_script(WATCH_FIRST_SCREEN)
        page = await context.new_page()
        await page.goto(f"{url}/console/")
        interactive = await page.wait_for_function(INTERACTIVE, arg=QUIET_MS, polling=50, timeout=60_000)
        return float(await interactive.json_value()), float(await page.evaluate(FIRST_PAINT) or 0.0)
    finally:
        await context.close()


async def order_page(browser: Any, url: str, token: str, order_id: str) -> float:
    """Milliseconds from the click on the order's link in the list to its timeline rendered."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        page.set_default_timeout(60_000)
        await page.goto(f"{url}/console/")
        await page.get_by_label("Bearer token").fill(token)
        await page.get_by_role("button", name="Sign in", exact=True).click()
        link = page.get_by_role("link", name=order_id, exact=True)
        await link.wait_for()
        await page.evaluate(WATCH_NAVIGATION)
        await link.click()
        rendered = await page.wait_for_function(RENDERED, polling=50)
        return float(await rendered.json_value())
    finally:
        await context.close()


async def place_orders(url: str, count: int) -> None:
    rng = random.Random(18)
    skus = demo_skus(300)
    async with httpx.AsyncClient(timeout=60, headers=admin_headers()) as client:
        for _ in range(count):
            body = {"query": PLACE_ORDER, "variables": {"input": cart(rng, skus)}}
            answer = orjson.loads((await client.post(f"{url}/graphql", json=body)).content)
            if answer.get("errors") or answer["data"]["placeOrder"]["userErrors"]:
                raise RuntimeError(f"placeOrder refused: {answer}")


async def order_ids(url: str, token: str) -> list[str]:
    """The orders the console lists first (their links are on its first screen)."""
    async with httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        answer = orjson.loads((await client.post(f"{url}/graphql", json={"query": ORDERS_LIST})).content)
    return [edge["node"]["id"] for edge in answer["data"]["orders"]["edges"]]


async def measure(url: str, token: str, plan: Plan, **context: Any) -> None:
    from playwright.async_api import async_playwright

    sizes = await entry_bundle(url)
    orders = await order_ids(url, token)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            context = {**context, "chromium": browser.version, "throttling": "none"}
            await first_screen(browser, url)  # the server's first answers (caches, pool) are not the console's
            screens = [await first_screen(browser, url) for _ in range(plan.runs)]
            navigations = [await order_page(browser, url, token, orders[i % len(orders)]) for i in range(plan.runs)
                           if orders]  # fmt: skip
        finally:
            await browser.close()
    for kind, size in sizes.items():
        emit(BENCH, f"entry_{kind}_bytes", [float(size["raw"])], "bytes", **context)
        emit(BENCH, f"entry_{kind}_gzip_bytes", [float(size["gzip"])], "bytes", **context)
    emit(BENCH, "first_screen_interactive_ms", [s[0] for s in screens], "ms", target_ms=FIRST_SCREEN_TARGET_MS,
         quiet_ms=QUIET_MS, **context)  # fmt: skip
    emit(BENCH, "first_contentful_paint_ms", [s[1] for s in screens], "ms", **context)
    if not navigations:
        print(f"no order to open at {url}: the order page is not measured", file=sys.stderr)
        return
    emit(BENCH, "order_page_after_navigation_ms", navigations, "ms", target_ms=ORDER_PAGE_TARGET_MS,
         orders=len(set(orders[: plan.runs])), **context)  # fmt: skip


async def main(plan: Plan, quick: bool, url: str | None, token: str | None) -> None:
    if url is not None:
        if token is None:
            raise SystemExit("--url needs --token (an admin's: the console lists orders with it)")
        await measure(url.rstrip("/"), token, plan, quick=quick, meridian=url)
        return

    async def seed(handlers: Any) -> None:
        await seed_demo(handlers)

    async with Databases(server_dsn()) as dbs:
        env = {"quick": quick, "meridian": "serve + worker, started here", **await server_settings(dbs.server)}
        dsn = await seeded_database(dbs, "console", seed)
        cluster = Cluster(dsn, f"meridian-bench-{uuid.uuid4().hex[:8]}")
        try:
            served = await cluster.serve()
            await cluster.worker()
            await place_orders(served, plan.orders)
            await settled(dsn)
            await measure(served, issue_token(SECRET, Role.ADMIN, ttl_seconds=3600), plan, **env)
        finally:
            await cluster.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="three runs each: checks the bench, not the console")
    parser.add_argument("--url", help="a running Meridian to measure (default: start one on a fresh database)")
    parser.add_argument("--token", help="with --url: an admin's bearer token")
    args = parser.parse_args()
    asyncio.run(main(QUICK if args.quick else FULL, args.quick, args.url, args.token))
