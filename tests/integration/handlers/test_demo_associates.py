"""The demo's store associates on a real database: a due pick at a store is declined (the rng says so) and the
unit is sourced elsewhere at once; a forgotten pick is left for the SLA sweep; stores get the demo's pick SLA."""

from __future__ import annotations

import random

import asyncpg

from app.demo import Habits, StoreAssociates
from app.domain import ALL_EVENTS, locations
from app.domain.aggregates import LOCATION, ORDER
from app.domain.order_events import ShipmentPicked
from app.domain.order_state import Order
from app.domain.streams import location_stream, order_stream
from app.domain.values import LocationType, PickDeclineReason, ShipmentStatus
from app.handlers import Handlers, SourceOrder
from eventstore import EventCodec, EventStore, load_state
from projections import ProjectionRunner
from tests.integration.projections.history import readmodel

from .conftest import FixedClock
from .support import CHICAGO, NEWARK, location, place, receive

__all__ = ["readmodel"]

ALWAYS_DECLINE = Habits(decline_rate=1.0, forget_rate=0.0)
ALWAYS_FORGET = Habits(decline_rate=0.0, forget_rate=1.0)


async def store_order_planned(handlers: Handlers, store: EventStore, readmodel: asyncpg.Pool) -> None:
    """o1 for 2 TEE planned at the Newark store; Chicago (a DC) holds TEE too."""
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "TEE", 5)
    await receive(handlers, "CHI", "TEE", 5)
    await handlers.handle(place("o1", ("TEE", 2)))
    await handlers.handle(SourceOrder(order_id="o1"))
    await caught_up(readmodel, store)


async def caught_up(readmodel: asyncpg.Pool, store: EventStore) -> None:
    head = await store.head()
    assert head is not None
    assert await ProjectionRunner(readmodel).wait_for(head, 30.0)


async def order_of(store: EventStore) -> Order:
    order, _ = await load_state(store, EventCodec(ALL_EVENTS), ORDER, order_stream("o1"))
    assert order is not None
    return order


async def test_a_due_pick_declined_by_an_associate_is_sourced_elsewhere_at_once(
    handlers: Handlers, store: EventStore, readmodel: asyncpg.Pool, clock: FixedClock
) -> None:
    await store_order_planned(handlers, store, readmodel)
    associates = StoreAssociates(handlers, readmodel, random.Random(7), time_scale=10, habits=ALWAYS_DECLINE)

    assert await associates.step() == 0  # seen, not yet due: at most 10 demo minutes, 1 minute at scale 10
    clock.advance(minutes=1, seconds=1)
    assert await associates.step() == 1

    order = await order_of(store)
    assert [(s.location_code, s.status, [(x.sku, x.quantity) for x in s.lines]) for s in order.shipments] == [
        ("NWK", ShipmentStatus.DISPATCHED, [("TEE", 1)]),  # picked short, packed and handed to the carrier
        ("CHI", ShipmentStatus.PLANNED, [("TEE", 1)]),  # the declined unit, re-sourced
    ]
    (decline,) = order.shipments[0].declines
    assert (decline.sku, decline.quantity) == ("TEE", 1)
    assert decline.reason in {PickDeclineReason.NOT_FOUND, PickDeclineReason.DAMAGED}
    picked = [e for e in await store.read_stream(order_stream("o1")) if e.event_type == ShipmentPicked.__name__]
    assert [e.decoded_metadata().actor for e in picked] == ["demo:store-associate"]

    await caught_up(readmodel, store)
    clock.advance(minutes=5)
    assert await associates.step() == 0  # CHI is not a store: the warehouse staff ship it, not the associates


async def test_a_forgotten_pick_is_left_planned_for_the_sla_sweep(
    handlers: Handlers, store: EventStore, readmodel: asyncpg.Pool, clock: FixedClock
) -> None:
    await store_order_planned(handlers, store, readmodel)
    associates = StoreAssociates(handlers, readmodel, random.Random(7), time_scale=10, habits=ALWAYS_FORGET)
    await associates.step()
    clock.advance(hours=1)
    assert await associates.step() == 0
    assert [s.status for s in (await order_of(store)).shipments] == [ShipmentStatus.PLANNED]


async def test_stores_without_a_pick_sla_get_the_demos_scaled_one(
    handlers: Handlers, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    await location(handlers, "SEA", CHICAGO, LocationType.STORE)
    await handlers.handle(locations.UpdateLocation(code="SEA", pick_sla_minutes=45))
    await location(handlers, "CHI", CHICAGO)
    await caught_up(readmodel, store)

    assert await StoreAssociates(handlers, readmodel, random.Random(7), time_scale=10).step() == 0

    codec = EventCodec(ALL_EVENTS)
    slas = {}
    for code in ("NWK", "SEA", "CHI"):
        state, _ = await load_state(store, codec, LOCATION, location_stream(code))
        assert state is not None
        slas[code] = state.pick_sla_minutes
    assert slas == {"NWK": 3, "SEA": 45, "CHI": None}  # 30 demo minutes at scale 10; one set by hand is kept
