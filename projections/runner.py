"""Feeds the projections from the log, and tells any process when the read models have caught up.

    pool = await create_readmodel_pool(dsn)
    runner = ProjectionRunner(pool, listener=listener)
    await runner.run(stop)                       # follows the log until `stop` is set
    await wait_for(pool, result.position, 2.0)   # from any process: have all projections seen this write?
    watch = ProjectionWatch(pool, Listener(dsn, PROJECTED))   # the same, for many waiters of one process

The runner is the store's `LogFollower` with every projection as a consumer: one read of the log and one
transaction per batch, each projection's checkpoint moving with its rows. Live batches NOTIFY `PROJECTED` as
they commit, so read-your-writes waits for a wake-up, not a poll loop.

Scaled out, the log's streams are split into partitions (a stream's events all go to one) and any number of
runners compete for them (`claim=True`): each feeds the partitions it claims, with a checkpoint per projection
and partition. Every projection's rows are keyed by the one stream that writes them, so partitions may run
at different speeds without a row ever mixing two positions (docs/architecture.md, "The partition rule").

    runner = ProjectionRunner(pool, listener=listener, partitions=6, claim=True)   # one of N processes
    watch = ProjectionWatch(pool, listener, names=checkpoint_names(partitions=6))
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from eventstore import (
    CheckpointWatch,
    Connection,
    Consumer,
    EventStore,
    Listener,
    LogFollower,
    PartitionClaims,
    Position,
)

from .base import Projection
from .names import PROJECTED, all_projections, checkpoint_name, checkpoint_names, former_layouts, partitions_of
from .sql import query

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

    With `partitions` > 1 each projection has a checkpoint per partition of the log's streams, and its consumer
    of partition i handles only the events of streams in it. `claim` makes the runner one of any number of
    competing processes: it feeds only the partitions it claims (`PartitionClaims`: a fair share, and those of a
    process that died); without it, it feeds them all (a replay, a test catching up).
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
        partitions: int = 1,
        claim: bool = False,
        hold_batches: int | None = None,
    ) -> None:
        """`hold_batches` is for a test only: an advisory lock key that each batch handling events waits for
        inside its transaction, after its rows and checkpoints, before committing (holding it makes "mid-batch"
        something a test sees in pg_locks, not a moment it guesses)."""
        self.projections = list(projections) if projections is not None else all_projections()
        self.partitions = partitions_of(partitions)
        self.by_partition = {
            index: [
                Consumer(checkpoint_name(p, rebuild=rebuild, partition=share), p.apply, p.categories, share)
                for p in self.projections
            ]
            for index, share in enumerate(self.partitions)
        }
        self.rebuild = rebuild
        self.hold_batches = hold_batches
        self.handled_per_batch = batch_size
        self.adopted = False
        super().__init__(
            EventStore(pool),
            [c for cs in self.by_partition.values() for c in cs],
            categories=sorted({c for p in self.projections for c in p.categories}),
            batch_size=batch_size,
            poll_interval=poll_interval,
            listener=listener,
            notify=None if rebuild else PROJECTED,
        )
        if claim and partitions > 1:
            self.compete(PartitionClaims(pool, "projections", partitions), self.by_partition)

    async def run_once(self) -> int:
        if not self.adopted:
            # Checkpoints of a former partition count move over to this one before anything is read (a partition
            # starts where the slowest former one stood). Here, not at start: a database hiccup is retried.
            for projection in self.projections:
                names = [checkpoint_name(projection, rebuild=self.rebuild, partition=s) for s in self.partitions]
                await self.store.adopt_checkpoints(names, former_layouts(projection, rebuild=self.rebuild))
            self.adopted = True
        return await super().run_once()

    def feed_claimed(self, held: set[int]) -> None:
        super().feed_claimed(held)
        # A window holds about `len(held) / count` of events for this process: read more per batch, so a batch
        # still handles about `batch_size` of them and its fixed cost (locks, checkpoints, commit) is shared.
        self.batch_size = self.handled_per_batch * len(self.partitions) // max(1, len(held))

    async def _before_commit(self, conn: Connection) -> None:
        if self.hold_batches is not None:
            await conn.execute(query("hold_batch"), self.hold_batches)


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
