"""Destructive faults on our own Redis (never the machine's shared one) and our own worker processes; the worker
killed mid-burst on RabbitMQ too (its queues named after the test's namespace, deleted afterwards)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import Iterator

import pika
import pytest

from app.handlers import Handlers
from eventstore import EventStore
from tests.integration.handlers.support import CHICAGO, NEWARK, location, place, receive
from tests.support.redis_servers import PrivateRedis
from workers.broker import QUEUES

from .conftest import RABBITMQ_URL, eventually, rabbitmq_reachable


async def start_worker(
    database_url: str, redis: PrivateRedis, namespace: str, rabbitmq_url: str | None = None
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis.url,
        **({"BROKER_URL": rabbitmq_url} if rabbitmq_url else {}),
        "MERIDIAN_BROKER_NAMESPACE": namespace,
        "MERIDIAN_WORKER_HEARTBEAT_MS": "1500",
        "MERIDIAN_BROKER_MAINTENANCE_CHANCE": "200000",
        "MERIDIAN_WORKER_THREADS": "4",
        "MERIDIAN_LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "app.cli", "worker", env=env)


async def per_order(store: EventStore, event_type: str) -> dict[str, int]:
    rows = await store.pool.fetch(
        "SELECT stream_id, count(*) AS n FROM events WHERE event_type = $1 GROUP BY stream_id", event_type
    )
    return {r["stream_id"]: r["n"] for r in rows}


async def check_no_double_reservation(store: EventStore, expected_units: int) -> None:
    reserved = await store.pool.fetchval(
        "SELECT coalesce(sum((data->>'quantity')::int), 0) FROM events WHERE event_type = 'StockReserved'"
    )
    allocated = await store.pool.fetchval(
        "SELECT coalesce(sum((l->>'quantity')::int), 0) FROM events,"
        " json_array_elements(data->'shipments') s, json_array_elements(s->'lines') l"
        " WHERE event_type = 'OrderAllocated'"
    )
    assert reserved == allocated == expected_units


@pytest.fixture(params=["redis", "rabbitmq"])
def on_broker(request: pytest.FixtureRequest) -> Iterator[tuple[str, str | None]]:
    """The test's namespace and its RabbitMQ URL (None: the worker runs on the private Redis); the test's RabbitMQ
    queues are deleted after it."""
    namespace = f"meridian-fault-{uuid.uuid4().hex[:8]}"
    if request.param == "redis":
        yield namespace, None
        return
    if (down := rabbitmq_reachable(RABBITMQ_URL)) is not None:
        pytest.skip(down)
    yield namespace, RABBITMQ_URL
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    channel = connection.channel()
    for queue in QUEUES:
        for suffix in ("", ".DQ", ".XQ"):
            channel.queue_delete(f"{namespace}.{queue}{suffix}")
    connection.close()


async def test_a_worker_killed_mid_burst_leaves_every_order_sourced_exactly_once(
    store: EventStore,
    handlers: Handlers,
    database_url: str,
    private_redis: PrivateRedis,
    on_broker: tuple[str, str | None],
) -> None:
    namespace, rabbitmq_url = on_broker
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "TEE", 40)
    await receive(handlers, "CHI", "TEE", 40)
    worker = await start_worker(database_url, private_redis, namespace, rabbitmq_url)
    for i in range(60):
        await handlers.handle(place(f"k{i}", ("TEE", 1)))

    async def some_sourced() -> bool:
        return len(await per_order(store, "SourcingDecided")) >= 5

    await eventually(some_sourced, timeout=30)
    worker.send_signal(signal.SIGKILL)
    await worker.wait()
    assert len(await per_order(store, "SourcingDecided")) < 60

    worker = await start_worker(database_url, private_redis, namespace, rabbitmq_url)
    try:

        async def all_sourced() -> bool:
            return len(await per_order(store, "SourcingDecided")) == 60

        await eventually(all_sourced, timeout=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        await worker.wait()
    decided = await per_order(store, "SourcingDecided")
    assert set(decided.values()) == {1}
    await check_no_double_reservation(store, 60)


async def test_orders_placed_while_redis_is_down_are_sourced_when_it_returns(
    store: EventStore, handlers: Handlers, database_url: str, private_redis: PrivateRedis
) -> None:
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "TEE", 100)
    worker = await start_worker(database_url, private_redis, f"meridian-fault-{uuid.uuid4().hex[:8]}")
    try:
        await handlers.handle(place("before", ("TEE", 1)))

        async def first_sourced() -> bool:
            return len(await per_order(store, "SourcingDecided")) == 1

        await eventually(first_sourced, timeout=30)
        private_redis.stop()
        for i in range(20):  # the write side never needs Redis: every order is accepted
            await handlers.handle(place(f"down{i}", ("TEE", 1)))
        await asyncio.sleep(1.0)
        assert len(await per_order(store, "SourcingDecided")) == 1
        private_redis.start()

        async def all_sourced() -> bool:
            return len(await per_order(store, "SourcingDecided")) == 21

        await eventually(all_sourced, timeout=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        await worker.wait()
    await check_no_double_reservation(store, 21)
