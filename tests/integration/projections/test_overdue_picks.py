"""The pick SLA sweep's query: exactly the PLANNED shipments past their location's SLA, from the read model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec

from app.domain import ALL_EVENTS, locations
from app.domain import order_commands as oc
from app.domain.delivery import ChosenWindow, DeliveryCapacity
from app.domain.values import Coordinates, LocationType, ServiceLevel
from app.handlers import Context, Handlers, SourceOrder
from eventstore import EventCodec, EventStore
from projections import ProjectionRunner
from projections.queries import overdue_picks
from tests.integration.handlers.conftest import FixedClock
from tests.integration.handlers.support import CHICAGO, DALLAS, NEWARK, location, place, receive

SITES = {"NWK": (NEWARK, 30), "CHI": (CHICAGO, None), "DAL": (DALLAS, 60)}  # code: (where, pick SLA minutes)


async def overdue(readmodel: asyncpg.Pool, store: EventStore, clock: FixedClock) -> set[tuple[str, str]]:
    head = await store.head()
    assert head is not None
    assert await ProjectionRunner(readmodel).wait_for(head, 30.0)
    return {(r["order_id"], r["shipment_id"]) for r in await overdue_picks(readmodel, clock())}


async def test_the_sweep_finds_exactly_the_overdue_picks(store: EventStore, readmodel: asyncpg.Pool) -> None:
    clock = FixedClock()
    handlers = Handlers(Context(store, EventCodec(ALL_EVENTS), clock=clock))
    for code, (where, sla) in SITES.items():
        await location(handlers, code, where, LocationType.STORE)
        await handlers.handle(locations.UpdateLocation(code=code, pick_sla_minutes=sla))
        await receive(handlers, code, f"SKU-{code}", 10)  # each SKU at one place, so sourcing goes there

    async def planned(order_id: str, code: str) -> None:
        await handlers.handle(place(order_id, (f"SKU-{code}", 1)))
        await handlers.handle(SourceOrder(order_id=order_id))

    await planned("o-nwk", "NWK")
    await planned("o-chi", "CHI")  # no SLA: never overdue
    await planned("o-dal", "DAL")
    await planned("o-picked", "NWK")
    await handlers.handle(
        oc.ConfirmPick(order_id="o-picked", shipment_id="S1", lines=(oc.PickLine(sku="SKU-NWK", picked=1),))
    )
    clock.advance(minutes=20)
    await planned("o-late", "NWK")

    clock.advance(minutes=10)  # o-nwk exactly at its SLA: not past it yet
    assert await overdue(readmodel, store, clock) == set()
    clock.advance(minutes=15)
    assert await overdue(readmodel, store, clock) == {("o-nwk", "S1")}
    clock.advance(minutes=16)  # 61 minutes after the first plans, 41 after o-late's
    assert await overdue(readmodel, store, clock) == {("o-nwk", "S1"), ("o-dal", "S1"), ("o-late", "S1")}

    await handlers.handle(oc.ExpirePick(order_id="o-nwk", shipment_id="S1"))  # expired: no longer listed
    assert await overdue(readmodel, store, clock) == {("o-dal", "S1"), ("o-late", "S1")}


async def test_a_location_whose_sla_is_removed_expires_nothing(store: EventStore, readmodel: asyncpg.Pool) -> None:
    """The sweep reads the SLA a location has now, as the order does when it decides."""
    clock = FixedClock()
    handlers = Handlers(Context(store, EventCodec(ALL_EVENTS), clock=clock))
    await location(handlers, "ATL", Coordinates(33.75, -84.39), LocationType.STORE)
    await handlers.handle(locations.UpdateLocation(code="ATL", pick_sla_minutes=30))
    await receive(handlers, "ATL", "TEE", 5)
    await handlers.handle(place("o1", ("TEE", 1)))
    await handlers.handle(SourceOrder(order_id="o1"))
    clock.advance(minutes=31)
    assert await overdue(readmodel, store, clock) == {("o1", "S1")}
    await handlers.handle(locations.UpdateLocation(code="ATL", pick_sla_minutes=None))
    assert await overdue(readmodel, store, clock) == set()


async def test_a_shipment_for_a_later_window_is_overdue_only_after_its_release(
    store: EventStore, readmodel: asyncpg.Pool
) -> None:
    """A window order's pick SLA runs from its release (the latest pick start), as the domain decides."""
    clock = FixedClock()  # 09:00 UTC, 04:00 in New York
    handlers = Handlers(Context(store, EventCodec(ALL_EVENTS), clock=clock))
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    courier = DeliveryCapacity(
        window_minutes=120, deliveries_per_window=8, first_window_starts_at="10:00", last_window_ends_at="20:00"
    )
    await handlers.handle(locations.UpdateLocation(code="NWK", pick_sla_minutes=30, delivery_capacity=courier))
    await receive(handlers, "NWK", "MILK", 5)
    start = datetime(
        2026, 11, 2, 15, tzinfo=UTC
    )  # 10:00 in New York; released 30 minutes before (the SLA as lead): 14:30 UTC
    window = ChosenWindow(start=start, end=start + timedelta(hours=2), service_level=ServiceLevel.SAME_DAY)
    await handlers.handle(msgspec.structs.replace(place("o1", ("MILK", 1)), delivery_window=window))
    clock.advance(hours=5)  # 14:00 UTC: long past the plan's own SLA, but not yet released
    assert await overdue(readmodel, store, clock) == set()
    clock.advance(minutes=61)  # 15:01: 31 minutes after the 14:30 release
    assert await overdue(readmodel, store, clock) == {("o1", "S1")}
