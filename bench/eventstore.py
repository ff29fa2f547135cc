"""Event store benchmark: `python bench/eventstore.py [--quick] [--only SECTION ...]` prints one JSON line per figure.

Every figure is the median of RUNS runs taken in this one process, against databases it creates on the server
(DATABASE_URL, else 127.0.0.1:5432) and drops at the end. Comparisons are interleaved run by run, so both sides
see the same machine state, and each ratio is the median of the per-run ratios. Durability is the server's own
(synchronous_commit is never changed); the settings are quoted with every figure.

- single_event_append: one event per append, writers each on their own stream with exact expected versions,
  through EventStore.append (after a stream's first append, the fast path: eventstore/fast_path.py) vs raw
  asyncpg INSERTs (autocommit, one per event) into a copy of the `events` table, vs the eventsourcing library's
  PostgresApplicationRecorder.insert_events from as many threads.
- batch_append: 100 events per append, by 1 to 16 writers, vs the same rows as raw multi-row INSERTs (the
  ceiling this table and server allow).
- read_all_decode: read_all pages from the start of a seeded log, each event decoded to its msgspec Struct.
- wakeup_latency: from just before `append` is called to the subscriber's handler receiving the event, with a
  Listener/Notifier wake-up and a 30 s poll, at idle and while another process appends 2,000 events/s.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder heads sys.path and its name shadows the `eventstore` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from bench._baselines import EventsourcingWriters, raw_writers
from bench._common import (
    CODEC,
    Databases,
    Step,
    emit,
    new_events,
    percentile,
    rate,
    server_dsn,
    server_settings,
)
from eventstore import (
    START,
    Connection,
    Consumer,
    EventStore,
    Listener,
    LogFollower,
    Notifier,
    RecordedEvent,
    create_pool,
)

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Plan:
    runs: int
    seconds: float  # per run of each timed mode
    writer_counts: tuple[int, ...]  # for single-event appends
    batch_writer_counts: tuple[int, ...]
    log_events: int  # size of the log read_all decodes
    pages: tuple[int, ...]
    latency_samples: int
    load_rate: float


FULL = Plan(3, 3.0, (1, 16), (1, 4, 16), 200_000, (1_000, 10_000), 200, 2_000)
QUICK = Plan(3, 0.25, (1, 16), (1, 16), 20_000, (10_000,), 15, 2_000)


def store_writers(store: EventStore, count: int, batch: int) -> list[Step]:
    """Writers that each append `batch` events per step to a stream of their own, with exact versions."""

    def writer() -> Step:
        stream_id, version = f"bench-{uuid.uuid4().hex[:12]}", 0

        async def step() -> int:
            nonlocal version
            await store.append(stream_id, new_events(batch), version)
            version += batch
            return batch

        return step

    return [writer() for _ in range(count)]


async def raw_events_table(dbs: Databases, name: str, connections: int) -> asyncpg.Pool:
    """A pool on a new database with the event store's schema: the raw INSERT baselines write straight into its
    `events` table (the store's own columns, types and indexes), bypassing everything the store does."""
    return await create_pool(await dbs.create(name), min_size=connections, max_size=connections)


def ratios(ours: Sequence[float], theirs: Sequence[float]) -> list[float]:
    return [a / b for a, b in zip(ours, theirs, strict=True)]


async def single_event_appends(dbs: Databases, plan: Plan, env: dict[str, Any]) -> None:
    top = max(plan.writer_counts)
    store = EventStore(await create_pool(await dbs.create("single"), min_size=top, max_size=top))
    raw_pool = await raw_events_table(dbs, "raw", top)
    try:
        import eventsourcing  # noqa: F401
    except ImportError:  # the bench extra is not installed: compare with raw INSERTs only
        theirs: EventsourcingWriters | None = None
    else:
        theirs = await asyncio.to_thread(EventsourcingWriters, await dbs.create("eventsourcing", migrated=False), top)
    try:
        for writers in plan.writer_counts:
            ours, raw, lib = [], [], []
            for _ in range(plan.runs):
                ours.append(await rate(store_writers(store, writers, 1), plan.seconds))
                raw.append(await rate(raw_writers(raw_pool, writers), plan.seconds))
                if theirs is not None:
                    lib.append(await asyncio.to_thread(theirs.rate, writers, plan.seconds))
            ctx = {"writers": writers, "seconds": plan.seconds, **env}
            emit("single_event_append", "eventstore_rate", ours, "appends/s", **ctx)
            emit("single_event_append", "raw_insert_rate", raw, "inserts/s", **ctx)
            emit("single_event_append", "ratio_vs_raw_insert", ratios(ours, raw), "x", target=0.85, **ctx)
            if theirs is not None:
                emit("single_event_append", "eventsourcing_rate", lib, "appends/s", library="9.5", **ctx)
                emit("single_event_append", "ratio_vs_eventsourcing", ratios(ours, lib), "x", target=5.0, **ctx)
    finally:
        if theirs is not None:
            theirs.datastore.close()
        await raw_pool.close()
        await store.pool.close()


async def batch_appends(dbs: Databases, plan: Plan, env: dict[str, Any]) -> None:
    top = max(plan.batch_writer_counts)
    store = EventStore(await create_pool(await dbs.create("batch"), min_size=top, max_size=top))
    raw_pool = await raw_events_table(dbs, "raw_batch", top)
    try:
        best: tuple[float, int, list[float]] = (0.0, 0, [])
        for writers in plan.batch_writer_counts:
            ours, raw = [], []
            for _ in range(plan.runs):
                ours.append(await rate(store_writers(store, writers, 100), plan.seconds))
                raw.append(await rate(raw_writers(raw_pool, writers, 100), plan.seconds))
            ctx = {"writers": writers, "batch": 100, **env}
            value = emit("batch_append", "events_rate", ours, "events/s", **ctx)
            # The ceiling: the same rows as plain multi-row INSERTs into an identical table, in the same run.
            emit("batch_append", "raw_insert_events_rate", raw, "events/s", **ctx)
            emit("batch_append", "ratio_vs_raw_insert", ratios(ours, raw), "x", **ctx)
            best = max(best, (value, writers, ours))
        emit("batch_append", "best_events_rate", best[2], "events/s", writers=best[1], batch=100, target=50_000, **env)
    finally:
        await raw_pool.close()
        await store.pool.close()


async def read_all_decode(dbs: Databases, plan: Plan, env: dict[str, Any]) -> None:
    store = EventStore(await create_pool(await dbs.create("read"), min_size=4, max_size=4))
    try:
        per_writer = plan.log_events // 4 // 1000

        async def seed(step: Step) -> None:
            for _ in range(per_writer):
                await step()

        await asyncio.gather(*(seed(step) for step in store_writers(store, 4, 1000)))
        total: int = await store.pool.fetchval("SELECT count(*) FROM events")
        # Settle the seeding's after-effects before timing reads, so they are not billed to the reads: hint
        # bits and statistics (VACUUM ANALYZE), and the write-back of dirty pages (CHECKPOINT; superuser only).
        await store.pool.execute("VACUUM ANALYZE events")
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await store.pool.execute("CHECKPOINT")
        for page in plan.pages:
            runs = [await decode_rate(store, page, total) for _ in range(plan.runs)]
            emit("read_all_decode", "events_rate", runs, "events/s", events=total, page=page, target=100_000, **env)
    finally:
        await store.pool.close()


async def decode_rate(store: EventStore, limit: int, expected: int) -> float:
    start, after, decoded = time.perf_counter(), START, 0
    while True:
        page = await store.read_all(after=after, limit=limit)
        decoded += len([CODEC.decode(event) for event in page.events])
        if page.end is None or page.scanned < limit:
            break
        after = page.end
    elapsed = time.perf_counter() - start
    if decoded != expected:
        raise RuntimeError(f"read_all decoded {decoded} events, the log holds {expected}")
    return decoded / elapsed


async def wakeup_latency(dbs: Databases, plan: Plan, env: dict[str, Any]) -> None:
    dsn = await dbs.create("wakeup")
    listener, notifier = Listener(dsn), Notifier(dsn)
    await listener.start()
    store = EventStore(await create_pool(dsn, min_size=4, max_size=4), on_append=notifier.poke)
    try:
        for load in (0.0, plan.load_rate):
            p50s, p99s, appends, achieved = [], [], [], []
            for run in range(plan.runs):
                with_load = await start_load(dsn, load) if load else None
                woken, appended = await probe(store, listener, f"probe{run}-{int(load)}", plan.latency_samples)
                if with_load is not None:
                    achieved.append(await stop_load(with_load))
                p50s.append(percentile(woken, 0.5) * 1000)
                p99s.append(percentile(woken, 0.99) * 1000)
                appends.append(percentile(appended, 0.5) * 1000)
            ctx: dict[str, Any] = {"background_appends_per_s": round(statistics.median(achieved)) if load else 0}
            ctx |= {"samples": plan.latency_samples, "append_p50_ms": round(statistics.median(appends), 3), **env}
            emit("wakeup_latency", "p50_ms", p50s, "ms", **ctx)
            emit("wakeup_latency", "p99_ms", p99s, "ms", **ctx)
    finally:
        await notifier.close()
        await listener.close()
        await store.pool.close()


async def probe(store: EventStore, listener: Listener, name: str, samples: int) -> tuple[list[float], list[float]]:
    """Appends `samples` events one at a time, spaced out; returns (append→handler, append→return) in seconds."""
    loop = asyncio.get_running_loop()
    waiting: dict[uuid.UUID, asyncio.Future[float]] = {}

    async def handler(conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        now = time.perf_counter()
        for event in batch:
            if (arrival := waiting.pop(event.event_id, None)) is not None:
                arrival.set_result(now)

    follower = LogFollower(store, [Consumer(name, handler)], poll_interval=30, listener=listener)
    await follower.catch_up()  # start at the head of the log: only the probes are timed
    stop = asyncio.Event()
    runner = asyncio.create_task(follower.run(stop))
    woken, appended = [], []
    try:
        stream_id = f"{name}-{uuid.uuid4().hex[:12]}"
        for version in range(samples):
            await asyncio.sleep(0.005 + random.random() * 0.01)  # idle between probes, never in step
            [event] = new_events(1)
            arrival = waiting[event.event_id] = loop.create_future()
            start = time.perf_counter()
            await store.append(stream_id, [event], version)
            appended.append(time.perf_counter() - start)
            woken.append(await asyncio.wait_for(arrival, 10) - start)
    finally:
        stop.set()
        await runner
    return woken, appended


async def start_load(dsn: str, target: float) -> asyncio.subprocess.Process:
    load = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench._load", dsn, str(target),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    assert load.stdout is not None
    if (await load.stdout.readline()).strip() != b"ready":
        raise RuntimeError("the background load process did not start")
    await asyncio.sleep(0.3)  # let it reach its pace
    return load


async def stop_load(load: asyncio.subprocess.Process) -> float:
    out, _ = await load.communicate(b"")
    achieved: float = json.loads(out)["appends_per_s"]
    return achieved


Section = Callable[[Databases, Plan, dict[str, Any]], Awaitable[None]]
SECTIONS: dict[str, Section] = {
    "single_event_append": single_event_appends,
    "batch_append": batch_appends,
    "read_all_decode": read_all_decode,
    "wakeup_latency": wakeup_latency,
}


async def main(plan: Plan, quick: bool, sections: Sequence[str]) -> None:
    async with Databases(server_dsn()) as dbs:
        env = {"quick": quick, **await server_settings(dbs.server)}
        for name in sections:
            await SECTIONS[name](dbs, plan, env)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few seconds in all: checks the bench, not the store")
    parser.add_argument(
        "--only", nargs="+", choices=list(SECTIONS), default=list(SECTIONS), metavar="SECTION",
        help=f"run only these sections (of {', '.join(SECTIONS)})",
    )  # fmt: skip
    args = parser.parse_args()
    asyncio.run(main(QUICK if args.quick else FULL, args.quick, args.only))
