"""The console's network map in a real headless Chromium against a running Meridian seeded here: an order's
sourcing decisions drawn on the map, stepped through from placement to the re-sourcing a declined pick caused,
each rejected candidate's reason read from its marker and the legend; the network screen's stock heat for a SKU;
a location's settings changed, a bad value shown at its field; an operator refused another location's page.
Elements are found by role and label. Skips as tests/e2e/test_console.py does."""

from __future__ import annotations

import re
from typing import Any

from app.security import Role

from .conftest import Api, eventually
from .test_console import browser, new_page, placed_order, pytestmark, shoot, sign_in
from .test_order_journey import PLACE, network, receive, wait_status
from .test_picking import PICK

__all__ = ["browser", "pytestmark"]  # the fixture and the skips, shared with the console's other tests

DECISIONS = "query($id: ID!) { order(id: $id) { sourcingDecisions { trigger } } }"
SETTINGS = "{ locations { code dailyCapacity } }"
RELEASED_AT_PICK = "let this order's units go at a pick (declined or past its pick SLA)"


async def resourced_order(api: Api) -> str:
    """Placed from NWK, one of its two units declined at the pick (DAMAGED) and re-sourced at CHI."""
    await network(api)
    await receive(api, "NWK", "TEE", 3)
    await receive(api, "CHI", "TEE", 5)
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "c-1", "lines": [{"sku": "TEE", "quantity": 2}], "shipTo": {"postalCode": "10024"}}},
    )
    order_id: str = placed["placeOrder"]["order"]["id"]
    shipment = (await wait_status(api, order_id, "ALLOCATED"))["shipments"][0]
    damaged = {"shipmentId": shipment["id"], "lines": [{"sku": "TEE", "picked": 1, "reason": "DAMAGED"}]}
    operator = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))
    assert (await api.data(PICK, {"input": damaged}, token=operator))["confirmPick"]["userErrors"] == []

    async def resourced() -> bool:
        return len((await api.data(DECISIONS, {"id": order_id}))["order"]["sourcingDecisions"]) == 2

    await eventually(resourced)
    return order_id


async def test_an_order_s_decisions_are_drawn_on_the_map_step_by_step_with_why_a_candidate_was_turned_down(
    api: Api, browser: Any
) -> None:
    from playwright.async_api import expect

    order_id = await resourced_order(api)
    page = await new_page(browser)
    await sign_in(page, api, api.token())
    await expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    await page.goto(f"{api.url}/console/orders/{order_id}")

    # The latest step first: the re-sourcing a declined pick caused, NWK turned down for letting the unit go.
    sourcing_map = page.get_by_role("group", name=re.compile(r"^Sourcing map, Step 2 of 2: Declined"))
    await expect(sourcing_map).to_be_visible()
    await expect(sourcing_map.get_by_role("img", name="Ship-to 10024")).to_be_visible()
    nwk = sourcing_map.get_by_role("img", name=re.compile(r"^NWK \(NWK site\) rejected: "))
    await expect(nwk).to_have_accessible_name(f"NWK (NWK site) rejected: {RELEASED_AT_PICK}")
    await expect(sourcing_map.get_by_role("img", name=re.compile(r"^CHI \(CHI site\) chosen"))).to_be_visible()
    await nwk.focus()  # each marker is reachable by keyboard
    await expect(nwk).to_be_focused()
    rejected = page.get_by_role("list", name="Rejected candidates")
    await expect(rejected.get_by_role("listitem").filter(has_text="NWK (NWK site)")).to_have_text(
        f"NWK (NWK site): {RELEASED_AT_PICK}"
    )
    # The table the map stands beside says the same.
    row = page.get_by_role("table").filter(has_text="Decision 2: Declined").get_by_role("row", name=re.compile("^NWK"))
    await expect(row).to_contain_text(RELEASED_AT_PICK)
    await shoot(page, "order-map")

    # Back one step: the placement, served by NWK; RET (a returns centre) turned down with its own reason.
    await page.get_by_role("button", name="Previous step").click()
    placed_map = page.get_by_role("group", name=re.compile(r"^Sourcing map, Step 1 of 2: Placed"))
    await expect(placed_map.get_by_role("img", name=re.compile(r"^NWK \(NWK site\) chosen"))).to_be_visible()
    ret = placed_map.get_by_role("img", name=re.compile(r"^RET \(RET site\) rejected: .+"))
    await expect(ret).to_be_visible()
    why = (await ret.get_attribute("aria-label") or "").split("rejected: ", 1)[1]
    await expect(rejected).to_contain_text(f"RET (RET site): {why}")
    await expect(page.get_by_role("button", name="Previous step")).to_be_disabled()
    await page.get_by_role("button", name="2. Declined").click()
    await expect(page.get_by_role("group", name=re.compile(r"^Sourcing map, Step 2 of 2"))).to_be_visible()


async def test_the_network_shows_stock_heat_for_a_sku_and_capacity_used_today(api: Api, browser: Any) -> None:
    from playwright.async_api import expect

    await placed_order(api)  # NWK: 10 TEE received, 2 reserved for the order: 8 available; one shipment planned
    await receive(api, "CHI", "TEE", 2)
    page = await new_page(browser)
    await sign_in(page, api, api.token())
    await page.get_by_role("link", name="Network").click()
    await expect(page.get_by_role("group", name="Network map")).to_be_visible()
    await page.get_by_label("SKU for stock heat").fill("TEE")
    await page.get_by_role("button", name="Show heat").click()

    heat_map = page.get_by_role("group", name="Network map, stock heat of TEE")
    await expect(
        heat_map.get_by_role("link", name=re.compile(r"^NWK \(NWK site\), .*; TEE: 8 available"))
    ).to_be_visible()
    await expect(
        heat_map.get_by_role("link", name=re.compile(r"^CHI \(CHI site\), .*; TEE: 2 available"))
    ).to_be_visible()
    await expect(
        heat_map.get_by_role("link", name=re.compile(r"^RET \(RET site\), .*; TEE: no stock level"))
    ).to_be_visible()
    await expect(page.get_by_role("list", name="Stock heat of TEE")).to_contain_text("8 available")
    await expect(page.get_by_role("row", name=re.compile(r"^NWK \(NWK site\)"))).to_contain_text("1 (unlimited)")
    await expect(page.get_by_role("row", name=re.compile(r"^CHI \(CHI site\)"))).to_contain_text("0 (unlimited)")
    await shoot(page, "network")

    await heat_map.get_by_role("link", name=re.compile(r"^CHI \(CHI site\)")).click()
    await expect(page.get_by_role("heading", name="Location CHI")).to_be_visible()


async def test_a_location_s_settings_change_and_a_bad_value_is_shown_at_its_field(api: Api, browser: Any) -> None:
    from playwright.async_api import expect

    order_id = await placed_order(api)
    page = await new_page(browser)
    await sign_in(page, api, api.token())
    await expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    await page.goto(f"{api.url}/console/network/NWK")
    await expect(page.get_by_role("heading", name="Location NWK")).to_be_visible()
    await expect(page.get_by_role("row", name=re.compile(r"^TEE 10 2 "))).to_be_visible()  # its stock
    await expect(
        page.get_by_role("list", name="Queue at NWK").get_by_role("link", name=order_id)
    ).to_be_visible()  # its queue

    form = page.get_by_role("form", name="Location settings")
    capacity = form.get_by_label("Daily capacity (empty: unlimited)")
    await capacity.fill("-3")
    await form.get_by_role("button", name="Save settings").click()
    await expect(capacity).to_have_attribute("aria-invalid", "true")
    await expect(form.get_by_role("alert")).to_contain_text("must not be negative")

    await capacity.fill("40")
    await form.get_by_role("button", name="Save settings").click()
    await expect(form.get_by_role("status")).to_have_text("Saved NWK's settings.")
    await expect(capacity).to_have_attribute("aria-invalid", "false")
    await expect(page.get_by_text(re.compile(r"capacity used today 1 of 40"))).to_be_visible()
    codes = {loc["code"]: loc["dailyCapacity"] for loc in (await api.data(SETTINGS))["locations"]}
    assert codes["NWK"] == 40
    await shoot(page, "location")


async def test_an_operator_cannot_open_another_location_s_page(api: Api, browser: Any) -> None:
    from playwright.async_api import expect

    await placed_order(api)
    await receive(api, "CHI", "MUG", 3)
    page = await new_page(browser)
    await sign_in(page, api, api.token(Role.OPERATOR, locations=frozenset({"CHI"})))
    await expect(page.get_by_role("heading", name="Store CHI")).to_be_visible()
    await page.get_by_role("link", name="Network").click()
    await expect(page.get_by_role("row", name=re.compile(r"^NWK \(NWK site\)"))).to_contain_text("—")  # not its work

    await page.goto(f"{api.url}/console/network/CHI")
    await expect(page.get_by_role("row", name=re.compile(r"^MUG 3 0 "))).to_be_visible()
    form = page.get_by_role("form", name="Location settings")
    await form.get_by_role("button", name="Save settings").click()  # the network's shape is the admin's
    await expect(form.get_by_role("alert")).to_contain_text("not allowed to perform")

    await page.goto(f"{api.url}/console/network/NWK")
    await expect(page.get_by_role("region", name="Stock at NWK").get_by_role("alert")).to_contain_text(
        "not allowed to perform stockLevels at NWK"
    )
    await expect(page.get_by_role("region", name="Queue at NWK").get_by_role("alert")).to_contain_text(
        "not allowed to perform fulfillmentQueue at NWK"
    )
    await expect(page.get_by_role("row", name=re.compile(r"^TEE "))).to_have_count(0)
