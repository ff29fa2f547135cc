"""The pickup counter with a real worker, dispatcher and webhook receiver: READY_FOR_PICKUP posted (signed, with
the code for the customer, retried after a 500, never logged), the half-way reminder swept twice and sent once,
the hold's expiry swept twice and done once (units back to the store, lines cancelled), told to the customer.
The clock is moved by hand, never waited for."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import asyncpg
import dramatiq
import msgspec
import pytest
from dramatiq import Broker
from pydantic import SecretStr

from app.domain import ALL_EVENTS, locations
from app.domain import order_commands as oc
from app.domain.aggregates import ORDER
from app.domain.notifications import NotificationStatus, NotificationType
from app.domain.order_state import order_status
from app.domain.streams import order_stream
from app.domain.values import LocationType, OrderStatus
from app.handlers import Context, Handlers
from app.handlers.notifications import list_notifications
from eventstore import EventCodec, EventStore, load_state
from tests.integration.handlers.conftest import FixedClock
from tests.integration.handlers.support import NEWARK, location, receive
from tests.integration.handlers.test_stock_handlers import stock_state
from tests.integration.projections.history import readmodel
from tests.support.pickup import place_for_pickup
from workers import runtime
from workers.notify import NotifySettings
from workers.sweep import sweep_expired_pickups, sweep_pickup_reminders

from .conftest import drain, eventually
from .test_notifications import SECRET, Receiver, receiver, verify
from .test_pick_sla_sweep import caught_up
from .test_sourcing_worker import count

__all__ = ["readmodel", "receiver"]

CODEC = EventCodec(ALL_EVENTS)
CODE = "730194"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def counter_worker(
    broker: Broker, database_url: str, clock: FixedClock, receiver: Receiver
) -> Iterator[dramatiq.Worker]:
    notify = NotifySettings(url=receiver.url, secret=SecretStr(SECRET))
    runtime.configure(database_url, clock=clock, notify=notify)
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()


async def told(store: EventStore, type_: NotificationType) -> list[dict[str, object]]:
    """What the customer was told of this type: the delivered notifications' bodies' essentials."""
    found = await list_notifications(store, CODEC, status=NotificationStatus.DELIVERED)
    return [{"shipment": n.shipment_id, "customer": n.customer_id, **n.data} for n in found if n.type is type_]


async def test_a_pickup_is_announced_reminded_once_and_expired_once(
    store: EventStore,
    readmodel: asyncpg.Pool,
    broker: Broker,
    receiver: Receiver,
    counter_worker: dramatiq.Worker,
    running_dispatcher: None,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    handlers = Handlers(Context(store, CODEC, clock=clock))
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    await handlers.handle(locations.UpdateLocation(code="NWK", pickup_hold_days=2))
    await receive(handlers, "NWK", "TEE", 5)
    await place_for_pickup(handlers.ctx, "p1", "NWK", ("TEE", 2), customer="c-9")
    receiver.answers = [500]  # the first attempt is refused, the retry accepted
    lines = (oc.PickLine(sku="TEE", picked=2),)
    expires = (clock.now + timedelta(days=2)).isoformat()
    await handlers.handle(oc.ConfirmPick(order_id="p1", shipment_id="S1", lines=lines, pickup_code=CODE))

    async def announced() -> bool:
        return len(await told(store, NotificationType.READY_FOR_PICKUP)) == 1

    await eventually(announced)
    assert await told(store, NotificationType.READY_FOR_PICKUP) == [
        {"shipment": "S1", "customer": "c-9", "expiresAt": expires, "pickupCode": CODE}
    ]
    (_, first), (_, second) = receiver.received
    assert first == second and all(verify(h, raw) for h, raw in receiver.received)
    body = msgspec.json.decode(first)
    assert (body["type"], body["orderId"], body["data"]["pickupCode"]) == ("READY_FOR_PICKUP", "p1", CODE)
    assert "Failed to process message" in caplog.text  # the refused attempt was logged (with its job's args) ...
    assert CODE not in caplog.text  # ... which never carry the code

    await caught_up(readmodel, store)
    assert await sweep_pickup_reminders(readmodel, broker.enqueue, clock) == 0
    clock.advance(days=1)  # half-way through the 2-day hold
    assert await sweep_pickup_reminders(readmodel, broker.enqueue, clock) == 1
    assert await sweep_pickup_reminders(readmodel, broker.enqueue, clock) == 1  # a second worker process
    assert await sweep_expired_pickups(readmodel, broker.enqueue, clock) == 0
    drain(broker, counter_worker)
    assert await count(store, "PickupReminderIssued") == 1

    async def reminded() -> bool:
        return len(await told(store, NotificationType.PICKUP_REMINDER)) == 1

    await eventually(reminded)
    assert CODE not in msgspec.json.encode(await told(store, NotificationType.PICKUP_REMINDER)).decode()
    await caught_up(readmodel, store)
    assert await sweep_pickup_reminders(readmodel, broker.enqueue, clock) == 0  # reminded: never again

    clock.advance(days=1)
    assert await sweep_expired_pickups(readmodel, broker.enqueue, clock) == 1
    assert await sweep_expired_pickups(readmodel, broker.enqueue, clock) == 1
    drain(broker, counter_worker)
    assert await count(store, "PickupExpired") == 1
    assert await count(store, "OrderLinesCancelled") == 1
    order, _ = await load_state(store, CODEC, ORDER, order_stream("p1"))
    assert order is not None and order_status(order) is OrderStatus.CANCELLED
    assert (await stock_state(store, CODEC, "TEE", "NWK")).atp == 5

    async def expired() -> bool:
        return len(await told(store, NotificationType.PICKUP_EXPIRED)) == 1

    await eventually(expired)
    await caught_up(readmodel, store)
    assert await sweep_expired_pickups(readmodel, broker.enqueue, clock) == 0
