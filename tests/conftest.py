"""Shared fixtures: a PostgreSQL for the session, a migrated template, and a fresh database per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from dramatiq.brokers.redis import RedisBroker

from eventstore import EventStore, create_pool
from tests.support.databases import Databases, postgres_server
from tests.support.redis_servers import PrivateRedis, redis_server
from workers.broker import BrokerSettings, make_broker
from workers.jobs import bind_actors


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    with postgres_server() as dsn:
        yield dsn


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


def broker_settings(redis_url: str) -> BrokerSettings:
    # A namespace per test keeps its queues apart from every other test's and run's.
    return BrokerSettings(
        redis_url=redis_url,
        namespace=f"meridian-test-{uuid.uuid4().hex[:8]}",
        min_backoff_ms=50,
        max_backoff_ms=500,
        heartbeat_timeout_ms=2000,
    )


@pytest.fixture
def broker(redis_url: str) -> Iterator[RedisBroker]:
    broker = make_broker(broker_settings(redis_url))
    assert isinstance(broker, RedisBroker)
    bind_actors(broker)
    yield broker
    broker.flush_all()
    # flush_all empties the queues; the heartbeats and our job counters live under the namespace too.
    for key in broker.client.scan_iter(f"{broker.namespace}:*"):
        broker.client.delete(key)
    broker.close()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A Redis of the test's own (never the machine's shared one), for tests that stop and start it."""
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def databases(postgres_dsn: str) -> AsyncIterator[Databases]:
    dbs = Databases(postgres_dsn)
    yield dbs
    await dbs.drop_all()


@pytest.fixture(scope="session")
async def template_database(databases: Databases) -> str:
    """A database with every migration applied, copied for each test (much faster than migrating each)."""
    return await databases.create_template()


@pytest.fixture
async def database_url(databases: Databases, template_database: str) -> AsyncIterator[str]:
    name = databases.new_name()
    dsn = await databases.create(name, template=template_database)
    yield dsn
    await databases.drop(name)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, min_size=1, max_size=20)
    yield pool
    await pool.close()


@pytest.fixture
async def store(pool: asyncpg.Pool) -> EventStore:
    return EventStore(pool)
