"""Cart reservations bench: `reserveCart` then `placeOrder(reservationId)` over GraphQL, and the expiry lag.

Run `python bench/carts.py` (add `--quick` for a smoke run). On a fresh database seeded like bench/e2e.py (a
network of US locations, every SKU stocked at 2-5 of them) it starts `meridian serve`, one `meridian worker`
(actors, dispatcher, the sweeps) and `meridian project` as separate processes, then:

- checkout: carts arrive at a fixed rate (open loop, 100 carts/s by default); each is reserved and, once held,
  placed as an order from its reservation. Per cart: reserveCart latency, placeOrder latency, and the two
  together (the checkout), p50/p99 from the cart's scheduled start;
- expiry: carts are reserved with the shortest TTL (30 s) and left to expire; per cart, the lag from its
  `expiresAt` until the read model shows it EXPIRED (its units back in ATP: the stock rows change in the same
  projection batch), p50/p99/max. The lag is the sweep period, the job's trip through Redis and the worker, and
  the projection's batch.

DATABASE_URL names the PostgreSQL server; REDIS_URL the Redis. Figures are JSON lines, as every bench prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder heads sys.path; the project root must come first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import dataclasses
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import uvloop

from app.handlers import Handlers
from bench._common import Databases, emit, percentile, server_dsn, server_settings
from bench._network import PLACE_ORDER, Http, cart, graphql, projections_caught_up, seeded_database
from bench._openloop import open_loop
from bench._processes import Cluster
from bench.e2e import Plan as NetworkPlan
from bench.e2e import seed_network, sku_names
from eventstore import create_pool

BENCH = "carts"
RESERVE_CART = """
mutation Reserve($input: ReserveCartInput!) {
  reserveCart(input: $input) { reservation { id expiresAt } userErrors { field message code } }
}"""
TTL = 30  # seconds: the shortest a reservation may hold


@dataclass(frozen=True)
class Plan:
    network: NetworkPlan
    rate: int  # carts per second
    seconds: float
    runs: int
    expiring: int  # carts left to expire, per run
    max_in_flight: int = 128


FULL = Plan(NetworkPlan(50, 1000, 1, (), 0, 0), rate=100, seconds=8.0, runs=3, expiring=300)
QUICK = Plan(NetworkPlan(10, 100, 1, (), 0, 0), rate=100, seconds=1.5, runs=1, expiring=30)


@dataclass
class Checkout:
    reserve_ms: list[float] = field(default_factory=list)
    place_ms: list[float] = field(default_factory=list)
    refused: int = 0  # carts the network could not hold (all or nothing): not an error, not timed


async def checkout_step(plan: Plan, http: Http, url: str, seed: int) -> tuple[Checkout, list[float], int]:
    rng = random.Random(seed)
    skus = sku_names(plan.network.skus)
    step = Checkout()

    async def one(_: int) -> bool:
        order = cart(rng, skus)
        started = time.perf_counter()
        reserved = await graphql(http, url, RESERVE_CART, {"input": order})
        if reserved is None:
            return False
        held = reserved["reserveCart"]["reservation"]
        if held is None:
            step.refused += 1
            return True
        step.reserve_ms.append((time.perf_counter() - started) * 1000)
        middle = time.perf_counter()
        placed = await graphql(http, url, PLACE_ORDER, {"input": {**order, "reservationId": held["id"]}})
        if placed is None or placed["placeOrder"]["order"] is None:
            return False
        step.place_ms.append((time.perf_counter() - middle) * 1000)
        return True

    result = await open_loop(one, plan.rate, plan.seconds, max_in_flight=plan.max_in_flight)
    return step, result.latencies_ms, result.errors + result.dropped


async def expiry_step(plan: Plan, http: Http, url: str, pool: asyncpg.Pool, seed: int) -> list[float]:
    """Lags (ms) from each cart's expiresAt to the read model showing it EXPIRED."""
    rng = random.Random(seed)
    skus = sku_names(plan.network.skus)
    expires: dict[str, float] = {}

    async def one(_: int) -> bool:
        reserved = await graphql(http, url, RESERVE_CART, {"input": {**cart(rng, skus), "ttlSeconds": TTL}})
        held = reserved["reserveCart"]["reservation"] if reserved else None
        if held is not None:
            expires[str(held["id"]).removeprefix("CartReservation:")] = datetime.fromisoformat(
                held["expiresAt"]
            ).timestamp()
        return held is not None

    await open_loop(one, min(plan.rate, plan.expiring), plan.expiring / min(plan.rate, plan.expiring))
    seen: dict[str, float] = {}
    deadline = time.time() + TTL + 60
    while len(seen) < len(expires) and time.time() < deadline:
        pending = [cid for cid in expires if cid not in seen]
        rows = await pool.fetch(
            "SELECT cart_id FROM readmodel.cart_reservations WHERE cart_id = ANY($1::TEXT[]) AND status = 'EXPIRED'",
            pending,
        )
        now = time.time()  # wall clock: expiresAt is the server's wall-clock time
        for row in rows:
            seen[row[0]] = now
        await asyncio.sleep(0.02)
    return [(seen[cid] - at) * 1000 for cid, at in expires.items() if cid in seen] + [
        float("inf") for cid in expires if cid not in seen
    ]


async def main(plan: Plan, quick: bool) -> None:
    async def seed(handlers: Handlers) -> None:
        await seed_network(handlers, plan.network)

    async with Databases(server_dsn()) as dbs:
        env: dict[str, Any] = {"quick": quick, "locations": plan.network.locations, "skus": plan.network.skus}
        env |= await server_settings(dbs.server)
        dsn = await seeded_database(dbs, "carts", seed)
        cluster = Cluster(dsn, f"meridian-bench-{uuid.uuid4().hex[:8]}")
        pool = await create_pool(dsn, min_size=1, max_size=2)
        checkouts: list[tuple[Checkout, list[float], int]] = []
        lags: list[list[float]] = []
        try:
            await cluster.worker(projections=False)
            await cluster.projections()
            url = await cluster.serve()
            await projections_caught_up(dsn)
            async with Http(connections=plan.max_in_flight) as http:
                await checkout_step(Plan(plan.network, 20, 1.0, 1, 0), http, url, 1)  # warm-up, not reported
                for run in range(plan.runs):
                    checkouts.append(await checkout_step(plan, http, url, 100 + run))
                    lags.append(await expiry_step(plan, http, url, pool, 200 + run))
        finally:
            await pool.close()
            await cluster.stop()
        context = env | {"offered_carts_per_s": plan.rate, "seconds": plan.seconds, "ttl_seconds": TTL}
        context |= {"errors": sum(e for _, _, e in checkouts), "refused": sum(c.refused for c, _, _ in checkouts)}
        for name, q in (("p50", 0.50), ("p99", 0.99)):
            emit(BENCH, f"reserve_cart_{name}_ms", [percentile(c.reserve_ms, q) for c, _, _ in checkouts], "ms",
                 **context)  # fmt: skip
            emit(BENCH, f"place_from_reservation_{name}_ms", [percentile(c.place_ms, q) for c, _, _ in checkouts],
                 "ms", **context)  # fmt: skip
            emit(BENCH, f"checkout_{name}_ms", [percentile(t, q) for _, t, _ in checkouts], "ms", **context)
            emit(BENCH, f"expiry_lag_{name}_ms", [percentile(lag, q) for lag in lags], "ms",
                 **({"target_max": 5000} if name == "p99" else {}), expiring=plan.expiring, **context)  # fmt: skip
        emit(BENCH, "expiry_lag_max_ms", [max(lag) for lag in lags], "ms", expiring=plan.expiring, **context)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a smoke run: checks the bench, not Meridian")
    parser.add_argument("--rate", type=int, help="carts per second (default: 100)")
    args = parser.parse_args()
    chosen = QUICK if args.quick else FULL
    if args.rate:
        chosen = dataclasses.replace(chosen, rate=args.rate)
    uvloop.run(main(chosen, args.quick))
