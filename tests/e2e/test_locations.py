"""Locations as fulfilment nodes over HTTP: capabilities and store settings on create, updateLocation and its
userErrors, and a location without SHIP never ships an order nor backs a delivery promise."""

from __future__ import annotations

from typing import Any

from .conftest import Api, eventually
from .test_fulfillment import OPTIONS
from .test_order_journey import PLACE, receive, wait_status

FIELDS = "code active capabilities dailyCapacity handlingCost pickSlaMinutes pickupHoldDays"
CREATE = f"""mutation($input: CreateLocationInput!) {{ createLocation(input: $input) {{
  location {{ {FIELDS} }} userErrors {{ field code }} }} }}"""
UPDATE = f"""mutation($input: UpdateLocationInput!) {{ updateLocation(input: $input) {{
  location {{ {FIELDS} }} userErrors {{ field code }} }} }}"""


def site(code: str, kind: str, lat: float, lon: float, **settings: Any) -> dict[str, Any]:
    return {
        "input": {"code": code, "name": f"{code} site", "type": kind, "latitude": lat, "longitude": lon, **settings}
    }


async def test_capabilities_and_settings_are_created_updated_and_read_back(api: Api) -> None:
    dc = (await api.data(CREATE, site("NWK", "DISTRIBUTION_CENTER", 40.73, -74.17)))["createLocation"]
    assert dc["userErrors"] == []
    assert dc["location"] == {
        "code": "NWK", "active": True, "capabilities": ["SHIP", "RETURNS"], "dailyCapacity": None,
        "handlingCost": 0.0, "pickSlaMinutes": None, "pickupHoldDays": 5,
    }  # fmt: skip
    store = await api.data(
        CREATE, site("SOH", "STORE", 40.72, -74.0, capabilities=["PICKUP"], pickSlaMinutes=30, pickupHoldDays=3)
    )
    assert store["createLocation"]["location"]["capabilities"] == ["PICKUP"]
    assert (
        store["createLocation"]["location"]["pickSlaMinutes"],
        store["createLocation"]["location"]["pickupHoldDays"],
    ) == (30, 3)

    updated = await api.data(
        UPDATE,
        {"input": {"code": "SOH", "capabilities": ["SHIP", "PICKUP"], "pickSlaMinutes": None, "dailyCapacity": 40}},
    )
    assert updated["updateLocation"]["userErrors"] == []
    assert updated["updateLocation"]["location"] == {
        "code": "SOH", "active": True, "capabilities": ["SHIP", "PICKUP"], "dailyCapacity": 40,
        "handlingCost": 0.0, "pickSlaMinutes": None, "pickupHoldDays": 3,
    }  # fmt: skip
    closed = await api.data(UPDATE, {"input": {"code": "SOH", "active": False}})
    assert closed["updateLocation"]["location"]["active"] is False
    listed = {loc["code"]: loc for loc in (await api.data(f"{{ locations {{ {FIELDS} }} }}"))["locations"]}
    assert listed["SOH"] == closed["updateLocation"]["location"]
    node = await api.data(f'{{ node(id: "Location:SOH") {{ ... on Location {{ {FIELDS} }} }} }}')
    assert node["node"] == listed["SOH"]


async def test_invalid_settings_are_user_errors_at_their_field(api: Api) -> None:
    created = await api.data(CREATE, site("NWK", "DISTRIBUTION_CENTER", 40.73, -74.17))
    assert created["createLocation"]["userErrors"] == []
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"pickSlaMinutes": -10}, "pickSlaMinutes"),
        ({"pickupHoldDays": 0}, "pickupHoldDays"),
        ({"capabilities": []}, "capabilities"),
        ({"name": " "}, "name"),
    ]
    for change, field in wrong:
        refused = (await api.data(UPDATE, {"input": {"code": "NWK", **change}}))["updateLocation"]
        assert refused["location"] is None
        assert [e["field"][-1] for e in refused["userErrors"]] == [field], (change, refused)
    missing = (await api.data(UPDATE, {"input": {"code": "NOPE", "name": "x"}}))["updateLocation"]
    assert missing["location"] is None and missing["userErrors"][0]["code"] == "NOT_FOUND"
    refused_store = await api.data(CREATE, site("ST2", "STORE", 40.0, -74.0, pickupHoldDays=0))
    assert [e["field"][-1] for e in refused_store["createLocation"]["userErrors"]] == ["pickupHoldDays"]


async def test_a_location_without_ship_never_ships_and_the_decision_says_why(api: Api) -> None:
    # The pickup-only store is the nearest to the customer and the only one holding MUG.
    await api.data(CREATE, site("SOH", "STORE", 40.72, -74.0, capabilities=["PICKUP"]))
    await api.data(CREATE, site("CHI", "DISTRIBUTION_CENTER", 41.88, -87.63))
    await receive(api, "SOH", "TEE", 20)
    await receive(api, "SOH", "MUG", 20)
    await receive(api, "CHI", "TEE", 5)
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "c-1", "lines": [{"sku": "TEE", "quantity": 2}], "shipTo": {"postalCode": "10024"}}},
    )
    allocated = await wait_status(api, placed["placeOrder"]["order"]["id"], "ALLOCATED")
    assert [s["location"]["code"] for s in allocated["shipments"]] == ["CHI"]
    reasons = {c["location"]["code"]: c["reason"] for c in allocated["sourcingDecision"]["candidates"]}
    assert "cannot ship" in reasons["SOH"]

    cart = {"lines": [{"sku": "MUG", "quantity": 1}], "shipTo": {"postalCode": "10024"}}
    options = (await api.data(OPTIONS, {"input": cart}))["fulfillmentOptions"]
    assert not any(o["available"] for o in options), options
    await api.data(UPDATE, {"input": {"code": "SOH", "capabilities": ["SHIP", "PICKUP"]}})

    async def promised() -> bool:
        answered = (await api.data(OPTIONS, {"input": cart}))["fulfillmentOptions"]
        return any(o["available"] for o in answered)

    await eventually(promised)  # the prepared network follows the change without a restart
