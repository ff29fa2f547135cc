"""The console's checkout screens in a real Chromium against a running Meridian seeded here: an admin sets a
store's delivery capacity (a wrong window length refused at its field), watches a window fill as window orders are
placed, lowers the capacity until it reads full, and rewinds to before the orders; an operator sees its own store's
windows only; a substitution list is built and reordered from the keyboard; customer service runs a promise and
sees the options, the windows and a substitute for a SKU that is out of stock."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from app.security import Role

from .conftest import Api, eventually
from .test_alternatives import NEW_YORK, SET, SUBSTITUTES, sites
from .test_console import browser, new_page, pytestmark, shoot, sign_in
from .test_delivery_slots import slots
from .test_delivery_windows import CART, PLACE, UWS, windows
from .test_order_journey import LOCATION, receive

__all__ = ["browser", "pytestmark"]  # the fixture and the skips of the console's browser tests
NEW_YORK_TIME = ZoneInfo("America/New_York")
EN_DASH, TIMES = "\u2013", "\u00d7"  # as the console writes a window's span and a line's quantity


def local(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(NEW_YORK_TIME)


async def test_an_admin_sets_capacity_and_watches_a_window_fill(api: Api, browser: Any) -> None:
    from playwright.async_api import expect

    assert (await api.data(LOCATION, {"input": UWS}))["createLocation"]["userErrors"] == []
    await receive(api, "UWS", "TEE", 5)
    page = await new_page(browser)
    await sign_in(page, api, api.token())
    await page.get_by_role("link", name="Delivery").click()
    # The screen loads on first use: until it shows, the orders' own "Location" field is the one on the page.
    await expect(page.get_by_role("heading", name="Delivery capacity", exact=True)).to_be_visible()
    await page.get_by_label("Location", exact=True).fill("UWS")
    await page.get_by_role("button", name="Show windows").click()
    await expect(page.get_by_text("UWS has no delivery capacity set")).to_be_visible()

    form = page.get_by_role("form", name="Delivery capacity")
    await form.get_by_label("Window length (minutes)").fill("10")
    await form.get_by_label("First window starts at").fill("00:00")
    await form.get_by_label("Last window ends at").fill("23:00")
    await form.get_by_role("button", name="Save capacity").click()
    length = form.get_by_label("Window length (minutes)")
    await expect(length).to_have_attribute("aria-invalid", "true")
    await expect(form.get_by_role("alert")).to_contain_text("a window lasts between 15 and 720 minutes")
    await length.fill("60")
    await form.get_by_role("button", name="Save capacity").click()
    await expect(form.get_by_text("Capacity of UWS saved.")).to_be_visible()
    await expect(length).to_have_attribute("aria-invalid", "false")

    async def offered() -> bool:
        return any(w["remaining"] == 4 and w["available"] for w in await windows(api))

    await eventually(offered)
    chosen = next(w for w in await windows(api) if w["remaining"] == 4 and w["available"])
    before_orders = datetime.now(UTC).isoformat()
    asked = {"start": chosen["start"], "end": chosen["end"]}
    for customer in ("alice", "bob", "carol"):
        placed = await api.data(PLACE, {"input": {"customerId": customer, **CART, "deliveryWindow": asked}})
        assert placed["placeOrder"]["userErrors"] == []
    span = {"from": chosen["start"], "to": chosen["end"]}

    async def booked() -> bool:
        return [e["node"]["taken"] for e in (await slots(api, **span))["edges"]] == [3]

    await eventually(booked)
    day = local(chosen["start"]).strftime("%Y-%m-%d")
    times = f"{local(chosen['start']):%H:%M}{EN_DASH}{local(chosen['end']):%H:%M}"
    await page.get_by_label("Day", exact=True).fill(day)
    await page.get_by_role("button", name="Refresh").click()
    window = page.get_by_role("row", name=re.compile(f"^{times}"))
    await expect(window).to_contain_text("Nearly full: 3 of 4 booked")
    await expect(page.get_by_text(re.compile(r"windows?: 0 full, 1 nearly full"))).to_be_visible()
    await shoot(page, "capacity")

    # Lowered to 3 a window, the window is full; the orders it holds stay booked.
    await form.get_by_label("Deliveries per window").fill("3")
    await form.get_by_role("button", name="Save capacity").click()
    await expect(window).to_contain_text("Full: 3 of 3 booked")

    # As of before the orders, the same window was open; saving is disabled in the past.
    await page.goto(f"{api.url}/console/delivery/UWS?asOf={quote(before_orders)}")
    await page.get_by_label("Day", exact=True).fill(day)
    await expect(page.get_by_role("row", name=re.compile(f"^{times}"))).to_contain_text("Open: 0 of 4 booked")
    await expect(page.get_by_role("button", name="Save capacity")).to_be_disabled()

    # An operator sees its own store's windows, without the capacity form, and not another's.
    operator = await new_page(browser)
    await sign_in(operator, api, api.token(Role.OPERATOR, locations=frozenset({"UWS"})))
    await operator.get_by_role("link", name="Delivery").click()
    await expect(operator.get_by_role("heading", name="Delivery capacity at UWS")).to_be_visible()
    await operator.get_by_label("Day", exact=True).fill(day)
    await expect(operator.get_by_role("row", name=re.compile(f"^{times}"))).to_contain_text("Full: 3 of 3 booked")
    await expect(operator.get_by_role("form", name="Delivery capacity")).to_have_count(0)
    await operator.goto(f"{api.url}/console/delivery/NWK")
    await expect(operator.get_by_role("alert")).to_contain_text("does not cover location NWK")


async def test_an_admin_builds_and_reorders_a_substitution_list_from_the_keyboard(api: Api, browser: Any) -> None:
    from playwright.async_api import expect

    page = await new_page(browser)
    await sign_in(page, api, api.token())
    await page.get_by_role("link", name="Substitutions").click()
    await expect(page.get_by_role("heading", name="Substitutions", exact=True)).to_be_visible()
    await page.get_by_label("SKU", exact=True).fill("TEE")
    await page.get_by_label("SKU", exact=True).press("Enter")
    await expect(page.get_by_text("TEE has no substitutes")).to_be_visible()

    adding = page.get_by_label("Substitute SKU")
    for sku in ("TEE-V2", "TEE-V3", "TEE-OLD", "X" * 201):
        await adding.fill(sku)
        await adding.press("Enter")
    listed = page.get_by_role("list", name=re.compile("Substitutes of TEE"))
    await expect(listed.get_by_role("listitem")).to_have_count(4)
    await page.get_by_role("button", name="Save substitutes").click()
    await expect(listed.get_by_role("alert")).to_contain_text("a SKU has at most 200 characters")
    await page.get_by_role("button", name=f"Remove {'X' * 201}").click()

    # Keyboard only: TEE-OLD up twice (focus follows it), TEE-V3 removed.
    up = page.get_by_role("button", name="Move TEE-OLD up")
    await up.focus()
    await page.keyboard.press("Enter")
    await expect(up).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("TEE-OLD is now choice 1 of 3.")).to_be_visible()
    await page.get_by_role("button", name="Remove TEE-V3").focus()
    await page.keyboard.press("Enter")
    await page.get_by_role("button", name="Save substitutes").click()
    await expect(page.get_by_text("Substitutes of TEE saved.")).to_be_visible()
    assert (await api.data(SUBSTITUTES, {"sku": "TEE"}))["substitutes"]["substitutes"] == ["TEE-OLD", "TEE-V2"]

    await page.reload()
    await expect(listed.get_by_role("listitem")).to_have_text([re.compile("^TEE-OLD"), re.compile("^TEE-V2")])
    await shoot(page, "substitutions")


async def test_customer_service_runs_a_promise_with_a_substitute_for_what_is_out(api: Api, browser: Any) -> None:
    from playwright.async_api import expect

    await sites(api)
    await receive(api, "NWK", "TEE-XL", 5)
    await receive(api, "NWK", "MUG", 5)
    assert (await api.data(SET, {"input": {"sku": "TEE", "substitutes": ["TEE-XL"]}}))["setSubstitutes"][
        "userErrors"
    ] == []
    page = await new_page(browser)
    await sign_in(page, api, api.token())
    await page.get_by_role("link", name="Promise").click()
    cart = page.get_by_role("form", name="Cart to promise")
    await cart.get_by_label("Line 1 SKU").fill("MUG")
    await cart.get_by_role("button", name="Add line").click()
    await cart.get_by_label("Line 2 SKU").fill("TEE")
    await cart.get_by_label("Line 2 quantity").fill("2")
    await cart.get_by_label("Postal code").fill("00000")
    await cart.get_by_role("button", name="Check promise").click()
    await expect(cart.get_by_label("Postal code")).to_have_attribute("aria-invalid", "true")

    await cart.get_by_label("Postal code").fill(NEW_YORK["postalCode"])
    await cart.get_by_role("button", name="Check promise").click()
    options = page.get_by_role("region", name="Fulfillment options")
    await expect(options.get_by_role("row", name=re.compile("^Standard"))).to_be_visible()
    await expect(page.get_by_role("region", name="Delivery windows")).to_contain_text("windows in the next 7 days")
    substitute = page.get_by_role("region", name="Alternatives").get_by_role("listitem", name="Substitute")
    await expect(substitute).to_contain_text(f"2 {TIMES} TEE-XL (instead of TEE)")
    await expect(substitute).to_contain_text("TEE-XL instead of TEE")
    await shoot(page, "promise")
