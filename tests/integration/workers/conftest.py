from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker

from app.domain import ALL_EVENTS
from app.handlers import Context, Handlers
from eventstore import EventCodec, EventStore
from workers import runtime
from workers.dispatcher import dispatcher, run_dispatcher


@pytest.fixture
def worker(broker: RedisBroker, database_url: str) -> Iterator[dramatiq.Worker]:
    runtime.configure(database_url)
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
async def running_dispatcher(store: EventStore, broker: RedisBroker) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_dispatcher(dispatcher(store, EventCodec(ALL_EVENTS), broker.enqueue), stop))
    yield
    stop.set()
    await task


@pytest.fixture
def handlers(store: EventStore) -> Handlers:
    return Handlers(Context(store, EventCodec(ALL_EVENTS)))


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    """Waits until `check()` holds; fails the test with a clear message if it never does."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.05)
