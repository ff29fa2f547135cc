"""One read of the log for every projection: how a rebuild catches up from position 0.

Run one subscription per projection and each reads (and asyncpg parses) the whole log, most of it rows the
projection then skips. A `SharedCatchUp` reads each window once and hands every projection its share, in one
transaction that also moves every projection's own checkpoint: the same exactly-once effect as four
subscriptions, with a quarter of the reading. While PostgreSQL writes one batch, the next window is already
being read on a second connection (the two cores work at once).

    catch_up = SharedCatchUp(pool, all_projections(), rebuild=True, batch_size=10_000)
    scanned = await catch_up.run(on_batch=lambda n: print(n))

The live runner keeps one subscription per projection with small batches: there, latency matters, and a
projection that waits for the others would add theirs to its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from zlib import crc32

import asyncpg

from eventstore import START, Connection, EventStore, Page, Position, RecordedEvent

from .base import Projection
from .runner import checkpoint_name
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
        # The keys eventstore.Subscription takes per batch, in one order for every taker (no deadlock).
        self._lock_keys = sorted(crc32(name.encode()) for name in self.names)

    async def run(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Catches every projection up with the log as it stands; returns events scanned.

        Stops early (returning what it did) if another process holds one of the projections' locks: that
        process is feeding them, and the caller's own catch-up can finish the tail.
        """
        total = 0
        after = min((await self._checkpoints(self.store.pool)).values(), default=START)
        reading = asyncio.create_task(self._read(after))
        try:
            while True:
                page = await reading
                if page.end is None:
                    return total
                # Read ahead while this window is folded and written: reads never skip (xmin guard), and
                # each projection applies only what lies past its checkpoint, checked under its lock.
                reading = asyncio.create_task(self._read(page.end))
                if not await self._apply(page):
                    return total
                total += page.scanned
                if on_batch is not None:
                    on_batch(total)
        finally:
            reading.cancel()

    async def _read(self, after: Position) -> Page:
        return await self.store.read_all(after=after, limit=self.batch_size, categories=self.categories)

    async def _checkpoints(self, conn: Connection | asyncpg.Pool) -> dict[str, Position]:
        rows = await conn.fetch(query("read_checkpoints"), self.names)
        found = {r["name"]: Position(r["transaction_id"], r["global_position"]) for r in rows}
        return {name: found.get(name, START) for name in self.names}

    async def _apply(self, page: Page) -> bool:
        assert page.end is not None
        by_category: dict[str, list[RecordedEvent]] = {}
        for event in page.events:
            by_category.setdefault(event.stream_id.partition("-")[0], []).append(event)
        async with self.store.pool.acquire() as conn, conn.transaction():
            for key in self._lock_keys:
                if not await conn.fetchval(query("try_advisory_xact_lock"), key):
                    return False
            at = await self._checkpoints(conn)
            for projection, name in zip(self.projections, self.names, strict=True):
                done = at[name]
                if done >= page.end:
                    continue
                events = [e for c in projection.categories for e in by_category.get(c, ())]
                if len(projection.categories) > 1:
                    events.sort(key=lambda e: (e.transaction_id, e.global_position))
                wanted = [e for e in events if e.position > done] if done > START else events
                if wanted:
                    await projection.apply(conn, wanted)
                await self.store.save_checkpoint(conn, name, page.end)
        return True
