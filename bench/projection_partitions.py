"""Projections scaled out: one `meridian project` process over an unsplit log against N processes sharing P
partitions (MERIDIAN_PROJECTION_PARTITIONS), following the same log as it is written.

Run `python bench/projection_partitions.py` (`--quick` for a smoke run). Prints one JSON object per line. Each
configuration gets a fresh database; its processes start, handle one first event and (scaled out) share the
partitions out before anything is measured, so interpreter start-up is left out. Then bench/projections.py's
seeded mix of domain events is appended while they follow, and the bench waits until every checkpoint of the
layout holds the last one. Reported: the CPU seconds of the projection processes and of the PostgreSQL backends
serving them (the writer's own backends left out) per 1,000 events, the seconds from the first append until
caught up, and how long the appends took (the projections cannot finish before them). On this machine 2 cores
are shared by the writer, PostgreSQL and every projection process: the CPU per event is the figure to compare,
the wall time says little beyond "did it keep up".
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import asyncio
import json
import math
import os
import time
from collections.abc import Awaitable, Callable

import asyncpg

from app.domain.locations import Capabilities, LocationCreated
from app.domain.streams import location_stream
from app.domain.values import Coordinates, LocationType
from app.runtime import migrate_database
from bench._common import Databases, database_of, server_dsn
from bench._processes import PostgresCpu, backend_cpu_seconds, cpu_seconds
from bench.projections import build_log, codec
from eventstore import NO_STREAM, EventStore, create_pool
from eventstore.claims import claim_key
from projections import checkpoint_names, wait_for
from projections.runner import log_head

CONFIGURATIONS = [(1, 1), (1, 6), (2, 6), (3, 6)]  # (processes, partitions)
WRITERS = 8  # connections appending the log (build_log's concurrency), and the writer's pool


def emit(metric: str, **fields: object) -> None:
    print(json.dumps({"bench": "projection_partitions", "metric": metric, **fields}), flush=True)


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("the projection processes did not get ready")
        await asyncio.sleep(0.1)


async def shared_out(pool: asyncpg.Pool, processes: int, partitions: int) -> bool:
    """Every process holds its fair share of the partitions (claims.py's locks, seen in pg_locks)."""
    keys = [claim_key(f"projections#{i}/{partitions}") for i in range(partitions)]
    rows = await pool.fetch(
        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0"
        " AND objid::BIGINT = ANY ($1::BIGINT[]) GROUP BY pid",
        keys,
    )
    fair = math.ceil(partitions / processes)
    return len(rows) == processes and all(r["n"] == fair for r in rows)


async def run(databases: Databases, processes: int, partitions: int, quick: bool) -> None:
    dsn = await databases.create(f"p{processes}x{partitions}", migrated=False)
    await migrate_database(dsn)
    database = database_of(dsn)
    pool = await create_pool(dsn, min_size=WRITERS, max_size=WRITERS)
    store = EventStore(pool)
    env = {**os.environ, "DATABASE_URL": dsn, "MERIDIAN_PROJECTION_PARTITIONS": str(partitions)}
    env["MERIDIAN_LOG_LEVEL"] = "WARNING"
    children: list[asyncio.subprocess.Process] = []
    names = checkpoint_names(partitions=partitions)
    try:
        children = [
            await asyncio.create_subprocess_exec(sys.executable, "-m", "app.cli", "project", env=env)
            for _ in range(processes)
        ]
        first = await store.append(location_stream("L-first"), [codec.encode(_site("L-first"))], NO_STREAM)
        await until(lambda: wait_for(pool, first.position, 0, names=names))
        if partitions > 1:
            await until(lambda: shared_out(pool, processes, partitions))
        # The writer's backends (all of its pool's, held at once): their CPU is the appends', not the projections'.
        held = [await pool.acquire() for _ in range(WRITERS)]
        writer = frozenset(conn.get_server_pid() for conn in held)
        for conn in held:
            await pool.release(conn)
        cpu_before = cpu_seconds([c.pid for c in children])
        postgres = PostgresCpu(database, excluding=writer)
        pg_before = postgres.seconds()
        writer_before = backend_cpu_seconds(writer)
        started = time.perf_counter()
        await build_log(store, orders=300 if quick else 4_000, hot_events=1_000 if quick else 10_000)
        written = time.perf_counter() - started
        head = await log_head(pool)
        assert head is not None
        await until(lambda: wait_for(pool, head, 0, names=names), timeout=600)
        seconds = time.perf_counter() - started
        events = await pool.fetchval(
            "SELECT count(*) FROM events WHERE global_position > $1", first.position.global_position
        )
        cpu = cpu_seconds([c.pid for c in children]) - cpu_before
        pg = postgres.seconds() - pg_before
        emit(
            "follow",
            processes=processes,
            partitions=partitions,
            events=events,
            appended_s=round(written, 1),
            caught_up_s=round(seconds, 1),
            projection_cpu_ms_per_1k_events=round(cpu * 1e6 / events, 1),
            postgres_cpu_ms_per_1k_events=round(pg * 1e6 / events, 1),
            writer_postgres_cpu_s=round(backend_cpu_seconds(writer) - writer_before, 1),
            cores=os.cpu_count(),
            quick=quick,
        )
    finally:
        for child in children:
            child.terminate()
        for child in children:
            await child.wait()
        await pool.close()


def _site(code: str) -> LocationCreated:
    return LocationCreated(
        code=code,
        name=code,
        type=LocationType.DISTRIBUTION_CENTER,
        coordinates=Coordinates(40.0, -75.0),
        capabilities=Capabilities(),
        daily_capacity=None,
        handling_cost=1.0,
    )


async def main(quick: bool, configurations: list[tuple[int, int]]) -> None:
    async with Databases(server_dsn()) as databases:
        for processes, partitions in configurations:
            await run(databases, processes, partitions, quick)


if __name__ == "__main__":
    # `2x6,3x6`: only these (processes x partitions).
    chosen = [a for a in sys.argv[1:] if a != "--quick"]
    asked = [tuple(int(n) for n in c.split("x")) for c in chosen[0].split(",")] if chosen else CONFIGURATIONS
    asyncio.run(main("--quick" in sys.argv, [(p, n) for p, n in asked]))
