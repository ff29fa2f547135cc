"""The deadline sweeps: every so often, an `expire_pick` job for each PLANNED shipment past its location's SLA,
a `remind_pickup` job for each pickup half-way through its hold, an `expire_pickup` job for each hold that ran out.

No state of its own, so nothing a crash could leave half done: each sweep asks the read model afresh, a sweep
missed (a crash, Redis down) is made up by the next one, and a shipment found twice (two worker processes,
a job not yet run) is harmless because `ExpirePick` expires a shipment only while it is PLANNED and overdue, and
`RemindPickup` and `ExpirePickup` decide again on the order (one reminder, one expiry, whatever the duplicates).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
import redis

from app.clock import Clock
from projections.queries import expired_pickups, overdue_picks, pickup_reminders_due

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


async def sweep_pickup_reminders(pool: asyncpg.Pool, send: Send, clock: Clock, *, limit: int = SWEEP_LIMIT) -> int:
    rows = await pickup_reminders_due(pool, clock(), limit=limit)
    for row in rows:
        send(jobs.remind_pickup.message(row["order_id"], row["shipment_id"]))
    return len(rows)


async def sweep_expired_pickups(pool: asyncpg.Pool, send: Send, clock: Clock, *, limit: int = SWEEP_LIMIT) -> int:
    rows = await expired_pickups(pool, clock(), limit=limit)
    for row in rows:
        send(jobs.expire_pickup.message(row["order_id"], row["shipment_id"]))
    return len(rows)


SWEEPS = (
    ("pick SLA sweep: %d overdue shipment(s) sent to expire", sweep_overdue_picks),
    ("pickup sweep: %d customer(s) sent a reminder", sweep_pickup_reminders),
    ("pickup sweep: %d uncollected hold(s) sent to expire", sweep_expired_pickups),
)


async def keep_sweeping(
    pool: asyncpg.Pool, send: Send, clock: Clock, stop: asyncio.Event, *, every: float = SWEEP_EVERY
) -> None:
    """Sweeps every `every` seconds until `stop` is set; a failure is logged and the next sweep tries again."""
    while not stop.is_set():
        for said, sweep in SWEEPS:
            try:
                sent = await sweep(pool, send, clock)
                if sent:
                    log.info(said, sent)
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, redis.RedisError) as exc:
                log.warning("%s failed, trying again in %.0fs: %s", sweep.__name__, every, exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
