"""Projections scaled out: catch-up throughput of one `meridian project` process over an unsplit log against
N processes sharing P partitions (MERIDIAN_PROJECTION_PARTITIONS), on the same log.

Run `python bench/projection_partitions.py` (`--quick` for a smoke run). Prints one JSON object per line. The
log is bench/projections.py's seeded mix of domain events, built once in a database of its own; each
configuration gets a copy of it (CREATE DATABASE ... TEMPLATE) with no read model yet, starts its processes and
times them, from spawn (interpreter start included, the same for all) until every checkpoint of the layout
reaches the log's head, with the CPU seconds of the projection processes and of PostgreSQL's backends on that
database. On a machine with 2 cores (this one), 3 processes and PostgreSQL share them: the figure to read is
whether splitting costs or gains throughput there, not how it scales on more cores.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import asyncio
import json
import os
import time

import asyncpg

from app.runtime import migrate_database
from bench._common import Databases, server_dsn, with_database
from bench._processes import cpu_seconds, postgres_cpu_seconds
from bench.projections import build_log
from eventstore import EventStore, create_pool
from projections import checkpoint_names, wait_for
from projections.runner import log_head

CONFIGURATIONS = [(1, 1), (1, 6), (2, 6), (3, 6)]  # (processes, partitions)


def emit(metric: str, **fields: object) -> None:
    print(json.dumps({"bench": "projection_partitions", "metric": metric, **fields}), flush=True)


async def run(template: str, dsn: str, processes: int, partitions: int) -> None:
    database = dsn.rsplit("/", 1)[1]
    admin = await asyncpg.connect(server_dsn())
    try:
        await admin.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    pool = await create_pool(dsn, min_size=1, max_size=2)
    env = {**os.environ, "DATABASE_URL": dsn, "MERIDIAN_PROJECTION_PARTITIONS": str(partitions)}
    env["MERIDIAN_LOG_LEVEL"] = "WARNING"
    children: list[asyncio.subprocess.Process] = []
    try:
        head = await log_head(pool)
        assert head is not None
        events = await pool.fetchval("SELECT count(*) FROM events")
        pg_before = postgres_cpu_seconds(database)
        started = time.perf_counter()
        children = [
            await asyncio.create_subprocess_exec(sys.executable, "-m", "app.cli", "project", env=env)
            for _ in range(processes)
        ]
        names = checkpoint_names(partitions=partitions)
        while not await wait_for(pool, head, 0, names=names):
            if any(c.returncode is not None for c in children):
                raise AssertionError("a projection process exited")
            await asyncio.sleep(0.1)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds([c.pid for c in children])
        pg = postgres_cpu_seconds(database) - pg_before
        emit(
            "catch_up",
            processes=processes,
            partitions=partitions,
            events=events,
            seconds=round(seconds, 2),
            events_per_s=round(events / seconds),
            projection_cpu_s=round(cpu, 2),
            postgres_cpu_s=round(pg, 2),
            cores=os.cpu_count(),
        )
    finally:
        for child in children:
            child.terminate()
        for child in children:
            await child.wait()
        await pool.close()


async def main(quick: bool) -> None:
    async with Databases(server_dsn()) as databases:
        source = await databases.create("log", migrated=False)
        await migrate_database(source)
        pool = await create_pool(source, min_size=2, max_size=10)
        try:
            await build_log(EventStore(pool), orders=300 if quick else 4_000, hot_events=1_000 if quick else 10_000)
            emit("log", events=await pool.fetchval("SELECT count(*) FROM events"), quick=quick)
        finally:
            await pool.close()
        template = source.rsplit("/", 1)[1]
        for processes, partitions in CONFIGURATIONS:
            target = with_database(server_dsn(), f"{databases.prefix}_p{processes}x{partitions}")
            await run(template, target, processes, partitions)


if __name__ == "__main__":
    asyncio.run(main("--quick" in sys.argv))
