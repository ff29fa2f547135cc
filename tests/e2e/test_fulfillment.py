"""The delivery promise over HTTP: the same options as a quote made from scratch on the log and the read models,
and a new location reaches the promise without a restart (the prepared network is rebuilt when it changes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.clock import system_clock
from app.domain import ALL_EVENTS
from app.domain.values import Coordinates
from app.handlers.network import LogNetwork
from app.handlers.profiles import LogProfiles
from app.handlers.sourcing import candidate
from app.sourcing import PreparedNetwork
from eventstore import EventCodec
from projections.schema import create_readmodel_pool
from projections.sql import query

from .conftest import Api, eventually
from .test_order_journey import LOCATION, network, receive

OPTIONS = """query($input: FulfillmentOptionsInput!) {
  fulfillmentOptions(input: $input) { serviceLevel promisedDelivery cost shipments available } }"""

Cart = tuple[dict[str, int], dict[str, float]]
CARTS: list[Cart] = [
    ({"TEE": 1}, {"latitude": 40.7, "longitude": -74.0}),
    ({"TEE": 2, "MUG": 1}, {"latitude": 41.9, "longitude": -87.6}),
    ({"MUG": 3}, {"latitude": 34.05, "longitude": -118.24}),
    ({"TEE": 9, "CAP": 1}, {"latitude": 40.0, "longitude": -80.0}),
    ({"NONE": 1}, {"latitude": 40.0, "longitude": -80.0}),
]


async def options(api: Api, lines: dict[str, int], ship_to: dict[str, float]) -> list[tuple[Any, ...]]:
    cart = [{"sku": sku, "quantity": qty} for sku, qty in lines.items()]
    data = await api.data(OPTIONS, {"input": {"lines": cart, "shipTo": ship_to}}, token=None)
    return [
        (o["serviceLevel"], datetime.fromisoformat(o["promisedDelivery"]), o["cost"], o["shipments"], o["available"])
        for o in data["fulfillmentOptions"]
    ]


async def from_scratch(api: Api, database_url: str, cart: Cart) -> list[tuple[Any, ...]]:
    """What the resolver answered before the network was prepared and cached: everything read for this call."""
    lines, ship_to = cart
    codec = EventCodec(ALL_EVENTS)
    sites = [candidate(loc) for loc in await LogNetwork(api.store, codec).locations()]
    profile = await LogProfiles(api.store, codec).active()
    pool = await create_readmodel_pool(database_url, max_size=1)
    try:
        rows = await pool.fetch(query("available_stock"), list(lines))
    finally:
        await pool.close()
    availability = {(r[0], r[1]): r[2] for r in rows}
    point = Coordinates(latitude=ship_to["latitude"], longitude=ship_to["longitude"])
    return [
        (str(o.service_level), o.promised_delivery, round(o.cost, 2), o.shipments, o.available)
        for o in PreparedNetwork(sites, profile).quote(lines, point, availability, system_clock())
        if o.promised_delivery is not None
    ]


async def test_the_promise_matches_a_quote_made_from_scratch(api: Api, database_url: str) -> None:
    await network(api)
    for code, sku, qty in [("NWK", "TEE", 5), ("CHI", "TEE", 2), ("CHI", "MUG", 1), ("NWK", "MUG", 2)]:
        await receive(api, code, sku, qty)  # read-your-writes: the read models hold it when this returns
    for cart in CARTS:
        assert await options(api, *cart) == await from_scratch(api, database_url, cart), cart


async def test_a_new_location_reaches_the_promise_without_a_restart(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    west: dict[str, float] = {"latitude": 34.05, "longitude": -118.24}
    before = await options(api, {"TEE": 1}, west)
    site = {"code": "LAX", "name": "LAX site", "type": "DISTRIBUTION_CENTER", "latitude": 34.0, "longitude": -118.2}
    assert (await api.data(LOCATION, {"input": site}))["createLocation"]["userErrors"] == []
    await receive(api, "LAX", "TEE", 5)

    async def cheaper() -> bool:
        return bool((await options(api, {"TEE": 1}, west))[0][2] < before[0][2])

    await eventually(cheaper, timeout=5.0)  # the locations are reloaded about once a second
