"""Shared fixtures: a PostgreSQL for the session, a migrated template, and a fresh database per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from eventstore import EventStore, create_pool, migrate
from eventstore.migrate import EVENTSTORE
from projections.schema import PROJECTIONS
from tests.support.databases import Databases, postgres_server
from tests.support.redis_servers import redis_server


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    with postgres_server() as dsn:
        yield dsn


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(scope="session")
async def databases(postgres_dsn: str) -> AsyncIterator[Databases]:
    dbs = Databases(postgres_dsn)
    yield dbs
    await dbs.drop_all()


@pytest.fixture(scope="session")
async def template_database(databases: Databases) -> str:
    """A database with every migration applied, copied for each test (much faster than migrating each)."""
    name = databases.new_name() + "_template"
    dsn = await databases.create(name)
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn, [EVENTSTORE, PROJECTIONS])
    finally:
        await conn.close()
    return name


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


