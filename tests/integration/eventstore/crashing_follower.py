"""Run as a separate process by the crash test: applies effects batch by batch, slowly, until killed."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from eventstore import Connection, Consumer, EventStore, LogFollower, Position, RecordedEvent, create_pool


async def apply_effects(conn: Connection, batch: Sequence[RecordedEvent]) -> None:
    await conn.executemany(
        "INSERT INTO effects (event_id, applied) VALUES ($1, 1)"
        " ON CONFLICT (event_id) DO UPDATE SET applied = effects.applied + 1",
        [(e.event_id,) for e in batch],
    )
    await conn.execute("SELECT pg_sleep(0.03)")  # widen the window in which a kill lands mid-batch


async def main(dsn: str) -> None:
    pool = await create_pool(dsn, min_size=1, max_size=2)
    last = await pool.fetchrow(
        "SELECT transaction_id, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1"
    )
    assert last is not None
    # Waiting for the last event rather than one catch-up: a transaction in flight anywhere on the server may
    # hold the log back a while, and a catch-up would stop there.
    follower = LogFollower(EventStore(pool), [Consumer("effects", apply_effects)], batch_size=10)
    assert await follower.wait_for(Position(last[0], last[1]), 600)
    await pool.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
