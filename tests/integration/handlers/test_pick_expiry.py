"""A pick that missed its SLA, on real PostgreSQL: expired, released and re-sourced in one append, once."""

from __future__ import annotations

from app.domain import locations
from app.domain import order_commands as oc
from app.domain.order_events import SourcingDecided
from app.domain.order_state import order_status
from app.domain.values import LocationType, OrderStatus, ShipmentStatus
from app.handlers import Handlers, SourceOrder
from eventstore import EventCodec, EventStore

from .conftest import FixedClock
from .support import CHICAGO, NEWARK, location, place, receive
from .test_order_handlers import order_state
from .test_stock_handlers import stock_state

EXPIRE = oc.ExpirePick(order_id="o1", shipment_id="S1")


async def planned_at_a_store_with_an_sla(handlers: Handlers, store: EventStore, codec: EventCodec) -> None:
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    await handlers.handle(locations.UpdateLocation(code="NWK", pick_sla_minutes=30))
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "TEE", 5)
    await receive(handlers, "CHI", "TEE", 5)
    await handlers.handle(place("o1", ("TEE", 3)))
    await handlers.handle(SourceOrder(order_id="o1"))
    assert [s.location_code for s in (await order_state(store, codec, "o1")).shipments] == ["NWK"]


async def test_a_pick_past_its_sla_is_expired_and_resourced_elsewhere_in_one_append(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await planned_at_a_store_with_an_sla(handlers, store, codec)
    clock.advance(minutes=31)

    outcome = await handlers.handle(EXPIRE)
    names = sorted(type(e).__name__ for e in outcome.events)  # one append; the log files them by stream
    assert names == ["OrderAllocated", "ReservationReleased", "ShipmentExpired", "SourcingDecided", "StockReserved"]
    decision = next(e for e in outcome.events if isinstance(e, SourcingDecided))
    assert decision.trigger == "EXPIRED"
    why = {c.location_code: c for c in decision.candidates}
    assert not why["NWK"].selected
    assert why["CHI"].selected

    order = await order_state(store, codec, "o1")
    assert [(s.shipment_id, s.location_code, s.status) for s in order.shipments] == [
        ("S1", "NWK", ShipmentStatus.EXPIRED),
        ("S2", "CHI", ShipmentStatus.PLANNED),
    ]
    assert order_status(order) is OrderStatus.ALLOCATED
    nwk, chi = await stock_state(store, codec, "TEE", "NWK"), await stock_state(store, codec, "TEE", "CHI")
    assert (nwk.on_hand, nwk.reserved) == (5, 0)  # released, not written off: nobody said the units are gone
    assert (chi.on_hand, chi.reserved) == (5, 3)

    # A second expiry (a duplicate job, the next sweep) appends nothing, now or later.
    assert (await handlers.handle(EXPIRE)).events == []
    clock.advance(minutes=600)
    assert (await handlers.handle(EXPIRE)).events == []
    assert (await stock_state(store, codec, "TEE", "CHI")).reserved == 3


async def test_a_pick_within_its_sla_is_left_alone(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await planned_at_a_store_with_an_sla(handlers, store, codec)
    clock.advance(minutes=30)
    assert (await handlers.handle(EXPIRE)).events == []
    assert (await order_state(store, codec, "o1")).shipments[0].status is ShipmentStatus.PLANNED


async def test_an_expired_pick_nobody_else_can_serve_is_backordered(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    await handlers.handle(locations.UpdateLocation(code="NWK", pick_sla_minutes=30))
    await receive(handlers, "NWK", "TEE", 5)
    await handlers.handle(place("o1", ("TEE", 3)))
    await handlers.handle(SourceOrder(order_id="o1"))
    clock.advance(minutes=31)

    outcome = await handlers.handle(EXPIRE)
    decision = next(e for e in outcome.events if isinstance(e, SourcingDecided))
    assert (decision.trigger, decision.shipments, [(b.sku, b.quantity) for b in decision.backordered]) == (
        "EXPIRED",
        (),
        [("TEE", 3)],
    )
    assert order_status(await order_state(store, codec, "o1")) is OrderStatus.BACKORDERED
    assert (await stock_state(store, codec, "TEE", "NWK")).reserved == 0
