"""Every worker runs a dispatcher, and one at a time reads the log: the one holding the dispatcher's claim. The
others stand by without reading, and one takes over when the holder stops."""

from __future__ import annotations

import asyncio

import dramatiq
from dramatiq import Broker

from app.domain import ALL_EVENTS
from app.domain.aggregates import ORDER
from app.domain.order_state import order_status
from app.domain.streams import order_stream
from app.domain.values import OrderStatus
from app.handlers import Handlers
from eventstore import EventCodec, EventStore, load_state
from tests.integration.eventstore.helpers import CountingStore
from tests.integration.handlers.support import NEWARK, location, place, receive
from workers.dispatcher import dispatcher, run_dispatcher

from .conftest import eventually

CODEC = EventCodec(ALL_EVENTS)


async def test_one_dispatcher_of_two_reads_the_log_and_the_other_takes_over_when_it_stops(
    store: EventStore, handlers: Handlers, broker: Broker, worker: dramatiq.Worker
) -> None:
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "SKU-1", 10)
    first_reads, second_reads = CountingStore(store), CountingStore(store)
    first, second = dispatcher(first_reads, CODEC, broker), dispatcher(second_reads, CODEC, broker)
    stop_first, stop_second = asyncio.Event(), asyncio.Event()

    async def allocated(order_id: str) -> bool:
        order, _ = await load_state(store, CODEC, ORDER, order_stream(order_id))
        return order is not None and order_status(order) is OrderStatus.ALLOCATED

    async def first_leads() -> bool:
        return first.leading

    async def second_has_tried() -> bool:  # its first look asked for the claim (and found it held)
        return second.claims is not None and not second.claims.due()

    running = [asyncio.create_task(run_dispatcher(first, stop_first))]
    try:
        await eventually(first_leads)
        running.append(asyncio.create_task(run_dispatcher(second, stop_second)))
        await eventually(second_has_tried)
        await handlers.handle(place("o-1", ("SKU-1", 1)))
        await eventually(lambda: allocated("o-1"))
        assert not second.leading
        assert second_reads.scanned == []  # standing by, it never read the log
        assert first_reads.scanned

        stop_first.set()
        await running[0]  # gives its claim back
        await handlers.handle(place("o-2", ("SKU-1", 1)))
        await eventually(lambda: allocated("o-2"))
        assert second.leading
        assert second_reads.scanned
    finally:
        stop_first.set()
        stop_second.set()
        await asyncio.gather(*running)
