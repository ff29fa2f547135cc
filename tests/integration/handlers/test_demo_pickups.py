"""The demo's click & collect on a real database: a demo customer's pickup order is picked by an associate and
waits at the counter (not packed); its customer comes with the code (after a wrong one) and takes the units home;
another customer never comes, and with the demo's short day the hold has run out minutes later."""

from __future__ import annotations

import random
from datetime import timedelta

import asyncpg
import pytest

from app.demo import CUSTOMER, Habits, PickupCustomers, ShopperHabits, StoreAssociates, new_order
from app.domain.order_events import OrderLinesCancelled
from app.domain.order_state import Order, order_status
from app.domain.pickup_events import ExpirePickup, PickupCodeRejected, PickupExpired, ShipmentCollected
from app.domain.streams import order_stream
from app.domain.values import DeliveryMethod, LocationType, OrderStatus, ShipmentStatus
from app.handlers import Context, Handlers, SourceOrder
from eventstore import EventCodec, EventStore
from tests.integration.projections.history import readmodel

from .conftest import FixedClock
from .support import CHICAGO, NEWARK, location, receive
from .test_demo_associates import caught_up
from .test_order_handlers import order_state
from .test_stock_handlers import stock_state

__all__ = ["readmodel"]

PICK_EVERYTHING = Habits(decline_rate=0.0, forget_rate=0.0)
DAY = timedelta(minutes=2)  # the demo's default: the default 5-day hold lasts 10 minutes


@pytest.fixture
def demo_handlers(store: EventStore, codec: EventCodec, clock: FixedClock) -> Handlers:
    """Handlers as the demo process builds them: a business day of 2 minutes."""
    return Handlers(Context(store, codec, clock=clock, day=DAY))


async def ready_at_the_counter(
    handlers: Handlers, store: EventStore, readmodel: asyncpg.Pool, clock: FixedClock
) -> Order:
    """A demo customer orders TEE for pickup at the nearest pickup store (NWK: the Chicago DC may be nearer, but
    a DC has no counter); it is planned there and an associate picks it: READY_FOR_PICKUP, not packed."""
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "TEE", 5)
    await caught_up(readmodel, store)
    place = await new_order(readmodel, random.Random(3), ["TEE"], pickup_rate=1.0)
    assert (place.delivery_method, place.pickup_location_code, place.ship_to) == (DeliveryMethod.PICKUP, "NWK", None)
    await handlers.handle(place, CUSTOMER)
    await handlers.handle(SourceOrder(order_id=place.order_id))
    await caught_up(readmodel, store)

    associates = StoreAssociates(handlers, readmodel, random.Random(7), time_scale=10, habits=PICK_EVERYTHING)
    assert await associates.step() == 0  # seen; due within a minute at scale 10
    clock.advance(minutes=1, seconds=1)
    assert await associates.step() == 1
    order = await order_state(store, handlers.ctx.codec, place.order_id)
    (shipment,) = order.shipments
    assert (shipment.kind, shipment.status) == (DeliveryMethod.PICKUP, ShipmentStatus.READY_FOR_PICKUP)
    assert shipment.ready_at == clock.now and shipment.expires_at == clock.now + 5 * DAY  # the default 5 days
    await caught_up(readmodel, store)
    return order


async def test_a_demo_customer_collects_with_the_code_after_a_wrong_one(
    demo_handlers: Handlers, store: EventStore, readmodel: asyncpg.Pool, clock: FixedClock, codec: EventCodec
) -> None:
    order = await ready_at_the_counter(demo_handlers, store, readmodel, clock)
    quantity = order.shipments[0].lines[0].quantity
    customers = PickupCustomers(demo_handlers, readmodel, random.Random(5), habits=ShopperHabits(0.0, 1.0))

    assert await customers.step() == 0  # seen: they come within half the hold, 5 minutes
    clock.advance(minutes=5)
    assert await customers.step() == 1

    after = await order_state(store, codec, order.order_id)
    assert order_status(after) is OrderStatus.COLLECTED
    nwk = await stock_state(store, codec, "TEE", "NWK")
    assert (nwk.on_hand, nwk.reserved) == (5 - quantity, 0)  # the units left with the customer
    events = [e for e in await store.read_stream(order_stream(order.order_id)) if e.event_type in COUNTER]
    assert [(e.event_type, e.decoded_metadata().actor) for e in events] == [
        ("PickupCodeRejected", "demo:customer"),
        ("ShipmentCollected", "demo:customer"),
    ]
    await caught_up(readmodel, store)
    clock.advance(minutes=5)
    assert await customers.step() == 0  # collected: nobody comes again


COUNTER = {PickupCodeRejected.__name__, ShipmentCollected.__name__}


async def test_a_customer_who_never_comes_lets_the_short_hold_run_out(
    demo_handlers: Handlers, store: EventStore, readmodel: asyncpg.Pool, clock: FixedClock, codec: EventCodec
) -> None:
    order = await ready_at_the_counter(demo_handlers, store, readmodel, clock)
    customers = PickupCustomers(demo_handlers, readmodel, random.Random(5), habits=ShopperHabits(no_show_rate=1.0))
    expire = ExpirePickup(order_id=order.order_id, shipment_id=order.shipments[0].shipment_id)

    assert await customers.step() == 0
    clock.advance(minutes=9)
    assert await customers.step() == 0
    assert (await demo_handlers.handle(expire)).events == []  # 9 minutes into a 10-minute hold: still waiting
    clock.advance(minutes=1)
    assert await customers.step() == 0
    outcome = await demo_handlers.handle(expire)  # what the worker's sweep sends once `expires_at` has passed

    assert {type(e) for e in outcome.events} >= {PickupExpired, OrderLinesCancelled}
    after = await order_state(store, codec, order.order_id)
    assert after.shipments[0].status is ShipmentStatus.EXPIRED
    assert order_status(after) is OrderStatus.CANCELLED
    nwk = await stock_state(store, codec, "TEE", "NWK")
    assert (nwk.on_hand, nwk.reserved) == (5, 0)  # back on the shelf, available to promise again
