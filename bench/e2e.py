"""End-to-end bench: orders placed through GraphQL until they are allocated or backordered in the read model.

Run `python bench/e2e.py` (add `--quick` for a smoke run of a few seconds per step). On a fresh database
seeded with a network of 50 locations and 1,000 SKUs (written through the command handlers, like app/seed.py)
it starts `meridian serve`, two `meridian worker`s (sourcing actors, dispatcher) and `meridian project` as
separate processes. This process is the load generator (asyncio + httpx): it places orders through `placeOrder` at
fixed arrival rates (open loop, at most 128 requests in flight: later ones are dropped and counted as
errors), and an open-loop maximum (an offered rate far above capacity), and watches `readmodel.orders` with
one query per tick for the oldest pending orders.

Per order it measures the placeOrder latency and the time from sending it until the read model shows it
ALLOCATED, PARTIALLY_ALLOCATED or BACKORDERED. Per step it prints (medians of at least three runs) the
sustained orders/s end to end, p50/p95/p99 of both latencies, the projection lag (from the checkpoints
table, sampled each tick), the database's share of CPU (PostgreSQL backends of this database against the
Meridian processes, from /proc) and the headline figure: the CPU milliseconds per order of each process —
API, workers, projections, PostgreSQL — and their sum (target <= 5 ms at 50/s), read from /proc in the same
window. The load generator's (this process and its own database connections) is listed apart, not summed.
Targets on a 2-core machine: >= 500 orders/s sustained; at 200/s the place -> allocated p99 < 250 ms.

`--log-events N` runs every step, in turn, on that fresh database and on one whose log first holds about N
events of history (e.g. 2000000: the projections bench's generator, scaled up, on locations and SKUs of its
own; the dispatcher starts past it, the projections read it all before the steps), each with its own cluster;
every figure then names its `log`. It prints how long the history took to write and to project.
DATABASE_URL names the PostgreSQL server; REDIS_URL the Redis.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder heads sys.path; the project root must come first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import asyncpg
import uvloop

from app.domain import locations, stock
from app.domain.events import Event
from app.domain.stock_events import StockReceived
from app.domain.streams import order_stream, parse_stock_stream
from app.domain.values import Coordinates, LocationType
from app.handlers import Handlers
from bench._common import Databases, database_of, emit, percentile, server_dsn, server_settings
from bench._network import (
    PLACE_ORDER,
    Http,
    cart,
    graphql,
    projection_lag,
    projections_caught_up,
    seeded_database,
)
from bench._openloop import open_loop
from bench._processes import (
    Cluster,
    PostgresCpu,
    backend_cpu_seconds,
    cpu_seconds,
    own_cpu_seconds,
)
from bench.projections import codec, order_history
from eventstore import ANY, EventStore, Metadata, StreamWrite, create_pool

BENCH = "e2e"
DONE = ["ALLOCATED", "PARTIALLY_ALLOCATED", "BACKORDERED"]
MAX = 0  # the open-loop maximum's "rate" in the plan
ROLES = {"api": "api", "workers": "worker", "projections": "projections"}  # reported as: the Cluster's role
SERVER_SIDE = (*ROLES, "postgres")  # what an order costs Meridian: the sum's terms
WATCHER = "meridian-bench-watch"  # application_name of the load generator's own database connections

# Fifty US cities; the seeded network puts one location in each, of a type that ships.
CITIES = [
    (40.71, -74.01), (34.05, -118.24), (41.88, -87.63), (29.76, -95.37), (33.45, -112.07), (39.95, -75.17),
    (29.42, -98.49), (32.72, -117.16), (32.78, -96.80), (37.34, -121.89), (30.27, -97.74), (30.33, -81.66),
    (32.76, -97.33), (39.96, -83.00), (35.23, -80.84), (37.77, -122.42), (39.77, -86.16), (47.61, -122.33),
    (39.74, -104.99), (38.91, -77.04), (42.36, -71.06), (31.76, -106.49), (36.16, -86.78), (42.33, -83.05),
    (35.47, -97.52), (45.52, -122.68), (36.17, -115.14), (35.15, -90.05), (38.25, -85.76), (39.29, -76.61),
    (43.04, -87.91), (35.08, -106.65), (32.22, -110.97), (36.74, -119.79), (38.58, -121.49), (33.42, -111.83),
    (39.10, -94.58), (33.75, -84.39), (25.76, -80.19), (41.26, -95.93), (35.78, -78.64), (38.83, -104.82),
    (44.98, -93.27), (36.85, -75.98), (37.80, -122.27), (36.15, -95.99), (41.50, -81.69), (27.95, -82.46),
    (29.95, -90.07), (37.69, -97.34),
]  # fmt: skip
# The history's own network (--log-events): none of it is the measured orders' network.
HISTORY_LOCATIONS = [f"HIST-{i:02d}" for i in range(20)]
HISTORY_SKUS = [f"HIST-SKU-{i:04d}" for i in range(1000)]
KINDS = [LocationType.DISTRIBUTION_CENTER, LocationType.STORE, LocationType.STORE, LocationType.THIRD_PARTY_LOGISTICS]


@dataclass(frozen=True)
class Plan:
    locations: int
    skus: int
    workers: int
    rates: tuple[int, ...]
    seconds: float
    runs: int
    max_offered: int = 2000
    max_in_flight: int = 128
    drain_timeout: float = 60.0


FULL = Plan(locations=50, skus=1000, workers=2, rates=(50, 200, 500, MAX), seconds=8.0, runs=3)
QUICK = Plan(locations=10, skus=100, workers=1, rates=(50, MAX), seconds=1.5, runs=3, max_offered=300)


def sku_names(count: int) -> list[str]:
    return [f"SKU-{n:05d}" for n in range(1, count + 1)]


async def seed_network(handlers: Handlers, plan: Plan, *, seed_value: int = 11) -> None:
    """`plan.locations` shipping locations in US cities; every SKU stocked deeply at 2-5 of them."""
    rng = random.Random(seed_value)
    meta = Metadata(actor="seed")
    codes = [f"LOC-{i:02d}" for i in range(plan.locations)]
    for i, code in enumerate(codes):
        lat, lon = CITIES[i % len(CITIES)]
        kind = KINDS[i % len(KINDS)]
        create = locations.CreateLocation(
            code=code, name=f"{kind.value.title()} {code}", type=kind, coordinates=Coordinates(lat, lon),
            daily_capacity=100_000, handling_cost=1.5 if kind is not LocationType.STORE else 3.0,
        )  # fmt: skip
        await handlers.handle(create, meta)
    receipts = [
        stock.ReceiveStock(sku=sku, location_code=code, quantity=rng.randint(200, 2000))
        for sku in sku_names(plan.skus)
        for code in rng.sample(codes, k=rng.randint(2, 5))
    ]
    for start in range(0, len(receipts), 32):  # distinct streams: no conflicts, so in parallel
        await asyncio.gather(*(handlers.handle(r, meta) for r in receipts[start : start + 32]))


@dataclass
class Watch:
    """Orders placed and not yet seen allocated/backordered: when each was sent, when each was seen done."""

    sent: dict[str, float] = field(default_factory=dict)
    done: dict[str, float] = field(default_factory=dict)
    lags: list[int] = field(default_factory=list)

    def pending(self) -> list[str]:
        return [oid for oid in self.sent if oid not in self.done]

    async def follow(self, pool: asyncpg.Pool, stop: asyncio.Event, tick: float = 0.01, most: int = 1000) -> None:
        # Only the oldest `most` pending orders each tick: orders finish roughly in the order they were sent,
        # and a query over every pending id would load the database under test more as it falls behind.
        while not stop.is_set():
            pending = self.pending()[:most]
            if pending:
                rows = await pool.fetch(
                    "SELECT order_id FROM readmodel.orders WHERE order_id = ANY($1::TEXT[]) AND status = ANY($2)",
                    pending,
                    DONE,
                )
                now = time.perf_counter()
                for row in rows:
                    self.done[row[0]] = now
            self.lags.append(await projection_lag(pool))
            await asyncio.sleep(tick)


@dataclass
class Step:
    orders_per_s: float
    place_ms: list[float]
    allocated_ms: list[float]
    lag_p50: float
    lag_max: float
    db_cpu_share: float
    unfinished: int
    errors: int
    cpu_ms_per_order: dict[str, float]  # per SERVER_SIDE process kind, "sum", and "load_generator"


@dataclass
class Meter:
    """Reads, from /proc, the CPU each kind of process has used so far: the Cluster's by role, PostgreSQL's
    backends of this database, and the load generator (this process and its watcher connections' backends)."""

    cluster: Cluster
    database: str
    watcher_backends: frozenset[int]
    postgres: PostgresCpu = field(init=False)

    def __post_init__(self) -> None:
        self.postgres = PostgresCpu(self.database, excluding=self.watcher_backends)

    def sample(self) -> dict[str, float]:
        used = {kind: cpu_seconds(self.cluster.pids(role)) for kind, role in ROLES.items()}
        used["postgres"] = self.postgres.seconds()
        used["load_generator"] = own_cpu_seconds() + backend_cpu_seconds(self.watcher_backends)
        return used

    @staticmethod
    def per_order_ms(before: dict[str, float], after: dict[str, float], orders: int) -> dict[str, float]:
        ms = {kind: (after[kind] - before[kind]) * 1000 / max(orders, 1) for kind in before}
        return ms | {"sum": sum(ms[kind] for kind in SERVER_SIDE)}


async def watcher_backends(pool: asyncpg.Pool) -> frozenset[int]:
    rows = await pool.fetch("SELECT pid FROM pg_stat_activity WHERE application_name = $1", WATCHER)
    return frozenset(row[0] for row in rows)


STATEMENTS_SHOWN = 15


async def statements_reset(pool: asyncpg.Pool) -> None:
    await pool.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    await pool.execute("SELECT pg_stat_statements_reset()")


async def statements_per_order(pool: asyncpg.Pool, rate: int, orders: int) -> None:
    """What PostgreSQL ran for this database since the reset, per order placed, most time first (`--statements`)."""
    rows = await pool.fetch(
        "SELECT query, calls, total_exec_time, rows FROM pg_stat_statements"
        " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " ORDER BY total_exec_time DESC LIMIT $1",
        STATEMENTS_SHOWN,
    )
    n = max(orders, 1)
    for row in rows:
        figures = {"calls_per_order": round(row["calls"] / n, 3), "rows_per_order": round(row["rows"] / n, 2)}
        figures["query"] = " ".join(row["query"].split())[:300]
        emit(BENCH, "statement_ms_per_order", [row["total_exec_time"] / n], "ms", offered_per_s=rate, **figures)


async def one_step(
    plan: Plan, rate: int, http: Http, url: str, pool: asyncpg.Pool, meter: Meter, *, statements: bool = False
) -> Step:
    rng = random.Random(rate * 7919 + len(url))
    skus = sku_names(plan.skus)
    watch = Watch()

    async def place(_: int) -> bool:
        sent = time.perf_counter()
        data = await graphql(http, url, PLACE_ORDER, {"input": cart(rng, skus)})
        order = data["placeOrder"]["order"] if data else None
        if order is None:
            return False
        watch.sent[str(order["id"]).removeprefix("Order:")] = sent
        return True

    if statements:
        await statements_reset(pool)
    stop = asyncio.Event()
    follower = asyncio.create_task(watch.follow(pool, stop))
    cpu_before = meter.sample()
    started = time.perf_counter()
    # Every step caps the requests in flight (a request due while `max_in_flight` wait is dropped, and counted
    # in `errors`): with thousands of connections open, httpx's own bookkeeping took a whole core of the two
    # that Meridian runs on, and the load generator measured itself.
    offered = rate if rate else plan.max_offered
    placed = await open_loop(place, offered, plan.seconds, max_in_flight=plan.max_in_flight)
    deadline = time.perf_counter() + plan.drain_timeout
    while watch.pending() and time.perf_counter() < deadline:
        await asyncio.sleep(0.02)
    stop.set()
    await follower
    cpu_after = meter.sample()
    if statements:
        await statements_per_order(pool, rate, len(watch.sent))
    meridian_cpu = sum(cpu_after[kind] - cpu_before[kind] for kind in ROLES)
    db_cpu = cpu_after["postgres"] - cpu_before["postgres"]
    finished = sorted(watch.done.values())
    span = (finished[-1] - started) if finished else float("inf")
    allocated = [watch.done[oid] - sent for oid, sent in watch.sent.items() if oid in watch.done]
    return Step(
        orders_per_s=len(finished) / span,
        place_ms=placed.latencies_ms,
        allocated_ms=[s * 1000 for s in allocated],
        lag_p50=percentile([float(x) for x in watch.lags], 0.5) if watch.lags else 0.0,
        lag_max=float(max(watch.lags, default=0)),
        db_cpu_share=db_cpu / (db_cpu + meridian_cpu) if db_cpu + meridian_cpu > 0 else 0.0,
        unfinished=len(watch.pending()),
        errors=placed.errors + placed.dropped,
        cpu_ms_per_order=Meter.per_order_ms(cpu_before, cpu_after, len(watch.sent)),
    )


def report(plan: Plan, rate: int, steps: list[Step], env: dict[str, Any]) -> None:
    context: dict[str, Any] = {"offered_per_s": rate if rate else "max", "seconds": plan.seconds, **env}
    context |= {"max_in_flight": plan.max_in_flight}
    if not rate:
        context |= {"max_offered_per_s": plan.max_offered}
    context |= {"errors": sum(s.errors for s in steps), "unfinished": sum(s.unfinished for s in steps)}
    emit(BENCH, "orders_per_s", [s.orders_per_s for s in steps], "orders/s", target_min=500, **context)
    for name, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        emit(BENCH, f"place_order_{name}_ms", [percentile(s.place_ms, q) for s in steps], "ms", **context)
        target = {"target_max": 250} if rate == 200 and name == "p99" else {}
        emit(BENCH, f"place_to_allocated_{name}_ms", [percentile(s.allocated_ms, q) for s in steps], "ms",
             **target, **context)  # fmt: skip
    emit(BENCH, "projection_lag_p50_events", [s.lag_p50 for s in steps], "events", **context)
    emit(BENCH, "projection_lag_max_events", [s.lag_max for s in steps], "events", **context)
    emit(BENCH, "db_cpu_share", [s.db_cpu_share for s in steps], "fraction", **context)
    for kind in (*SERVER_SIDE, "sum", "load_generator"):
        target = {"target_max": 5} if rate == 50 and kind == "sum" else {}
        runs = [s.cpu_ms_per_order[kind] for s in steps]
        emit(BENCH, f"cpu_ms_per_order_{kind}", runs, "ms", **target, **context)


@dataclass
class Site:
    """One database and the cluster serving it, as the steps use them."""

    log: str  # "fresh", or the history's size: reported with each figure
    cluster: Cluster
    url: str
    pool: asyncpg.Pool
    meter: Meter


async def history(store: EventStore, events: int, chunk: int = 2000) -> int:
    """About `events` events of past orders (the projections bench's generator: placed, sourced, allocated,
    shipped, tracked, delivered or cancelled, and their stock streams) on locations and SKUs of their own, so
    the orders measured never touch their stock; a chunk of orders at a time, 200 streams per append (one
    append per stream took ~10 minutes per 100k events on a loaded machine). Returns how many were written."""
    rng, written, first = random.Random(20260301), 0, 0
    while written < events:
        orders, stock_events = order_history(rng, chunk, HISTORY_LOCATIONS, HISTORY_SKUS, first=first)
        receipts: list[tuple[str, list[Event]]] = []
        for sid in stock_events:
            sku, code = parse_stock_stream(sid)
            receipts.append((sid, [StockReceived(sku=sku, location_code=code, quantity=10_000)]))
        for writes in (receipts, [(order_stream(oid), evs) for oid, evs in orders], list(stock_events.items())):
            batches = [writes[start : start + 200] for start in range(0, len(writes), 200)]

            async def append(batch: list[tuple[str, list[Event]]]) -> None:
                await store.append_many([StreamWrite(sid, [codec.encode(e) for e in evs], ANY) for sid, evs in batch])

            for start in range(0, len(batches), 4):  # a few appends at a time: distinct streams, no conflicts
                await asyncio.gather(*(append(batch) for batch in batches[start : start + 4]))
            written += sum(len(evs) for _, evs in writes)
        first += chunk
    return written


async def start_site(dbs: Databases, plan: Plan, log_events: int) -> tuple[Site, dict[str, Any]]:
    """A seeded database (with `log_events` of history first, when > 0: the dispatcher starts past it, the
    projections from the start of the log) and its cluster, caught up; and how long each part took."""
    name = "fresh" if not log_events else "log"
    timings: dict[str, Any] = {}

    async def seed(handlers: Handlers) -> None:
        if log_events:
            started = time.perf_counter()
            timings["log_events"] = await history(handlers.ctx.store, log_events)
            timings["log_build_s"] = round(time.perf_counter() - started, 1)
        await seed_network(handlers, plan)

    dsn = await seeded_database(dbs, f"e2e_{name}", seed)
    cluster = Cluster(dsn, f"meridian-bench-{uuid.uuid4().hex[:8]}")
    # The store's settings (no reset query per poll); both connections opened now, so that their backends'
    # CPU is counted as the load generator's, not Meridian's.
    pool = await create_pool(dsn, min_size=2, max_size=2, server_settings={"application_name": WATCHER})
    try:
        url = await cluster.serve()  # first: it starts slowest, and a log to project would slow it further
        for _ in range(plan.workers):
            await cluster.worker(projections=False)
        started = time.perf_counter()
        await cluster.projections()
        await projections_caught_up(dsn, timeout=3600.0)  # over a big log: the projections' first pass
        timings["catch_up_s"] = round(time.perf_counter() - started, 1)
        meter = Meter(cluster, database_of(dsn), await watcher_backends(pool))
    except BaseException:
        await pool.close()
        await cluster.stop()
        raise
    return Site(str(timings.get("log_events", "fresh")), cluster, url, pool, meter), timings


async def main(plan: Plan, quick: bool, log_events: int, statements: bool) -> None:
    async with Databases(server_dsn()) as dbs:
        env = {
            "quick": quick,
            "workers": plan.workers,
            "locations": plan.locations,
            "skus": plan.skus,
            "db_pool_max": 10,
        }
        env |= await server_settings(dbs.server)
        sites: list[Site] = []
        results: dict[tuple[str, int], list[Step]] = {}
        try:
            for size in (0, log_events) if log_events else (0,):
                site, timings = await start_site(dbs, plan, size)
                sites.append(site)
                if log_events:  # how long the history took to write and to project: once, not a median
                    emit(BENCH, "catch_up_s", [timings["catch_up_s"]], "s", log=site.log, **timings)
            async with Http(connections=plan.max_in_flight) as http:
                for site in sites:  # warm-up, not reported
                    await one_step(plan, 20, http, site.url, site.pool, site.meter)
                # Each step on each log in turn, so drift and the machine's other load hit both alike.
                for _ in range(plan.runs):
                    for rate in plan.rates:
                        for site in sites:
                            step = await one_step(
                                plan, rate, http, site.url, site.pool, site.meter, statements=statements
                            )
                            results.setdefault((site.log, rate), []).append(step)
        finally:
            for site in sites:
                await site.pool.close()
                await site.cluster.stop()
        for (log, rate), steps in results.items():
            report(plan, rate, steps, env | ({"log": log} if log_events else {}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few seconds per step: checks the bench, not Meridian")
    parser.add_argument("--rates", help="offered orders/s to run, comma-separated (0: the open-loop maximum)")
    parser.add_argument(
        "--log-events",
        type=int,
        default=0,
        help="also run every step on a database with about this many events of history (e.g. 2000000)",
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="also print what PostgreSQL ran per order in each step (needs pg_stat_statements preloaded)",
    )
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    if args.rates:  # e.g. `--rates 50`: the headline CPU per order alone
        plan = replace(plan, rates=tuple(int(rate) for rate in args.rates.split(",")))
    # The load generator shares the two cores with Meridian: uvloop keeps its own CPU per request down.
    uvloop.run(main(plan, args.quick, args.log_events, args.statements))
