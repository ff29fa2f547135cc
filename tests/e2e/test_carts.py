"""Cart reservations over GraphQL, rule by rule of the contract: a hold is taken out of ATP at once and shown as
reserved, placeOrder(reservationId) turns it into the order's allocation without re-sourcing, a consumed or
released reservation cannot be used again (INVALID_STATE), releaseCart and expiry (the sweep) give the units back."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime
from typing import Any

from dramatiq.brokers.redis import RedisBroker

from app.api.orders.mutations import ORDER_IDS
from app.clock import system_clock
from app.security import Role
from workers.sweep import keep_expiring_carts

from .conftest import Api, eventually
from .test_order_journey import INVENTORY, PLACE, network, receive

RESERVE = """mutation($input: ReserveCartInput!) { reserveCart(input: $input) {
  reservation { id expiresAt promisedDelivery released lines { sku quantity allocated } }
  userErrors { field message code } } }"""
RELEASE = """mutation($id: ID!) { releaseCart(input: {reservationId: $id}) {
  reservation { id released } userErrors { field code } } }"""
CART = "query($id: ID!) { cartReservation(id: $id) { id released expiresAt lines { sku quantity } } }"
ORDER = """query($id: ID!) { order(id: $id) { status shipments { location { code } lines { sku quantity } }
  sourcingDecisions { trigger } } }"""
TEE = [{"sku": "TEE", "quantity": 2}]
HOME = {"postalCode": "10024"}


async def reserve(api: Api, token: str | None = "admin", **fields: Any) -> dict[str, Any]:
    cart = {"customerId": "alice", "lines": TEE, "shipTo": HOME, **fields}
    return (await api.data(RESERVE, {"input": cart}, token=token))["reserveCart"]  # type: ignore[no-any-return]


async def place(api: Api, reservation_id: str, token: str | None = "admin", **fields: Any) -> dict[str, Any]:
    order = {"customerId": "alice", "lines": TEE, "shipTo": HOME, "reservationId": reservation_id, **fields}
    return (await api.data(PLACE, {"input": order}, token=token))["placeOrder"]  # type: ignore[no-any-return]


async def levels(api: Api) -> dict[str, tuple[int, int]]:
    """(reserved, available) of TEE per location, as the inventory read model has them."""
    found = (await api.data(INVENTORY, {"sku": "TEE"}))["inventory"]["levels"]
    return {row["location"]["code"]: (row["reserved"], row["available"]) for row in found}


async def levels_are(api: Api, expected: dict[str, tuple[int, int]]) -> None:
    """A mutation answers once the read models hold its write, or after a bounded wait: on a loaded machine
    the projections may lag beyond it, so the read model is watched until it shows the change."""

    async def shown() -> bool:
        return await levels(api) == expected

    await eventually(shown)


async def test_a_held_cart_leaves_atp_at_once_and_becomes_the_orders_allocation_once(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 3)
    await receive(api, "CHI", "TEE", 5)
    alice = api.token(Role.CUSTOMER, customer_id="alice")
    held = await reserve(api, alice, customerId=None)  # a customer's cart is its own, named by its token
    assert held["userErrors"] == []
    cart = held["reservation"]
    assert cart["released"] is False and cart["promisedDelivery"] is not None
    assert cart["lines"] == [{"sku": "TEE", "quantity": 2, "allocated": 2}]
    await levels_are(api, {"NWK": (2, 1), "CHI": (0, 5)})  # ATP excludes the hold, the read model reserves it
    assert (await api.data(CART, {"id": cart["id"]}, token=alice))["cartReservation"]["id"] == cart["id"]
    bob = api.token(Role.CUSTOMER, customer_id="bob")
    assert (await api.data(CART, {"id": cart["id"]}, token=bob))["cartReservation"] is None

    # Bob cannot place from alice's cart: it answers as a missing one.
    stolen = await place(api, cart["id"], bob, customerId="bob")
    assert stolen["userErrors"] == [
        {"field": ["input", "reservationId"], "message": stolen["userErrors"][0]["message"], "code": "NOT_FOUND"}
    ]
    # The order must be the cart: another quantity is refused, at the field.
    other = await place(api, cart["id"], alice, lines=[{"sku": "TEE", "quantity": 1}])
    assert [(e["field"], e["code"]) for e in other["userErrors"]] == [(["input", "lines"], "INVALID_INPUT")]

    placed = await place(api, cart["id"], alice, idempotencyKey="first")
    assert placed["userErrors"] == []
    order_id = uuid.uuid5(ORDER_IDS, "alice\x1ffirst").hex
    order: dict[str, Any] = {}

    async def shown() -> bool:
        order.update((await api.data(ORDER, {"id": order_id}))["order"] or {})
        return order.get("status") == "ALLOCATED"

    await eventually(shown)  # allocated in the placing append itself: the dispatcher sends it no sourcing job
    assert order["shipments"] == [{"location": {"code": "NWK"}, "lines": [{"sku": "TEE", "quantity": 2}]}]
    assert [d["trigger"] for d in order["sourcingDecisions"]] == ["RESERVED"]
    assert await levels(api) == {"NWK": (2, 1), "CHI": (0, 5)}  # the same units, now the order's
    assert (await api.data(CART, {"id": cart["id"]}))["cartReservation"]["released"] is True

    again = await place(api, cart["id"], alice, idempotencyKey="second")
    assert [(e["field"], e["code"]) for e in again["userErrors"]] == [(["input", "reservationId"], "INVALID_STATE")]
    released = (await api.data(RELEASE, {"id": cart["id"]}, token=alice))["releaseCart"]
    assert released["userErrors"] == [{"field": ["input", "reservationId"], "code": "INVALID_STATE"}]


async def test_release_gives_the_units_back_and_a_released_cart_cannot_be_ordered(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 3)
    cart = (await reserve(api))["reservation"]
    await levels_are(api, {"NWK": (2, 1)})
    released = (await api.data(RELEASE, {"id": cart["id"]}))["releaseCart"]
    assert released == {"reservation": {"id": cart["id"], "released": True}, "userErrors": []}
    await levels_are(api, {"NWK": (0, 3)})
    refused = await place(api, cart["id"])
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["input", "reservationId"], "INVALID_STATE")]
    twice = (await api.data(RELEASE, {"id": cart["id"]}))["releaseCart"]
    assert twice["userErrors"] == [{"field": ["input", "reservationId"], "code": "INVALID_STATE"}]


async def test_what_cannot_be_reserved_is_refused_at_its_field(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 3)

    async def refused(**fields: Any) -> list[tuple[list[str], str]]:
        answer = await reserve(api, **fields)
        assert answer["reservation"] is None
        return [(e["field"], e["code"]) for e in answer["userErrors"]]

    assert await refused(ttlSeconds=10) == [(["input", "ttlSeconds"], "INVALID_INPUT")]
    assert await refused(ttlSeconds=3601) == [(["input", "ttlSeconds"], "INVALID_INPUT")]
    assert await refused(lines=[{"sku": "TEE", "quantity": 4}]) == [
        (["input", "lines", "0", "quantity"], "INSUFFICIENT_STOCK")
    ]  # all or nothing: nothing is held
    assert await refused(pickupLocationCode="CHI") == [(["input", "pickupLocationCode"], "INVALID_INPUT")]
    assert await refused(shipTo=None) == [(["input", "shipTo"], "INVALID_ADDRESS")]
    await levels_are(api, {"NWK": (0, 3)})


async def test_an_expired_cart_is_back_in_atp_within_seconds_of_its_ttl(api: Api, broker: RedisBroker) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 3)
    cart = (await reserve(api, ttlSeconds=30))["reservation"]
    expires_at = datetime.fromisoformat(cart["expiresAt"])
    await levels_are(api, {"NWK": (2, 1)})
    stop = asyncio.Event()
    sweeping = asyncio.create_task(keep_expiring_carts(api.store.pool, broker.enqueue, system_clock, stop))
    try:

        async def back() -> bool:
            return await levels(api) == {"NWK": (0, 3)}

        await eventually(back, timeout=60.0)
        lag = time.time() - expires_at.timestamp()
    finally:
        stop.set()
        await sweeping
    assert lag < 5.0, f"the hold outlived its TTL by {lag:.1f}s"
    assert (await api.data(CART, {"id": cart["id"]}))["cartReservation"]["released"] is True
    refused = await place(api, cart["id"])
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["input", "reservationId"], "INVALID_STATE")]
