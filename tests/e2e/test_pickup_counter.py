"""The pickup counter over GraphQL: the pick makes a pickup ready with a code its customer and its store read (and
nobody else); the right code collects it; wrong codes are INVALID_PICKUP_CODE, and after 5 the counter refuses
every code (TOO_MANY_ATTEMPTS) until 15 minutes have passed on the API's clock, which the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.api.ids import global_id
from app.clock import Clock
from app.domain import ALL_EVENTS
from app.handlers import Context
from app.security import Role
from eventstore import EventCodec
from tests.support.pickup import place_for_pickup

from .conftest import Api, eventually
from .test_order_journey import network, receive, wait_status


class MovableClock:
    """The real time plus an offset the test adds to."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture
def api_clock() -> Clock:
    return MovableClock()


PICK = """mutation($input: ConfirmPickInput!) { confirmPick(input: $input) {
  shipment { status pickedAt readyAt expiresAt pickupCode } userErrors { field code } } }"""
COLLECT = """mutation($id: ID!, $code: String!) { confirmCollection(input: {shipmentId: $id, pickupCode: $code}) {
  shipment { status pickupCode } userErrors { field message code } } }"""
ORDER = """query($id: ID!) { order(id: $id) { status shipments { status pickupCode readyAt expiresAt }
  history { type data } } }"""
LEVELS = """{ inventory(sku: "TEE") { levels { location { code } onHand reserved } } }"""


async def ready_for_alice(api: Api) -> tuple[str, str, str]:
    """(order id, shipment id, pickup code) of alice's 2 TEE waiting at NWK's counter."""
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    await place_for_pickup(Context(api.store, EventCodec(ALL_EVENTS)), "p-1", "NWK", ("TEE", 2), customer="alice")
    order_id = global_id("Order", "p-1")

    async def projected() -> bool:  # written behind the API's back: no read-your-writes to wait on
        return (await api.data(ORDER, {"id": order_id}))["order"] is not None

    await eventually(projected)
    shipment_id = (await wait_status(api, order_id, "ALLOCATED"))["shipments"][0]["id"]
    operator = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))
    pick = {"shipmentId": shipment_id, "lines": [{"sku": "TEE", "picked": 2}]}
    picked = (await api.data(PICK, {"input": pick}, token=operator))["confirmPick"]
    assert picked["userErrors"] == []
    shipment = picked["shipment"]
    assert shipment["status"] == "READY_FOR_PICKUP"
    assert shipment["readyAt"] == shipment["pickedAt"]
    ready_at = datetime.fromisoformat(shipment["readyAt"])
    assert datetime.fromisoformat(shipment["expiresAt"]) - ready_at == timedelta(days=5)  # the default hold
    code = shipment["pickupCode"]
    assert len(code) == 6 and code.isdigit()
    return order_id, shipment_id, code


async def test_a_pickup_is_ready_with_a_code_only_its_customer_and_store_read_and_the_code_collects_it(
    api: Api,
) -> None:
    order_id, shipment_id, code = await ready_for_alice(api)

    alice = api.token(Role.CUSTOMER, customer_id="alice")
    mine = (await api.data(ORDER, {"id": order_id}, token=alice))["order"]
    assert mine["status"] == "READY_FOR_PICKUP"
    assert [s["pickupCode"] for s in mine["shipments"]] == [code]
    assert (await api.data(ORDER, {"id": order_id}))["order"]["shipments"][0]["pickupCode"] == code  # admin
    # A service sees the order, not its code; an operator elsewhere and another customer do not see the order.
    service = (await api.data(ORDER, {"id": order_id}, token=api.token(Role.SERVICE)))["order"]
    assert service["status"] == "READY_FOR_PICKUP" and service["shipments"][0]["pickupCode"] is None
    elsewhere = api.token(Role.OPERATOR, locations=frozenset({"CHI"}))
    assert (await api.data(ORDER, {"id": order_id}, token=elsewhere))["order"] is None
    bob = api.token(Role.CUSTOMER, customer_id="bob")
    assert (await api.data(ORDER, {"id": order_id}, token=bob))["order"] is None
    # Nor is it in anyone's history, the admin's included.
    for token in ("admin", alice):
        history = (await api.data(ORDER, {"id": order_id}, token=token))["order"]["history"]
        ready = next(h for h in history if h["type"] == "ShipmentReadyForPickup")
        assert "pickup_code" not in ready["data"] and code not in str(history)

    # Collecting is the store's work, not the customer's nor another store's.
    not_staff = await api.gql(COLLECT, {"id": shipment_id, "code": code}, token=alice)
    assert not_staff["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    refused = (await api.data(COLLECT, {"id": shipment_id, "code": code}, token=elsewhere))["confirmCollection"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"

    operator = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))
    collected = (await api.data(COLLECT, {"id": shipment_id, "code": code}, token=operator))["confirmCollection"]
    assert collected == {"shipment": {"status": "COLLECTED", "pickupCode": code}, "userErrors": []}
    assert (await api.data(ORDER, {"id": order_id}, token=alice))["order"]["status"] == "COLLECTED"
    levels = {lv["location"]["code"]: lv for lv in (await api.data(LEVELS))["inventory"]["levels"]}
    assert (levels["NWK"]["onHand"], levels["NWK"]["reserved"]) == (3, 0)  # the units left with alice


async def test_wrong_codes_are_refused_and_five_lock_the_counter_for_fifteen_minutes(
    api: Api, api_clock: MovableClock
) -> None:
    order_id, shipment_id, code = await ready_for_alice(api)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    operator = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))

    async def collect(given: str) -> dict[str, Any]:
        answer = await api.data(COLLECT, {"id": shipment_id, "code": given}, token=operator)
        result: dict[str, Any] = answer["confirmCollection"]
        return result

    for _ in range(5):
        refused = await collect(wrong)
        assert refused["shipment"] is None
        (error,) = refused["userErrors"]
        assert (error["code"], error["field"]) == ("INVALID_PICKUP_CODE", ["input", "pickupCode"])
        assert wrong not in error["message"] and code not in error["message"]
    order = (await api.data(ORDER, {"id": order_id}))["order"]
    assert (order["status"], order["shipments"][0]["status"]) == ("READY_FOR_PICKUP", "READY_FOR_PICKUP")

    api_clock.offset = timedelta(minutes=14)
    for given in (code, wrong):  # locked: even the right code is refused
        (error,) = (await collect(given))["userErrors"]
        assert (error["code"], error["field"]) == ("TOO_MANY_ATTEMPTS", ["input", "pickupCode"])
        assert code not in error["message"]

    api_clock.offset = timedelta(minutes=15, seconds=1)
    assert await collect(code) == {"shipment": {"status": "COLLECTED", "pickupCode": code}, "userErrors": []}
