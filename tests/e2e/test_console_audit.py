"""The console's Audit screen in headless Chromium against a running Meridian: an admin filters the log by stream
and type (the filters land in the URL), opens an event's payload, verifies the log and sees it intact with the
time of the run; an operator is not offered the screen."""

from __future__ import annotations

import re
from typing import Any

from app.security import Role

from .conftest import Api
from .test_console import browser, new_page, pytestmark, shoot, sign_in
from .test_order_journey import network, receive

__all__ = ["browser", "pytestmark"]  # the browser fixture; skipped without Chromium or a console build


async def test_an_admin_filters_the_log_opens_a_payload_and_verifies_the_log(api: Api, browser: Any) -> None:
    from playwright.async_api import expect

    await network(api)
    await receive(api, "NWK", "TEE", 5)
    page = await new_page(browser)
    await sign_in(page, api, api.token())
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    await expect(page.get_by_role("heading", name="Audit", exact=True)).to_be_visible()
    await expect(page.get_by_text("The log has never been verified.")).to_be_visible()

    await page.get_by_label("Stream or category").fill("location")
    await page.get_by_label("Event types").fill("LocationCreated")
    await page.get_by_role("button", name="Filter").click()
    await expect(page).to_have_url(re.compile(r"/audit\?.*stream=location.*type=LocationCreated"))
    log = page.get_by_role("table", name=re.compile("Events, oldest first"))
    await expect(log.get_by_role("row")).to_have_count(4)  # the header and NWK, CHI, RET
    await expect(log.get_by_role("cell", name="LocationCreated")).to_have_count(3)

    await page.get_by_label("Stream or category").fill("location-CHI")
    await page.get_by_role("button", name="Filter").click()
    await expect(log.get_by_role("row")).to_have_count(2)
    await page.get_by_label("Payload of location-CHI version 1").click()
    await expect(log.locator("pre")).to_contain_text('"CHI"')

    await page.get_by_role("button", name="Verify the log").click()
    outcome = page.get_by_text(re.compile(r"^Intact: last verified .* by admin:"))
    await expect(outcome).to_be_visible()
    await expect(page.get_by_role("button", name="Verify the log")).to_be_enabled()
    await shoot(page, "audit")


async def test_an_operator_is_not_offered_the_audit_screen(api: Api, browser: Any) -> None:
    from playwright.async_api import expect

    await network(api)
    page = await new_page(browser)
    await sign_in(page, api, api.token(Role.OPERATOR, locations=frozenset({"NWK"})))
    nav = page.get_by_role("navigation", name="Main")
    await expect(nav.get_by_role("link", name="Store NWK")).to_be_visible()
    await expect(nav.get_by_role("link", name="Audit")).to_have_count(0)
