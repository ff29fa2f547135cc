"""Run as a separate process by the crash test: applies effects batch by batch, slowly, until killed."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from eventstore import Connection, Consumer, EventStore, LogFollower, RecordedEvent, create_pool


async def apply_effects(conn: Connection, batch: Sequence[RecordedEvent]) -> None:
    await conn.executemany(
        "INSERT INTO effects (event_id, applied) VALUES ($1, 1)"
        " ON CONFLICT (event_id) DO UPDATE SET applied = effects.applied + 1",
        [(e.event_id,) for e in batch],
    )
    await conn.execute("SELECT pg_sleep(0.03)")  # widen the window in which a kill lands mid-batch


async def main(dsn: str) -> None:
    pool = await create_pool(dsn, min_size=1, max_size=2)
    await LogFollower(EventStore(pool), [Consumer("effects", apply_effects)], batch_size=10).catch_up()
    await pool.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
