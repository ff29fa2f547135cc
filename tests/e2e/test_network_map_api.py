"""What the console's map reads from the API: an order's ship-to (the coordinates sourcing measured from, as of a
moment too) and each location's capacity used today, which only whoever sees the location's work may read."""

from __future__ import annotations

from app.security import Role

from .conftest import Api
from .test_console import placed_order
from .test_order_journey import PLACE, network, receive, wait_status

SHIP_TO = "query($id: ID!) { order(id: $id) { shipTo { latitude longitude postalCode country } } }"
CAPACITY = "{ locations { code dailyCapacity capacityUsedToday } }"
CANCEL = """mutation($input: CancelOrderInput!) { cancelOrder(input: $input) { userErrors { code } } }"""


async def test_an_order_s_ship_to_is_where_sourcing_placed_its_postal_code(api: Api) -> None:
    order_id = await placed_order(api)  # to postal code 10024
    ship_to = (await api.data(SHIP_TO, {"id": order_id}))["order"]["shipTo"]
    assert (ship_to["postalCode"], ship_to["country"]) == ("10024", None)
    assert 40.7 < ship_to["latitude"] < 40.9 and -74.1 < ship_to["longitude"] < -73.9  # Manhattan's Upper West Side
    own = await api.data(SHIP_TO, {"id": order_id}, token=api.token(Role.CUSTOMER, customer_id="c-1"))
    assert own["order"]["shipTo"] == ship_to  # the customer's own address, as given


async def test_capacity_used_today_counts_the_shipments_planned_at_a_location_for_whoever_sees_its_work(
    api: Api,
) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    order_ids = []
    for customer in ("c-1", "c-2"):
        placed = await api.data(
            PLACE,
            {
                "input": {
                    "customerId": customer,
                    "lines": [{"sku": "TEE", "quantity": 1}],
                    "shipTo": {"postalCode": "10024"},
                }
            },
        )
        order_ids.append(placed["placeOrder"]["order"]["id"])
    for order_id in order_ids:
        await wait_status(api, order_id, "ALLOCATED")

    used = {loc["code"]: loc["capacityUsedToday"] for loc in (await api.data(CAPACITY))["locations"]}
    assert used == {"NWK": 2, "CHI": 0, "RET": 0}

    # A cancelled order's shipment no longer takes any of the day.
    cancelled = await api.data(CANCEL, {"input": {"orderId": order_ids[0], "reason": "changed my mind"}})
    assert cancelled["cancelOrder"]["userErrors"] == []
    await wait_status(api, order_ids[0], "CANCELLED")
    used = {loc["code"]: loc["capacityUsedToday"] for loc in (await api.data(CAPACITY))["locations"]}
    assert used["NWK"] == 1

    # An operator reads its own locations' figure only; the rest of the network is still listed, without it.
    elsewhere = await api.data(CAPACITY, token=api.token(Role.OPERATOR, locations=frozenset({"CHI"})))
    assert {loc["code"]: loc["capacityUsedToday"] for loc in elsewhere["locations"]} == {
        "NWK": None,
        "CHI": 0,
        "RET": None,
    }
