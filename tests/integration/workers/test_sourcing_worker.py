from __future__ import annotations

import dramatiq
from dramatiq import Broker

from app.domain import ALL_EVENTS
from app.domain.aggregates import ORDER
from app.domain.order_state import order_status
from app.domain.streams import order_stream
from app.domain.values import OrderStatus
from app.handlers import Handlers
from eventstore import EventCodec, EventStore, load_state
from tests.integration.handlers.support import CHICAGO, NEWARK, location, place, receive
from workers import jobs

from .conftest import drain, eventually


async def count(store: EventStore, event_type: str) -> int:
    n: int = await store.pool.fetchval("SELECT count(*) FROM events WHERE event_type = $1", event_type)
    return n


async def test_a_placed_order_is_allocated_by_a_real_worker(
    store: EventStore, handlers: Handlers, worker: dramatiq.Worker, running_dispatcher: None
) -> None:
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "CHI", "TEE", 10)
    await handlers.handle(place("w1", ("TEE", 3)))

    async def allocated() -> bool:
        return await count(store, "OrderAllocated") == 1

    await eventually(allocated)
    assert await count(store, "StockReserved") == 1
    assert await count(store, "SourcingDecided") == 1


async def test_a_job_delivered_twice_reserves_once(
    store: EventStore, handlers: Handlers, broker: Broker, worker: dramatiq.Worker
) -> None:
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "TEE", 10)
    await handlers.handle(place("w2", ("TEE", 2)))
    for _ in range(3):  # at-least-once delivery: the same job more than once
        broker.enqueue(jobs.source_order.message("w2", "test"))
    drain(broker, worker)
    assert await count(store, "StockReserved") == 1
    assert await count(store, "OrderAllocated") == 1


async def test_each_order_is_sourced_once_under_a_burst(
    store: EventStore, handlers: Handlers, worker: dramatiq.Worker, running_dispatcher: None
) -> None:
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "TEE", 25)
    for i in range(40):
        await handlers.handle(place(f"b{i}", ("TEE", 1)))

    async def settled() -> bool:
        # Orders with a decision (a backordered order has both a SourcingDecided and an OrderBackordered).
        decided: int = await store.pool.fetchval(
            "SELECT count(DISTINCT stream_id) FROM events WHERE event_type IN ('SourcingDecided', 'OrderBackordered')"
        )
        return decided >= 40

    await eventually(settled, timeout=40)
    assert await count(store, "StockReserved") == 25
    codec = EventCodec(ALL_EVENTS)
    statuses = []
    for i in range(40):
        order, _ = await load_state(store, codec, ORDER, order_stream(f"b{i}"))
        assert order is not None
        statuses.append(order_status(order))
    assert statuses.count(OrderStatus.ALLOCATED) == 25
    assert statuses.count(OrderStatus.BACKORDERED) == 15
