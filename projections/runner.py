"""Feeds every projection from the log: one catch-up subscription each, with its own checkpoint.

    pool = await create_readmodel_pool(dsn)
    runner = ProjectionRunner(pool, listener=listener)
    await runner.run(stop)                       # follows the log until `stop` is set
    await wait_for(pool, result.position, 2.0)   # from any process: have all projections seen this write?

Checkpoints are named `projection:<name>` (`projection:<name>@rebuild` for a replay's copy) and move in the
same transaction as the projection's rows, so `wait_for` can read them from any process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import asyncpg

from app.domain.registry import ALL_EVENTS
from eventstore import EventCodec, EventStore, Listener, Position, Subscription

from .base import Projection
from .inventory import LocationsProjection, StockProjection
from .orders import OrdersProjection
from .returns import ReturnsProjection
from .sql import query

REBUILD_SUFFIX = "@rebuild"


def all_projections(codec: EventCodec | None = None) -> list[Projection]:
    codec = codec or EventCodec(ALL_EVENTS)
    return [LocationsProjection(codec), StockProjection(codec), OrdersProjection(codec), ReturnsProjection(codec)]


def checkpoint_name(projection: Projection | str, *, rebuild: bool = False) -> str:
    name = projection if isinstance(projection, str) else projection.name
    return f"projection:{name}{REBUILD_SUFFIX if rebuild else ''}"


def checkpoint_names(*, rebuild: bool = False) -> list[str]:
    return [checkpoint_name(p, rebuild=rebuild) for p in all_projections()]


class ProjectionRunner:
    """Runs the projections over a pool whose search_path points at their schema (create_readmodel_pool)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        projections: Sequence[Projection] | None = None,
        listener: Listener | None = None,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        rebuild: bool = False,
    ) -> None:
        self.pool = pool
        self.store = EventStore(pool)
        self.projections = list(projections) if projections is not None else all_projections()
        self.subscriptions = [
            Subscription(
                self.store,
                checkpoint_name(p, rebuild=rebuild),
                p.apply,
                categories=p.categories,
                batch_size=batch_size,
                poll_interval=poll_interval,
                listener=listener,
            )
            for p in self.projections
        ]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.subscriptions]

    async def catch_up(self) -> int:
        """Runs every projection to the end of the log as it stands; returns events scanned (all projections).

        The projections run side by side, each on its own connection: the database works for all of them
        while Python folds one batch at a time.
        """
        totals = await asyncio.gather(*(s.catch_up() for s in self.subscriptions))
        return sum(totals)

    async def catch_up_to(self, position: Position, timeout: float = 30.0) -> bool:
        """Catches up until every projection has processed `position`; False on timeout.

        `catch_up` alone stops at the oldest transaction still open anywhere on the server (the readers'
        xmin guard), which may hide events that are already committed; this keeps going until they show.
        """
        deadline = time.monotonic() + timeout
        while True:
            await self.catch_up()
            if await wait_for(self.pool, position, 0, names=self.names):
                return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.01)

    async def run(self, stop: asyncio.Event) -> None:
        """Follows the log until `stop` is set. A projection bug stops the run (and is raised here)."""
        await asyncio.gather(*(s.run(stop) for s in self.subscriptions))

    async def wait_for(self, position: Position, timeout: float) -> bool:
        """True once every projection has processed `position`; False on timeout."""
        return await wait_for(self.pool, position, timeout, names=self.names)


async def log_head(pool: asyncpg.Pool) -> Position | None:
    """The position of the last event in the log (in the readers' order); None for an empty log."""
    row = await pool.fetchrow(query("log_head"))
    return None if row is None else Position(row[0], row[1])


async def positions(pool: asyncpg.Pool, names: Sequence[str]) -> dict[str, Position]:
    """Where each named projection stands (projections that never ran are absent)."""
    rows = await pool.fetch(query("read_checkpoints"), list(names))
    return {r["name"]: Position(r["transaction_id"], r["global_position"]) for r in rows}


async def wait_for(
    pool: asyncpg.Pool,
    position: Position,
    timeout: float,
    *,
    names: Sequence[str] | None = None,
    max_interval: float = 0.05,
) -> bool:
    """Waits until every projection has processed `position` (as a command returned it); False on timeout.

    Works across processes: it reads the checkpoints, which commit with the projections' rows. It polls,
    first every millisecond or two then backing off to `max_interval`: projections usually catch up within
    a few milliseconds, and a poll is one index lookup, cheaper than a NOTIFY per projection batch.
    """
    wanted = list(names) if names is not None else checkpoint_names()
    deadline = time.monotonic() + timeout
    interval = 0.001
    while True:
        reached = await pool.fetchval(
            query("count_checkpoints_reached"), wanted, position.transaction_id, position.global_position
        )
        if reached == len(wanted):
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        await asyncio.sleep(min(interval, remaining))
        interval = min(interval * 2, max_interval)
