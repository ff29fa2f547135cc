"""Worker throughput: orders per second from placement to reserved stock, through real `meridian worker`s.

Run `python bench/worker_throughput.py` (add `--quick` for a smoke run). Prints one JSON object per line:
the median of at least three runs with 1 and with 2 worker processes. Each run gets a fresh database
(created and dropped here), its own broker namespace and its own workers. A run places one warm-up order and
waits for it to be sourced (so process start-up is not measured), then places N orders back to back and
stops the clock when every one of them has its sourcing decision and reservations in the log.

DATABASE_URL names the PostgreSQL server (default the local one); REDIS_URL the Redis (default local).
`--broker rabbitmq` runs the workers on RabbitMQ (RABBITMQ_URL, default the local one) instead of Redis;
`--broker both` measures each in turn, printing their figures side by side: how fast jobs are handed to the
broker (one at a time, and in batches as the dispatcher sends them), then sourced orders per second.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder heads sys.path; the project root must come first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import dataclasses
import os
import random
import signal
import time
import uuid
from dataclasses import dataclass

from app.domain import ALL_EVENTS, locations, stock
from app.domain import order_commands as oc
from app.domain.values import Address, Coordinates, Line, LocationType
from app.handlers import Context, Handlers
from bench._brokers import BROKERS, broker_env, broker_settings, clean_up
from bench._common import Databases, emit, server_dsn, server_settings
from eventstore import EventCodec, EventStore, Position, create_pool
from workers.broker import make_broker, send_all
from workers.dispatcher import NAME as DISPATCHER
from workers.jobs import bind_actors, track_shipment

ROOT = Path(__file__).resolve().parents[1]
SEED = 20250303
SITES = [
    ("NYC", 40.71, -74.01), ("LAX", 34.05, -118.24), ("CHI", 41.88, -87.63), ("HOU", 29.76, -95.37),
    ("PHX", 33.45, -112.07), ("PHL", 39.95, -75.17), ("DAL", 32.78, -96.80), ("SEA", 47.61, -122.33),
    ("DEN", 39.74, -104.99), ("ATL", 33.75, -84.39),
]  # fmt: skip
SKUS = [f"SKU-{i:03d}" for i in range(50)]
SEND_BATCHES = (1, 100)  # one job per send (each confirmed on its own), and a dispatcher batch's worth


@dataclass(frozen=True)
class Plan:
    orders: int
    runs: int
    worker_counts: tuple[int, ...] = (1, 2)
    threads: int = 4
    timeout_s: float = 300.0


FULL = Plan(orders=1000, runs=3)
QUICK = Plan(orders=40, runs=3, timeout_s=120.0)


async def seed(handlers: Handlers, orders: int) -> None:
    """Ten DCs, each stocking every SKU deeply enough that no order is backordered."""
    for code, lat, lon in SITES:
        where = Coordinates(lat, lon)
        create = locations.CreateLocation(
            code=code, name=code, type=LocationType.DISTRIBUTION_CENTER, coordinates=where
        )
        await handlers.handle(create)
        for sku in SKUS:
            await handlers.handle(stock.ReceiveStock(sku=sku, location_code=code, quantity=orders * 3))


def order(rng: random.Random, order_id: str) -> oc.PlaceOrder:
    _, lat, lon = rng.choice(SITES)
    lines = rng.sample(SKUS, rng.randint(1, 3))
    return oc.PlaceOrder(
        order_id=order_id,
        customer_id=f"c-{rng.randint(1, 500)}",
        lines=tuple(Line(sku, rng.randint(1, 3)) for sku in lines),
        ship_to=Address(coordinates=Coordinates(lat + rng.uniform(-1, 1), lon + rng.uniform(-1, 1))),
        priority=rng.choice([0, 0, 0, 1, 5]),
    )


async def skip_seed_jobs(store: EventStore) -> None:
    """Moves the dispatcher past the seed: receiving stock with no order waiting asks for backorder allocation
    jobs that find nothing to do, and they are not what this bench measures."""
    row = await store.pool.fetchrow(
        "SELECT transaction_id, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1"
    )
    assert row is not None
    async with store.pool.acquire() as conn:
        await store.save_checkpoints(conn, [DISPATCHER], Position(row[0], row[1]))


async def start_workers(
    count: int, dsn: str, namespace: str, threads: int, broker: str = "redis"
) -> list[asyncio.subprocess.Process]:
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        **broker_env(broker, namespace),
        "MERIDIAN_WORKER_THREADS": str(threads),
        "MERIDIAN_LOG_LEVEL": "WARNING",
    }
    return [
        await asyncio.create_subprocess_exec(sys.executable, "-m", "app.cli", "worker", env=env, cwd=ROOT)
        for _ in range(count)
    ]


async def stop_workers(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


async def sourced(store: EventStore) -> int:
    n: int = await store.pool.fetchval(
        "SELECT count(DISTINCT stream_id) FROM events WHERE event_type = 'SourcingDecided'"
    )
    return n


async def wait_for(store: EventStore, count: int, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while await sourced(store) < count:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"only {await sourced(store)} of {count} orders sourced within {timeout}s")
        await asyncio.sleep(0.02)


async def one_run(dbs: Databases, plan: Plan, workers: int, run: int, broker: str) -> float:
    dsn = await dbs.create(f"{broker}_w{workers}_r{run}")
    namespace = f"meridian-bench-{uuid.uuid4().hex[:8]}"
    pool = await create_pool(dsn, min_size=1, max_size=16)
    processes: list[asyncio.subprocess.Process] = []
    try:
        store = EventStore(pool)
        handlers = Handlers(Context(store, EventCodec(ALL_EVENTS)))
        await seed(handlers, plan.orders)
        await skip_seed_jobs(store)
        processes = await start_workers(workers, dsn, namespace, plan.threads, broker)
        rng = random.Random(SEED + run)
        await handlers.handle(order(rng, "warm-up"))
        await wait_for(store, 1, plan.timeout_s)
        started = time.perf_counter()
        ids = [f"o{i}" for i in range(plan.orders)]
        for i in range(0, len(ids), 16):  # sixteen clients placing orders at once
            await asyncio.gather(*(handlers.handle(order(rng, oid)) for oid in ids[i : i + 16]))
        await wait_for(store, plan.orders + 1, plan.timeout_s)
        return plan.orders / (time.perf_counter() - started)
    finally:
        await stop_workers(processes)
        await pool.close()
        clean_up(broker, namespace)


def sent_jobs_per_s(broker_name: str, jobs: int, batch: int) -> float:
    """How fast the dispatcher can hand jobs to the broker: `jobs` sent `batch` at a time as the dispatcher sends
    a batch of the log's events (`send_all`: on RabbitMQ one transaction per batch; 1 is one confirmed publish
    each, as before batching), to a queue nobody consumes, deleted afterwards."""
    namespace = f"meridian-bench-{uuid.uuid4().hex[:8]}"
    broker = make_broker(broker_settings(broker_name, namespace))
    bind_actors(broker)
    messages = [track_shipment.message(f"o{i}", f"s{i}", 0) for i in range(jobs)]
    try:
        started = time.perf_counter()
        for i in range(0, jobs, batch):
            send_all(broker, messages[i : i + batch])
        return jobs / (time.perf_counter() - started)
    finally:
        broker.close()
        clean_up(broker_name, namespace)


async def main(plan: Plan, quick: bool, brokers: tuple[str, ...]) -> None:
    async with Databases(server_dsn()) as dbs:
        env = {"quick": quick, **await server_settings(dbs.server)}
        sent = 200 if quick else 5_000
        ways = [(batch, broker) for batch in SEND_BATCHES for broker in brokers]
        # Round-robin, so that every way of sending meets the same load on a shared machine.
        sends: dict[tuple[int, str], list[float]] = {way: [] for way in ways}
        for _ in range(plan.runs):
            for batch, broker in ways:
                sends[batch, broker].append(sent_jobs_per_s(broker, sent, batch))
        for (batch, broker), runs in sends.items():  # the brokers side by side, for each way of sending
            emit("worker_throughput", "sent_jobs_per_s", runs, "jobs/s", broker=broker, jobs=sent, batch=batch, **env)
        for broker in brokers:
            for workers in plan.worker_counts:
                runs = [await one_run(dbs, plan, workers, run, broker) for run in range(plan.runs)]
                emit(
                    "worker_throughput", "sourced_orders_per_s", runs, "orders/s", broker=broker,
                    workers=workers, threads_per_worker=plan.threads, orders=plan.orders, **env,
                )  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few seconds per run: checks the bench, not the workers")
    parser.add_argument("--broker", choices=[*BROKERS, "both"], default="redis", help="the job broker (default redis)")
    parser.add_argument("--orders", type=int, default=0, help="orders per run (default 1,000; quick 40)")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    plan = dataclasses.replace(plan, orders=args.orders) if args.orders else plan
    asyncio.run(main(plan, args.quick, BROKERS if args.broker == "both" else (args.broker,)))
