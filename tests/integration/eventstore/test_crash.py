from __future__ import annotations

import asyncio
import signal
import sys

from eventstore import NO_STREAM, EventStore

from .helpers import events, stream


async def test_a_subscriber_killed_mid_run_resumes_with_no_loss_and_no_duplicate_effect(
    store: EventStore, database_url: str
) -> None:
    await store.pool.execute("CREATE TABLE effects (event_id UUID PRIMARY KEY, applied INT NOT NULL)")
    for _ in range(30):
        await store.append(stream(), events(10), NO_STREAM)

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.integration.eventstore.crashing_follower", database_url
        )

    for _ in range(2):  # kill it twice, at different points
        process = await start()
        target = await store.pool.fetchval("SELECT count(*) FROM effects") + 40
        while await store.pool.fetchval("SELECT count(*) FROM effects") < target:
            await asyncio.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        assert await process.wait() == -signal.SIGKILL

    assert await store.pool.fetchval("SELECT count(*) FROM effects") < 300
    process = await start()
    assert await process.wait() == 0
    assert await store.pool.fetchval("SELECT count(*) FROM effects") == 300
    assert await store.pool.fetchval("SELECT max(applied) FROM effects") == 1
