"""The pickup counter in the read models, as-of and replay: one pickup collected, one reminded and expired, one
waiting; the shipments' rows carry when each became ready, expires, was reminded and collected, the orders'
derived status follows, the sweeps' queries find what is due, and `meridian replay` rebuilds it identically."""

from __future__ import annotations

import io
from datetime import timedelta

import asyncpg

from app.domain import ALL_EVENTS, locations
from app.domain import order_commands as oc
from app.domain.order_state import order_status
from app.domain.pickup_events import ConfirmCollection, ExpirePickup, RemindPickup
from app.domain.values import LocationType, OrderStatus
from app.handlers import Context, Handlers
from eventstore import EventCodec, EventStore
from projections import ProjectionRunner, order_as_of, replay
from projections.queries import expired_pickups, pickup_reminders_due
from tests.integration.handlers.conftest import FixedClock
from tests.integration.handlers.support import NEWARK, location, receive
from tests.support.pickup import place_for_pickup

CODEC = EventCodec(ALL_EVENTS)


async def ready(handlers: Handlers, order_id: str, code: str) -> None:
    await place_for_pickup(handlers.ctx, order_id, "NWK", ("TEE", 1))
    pick = oc.ConfirmPick(
        order_id=order_id, shipment_id="S1", lines=(oc.PickLine(sku="TEE", picked=1),), pickup_code=code
    )
    await handlers.handle(pick)


async def test_pickups_in_the_read_models_as_of_and_replay(
    database_url: str, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    clock = FixedClock()
    start = clock.now
    handlers = Handlers(Context(store, CODEC, clock=clock))
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    await handlers.handle(locations.UpdateLocation(code="NWK", pickup_hold_days=2))
    await receive(handlers, "NWK", "TEE", 10)
    await ready(handlers, "collected", "111111")
    await ready(handlers, "expired", "222222")
    clock.advance(hours=2)
    await ready(handlers, "waiting", "333333")
    await handlers.handle(ConfirmCollection(order_id="collected", shipment_id="S1", pickup_code="000000"))
    await handlers.handle(ConfirmCollection(order_id="collected", shipment_id="S1", pickup_code="111111"))
    clock.advance(hours=23)  # 'expired' is half-way through its hold; 'waiting' an hour short of it
    await handlers.handle(RemindPickup(order_id="expired", shipment_id="S1"))
    last = await handlers.handle(RemindPickup(order_id="waiting", shipment_id="S1"))
    assert last.events == []
    assert await ProjectionRunner(readmodel, batch_size=3).wait_for(await store.head(), 30.0)  # type: ignore[arg-type]

    due = [r["order_id"] for r in await pickup_reminders_due(readmodel, clock.now + timedelta(hours=1))]
    assert due == ["waiting"]  # reminded already, collected: not due
    assert await expired_pickups(readmodel, clock.now) == []
    later = clock.now + timedelta(days=1)
    assert [r["order_id"] for r in await expired_pickups(readmodel, later)] == ["expired"]

    clock.advance(days=1)
    await handlers.handle(ExpirePickup(order_id="expired", shipment_id="S1"))
    assert await ProjectionRunner(readmodel).wait_for(await store.head(), 30.0)  # type: ignore[arg-type]
    rows = {
        r["order_id"]: r
        for r in await readmodel.fetch(
            "SELECT o.order_id, o.status AS order_status, s.status, s.ready_at, s.expires_at, s.reminded_at,"
            " s.collected_at FROM orders o JOIN shipments s USING (order_id)"
        )
    }
    assert {k: (r["order_status"], r["status"]) for k, r in rows.items()} == {
        "collected": ("COLLECTED", "COLLECTED"),
        "expired": ("CANCELLED", "EXPIRED"),
        "waiting": ("READY_FOR_PICKUP", "READY_FOR_PICKUP"),
    }
    assert (rows["collected"]["ready_at"], rows["collected"]["expires_at"]) == (start, start + timedelta(days=2))
    assert rows["collected"]["collected_at"] == start + timedelta(hours=2)
    assert rows["expired"]["reminded_at"] == start + timedelta(hours=25)
    assert rows["waiting"]["reminded_at"] is None
    assert await readmodel.fetchval("SELECT count(*) FROM shipments WHERE lines::TEXT LIKE '%333333%'") == 0

    # As of a moment between ready and collected, the order was waiting at the counter.
    recorded = await store.pool.fetchval(
        "SELECT recorded_at FROM events WHERE stream_id = 'order-collected' AND event_type = 'ShipmentReadyForPickup'"
    )
    then = await order_as_of(store, CODEC, "collected", recorded)
    assert then is not None and order_status(then) is OrderStatus.READY_FOR_PICKUP

    out = io.StringIO()
    assert await replay(database_url, swap=False, out=out) == 0, out.getvalue()
    assert "identical" in out.getvalue()
