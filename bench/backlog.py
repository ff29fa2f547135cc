"""Orders under a bulk backlog: placement → allocation while thousands of bulk jobs wait (issue 19).

Run `python bench/backlog.py` (add `--quick` for a smoke run; `--broker rabbitmq` for RabbitMQ). Each run gets a
fresh database seeded like bench/worker_throughput.py, its own broker namespace and one `meridian worker` (4
threads for the orders queue, 2 for the bulk one). After a warm-up order, BACKLOG bulk jobs are sent at once —
tracking polls of shipments the log no longer has and backorder sweeps of SKUs nobody waits for, the kind a first
start over a long log sends by the hundred thousand — then ORDERS orders are placed at a fixed interval.
Placement → allocation is read from the log (the server's clock).

Two modes, same worker code: `one_queue` sends the backlog to the orders queue, so new orders wait behind it as
they did when every job shared one queue (before); `split` sends it to the bulk queue, where the dispatcher sends
such jobs now (after). Prints one JSON line per figure (medians of three runs): p50 and max placement →
allocation per mode, and how many bulk jobs were still waiting when the last order was allocated.
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
from dataclasses import dataclass
from typing import Any

import dramatiq

from app.domain import ALL_EVENTS
from app.domain.streams import order_stream
from app.handlers import Context, Handlers
from bench._brokers import BROKERS, broker_settings, clean_up
from bench._common import Databases, emit, percentile, server_dsn, server_settings
from bench.worker_throughput import SEED, SKUS, order, seed, skip_seed_jobs, start_workers, stop_workers
from eventstore import EventCodec, EventStore, create_pool
from workers import jobs
from workers.broker import BULK, ORDERS, NamespacedRabbitmqBroker, make_broker, queue_name, waiting_jobs

BENCH = "backlog"
MODES = ("one_queue", "split")


@dataclass(frozen=True)
class Plan:
    backlog: int
    orders: int
    interval_s: float
    runs: int = 3
    timeout_s: float = 600.0


FULL = Plan(backlog=20_000, orders=20, interval_s=0.1)
QUICK = Plan(backlog=1_000, orders=5, interval_s=0.05, timeout_s=120.0)


def backlog(n: int) -> list[dramatiq.Message[Any]]:
    """Bulk work of the kind history leaves behind: four polls of gone shipments to one backorder sweep."""
    return [
        jobs.allocate_backorders.message(SKUS[i % len(SKUS)], None)
        if i % 5 == 0
        else jobs.track_shipment.message(f"history-{i}", f"shipment-{i}", 0)
        for i in range(n)
    ]


async def latencies_ms(store: EventStore, order_ids: list[str]) -> list[float]:
    """Placement → allocation of each allocated order, from the recorded times of the two events."""
    rows = await store.pool.fetch(
        "SELECT extract(epoch FROM a.recorded_at - p.recorded_at) * 1000 AS ms FROM events p"
        " JOIN events a ON a.stream_id = p.stream_id AND a.event_type = 'OrderAllocated'"
        " WHERE p.event_type = 'OrderPlaced' AND p.stream_id = ANY($1::text[])",
        [order_stream(o) for o in order_ids],
    )
    return [float(r["ms"]) for r in rows]


async def one_run(dbs: Databases, plan: Plan, mode: str, run: int, broker_name: str) -> tuple[float, float, int]:
    dsn = await dbs.create(f"{broker_name}_{mode}_r{run}")
    namespace = f"meridian-bench-{uuid.uuid4().hex[:8]}"
    pool = await create_pool(dsn, min_size=1, max_size=8)
    processes: list[asyncio.subprocess.Process] = []
    broker = make_broker(broker_settings(broker_name, namespace))
    if isinstance(broker, NamespacedRabbitmqBroker):
        # Published without waiting for each confirm (as fast as Redis takes them), so that the whole backlog is
        # in place before the orders come, on either broker.
        broker.confirm_delivery = False
    jobs.bind_actors(broker)
    try:
        store = EventStore(pool)
        handlers = Handlers(Context(store, EventCodec(ALL_EVENTS)))
        await seed(handlers, plan.orders)
        await skip_seed_jobs(store)
        processes = await start_workers(1, dsn, namespace, 4, broker_name)
        rng = random.Random(SEED + run)
        await handlers.handle(order(rng, "warm-up"))
        await wait_allocated(store, ["warm-up"], plan.timeout_s)
        queue = queue_name(broker, ORDERS if mode == "one_queue" else BULK)
        for message in backlog(plan.backlog):
            broker.enqueue(message.copy(queue_name=queue))
        ids = [f"o{i}" for i in range(plan.orders)]
        for oid in ids:
            await handlers.handle(order(rng, oid))
            await asyncio.sleep(plan.interval_s)
        await wait_allocated(store, ids, plan.timeout_s)
        left = waiting_jobs(broker, ORDERS if mode == "one_queue" else BULK)
        found = await latencies_ms(store, ids)
        return percentile(found, 0.5), max(found), left
    finally:
        await stop_workers(processes)
        await pool.close()
        broker.close()
        clean_up(broker_name, namespace)


async def wait_allocated(store: EventStore, order_ids: list[str], timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while len(await latencies_ms(store, order_ids)) < len(order_ids):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"not every one of {len(order_ids)} orders allocated within {timeout}s")
        await asyncio.sleep(0.05)


async def main(plan: Plan, quick: bool, broker: str) -> None:
    async with Databases(server_dsn()) as dbs:
        env = {"quick": quick, "broker": broker, "backlog": plan.backlog, "orders": plan.orders}
        env |= await server_settings(dbs.server)
        for mode in MODES:
            runs = [await one_run(dbs, plan, mode, run, broker) for run in range(plan.runs)]
            emit(BENCH, "place_to_allocated_p50_ms", [r[0] for r in runs], "ms", mode=mode, **env)
            emit(BENCH, "place_to_allocated_max_ms", [r[1] for r in runs], "ms", mode=mode, **env)
            emit(BENCH, "backlog_left_jobs", [float(r[2]) for r in runs], "jobs", mode=mode, **env)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few seconds per run: checks the bench, not the workers")
    parser.add_argument("--broker", choices=BROKERS, default="redis", help="the job broker (default redis)")
    parser.add_argument("--backlog", type=int, default=0, help="bulk jobs sent at once (default 20,000; quick 1,000)")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    plan = dataclasses.replace(plan, backlog=args.backlog) if args.backlog else plan
    asyncio.run(main(plan, args.quick, args.broker))
