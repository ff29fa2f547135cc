"""Click & collect over HTTP: a pickup refused at a store that cannot hand it over (with the field at fault), one
served from the store's shelf, and one brought in by a transfer that the simulated carrier delivers to the store,
where the units are received and reserved and the pickup shipment becomes the store's work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.carriers.simulated import tracking_number_for

from .conftest import Api, eventually
from .test_order_journey import LOCATION, PLACE, network, receive, wait_status

ORDER = """query($id: ID!) { order(id: $id) { id status deliveryMethod pickupLocation { code }
  lines { sku quantity allocated shipped delivered }
  shipments { id status kind location { code } destination { code } lines { sku quantity } } } }"""
PICK_LIST = """query($code: String!) { pickList(locationCode: $code) { sku quantity shipments { id } } }"""
LEVELS = """{ inventory(sku: "TEE") { levels { location { code } onHand reserved } } }"""


def pickup(code: str | None, quantity: int = 1, **more: Any) -> dict[str, Any]:
    return {
        "input": {
            "customerId": "c-1",
            "lines": [{"sku": "TEE", "quantity": quantity}],
            "deliveryMethod": "PICKUP",
            "pickupLocationCode": code,
            **more,
        }
    }


async def store(api: Api) -> None:
    await network(api)  # NWK (a DC near Manhattan), CHI (a store), RET (a returns centre)
    made = await api.data(
        LOCATION,
        {"input": {"code": "NYC", "name": "NYC store", "type": "STORE", "latitude": 40.76, "longitude": -73.98}},
    )
    assert made["createLocation"]["userErrors"] == []


async def levels(api: Api) -> dict[str, tuple[int, int]]:
    found = (await api.data(LEVELS))["inventory"]["levels"]
    return {level["location"]["code"]: (level["onHand"], level["reserved"]) for level in found}


async def test_a_pickup_is_refused_at_the_field_at_fault(api: Api) -> None:
    await store(api)

    async def refusal(variables: dict[str, Any]) -> list[dict[str, Any]]:
        placed = (await api.data(PLACE, variables))["placeOrder"]
        assert placed["order"] is None
        return [{"field": e["field"], "code": e["code"]} for e in placed["userErrors"]]

    at = ["input", "pickupLocationCode"]
    assert await refusal(pickup(None)) == [{"field": at, "code": "INVALID_INPUT"}]
    assert await refusal(pickup("NOPE")) == [{"field": at, "code": "INVALID_LOCATION"}]
    assert await refusal(pickup("NWK")) == [{"field": at, "code": "INVALID_LOCATION"}]  # a DC: no counter
    assert await refusal(pickup("RET")) == [{"field": at, "code": "INVALID_LOCATION"}]
    shipped = {"input": {"customerId": "c-1", "lines": [{"sku": "TEE", "quantity": 1}]}}
    assert await refusal(shipped) == [{"field": ["input", "shipTo"], "code": "INVALID_INPUT"}]


async def test_a_pickup_from_the_shelf_and_one_brought_in_by_transfer(api: Api) -> None:
    await store(api)
    await receive(api, "NYC", "TEE", 1)
    await receive(api, "NWK", "TEE", 10)

    shelf = (await api.data(PLACE, pickup("NYC")))["placeOrder"]
    assert shelf["userErrors"] == []
    await wait_status(api, shelf["order"]["id"], "ALLOCATED")
    order = (await api.data(ORDER, {"id": shelf["order"]["id"]}))["order"]
    assert (order["deliveryMethod"], order["pickupLocation"]) == ("PICKUP", {"code": "NYC"})
    assert [(s["kind"], s["location"]["code"], s["destination"]) for s in order["shipments"]] == [
        ("PICKUP", "NYC", None)
    ]

    moved = (await api.data(PLACE, pickup("NYC", 2)))["placeOrder"]
    order_id = moved["order"]["id"]
    await wait_status(api, order_id, "ALLOCATED")
    order = (await api.data(ORDER, {"id": order_id}))["order"]
    transfer, waiting = order["shipments"]
    assert (transfer["kind"], transfer["location"], transfer["destination"]) == (
        "SHIP",
        {"code": "NWK"},
        {"code": "NYC"},
    )
    assert (waiting["kind"], waiting["location"], waiting["status"]) == ("PICKUP", {"code": "NYC"}, "PLANNED")
    assert order["lines"] == [{"sku": "TEE", "quantity": 2, "allocated": 2, "shipped": 0, "delivered": 0}]
    # The store's work is the shelf pickup only: the other waits for its transfer.
    picks = (await api.data(PICK_LIST, {"code": "NYC"}))["pickList"]
    assert [(p["sku"], p["quantity"]) for p in picks] == [("TEE", 1)]
    assert waiting["id"] not in {s["id"] for p in picks for s in p["shipments"]}
    assert (await levels(api))["NWK"] == (10, 2)

    packed = await api.data(
        "mutation($id: ID!) { packShipment(input: {shipmentId: $id}) { userErrors { code } } }", {"id": transfer["id"]}
    )
    assert packed["packShipment"]["userErrors"] == []
    dispatched = await api.data(
        """mutation($id: ID!, $n: String!) {
          dispatchShipment(input: {shipmentId: $id, carrier: "simulated", trackingNumber: $n}) {
            userErrors { code } } }""",
        {"id": transfer["id"], "n": tracking_number_for("pickup1", datetime.now(UTC))},
    )
    assert dispatched["dispatchShipment"]["userErrors"] == []

    async def arrived() -> bool:  # the simulated carrier delivers it to the store within seconds
        shipments = (await api.data(ORDER, {"id": order_id}))["order"]["shipments"]
        return bool(shipments[0]["status"] == "DELIVERED")

    await eventually(arrived)
    assert (await levels(api))["NWK"] == (8, 0)
    assert (await levels(api))["NYC"] == (3, 3)  # received, and reserved for the two pickups at once
    order = (await api.data(ORDER, {"id": order_id}))["order"]
    assert order["lines"] == [{"sku": "TEE", "quantity": 2, "allocated": 2, "shipped": 0, "delivered": 0}]
    picks = (await api.data(PICK_LIST, {"code": "NYC"}))["pickList"]
    assert [(p["sku"], p["quantity"]) for p in picks] == [("TEE", 3)]
    assert waiting["id"] in {s["id"] for p in picks for s in p["shipments"]}
