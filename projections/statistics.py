"""Keeps the planner's statistics up with tables that grow fast.

A read model starts empty and gains thousands of rows a minute under load; autovacuum looks at a database
once a minute (`autovacuum_naptime`) and analyzes a table only after a tenth of it changed. Until then the
planner believes the tables are tiny and answers the projections' lookups by primary key (`order_id =
ANY(...)`) with sequential scans, whose cost grows with every order: PostgreSQL's CPU per order went from
11 to 20 ms within a minute of steady load, and back to flat with fresh statistics (bench, measured). So the
projection process analyzes any table that changed by more than a fifth since its last ANALYZE, every few
seconds. An ANALYZE samples at most 30,000 rows (default statistics target), so it stays cheap on big
tables, and once a table is big a fifth of it is a lot of change: it then runs rarely.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from .sql import query

log = logging.getLogger(__name__)

MIN_CHANGED_ROWS = 500  # below this, a stale estimate cannot make a plan expensive


async def analyze_stale_tables(pool: asyncpg.Pool, *, min_changed: int = MIN_CHANGED_ROWS) -> list[str]:
    """ANALYZEs every table whose statistics lag (see stale_statistics.sql); returns their names."""
    tables: list[str] = [r[0] for r in await pool.fetch(query("stale_statistics"), min_changed)]
    for table in tables:
        await pool.execute(f"ANALYZE {table}")  # the names come from the catalogue, quoted by format(%I)
    return tables


async def keep_statistics_fresh(pool: asyncpg.Pool, stop: asyncio.Event, *, every: float = 5.0) -> None:
    """Runs `analyze_stale_tables` every `every` seconds until `stop` is set; a failure is logged, not fatal
    (the projections do not depend on it, only their speed does)."""
    while not stop.is_set():
        try:
            analyzed = await analyze_stale_tables(pool)
            if analyzed:
                log.debug("planner statistics refreshed: %s", ", ".join(analyzed))
        except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError) as exc:
            log.warning("could not refresh planner statistics: %s", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
