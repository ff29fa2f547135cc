"""API bench: what GraphQL costs per request over the same database work, and the delivery promise's speed.

Run `python bench/api.py` (add `--quick` for a smoke run of a few seconds per step). On a fresh database
seeded with the demo network (app/seed.py: 12 locations, 300 SKUs) it starts, as separate processes,
`meridian serve` (uvicorn, one process), the bare Starlette endpoint of bench/_bare.py (same uvicorn
configuration, same services, no GraphQL) and one `meridian worker` (the projections must move for
read-your-writes). This process is the load generator (asyncio + httpx), open loop at fixed arrival rates:

- `placeOrder` against POST /place (Handlers.handle(PlaceOrder) + the read-your-writes wait + reading the
  order back), and `order(id)` against GET /order/{id} (the same read-model query), at each rate;
- `fulfillmentOptions` at a fixed rate, and closed loop at its maximum;
- the floors under it, closed loop: the smallest GraphQL request (`{ __typename }`) and `GET /healthz` (no
  GraphQL), each with the server's CPU per call: what any operation costs before its own work.

Prints one JSON object per line: medians of at least three runs (runs interleave the two endpoints so drift
hits both), and the GraphQL-over-bare latency ratios (target <= 2) and the promise's figures (target
>= 1000/s, p99 < 100 ms; also the server's CPU milliseconds per call, steadier than rates on a shared
machine). DATABASE_URL names the PostgreSQL server; REDIS_URL the Redis.

`--only promise` measures the delivery promise alone (no bare endpoint, no orders placed); `--profile FILE`
records the `meridian serve` process with py-spy (raw folded stacks) during the promise's closed-loop runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder heads sys.path; the project root must come first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import contextlib
import random
import shutil
import signal
import subprocess
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import orjson
import uvloop

from app.seed import demo_skus
from app.seed import seed as seed_demo
from bench._common import Databases, emit, server_dsn, server_settings
from bench._network import (
    FULFILMENT_OPTIONS,
    ORDER,
    PLACE_ORDER,
    Http,
    cart,
    graphql,
    projections_caught_up,
    seeded_database,
    settled,
)
from bench._openloop import Call, Result, closed_loop, open_loop
from bench._processes import Cluster, cpu_seconds

BENCH = "api"


@dataclass(frozen=True)
class Plan:
    rates: tuple[int, ...]
    seconds: float
    runs: int
    skus: int
    promise_rate: int
    promise_clients: int
    promise_only: bool = False


FULL = Plan(rates=(50, 100, 200), seconds=5.0, runs=3, skus=300, promise_rate=1000, promise_clients=32)
QUICK = Plan(rates=(50,), seconds=1.0, runs=3, skus=30, promise_rate=200, promise_clients=8)


class Calls:
    """The requests, as open-loop calls; placed order ids are kept for the `order(id)` phase."""

    def __init__(self, http: Http, graphql_url: str, bare_url: str, skus: list[str], seed: int):
        self.http, self.graphql_url, self.bare_url = http, graphql_url, bare_url
        self.skus, self.rng = skus, random.Random(seed)
        self.placed: list[str] = []

    async def place_graphql(self, _: int) -> bool:
        data = await graphql(self.http, self.graphql_url, PLACE_ORDER, {"input": cart(self.rng, self.skus)})
        if data is None or data["placeOrder"]["order"] is None:
            return False
        self.placed.append(data["placeOrder"]["order"]["id"].removeprefix("Order:"))
        return True

    async def place_bare(self, _: int) -> bool:
        body = cart(self.rng, self.skus)
        ship_to = body.pop("shipTo")
        response = await self.http.post(f"{self.bare_url}/place", orjson.dumps(body | ship_to))
        return response.status_code == 200 and orjson.loads(response.content)["order"] is not None

    def _some_order(self, i: int) -> str:
        return self.placed[(i * 7919) % len(self.placed)]

    async def order_graphql(self, i: int) -> bool:
        data = await graphql(self.http, self.graphql_url, ORDER, {"id": self._some_order(i)})
        return data is not None and data["order"] is not None

    async def order_bare(self, i: int) -> bool:
        response = await self.http.get(f"{self.bare_url}/order/{self._some_order(i)}")
        return response.status_code == 200 and orjson.loads(response.content)["order"] is not None

    async def promise(self, _: int) -> bool:
        body = cart(self.rng, self.skus)
        variables = {"input": {"lines": body["lines"], "shipTo": body["shipTo"]}}
        data = await graphql(self.http, self.graphql_url, FULFILMENT_OPTIONS, variables)
        return data is not None

    async def smallest(self, _: int) -> bool:
        """A floor: the smallest GraphQL request, through the same middleware, caches and executor."""
        return await graphql(self.http, self.graphql_url, "{ __typename }", {}) is not None

    async def liveness(self, _: int) -> bool:
        """The floor under that: uvicorn, Starlette and the middleware, no GraphQL (GET /healthz)."""
        return (await self.http.get(f"{self.graphql_url}/healthz")).status_code == 200


async def warm_up(plan: Plan, calls: Calls) -> None:
    steps = [calls.place_graphql, calls.place_bare, calls.order_graphql, calls.order_bare]
    for call in [calls.promise] if plan.promise_only else [*steps, calls.promise]:
        for i in range(20):
            await call(i)


@contextlib.contextmanager
def profiled(pid: int, output: str | None) -> Iterator[None]:
    """py-spy records `pid` (raw folded stacks, 200 Hz) while the block runs; nothing when `output` is None."""
    if output is None:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    args = [spy, "record", "-p", str(pid), "-r", "200", "-f", "raw", "-o", output, "--nonblocking"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        process.wait(30)


Results = dict[tuple[str, str, int], list[Result]]


async def measure(
    plan: Plan, calls: Calls, dsn: str, serve_pid: int, profile: str | None
) -> tuple[Results, dict[str, list[float]]]:
    """The figures, and the serve process's CPU milliseconds per call in each closed-loop run: the promise, and
    the floors under it (the smallest GraphQL request; a route without GraphQL)."""
    results: Results = defaultdict(list)
    cpu_per_call: dict[str, list[float]] = defaultdict(list)

    async def closed(op: str, endpoint: str, call: Call) -> None:
        before = cpu_seconds([serve_pid])
        result = await closed_loop(call, plan.promise_clients, plan.seconds)
        cpu_per_call[op].append(1000 * (cpu_seconds([serve_pid]) - before) / max(1, len(result.latencies_ms)))
        results[(f"{op}_max", endpoint, 0)].append(result)

    steps: list[tuple[str, str, Call]] = [
        ("place_order", "graphql", calls.place_graphql),
        ("place_order", "bare", calls.place_bare),
        ("order", "graphql", calls.order_graphql),
        ("order", "bare", calls.order_bare),
    ]
    for _ in range(plan.runs):
        for rate in () if plan.promise_only else plan.rates:
            for op, endpoint, call in steps:
                results[(op, endpoint, rate)].append(await open_loop(call, rate, plan.seconds, max_in_flight=IN_FLIGHT))
                await settled(dsn)  # the next step must not measure this one's sourcing backlog
        results[("fulfillment_options", "graphql", plan.promise_rate)].append(
            await open_loop(calls.promise, plan.promise_rate, plan.seconds, max_in_flight=IN_FLIGHT)
        )
        with profiled(serve_pid, profile):
            await closed("fulfillment_options", "graphql", calls.promise)
        await closed("smallest_query", "graphql", calls.smallest)
        await closed("liveness", "starlette", calls.liveness)
    return results, cpu_per_call


# Requests in flight at most (later ones are dropped and counted as errors): with thousands of connections
# open, httpx's own bookkeeping takes a core of the two the server runs on, and the bench measures itself.
IN_FLIGHT = 128


def report(plan: Plan, results: Results, cpu_per_call: dict[str, list[float]], env: dict[str, Any]) -> None:
    for (op, endpoint, rate), runs in results.items():
        context: dict[str, Any] = {"endpoint": endpoint, "seconds": plan.seconds, **env}
        if rate:
            context["offered_per_s"] = rate
        else:
            context["clients"] = plan.promise_clients
        context["errors"] = sum(r.errors + r.dropped for r in runs)
        emit(BENCH, f"{op}_per_s", [r.achieved_per_s for r in runs], "requests/s", **context)
        emit(BENCH, f"{op}_p50_ms", [r.p(0.50) for r in runs], "ms", **context)
        emit(BENCH, f"{op}_p99_ms", [r.p(0.99) for r in runs], "ms", **context)
    for op, cpu in cpu_per_call.items():
        emit(BENCH, f"{op}_serve_cpu_ms_per_call", cpu, "ms", clients=plan.promise_clients, **env)
    for op in () if plan.promise_only else ("place_order", "order"):
        for rate in plan.rates:
            gql, bare = results[(op, "graphql", rate)], results[(op, "bare", rate)]
            for q, name in ((0.50, "p50"), (0.99, "p99")):
                ratios = [g.p(q) / b.p(q) for g, b in zip(gql, bare, strict=True)]
                emit(BENCH, f"{op}_graphql_over_bare_{name}", ratios, "x", offered_per_s=rate, target_max=2.0, **env)
    promise = results[("fulfillment_options", "graphql", plan.promise_rate)]
    ok = [r.achieved_per_s >= 1000 and r.p(0.99) < 100 for r in promise]
    emit(BENCH, "fulfillment_options_runs_meeting_target", [sum(ok) / len(ok)], "fraction",
         target="offered 1000/s served with p99 < 100 ms", offered_per_s=plan.promise_rate, **env)  # fmt: skip


async def main(plan: Plan, quick: bool, profile: str | None) -> None:
    skus = demo_skus(plan.skus)

    async def seed(handlers: Any) -> None:
        await seed_demo(handlers, skus=plan.skus)

    async with Databases(server_dsn()) as dbs:
        env = {"quick": quick, "db_pool_max": 10, **await server_settings(dbs.server)}
        dsn = await seeded_database(dbs, "api", seed)
        cluster = Cluster(dsn, f"meridian-bench-{uuid.uuid4().hex[:8]}")
        try:
            await cluster.worker(projections=False)
            await cluster.projections()
            graphql_url = await cluster.serve()
            serve_pid = cluster.pids()[-1]
            bare_url = "" if plan.promise_only else await cluster.bare()
            await projections_caught_up(dsn)
            async with Http(connections=IN_FLIGHT) as http:
                calls = Calls(http, graphql_url, bare_url, skus, seed=20250611)
                await warm_up(plan, calls)
                results, cpu_per_call = await measure(plan, calls, dsn, serve_pid, profile)
        finally:
            await cluster.stop()
        report(plan, results, cpu_per_call, env)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few seconds per step: checks the bench, not the API")
    parser.add_argument("--only", choices=["all", "promise"], default="all", help="promise: fulfillmentOptions only")
    parser.add_argument("--profile", metavar="FILE", help="py-spy raw stacks of the serve process (promise runs)")
    args = parser.parse_args()
    chosen = replace(QUICK if args.quick else FULL, promise_only=args.only == "promise")
    uvloop.run(main(chosen, args.quick, args.profile))  # the load generator shares the cores: keep it lean
