"""The whole journey through HTTP: network, stock, orders single and split, fulfilment, tracking to delivery,
a return back to stock, a cancellation releasing stock — against a running app and a real worker."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.carriers.simulated import tracking_number_for

from .conftest import Api, eventually

LOCATION = """mutation($input: CreateLocationInput!) { createLocation(input: $input) {
  location { id code type } userErrors { field message code } } }"""
RECEIVE = """mutation($input: ReceiveStockInput!) { receiveStock(input: $input) {
  level { sku onHand available location { code } } userErrors { field message code } } }"""
PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { id status customerId lines { sku quantity allocated backordered } } userErrors { field message code } } }"""
ORDER = """query($id: ID!) { order(id: $id) { id status
  lines { sku quantity allocated backordered shipped delivered cancelled returned }
  shipments { id status location { code } lines { sku quantity } carrier trackingNumber promisedDelivery
              tracking { status occurredAt } }
  sourcingDecision { algorithm totalCost candidates { location { code } selected reason cost } }
  history { type actor } returns { id status } } }"""
INVENTORY = """query($sku: String!) { inventory(sku: $sku) { sku onHand reserved available
  levels { location { code } onHand reserved available } } }"""


async def network(api: Api) -> None:
    for code, kind, lat, lon in [
        ("NWK", "DISTRIBUTION_CENTER", 40.73, -74.17),
        ("CHI", "STORE", 41.88, -87.63),
        ("RET", "RETURNS_CENTER", 38.25, -85.76),
    ]:
        data = await api.data(
            LOCATION, {"input": {"code": code, "name": f"{code} site", "type": kind, "latitude": lat, "longitude": lon}}
        )
        assert data["createLocation"]["userErrors"] == []
        assert data["createLocation"]["location"]["code"] == code


async def receive(api: Api, code: str, sku: str, quantity: int) -> dict[str, Any]:
    data = await api.data(RECEIVE, {"input": {"locationCode": code, "sku": sku, "quantity": quantity}})
    return data["receiveStock"]  # type: ignore[no-any-return]


async def order_of(api: Api, order_id: str) -> dict[str, Any]:
    return (await api.data(ORDER, {"id": order_id}))["order"]  # type: ignore[no-any-return]


async def wait_status(api: Api, order_id: str, *statuses: str) -> dict[str, Any]:
    async def reached() -> bool:
        return (await order_of(api, order_id))["status"] in statuses

    await eventually(reached)
    return await order_of(api, order_id)


async def test_an_order_goes_from_placement_to_delivery_and_back_as_a_return(api: Api) -> None:
    await network(api)
    level = await receive(api, "NWK", "TEE", 10)
    assert level["userErrors"] == [] and level["level"]["onHand"] == 10  # read-your-writes
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "c-1", "lines": [{"sku": "TEE", "quantity": 2}], "shipTo": {"postalCode": "10024"}}},
    )
    order = placed["placeOrder"]["order"]
    assert order["status"] == "PLACED" and order["customerId"] == "c-1"

    allocated = await wait_status(api, order["id"], "ALLOCATED")
    shipment = allocated["shipments"][0]
    assert shipment["location"]["code"] == "NWK" and shipment["status"] == "PLANNED"
    assert shipment["promisedDelivery"] is not None
    decision = allocated["sourcingDecision"]
    assert decision["algorithm"] and any(c["selected"] for c in decision["candidates"])
    assert any(c["location"]["code"] == "RET" and c["reason"] for c in decision["candidates"])

    packed = await api.data(
        """mutation($id: ID!) { packShipment(input: {shipmentId: $id}) {
        shipment { status } userErrors { code } } }""",
        {"id": shipment["id"]},
    )
    assert packed["packShipment"]["shipment"]["status"] == "PACKED"
    number = tracking_number_for("e2e1", datetime.now(UTC))
    dispatched = await api.data(
        """mutation($id: ID!, $n: String!) {
          dispatchShipment(input: {shipmentId: $id, carrier: "simulated", trackingNumber: $n}) {
            shipment { status carrier trackingNumber } userErrors { code } } }""",
        {"id": shipment["id"], "n": number},
    )
    assert dispatched["dispatchShipment"]["shipment"]["status"] == "DISPATCHED"
    inventory = (await api.data(INVENTORY, {"sku": "TEE"}))["inventory"]
    assert (inventory["onHand"], inventory["reserved"], inventory["available"]) == (8, 0, 8)

    delivered = await wait_status(api, order["id"], "DELIVERED")
    statuses = [t["status"] for t in delivered["shipments"][0]["tracking"]]
    assert statuses[-1] == "DELIVERED" and "IN_TRANSIT" in statuses
    assert delivered["lines"][0]["delivered"] == 2

    requested = await api.data(
        """mutation($id: ID!) { requestReturn(input: {orderId: $id,
        lines: [{sku: "TEE", quantity: 1, reason: "too small"}]}) { return { id status } userErrors { code } } }""",
        {"id": order["id"]},
    )
    rma = requested["requestReturn"]["return"]
    assert rma["status"] == "REQUESTED"
    approved = await api.data(
        """mutation($id: ID!) { approveReturn(input: {returnId: $id}) {
        return { status } userErrors { code } } }""",
        {"id": rma["id"]},
    )
    assert approved["approveReturn"]["return"]["status"] == "APPROVED"
    received = await api.data(
        """mutation($id: ID!) { receiveReturn(input: {returnId: $id, locationCode: "RET",
        lines: [{sku: "TEE", quantity: 1, condition: RESELLABLE}]}) {
        return { status lines { sku condition } } userErrors { field code message } } }""",
        {"id": rma["id"]},
    )
    assert received["receiveReturn"]["userErrors"] == []
    assert received["receiveReturn"]["return"]["lines"][0]["condition"] == "RESELLABLE"
    levels = {
        lv["location"]["code"]: lv["onHand"]
        for lv in (await api.data(INVENTORY, {"sku": "TEE"}))["inventory"]["levels"]
    }
    assert levels == {"NWK": 8, "RET": 1}

    async def refunded() -> bool:
        found = (await order_of(api, order["id"]))["returns"]
        return bool(found) and found[0]["status"] == "REFUNDED"

    await eventually(refunded)  # the settle-return job refunds it
    history = [h["type"] for h in (await order_of(api, order["id"]))["history"]]
    assert history[:3] == ["OrderPlaced", "SourcingDecided", "OrderAllocated"]
    assert "OrderReturnClosed" in history


async def test_a_split_order_and_a_cancellation_releasing_stock(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "MUG", 1)
    await receive(api, "CHI", "MUG", 1)
    placed = await api.data(
        PLACE,
        {
            "input": {
                "customerId": "c-2",
                "lines": [{"sku": "MUG", "quantity": 2}],
                "shipTo": {"latitude": 40.0, "longitude": -80.0},
            }
        },
    )
    order_id = placed["placeOrder"]["order"]["id"]
    allocated = await wait_status(api, order_id, "ALLOCATED")
    assert sorted(s["location"]["code"] for s in allocated["shipments"]) == ["CHI", "NWK"]
    inventory = (await api.data(INVENTORY, {"sku": "MUG"}))["inventory"]
    assert (inventory["reserved"], inventory["available"]) == (2, 0)

    cancelled = await api.data(
        """mutation($id: ID!) { cancelOrder(input: {orderId: $id, reason: "changed mind"}) {
        order { status shipments { status } } userErrors { code } } }""",
        {"id": order_id},
    )
    assert cancelled["cancelOrder"]["order"]["status"] == "CANCELLED"
    assert {s["status"] for s in cancelled["cancelOrder"]["order"]["shipments"]} == {"CANCELLED"}
    inventory = (await api.data(INVENTORY, {"sku": "MUG"}))["inventory"]
    assert (inventory["reserved"], inventory["available"]) == (0, 2)


async def test_a_backordered_order_is_allocated_when_supply_arrives(api: Api) -> None:
    await network(api)
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "c-3", "lines": [{"sku": "RARE", "quantity": 1}], "shipTo": {"postalCode": "60601"}}},
    )
    order_id = placed["placeOrder"]["order"]["id"]
    await wait_status(api, order_id, "BACKORDERED")
    await receive(api, "CHI", "RARE", 5)
    allocated = await wait_status(api, order_id, "ALLOCATED")
    assert allocated["shipments"][0]["location"]["code"] == "CHI"
