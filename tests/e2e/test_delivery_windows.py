"""Delivery windows over HTTP: an admin sets a store's courier capacity (checked at its fields), a shopper without
a token sees its windows, an order takes the last slot of one (WINDOW_UNAVAILABLE for the next), and a cancel
gives it back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .conftest import Api, eventually
from .test_order_journey import LOCATION, receive

CAPACITY = """mutation($input: DeliveryCapacityInput!) { setDeliveryCapacity(input: $input) {
  location { code } userErrors { field message code } } }"""
WINDOWS = """query($input: DeliveryWindowsInput!) { deliveryWindows(input: $input) {
  start end serviceLevel cost available remaining } }"""
PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { id deliveryWindow { start end serviceLevel } shipments { location { code } releaseAt } }
  userErrors { field message code } } }"""
WORK = """{ pickList(locationCode: "UWS") { sku } fulfillmentQueue(locationCode: "UWS") { edges { cursor } } }"""
CANCEL = """mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { userErrors { code } } }"""
UWS = {"code": "UWS", "name": "Upper West Side", "type": "STORE", "latitude": 40.787, "longitude": -73.975}
MANHATTAN = {"latitude": 40.75, "longitude": -73.99}
CART = {"lines": [{"sku": "TEE", "quantity": 1}], "shipTo": MANHATTAN}
HOURLY = {
    "locationCode": "UWS",
    "windowMinutes": 60,
    "deliveriesPerWindow": 1,
    "firstWindowStartsAt": "00:00",
    "lastWindowEndsAt": "23:00",
}


async def windows(api: Api) -> list[dict[str, Any]]:
    return (await api.data(WINDOWS, {"input": CART}, token=None))["deliveryWindows"]  # type: ignore[no-any-return]


async def test_capacity_windows_fill_up_and_a_cancel_gives_the_slot_back(api: Api) -> None:
    assert (await api.data(LOCATION, {"input": UWS}))["createLocation"]["userErrors"] == []
    await receive(api, "UWS", "TEE", 5)
    bad = {**HOURLY, "windowMinutes": 10, "deliveriesPerWindow": -1, "firstWindowStartsAt": "9am"}
    refused = (await api.data(CAPACITY, {"input": bad}))["setDeliveryCapacity"]
    assert {tuple(e["field"]) for e in refused["userErrors"]} == {
        ("input", "windowMinutes"),
        ("input", "deliveriesPerWindow"),
        ("input", "firstWindowStartsAt"),
    }
    missing = (await api.data(CAPACITY, {"input": {**HOURLY, "locationCode": "NOPE"}}))["setDeliveryCapacity"]
    assert [(e["code"], e["field"]) for e in missing["userErrors"]] == [("NOT_FOUND", ["input", "locationCode"])]
    anonymous = await api.gql(CAPACITY, {"input": HOURLY}, token=None)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    done = (await api.data(CAPACITY, {"input": HOURLY}))["setDeliveryCapacity"]
    assert done == {"location": {"code": "UWS"}, "userErrors": []}

    async def courier_windows() -> bool:
        return any(w["remaining"] == 1 for w in await windows(api))

    await eventually(courier_windows)
    listed = await windows(api)
    assert any(w["remaining"] is None and w["available"] for w in listed)  # scheduled day windows too
    chosen = next(w for w in listed if w["remaining"] == 1 and w["available"])
    assert chosen["serviceLevel"] == "SAME_DAY"
    asked = {"start": chosen["start"], "end": chosen["end"]}

    first = {"customerId": "alice", **CART, "deliveryWindow": asked}
    placed = (await api.data(PLACE, {"input": first}))["placeOrder"]
    assert placed["userErrors"] == []
    order = placed["order"]
    assert datetime.fromisoformat(order["deliveryWindow"]["start"]) == datetime.fromisoformat(asked["start"])
    (shipment,) = order["shipments"]
    assert shipment["location"]["code"] == "UWS"
    release = datetime.fromisoformat(shipment["releaseAt"])
    assert datetime.now(UTC) < release < datetime.fromisoformat(asked["start"])

    # Picked no earlier than its release: not in the store's pick list nor its queue until then.
    work = await api.data(WORK)
    assert work["pickList"] == [] and work["fulfillmentQueue"]["edges"] == []

    full = next(w for w in await windows(api) if w["start"] == chosen["start"] and w["remaining"] is not None)
    assert (full["available"], full["remaining"]) == (False, 0)
    second = (await api.data(PLACE, {"input": {**first, "customerId": "bob"}}))["placeOrder"]
    assert second["order"] is None
    assert [(e["code"], e["field"]) for e in second["userErrors"]] == [
        ("WINDOW_UNAVAILABLE", ["input", "deliveryWindow"])
    ]

    assert (await api.data(CANCEL, {"id": order["id"]}))["cancelOrder"]["userErrors"] == []
    again = next(w for w in await windows(api) if w["start"] == chosen["start"] and w["remaining"] is not None)
    assert (again["available"], again["remaining"]) == (True, 1)


async def test_a_location_keeps_the_time_zone_it_is_given(api: Api) -> None:
    assert (await api.data(LOCATION, {"input": UWS}))["createLocation"]["userErrors"] == []
    update = (
        """mutation($input: UpdateLocationInput!) { updateLocation(input: $input) { userErrors { field code } } }"""
    )
    wrong = await api.data(update, {"input": {"code": "UWS", "timeZone": "Mars/Olympus"}})
    assert wrong["updateLocation"]["userErrors"] == [{"field": ["input", "timeZone"], "code": "INVALID_INPUT"}]
    right = await api.data(update, {"input": {"code": "UWS", "timeZone": "America/New_York"}})
    assert right["updateLocation"]["userErrors"] == []


async def test_a_window_query_checks_its_span(api: Api) -> None:
    span = {**CART, "from": "2026-06-02T00:00:00Z", "to": "2026-06-01T00:00:00Z"}
    answer = await api.gql(WINDOWS, {"input": span}, token=None)
    assert answer["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
