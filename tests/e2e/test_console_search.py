"""The console's order search in a real Chromium (issue 18): by SKU, by location and by placed dates it lists the
matching orders and not the others; a range that ends before it starts is refused at its field; the search lives
in the URL (Back returns to the previous one); a long result is walked a page at a time, forward and back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.clock import Clock

from .conftest import Api, eventually
from .test_console import browser, new_page, pytestmark, shoot, sign_in
from .test_order_journey import PLACE, receive
from .test_order_search import Network
from .test_pickup_counter import MovableClock

# The browser fixture, and the browser tests' skips (no Chromium, no console build), apply here too.
__all__ = ["browser", "pytestmark"]

PAGE_SIZE = 20  # console/src/orders/statuses.ts
EARLIER = timedelta(days=2)


@pytest.fixture
def api_clock() -> Clock:
    return MovableClock()


def row_of(page: Any, order_id: str) -> Any:
    return page.get_by_role("link", name=order_id, exact=True)


async def shows(page: Any, world: Network, *names: str) -> None:
    """The list shows exactly these of the network's orders."""
    from playwright.async_api import expect

    for name, order_id in world.ids.items():
        await expect(row_of(page, order_id)).to_have_count(1 if name in names else 0)


async def clear(search: Any) -> None:
    """Presses Clear and waits until the form shows it: the form follows the address, so a field filled
    before the cleared address has rendered is emptied again (seen once in CI)."""
    from playwright.async_api import expect

    await search.get_by_role("button", name="Clear").click()
    for field in ("Customer", "Location", "SKU", "Placed from", "Placed to"):
        await expect(search.get_by_label(field)).to_have_value("")


async def test_search_by_sku_location_and_dates_finds_the_right_orders_and_pages(
    api: Api, browser: Any, api_clock: MovableClock
) -> None:
    from playwright.async_api import expect

    api_clock.offset = -EARLIER
    world = await Network(api).build(meanwhile=lambda: setattr(api_clock, "offset", timedelta(0)))
    today = datetime.now(UTC).date()
    earlier, later = (today - EARLIER).isoformat(), today.isoformat()
    page = await new_page(browser)
    await sign_in(page, api, api.token())
    await expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    search = page.get_by_role("search", name="Search orders")

    await search.get_by_label("SKU").fill("MUG")
    await search.get_by_role("button", name="Search").click()
    await shows(page, world, "alice-mug", "bob-both")
    await expect(page.get_by_role("row", name=world.ids["bob-both"])).to_contain_text("CHI, NWK")
    await shoot(page, "orders-search")

    await clear(search)
    await search.get_by_label("Location").fill("NWK")
    await search.get_by_label("Location").press("Enter")
    await shows(page, world, "alice-tee", "bob-both")

    await clear(search)
    await search.get_by_label("Placed to").fill(earlier)
    await search.get_by_role("button", name="Search").click()
    await shows(page, world, "alice-tee", "alice-mug")
    await search.get_by_label("Placed to").fill("")
    await search.get_by_label("Placed from").fill(later)
    await search.get_by_role("button", name="Search").click()
    await shows(page, world, "bob-both", "bob-rare")

    # A range ending before it starts is refused at its field, and nothing is listed.
    await search.get_by_label("Placed to").fill(earlier)
    await search.get_by_role("button", name="Search").click()
    await expect(search.get_by_label("Placed from")).to_have_attribute("aria-invalid", "true")
    await expect(search.get_by_role("alert")).to_contain_text("Must not be after")
    await shows(page, world)
    # Back returns to the search before, in the form and in the list.
    await page.go_back()
    await expect(search.get_by_label("Placed to")).to_have_value("")
    await expect(search.get_by_label("Placed from")).to_have_value(later)
    await shows(page, world, "bob-both", "bob-rare")

    await clear(search)
    await search.get_by_label("SKU").fill("NOTHING")
    await search.get_by_role("button", name="Search").click()
    await expect(page.get_by_role("cell", name="No orders match this search.")).to_be_visible()

    # More than a page of one SKU's orders: Next, then Previous.
    await receive(api, "NWK", "PEN", PAGE_SIZE + 5)
    pens = []
    pen = {"customerId": "carol", "lines": [{"sku": "PEN", "quantity": 1}], "shipTo": {"postalCode": "10024"}}
    for _ in range(PAGE_SIZE + 1):
        placed = await api.data(PLACE, {"input": pen})
        pens.append(placed["placeOrder"]["order"]["id"])

    async def all_listed() -> bool:
        body = await api.data('{ orders(first: 100, sku: "PEN", locationCode: "NWK") { edges { cursor } } }')
        return len(body["orders"]["edges"]) == len(pens)

    await eventually(all_listed)
    await search.get_by_label("SKU").fill("PEN")
    await search.get_by_label("Location").fill("NWK")
    await search.get_by_role("button", name="Search").click()
    await expect(row_of(page, pens[0])).to_be_visible()
    await expect(page.get_by_role("table").get_by_role("row")).to_have_count(PAGE_SIZE + 1)  # and the header
    await expect(row_of(page, pens[-1])).to_have_count(0)
    await page.get_by_role("button", name="Next page").click()
    await expect(row_of(page, pens[-1])).to_be_visible()
    await expect(page.get_by_text("Page 2")).to_be_visible()
    await expect(row_of(page, pens[0])).to_have_count(0)
    await expect(page.get_by_role("button", name="Next page")).to_be_disabled()
    await page.get_by_role("button", name="Previous page").click()
    await expect(row_of(page, pens[0])).to_be_visible()
    await expect(row_of(page, pens[-1])).to_have_count(0)
    await expect(search.get_by_label("SKU")).to_have_value("PEN")
