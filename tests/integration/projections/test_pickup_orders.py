"""Pickup orders in the read models: delivery method and store on the order, kind, destination and the transfer a
pickup waits for on its shipments; the waiting pickup out of the pick SLA sweep until its transfer arrives; and
`meridian replay` rebuilding all of it identically."""

from __future__ import annotations

import io

import asyncpg

from app.domain import ALL_EVENTS, locations
from app.domain import order_commands as oc
from app.domain.values import DeliveryMethod, Line, LocationType, Scan, TrackingStatus
from app.handlers import Context, Handlers, SourceOrder
from eventstore import EventCodec, EventStore
from projections import ProjectionRunner, replay
from projections.queries import overdue_picks
from tests.integration.handlers.conftest import FixedClock
from tests.integration.handlers.support import MANHATTAN, NEWARK, location, receive

SHIPMENTS = """SELECT shipment_id, location_code, status, kind, destination, fed_by, awaiting_transfer
FROM shipments WHERE order_id = $1 ORDER BY shipment_id"""


async def caught_up(readmodel: asyncpg.Pool, store: EventStore) -> None:
    head = await store.head()
    assert head is not None
    assert await ProjectionRunner(readmodel).wait_for(head, 30.0)


async def test_a_pickup_via_transfer_in_the_read_models_and_the_sweep_and_replayed(
    database_url: str, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    clock = FixedClock()
    handlers = Handlers(Context(store, EventCodec(ALL_EVENTS), clock=clock))
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "ST1", MANHATTAN.coordinates, LocationType.STORE)
    await handlers.handle(locations.UpdateLocation(code="ST1", pick_sla_minutes=30))
    await receive(handlers, "NWK", "TEE", 5)
    await handlers.handle(
        oc.PlaceOrder(
            order_id="o1",
            customer_id="c-1",
            lines=(Line("TEE", 2),),
            ship_to=None,
            delivery_method=DeliveryMethod.PICKUP,
            pickup_location_code="ST1",
        )
    )
    await handlers.handle(SourceOrder(order_id="o1"))
    await caught_up(readmodel, store)
    order = await readmodel.fetchrow("SELECT delivery_method, pickup_location_code FROM orders WHERE order_id = 'o1'")
    assert order is not None and tuple(order) == ("PICKUP", "ST1")
    assert [tuple(r) for r in await readmodel.fetch(SHIPMENTS, "o1")] == [
        ("S1", "NWK", "PLANNED", "SHIP", "ST1", None, False),
        ("S2", "ST1", "PLANNED", "PICKUP", None, "S1", True),
    ]

    await handlers.handle(oc.PackShipment(order_id="o1", shipment_id="S1"))
    await handlers.handle(oc.DispatchShipment(order_id="o1", shipment_id="S1", carrier="SIM", tracking_number="T1"))
    clock.advance(days=2)  # long past the store's SLA, but its pickup could not be picked yet
    await caught_up(readmodel, store)
    assert await overdue_picks(readmodel, clock()) == []

    scan = Scan(status=TrackingStatus.DELIVERED, message="at the store", occurred_at=clock.now)
    await handlers.handle(oc.RecordScans(order_id="o1", shipment_id="S1", scans=(scan,)))
    await caught_up(readmodel, store)
    assert [tuple(r) for r in await readmodel.fetch(SHIPMENTS, "o1")] == [
        ("S1", "NWK", "DELIVERED", "SHIP", "ST1", None, False),
        ("S2", "ST1", "PLANNED", "PICKUP", None, "S1", False),
    ]
    clock.advance(minutes=31)  # the SLA counts from the arrival
    assert [(r["order_id"], r["shipment_id"]) for r in await overdue_picks(readmodel, clock())] == [("o1", "S2")]

    out = io.StringIO()
    assert await replay(database_url, swap=False, out=out) == 0, out.getvalue()
    assert "read models identical" in out.getvalue()
