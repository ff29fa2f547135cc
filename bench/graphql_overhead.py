"""GraphQL's own cost per request, in process: the Starlette app called as ASGI, one request at a time.

Run `python bench/graphql_overhead.py` (add `--quick` for a smoke run; `--profile OPERATION` prints cProfile's
top functions of that persisted operation instead of figures). On a fresh database seeded with the demo network
(app/seed.py; `meridian project` runs until the read models have caught up, then stops) it builds the API with
`create_app` in this process and calls it directly — no socket, no HTTP parser, no load generator — so what is
measured is Starlette, the middleware, strawberry and the resolvers, with each request's database round trips:

- `fulfillmentOptions` for 64 carts, anonymous (a shopper), `placeOrder` of those carts (a new order each call;
  no worker runs, so orders the fast path cannot decide stay placed), and `{ __typename }` (the smallest
  operation: the floor any request pays before its own work);
- each with the operation's text (`text`) and by its sha256 alone (`persisted`, app/api/persisted.py).

Prints one JSON object per line, medians of the runs: calls/s and p50/p99 latency per operation and mode, and
this process's CPU microseconds per call (steadier than latencies on a shared machine) with the garbage
collector's share and its full collections, and the persisted mode's saving of CPU per call. The heap built at
startup is frozen (gc.freeze) as `meridian serve` does; `--no-freeze` leaves it to the collector, for comparison.
DATABASE_URL names the PostgreSQL server.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder heads sys.path; the project root must come first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import cProfile
import dataclasses
import gc
import hashlib
import pstats
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
import uvloop
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.types import Message

from app.api.app import create_app
from app.logging import configure_logging
from app.seed import demo_skus
from app.seed import seed as seed_demo
from app.settings import Settings
from bench._common import Databases, emit, percentile, server_dsn, server_settings
from bench._network import FULFILMENT_OPTIONS, PLACE_ORDER, admin_headers, cart, projections_caught_up, seeded_database
from bench._processes import SECRET, Cluster

BENCH = "graphql_overhead"
SMALLEST = "{ __typename }"
OPERATIONS = {"fulfillment_options": FULFILMENT_OPTIONS, "place_order": PLACE_ORDER, "smallest_query": SMALLEST}
MODES = ("text", "persisted")
# Placing an order takes a signed-in caller (a shopper asks for promises anonymously).
SIGNED_IN = ((b"authorization", admin_headers()["Authorization"].encode()),)
HEADERS = {"place_order": SIGNED_IN}


@dataclass(frozen=True)
class Plan:
    calls: int
    runs: int
    skus: int


FULL = Plan(calls=3000, runs=5, skus=300)
QUICK = Plan(calls=100, runs=3, skus=30)


def bodies(query: str, mode: str, skus: list[str]) -> list[bytes]:
    rng = random.Random(20250611)
    made = []
    for _ in range(64):
        body: dict[str, Any] = {}
        order = cart(rng, skus)
        if query == FULFILMENT_OPTIONS:
            body["variables"] = {"input": {"lines": order["lines"], "shipTo": order["shipTo"]}}
        elif query == PLACE_ORDER:  # a new order each call: no idempotency key
            body["variables"] = {"input": order}
        if mode == "text":
            body["query"] = query
        else:
            body["extensions"] = {
                "persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}
            }
        made.append(orjson.dumps(body))
    return made


async def call(app: Starlette, body: bytes, headers: tuple[tuple[bytes, bytes], ...] = ()) -> bytes:
    """One POST /graphql through the whole ASGI stack, with `headers` added; the response body."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/graphql", "raw_path": b"/graphql", "query_string": b"", "root_path": "",
        "headers": [(b"host", b"bench"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()), *headers],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
    }  # fmt: skip
    sent = False
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return b"".join(chunks)


@dataclass
class Run:
    latencies_ms: list[float]
    cpu_us_per_call: float  # this process's CPU: steadier than latencies on a shared machine
    gc_us_per_call: float  # of which the cyclic garbage collector's
    full_collections: int


class Collections:
    """The garbage collector's time and full collections while a block runs (gc.callbacks)."""

    def __init__(self) -> None:
        self.seconds, self.full, self.started = 0.0, 0, 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self.started
            self.full += info["generation"] == 2


async def run(app: Starlette, requests: list[bytes], calls: int, headers: tuple[tuple[bytes, bytes], ...] = ()) -> Run:
    latencies = []
    collections = Collections()
    gc.callbacks.append(collections)
    cpu = time.process_time()
    for i in range(calls):
        started = time.perf_counter()
        answer = await call(app, requests[i % len(requests)], headers)
        latencies.append((time.perf_counter() - started) * 1000)
        if b'"errors"' in answer:
            raise RuntimeError(f"the request failed: {answer.decode()}")
    cpu = time.process_time() - cpu
    gc.callbacks.remove(collections)
    return Run(latencies, 1e6 * cpu / calls, 1e6 * collections.seconds / calls, collections.full)


async def measure(
    plan: Plan, dsn: str, profile: str | None, thawed: bool, skus: list[str], operations: list[str]
) -> dict[tuple[str, str], list[Run]]:
    """Builds the API in this process; the runs of each operation and mode (none when profiling one)."""
    settings = Settings(
        MERIDIAN_ENV="production",
        MERIDIAN_JWT_SECRET=SecretStr(SECRET),
        MERIDIAN_WEBHOOK_SECRET=SecretStr(SECRET),
        MERIDIAN_LOG_LEVEL="WARNING",
        MERIDIAN_PUBLIC_RATE_PER_MINUTE=1_000_000_000,
        MERIDIAN_PUBLIC_RATE_BURST=1_000_000,
    )
    app = create_app(settings, dsn)
    if not thawed:
        gc.freeze()  # as `meridian serve` does (app/cli.py)
    chosen = {op: OPERATIONS[op] for op in operations}
    requests = {(op, mode): bodies(query, mode, skus) for op, query in chosen.items() for mode in MODES}
    results: dict[tuple[str, str], list[Run]] = {key: [] for key in requests}
    configure_logging("WARNING")  # a request log line each call would be most of what is measured
    async with app.router.lifespan_context(app):
        for op, query in chosen.items():  # registers the hashes; warms the caches and the pool
            registering = orjson.dumps({**orjson.loads(requests[(op, "persisted")][0]), "query": query})
            await call(app, registering, HEADERS.get(op, ()))
            for key in ((op, "text"), (op, "persisted")):
                await run(app, requests[key], 50, HEADERS.get(op, ()))
        if profile:
            # On this process's CPU clock: time spent waiting for the database or the projections is not counted.
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            await run(app, requests[(profile, "persisted")], plan.calls, HEADERS.get(profile, ()))
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(45)
            stats.sort_stats("cumulative").print_stats(60)
            return {}
        for _ in range(plan.runs):
            for key in requests:  # interleaved, so drift hits every mode alike
                results[key].append(await run(app, requests[key], plan.calls, HEADERS.get(key[0], ())))
    return results


async def main(plan: Plan, quick: bool, profile: str | None, operations: list[str], thawed: bool = False) -> None:
    skus = demo_skus(plan.skus)

    async def seed(handlers: Any) -> None:
        await seed_demo(handlers, skus=plan.skus)

    async with Databases(server_dsn()) as dbs:
        env = {"quick": quick, "gc_frozen": not thawed, **await server_settings(dbs.server)}
        dsn = await seeded_database(dbs, "overhead", seed)
        cluster = Cluster(dsn, f"meridian-bench-{uuid.uuid4().hex[:8]}")
        try:
            # Running throughout: placeOrder answers once the read models include the order (read-your-writes).
            await cluster.projections()
            await projections_caught_up(dsn)
            results = await measure(plan, dsn, profile, thawed, skus, [profile] if profile else operations)
        finally:
            await cluster.stop()
    if profile:
        return
    for (op, mode), runs in results.items():
        context = {"operation": op, "mode": mode, "calls": plan.calls, **env}
        emit(BENCH, "calls_per_s", [1000 * len(r.latencies_ms) / sum(r.latencies_ms) for r in runs], "calls/s",
             **context)  # fmt: skip
        emit(BENCH, "p50_ms", [percentile(r.latencies_ms, 0.5) for r in runs], "ms", **context)
        emit(BENCH, "p99_ms", [percentile(r.latencies_ms, 0.99) for r in runs], "ms", **context)
        emit(BENCH, "cpu_us_per_call", [r.cpu_us_per_call for r in runs], "us", **context)
        emit(BENCH, "gc_us_per_call", [r.gc_us_per_call for r in runs], "us", **context)
        emit(BENCH, "full_collections", [float(r.full_collections) for r in runs], "collections", **context)
    for op in operations:
        text, persisted = results[(op, "text")], results[(op, "persisted")]
        saved = [t.cpu_us_per_call - p.cpu_us_per_call for t, p in zip(text, persisted, strict=True)]
        emit(BENCH, "persisted_saves_us_per_call", saved, "us", operation=op, calls=plan.calls, **env)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few hundred calls: checks the bench, not the API")
    parser.add_argument("--profile", choices=OPERATIONS, help="cProfile's top functions of one persisted operation")
    parser.add_argument("--no-freeze", action="store_true", help="leave the startup heap to the collector")
    parser.add_argument("--calls", type=int, help="calls per run (default: the plan's)")
    parser.add_argument(
        "--operations", default=",".join(OPERATIONS), help="comma-separated, of: " + ", ".join(OPERATIONS)
    )
    parser.add_argument("--runs", type=int, help="runs of each operation and mode (default: the plan's)")
    args = parser.parse_args()
    chosen = QUICK if args.quick else FULL
    chosen = dataclasses.replace(chosen, calls=args.calls or chosen.calls, runs=args.runs or chosen.runs)
    uvloop.run(main(chosen, args.quick, args.profile, args.operations.split(","), args.no_freeze))
