"""Stores bench: how fast a declined pick is sourced again under load, and how fast `pickupOptions` answers.

Run `python bench/stores.py` (add `--quick` for a smoke run of a few seconds per step). Two networks, each on a
fresh database seeded through the command handlers (like app/seed.py): mostly stores, a distribution centre in
every five locations, every SKU stocked at several of them, around fifty US cities.

- Declines (50 locations, 300 SKUs): `meridian serve`, two `meridian worker`s and `meridian project` run as
  separate processes. Orders are first placed until enough shipments are PLANNED at stores; then, open loop at
  fixed rates, new orders flow through `placeOrder` (50/s) while store associates decline one unit of a PLANNED
  store shipment through `confirmPick` (20/s, NOT_FOUND) — the real mutation, over GraphQL on the running app,
  as an admin. The decline → PLANNED latency is read from the log afterwards, on the server's clock: from the
  `ShipmentPicked` that declined the unit to the `OrderAllocated` that planned its replacement (recorded_at
  of each). They are one atomic change, appended together, so this reads 0: the replacement is PLANNED at the
  decline's commit (were re-sourcing ever moved to a job, this figure would show the wait). Declines whose unit
  nobody else could serve end `OrderBackordered` instead, and are counted. Also the `confirmPick` round trip
  (client clock, from each request's scheduled start): the mutation answers once the read model shows the
  replacement, so it is the time until an operator's screen can show it.
- `pickupOptions` (500 locations): `meridian serve` and `meridian project`; a closed loop of a few callers
  without a token (the public path, its rate limit raised for the bench) asks for random carts near random
  addresses, 50 km around. Target p99 < 50 ms.

Prints one JSON object per line (medians of the runs). DATABASE_URL names the PostgreSQL server; REDIS_URL the
Redis. Nothing here asserts a figure.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder heads sys.path; the project root must come first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import orjson
import uvloop

from app.domain import locations, stock
from app.domain.values import Coordinates, LocationType
from app.handlers import Handlers
from bench._common import Databases, emit, percentile, server_dsn, server_settings
from bench._network import PLACE_ORDER, Http, cart, graphql, projections_caught_up, seeded_database, settled
from bench._openloop import Result, closed_loop, open_loop
from bench._processes import Cluster, cpu_seconds, free_port, ready
from bench.e2e import CITIES, sku_names
from eventstore import Metadata, create_pool

BENCH = "stores"
JSON = {"Content-Type": "application/json"}
DECLINES_VIA = "GraphQL confirmPick on meridian serve (admin token)"
CONFIRM_PICK = """
mutation Pick($input: ConfirmPickInput!) {
  confirmPick(input: $input) { shipment { status } userErrors { field code } }
}"""
PICKUP_OPTIONS = """
query Pickup($input: PickupOptionsInput!) {
  pickupOptions(input: $input) { location { code } distanceKm readyBy available viaTransfer }
}"""
# PLANNED store shipments not yet declined by this bench: the associates' work list.
STORE_WORK = """
SELECT s.order_id, s.shipment_id, s.lines::TEXT AS lines
FROM readmodel.shipments s JOIN readmodel.locations l ON l.code = s.location_code
WHERE s.status = 'PLANNED' AND l.type = 'STORE' AND NOT (s.order_id = ANY($1::TEXT[]))
"""
# The declining pick and what followed it in each order's stream (the bench may read the log: it measures it).
HISTORY = """
SELECT stream_id, event_type, data::TEXT AS data, recorded_at
FROM events WHERE stream_id = ANY($1::TEXT[]) ORDER BY stream_id, stream_version
"""


@dataclass(frozen=True)
class Plan:
    locations: int
    skus: int
    workers: int
    orders_per_s: int
    declines_per_s: int
    seconds: float
    runs: int
    pickup_locations: int
    pickup_clients: int
    pickup_seconds: float
    max_in_flight: int = 128


FULL = Plan(locations=50, skus=300, workers=2, orders_per_s=50, declines_per_s=20, seconds=15.0, runs=3,
            pickup_locations=500, pickup_clients=4, pickup_seconds=10.0)  # fmt: skip
QUICK = Plan(locations=12, skus=40, workers=1, orders_per_s=10, declines_per_s=4, seconds=2.0, runs=1,
             pickup_locations=40, pickup_clients=2, pickup_seconds=2.0)  # fmt: skip


async def seed_stores(handlers: Handlers, locations_count: int, skus: int, *, seed_value: int = 14) -> None:
    """Stores around US cities (jittered past the fiftieth, so no two share a spot), one DC in five; every SKU
    at several locations, more of them on a larger network, so a declined unit can usually go elsewhere."""
    rng = random.Random(seed_value)
    meta = Metadata(actor="seed")
    codes = [f"LOC-{i:03d}" for i in range(locations_count)]
    for i, code in enumerate(codes):
        lat, lon = CITIES[i % len(CITIES)]
        if i >= len(CITIES):
            lat, lon = lat + rng.uniform(-0.3, 0.3), lon + rng.uniform(-0.3, 0.3)
        kind = LocationType.DISTRIBUTION_CENTER if i % 5 == 0 else LocationType.STORE
        create = locations.CreateLocation(
            code=code, name=f"{kind.value.title()} {code}", type=kind, coordinates=Coordinates(lat, lon),
            daily_capacity=100_000, handling_cost=1.5 if kind is not LocationType.STORE else 3.0,
        )  # fmt: skip
        await handlers.handle(create, meta)
    spread = max(3, locations_count // 40)
    receipts = [
        stock.ReceiveStock(sku=sku, location_code=code, quantity=rng.randint(100, 1000))
        for sku in sku_names(skus)
        for code in rng.sample(codes, k=rng.randint(spread, 2 * spread))
    ]
    for start in range(0, len(receipts), 32):  # distinct streams: no conflicts, so in parallel
        await asyncio.gather(*(handlers.handle(r, meta) for r in receipts[start : start + 32]))


# -- declines ---------------------------------------------------------------------------------------------------


@dataclass
class DeclineRun:
    confirm_pick: Result
    placed: Result
    declined: list[tuple[str, str]]  # (order id, shipment id) of every decline that went through
    serve_cpu_share: float  # CPU seconds of `meridian serve` per second of the window (1.0: a core, saturated)
    replanned_ms: list[float] = field(default_factory=list)
    backordered: int = 0
    unexplained: int = 0  # a decline whose re-sourcing the log does not show (should stay 0)


def decline_one(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pick: every line as planned, but one unit of the first not found."""
    first, *rest = lines
    declined = {"sku": first["sku"], "picked": first["quantity"] - 1, "reason": "NOT_FOUND"}
    return [declined, *({"sku": line["sku"], "picked": line["quantity"]} for line in rest)]


async def store_work(pool: asyncpg.Pool, done: set[str]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    rows = await pool.fetch(STORE_WORK, list(done))
    # One shipment per order: each order is declined at most once, so its history reads unambiguously.
    first = {r["order_id"]: r for r in reversed(rows)}
    return [(r["order_id"], r["shipment_id"], orjson.loads(r["lines"])) for r in first.values()]


async def fill_store_work(
    plan: Plan, http: Http, url: str, dsn: str, pool: asyncpg.Pool, rng: random.Random, done: set[str]
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Places orders until at least a run's worth of declines (and a margin) is PLANNED at stores."""
    wanted = round(plan.declines_per_s * plan.seconds * 1.3) + 5
    skus = sku_names(plan.skus)
    for _ in range(20):
        work = await store_work(pool, done)
        if len(work) >= wanted:
            rng.shuffle(work)
            return work
        missing = wanted - len(work)
        for start in range(0, missing, 16):
            batch = [cart(rng, skus) for _ in range(min(16, missing - start))]
            await asyncio.gather(*(graphql(http, url, PLACE_ORDER, {"input": c}) for c in batch))
        await settled(dsn)
    raise RuntimeError(f"fewer than {wanted} shipments PLANNED at stores after placing orders")


async def one_decline_run(
    plan: Plan, http: Http, url: str, dsn: str, pool: asyncpg.Pool, rng: random.Random, done: set[str], serve_pid: int
) -> DeclineRun:
    work = await fill_store_work(plan, http, url, dsn, pool, rng, done)
    skus = sku_names(plan.skus)
    declined: list[tuple[str, str]] = []

    async def place(_: int) -> bool:
        data = await graphql(http, url, PLACE_ORDER, {"input": cart(rng, skus)})
        return data is not None and data["placeOrder"]["order"] is not None

    async def decline(i: int) -> bool:
        order_id, shipment_id, lines = work[i]
        done.add(order_id)
        pick = {"shipmentId": f"{order_id}/{shipment_id}", "lines": decline_one(lines)}
        data = await graphql(http, url, CONFIRM_PICK, {"input": pick})
        if data is None or data["confirmPick"]["userErrors"]:
            return False
        declined.append((order_id, shipment_id))
        return True

    before, started = cpu_seconds([serve_pid]), time.perf_counter()
    placed, picked = await asyncio.gather(
        open_loop(place, plan.orders_per_s, plan.seconds, max_in_flight=plan.max_in_flight),
        open_loop(decline, plan.declines_per_s, plan.seconds, max_in_flight=plan.max_in_flight),
    )
    busy = (cpu_seconds([serve_pid]) - before) / (time.perf_counter() - started)
    await settled(dsn)  # the next run must not measure this one's backlog
    run = DeclineRun(confirm_pick=picked, placed=placed, declined=declined, serve_cpu_share=busy)
    await read_resourcing(pool, run)
    return run


async def read_resourcing(pool: asyncpg.Pool, run: DeclineRun) -> None:
    """From each declining `ShipmentPicked` to the next `OrderAllocated` (replanned) or `OrderBackordered`."""
    declined = dict(run.declined)
    rows = await pool.fetch(HISTORY, [f"order-{order_id}" for order_id in declined])
    by_order: dict[str, list[asyncpg.Record]] = {}
    for row in rows:
        by_order.setdefault(row["stream_id"].removeprefix("order-"), []).append(row)
    for order_id, shipment_id in declined.items():
        events = by_order.get(order_id, [])
        at = next(
            (i for i, e in enumerate(events)
             if e["event_type"] == "ShipmentPicked" and orjson.loads(e["data"])["shipment_id"] == shipment_id),
            None,
        )  # fmt: skip
        outcome = None if at is None else next(
            (e for e in events[at + 1 :] if e["event_type"] in ("OrderAllocated", "OrderBackordered")), None
        )  # fmt: skip
        if at is None or outcome is None:
            run.unexplained += 1
        elif outcome["event_type"] == "OrderBackordered":
            run.backordered += 1
        else:
            gap = outcome["recorded_at"] - events[at]["recorded_at"]
            run.replanned_ms.append(gap.total_seconds() * 1000)


def report_declines(plan: Plan, runs: list[DeclineRun], env: dict[str, Any]) -> None:
    context: dict[str, Any] = {
        "declines_via": DECLINES_VIA,
        "offered_declines_per_s": plan.declines_per_s,
        "offered_orders_per_s": plan.orders_per_s,
        "seconds": plan.seconds,
        "locations": plan.locations,
        "skus": plan.skus,
        "workers": plan.workers,
        "declines": sum(len(r.declined) for r in runs),
        "declines_backordered": sum(r.backordered for r in runs),
        "declines_unexplained": sum(r.unexplained for r in runs),
        "decline_errors": sum(r.confirm_pick.errors + r.confirm_pick.dropped for r in runs),
        "order_errors": sum(r.placed.errors + r.placed.dropped for r in runs),
        **env,
    }
    clock = {
        "clock": "server recorded_at, declining ShipmentPicked -> the OrderAllocated after it",
        "note": "one transaction, the order stream's one append: the replacement is PLANNED at the decline's commit",
    }
    for name, q in (("p50", 0.50), ("p99", 0.99)):
        values = [percentile(r.replanned_ms, q) if r.replanned_ms else float("nan") for r in runs]
        emit(BENCH, f"decline_to_replanned_{name}_ms", values, "ms", **clock, **context)
    rtt = {"clock": "client, from the scheduled start until the answer (read model shows the replacement)"}
    for name, q in (("p50", 0.50), ("p99", 0.99)):
        emit(BENCH, f"confirm_pick_{name}_ms", [r.confirm_pick.p(q) for r in runs], "ms", **rtt, **context)
    emit(BENCH, "declines_per_s", [r.confirm_pick.achieved_per_s for r in runs], "declines/s", **context)
    emit(BENCH, "orders_per_s", [r.placed.achieved_per_s for r in runs], "orders/s", **context)
    emit(BENCH, "declines_backordered", [float(r.backordered) for r in runs], "declines", **context)
    emit(BENCH, "serve_cpu_share", [r.serve_cpu_share for r in runs], "cores", **context)


async def bench_declines(plan: Plan, dbs: Databases, env: dict[str, Any]) -> None:
    async def seed(handlers: Handlers) -> None:
        await seed_stores(handlers, plan.locations, plan.skus)

    dsn = await seeded_database(dbs, "declines", seed)
    cluster = Cluster(dsn, f"meridian-bench-{uuid.uuid4().hex[:8]}")
    pool = await create_pool(dsn, min_size=1, max_size=2)
    runs: list[DeclineRun] = []
    try:
        for _ in range(plan.workers):
            await cluster.worker(projections=False)
        await cluster.projections()
        url = await cluster.serve()
        serve_pid = cluster.pids()[-1]
        await projections_caught_up(dsn)
        rng = random.Random(20261201)
        done: set[str] = set()
        async with Http(connections=plan.max_in_flight) as http:
            for _ in range(plan.runs):
                runs.append(await one_decline_run(plan, http, url, dsn, pool, rng, done, serve_pid))
    finally:
        await pool.close()
        await cluster.stop()
    report_declines(plan, runs, env)


# -- pickupOptions ----------------------------------------------------------------------------------------------


@dataclass
class PickupRun:
    result: Result
    serve_cpu_ms_per_call: float
    listed: list[int] = field(default_factory=list)  # options per answer: that it did the work, not a figure
    available: list[int] = field(default_factory=list)


def mean(values: list[int]) -> float:
    return round(sum(values) / len(values), 2) if values else 0.0


async def bench_pickup(plan: Plan, dbs: Databases, env: dict[str, Any]) -> None:
    async def seed(handlers: Handlers) -> None:
        await seed_stores(handlers, plan.pickup_locations, plan.skus, seed_value=500)

    dsn = await seeded_database(dbs, "pickup", seed)
    cluster = Cluster(dsn, f"meridian-bench-{uuid.uuid4().hex[:8]}")
    rng, skus = random.Random(20261202), sku_names(plan.skus)
    runs: list[PickupRun] = []
    try:
        await cluster.projections()
        port = free_port()
        # The public path, as a shop's page calls it; its per-address rate limit would stop the bench at once.
        unlimited = {"MERIDIAN_PUBLIC_RATE_PER_MINUTE": str(10**9), "MERIDIAN_PUBLIC_RATE_BURST": str(10**9)}
        await cluster.start("-m", "app.cli", "serve", MERIDIAN_PORT=str(port), MERIDIAN_DB_POOL_MAX="10", **unlimited)
        url = await ready(f"http://127.0.0.1:{port}")
        serve_pid = cluster.pids()[-1]
        await projections_caught_up(dsn)
        limits = httpx.Limits(max_connections=plan.pickup_clients, max_keepalive_connections=plan.pickup_clients)
        async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
            listed: list[int] = []
            available: list[int] = []

            async def ask(_: int) -> bool:
                shopper = cart(rng, skus)
                variables = {"input": {"lines": shopper["lines"], "near": shopper["shipTo"]}}
                body = orjson.dumps({"query": PICKUP_OPTIONS, "variables": variables})
                response = await client.post(
                    f"{url}/graphql", content=body, headers={"Content-Type": "application/json"}
                )
                if response.status_code != 200:
                    return False
                answer = orjson.loads(response.content)
                if answer.get("errors"):
                    return False
                options = answer["data"]["pickupOptions"]
                listed.append(len(options))
                available.append(sum(o["available"] for o in options))
                return True

            for i in range(20):  # warm-up: caches, connections, the first plans of each query
                await ask(i)
            for _ in range(plan.runs):
                listed.clear()
                available.clear()
                before = cpu_seconds([serve_pid])
                result = await closed_loop(ask, plan.pickup_clients, plan.pickup_seconds)
                cpu = 1000 * (cpu_seconds([serve_pid]) - before) / max(1, len(result.latencies_ms))
                runs.append(PickupRun(result, cpu, list(listed), list(available)))
    finally:
        await cluster.stop()
    context: dict[str, Any] = {
        "caller": "anonymous over HTTP, public rate limit raised",
        "clients": plan.pickup_clients,
        "seconds": plan.pickup_seconds,
        "locations": plan.pickup_locations,
        "skus": plan.skus,
        "radius_km": 50,
        "errors": sum(r.result.errors for r in runs),
        "options_per_answer_mean": round(
            sum(sum(r.listed) for r in runs) / max(1, sum(len(r.listed) for r in runs)), 2
        ),
        "available_per_answer_mean": round(
            sum(sum(r.available) for r in runs) / max(1, sum(len(r.available) for r in runs)), 2
        ),
        **env,
    }
    emit(BENCH, "pickup_options_per_s", [r.result.achieved_per_s for r in runs], "requests/s", **context)
    emit(BENCH, "pickup_options_p50_ms", [r.result.p(0.50) for r in runs], "ms", **context)
    emit(BENCH, "pickup_options_p99_ms", [r.result.p(0.99) for r in runs], "ms", target_max=50, **context)
    emit(BENCH, "pickup_options_serve_cpu_ms_per_call", [r.serve_cpu_ms_per_call for r in runs], "ms", **context)


async def main(plan: Plan, quick: bool, only: str) -> None:
    async with Databases(server_dsn()) as dbs:
        env = {"quick": quick, "db_pool_max": 10, **await server_settings(dbs.server)}
        env["load_average_at_start"] = round(os.getloadavg()[0], 2)  # a shared machine: what else was running
        if only in ("all", "declines"):
            await bench_declines(plan, dbs, env)
        if only in ("all", "pickup"):
            await bench_pickup(plan, dbs, env)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few seconds per step: checks the bench, not Meridian")
    parser.add_argument("--only", choices=["all", "declines", "pickup"], default="all")
    args = parser.parse_args()
    # The load generator shares the two cores with Meridian: uvloop keeps its own CPU per request down.
    uvloop.run(main(QUICK if args.quick else FULL, args.quick, args.only))
