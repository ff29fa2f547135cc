"""Background appends at a steady rate, for the wake-up latency bench: `python -m bench._load DSN RATE`.

It stands for other application processes: its own pool, its own Notifier on the append hook. It prints
`ready` once connected, appends one event at a time from WRITERS streams (open-loop pacing: a writer that falls
behind catches up without sleeping) until its stdin closes, then prints the rate it achieved as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid

from bench._common import new_events
from eventstore import EventStore, Notifier, create_pool

WRITERS = 8


async def main(dsn: str, target: float) -> None:
    pool = await create_pool(dsn, min_size=WRITERS, max_size=WRITERS)
    notifier = Notifier(dsn)
    store = EventStore(pool, on_append=notifier.poke)
    stop = asyncio.Event()
    interval = WRITERS / target

    async def writer() -> int:
        stream_id, version = f"load-{uuid.uuid4().hex[:12]}", 0
        next_at = time.perf_counter()
        while not stop.is_set():
            await store.append(stream_id, new_events(1), version)
            version += 1
            next_at += interval
            if (delay := next_at - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
        return version

    print("ready", flush=True)
    start = time.perf_counter()
    writers = [asyncio.create_task(writer()) for _ in range(WRITERS)]
    await asyncio.to_thread(sys.stdin.read)
    stop.set()
    written = sum(await asyncio.gather(*writers))
    print(json.dumps({"appends_per_s": written / (time.perf_counter() - start)}), flush=True)
    await notifier.close()
    await pool.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2])))
