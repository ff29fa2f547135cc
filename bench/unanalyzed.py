"""Appends with ANY on a large `events` table that was never analyzed: `python bench/unanalyzed.py [--events N]`.

The case of issue 19 (a): autovacuum off (as on a fresh restore or a bulk import until the first analyze), the
store's connections first used while the log was small, then the log grown to N events in bulk. Prints one JSON
line: appends/s (one event each, expected version ANY) from one connection, and the rows its statements read
by sequential scan of `events` (pg_stat_xact_user_tables, one transaction around the timed appends).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import asyncio
import json
import time

import asyncpg

from bench._common import Databases, server_dsn
from eventstore import ANY, EventStore, NewEvent

BULK = """
INSERT INTO events (stream_id, stream_version, event_id, event_type, data, metadata, recorded_at, hash)
SELECT 'bulk-' || (g / 10), g % 10 + 1, gen_random_uuid(), 'Bulk', '{}', '{}', now(), '\\x00'
FROM generate_series(10, $1 + 9) AS g
"""


async def main(events: int, appends: int) -> None:
    async with Databases(server_dsn()) as dbs:
        dsn = await dbs.create("unanalyzed")
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("ALTER TABLE events SET (autovacuum_enabled = false)")
            store = EventStore(conn)  # type: ignore[arg-type]  # one connection: its plans are the ones measured
            for n in range(12):  # the log is small: the session's plans are made now
                await store.append(f"warm-{n % 3}", [NewEvent(event_type="Warm", data="{}") for _ in range(3)], ANY)
            await conn.execute(BULK, events)  # then it grows in bulk, and nothing analyzes it
            async with conn.transaction():
                start = time.perf_counter()
                for n in range(appends):
                    await store.append(f"timed-{n}", [NewEvent(event_type="Timed", data="{}")], ANY, conn=conn)
                elapsed = time.perf_counter() - start
                scanned = await conn.fetchval(
                    "SELECT seq_tup_read FROM pg_stat_xact_user_tables WHERE relid = 'events'::regclass"
                )
        finally:
            await conn.close()
    line = {"bench": "unanalyzed", "events": events, "appends": appends, "appends_per_s": round(appends / elapsed, 1)}
    print(json.dumps({**line, "seq_rows_read": scanned}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--appends", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.appends))
