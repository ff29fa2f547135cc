"""The cart expiry sweep with a real worker: a held cart past its TTL is expired once however often it is swept,
its units back in ATP; a cart ordered in time is never swept. The clock is moved by hand, never waited for."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import asyncpg
import dramatiq
import pytest
from dramatiq import Broker

from app.domain import ALL_EVENTS
from app.domain.values import LocationType
from app.handlers import Context, Handlers
from eventstore import EventCodec, EventStore
from tests.integration.handlers.conftest import FixedClock
from tests.integration.handlers.support import NEWARK, location, receive
from tests.integration.handlers.test_carts import cart_state, from_cart, reserve
from tests.integration.handlers.test_stock_handlers import stock_state
from tests.integration.projections.history import readmodel
from workers import runtime
from workers.sweep import CART_SWEEP_EVERY, keep_expiring_carts, sweep_expired_carts

from .conftest import drain
from .test_pick_sla_sweep import caught_up
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


async def test_an_expired_cart_swept_twice_is_expired_once_and_an_ordered_one_never(
    store: EventStore,
    readmodel: asyncpg.Pool,
    broker: Broker,
    timed_worker: dramatiq.Worker,
    clock: FixedClock,
) -> None:
    codec = EventCodec(ALL_EVENTS)
    handlers = Handlers(Context(store, codec, clock=clock))
    await location(handlers, "NWK", NEWARK, LocationType.STORE)
    await receive(handlers, "NWK", "TEE", 5)
    await handlers.handle(reserve("k1", ("TEE", 2), ttl=60))
    await handlers.handle(reserve("k2", ("TEE", 1), ttl=60))
    await handlers.handle(from_cart("o2", "k2", ("TEE", 1)))
    await caught_up(readmodel, store)
    assert await sweep_expired_carts(readmodel, broker.enqueue, clock) == 0

    clock.advance(seconds=60)
    # Two sweeps before the first job ran (two worker processes, or the next sweep a second later).
    assert await sweep_expired_carts(readmodel, broker.enqueue, clock) == 1
    assert await sweep_expired_carts(readmodel, broker.enqueue, clock) == 1
    drain(broker, timed_worker)

    assert await count(store, "CartExpired") == 1
    assert (await stock_state(store, codec, "TEE", "NWK")).atp == 4  # k1's 2 back; o2 keeps its unit
    assert (await cart_state(store, codec, "k2")).order_id == "o2"
    await caught_up(readmodel, store)
    assert await sweep_expired_carts(readmodel, broker.enqueue, clock) == 0


async def test_the_worker_keeps_expiring_carts_every_second_by_default(
    store: EventStore, readmodel: asyncpg.Pool, clock: FixedClock
) -> None:
    assert CART_SWEEP_EVERY <= 2.0  # "a few seconds" past the TTL at most
    handlers = Handlers(Context(store, EventCodec(ALL_EVENTS), clock=clock))
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "TEE", 5)
    await handlers.handle(reserve("k1", ("TEE", 1), ttl=30))
    await caught_up(readmodel, store)
    clock.advance(seconds=30)

    stop = asyncio.Event()
    sent: list[dramatiq.Message[Any]] = []

    def send(message: dramatiq.Message[Any]) -> None:
        sent.append(message)
        if len(sent) == 2:  # a second sweep came round: the same cart again, until the job expires it
            stop.set()

    await asyncio.wait_for(keep_expiring_carts(readmodel, send, clock, stop, every=0.01), 30.0)
    assert [(m.actor_name, m.args) for m in sent] == [("expire_cart", ("k1",))] * 2
