"""The operations console in a real headless Chromium (Debian's, driven by Playwright) against a running Meridian
seeded here: sign in, find an order, open it and read why its decision turned a location down; a customer is
refused; an operator cannot open another location's store. Elements are found by role and label, as a person
would. Skips without Chromium or without a console build (`make console-test` builds it first).

`MERIDIAN_SCREENSHOTS=1` also writes each screen to docs/screenshots/ (for the README)."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.api.console import CONSOLE_DIST
from app.security import Role

from .conftest import Api, eventually
from .test_graphiql import ARGS, CHROMIUM
from .test_order_journey import PLACE, network, receive, wait_status
from .test_pickup_counter import ready_for_alice

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (`apt-get install chromium`)"),
    pytest.mark.skipif(
        not (CONSOLE_DIST / "index.html").exists(), reason="the console is not built (`make console-test` builds it)"
    ),
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TIMEOUT = 15_000
COMPLAINTS: list[str] = []  # the browser console's errors and warnings
DECISIONS = "query($id: ID!) { order(id: $id) { sourcingDecisions { trigger } } }"


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright, expect

    # Assertions wait as long as actions do: a loaded machine answers slowly, never wrongly.
    expect.set_options(timeout=TIMEOUT)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        COMPLAINTS.clear()
        try:
            yield launched
        finally:
            await launched.close()
    # The console says nothing in the browser's console; a refused token's 401 is the one expected complaint.
    assert [c for c in COMPLAINTS if "status of 401" not in c] == []


async def new_page(browser: Any) -> Any:
    # UTC, so a test types the "as of" moment as the API states it.
    page = await browser.new_page(viewport={"width": 1280, "height": 800}, timezone_id="UTC")
    page.set_default_timeout(TIMEOUT)
    page.on("console", lambda m: COMPLAINTS.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    return page


async def shoot(page: Any, name: str) -> None:
    if os.environ.get("MERIDIAN_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def sign_in(page: Any, api: Api, token: str) -> None:
    await page.goto(f"{api.url}/console/")
    await page.get_by_label("Bearer token").fill(token)
    await page.get_by_role("button", name="Sign in", exact=True).click()


async def placed_order(api: Api) -> str:
    await network(api)
    await receive(api, "NWK", "TEE", 10)
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "c-1", "lines": [{"sku": "TEE", "quantity": 2}], "shipTo": {"postalCode": "10024"}}},
    )
    order_id: str = placed["placeOrder"]["order"]["id"]
    await wait_status(api, order_id, "ALLOCATED")
    return order_id


async def test_an_admin_finds_an_order_and_reads_why_a_location_was_turned_down(api: Api, browser: Any) -> None:
    from playwright.async_api import expect

    order_id = await placed_order(api)
    page = await new_page(browser)
    await page.goto(f"{api.url}/console/")
    await expect(page.get_by_role("heading", name="Sign in to the Meridian console")).to_be_visible()
    await shoot(page, "sign-in")
    await sign_in(page, api, api.token())

    await expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    await page.get_by_label("Status").select_option("ALLOCATED")
    link = page.get_by_role("link", name=order_id)
    await expect(link).to_be_visible()
    await shoot(page, "orders")
    await link.click()

    await expect(page.get_by_role("heading", name=re.compile(re.escape(order_id)))).to_be_visible()
    rejected = page.get_by_role("row", name=re.compile(r"RET \(RET site\)"))
    await expect(rejected).to_contain_text("rejected")
    reason = (await rejected.get_by_role("cell").last.inner_text()).strip()
    assert reason, "the rejected candidate shows its reason"
    await expect(page.get_by_role("row", name=re.compile(r"NWK \(NWK site\)"))).to_contain_text("chosen")
    await expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    await expect(page.get_by_role("cell", name="Order placed")).to_be_visible()
    await shoot(page, "order")

    # Hold, then release: the page follows through the normalized cache, no reload.
    await page.get_by_label("Reason").fill("fraud check")
    await page.get_by_role("button", name="Hold", exact=True).click()
    await expect(page.get_by_role("heading", name=re.compile("ON HOLD"))).to_be_visible()
    await page.get_by_role("button", name="Release hold").click()
    await expect(page.get_by_role("heading", name=re.compile("ON HOLD"))).to_have_count(0)


async def test_the_development_link_signs_in_and_a_customer_is_refused(api: Api, browser: Any) -> None:
    from playwright.async_api import expect

    page = await new_page(browser)
    await page.goto(f"{api.url}/console/#devToken={api.token()}")
    await page.get_by_role("button", name="Sign in with the development token").click()
    await expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    assert "devToken" not in page.url  # taken out of the address bar once used

    customer = await new_page(browser)
    await sign_in(customer, api, api.token(Role.CUSTOMER, customer_id="c-1"))
    await expect(customer.get_by_role("alert")).to_contain_text("customer token cannot sign in")
    forged = await new_page(browser)
    await sign_in(forged, api, api.token()[:-4] + "AAAA")
    await expect(forged.get_by_role("alert")).to_contain_text("refused")


async def test_an_operator_works_its_store_and_cannot_open_another(api: Api, browser: Any) -> None:
    from playwright.async_api import expect

    await network(api)
    page = await new_page(browser)
    await sign_in(page, api, api.token(Role.OPERATOR, locations=frozenset({"CHI"})))
    await expect(page.get_by_role("heading", name="Store CHI")).to_be_visible()
    await expect(page.get_by_role("link", name="Orders")).to_have_count(0)
    await expect(page.get_by_role("form", name="Pickup counter")).to_be_visible()

    # The queue changes while the screen is open: the pick list follows (fulfillmentQueueChanged), no reload.
    await receive(api, "CHI", "MUG", 3)
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "c-2", "lines": [{"sku": "MUG", "quantity": 2}], "shipTo": {"postalCode": "60601"}}},
    )
    await wait_status(api, placed["placeOrder"]["order"]["id"], "ALLOCATED")
    await expect(page.get_by_role("row", name=re.compile(r"^MUG 2 "))).to_be_visible()
    await expect(page.get_by_text(re.compile(r"Live: [1-9]\d* updates"))).to_be_visible()
    await shoot(page, "store")

    # One mug is damaged: picked 1 of 2 with a reason; the shipment leaves the pick list, the order is re-sourced.
    form = page.get_by_role("form", name=re.compile(r"^Pick Shipment:"))
    await form.get_by_label("MUG picked (of 2)").fill("1")
    await form.get_by_label("MUG decline reason").select_option("DAMAGED")
    await form.get_by_role("button", name=re.compile("^Confirm pick")).click()
    await expect(page.get_by_role("row", name=re.compile(r"^MUG 2 "))).to_have_count(0)
    order_id = placed["placeOrder"]["order"]["id"]

    async def resourced() -> bool:
        return len((await api.data(DECISIONS, {"id": order_id}))["order"]["sourcingDecisions"]) >= 2

    await eventually(resourced)
    await page.goto(f"{api.url}/console/orders/{order_id}")
    await expect(page.get_by_text(re.compile(r"^Decision 2: "))).to_be_visible()

    await page.goto(f"{api.url}/console/store/NWK")
    await expect(page.get_by_role("alert")).to_contain_text("does not cover location NWK")
    await expect(page.get_by_role("heading", name="Store NWK")).to_have_count(0)


async def test_the_pickup_counter_shows_a_wrong_code_at_its_field_and_collects_with_the_right_one(
    api: Api, browser: Any
) -> None:
    from playwright.async_api import expect

    _, shipment_id, code = await ready_for_alice(api)
    page = await new_page(browser)
    await sign_in(page, api, api.token(Role.OPERATOR, locations=frozenset({"NWK"})))
    counter = page.get_by_role("form", name="Pickup counter")
    await counter.get_by_label("Shipment").fill(shipment_id)
    await counter.get_by_label("Pickup code").fill("000000" if code != "000000" else "111111")
    await counter.get_by_role("button", name="Confirm collection").click()
    await expect(counter.get_by_label("Pickup code")).to_have_attribute("aria-invalid", "true")
    await expect(counter.get_by_role("alert")).to_contain_text("not this shipment's pickup code")

    await counter.get_by_label("Pickup code").fill(code)
    await counter.get_by_role("button", name="Confirm collection").click()
    await expect(counter.get_by_role("status")).to_have_text(f"{shipment_id} collected")
    await expect(counter.get_by_label("Pickup code")).to_have_attribute("aria-invalid", "false")


def on_hand_at(page: Any, code: str) -> Any:
    """The on-hand cell of a location's row (the row's header is the location, its first cell the on-hand)."""
    return page.get_by_role("row", name=re.compile(rf"^{code} \({code} site\)")).get_by_role("cell").first


async def test_inventory_receives_stock_follows_live_changes_and_rewinds_to_before_the_receipt(
    api: Api, browser: Any
) -> None:
    from playwright.async_api import expect

    await network(api)
    await receive(api, "NWK", "TEE", 10)
    # A whole second after the first receipt (the control's precision), waited for rather than slept.
    before = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)

    async def passed() -> bool:
        return datetime.now(UTC) > before

    await eventually(passed)

    page = await new_page(browser)
    await sign_in(page, api, api.token())
    await page.get_by_role("link", name="Inventory").click()
    # Until the screen shows, the orders' own "SKU" filter is the one on the page.
    await expect(page.get_by_role("heading", name="Inventory", exact=True)).to_be_visible()
    await page.get_by_label("SKU").fill("TEE")
    await page.get_by_role("button", name="Show").click()
    await expect(on_hand_at(page, "NWK")).to_have_text("10")

    receipt = page.get_by_role("form", name="Receive stock")
    await receipt.get_by_label("Receive at location").fill("NWK")
    await receipt.get_by_label("Quantity received").fill("0")
    await receipt.get_by_role("button", name="Receive").click()
    await expect(receipt.get_by_role("alert").first).to_be_visible()  # a userError, shown in the form
    await receipt.get_by_label("Quantity received").fill("5")
    await receipt.get_by_role("button", name="Receive").click()
    await expect(on_hand_at(page, "NWK")).to_have_text("15")

    # Someone else receives while the screen is open: inventoryChanged brings it in, no reload.
    await receive(api, "NWK", "TEE", 2)
    await expect(on_hand_at(page, "NWK")).to_have_text("17")
    await expect(page.get_by_role("row", name=re.compile("^Total"))).to_contain_text("17")
    await shoot(page, "inventory")

    # Back to before both receipts: the old figure, and no acting on the past.
    await page.get_by_label("As of").fill(before.strftime("%Y-%m-%dT%H:%M:%S"))
    await expect(on_hand_at(page, "NWK")).to_have_text("10")
    assert "asOf=" in page.url
    await expect(receipt.get_by_role("button", name="Receive")).to_be_disabled()
    await expect(page.get_by_role("status")).to_contain_text("as of")
    await page.get_by_role("button", name="Now", exact=True).click()
    await expect(on_hand_at(page, "NWK")).to_have_text("17")
    assert "asOf=" not in page.url


async def test_an_order_page_as_of_before_its_allocation_shows_it_placed(api: Api, browser: Any) -> None:
    from playwright.async_api import expect

    order_id = await placed_order(api)
    history = (await api.data("query($id: ID!) { order(id: $id) { history { type at } } }", {"id": order_id}))["order"][
        "history"
    ]
    placed_at = datetime.fromisoformat(history[0]["at"])
    next_at = datetime.fromisoformat(history[1]["at"])
    # The browser keeps milliseconds: the first whole millisecond after placement, still before what followed.
    moment = placed_at.replace(microsecond=placed_at.microsecond // 1000 * 1000) + timedelta(milliseconds=1)
    assert moment < next_at, "placement and allocation fell in the same millisecond"

    page = await new_page(browser)
    await sign_in(page, api, api.token())
    await expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    as_of = moment.isoformat().replace("+00:00", "Z")
    await page.goto(f"{api.url}/console/orders/{order_id}?asOf={as_of}")
    await expect(page.get_by_role("heading", name=re.compile(re.escape(order_id)))).to_contain_text("PLACED")
    await expect(page.get_by_role("button", name="Hold", exact=True)).to_be_disabled()
    await expect(page.get_by_label("As of")).not_to_have_value("")
    await expect(page.get_by_text("Not sourced yet.")).to_be_visible()  # no decision from after the moment
    await expect(page.get_by_role("cell", name="Order allocated")).to_have_count(0)
    await shoot(page, "order-as-of")

    await page.get_by_role("button", name="Now", exact=True).click()
    await expect(page.get_by_role("heading", name=re.compile(re.escape(order_id)))).to_contain_text("ALLOCATED")
    await expect(page.get_by_role("button", name="Hold", exact=True)).to_be_enabled()
    await expect(page.get_by_role("cell", name="Order allocated")).to_be_visible()


async def test_an_operator_sees_only_its_locations_stock_and_an_adjustment_needs_a_reason(
    api: Api, browser: Any
) -> None:
    from playwright.async_api import expect

    await network(api)
    await receive(api, "NWK", "TEE", 10)
    await receive(api, "CHI", "TEE", 4)
    page = await new_page(browser)
    await sign_in(page, api, api.token(Role.OPERATOR, locations=frozenset({"CHI"})))
    await expect(page.get_by_role("heading", name="Store CHI")).to_be_visible()
    await page.get_by_role("link", name="Inventory").click()
    # Until the screen shows, the orders' own "SKU" filter is the one on the page.
    await expect(page.get_by_role("heading", name="Inventory", exact=True)).to_be_visible()
    await page.get_by_label("SKU").fill("TEE")
    await page.get_by_role("button", name="Show").click()
    await expect(on_hand_at(page, "CHI")).to_have_text("4")
    await expect(page.get_by_role("row", name=re.compile(r"^NWK "))).to_have_count(0)  # the API hides it

    adjustment = page.get_by_role("form", name="Adjust stock")
    await adjustment.get_by_label("Adjust at location").fill("CHI")
    await adjustment.get_by_label("Change in units (negative removes)").fill("-1")
    await adjustment.get_by_role("button", name="Adjust").click()
    await expect(adjustment.get_by_label("Adjustment reason")).to_have_attribute("aria-invalid", "true")
    await expect(adjustment.get_by_role("alert")).to_contain_text("must not be empty")
    await adjustment.get_by_label("Adjustment reason").fill("dropped on the shop floor")
    await adjustment.get_by_role("button", name="Adjust").click()
    await expect(on_hand_at(page, "CHI")).to_have_text("3")
    await expect(adjustment.get_by_label("Adjustment reason")).to_have_attribute("aria-invalid", "false")


DEFINE = "mutation($input: SourcingProfileInput!) { defineSourcingProfile(input: $input) { userErrors { code } } }"


async def test_an_admin_drafts_a_sourcing_rule_sees_what_it_would_change_and_activates_it(
    api: Api, browser: Any
) -> None:
    from playwright.async_api import expect

    order_id = await placed_order(api)  # served by NWK under the rules in force
    page = await new_page(browser)
    await sign_in(page, api, api.token())
    await page.get_by_role("link", name="Sourcing rules").click()
    await expect(page.get_by_role("heading", name="Sourcing rules")).to_be_visible()
    await expect(page.get_by_role("heading", name=re.compile("^In force"))).to_be_visible()

    # The draft excludes the location that served the order; what-if over the period that holds it.
    draft = page.get_by_role("form", name="Draft profile")
    await draft.get_by_label("Excluded locations").fill("NWK")
    await draft.get_by_role("button", name="Run what-if").click()
    result = page.get_by_role("region", name="What-if result")
    await expect(result.get_by_role("link", name=order_id)).to_be_visible()
    await expect(result.get_by_role("row", name=re.compile(re.escape(order_id)))).to_contain_text("NWK")
    await expect(result.get_by_role("img", name=re.compile("^Current vs draft"))).to_be_visible()

    # An unknown location is refused at its field, and nothing is activated.
    await draft.get_by_label("Excluded locations").fill("NWK, NOPE")
    await draft.get_by_label("Reason for the change").fill("NWK is closed for stocktaking")
    await draft.get_by_role("button", name="Activate").click()
    await expect(draft.get_by_label("Excluded locations")).to_have_attribute("aria-invalid", "true")
    await expect(draft.get_by_role("alert").first).to_contain_text("NOPE")

    await draft.get_by_label("Excluded locations").fill("NWK")
    await draft.get_by_role("button", name="Run what-if").click()
    await expect(result.get_by_role("link", name=order_id)).to_be_visible()
    await shoot(page, "sourcing")
    await draft.get_by_role("button", name="Activate").click()
    await expect(page.get_by_role("heading", name="In force: version 1")).to_be_visible()
    history = page.get_by_role("table", name="Version history")
    await expect(
        history.get_by_role("row", name=re.compile(r"^1 .* admin:\S+ NWK is closed for stocktaking"))
    ).to_be_visible()
    await expect(page.get_by_role("definition").filter(has_text="NWK")).to_be_visible()
    await page.get_by_role("link", name="Orders", exact=True).click()
    await expect(page.get_by_role("heading", name="Orders")).to_be_visible()

    # Someone else defines version 2 while this page shows version 1: activating is refused (CONFLICT) at the form.
    await page.goto(f"{api.url}/console/sourcing")
    await expect(page.get_by_role("heading", name="In force: version 1")).to_be_visible()
    await api.data(DEFINE, {"input": {"eligibility": [{"locationTypes": ["DISTRIBUTION_CENTER"]}], "reason": "other"}})
    await draft.get_by_label("Store penalty").fill("2")
    await draft.get_by_role("button", name="Activate").click()
    await expect(draft.get_by_role("alert")).to_contain_text("is at version 2, not 1")

    operator = await new_page(browser)
    await sign_in(operator, api, api.token(Role.OPERATOR, locations=frozenset({"CHI"})))
    await expect(operator.get_by_role("heading", name="Store CHI")).to_be_visible()
    await expect(operator.get_by_role("link", name="Sourcing rules")).to_have_count(0)
    await operator.goto(f"{api.url}/console/sourcing")
    await expect(operator.get_by_role("alert")).to_contain_text("admins only")
