"""The pick SLA sweep: every so often, an `expire_pick` job for each PLANNED shipment past its location's SLA.

No state of its own, so nothing a crash could leave half done: each sweep asks the read model afresh, a sweep
missed (a crash, Redis down) is made up by the next one, and a shipment found twice (two worker processes,
a job not yet run) is harmless because `ExpirePick` expires a shipment only while it is PLANNED and overdue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
import redis

from app.clock import Clock
from projections.queries import overdue_picks

from . import jobs
from .dispatcher import Send

log = logging.getLogger(__name__)

SWEEP_EVERY = 30.0  # seconds; SLAs are counted in minutes
SWEEP_LIMIT = 500  # jobs per sweep, oldest first; the rest wait for the next sweep


async def sweep_overdue_picks(pool: asyncpg.Pool, send: Send, clock: Clock, *, limit: int = SWEEP_LIMIT) -> int:
    """One sweep; returns how many jobs it sent."""
    rows = await overdue_picks(pool, clock(), limit=limit)
    for row in rows:
        send(jobs.expire_pick.message(row["order_id"], row["shipment_id"]))
    return len(rows)


async def keep_sweeping(
    pool: asyncpg.Pool, send: Send, clock: Clock, stop: asyncio.Event, *, every: float = SWEEP_EVERY
) -> None:
    """Sweeps every `every` seconds until `stop` is set; a failure is logged and the next sweep tries again."""
    while not stop.is_set():
        try:
            sent = await sweep_overdue_picks(pool, send, clock)
            if sent:
                log.info("pick SLA sweep: %d overdue shipment(s) sent to expire", sent)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, redis.RedisError) as exc:
            log.warning("pick SLA sweep failed, trying again in %.0fs: %s", every, exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
