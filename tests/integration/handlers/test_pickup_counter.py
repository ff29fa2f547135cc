"""The pickup counter on real PostgreSQL: the pick makes a PICKUP shipment ready with a code for the store's
hold; the right code collects it and ships its units; wrong codes lock it for 15 minutes (by the clock the
handlers are given); an uncollected hold gives the units back to the store and cancels the lines, once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from app.domain import locations
from app.domain import order_commands as oc
from app.domain.order_events import OrderLinesCancelled
from app.domain.order_state import order_status
from app.domain.pickup_counter import TooManyAttempts
from app.domain.pickup_events import (
    ConfirmCollection,
    ExpirePickup,
    PickupCodeRejected,
    RemindPickup,
    ShipmentCollected,
    ShipmentReadyForPickup,
)
from app.domain.stock_events import ReservationReleased
from app.domain.values import LocationType, OrderStatus, ShipmentStatus
from app.handlers import Handlers
from eventstore import EventCodec, EventStore
from tests.support.pickup import place_for_pickup

from .conftest import FixedClock
from .support import NEWARK, location, receive
from .test_order_handlers import order_state
from .test_stock_handlers import stock_state

PICK = oc.ConfirmPick(order_id="o1", shipment_id="S1", lines=(oc.PickLine(sku="TEE", picked=2),))


def collect(code: str) -> ConfirmCollection:
    return ConfirmCollection(order_id="o1", shipment_id="S1", pickup_code=code)


async def ready_at_the_counter(handlers: Handlers, store: EventStore, codec: EventCodec) -> str:
    """o1: 2 TEE picked at store NWK (hold: 2 days), waiting with its code, which is returned."""
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    await handlers.handle(locations.UpdateLocation(code="NWK", pickup_hold_days=2))
    await receive(handlers, "NWK", "TEE", 5)
    await place_for_pickup(handlers.ctx, "o1", "NWK", ("TEE", 2))
    outcome = await handlers.handle(PICK)
    ready = next(e for e in outcome.events if isinstance(e, ShipmentReadyForPickup))
    return ready.pickup_code


async def test_the_pick_makes_it_ready_with_a_fresh_code_and_the_right_code_collects_it(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    picked_at = clock.now
    code = await ready_at_the_counter(handlers, store, codec)
    assert len(code) == 6 and code.isdigit()
    order = await order_state(store, codec, "o1")
    shipment = order.shipments[0]
    assert (shipment.status, shipment.ready_at, shipment.expires_at) == (
        ShipmentStatus.READY_FOR_PICKUP,
        picked_at,
        picked_at + timedelta(days=2),
    )
    assert order_status(order) is OrderStatus.READY_FOR_PICKUP
    assert (await stock_state(store, codec, "TEE", "NWK")).reserved == 2

    clock.advance(hours=3)
    outcome = await handlers.handle(collect(code))
    assert sorted(type(e).__name__ for e in outcome.events) == ["ShipmentCollected", "StockShipped"]
    order = await order_state(store, codec, "o1")
    assert order_status(order) is OrderStatus.COLLECTED
    nwk = await stock_state(store, codec, "TEE", "NWK")
    assert (nwk.on_hand, nwk.reserved) == (3, 0)  # the units left with the customer
    assert (await handlers.handle(collect(code))).events == []  # a retried request


async def test_each_pick_draws_its_own_code(handlers: Handlers, store: EventStore, codec: EventCodec) -> None:
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    await receive(handlers, "NWK", "TEE", 40)
    codes = set()
    for n in range(20):
        await place_for_pickup(handlers.ctx, f"o{n}", "NWK", ("TEE", 1))
        pick = oc.ConfirmPick(order_id=f"o{n}", shipment_id="S1", lines=(oc.PickLine(sku="TEE", picked=1),))
        outcome = await handlers.handle(pick)
        codes |= {e.pickup_code for e in outcome.events if isinstance(e, ShipmentReadyForPickup)}
    assert len(codes) >= 19  # 20 draws from a million: a repeat is a one-in-5000 coincidence, two are not


async def test_wrong_codes_are_recorded_and_the_fifth_locks_the_counter_for_fifteen_minutes(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    code = await ready_at_the_counter(handlers, store, codec)
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(1, 6):
        outcome = await handlers.handle(collect(wrong))
        assert [type(e) for e in outcome.events] == [PickupCodeRejected]
        assert outcome.events[0].attempts == attempt  # type: ignore[attr-defined]
    order = await order_state(store, codec, "o1")
    assert order.shipments[0].status is ShipmentStatus.READY_FOR_PICKUP  # nothing else changed
    assert (await stock_state(store, codec, "TEE", "NWK")).reserved == 2

    clock.advance(minutes=14)
    for tried in (wrong, code):
        with pytest.raises(TooManyAttempts) as refused:
            await handlers.handle(collect(tried))
        assert code not in str(refused.value) and wrong not in str(refused.value)

    clock.advance(minutes=1)
    outcome = await handlers.handle(collect(code))
    assert any(isinstance(e, ShipmentCollected) for e in outcome.events)


async def test_an_uncollected_pickup_is_released_to_the_stores_stock_and_its_lines_cancelled_once(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await ready_at_the_counter(handlers, store, codec)
    expire = ExpirePickup(order_id="o1", shipment_id="S1")
    remind = RemindPickup(order_id="o1", shipment_id="S1")
    assert (await handlers.handle(remind)).events == []  # not half-way yet
    clock.advance(days=1)
    assert [type(e).__name__ for e in (await handlers.handle(remind)).events] == ["PickupReminderIssued"]
    assert (await handlers.handle(remind)).events == []  # once
    assert (await handlers.handle(expire)).events == []  # the hold runs another day

    clock.advance(days=1)
    outcome = await handlers.handle(expire)
    names = sorted(type(e).__name__ for e in outcome.events)
    assert names == ["OrderLinesCancelled", "PickupExpired", "ReservationReleased"]
    released = next(e for e in outcome.events if isinstance(e, ReservationReleased))
    assert released.reason == "PICKUP_EXPIRED"
    cancelled = next(e for e in outcome.events if isinstance(e, OrderLinesCancelled))
    assert cancelled.reason == "PICKUP_EXPIRED"  # where a refund would follow
    order = await order_state(store, codec, "o1")
    assert order.shipments[0].status is ShipmentStatus.EXPIRED
    assert order_status(order) is OrderStatus.CANCELLED
    nwk = await stock_state(store, codec, "TEE", "NWK")
    assert (nwk.on_hand, nwk.reserved, nwk.atp) == (5, 0, 5)  # back on the store's shelf, to sell again

    assert (await handlers.handle(expire)).events == []  # a duplicate job, the next sweep
    clock.advance(days=30)
    assert (await handlers.handle(expire)).events == []
    assert (await stock_state(store, codec, "TEE", "NWK")).atp == 5


async def test_wrong_codes_given_at_once_are_each_counted(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    """Two counters (or a script) trying codes at the same time: every attempt is decided on the attempts before it
    (the append checks the order's version), so six at once lock the counter and none slips past the count."""
    code = await ready_at_the_counter(handlers, store, codec)
    wrong = "000000" if code != "000000" else "111111"
    results = await asyncio.gather(*(handlers.handle(collect(wrong)) for _ in range(6)), return_exceptions=True)
    refused = [r for r in results if isinstance(r, TooManyAttempts)]
    recorded = [e for r in results if not isinstance(r, BaseException) for e in r.events]
    assert len(refused) == 1
    assert sorted(e.attempts for e in recorded if isinstance(e, PickupCodeRejected)) == [1, 2, 3, 4, 5]
    with pytest.raises(TooManyAttempts):
        await handlers.handle(collect(code))
