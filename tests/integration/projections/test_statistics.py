from __future__ import annotations

import asyncio

import asyncpg

from projections.statistics import analyze_stale_tables


async def changed_since_analyze(pool: asyncpg.Pool, table: str) -> int:
    value: int = await pool.fetchval(
        "SELECT coalesce(n_mod_since_analyze, 0) FROM pg_stat_user_tables"
        " WHERE schemaname = 'readmodel' AND relname = $1",
        table,
    )
    return value


async def write(pool: asyncpg.Pool, table: str, rows: int) -> None:
    async with pool.acquire() as conn:
        await conn.execute(f"INSERT INTO {table} SELECT g FROM generate_series(1, {rows}) g")
        # Backends report table statistics in batches; have this one report at its next transaction's end.
        await conn.execute("SELECT pg_stat_force_next_flush()")
        await conn.execute("SELECT 1")


async def wait_reported(pool: asyncpg.Pool, table: str, at_least: int) -> None:
    for _ in range(100):
        if await changed_since_analyze(pool, table) >= at_least:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{table}: changes never reported")


async def test_tables_that_grew_a_lot_are_analyzed_and_small_changes_are_left_alone(readmodel: asyncpg.Pool) -> None:
    await readmodel.execute("CREATE TABLE readmodel.grown (id INT PRIMARY KEY)")
    await readmodel.execute("CREATE TABLE readmodel.barely (id INT PRIMARY KEY)")
    await write(readmodel, "readmodel.grown", 5000)
    await write(readmodel, "readmodel.barely", 100)
    await wait_reported(readmodel, "grown", 5000)
    await wait_reported(readmodel, "barely", 100)

    analyzed = await analyze_stale_tables(readmodel)

    assert "readmodel.grown" in analyzed
    assert "readmodel.barely" not in analyzed
    assert await changed_since_analyze(readmodel, "grown") == 0
    assert await readmodel.fetchval("SELECT reltuples FROM pg_class WHERE oid = 'readmodel.grown'::regclass") == 5000
    assert "readmodel.grown" not in await analyze_stale_tables(readmodel)  # nothing changed since
