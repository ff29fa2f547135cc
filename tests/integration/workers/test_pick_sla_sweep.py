"""The pick SLA sweep with a real worker: an overdue pick is expired and re-sourced once, however often it is
swept; the clock is moved by hand, never waited for."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import asyncpg
import dramatiq
import pytest
from dramatiq import Broker

from app.domain import ALL_EVENTS, locations
from app.domain.aggregates import ORDER
from app.domain.streams import order_stream
from app.domain.values import LocationType, ShipmentStatus
from app.handlers import Context, Handlers, SourceOrder
from eventstore import EventCodec, EventStore, load_state
from projections import ProjectionRunner
from tests.integration.handlers.conftest import FixedClock
from tests.integration.handlers.support import CHICAGO, NEWARK, location, place, receive
from tests.integration.projections.history import readmodel
from workers import runtime
from workers.sweep import keep_sweeping, sweep_overdue_picks

from .conftest import drain
from .test_sourcing_worker import count

__all__ = ["readmodel"]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def timed_worker(broker: Broker, database_url: str, clock: FixedClock) -> Iterator[dramatiq.Worker]:
    runtime.configure(database_url, clock=clock)  # the worker decides with the test's clock
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()


async def caught_up(readmodel: asyncpg.Pool, store: EventStore) -> None:
    head = await store.head()
    assert head is not None
    assert await ProjectionRunner(readmodel).wait_for(head, 30.0)


async def test_an_overdue_pick_swept_twice_is_expired_and_resourced_once(
    store: EventStore,
    readmodel: asyncpg.Pool,
    broker: Broker,
    timed_worker: dramatiq.Worker,
    clock: FixedClock,
) -> None:
    handlers = Handlers(Context(store, EventCodec(ALL_EVENTS), clock=clock))
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    await handlers.handle(locations.UpdateLocation(code="NWK", pick_sla_minutes=30))
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "TEE", 5)
    await receive(handlers, "CHI", "TEE", 5)
    await handlers.handle(place("o1", ("TEE", 2)))
    await handlers.handle(SourceOrder(order_id="o1"))
    await caught_up(readmodel, store)
    assert await sweep_overdue_picks(readmodel, broker.enqueue, clock) == 0

    clock.advance(minutes=31)
    # Two sweeps before the first job ran (two worker processes, or a sweep repeated after a crash).
    assert await sweep_overdue_picks(readmodel, broker.enqueue, clock) == 1
    assert await sweep_overdue_picks(readmodel, broker.enqueue, clock) == 1
    drain(broker, timed_worker)

    assert await count(store, "ShipmentExpired") == 1
    order, _ = await load_state(store, EventCodec(ALL_EVENTS), ORDER, order_stream("o1"))
    assert order is not None
    assert [(s.location_code, s.status) for s in order.shipments] == [
        ("NWK", ShipmentStatus.EXPIRED),
        ("CHI", ShipmentStatus.PLANNED),
    ]
    await caught_up(readmodel, store)
    assert await sweep_overdue_picks(readmodel, broker.enqueue, clock) == 0  # CHI has no SLA


async def test_the_worker_process_keeps_sweeping_until_stopped(
    store: EventStore, readmodel: asyncpg.Pool, clock: FixedClock
) -> None:
    handlers = Handlers(Context(store, EventCodec(ALL_EVENTS), clock=clock))
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    await handlers.handle(locations.UpdateLocation(code="NWK", pick_sla_minutes=30))
    await receive(handlers, "NWK", "TEE", 5)
    await handlers.handle(place("o1", ("TEE", 1)))
    await handlers.handle(SourceOrder(order_id="o1"))
    await caught_up(readmodel, store)
    clock.advance(minutes=31)

    stop = asyncio.Event()
    sent: list[dramatiq.Message[Any]] = []

    def send(message: dramatiq.Message[Any]) -> None:
        sent.append(message)
        if len(sent) == 2:  # a second sweep came round: the same shipment again, until the job expires it
            stop.set()

    await asyncio.wait_for(keep_sweeping(readmodel, send, clock, stop, every=0.01), 30.0)
    assert [(m.actor_name, m.args) for m in sent] == [("expire_pick", ("o1", "S1"))] * 2
