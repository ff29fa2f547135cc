"""Deadline sweeps: every so often, ask the read model what is overdue and send one job per item.

- picks: an `expire_pick` job for each PLANNED shipment past its location's SLA, every 30 s (SLAs are minutes);
- carts: an `expire_cart` job for each held cart past its TTL, every second (a hold must not outlive its TTL
  by more than a few seconds: the lag is this period plus the projection's and the job's).

No state of their own, so nothing a crash could leave half done: each sweep asks the read model afresh, a sweep
missed (a crash, Redis down) is made up by the next one, and an item found twice (two worker processes, a job
not yet run) is harmless because the command decides again on the truth: `ExpirePick` expires a shipment only
while it is PLANNED and overdue, `ExpireCart` a cart only while it is held and overdue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg
import redis

from app.clock import Clock
from projections.queries import expired_carts, overdue_picks

from . import jobs
from .dispatcher import Send

log = logging.getLogger(__name__)

SWEEP_EVERY = 30.0  # seconds; SLAs are counted in minutes
CART_SWEEP_EVERY = 1.0  # seconds; a cart's hold ends within a few seconds of its TTL
SWEEP_LIMIT = 500  # jobs per sweep, oldest first; the rest wait for the next sweep


async def sweep_overdue_picks(pool: asyncpg.Pool, send: Send, clock: Clock, *, limit: int = SWEEP_LIMIT) -> int:
    """One sweep; returns how many jobs it sent."""
    rows = await overdue_picks(pool, clock(), limit=limit)
    for row in rows:
        send(jobs.expire_pick.message(row["order_id"], row["shipment_id"]))
    return len(rows)


async def sweep_expired_carts(pool: asyncpg.Pool, send: Send, clock: Clock, *, limit: int = SWEEP_LIMIT) -> int:
    """One sweep; returns how many jobs it sent."""
    cart_ids = await expired_carts(pool, clock(), limit=limit)
    for cart_id in cart_ids:
        send(jobs.expire_cart.message(cart_id))
    return len(cart_ids)


async def keep_sweeping(
    pool: asyncpg.Pool, send: Send, clock: Clock, stop: asyncio.Event, *, every: float = SWEEP_EVERY
) -> None:
    """Sweeps overdue picks every `every` seconds until `stop` is set."""
    await _every(lambda: sweep_overdue_picks(pool, send, clock), every, stop, "pick SLA sweep", "overdue shipment")


async def keep_expiring_carts(
    pool: asyncpg.Pool, send: Send, clock: Clock, stop: asyncio.Event, *, every: float = CART_SWEEP_EVERY
) -> None:
    """Sweeps held carts past their TTL every `every` seconds until `stop` is set."""
    await _every(lambda: sweep_expired_carts(pool, send, clock), every, stop, "cart expiry sweep", "expired cart")


async def _every(sweep: Callable[[], Awaitable[int]], every: float, stop: asyncio.Event, name: str, what: str) -> None:
    """Runs `sweep` every `every` seconds until `stop` is set; a failure is logged and the next sweep tries again."""
    while not stop.is_set():
        try:
            sent = await sweep()
            if sent:
                log.info("%s: %d %s(s) sent to expire", name, sent, what)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, redis.RedisError) as exc:
            log.warning("%s failed, trying again in %.0fs: %s", name, every, exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
