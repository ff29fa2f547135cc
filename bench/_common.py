"""What the benchmarks share: throwaway databases, timed writer loops, typed sample events, JSON-line figures."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import msgspec

from eventstore import EventCodec, NewEvent, migrate

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"

# One writer's unit of work: appends something, returns how many events it wrote.
Step = Callable[[], Awaitable[int]]


def server_dsn() -> str:
    """DATABASE_URL if set, else the machine's server; the bench only creates and drops databases on it."""
    return os.environ.get("DATABASE_URL") or LOCAL_SERVER


def with_database(dsn: str, database: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{database}"))


def database_of(dsn: str) -> str:
    """The database a DSN names (its path; a unix socket's folder rides in the query string, `?host=...`)."""
    return urlsplit(dsn).path.lstrip("/")


class Databases:
    """Creates this run's databases (`meridian_bench_<run>_<name>`) and drops them all on exit, even on error."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.prefix = f"meridian_bench_{uuid.uuid4().hex[:8]}"

    async def create(self, name: str, *, migrated: bool = True) -> str:
        """A new empty database; `migrated` applies the event store's schema to it."""
        database = f"{self.prefix}_{name}"
        conn = await asyncpg.connect(self.server)
        try:
            await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()
        dsn = with_database(self.server, database)
        if migrated:
            conn = await asyncpg.connect(dsn)
            try:
                await migrate(conn)
            finally:
                await conn.close()
        return dsn

    async def __aenter__(self) -> Databases:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn = await asyncpg.connect(self.server)
        try:
            rows = await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", f"{self.prefix}%")
            for row in rows:
                await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
        finally:
            await conn.close()


async def server_settings(dsn: str) -> dict[str, Any]:
    """The settings that decide what the figures mean, quoted with each of them."""
    conn = await asyncpg.connect(dsn)
    try:
        return {
            "server": await conn.fetchval("SHOW server_version"),
            "synchronous_commit": await conn.fetchval("SHOW synchronous_commit"),
            "fsync": await conn.fetchval("SHOW fsync"),
            "cpus": os.cpu_count(),
        }
    finally:
        await conn.close()


async def rate(steps: list[Step], seconds: float) -> float:
    """Events per second that the writers sustain together, each running its step back to back."""
    deadline = time.perf_counter() + seconds

    async def loop(step: Step) -> int:
        written = 0
        while time.perf_counter() < deadline:
            written += await step()
        return written

    start = time.perf_counter()
    counts = await asyncio.gather(*(loop(step) for step in steps))
    return sum(counts) / (time.perf_counter() - start)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def emit(bench: str, metric: str, runs: list[float], unit: str, **context: Any) -> float:
    """Prints one figure as a JSON line: the median of the runs, the runs themselves, and what they depend on."""
    value = statistics.median(runs)
    line = {"bench": bench, "metric": metric, "value": round(value, 3), "unit": unit}
    line |= {"runs": [round(r, 3) for r in runs], **context}
    print(json.dumps(line), flush=True)
    return value


# -- sample events, shaped like an order system's ------------------------------------------------------------


class Line(msgspec.Struct, frozen=True):
    sku: str
    quantity: int
    unit_price_cents: int


class OrderPlaced(msgspec.Struct, frozen=True):
    order_id: str
    customer_id: str
    currency: str
    lines: list[Line]
    placed_at: datetime


class ItemReserved(msgspec.Struct, frozen=True):
    order_id: str
    sku: str
    quantity: int
    warehouse: str


class OrderShipped(msgspec.Struct, frozen=True):
    order_id: str
    carrier: str
    tracking_number: str
    shipped_at: datetime


CODEC = EventCodec([OrderPlaced, ItemReserved, OrderShipped])
_NOW = datetime(2025, 1, 1, tzinfo=UTC)
SAMPLES = [
    CODEC.encode(OrderPlaced("o-1", "c-7", "EUR", [Line("SKU-1", 2, 1999), Line("SKU-9", 1, 450)], _NOW)),
    CODEC.encode(ItemReserved("o-1", "SKU-1", 2, "ams-1")),
    CODEC.encode(OrderShipped("o-1", "dhl", "JD014600003828", _NOW)),
]


def new_events(n: int) -> list[NewEvent]:
    """n fresh events (new ids) cycling through the sample types."""
    return [msgspec.structs.replace(SAMPLES[i % 3], event_id=uuid.uuid4()) for i in range(n)]
