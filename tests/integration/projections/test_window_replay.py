"""Window orders in the read models: a shipment's release and a window's slots are projected, and replay rebuilds
them identically."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec

from app.domain import ALL_EVENTS, locations
from app.domain import order_commands as oc
from app.domain.delivery import ChosenWindow, DeliveryCapacity, slot_stream
from app.domain.values import LocationType, ServiceLevel
from app.handlers import Context, Handlers
from eventstore import EventCodec, EventStore
from projections import ProjectionRunner, replay, slots_as_of
from tests.integration.handlers.conftest import FixedClock
from tests.integration.handlers.support import NEWARK, location, place, receive

START = datetime(2026, 11, 2, 17, tzinfo=UTC)  # 12:00 in New York, three hours after the test clock


async def test_window_orders_project_their_release_and_replay_identically(
    database_url: str, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    codec = EventCodec(ALL_EVENTS)
    handlers = Handlers(Context(store, codec, clock=FixedClock()))
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    courier = DeliveryCapacity(
        window_minutes=120, deliveries_per_window=2, first_window_starts_at="10:00", last_window_ends_at="20:00"
    )
    await handlers.handle(locations.UpdateLocation(code="NWK", delivery_capacity=courier))
    await receive(handlers, "NWK", "MILK", 5)
    window = ChosenWindow(start=START, end=START + timedelta(hours=2), service_level=ServiceLevel.SAME_DAY)
    for order_id in ("o1", "o2"):
        await handlers.handle(msgspec.structs.replace(place(order_id, ("MILK", 1)), delivery_window=window))
    last = await handlers.handle(oc.CancelOrder(order_id="o2"))
    assert last.position is not None
    assert await ProjectionRunner(readmodel, batch_size=2).wait_for(last.position, 30.0)
    rows = await readmodel.fetch("SELECT order_id, status, release_at FROM shipments ORDER BY order_id")
    assert [(r["order_id"], r["status"], r["release_at"]) for r in rows] == [
        ("o1", "PLANNED", START - timedelta(hours=1)),
        ("o2", "CANCELLED", START - timedelta(hours=1)),
    ]
    slots = await readmodel.fetch("SELECT slot_key, location_code, window_start, taken, capacity FROM delivery_slots")
    assert [tuple(r) for r in slots] == [("NWK-2026-11-02T17:00Z", "NWK", START, 1, 2)]  # o2 gave its slot back
    # As of the moment o2 took its slot, both held one; now only o1 does.
    taken, _given_back = await store.read_stream(slot_stream("NWK", START), from_version=2)
    then = await slots_as_of(store, codec, "NWK", START, taken.recorded_at)
    now = await slots_as_of(store, codec, "NWK", START, datetime.now(UTC))
    assert (then.holders, now.holders) == (("o1", "o2"), ("o1",))
    out = io.StringIO()
    assert await replay(database_url, swap=False, out=out) == 0, out.getvalue()
    assert "identical" in out.getvalue()
