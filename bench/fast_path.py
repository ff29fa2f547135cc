"""The fast path against today's path, in the same run: `python bench/fast_path.py [--quick]`.

The e2e bench's cluster (bench/e2e.py: seeded network, `meridian serve`, workers with the dispatcher, `meridian
project`) with two API processes on the same database, one with `MERIDIAN_FAST_PATH=1` and one with `=0`. Each
run offers 50 and then 100 orders/s to one and then the other, so both see the same database, log size and
machine. Per step it reports placeOrder p50/p99, placement -> allocated p50/p99 as the client sees it (the read
model) and on the server's clock (the order's history: OrderPlaced to its first allocation or backorder, no
projection in between), the share of orders allocated in their placing append, and the CPU milliseconds per
order of each process kind (API, workers, projections, PostgreSQL; the idle API is not counted) from /proc.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import dataclasses
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
import uvloop

from app.handlers import Handlers
from bench._common import Databases, database_of, emit, percentile, server_dsn, server_settings
from bench._network import Http, projections_caught_up, seeded_database
from bench._processes import Cluster, PostgresCpu, cpu_seconds
from bench.e2e import Meter, Plan, Step, one_step, seed_network
from eventstore import create_pool

BENCH = "e2e_fast_path"
FULL = Plan(locations=50, skus=1000, workers=2, rates=(50, 100), seconds=8.0, runs=3)
QUICK = Plan(locations=10, skus=100, workers=1, rates=(50, 100), seconds=2.0, runs=1)
MODES = ("on", "off")

# Per order of the step: when it was placed and when first allocated or backordered, on the server's clock.
HISTORY = """
SELECT p.stream_id,
       bool_or((p.data::jsonb->>'allocated_on_placement')::boolean IS TRUE) AS fast,
       EXTRACT(EPOCH FROM (min(d.recorded_at) - min(p.recorded_at))) * 1000 AS decided_ms
FROM events p
JOIN events d ON d.stream_id = p.stream_id AND d.event_type IN ('OrderAllocated', 'OrderBackordered')
WHERE p.event_type = 'OrderPlaced' AND p.recorded_at >= $1
GROUP BY p.stream_id
"""


@dataclass
class Measured:
    step: Step
    cpu_ms_per_order: dict[str, float]
    server_ms: list[float]
    fast_share: float


async def measure(
    plan: Plan, rate: int, http: Http, url: str, pool: asyncpg.Pool, cluster: Cluster, database: str,
    roles: dict[str, list[int]],
) -> Measured:  # fmt: skip
    postgres = PostgresCpu(database)

    def cpu() -> dict[str, float]:
        return {role: cpu_seconds(pids) for role, pids in roles.items()} | {"postgres": postgres.seconds()}

    started_at = await pool.fetchval("SELECT clock_timestamp()")
    before = cpu()
    step = await one_step(plan, rate, http, url, pool, Meter(cluster, database, frozenset()))
    after = cpu()
    rows = await pool.fetch(HISTORY, started_at)
    orders = max(len(step.place_ms), 1)
    spent = {role: (after[role] - before[role]) * 1000 / orders for role in after}
    spent["total"] = sum(spent.values())
    return Measured(
        step=step,
        cpu_ms_per_order=spent,
        server_ms=[float(r["decided_ms"]) for r in rows],
        fast_share=sum(1 for r in rows if r["fast"]) / len(rows) if rows else 0.0,
    )


def report(plan: Plan, rate: int, mode: str, runs: list[Measured], env: dict[str, Any]) -> None:
    context: dict[str, Any] = {"offered_per_s": rate, "fast_path": mode, "seconds": plan.seconds, **env}
    context |= {"errors": sum(m.step.errors for m in runs), "unfinished": sum(m.step.unfinished for m in runs)}
    emit(BENCH, "orders_per_s", [m.step.orders_per_s for m in runs], "orders/s", **context)
    emit(BENCH, "fast_path_share", [m.fast_share for m in runs], "fraction", **context)
    for name, q in (("p50", 0.50), ("p99", 0.99)):
        emit(BENCH, f"place_order_{name}_ms", [percentile(m.step.place_ms, q) for m in runs], "ms", **context)
        emit(BENCH, f"place_to_allocated_{name}_ms", [percentile(m.step.allocated_ms, q) for m in runs], "ms",
             **context)  # fmt: skip
        emit(BENCH, f"server_place_to_allocated_{name}_ms", [percentile(m.server_ms, q) for m in runs], "ms",
             **context)  # fmt: skip
    for role in runs[0].cpu_ms_per_order:
        emit(BENCH, f"cpu_ms_per_order_{role}", [m.cpu_ms_per_order[role] for m in runs], "ms", **context)


async def main(plan: Plan, quick: bool) -> None:
    async def seed(handlers: Handlers) -> None:
        await seed_network(handlers, plan)

    async with Databases(server_dsn()) as dbs:
        env = {"quick": quick, "workers": plan.workers, "locations": plan.locations, "skus": plan.skus}
        env |= await server_settings(dbs.server)
        dsn = await seeded_database(dbs, "e2e_fast_path", seed)
        database = database_of(dsn)
        cluster = Cluster(dsn, f"meridian-bench-{uuid.uuid4().hex[:8]}")
        pool = await create_pool(dsn, min_size=1, max_size=2)
        results: dict[tuple[int, str], list[Measured]] = {(r, m): [] for r in plan.rates for m in MODES}
        try:
            roles: dict[str, list[int]] = {"workers": [], "projections": []}
            for _ in range(plan.workers):
                await cluster.worker(projections=False)
                roles["workers"].append(cluster.processes[-1].pid)
            await cluster.projections()
            roles["projections"].append(cluster.processes[-1].pid)
            urls: dict[str, str] = {}
            apis: dict[str, int] = {}
            for mode in MODES:
                urls[mode] = await cluster.serve(MERIDIAN_FAST_PATH="1" if mode == "on" else "0")
                apis[mode] = cluster.processes[-1].pid
            await projections_caught_up(dsn)
            async with Http(connections=plan.max_in_flight) as http:
                for mode in MODES:  # warm-up, not reported
                    await one_step(plan, 20, http, urls[mode], pool, Meter(cluster, database, frozenset()))
                for _ in range(plan.runs):
                    for rate in plan.rates:
                        for mode in MODES:
                            mine = roles | {"api": [apis[mode]]}
                            measured = await measure(plan, rate, http, urls[mode], pool, cluster, database, mine)
                            results[(rate, mode)].append(measured)
        finally:
            await pool.close()
            await cluster.stop()
        for (rate, mode), runs in results.items():
            report(plan, rate, mode, runs, env)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few seconds per step: checks the bench")
    parser.add_argument("--seconds", type=float, help="seconds per step (default: the plan's)")
    parser.add_argument("--runs", type=int, help="runs of each step (default: the plan's)")
    parser.add_argument("--rates", help="offered orders/s to run, comma-separated (default: the plan's)")
    args = parser.parse_args()
    chosen = QUICK if args.quick else FULL
    chosen = dataclasses.replace(chosen, seconds=args.seconds or chosen.seconds, runs=args.runs or chosen.runs)
    if args.rates:
        chosen = dataclasses.replace(chosen, rates=tuple(int(rate) for rate in args.rates.split(",")))
    uvloop.run(main(chosen, args.quick))
