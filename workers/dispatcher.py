"""The dispatcher: follows the log and turns events into jobs.

It is a log follower with one consumer whose "effect" is enqueuing: its checkpoint advances only after every
job of a batch was handed to Redis, in the batch's transaction. A crash or a Redis outage mid-batch leaves the
checkpoint behind, so the batch is sent again: jobs are at least once, and the actors are idempotent.
Orders keep being accepted while Redis is down; their jobs go out when it is back.

Every worker process runs a dispatcher, and one at a time feeds the queues: the one holding the dispatcher's
claim (a one-partition `PartitionClaims`, as the projections use). The others do not read the log; once a second
they try to take the claim over, which they get as soon as the holder's process dies (PostgreSQL frees its
locks with its connection). The batch's checkpoint lock still makes each window exactly-once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

import dramatiq
import msgspec

from app.domain.events import Event
from app.domain.notifications import NOTIFYING_EVENTS, notice_for
from app.domain.order_events import (
    OrderCancelled,
    OrderHoldReleased,
    OrderLinesCancelled,
    OrderPlaced,
    ShipmentDispatched,
)
from app.domain.return_events import ReturnReceived
from app.domain.stock_events import (
    ReplenishmentRequested,
    ReservationReleased,
    StockReceived,
    StockReturned,
    SupplyReceived,
)
from eventstore import (
    Connection,
    Consumer,
    EventCodec,
    EventStore,
    Listener,
    LogFollower,
    PartitionClaims,
    RecordedEvent,
)

from . import jobs
from .broker import BROKER_DOWN, send_all

log = logging.getLogger(__name__)

NAME = "dispatcher"
SOURCE_BATCH = 25  # orders per sourcing job
Send = Callable[[dramatiq.Message[Any]], object]


def jobs_for(codec: EventCodec, recorded: RecordedEvent) -> list[dramatiq.Message[Any]]:
    """The jobs one event asks for (none for most)."""
    event = codec.decode(recorded)
    cause = str(recorded.event_id)
    notice = notice_for(event, cause)
    notifications = [jobs.notify.message(msgspec.to_builtins(notice))] if notice is not None else []
    return _work_for(event, cause) + notifications


def _work_for(event: object, cause: str) -> list[dramatiq.Message[Any]]:
    match event:
        case OrderPlaced() if event.reservation_id is not None or event.allocated_on_placement:
            return []  # allocated in the same append (from its cart reservation, or the fast path): nothing to source
        case OrderPlaced() | OrderHoldReleased():
            return [jobs.source_order.message(event.order_id, cause)]
        case StockReceived() | StockReturned() | SupplyReceived():
            return [jobs.allocate_backorders.message(event.sku, cause)]
        case ReservationReleased() if event.reason != "SHORTFALL":
            return [jobs.allocate_backorders.message(event.sku, cause)]
        case OrderCancelled() | OrderLinesCancelled():
            return [jobs.allocate_backorders.message(sku, cause) for sku in sorted({r.sku for r in event.released})]
        case ReplenishmentRequested():
            return [
                jobs.fulfil_replenishment.message(
                    event.sku, event.location_code, event.replenishment_id, event.source_location_code, cause
                )
            ]
        case ShipmentDispatched():
            return [jobs.track_shipment.message(event.order_id, event.shipment_id, 0)]
        case ReturnReceived():
            return [jobs.settle_return.message(event.return_id, cause)]
    return []


_WORK_EVENTS: tuple[type[Event], ...] = (
    OrderPlaced,
    OrderHoldReleased,
    StockReceived,
    StockReturned,
    SupplyReceived,
    ReservationReleased,
    OrderCancelled,
    OrderLinesCancelled,
    ReplenishmentRequested,
    ShipmentDispatched,
    ReturnReceived,
)
# The events some job follows from: work, and the customer notifications (a dispatch asks for both).
WATCHED = list(dict.fromkeys(cls.__name__ for cls in (*_WORK_EVENTS, *NOTIFYING_EVENTS)))


def sourcing_jobs(
    singles: Sequence[dramatiq.Message[Any]], batch_size: int = SOURCE_BATCH
) -> list[dramatiq.Message[Any]]:
    """The `source_order` jobs of one dispatcher batch: unchanged when there is one, else `source_orders` jobs
    of up to `batch_size` orders each. Chunks keep a job well inside its time limit and let several workers
    share a burst; priorities are honoured within a chunk (orders placed together land in the same one).
    """
    if len(singles) <= 1:
        return list(singles)
    ids = list(dict.fromkeys(str(m.args[0]) for m in singles))
    return [jobs.source_orders.message(ids[i : i + batch_size]) for i in range(0, len(ids), batch_size)]


def dispatcher(
    store: EventStore,
    codec: EventCodec,
    broker: dramatiq.Broker,
    *,
    listener: Listener | None = None,
    batch_size: int = 500,
    source_batch_size: int = SOURCE_BATCH,
) -> Dispatcher:
    async def enqueue(conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        # A busy batch asks to allocate backorders of one SKU many times; once per SKU per batch is enough.
        skus: set[object] = set()
        # Orders that arrived together are sourced together, so that priorities decide who gets scarce stock.
        to_source: list[dramatiq.Message[Any]] = []
        to_send: list[dramatiq.Message[Any]] = []
        for recorded in batch:
            for message in jobs_for(codec, recorded):
                if message.actor_name == jobs.source_order.actor_name:
                    to_source.append(message)
                    continue
                if message.actor_name == jobs.allocate_backorders.actor_name:
                    if message.args[0] in skus:
                        continue
                    skus.add(message.args[0])
                to_send.append(message)
        send_all(broker, [*to_send, *sourcing_jobs(to_source, source_batch_size)])

    return Dispatcher(store, Consumer(NAME, enqueue), listener=listener, batch_size=batch_size)


class Dispatcher(LogFollower):
    """Feeds `consumer` only while this process holds the dispatcher's claim (see the module's docstring).

    Before, every worker's dispatcher read each window and raced for the batch's lock: at 50 orders/s each of
    two workers spent a quarter of its CPU there (py-spy), half of it on windows the other one handled."""

    def __init__(self, store: EventStore, consumer: Consumer, *, listener: Listener | None, batch_size: int) -> None:
        super().__init__(store, [], event_types=WATCHED, batch_size=batch_size, listener=listener, poll_interval=0.2)
        self.compete(PartitionClaims(store.pool, NAME, 1), {0: [consumer]})

    @property
    def leading(self) -> bool:
        return self.claims is not None and bool(self.claims.held)

    def feed_claimed(self, held: set[int]) -> None:
        log.info("dispatcher: %s", "dispatching" if held else "standing by")
        super().feed_claimed(held)


async def run_dispatcher(follower: LogFollower, stop: asyncio.Event, *, retry_after: float = 1.0) -> None:
    """Runs the dispatcher until `stop`, riding out broker outages (the failed batch is simply sent again)."""
    while not stop.is_set():
        try:
            await follower.run(stop)
        except BROKER_DOWN as down:
            log.warning("dispatcher: broker unavailable, retrying in %.1fs: %s", retry_after, down)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), retry_after)
