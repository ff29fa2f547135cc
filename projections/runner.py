"""Feeds the projections from the log, and tells any process when the read models have caught up.

    pool = await create_readmodel_pool(dsn)
    runner = ProjectionRunner(pool, listener=listener)
    await runner.run(stop)                       # follows the log until `stop` is set
    await wait_for(pool, result.position, 2.0)   # from any process: have all projections seen this write?
    watch = ProjectionWatch(pool, Listener(dsn, PROJECTED))   # the same, for many waiters of one process

The runner feeds every projection as one group (fanout.SharedCatchUp): one read of the log and one
transaction per batch, each projection's checkpoint moving with its rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

import asyncpg

from eventstore import START, EventStore, Listener, Position, follow

from .base import Projection
from .fanout import SharedCatchUp
from .names import PROJECTED, all_projections, checkpoint_name, checkpoint_names
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
        self.group = SharedCatchUp(pool, self.projections, rebuild=rebuild, batch_size=batch_size)
        self.listener = listener
        self.batch_size = batch_size
        self.poll_interval = poll_interval

    @property
    def names(self) -> list[str]:
        return self.group.names

    async def catch_up(self) -> int:
        """Runs every projection to the end of the log as it stands; returns events scanned."""
        total = 0
        while (scanned := await self.group.run_once()) > 0:
            total += scanned
        return total

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
        await follow(
            self.group, "projections", stop, self.listener,
            batch_size=self.batch_size, poll_interval=self.poll_interval,
        )  # fmt: skip

    async def wait_for(self, position: Position, timeout: float) -> bool:
        """True once every projection has processed `position`; False on timeout."""
        return await wait_for(self.pool, position, timeout, names=self.names)


class ProjectionWatch:
    """Read-your-writes for every request of one process, without a query per request.

    The live projections NOTIFY `PROJECTED` as each batch commits; on each wake-up this reads where the read
    models stand (one query for the whole process) and releases every waiter whose write they now include.
    While anyone waits it also looks every `fallback_interval`, in case a wake-up was lost.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        listener: Listener,
        *,
        names: Sequence[str] | None = None,
        fallback_interval: float = 0.05,
    ) -> None:
        self.pool = pool
        self.listener = listener  # on channel PROJECTED
        self.names = list(names) if names is not None else checkpoint_names()
        self.fallback_interval = fallback_interval
        self.reached = START
        self._waiting: dict[asyncio.Future[None], Position] = {}
        self._someone_waits = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.listener.start()
        self._task = asyncio.create_task(self._follow())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.listener.close()

    async def wait_for(self, position: Position, timeout: float) -> bool:
        """True once every projection has processed `position`; False on timeout."""
        if self.reached >= position:
            return True
        reached = asyncio.get_running_loop().create_future()
        self._waiting[reached] = position
        self._someone_waits.set()
        try:
            await asyncio.wait_for(reached, timeout)
        except TimeoutError:
            return False
        finally:
            self._waiting.pop(reached, None)
        return True

    async def _follow(self) -> None:
        woken = self.listener.waiter()
        while True:
            if not self._waiting:
                self._someone_waits.clear()
                await self._someone_waits.wait()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), self.fallback_interval)
            woken.clear()
            try:
                self.reached = await self._standing()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                continue  # the database hiccuped: waiters time out or the next look succeeds
            for reached, position in self._waiting.items():
                if position <= self.reached and not reached.done():
                    reached.set_result(None)

    async def _standing(self) -> Position:
        rows = await self.pool.fetch(query("read_checkpoints"), self.names)
        if len(rows) < len(self.names):
            return START
        return min(Position(r["transaction_id"], r["global_position"]) for r in rows)


async def log_head(pool: asyncpg.Pool) -> Position | None:
    """The position of the last event in the log (in the readers' order); None for an empty log."""
    return await EventStore(pool).head()


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
    first every millisecond or two then backing off to `max_interval`; for many waiters in one process,
    `ProjectionWatch` does the same with one query per projection batch instead.
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
