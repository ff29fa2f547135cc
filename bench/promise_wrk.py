"""Delivery-promise bench driven by wrk: `fulfillmentOptions` calls/s and latency, measured from outside.

Run `python bench/promise_wrk.py` (add `--quick` for a smoke run of a second per step). A Python load generator
on the same two cores measures itself (httpx topped out near 420 calls/s); wrk is a C load generator costing
a few microseconds of CPU per call. On a fresh database seeded with the demo network (app/seed.py, as
`make run`) it starts `meridian serve` (`--processes N`: N API processes on the one port; persisted queries are
registered with each) and `meridian project` as separate processes, then runs wrk closed loop
(`--connections` keep-alive connections, one wrk thread) POSTing `fulfillmentOptions` for 64 different carts
with a Lua script, anonymously as a shopper does (the public rate limit raised for the run), in two modes:

- `text`: the operation's text in every request, as clients send it today;
- `persisted`: the operation named by its sha256 alone (automatic persisted queries, app/api/persisted.py),
  registered once before the run.

Prints one JSON object per line, medians of the runs (the modes interleave, so drift hits both): calls/s
(target >= 3000), p50/p99 latency (target p99 < 25 ms), the CPU milliseconds per call of `meridian serve`,
PostgreSQL and wrk itself (from /proc and wait4), and the answers that were not a success (a non-2xx status or
a GraphQL error in the body). wrk must be installed (`apt-get install wrk`). DATABASE_URL names the
PostgreSQL server; REDIS_URL the Redis.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder heads sys.path; the project root must come first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import hashlib
import json
import os
import random
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, replace
from typing import Any

import httpx
import orjson
import uvloop

from app.seed import demo_skus
from app.seed import seed as seed_demo
from bench._common import Databases, database_of, emit, server_dsn, server_settings
from bench._network import FULFILMENT_OPTIONS, cart, projections_caught_up, seeded_database
from bench._processes import Cluster, PostgresCpu, cpu_seconds

BENCH = "promise_wrk"
MODES = ("text", "persisted")
CARTS = 64
OPTIONS_HASH = hashlib.sha256(FULFILMENT_OPTIONS.encode()).hexdigest()


@dataclass(frozen=True)
class Plan:
    seconds: float
    runs: int
    connections: int
    skus: int
    processes: int = 1  # `meridian serve --processes N`


FULL = Plan(seconds=10.0, runs=3, connections=32, skus=300)
QUICK = Plan(seconds=1.0, runs=3, connections=8, skus=30)

# Per wrk thread: counts answers that are not a success; `done` sums the threads' counts and prints the
# figures as one JSON line (latencies in microseconds).
LUA = """
local bodies = {%(bodies)s}
local counter = 0
local threads = {}
failures = 0

function setup(thread)
  table.insert(threads, thread)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[(counter %% #bodies) + 1])
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,"failed":%%d,"socket_errors":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), failed,
    e.connect + e.read + e.write + e.timeout))
end
"""


def bodies(mode: str, skus: list[str], rng: random.Random) -> list[bytes]:
    made = []
    for _ in range(CARTS):
        order = cart(rng, skus)
        body: dict[str, Any] = {"variables": {"input": {"lines": order["lines"], "shipTo": order["shipTo"]}}}
        if mode == "text":
            body["query"] = FULFILMENT_OPTIONS
        else:
            body["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": OPTIONS_HASH}}
        made.append(orjson.dumps(body))
    return made


def lua_script(requests: list[bytes]) -> str:
    return LUA % {"bodies": ", ".join(f"[==[{body.decode()}]==]" for body in requests)}


@dataclass(frozen=True)
class Run:
    calls_per_s: float
    p50_ms: float
    p99_ms: float
    failed: int
    serve_cpu_ms: float
    postgres_cpu_ms: float
    wrk_cpu_ms: float


def wrk(url: str, script: str, plan: Plan, serve_pid: int, database: str) -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        seconds = max(1, round(plan.seconds))  # wrk takes whole seconds
        args = ["wrk", "-t1", f"-c{plan.connections}", f"-d{seconds}s", "-s", lua.name, f"{url}/graphql"]
        postgres_cpu = PostgresCpu(database)
        before = cpu_seconds([serve_pid]), postgres_cpu.seconds()
        process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        serve, postgres = cpu_seconds([serve_pid]) - before[0], postgres_cpu.seconds() - before[1]
    if process.returncode != 0:
        raise RuntimeError(f"wrk exited with {process.returncode}: {out}")
    figures = json.loads(out.strip().splitlines()[-1])
    calls = max(1, figures["requests"])
    return Run(
        calls_per_s=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        failed=figures["failed"] + figures["socket_errors"],
        serve_cpu_ms=1000 * serve / calls,
        postgres_cpu_ms=1000 * postgres / calls,
        wrk_cpu_ms=1000 * (usage.ru_utime + usage.ru_stime) / calls,
    )


async def register(url: str, request: bytes, processes: int) -> None:
    """Sends the operation's text once with its hash (persisted mode) to every API process, and checks both
    modes' answers. Each process keeps its own persisted queries, and the kernel picks the process per
    connection, so it registers on fresh connections until every process has answered (X-Meridian-Process)."""
    body = orjson.loads(request)
    registering = {**body, "query": FULFILMENT_OPTIONS}
    seen: set[str] = set()
    for _ in range(50 * processes):
        async with httpx.AsyncClient() as client:  # a new connection each time
            for sent in (registering, body):
                response = await client.post(f"{url}/graphql", json=sent)
                if "errors" in (answer := response.json()):
                    raise RuntimeError(f"fulfillmentOptions failed: {answer}")
            seen.add(response.headers["x-meridian-process"])
        if len(seen) == processes:
            return
    raise RuntimeError(f"only {len(seen)} of {processes} API processes answered")


def report(plan: Plan, results: dict[str, list[Run]], env: dict[str, Any]) -> None:
    for mode, runs in results.items():
        context = {"mode": mode, "connections": plan.connections, "processes": plan.processes, "seconds": plan.seconds}
        context |= env
        context["failed"] = sum(r.failed for r in runs)
        emit(BENCH, "calls_per_s", [r.calls_per_s for r in runs], "calls/s", target_min=3000, **context)
        emit(BENCH, "p50_ms", [r.p50_ms for r in runs], "ms", **context)
        emit(BENCH, "p99_ms", [r.p99_ms for r in runs], "ms", target_max=25, **context)
        emit(BENCH, "serve_cpu_ms_per_call", [r.serve_cpu_ms for r in runs], "ms", **context)
        emit(BENCH, "postgres_cpu_ms_per_call", [r.postgres_cpu_ms for r in runs], "ms", **context)
        emit(BENCH, "wrk_cpu_ms_per_call", [r.wrk_cpu_ms for r in runs], "ms", **context)


async def main(plan: Plan, quick: bool) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    skus = demo_skus(plan.skus)

    async def seed(handlers: Any) -> None:
        await seed_demo(handlers, skus=plan.skus)

    scripts = {mode: lua_script(bodies(mode, skus, random.Random(20250611))) for mode in MODES}
    async with Databases(server_dsn()) as dbs:
        env = {"quick": quick, "db_pool_max": 10, **await server_settings(dbs.server)}
        dsn = await seeded_database(dbs, "promise", seed)
        database = database_of(dsn)
        cluster = Cluster(dsn, f"meridian-bench-{uuid.uuid4().hex[:8]}")
        results: dict[str, list[Run]] = {mode: [] for mode in MODES}
        try:
            await cluster.projections()
            # Shoppers call without a token: the public rate limit is raised so that it is the server measured.
            url = await cluster.serve(
                MERIDIAN_PUBLIC_RATE_PER_MINUTE="1000000000",
                MERIDIAN_PUBLIC_RATE_BURST="10000",
                MERIDIAN_API_PROCESSES=str(plan.processes),
            )
            serve_pid = cluster.pids("api")[0]
            await projections_caught_up(dsn)
            await register(url, bodies("persisted", skus, random.Random(1))[0], plan.processes)
            warm = replace(plan, seconds=1.0, runs=1)
            for mode in MODES:
                await asyncio.to_thread(wrk, url, scripts[mode], warm, serve_pid, database)  # not reported
            for _ in range(plan.runs):
                for mode in MODES:
                    results[mode].append(await asyncio.to_thread(wrk, url, scripts[mode], plan, serve_pid, database))
        finally:
            await cluster.stop()
        report(plan, results, env)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a second per step: checks the bench, not the API")
    parser.add_argument("--connections", type=int, help="wrk's keep-alive connections (closed loop)")
    parser.add_argument("--seconds", type=float, help="each run's length")
    parser.add_argument("--processes", type=int, default=1, help="API processes (`meridian serve --processes N`)")
    args = parser.parse_args()
    chosen = QUICK if args.quick else FULL
    chosen = Plan(
        seconds=args.seconds or chosen.seconds,
        runs=chosen.runs,
        connections=args.connections or chosen.connections,
        skus=chosen.skus,
        processes=args.processes,
    )
    uvloop.run(main(chosen, args.quick))
