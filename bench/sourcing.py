"""Sourcing benchmark: plan quality against baselines and the exact optimum, and latency per order.

Run `python bench/sourcing.py` (add `--quick` for a smoke run, `--latency-only` to skip the plan quality).
Prints one JSON object per line. One fixed seeded data set: 50 locations across the US, 2,000 orders of 1-5
lines; every order is sourced against the same stock (no depletion), so strategies are compared order by
order on equal terms. Latency per order is measured on 1-3 line orders (typical) and on 5-line orders.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from app.domain.values import Coordinates, LocationType, ServiceLevel
from app.sourcing import (
    CandidateLocation,
    PreparedNetwork,
    SourcingPlan,
    SourcingRequest,
    Strategy,
    default_profile,
    source,
)
from app.sourcing.engine import SINGLE_PARCEL

SEED = 20250303
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
CITIES = [
    (40.71, -74.01), (34.05, -118.24), (41.88, -87.63), (29.76, -95.37), (33.45, -112.07), (39.95, -75.17),
    (29.42, -98.49), (32.72, -117.16), (32.78, -96.80), (37.34, -121.89), (30.27, -97.74), (30.33, -81.66),
    (39.96, -83.00), (35.23, -80.84), (39.77, -86.16), (37.77, -122.42), (47.61, -122.33), (39.74, -104.99),
    (38.91, -77.04), (42.36, -71.06), (36.17, -86.78), (35.47, -97.52), (36.17, -115.14), (45.52, -122.68),
    (35.15, -90.05), (38.25, -85.76), (43.04, -87.91), (35.08, -106.65), (32.22, -110.97), (38.58, -121.49),
    (33.75, -84.39), (25.76, -80.19), (44.98, -93.27), (27.95, -82.46), (40.44, -79.99), (39.10, -94.58),
    (29.95, -90.07), (41.50, -81.69), (42.33, -83.05), (40.76, -111.89),
]  # fmt: skip
TYPES = [
    (LocationType.DISTRIBUTION_CENTER, 0.16),
    (LocationType.STORE, 0.56),
    (LocationType.THIRD_PARTY_LOGISTICS, 0.12),
    (LocationType.DROP_SHIP_VENDOR, 0.12),
    (LocationType.RETURNS_CENTER, 0.04),
]
STOCKING = {  # probability a location holds a SKU, and the quantity range
    LocationType.DISTRIBUTION_CENTER: (0.75, 20, 200),
    LocationType.STORE: (0.25, 1, 6),
    LocationType.THIRD_PARTY_LOGISTICS: (0.45, 5, 60),
    LocationType.DROP_SHIP_VENDOR: (0.15, 10, 100),
    LocationType.RETURNS_CENTER: (0.30, 1, 10),
}
N_SKUS = 300

Network = list[CandidateLocation]
Stock = dict[tuple[str, str], int]


def near(rng: random.Random, spread: float) -> Coordinates:
    lat, lon = rng.choice(CITIES)
    dlat, dlon = rng.uniform(-spread, spread), rng.uniform(-spread, spread)
    return Coordinates(latitude=lat + dlat, longitude=lon + dlon)


def network(rng: random.Random, size: int) -> tuple[Network, Stock]:
    kinds = [t for t, _ in TYPES]
    weights = [w for _, w in TYPES]
    locations: Network = []
    stock: Stock = {}
    for i in range(size):
        kind = LocationType.DISTRIBUTION_CENTER if i < 3 else rng.choices(kinds, weights)[0]
        store = kind is LocationType.STORE
        locations.append(
            CandidateLocation(
                code=f"{kind.value[:2]}{i:03d}",
                type=kind,
                coordinates=near(rng, 0.6),
                capacity_left_today=rng.randint(40, 120) if store else None,
                handling_cost=rng.uniform(0.5, 1.5) if store else rng.uniform(1.0, 4.0),
                processing_days=0 if kind is not LocationType.DROP_SHIP_VENDOR else 1,
                cutoff_hour=rng.choice([12, 14, 16]),
            )
        )
        share, low, high = STOCKING[kind]
        for s in range(N_SKUS):
            if rng.random() < share:
                stock[(locations[-1].code, f"SKU{s:04d}")] = rng.randint(low, high)
    return locations, stock


def orders(rng: random.Random, count: int, *, lines: tuple[int, int] = (1, 5)) -> list[SourcingRequest]:
    levels = [ServiceLevel.STANDARD, ServiceLevel.EXPRESS, ServiceLevel.SAME_DAY]
    result = []
    for i in range(count):
        skus = rng.sample(range(N_SKUS), rng.randint(*lines))
        result.append(
            SourcingRequest(
                order_id=f"o{i:05d}",
                lines={f"SKU{s:04d}": rng.choice([1, 1, 1, 2, 3]) for s in skus},
                ship_to=near(rng, 1.5),
                service_level=rng.choices(levels, [0.8, 0.15, 0.05])[0],
                placed_at=NOW,
            )
        )
    return result


def emit(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def quality(net: Network, stock: Stock, reqs: list[SourcingRequest]) -> None:
    profile = default_profile()
    runs: dict[str, Callable[[SourcingRequest], SourcingPlan]] = {
        "exact-optimum": lambda r: source(r, net, stock, profile, NOW, time_limit=None, prune_keep=None),
        "optimiser": lambda r: source(r, net, stock, profile, NOW),
    }

    def baseline(strategy: Strategy) -> Callable[[SourcingRequest], SourcingPlan]:
        return lambda r: source(r, net, stock, profile, NOW, strategy=strategy)

    baselines = (Strategy.GREEDY, Strategy.NEAREST_FIRST, Strategy.PRIORITY_ORDER, Strategy.FEWEST_SPLITS)
    for strategy in baselines:
        runs[str(strategy)] = baseline(strategy)
    totals: dict[str, float] = {}
    backorders: dict[str, int] = {}
    for name, run in runs.items():
        plans = [run(r) for r in reqs]
        cost = sum(p.total_cost for p in plans)
        totals[name] = cost
        backorders[name] = sum(sum(p.backordered.values()) for p in plans)
        shipped = [p for p in plans if p.shipments]
        days = [(max(s.promised_delivery for s in p.shipments).date() - NOW.date()).days for p in shipped]
        emit(
            metric="plan_quality",
            strategy=name,
            orders=len(plans),
            total_cost=round(cost, 2),
            vs_exact_pct=round(100 * (cost / totals["exact-optimum"] - 1), 3),
            backordered_units=backorders[name],
            shipments=sum(len(p.shipments) for p in plans),
            split_orders=sum(1 for p in plans if len(p.shipments) > 1),
            avg_promised_days=round(statistics.fmean(days), 3),
            fallbacks=sum(1 for p in plans if p.explanation.algorithm == "greedy-fallback"),
            single_parcel_proofs=sum(1 for p in plans if p.explanation.algorithm == SINGLE_PARCEL),
            time_budget_hits=sum(1 for p in plans if p.explanation.time_budget_exceeded),
        )
    nearest = totals[str(Strategy.NEAREST_FIRST)]
    emit(
        metric="plan_quality_summary",
        optimiser_above_optimum_pct=round(100 * (totals["optimiser"] / totals["exact-optimum"] - 1), 3),
        optimiser_below_nearest_first_pct=round(100 * (1 - totals["optimiser"] / nearest), 2),
        same_backorders_as_optimum=backorders["optimiser"] == backorders["exact-optimum"],
    )


def latency(size: int, samples: int, repeats: int, lines: tuple[int, int]) -> None:
    rng = random.Random(SEED + size)
    net, stock = network(rng, size)
    reqs = orders(rng, samples, lines=lines)
    profile = default_profile()
    p50s, p99s = [], []
    for _ in range(repeats):
        times = []
        for r in reqs:
            start = time.perf_counter()
            source(r, net, stock, profile, NOW)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p50s.append(times[len(times) // 2])
        p99s.append(times[min(len(times) - 1, int(len(times) * 0.99))])
    emit(
        metric="latency_per_order_ms",
        locations=size,
        lines=f"{lines[0]}-{lines[1]}" if lines[0] != lines[1] else lines[0],
        orders=samples,
        runs=repeats,
        p50=round(statistics.median(p50s), 3),
        p99=round(statistics.median(p99s), 3),
    )


def quotes(size: int, calls: int) -> None:
    rng = random.Random(SEED + 1)
    net, stock = network(rng, size)
    reqs = orders(rng, calls)
    profile = default_profile()
    start = time.perf_counter()
    for r in reqs:
        PreparedNetwork(net, profile).quote(r.lines, r.ship_to, stock, NOW)
    elapsed = time.perf_counter() - start
    emit(metric="quote_throughput", locations=size, calls=calls, calls_per_s=round(calls / elapsed))


def main() -> None:
    quick = "--quick" in sys.argv
    if "--latency-only" not in sys.argv:
        rng = random.Random(SEED)
        net, stock = network(rng, 50)
        reqs = orders(rng, 200 if quick else 2000)
        quality(net, stock, reqs)
    for size in (50, 500):
        for lines in ((1, 3), (5, 5)):  # typical web orders, and the solver's harder case
            latency(size, 60 if quick else 300, 3, lines)
    quotes(50, 300 if quick else 2000)


if __name__ == "__main__":
    main()
