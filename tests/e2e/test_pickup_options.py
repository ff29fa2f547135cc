"""Click & collect over HTTP, without a token: a store holding the cart has it ready first, a store without it
via a transfer (later), and the public quantity cap of `fulfillmentOptions` applies here too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.security import Role
from app.settings import Settings

from .conftest import Api
from .test_order_journey import LOCATION, receive

OPTIONS = """query($input: PickupOptionsInput!) { pickupOptions(input: $input) {
  location { code name handlingCost dailyCapacity } distanceKm readyBy available viaTransfer } }"""
MANHATTAN = {"latitude": 40.75, "longitude": -73.99}


async def stores(api: Api) -> None:
    """Two stores in Manhattan (UWS with stock, SOHO without), a store in Boston and a DC in Newark."""
    for code, kind, lat, lon in [
        ("UWS", "STORE", 40.787, -73.975),
        ("SOHO", "STORE", 40.723, -74.0),
        ("BOS", "STORE", 42.36, -71.06),
        ("NWK", "DISTRIBUTION_CENTER", 40.73, -74.17),
    ]:
        site = {"code": code, "name": f"{code} site", "type": kind, "latitude": lat, "longitude": lon,
                "handlingCost": 1.5}  # fmt: skip
        assert (await api.data(LOCATION, {"input": site}))["createLocation"]["userErrors"] == []


def cart(quantity: int, **more: Any) -> dict[str, Any]:
    return {"input": {"lines": [{"sku": "TEE", "quantity": quantity}], "near": MANHATTAN, **more}}


async def test_a_store_with_stock_is_ready_first_and_one_without_gets_it_by_transfer(api: Api) -> None:
    await stores(api)
    await receive(api, "UWS", "TEE", 3)
    await receive(api, "NWK", "TEE", 20)
    found = (await api.data(OPTIONS, cart(2), token=None))["pickupOptions"]
    assert [o["location"]["code"] for o in found] == ["UWS", "SOHO"]  # Boston is beyond the 50 km; NWK no counter
    uws, soho = found
    assert uws["available"] and not uws["viaTransfer"]
    assert soho["available"] and soho["viaTransfer"]
    assert datetime.fromisoformat(soho["readyBy"]) > datetime.fromisoformat(uws["readyBy"])  # the transit
    assert 0 < soho["distanceKm"] < uws["distanceKm"]  # nearer, yet after: readiness comes first
    # What a store costs the network is for staff: a shopper sees the store, not its settings.
    assert all(o["location"]["handlingCost"] is None for o in found)
    staff = (await api.data(OPTIONS, cart(2)))["pickupOptions"]
    assert {o["location"]["handlingCost"] for o in staff} == {1.5}
    # More than UWS holds: both need the transfer now; wider radius: Boston too.
    wide = (await api.data(OPTIONS, cart(4, radiusKm=400), token=None))["pickupOptions"]
    assert [(o["location"]["code"], o["viaTransfer"]) for o in wide] == [
        ("SOHO", True),
        ("UWS", True),
        ("BOS", True),
    ]
    assert (await api.data(OPTIONS, cart(1, first=1), token=None))["pickupOptions"][0]["location"]["code"] == "UWS"


async def test_nobody_can_serve_the_cart_the_stores_are_listed_unavailable(api: Api) -> None:
    await stores(api)
    found = (await api.data(OPTIONS, cart(1), token=None))["pickupOptions"]
    assert [(o["location"]["code"], o["available"], o["viaTransfer"]) for o in found] == [
        ("SOHO", False, False),
        ("UWS", False, False),
    ]


async def test_without_a_token_quantities_are_capped_as_for_delivery_promises(api: Api) -> None:
    await stores(api)
    await receive(api, "UWS", "TEE", 98)
    cap = Settings().public_max_quantity
    within = (await api.data(OPTIONS, cart(cap), token=None))["pickupOptions"]
    assert within[0]["location"]["code"] == "UWS" and not within[0]["viaTransfer"]
    for probe in (cart(98), cart(cap + 1)):
        refused = (await api.gql(OPTIONS, probe, token=None))["errors"][0]
        assert refused["extensions"] == {"code": "INVALID_QUANTITY", "field": "input.lines"}, refused
    signed = (await api.data(OPTIONS, cart(98), token=api.token(Role.CUSTOMER, customer_id="c")))["pickupOptions"]
    assert signed[0]["location"]["code"] == "UWS" and not signed[0]["viaTransfer"]


async def test_a_radius_or_page_size_out_of_bounds_is_refused(api: Api) -> None:
    refusals: list[tuple[dict[str, float], str]] = [
        ({"radiusKm": 0}, "input.radiusKm"),
        ({"radiusKm": 1e6}, "input.radiusKm"),
        ({"first": 0}, "input.first"),
        ({"first": 101}, "input.first"),
    ]
    for more, field in refusals:
        refused = (await api.gql(OPTIONS, cart(1, **more), token=None))["errors"][0]
        assert refused["extensions"] == {"code": "INVALID_ARGUMENT", "field": field}, refused
