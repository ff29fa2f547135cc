from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import dramatiq
import pika
import pytest
from dramatiq.brokers.redis import RedisBroker

from app.domain import ALL_EVENTS
from app.handlers import Context, Handlers
from eventstore import EventCodec, EventStore
from tests.conftest import broker_settings
from workers import runtime
from workers.broker import QUEUES, BrokerSettings, NamespacedRabbitmqBroker, make_broker, queue_name
from workers.dispatcher import dispatcher, run_dispatcher
from workers.jobs import bind_actors

RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def rabbitmq_reachable(url: str) -> str | None:
    """None when a RabbitMQ answers at `url`, else why not."""
    try:
        pika.BlockingConnection(pika.URLParameters(url)).close()
    except pika.exceptions.AMQPError as down:
        return f"no RabbitMQ at {url} ({type(down).__name__}); `.ci/run` starts it where it is installed"
    return None


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request: pytest.FixtureRequest, redis_url: str) -> Iterator[dramatiq.Broker]:
    """Each job test runs on both brokers, in a namespace of its own (Redis key prefix, RabbitMQ queue names),
    and leaves nothing behind."""
    if request.param == "redis":
        yield from redis_broker_of(redis_url)
        return
    if (down := rabbitmq_reachable(RABBITMQ_URL)) is not None:
        pytest.skip(down)
    settings = BrokerSettings(
        redis_url=None, namespace=f"meridian-test-{uuid.uuid4().hex[:8]}", rabbitmq_url=RABBITMQ_URL,
        min_backoff_ms=50, max_backoff_ms=500,
    )  # fmt: skip
    broker = make_broker(settings)
    assert isinstance(broker, NamespacedRabbitmqBroker)
    bind_actors(broker)
    yield broker
    broker.delete_queues()
    broker.close()


def redis_broker_of(redis_url: str) -> Iterator[dramatiq.Broker]:
    broker = make_broker(broker_settings(redis_url))
    assert isinstance(broker, RedisBroker)
    bind_actors(broker)
    yield broker
    broker.flush_all()
    for key in broker.client.scan_iter(f"{broker.namespace}:*"):
        broker.client.delete(key)
    broker.close()


def drain(broker: dramatiq.Broker, worker: dramatiq.Worker, timeout_ms: int = 20_000) -> None:
    """Waits until every job sent so far ran: none left in the broker, none in the worker's hands."""
    for queue in QUEUES:
        broker.join(queue_name(broker, queue), timeout=timeout_ms)
    worker.join()


@pytest.fixture
def worker(broker: dramatiq.Broker, database_url: str) -> Iterator[dramatiq.Worker]:
    runtime.configure(database_url)
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
async def running_dispatcher(store: EventStore, broker: dramatiq.Broker) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_dispatcher(dispatcher(store, EventCodec(ALL_EVENTS), broker), stop))
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
