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
from tests.integration.handlers.support import NEWARK, location, place, receive
from workers import jobs
from workers.dispatcher import dispatcher, run_dispatcher, sourcing_jobs

from .conftest import eventually


def test_orders_dispatched_together_become_batch_jobs() -> None:
    singles = [jobs.source_order.message(f"o{i}", "cause") for i in range(60)]
    batched = sourcing_jobs(singles, batch_size=25)
    assert [m.actor_name for m in batched] == ["source_orders"] * 3
    assert [len(m.args[0]) for m in batched] == [25, 25, 10]
    lone = sourcing_jobs(singles[:1])
    assert lone == singles[:1]


async def test_a_burst_dispatched_at_once_serves_priority_orders_first(
    store: EventStore, handlers: Handlers, broker: Broker, worker: dramatiq.Worker
) -> None:
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "RARE", 3)
    priorities = [0, 0, 9, 0, 9, 0, 9, 0]
    for i, priority in enumerate(priorities):
        await handlers.handle(place(f"p{i}", ("RARE", 1), priority=priority))
    # The dispatcher starts after the burst, so it reads all of it in one batch: one batch job.
    stop = asyncio.Event()
    task = asyncio.create_task(run_dispatcher(dispatcher(store, EventCodec(ALL_EVENTS), broker), stop))
    codec = EventCodec(ALL_EVENTS)

    async def statuses() -> list[OrderStatus]:
        found = []
        for i in range(len(priorities)):
            order, _ = await load_state(store, codec, ORDER, order_stream(f"p{i}"))
            assert order is not None
            found.append(order_status(order))
        return found

    async def settled() -> bool:
        return OrderStatus.PLACED not in await statuses()

    try:
        await eventually(settled)
    finally:
        stop.set()
        await task
    allocated = [i for i, status in enumerate(await statuses()) if status is OrderStatus.ALLOCATED]
    assert allocated == [2, 4, 6]
