"""Projections benchmark: rebuild speed against a raw read of the same log, and as-of latency.

Run `python bench/projections.py` (add `--quick` for a smoke run). Prints one JSON object per line.
Builds its own database (on DATABASE_URL's server, else 127.0.0.1:5432) and drops it at the end. The log is a
seeded mix of domain events as the handlers would append them: locations, stock receipts, orders placed,
sourced, allocated (with their stock reservations), packed, dispatched, tracked, delivered, some cancelled,
some returned; plus one order of 50 events and one hot stock stream (snapshots every 1,000 events).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file's name would shadow the
# `projections` package: put the project root there instead.
if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import asyncio
import json
import os
import random
import statistics
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from app.domain import stock as stock_domain
from app.domain.aggregates import STOCK
from app.domain.events import Event
from app.domain.locations import Capabilities, LocationCreated
from app.domain.order_events import (
    CandidateOutcome,
    OrderAllocated,
    OrderBackordered,
    OrderCancelled,
    OrderCompleted,
    OrderPlaced,
    OrderReturnClosed,
    OrderReturnOpened,
    PlannedShipment,
    PlannedShipmentCost,
    ReservationRef,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentPacked,
    SourcingDecided,
    TrackingUpdated,
)
from app.domain.registry import ALL_EVENTS
from app.domain.return_events import (
    ReceivedLine,
    RefundLine,
    ReturnApproved,
    ReturnLine,
    ReturnReceived,
    ReturnRefunded,
    ReturnRequested,
)
from app.domain.stock import EMPTY_STOCK
from app.domain.stock_events import (
    ReservationReleased,
    StockReceived,
    StockReserved,
    StockReturned,
    StockShipped,
)
from app.domain.streams import location_stream, order_stream, parse_stock_stream, return_stream, stock_stream
from app.domain.values import Address, Coordinates, ItemCondition, Line, LocationType, ServiceLevel, TrackingStatus
from app.runtime import MIGRATIONS
from eventstore import ANY, EventCodec, EventStore, Snapshot, create_pool, migrate, read_until
from projections.asof import order_as_of, stock_as_of
from projections.replay import rebuild

SEED = 20250305
T0 = datetime(2025, 3, 1, tzinfo=UTC)
codec = EventCodec(ALL_EVENTS)
SERVER = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"


def emit(metric: str, **fields: object) -> None:
    print(json.dumps({"metric": metric, **fields}), flush=True)


def _with_db(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{name}"))


def order_history(
    rng: random.Random, n: int, locations: list[str], skus: list[str], *, first: int = 0
) -> tuple[list[tuple[str, list[Event]]], dict[str, list[Event]]]:
    """Per order its events, and the stock events they cause, per stock stream; the orders are numbered from
    `first` (a log built in chunks)."""
    orders: list[tuple[str, list[Event]]] = []
    stock: dict[str, list[Event]] = defaultdict(list)
    for i in range(first, first + n):
        oid, at = f"o-{i}", T0 + timedelta(seconds=30 * i)
        code = rng.choice(locations)
        lines = tuple(Line(sku, rng.randint(1, 3)) for sku in rng.sample(skus, rng.randint(1, 2)))
        ship_to = Address(coordinates=Coordinates(rng.uniform(30, 45), rng.uniform(-120, -75)), postal_code="10001")
        events: list[Event] = [
            OrderPlaced(
                order_id=oid,
                customer_id=f"c-{rng.randrange(n // 4 + 1)}",
                lines=lines,
                ship_to=ship_to,
                service_level=rng.choice(list(ServiceLevel)),
                priority=rng.randint(0, 9),
                channel="web",
                placed_at=at,
            ),
            SourcingDecided(
                order_id=oid,
                decided_at=at,
                algorithm="milp",
                total_cost=9.5,
                objective=9.5,
                lower_bound=9.0,
                fallback_used=False,
                profile_version=1,
                candidates=tuple(
                    CandidateOutcome(location_code=c, selected=c == code, cost=9.5) for c in locations[:4]
                ),
                shipments=(
                    PlannedShipmentCost(
                        shipment_id="s1",
                        location_code=code,
                        carrier_service="ground",
                        cost=9.5,
                        promised_delivery=at + timedelta(days=3),
                    ),
                ),
                backordered=(),
            ),
            OrderAllocated(
                order_id=oid,
                allocated_at=at,
                shipments=(PlannedShipment(shipment_id="s1", location_code=code, lines=lines),),
            ),
            OrderBackordered(order_id=oid, lines=()),
        ]
        rid = f"{oid}/s1"
        for line in lines:
            stock[stock_stream(line.sku, code)].append(
                StockReserved(sku=line.sku, location_code=code, reservation_id=rid, quantity=line.quantity)
            )
        if rng.random() < 0.1:
            refs = tuple(
                ReservationRef(location_code=code, sku=ln.sku, reservation_id=rid, quantity=ln.quantity) for ln in lines
            )
            events.append(OrderCancelled(order_id=oid, reason="customer", released=refs, cancelled_at=at))
            for line in lines:
                stock[stock_stream(line.sku, code)].append(
                    ReservationReleased(
                        sku=line.sku, location_code=code, reservation_id=rid, quantity=line.quantity, reason="CANCELLED"
                    )
                )
        else:
            events += [
                ShipmentPacked(order_id=oid, shipment_id="s1", packed_at=at + timedelta(hours=1)),
                ShipmentDispatched(
                    order_id=oid,
                    shipment_id="s1",
                    carrier="ups",
                    tracking_number=f"1Z{i:09d}",
                    promised_delivery=at + timedelta(days=3),
                    dispatched_at=at + timedelta(hours=2),
                ),
                TrackingUpdated(
                    order_id=oid,
                    shipment_id="s1",
                    status=TrackingStatus.IN_TRANSIT,
                    message="moving",
                    occurred_at=at + timedelta(hours=5),
                    estimated_delivery=at + timedelta(days=2),
                ),
                TrackingUpdated(
                    order_id=oid,
                    shipment_id="s1",
                    status=TrackingStatus.OUT_FOR_DELIVERY,
                    message="van",
                    occurred_at=at + timedelta(days=2),
                ),
                ShipmentDelivered(order_id=oid, shipment_id="s1", delivered_at=at + timedelta(days=2, hours=3)),
                OrderCompleted(order_id=oid, completed_at=at + timedelta(days=2, hours=3)),
            ]
            for line in lines:
                stock[stock_stream(line.sku, code)].append(
                    StockShipped(sku=line.sku, location_code=code, reservation_id=rid, quantity=line.quantity)
                )
        orders.append((oid, events))
    return orders, stock


async def append_all(store: EventStore, writes: list[tuple[str, list[Event]]], workers: int = 8) -> None:
    queue = list(reversed(writes))

    async def worker() -> None:
        while queue:
            stream_id, events = queue.pop()
            for start in range(0, len(events), 500):
                await store.append(stream_id, [codec.encode(e) for e in events[start : start + 500]], ANY)

    await asyncio.gather(*(worker() for _ in range(workers)))


async def build_log(store: EventStore, *, orders: int, hot_events: int) -> tuple[str, list[datetime], list[datetime]]:
    rng = random.Random(SEED)
    locations = [f"L{i:02d}" for i in range(20)]
    skus = [f"SKU-{i:04d}" for i in range(1000)]
    await append_all(
        store,
        [
            (
                location_stream(c),
                [
                    LocationCreated(
                        code=c,
                        name=c,
                        type=LocationType.DISTRIBUTION_CENTER,
                        coordinates=Coordinates(rng.uniform(30, 45), rng.uniform(-120, -75)),
                        capabilities=Capabilities(),
                        daily_capacity=None,
                        handling_cost=1.0,
                    )
                ],
            )
            for c in locations
        ],
    )
    order_events, stock_events = order_history(rng, orders, locations, skus)
    receipts: list[tuple[str, list[Event]]] = []
    for sid in stock_events:
        sku, code = parse_stock_stream(sid)
        receipts.append((sid, [StockReceived(sku=sku, location_code=code, quantity=10_000)]))
    await append_all(store, receipts)
    await append_all(store, [(order_stream(oid), events) for oid, events in order_events])
    await append_all(store, list(stock_events.items()))
    # Returns for a few delivered orders.
    returns: list[tuple[str, list[Event]]] = []
    for oid, events in order_events[: orders // 20]:
        placed = events[0]
        assert isinstance(placed, OrderPlaced)
        if not isinstance(events[-1], OrderCompleted):
            continue
        line, rid, at = placed.lines[0], f"r-{oid}", placed.placed_at + timedelta(days=5)
        returns.append(
            (
                order_stream(oid),
                [
                    OrderReturnOpened(order_id=oid, return_id=rid, lines=(line,)),
                    OrderReturnClosed(order_id=oid, return_id=rid, returned=(line,)),
                ],
            )
        )
        returns.append(
            (
                return_stream(rid),
                [
                    ReturnRequested(
                        return_id=rid,
                        order_id=oid,
                        requested_at=at,
                        lines=(ReturnLine(sku=line.sku, quantity=line.quantity, reason="size"),),
                    ),
                    ReturnApproved(return_id=rid, approved_at=at),
                    ReturnReceived(
                        return_id=rid,
                        location_code="L00",
                        received_at=at,
                        lines=(ReceivedLine(sku=line.sku, quantity=line.quantity, condition=ItemCondition.RESELLABLE),),
                    ),
                    ReturnRefunded(
                        return_id=rid, refunded_at=at, lines=(RefundLine(sku=line.sku, amount=Decimal("9.99")),)
                    ),
                ],
            )
        )
        returns.append(
            (
                stock_stream(line.sku, "L00"),
                [StockReturned(sku=line.sku, location_code="L00", quantity=line.quantity, return_id=rid)],
            )
        )
    await append_all(store, returns, workers=1)

    # The order with 50 events: placed, allocated, 48 tracking updates (a parcel that travels far).
    long_order = "o-long"
    at = T0
    first: list[Event] = [
        OrderPlaced(
            order_id=long_order,
            customer_id="c-long",
            lines=(Line("SKU-0001", 1),),
            ship_to=Address(coordinates=Coordinates(40.0, -75.0)),
            service_level=ServiceLevel.STANDARD,
            priority=0,
            channel="web",
            placed_at=at,
        ),
        OrderAllocated(
            order_id=long_order,
            allocated_at=at,
            shipments=(PlannedShipment(shipment_id="s1", location_code="L00", lines=(Line("SKU-0001", 1),)),),
        ),
        ShipmentPacked(order_id=long_order, shipment_id="s1", packed_at=at),
        ShipmentDispatched(
            order_id=long_order,
            shipment_id="s1",
            carrier="ups",
            tracking_number="1ZLONG",
            promised_delivery=None,
            dispatched_at=at,
        ),
    ]
    order_moments = []
    for chunk in [first] + [
        [
            TrackingUpdated(
                order_id=long_order,
                shipment_id="s1",
                status=TrackingStatus.IN_TRANSIT,
                message=f"hop {i}",
                occurred_at=at + timedelta(hours=i),
            )
        ]
        for i in range(46)
    ]:
        await store.append(order_stream(long_order), [codec.encode(e) for e in chunk], ANY)
        order_moments.append(datetime.now(UTC))

    # The hot stock stream, appended in batches of 1,000 with a snapshot after each.
    hot = stock_stream("HOT-1", "L00")
    state, version, stock_moments = EMPTY_STOCK, 0, []
    for start in range(0, hot_events, 1000):
        events = []
        for n in range(start, min(start + 1000, hot_events)):
            if n % 10 == 0:
                events.append(StockReceived(sku="HOT-1", location_code="L00", quantity=100))
            elif n % 2:
                events.append(StockReserved(sku="HOT-1", location_code="L00", reservation_id=f"r{n}", quantity=1))
            else:
                events.append(StockShipped(sku="HOT-1", location_code="L00", reservation_id=f"r{n - 1}", quantity=1))
        result = await store.append(hot, [codec.encode(e) for e in events], ANY)
        for e in events:
            state = stock_domain.evolve(state, e)
        if STOCK.snapshot_due(version, result.version):  # the handlers' policy (app.domain.aggregates)
            snapshot = Snapshot(hot, result.version, STOCK.name, STOCK.schema_version, STOCK.freeze(state))
            await store.save_snapshot(snapshot)
        version = result.version
        stock_moments.append(datetime.now(UTC))
    return long_order, order_moments, stock_moments


async def read_all_raw(store: EventStore) -> int:
    # Up to the head as it stands: a transaction in flight anywhere on the server (another run, another
    # database) holds the rest back a while, and reading window by window alone would stop short.
    until = await store.head()
    if until is None:
        return 0
    return sum([len(page.events) async for page in read_until(store, until, batch_size=5000)])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def main(quick: bool) -> None:
    runs = 3
    name = f"meridian_bench_proj_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(SERVER)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = _with_db(SERVER, name)
    try:
        conn = await asyncpg.connect(dsn)
        await migrate(conn, MIGRATIONS)
        await conn.close()
        pool = await create_pool(dsn, min_size=2, max_size=10)
        store = EventStore(pool)
        started = time.perf_counter()
        long_order, order_moments, stock_moments = await build_log(
            store, orders=300 if quick else 15_500, hot_events=3_000 if quick else 100_000
        )
        total = await pool.fetchval("SELECT count(*) FROM events")
        emit(
            "log",
            events=total,
            streams=await pool.fetchval("SELECT count(*) FROM streams"),
            build_s=round(time.perf_counter() - started, 1),
            quick=quick,
        )

        reads, rebuilds = [], []
        for _ in range(runs):
            t = time.perf_counter()
            assert await read_all_raw(store) == total
            reads.append(time.perf_counter() - t)
            t = time.perf_counter()
            await rebuild(dsn, progress=False)
            rebuilds.append(time.perf_counter() - t)
        emit(
            "read_all",
            events=total,
            seconds=round(statistics.median(reads), 3),
            events_per_s=round(total / statistics.median(reads)),
            runs=len(reads),
        )
        emit(
            "rebuild",
            events=total,
            seconds=round(statistics.median(rebuilds), 3),
            events_per_s=round(total / statistics.median(rebuilds)),
            runs=len(rebuilds),
            target_events_per_s=30_000,
        )

        rng = random.Random(SEED)
        samples = 30 if quick else 300
        for metric, moments, read in (
            ("asof_order_50_events", order_moments, lambda at: order_as_of(store, codec, long_order, at)),
            ("asof_stock_stream", stock_moments, lambda at: stock_as_of(store, codec, "HOT-1", "L00", at)),
        ):
            per_run = []
            for _ in range(runs):
                latencies = []
                for _ in range(samples):
                    at = rng.choice(moments)
                    t = time.perf_counter()
                    await read(at)
                    latencies.append((time.perf_counter() - t) * 1000)
                per_run.append((percentile(latencies, 0.5), percentile(latencies, 0.99)))
            emit(
                metric,
                p50_ms=round(statistics.median(p for p, _ in per_run), 2),
                p99_ms=round(statistics.median(p for _, p in per_run), 2),
                samples=samples,
                runs=runs,
                stream_events=50 if metric.startswith("asof_order") else (3_000 if quick else 100_000),
                target_p99_ms=20,
            )
        await pool.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main("--quick" in sys.argv[1:]))
