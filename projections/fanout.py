"""One read of the log for every projection, in one transaction per batch: how read models are fed.

A `SharedCatchUp` reads each window of the log once and hands every projection its share, in one
transaction that also moves every projection's own checkpoint (a projection applies only what lies past its
checkpoint, read under its lock): exactly-once effect, with one read of the log and one commit per batch
instead of one per projection.

    group = SharedCatchUp(pool, all_projections(), rebuild=True, batch_size=10_000)
    scanned = await group.run(on_batch=lambda n: print(n))   # a rebuild: reads ahead while it writes
    scanned = await group.run_once()                         # the live runner: one batch after where it stands

Live batches NOTIFY `PROJECTED` as they commit, so read-your-writes waits for a wake-up, not a poll loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from zlib import crc32

import asyncpg

from eventstore import START, Connection, EventStore, Page, Position, RecordedEvent

from .base import Projection
from .names import PROJECTED, checkpoint_name
from .sql import query


class SharedCatchUp:
    def __init__(
        self,
        pool: asyncpg.Pool,
        projections: Sequence[Projection],
        *,
        rebuild: bool = False,
        batch_size: int = 10_000,
    ) -> None:
        self.store = EventStore(pool)
        self.projections = list(projections)
        self.names = [checkpoint_name(p, rebuild=rebuild) for p in self.projections]
        self.categories = sorted({c for p in self.projections for c in p.categories})
        self.batch_size = batch_size
        self.position: Position | None = None  # where every projection of the group stood after our last batch
        self.held_back = False  # the last look found committed events behind a transaction in flight
        self._channel = None if rebuild else PROJECTED
        # One lock per projection, as a projection may be fed by groups of different makeup at once.
        self._lock_keys = sorted(crc32(name.encode()) for name in self.names)

    async def run(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Catches every projection up with the log as it stands; returns events scanned.

        Stops early (returning what it did) if another process holds one of the projections' locks: that
        process is feeding them, and the caller's own catch-up can finish the tail.
        """
        total = 0
        after = await self.standing()
        reading = asyncio.create_task(self._read(after))
        try:
            while True:
                page = await reading
                if page.end is None:
                    return total
                # Read ahead while this window is folded and written: reads never skip (xmin guard), and
                # each projection applies only what lies past its checkpoint, checked under its lock.
                reading = asyncio.create_task(self._read(page.end))
                if not await self._apply(after, page):
                    return total
                after = page.end
                total += page.scanned
                if on_batch is not None:
                    on_batch(total)
        finally:
            reading.cancel()

    async def run_once(self) -> int:
        """One batch after where the group stands; returns events scanned (0: caught up, or another process is
        feeding these projections right now). Finding nothing new costs one query."""
        after = self.position if self.position is not None else await self.standing()
        page = await self._read(after)
        if page.end is None:
            self.position = after
            return 0
        return page.scanned if await self._apply(after, page) else 0

    async def standing(self) -> Position:
        """The oldest of the group's checkpoints: every projection has processed the log up to there."""
        return min((await self._checkpoints(self.store.pool)).values(), default=START)

    async def _read(self, after: Position) -> Page:
        page = await self.store.read_all(after=after, limit=self.batch_size, categories=self.categories)
        self.held_back = page.held_back
        return page

    async def _checkpoints(self, conn: Connection | asyncpg.Pool) -> dict[str, Position]:
        rows = await conn.fetch(query("read_checkpoints"), self.names)
        found = {r["name"]: Position(r["transaction_id"], r["global_position"]) for r in rows}
        return {name: found.get(name, START) for name in self.names}

    async def _apply(self, after: Position, page: Page) -> bool:
        """Applies the window (after, page.end] to every projection not yet past it, and moves them all to
        page.end. False if another process holds a lock, or a checkpoint lies before the window (moved back
        by someone: the next batch starts from there)."""
        assert page.end is not None
        by_category: dict[str, list[RecordedEvent]] = {}
        for event in page.events:
            by_category.setdefault(event.stream_id.partition("-")[0], []).append(event)
        async with self.store.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval(query("try_advisory_xact_locks"), self._lock_keys):
                return False
            at = await self._checkpoints(conn)
            if min(at.values(), default=START) < after:
                self.position = None
                return False
            behind = [name for name in self.names if at[name] < page.end]
            for projection, name in zip(self.projections, self.names, strict=True):
                if name not in behind:
                    continue
                done = at[name]
                events = [e for c in projection.categories for e in by_category.get(c, ())]
                if len(projection.categories) > 1:
                    events.sort(key=lambda e: (e.transaction_id, e.global_position))
                wanted = [e for e in events if e.position > done] if done > after else events
                if wanted:
                    await projection.apply(conn, wanted)
            end, channel = page.end, self._channel
            await conn.execute(query("save_checkpoints"), behind, end.transaction_id, end.global_position, channel)
        self.position = page.end
        return True
