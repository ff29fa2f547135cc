"""The store keeps its tables' planner statistics itself, instead of counting on autovacuum being on.

Why: PostgreSQL plans from statistics, and a session keeps a statement's plan until the table's statistics
change. Where autovacuum is off (a fresh restore, a bulk import, some managed setups) nothing analyzes the
tables, so a plan made while the log was small, or a guess about a large table, stays for good. The append
function does not depend on them (it forbids sequential scans: functions/append_events.sql); the statements
sent from Python do, less sharply, and so do the operators' own queries.

What: after migrations, and every `CHECK_EVERY` events this process appends, `ANALYZE` each of the store's
tables that changed by more than a fifth since its last ANALYZE, or that is large and was never analyzed
(sql/stale_statistics.sql: autovacuum's rule). ANALYZE reads a fixed sample (30,000 rows at the default
statistics target), so each costs a bounded fraction of a second whatever the log's size, and growth by a fifth
at a time means few of them. SKIP_LOCKED: if another process is analyzing a table, this one does not wait.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from .driver import Connection
from .sql import query

log = logging.getLogger(__name__)

CHECK_EVERY = 1_000  # a check is one look at pg_stat_user_tables
_TABLES = frozenset({"events", "streams", "snapshots", "checkpoints"})


async def analyze_stale(conn: Connection) -> list[str]:
    """ANALYZEs the store's tables whose statistics are missing or stale; returns their names."""
    stale = [r[0] for r in await conn.fetch(query("stale_statistics")) if r[0] in _TABLES]
    for table in stale:
        await conn.execute(f"ANALYZE (SKIP_LOCKED) {table}")  # a name from _TABLES: nothing to quote
    if stale:
        log.info("analyzed the event store's tables", extra={"tables": stale})
    return stale


class StatisticsKeeper:
    """Counts the events this process appends; every CHECK_EVERY, checks the statistics in the background."""

    __slots__ = ("_appended", "_pool", "_task")

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._appended = 0
        self._task: asyncio.Task[None] | None = None

    def appended(self, events: int) -> None:
        self._appended += events
        if self._appended < CHECK_EVERY or (self._task is not None and not self._task.done()):
            return
        self._appended = 0
        self._task = asyncio.get_running_loop().create_task(self._check())

    async def _check(self) -> None:
        try:
            async with self._pool.acquire() as conn:
                await analyze_stale(conn)
        except Exception:  # a maintenance chore: the appends it follows have committed, and the next check retries
            log.warning("could not check the event store's statistics", exc_info=True)
