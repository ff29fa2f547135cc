"""Feeds the projections from the log, and tells any process when the read models have caught up.

    pool = await create_readmodel_pool(dsn)
    runner = ProjectionRunner(pool, listener=listener)
    await runner.run(stop)                       # follows the log until `stop` is set
    await wait_for(pool, result.position, 2.0)   # from any process: have all projections seen this write?
    watch = ProjectionWatch(pool, Listener(dsn, PROJECTED))   # the same, for many waiters of one process

The runner is the store's `LogFollower` with every projection as a consumer: one read of the log and one
transaction per batch, each projection's checkpoint moving with its rows. Live batches NOTIFY `PROJECTED` as
they commit, so read-your-writes waits for a wake-up, not a poll loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from eventstore import CheckpointWatch, Consumer, EventStore, Listener, LogFollower, Position

from .base import Projection
from .names import PROJECTED, all_projections, checkpoint_name, checkpoint_names

__all__ = [
    "PROJECTED",
    "ProjectionRunner",
    "ProjectionWatch",
    "all_projections",
    "checkpoint_name",
    "checkpoint_names",
    "log_head",
    "positions",
    "wait_for",
]


class ProjectionRunner(LogFollower):
    """Runs the projections over a pool whose search_path points at their schema (create_readmodel_pool).

    `catch_up(read_ahead=True)` is a rebuild's bulk; `wait_for(position, timeout)` catches up to a position
    when nobody runs the runner (events a transaction in flight holds back show up as it ends).
    """

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
        self.projections = list(projections) if projections is not None else all_projections()
        super().__init__(
            EventStore(pool),
            [Consumer(checkpoint_name(p, rebuild=rebuild), p.apply, p.categories) for p in self.projections],
            categories=sorted({c for p in self.projections for c in p.categories}),
            batch_size=batch_size,
            poll_interval=poll_interval,
            listener=listener,
            notify=None if rebuild else PROJECTED,
        )


class ProjectionWatch(CheckpointWatch):
    """Read-your-writes for every request of one process, without a query per request: woken by the live
    projections' NOTIFY `PROJECTED`, it reads where they stand (one query for the whole process) and releases
    every waiter whose write they now include. Without a listener it polls (another process, a test)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        listener: Listener | None,
        *,
        names: Sequence[str] | None = None,
        fallback_interval: float = 0.05,
    ) -> None:
        names = list(names) if names is not None else checkpoint_names()
        super().__init__(EventStore(pool), names, listener=listener, poll_interval=fallback_interval)

    async def start(self) -> None:
        if self.listener is not None:
            await self.listener.start()

    async def close(self) -> None:
        if self.listener is not None:
            await self.listener.close()


async def wait_for(
    pool: asyncpg.Pool,
    position: Position,
    timeout: float,
    *,
    names: Sequence[str] | None = None,
    max_interval: float = 0.05,
) -> bool:
    """Waits until every projection has processed `position` (as a command returned it); False on timeout.

    Works across processes: it reads the checkpoints, which commit with the projections' rows, looking again
    soon and backing off to `max_interval`. For many waiters in one process, `ProjectionWatch` with a listener.
    """
    return await ProjectionWatch(pool, None, names=names, fallback_interval=max_interval).wait_for(position, timeout)


async def log_head(pool: asyncpg.Pool) -> Position | None:
    """The position of the last event in the log (in the readers' order); None for an empty log."""
    return await EventStore(pool).head()


async def positions(pool: asyncpg.Pool, names: Sequence[str]) -> dict[str, Position]:
    """Where each named projection stands (START for one that never ran)."""
    return await EventStore(pool).read_checkpoints(names)
