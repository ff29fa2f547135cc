"""Where the read models live: the `readmodel` schema, or `readmodel_rebuild` while a replay builds a copy.

The DDL in `migrations/` names its tables unqualified, so the same files build either schema: the migration
set below runs each file with `search_path` pointing at the live schema, and a rebuild runs them pointing at
the rebuild schema. Connections that read or write read models get the same `search_path` from their pool,
so projection and query SQL stays unqualified too (the event store's tables resolve through `public`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

import asyncpg

from eventstore import Connection, MigrationSet, create_pool

LIVE: Final = "readmodel"
REBUILD: Final = "readmodel_rebuild"
RETIRED: Final = "readmodel_retired"
SCHEMAS: Final = frozenset({LIVE, REBUILD, RETIRED})


def _prelude(schema: str) -> str:
    # `schema` is one of the constants above, never caller text: identifiers cannot be bound as $n.
    if schema not in SCHEMAS:
        raise ValueError(f"not a read-model schema: {schema!r}")
    return f"CREATE SCHEMA IF NOT EXISTS {schema};\nSET LOCAL search_path TO {schema}, public;\n"


@dataclass(frozen=True)
class ReadModelMigrations(MigrationSet):
    """A MigrationSet whose files run inside the `readmodel` schema (each file is applied in a transaction,
    so `SET LOCAL` scopes the search path to that file)."""

    schema: str = LIVE

    def scripts(self) -> list[tuple[str, str, bool]]:
        return [(name, _prelude(self.schema) + sql, rep) for name, sql, rep in MigrationSet.scripts(self)]


PROJECTIONS = ReadModelMigrations("projections")


async def build_schema(conn: Connection, schema: str) -> None:
    """Creates `schema` from scratch (dropping what was there) with every read-model table in it."""
    if schema == LIVE:
        raise ValueError("the live schema is built by migrations, not rebuilt in place")
    async with conn.transaction():
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        for _name, sql, _repeatable in ReadModelMigrations("projections", schema).scripts():
            await conn.execute(sql)


async def create_readmodel_pool(
    dsn: str,
    *,
    schema: str = LIVE,
    min_size: int = 1,
    max_size: int = 10,
    init: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
) -> asyncpg.Pool:
    """A pool whose connections see `schema` first, then `public` (events, checkpoints, snapshots)."""
    _prelude(schema)
    return await create_pool(
        dsn, min_size=min_size, max_size=max_size, server_settings={"search_path": f"{schema}, public"}, init=init
    )
