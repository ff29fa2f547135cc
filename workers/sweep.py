"""The deadline sweeps: every so often, ask the read model what is overdue and send one job per item.

- every 30 s (SLAs and holds are minutes and days): an `expire_pick` job for each PLANNED shipment past its
  location's SLA, a `remind_pickup` job for each pickup half-way through its hold, an `expire_pickup` job for each
  hold that ran out;
- every second: an `expire_cart` job for each held cart past its TTL (a hold must not outlive its TTL by more
  than a few seconds: the lag is this period plus the projection's and the job's).

No state of their own, so nothing a crash could leave half done: each sweep asks the read model afresh, a sweep
missed (a crash, Redis down) is made up by the next one, and an item found twice (two worker processes, a job
not yet run) is harmless because the command decides again on the truth: `ExpirePick` expires a shipment only
while it is PLANNED and overdue, `RemindPickup` and `ExpirePickup` issue one reminder and one expiry whatever the
duplicates, `ExpireCart` expires a cart only while it is held and overdue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg
import dramatiq
import redis

from app.clock import Clock
from projections.queries import expired_carts, expired_pickups, overdue_picks, pickup_reminders_due

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


async def sweep_expired_carts(pool: asyncpg.Pool, send: Send, clock: Clock, *, limit: int = SWEEP_LIMIT) -> int:
    """One sweep; returns how many jobs it sent."""
    cart_ids = await expired_carts(pool, clock(), limit=limit)
    for cart_id in cart_ids:
        send(jobs.expire_cart.message(cart_id))
    return len(cart_ids)


SWEEPS = (
    ("pick SLA sweep: %d overdue shipment(s) sent to expire", sweep_overdue_picks),
    ("pickup sweep: %d customer(s) sent a reminder", sweep_pickup_reminders),
    ("pickup sweep: %d uncollected hold(s) sent to expire", sweep_expired_pickups),
)
CART_SWEEPS = (("cart expiry sweep: %d expired cart(s) sent to expire", sweep_expired_carts),)


# What a sweep rides out: the read model or the broker unreachable for a while.
SWEEP_FAILURES = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, redis.RedisError, dramatiq.errors.BrokerError)
Sweep = Callable[[asyncpg.Pool, Send, Clock], Awaitable[int]]


async def keep_sweeping(
    pool: asyncpg.Pool, send: Send, clock: Clock, stop: asyncio.Event, *, every: float = SWEEP_EVERY
) -> None:
    """The picks' and pickups' sweeps every `every` seconds until `stop` is set."""
    await _every(SWEEPS, pool, send, clock, stop, every)


async def keep_expiring_carts(
    pool: asyncpg.Pool, send: Send, clock: Clock, stop: asyncio.Event, *, every: float = CART_SWEEP_EVERY
) -> None:
    """The carts' sweep every `every` seconds until `stop` is set."""
    await _every(CART_SWEEPS, pool, send, clock, stop, every)


async def _every(
    sweeps: tuple[tuple[str, Sweep], ...],
    pool: asyncpg.Pool,
    send: Send,
    clock: Clock,
    stop: asyncio.Event,
    every: float,
) -> None:
    """Runs each sweep every `every` seconds until `stop` is set; a failure is logged and the next round tries
    again."""
    while not stop.is_set():
        for said, sweep in sweeps:
            try:
                sent = await sweep(pool, send, clock)
                if sent:
                    log.info(said, sent)
            except (
                asyncpg.PostgresError,
                asyncpg.InterfaceError,
                OSError,
                redis.RedisError,
                dramatiq.errors.BrokerError,
            ) as exc:
                log.warning("%s failed, trying again in %.0fs: %s", sweep.__name__, every, exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
