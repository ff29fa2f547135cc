"""Overload bench: orders offered at three times what Meridian sustains, against its back-pressure.

Run `python bench/overload.py` (add `--quick` for a smoke run of a few seconds). On a fresh database seeded like
bench/e2e.py's, it starts `meridian serve`, a worker (sourcing actors and dispatcher) and `meridian project` as
separate processes, with the admission limits of the environment (MERIDIAN_OVERLOAD_*, defaults otherwise).

Each run first measures the sustainable rate: orders offered far above capacity for a few seconds; the rate at
which the accepted ones were allocated is what the system sustains. Then it offers three times that rate (open
loop: requests start on schedule whatever the answers) and reports, per run: the accepted and refused counts,
p50/p99 of the accepted orders' placeOrder latency (target p99 < 1 s), p99 and max of the refusals' latency
(target < 50 ms), and, once the backlog drained, how many acknowledged orders are not allocated (must be 0) and
how many orders were placed that nobody acknowledged (0: a refusal appends nothing).

The load generator is the benches' bare HTTP/1.1 client (bench/_network.py's Http): httpx's per-request CPU,
on the same two cores, would measure the client. A request due while every connection is busy is not sent
(`dropped`).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson
import uvloop

from bench._common import Databases, emit, percentile, server_dsn, server_settings
from bench._network import PLACE_ORDER, Http, cart, projections_caught_up, seeded_database
from bench._processes import Cluster
from bench.e2e import DONE, Plan, seed_network, sku_names
from eventstore import create_pool

BENCH = "overload"
OVERLOAD_FACTOR = 3


@dataclass(frozen=True)
class Shape:
    network: Plan
    probe_rate: int  # far above capacity: what the system accepts under it is what it sustains
    probe_seconds: float
    seconds: float
    runs: int
    max_connections: int = 512  # the client's own cap; the server's in-flight limit should refuse long before
    drain_timeout: float = 120.0


FULL = Shape(Plan(50, 1000, 2, (), 0, 0), probe_rate=1000, probe_seconds=5.0, seconds=15.0, runs=3)
QUICK = Shape(Plan(10, 100, 1, (), 0, 0), probe_rate=300, probe_seconds=1.5, seconds=2.0, runs=3)


@dataclass
class Outcome:
    accepted_ms: list[float] = field(default_factory=list)
    refused_ms: list[float] = field(default_factory=list)
    accepted_ids: list[str] = field(default_factory=list)
    errors: int = 0  # anything but an order or an OVERLOADED refusal with Retry-After
    error_kinds: dict[str, int] = field(default_factory=dict)
    dropped: int = 0  # not sent: every connection the client allows was busy
    late_ms: list[float] = field(default_factory=list)  # how late the client itself started each request
    started: float = 0.0
    seconds: float = 0.0

    def failed(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


async def offer(http: Http, url: str, rate: float, seconds: float, rng: random.Random, skus: list[str]) -> Outcome:
    """Open loop: request i starts at start + i/rate; latency counts from then (no coordinated omission)."""
    out = Outcome(started=time.perf_counter())
    tasks: set[asyncio.Task[None]] = set()

    async def one(body: bytes, scheduled: float) -> None:
        out.late_ms.append((time.perf_counter() - scheduled) * 1000)
        if http.saturated():
            out.dropped += 1
            return
        try:
            answer = await http.post(f"{url}/graphql", body)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            out.failed(type(exc).__name__)
            return
        status, headers, content = answer.status_code, answer.headers, answer.content
        elapsed = (time.perf_counter() - scheduled) * 1000
        payload = (orjson.loads(content).get("data") or {}).get("placeOrder") or {}
        codes = [e["code"] for e in payload.get("userErrors") or ()]
        if status == 200 and payload.get("order"):
            out.accepted_ms.append(elapsed)
            out.accepted_ids.append(str(payload["order"]["id"]).removeprefix("Order:"))
        elif status == 503 and codes == ["OVERLOADED"] and headers.get("retry-after"):
            out.refused_ms.append(elapsed)
        else:
            out.failed(f"{status}:{','.join(codes) or 'no order'}")

    total = max(1, round(rate * seconds))
    for i in range(total):
        scheduled = out.started + i / rate
        if (delay := scheduled - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        body = orjson.dumps({"query": PLACE_ORDER, "variables": {"input": cart(rng, skus)}})
        task = asyncio.create_task(one(body, scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=60)
    out.seconds = time.perf_counter() - out.started
    return out


async def drained(pool: asyncpg.Pool, ids: list[str], timeout: float) -> tuple[int, float]:
    """Waits until every acknowledged order is allocated or backordered: (how many are not, when the last was)."""
    deadline = time.perf_counter() + timeout
    left = len(ids)
    while True:
        done = await pool.fetchval(
            "SELECT count(*) FROM readmodel.orders WHERE order_id = ANY($1::TEXT[]) AND status = ANY($2)", ids, DONE
        )
        left = len(ids) - done
        if left == 0 or time.perf_counter() > deadline:
            return left, time.perf_counter()
        await asyncio.sleep(0.1)


async def orders_placed(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM readmodel.orders")
    return count


@dataclass
class Run:
    sustainable_per_s: float
    offered_per_s: float
    overload: Outcome
    unallocated: int
    unacknowledged: int


async def one_run(shape: Shape, http: Http, url: str, pool: asyncpg.Pool, dsn: str, seed: int) -> Run:
    skus = sku_names(shape.network.skus)
    rng = random.Random(seed)
    before = await orders_placed(pool)
    probe = await offer(http, url, shape.probe_rate, shape.probe_seconds, rng, skus)
    _, last = await drained(pool, probe.accepted_ids, shape.drain_timeout)
    sustainable = len(probe.accepted_ids) / (last - probe.started) if probe.accepted_ids else 1.0
    await projections_caught_up(dsn)
    offered = OVERLOAD_FACTOR * sustainable
    overload = await offer(http, url, offered, shape.seconds, rng, skus)
    unallocated, _ = await drained(pool, overload.accepted_ids, shape.drain_timeout)
    await projections_caught_up(dsn)
    acknowledged = len(probe.accepted_ids) + len(overload.accepted_ids)
    return Run(sustainable, offered, overload, unallocated, await orders_placed(pool) - before - acknowledged)


def report(shape: Shape, runs: list[Run], env: dict[str, Any]) -> None:
    context = {"seconds": shape.seconds, "overload_factor": OVERLOAD_FACTOR, **env}
    context |= {"errors": sum(r.overload.errors for r in runs), "dropped": sum(r.overload.dropped for r in runs)}
    kinds: dict[str, int] = {}
    for r in runs:
        for kind, n in r.overload.error_kinds.items():
            kinds[kind] = kinds.get(kind, 0) + n
    context["error_kinds"] = kinds
    emit(BENCH, "sustainable_orders_per_s", [r.sustainable_per_s for r in runs], "orders/s", **context)
    emit(BENCH, "offered_orders_per_s", [r.offered_per_s for r in runs], "orders/s", **context)
    emit(BENCH, "accepted", [float(len(r.overload.accepted_ms)) for r in runs], "orders", **context)
    emit(BENCH, "refused", [float(len(r.overload.refused_ms)) for r in runs], "orders", **context)
    for name, q in (("p50", 0.5), ("p99", 0.99)):
        target = {"target_max": 1000} if name == "p99" else {}
        values = [percentile(r.overload.accepted_ms, q) if r.overload.accepted_ms else 0.0 for r in runs]
        emit(BENCH, f"accepted_{name}_ms", values, "ms", **target, **context)
    refusals = [r.overload.refused_ms or [0.0] for r in runs]
    emit(BENCH, "refused_p99_ms", [percentile(ms, 0.99) for ms in refusals], "ms", target_max=50, **context)
    emit(BENCH, "refused_max_ms", [max(ms) for ms in refusals], "ms", **context)
    # The part of every latency above that is the load generator's own: its event loop, on the same two cores,
    # starting a request after the moment it was due.
    emit(BENCH, "client_late_p99_ms", [percentile(r.overload.late_ms or [0.0], 0.99) for r in runs], "ms", **context)
    emit(BENCH, "acknowledged_not_allocated", [float(r.unallocated) for r in runs], "orders", target_max=0, **context)
    emit(BENCH, "placed_not_acknowledged", [float(r.unacknowledged) for r in runs], "orders", **context)


async def main(shape: Shape, quick: bool) -> None:
    async def seed(handlers: Any) -> None:
        await seed_network(handlers, shape.network)

    async with Databases(server_dsn()) as dbs:
        env: dict[str, Any] = {"quick": quick, "workers": shape.network.workers, "locations": shape.network.locations}
        env |= {"skus": shape.network.skus, "max_connections": shape.max_connections}
        env |= await server_settings(dbs.server)
        dsn = await seeded_database(dbs, "overload", seed)
        cluster = Cluster(dsn, f"meridian-bench-{uuid.uuid4().hex[:8]}")
        pool = await create_pool(dsn, min_size=1, max_size=2)
        runs: list[Run] = []
        try:
            for _ in range(shape.network.workers):
                await cluster.worker(projections=False)
            await cluster.projections()
            url = await cluster.serve()
            await projections_caught_up(dsn)
            async with Http(connections=shape.max_connections) as http:
                # Warm-up, not reported: the first orders pay for cold caches and connections.
                warm = await offer(http, url, 20, shape.probe_seconds, random.Random(-1), sku_names(shape.network.skus))
                await drained(pool, warm.accepted_ids, shape.drain_timeout)
                for n in range(shape.runs):
                    runs.append(await one_run(shape, http, url, pool, dsn, seed=n))
        finally:
            await pool.close()
            await cluster.stop()
        report(shape, runs, env)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few seconds per step: checks the bench, not Meridian")
    quick = parser.parse_args().quick
    uvloop.run(main(QUICK if quick else FULL, quick))
