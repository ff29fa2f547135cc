"""Appends with ANY on a large `events` table never analyzed: `python bench/unanalyzed.py [--quick] [--events N]`.

The case of issue 19 (a): autovacuum off (as on a fresh restore or a bulk import until the first analyze), the
store's connections first used while the log was small, then the log grown to N events in bulk. Prints one JSON
figure: appends/s (one event each, expected version ANY) from one connection, in one transaction per run (so
no commit's flush is timed), with the rows its statements read by sequential scan of `events` in all runs.
Measured on this 2-core machine, 200,000 events, median of 3 runs of 200: 38 appends/s before the append function
forbade sequential scans (120 million rows read by sequential scan), 1,701 after (none).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import asyncio
import time

import asyncpg

from bench._common import Databases, emit, server_dsn
from eventstore import ANY, EventStore, NewEvent

BULK = """
INSERT INTO events (stream_id, stream_version, event_id, event_type, data, metadata, recorded_at, hash)
SELECT 'bulk-' || (g / 10), g % 10 + 1, gen_random_uuid(), 'Bulk', '{}', '{}', now(), '\\x00'
FROM generate_series(10, $1 + 9) AS g
"""


async def main(events: int, appends: int, rounds: int) -> None:
    async with Databases(server_dsn()) as dbs:
        dsn = await dbs.create("unanalyzed")
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("ALTER TABLE events SET (autovacuum_enabled = false)")
            store = EventStore(conn)  # type: ignore[arg-type]  # one connection: its plans are the ones measured
            for n in range(12):  # the log is small: the session's plans are made now
                await store.append(f"warm-{n % 3}", [NewEvent(event_type="Warm", data="{}") for _ in range(3)], ANY)
            await conn.execute(BULK, events)  # then it grows in bulk, and nothing analyzes it
            runs, scanned = [], 0
            for r in range(rounds):
                async with conn.transaction():
                    start = time.perf_counter()
                    for n in range(appends):
                        new = [NewEvent(event_type="Timed", data="{}")]
                        await store.append(f"timed-{r}-{n}", new, ANY, conn=conn)
                    runs.append(appends / (time.perf_counter() - start))
                    scanned += await conn.fetchval(
                        "SELECT seq_tup_read FROM pg_stat_xact_user_tables WHERE relid = 'events'::regclass"
                    )
        finally:
            await conn.close()
    emit("unanalyzed", "append_any_per_s", runs, "appends/s", events=events, appends=appends, seq_rows_read=scanned)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="20,000 events, 20 appends a run: checks the bench")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--appends", type=int, default=200)
    args = parser.parse_args()
    if args.quick:
        args.events, args.appends = 20_000, 20
    asyncio.run(main(args.events, args.appends, 3))
