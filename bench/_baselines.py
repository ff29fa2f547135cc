"""What the event store is measured against: raw single-row INSERTs, and the eventsourcing library."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from urllib.parse import urlsplit

import asyncpg

from bench._common import PAYLOAD, Step

RAW_INSERT = (
    "INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,"
    " recorded_at, hash) VALUES ($1, $2, $3, $4, 1, $5::JSONB, '{}'::JSONB, now(), $6)"
)
_HASH = hashlib.sha256(b"raw").digest()


def raw_writers(pool: asyncpg.Pool, count: int) -> list[Step]:
    """Writers that each INSERT one row per step, autocommit, into their own stream."""

    def writer() -> Step:
        stream_id, version = f"raw-{uuid.uuid4().hex[:12]}", 0

        async def step() -> int:
            nonlocal version
            version += 1
            await pool.execute(RAW_INSERT, stream_id, version, uuid.uuid4(), "ItemReserved", PAYLOAD, _HASH)
            return 1

        return step

    return [writer() for _ in range(count)]


class EventsourcingWriters:
    """The eventsourcing library's PostgreSQL application recorder, written to from one thread per aggregate."""

    def __init__(self, dsn: str, threads: int) -> None:
        from eventsourcing.persistence import StoredEvent
        from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

        parts = urlsplit(dsn)
        self._stored_event = StoredEvent
        self.datastore = PostgresDatastore(
            parts.path.lstrip("/"),
            parts.hostname or "127.0.0.1",
            parts.port or 5432,
            parts.username or "postgres",
            parts.password or "",
            pool_size=threads,
        )
        self.recorder = PostgresApplicationRecorder(self.datastore)
        self.recorder.create_table()

    def rate(self, threads: int, seconds: float) -> float:
        deadline = time.perf_counter() + seconds
        counts = [0] * threads
        state = PAYLOAD.encode()

        def writer(i: int) -> None:
            aggregate_id = uuid.uuid4()
            while time.perf_counter() < deadline:
                event = self._stored_event(aggregate_id, counts[i] + 1, "bench:ItemReserved", state)
                self.recorder.insert_events([event])
                counts[i] += 1

        start = time.perf_counter()
        pool = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        return sum(counts) / (time.perf_counter() - start)
