"""The console's Live screen in Chromium against a running Meridian: orders placed through the API show up in
the per-minute flow while the screen is open, the log readers and job queues are listed, a reader stopped at
an event it cannot read is highlighted, and only admins may open it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from app.security import Role
from eventstore import ANY, NewEvent

from .conftest import Api
from .test_console import browser, new_page, pytestmark, shoot, sign_in  # noqa: F401  (fixture, skips)
from .test_order_journey import PLACE, network, receive

ALICE = {"customerId": "alice", "lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "10024"}}
WAIT = 60_000  # allocation runs on the workers: on a loaded machine it takes a while


async def test_an_admin_watches_orders_flow_and_the_readers_and_queues(api: Api, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    await network(api)
    await receive(api, "NWK", "TEE", 10)
    page = await new_page(browser)
    await sign_in(page, api, api.token())
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Live", exact=True).click()
    await expect(page.get_by_role("heading", name="Live", exact=True)).to_be_visible()

    readers = page.get_by_role("table", name="Log readers")
    await expect(readers.get_by_role("row", name=re.compile("projection:orders"))).to_contain_text("Reading")
    await expect(readers.get_by_role("row", name=re.compile("dispatcher"))).to_be_visible()
    queues = page.get_by_role("table", name="Job queues")
    await expect(queues.get_by_role("row", name=re.compile("^orders"))).to_be_visible()
    await expect(queues.get_by_role("row", name=re.compile("^bulk"))).to_be_visible()

    # The first report (one a second) opens a minute's row: the subscription is live, so what follows is seen.
    flow = page.get_by_role("table", name="Order flow (UTC)")
    await expect(flow.get_by_role("row", name=re.compile(r"^\d\d:\d\d"))).not_to_have_count(0)
    for _ in range(3):
        assert (await api.data(PLACE, {"input": ALICE}))["placeOrder"]["userErrors"] == []
    since = page.get_by_text(re.compile("Since this screen opened"))
    await expect(since).to_contain_text("3 placed", timeout=WAIT)
    await expect(since).to_contain_text("3 allocated", timeout=WAIT)
    await expect(page.get_by_role("img", name=re.compile("Orders per minute from"))).to_be_visible()
    await shoot(page, "live")

    # A reader stops at an event its code cannot read (a newer version wrote it): the screen says so.
    ghost = f"order-{uuid.uuid4().hex[:12]}"
    await api.store.append(ghost, [NewEvent(event_type="OrderTeleported", data='{"order_id": "x"}')], ANY)
    await expect(page.get_by_role("alert")).to_contain_text("stopped at an event", timeout=WAIT)
    stalled = readers.get_by_role("row", name=re.compile("projection:orders"))
    await expect(stalled).to_contain_text("Stalled")
    await expect(stalled).to_contain_text("OrderTeleported")


async def test_live_is_for_admins_only(api: Api, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    page = await new_page(browser)
    await sign_in(page, api, api.token(Role.OPERATOR, locations=frozenset({"NWK"})))
    await expect(page.get_by_role("heading", name="Store NWK")).to_be_visible()
    await expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Live", exact=True)
    ).to_have_count(0)
    await page.goto(f"{api.url}/console/live")
    await expect(page.get_by_role("alert")).to_contain_text("for admins only")
