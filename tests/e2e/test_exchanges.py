"""exchangeItems over GraphQL with the real worker: a return and a linked replacement; the replacement is
sourced when the return is received (the dispatcher reacts to the receipt), or at once with `advance`; a
cancelled return takes its unsourced replacement with it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.carriers.simulated import tracking_number_for
from app.security import Role

from .conftest import Api, eventually
from .test_order_journey import PLACE, network, receive, wait_status

EXCHANGE = """mutation($input: ExchangeItemsInput!) { exchangeItems(input: $input) {
  return { id status replacement { id } lines { sku quantity } }
  replacement { id status customerId replacementFor { id } lines { sku quantity } }
  userErrors { field code } } }"""
CANCEL = """mutation($id: ID!) { cancelReturn(input: {returnId: $id}) { return { status } userErrors { code } } }"""
RECEIVE = """mutation($input: ReceiveReturnInput!) { receiveReturn(input: $input) {
  return { status } userErrors { code } } }"""
PACK = "mutation($id: ID!) { packShipment(input: {shipmentId: $id}) { userErrors { code } } }"
DISPATCH = """mutation($id: ID!, $n: String!) { dispatchShipment(input: {shipmentId: $id, carrier: "simulated",
  trackingNumber: $n}) { userErrors { code } } }"""
STATUS = "query($id: ID!) { order(id: $id) { status } }"
RETURN = "query($id: ID!) { node(id: $id) { ... on Return { status replacement { id status } } } }"


async def delivered_order(api: Api, customer: str, quantity: int) -> str:
    await network(api)
    await receive(api, "NWK", "TEE", 10)
    await receive(api, "NWK", "TEE-L", 10)
    lines = [{"sku": "TEE", "quantity": quantity}]
    input_ = {"customerId": customer, "lines": lines, "shipTo": {"postalCode": "10024"}}
    order_id: str = (await api.data(PLACE, {"input": input_}))["placeOrder"]["order"]["id"]
    shipment_id = (await wait_status(api, order_id, "ALLOCATED"))["shipments"][0]["id"]
    await api.data(PACK, {"id": shipment_id})
    await api.data(DISPATCH, {"id": shipment_id, "n": tracking_number_for("exch", datetime.now(UTC))})
    await wait_status(api, order_id, "DELIVERED")
    return order_id


def exchange(order_id: str, *, advance: bool = False) -> dict[str, Any]:
    return {
        "input": {
            "orderId": order_id,
            "returnLines": [{"sku": "TEE", "quantity": 1, "reason": "too small"}],
            "replacementLines": [{"sku": "TEE-L", "quantity": 1}],
            "advance": advance,
        }
    }


async def status_of(api: Api, order_id: str) -> str:
    return str((await api.data(STATUS, {"id": order_id}))["order"]["status"])


async def reaches(api: Api, order_id: str, status: str) -> None:
    async def reached() -> bool:
        return await status_of(api, order_id) == status

    await eventually(reached)


async def test_an_exchanges_replacement_is_sourced_on_receipt_or_at_once_in_advance(api: Api) -> None:
    order_id = await delivered_order(api, "alice", 3)
    alice = api.token(Role.CUSTOMER, customer_id="alice")

    # Without advance: the return is approved, the replacement placed and linked both ways, and held.
    made = (await api.data(EXCHANGE, exchange(order_id), token=alice))["exchangeItems"]
    assert made["userErrors"] == []
    rma, replacement = made["return"], made["replacement"]
    assert rma["status"] == "APPROVED" and rma["replacement"] == {"id": replacement["id"]}
    assert replacement["replacementFor"] == {"id": order_id} and replacement["customerId"] == "alice"
    assert replacement["lines"] == [{"sku": "TEE-L", "quantity": 1}]
    assert replacement["status"] == "ON_HOLD"
    back = [{"sku": "TEE", "quantity": 1, "condition": "RESELLABLE"}]
    received = {"returnId": rma["id"], "locationCode": "NWK", "lines": back}
    assert await status_of(api, replacement["id"]) == "ON_HOLD"  # nothing sourced before the goods are back
    assert (await api.data(RECEIVE, {"input": received}))["receiveReturn"]["userErrors"] == []
    await reaches(api, replacement["id"], "ALLOCATED")  # the receipt's job released it; the release's sourced it

    async def replaced() -> bool:
        return bool((await api.data(RETURN, {"id": rma["id"]}))["node"]["status"] == "REPLACED")

    await eventually(replaced)

    # With advance: sourced at once; cancelling the return then keeps the replacement already on its way.
    early = (await api.data(EXCHANGE, exchange(order_id, advance=True), token=alice))["exchangeItems"]
    assert early["userErrors"] == []
    await reaches(api, early["replacement"]["id"], "ALLOCATED")
    kept = (await api.data(CANCEL, {"id": early["return"]["id"]}, token=alice))["cancelReturn"]
    assert kept == {"return": {"status": "CANCELLED"}, "userErrors": []}
    assert await status_of(api, early["replacement"]["id"]) == "ALLOCATED"


async def test_a_cancelled_return_cancels_its_unsourced_replacement(api: Api) -> None:
    order_id = await delivered_order(api, "alice", 1)
    made = (await api.data(EXCHANGE, exchange(order_id)))["exchangeItems"]
    assert made["userErrors"] == []
    cancelled = (await api.data(CANCEL, {"id": made["return"]["id"]}))["cancelReturn"]
    assert cancelled == {"return": {"status": "CANCELLED"}, "userErrors": []}
    assert await status_of(api, made["replacement"]["id"]) == "CANCELLED"
    # The unit is free to be exchanged again; more than was delivered names the exchange's own field.
    again = (await api.data(EXCHANGE, exchange(order_id)))["exchangeItems"]
    assert again["userErrors"] == []
    too_many = exchange(order_id)
    too_many["input"]["returnLines"][0]["quantity"] = 2
    refused = (await api.data(EXCHANGE, too_many))["exchangeItems"]
    assert refused["userErrors"] == [{"field": ["input", "returnLines", "0", "quantity"], "code": "INVALID_QUANTITY"}]
    bob = api.token(Role.CUSTOMER, customer_id="bob")
    hidden = (await api.data(EXCHANGE, exchange(order_id), token=bob))["exchangeItems"]
    assert hidden["userErrors"] == [{"field": ["input", "orderId"], "code": "NOT_FOUND"}]
