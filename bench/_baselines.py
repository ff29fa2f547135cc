"""What the event store is measured against: raw single-row INSERTs, and the eventsourcing library."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from urllib.parse import urlsplit

import asyncpg

from bench._common import Step, new_events

RAW_INSERT = (
    "INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,"
    " recorded_at, hash) VALUES ($1, $2, $3, $4, $5, $6::JSON, $7::JSON, now(), $8)"
)
RAW_BATCH_INSERT = (
    "INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,"
    " recorded_at, hash) SELECT $1, $2 + n, id, t, v, d::JSON, m::JSON, now(), $8"
    " FROM unnest($3::UUID[], $4::TEXT[], $5::INT[], $6::TEXT[], $7::TEXT[]) WITH ORDINALITY AS x (id, t, v, d, m, n)"
)
_HASH = hashlib.sha256(b"raw").digest()


def raw_writers(pool: asyncpg.Pool, count: int, batch: int = 1) -> list[Step]:
    """Writers that each INSERT `batch` rows per step (one statement, autocommit) into their own stream: what
    a table with the events table's columns and indexes takes with no version check and no hash chain."""

    def writer() -> Step:
        stream_id, version = f"raw-{uuid.uuid4().hex[:12]}", 0

        async def step() -> int:
            nonlocal version
            events = new_events(batch)  # the very events the store's writers append
            if batch == 1:
                [e] = events
                version += 1
                args = (e.event_id, e.event_type, e.schema_version, e.data, e.metadata, _HASH)
                await pool.execute(RAW_INSERT, stream_id, version, *args)
                return 1
            await pool.execute(
                RAW_BATCH_INSERT, stream_id, version,
                [e.event_id for e in events], [e.event_type for e in events], [e.schema_version for e in events],
                [e.data for e in events], [e.metadata for e in events], _HASH,
            )  # fmt: skip
            version += batch
            return batch

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
        [sample] = new_events(1)  # the event the store's single-event writers append
        state = sample.data.encode()

        def writer(i: int) -> None:
            aggregate_id = uuid.uuid4()
            while time.perf_counter() < deadline:
                event = self._stored_event(aggregate_id, counts[i] + 1, f"bench:{sample.event_type}", state)
                self.recorder.insert_events([event])
                counts[i] += 1

        start = time.perf_counter()
        pool = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        return sum(counts) / (time.perf_counter() - start)
