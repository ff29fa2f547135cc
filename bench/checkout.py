"""Checkout bench: what the customer's choices at checkout cost over a 500-location network (`alternatives`,
`deliveryWindows` over the next 7 days, and `fulfillmentOptions` as the floor under both).

Run `python bench/checkout.py` (add `--quick` for a smoke run on a small network). On a fresh database it seeds a
network of its own (`Plan.locations` DCs and stores around US metro areas; SKUs held thinly, so most carts cannot
ship in full from one place; a quarter of the SKUs out everywhere with supply on its way; a substitution list per
SKU; every store delivers 2-hour courier windows), starts `meridian serve` (one process) and `meridian project`
(the read models), and sends, per operation:

- open loop at `Plan.rate` requests/s: calls/s served, p50 and p99 (target p99 < 50 ms);
- closed loop with `Plan.clients` callers: the most it serves, with p50 and p99;

and the share of calls whose answer was not empty (an `alternatives` call for a cart served as asked stops at the
quote; the rest is the work measured). One JSON object per line, medians of `Plan.runs` runs. DATABASE_URL names
the PostgreSQL server; REDIS_URL the Redis.

Operations are the `OPERATIONS` table (name, document, a random input): another checkout query is one more row.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder heads sys.path; the project root must come first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import uvloop

from app.clock import system_clock
from app.domain import locations, stock, substitutions
from app.domain.delivery import DeliveryCapacity
from app.domain.values import Coordinates, LocationType, SupplyKind
from bench._common import Databases, emit, server_dsn, server_settings
from bench._network import FULFILMENT_OPTIONS, METROS, Http, graphql, projections_caught_up, seeded_database
from bench._openloop import Result, closed_loop, open_loop
from bench._processes import Cluster
from eventstore import Metadata

BENCH = "checkout"
COURIER = DeliveryCapacity(
    window_minutes=120, deliveries_per_window=8, first_window_starts_at="10:00", last_window_ends_at="20:00"
)


@dataclass(frozen=True)
class Plan:
    locations: int
    skus: int
    holders_per_sku: int  # locations holding each SKU in stock (1 to 3 units each)
    seconds: float
    runs: int
    rate: int
    clients: int


FULL = Plan(locations=500, skus=60, holders_per_sku=25, seconds=5.0, runs=3, rate=100, clients=16)
QUICK = Plan(locations=40, skus=12, holders_per_sku=4, seconds=1.0, runs=3, rate=20, clients=4)

WINDOWS = """
query DeliveryWindows($input: DeliveryWindowsInput!) {
  deliveryWindows(input: $input) { start end serviceLevel cost available remaining }
}"""

ALTERNATIVES = """
query Alternatives($input: FulfillmentOptionsInput!) {
  alternatives(input: $input) {
    kind lines { sku quantity replaces } promisedDelivery pickupLocation { code } shipments cost explanation
  }
}"""


def skus(plan: Plan) -> list[str]:
    return [f"CHK-{n:04d}" for n in range(1, plan.skus + 1)]


def near_a_metro(rng: random.Random, spread: float) -> Coordinates:
    lat, lon = rng.choice(METROS)
    return Coordinates(round(lat + rng.uniform(-spread, spread), 4), round(lon + rng.uniform(-spread, spread), 4))


def alternatives_input(rng: random.Random, plan: Plan) -> dict[str, Any]:
    """A cart of 1-3 SKUs, 1-3 units each, shipped near a metro area: often more than one place holds."""
    lines = [{"sku": sku, "quantity": rng.randint(1, 3)} for sku in rng.sample(skus(plan), rng.randint(1, 3))]
    where = near_a_metro(rng, 0.5)
    return {"input": {"lines": lines, "shipTo": {"latitude": where.latitude, "longitude": where.longitude}}}


def offered(data: Any) -> bool:
    """Some window of the week is still available for the cart."""
    return any(window["available"] for window in data["deliveryWindows"])


Operation = tuple[str, Callable[[random.Random, Plan], dict[str, Any]], Callable[[Any], bool]]

# name -> (document, random variables, whether an answer is non-empty)
OPERATIONS: dict[str, Operation] = {
    "alternatives": (ALTERNATIVES, alternatives_input, lambda data: bool(data["alternatives"])),
    # The windows of the next 7 days the same carts could be delivered in (stores' courier slots, day windows).
    "delivery_windows": (
        WINDOWS,
        alternatives_input,
        lambda data: any(w["available"] for w in data["deliveryWindows"]),
    ),
    # The floor under it: the delivery promise of the same carts (what `alternatives` starts from).
    "fulfillment_options": (FULFILMENT_OPTIONS, alternatives_input, lambda data: bool(data["fulfillmentOptions"])),
}


async def seed_network(handlers: Any, plan: Plan) -> None:
    """Locations around the metros (one in five a store with a pickup counter), thin stock, supply for the SKUs
    out everywhere, and a substitution list per SKU (the next two SKUs)."""
    rng, meta = random.Random(20261201), Metadata(actor="bench")
    codes = [f"L{n:03d}" for n in range(plan.locations)]
    for n, code in enumerate(codes):
        kind = LocationType.STORE if n % 5 == 0 else LocationType.DISTRIBUTION_CENTER
        where = near_a_metro(rng, 1.5)
        create = locations.CreateLocation(code=code, name=f"Site {code}", type=kind, coordinates=where)
        await handlers.handle(create, meta)
        if kind is LocationType.STORE:  # same-day courier windows: 2 hours, 10:00-20:00 local, 8 deliveries each
            await handlers.handle(locations.UpdateLocation(code=code, delivery_capacity=COURIER), meta)
    catalogue = skus(plan)
    now = system_clock()
    for i, sku in enumerate(catalogue):
        holders = rng.sample(codes, plan.holders_per_sku)
        if i % 4 == 3:  # out everywhere: supply on its way to a few places
            for j, code in enumerate(holders[:3]):
                expect = stock.ExpectSupply(sku=sku, location_code=code, supply_id=f"po-{sku}-{j}",
                                            kind=SupplyKind.PURCHASE_ORDER, quantity=rng.randint(5, 20),
                                            expected_at=now + timedelta(days=rng.randint(2, 6)))  # fmt: skip
                await handlers.handle(expect, meta)
            continue
        for code in holders:
            receive = stock.ReceiveStock(sku=sku, location_code=code, quantity=rng.randint(1, 3))
            await handlers.handle(receive, meta)
    for i, sku in enumerate(catalogue):
        others = (catalogue[(i + 1) % len(catalogue)], catalogue[(i + 2) % len(catalogue)])
        await handlers.handle(substitutions.SetSubstitutes(sku=sku, substitutes=others), meta)


Results = dict[tuple[str, str], list[tuple[Result, float]]]  # (operation, mode) -> runs (result, non-empty share)


async def measure(plan: Plan, http: Http, url: str) -> Results:
    rng = random.Random(7)
    results: Results = defaultdict(list)
    for name, operation in OPERATIONS.items():
        results.update({(name, mode): runs for mode, runs in (await _runs(plan, http, url, rng, operation)).items()})
    return results


async def _runs(
    plan: Plan, http: Http, url: str, rng: random.Random, operation: Operation
) -> dict[str, list[tuple[Result, float]]]:
    """`plan.runs` runs of the operation, each open loop then closed loop, with the share of non-empty answers."""
    document, variables, answered = operation
    outcome = {"calls": 0, "answered": 0}

    async def call(_: int) -> bool:
        data = await graphql(http, url, document, variables(rng, plan))
        if data is None:
            return False
        outcome["calls"] += 1
        outcome["answered"] += answered(data)
        return True

    for i in range(20):  # warm up: the prepared network, the caches, the connections
        await call(i)
    runs: dict[str, list[tuple[Result, float]]] = defaultdict(list)
    for _ in range(plan.runs):
        for mode in ("open", "closed"):
            outcome.update(calls=0, answered=0)
            if mode == "open":
                result = await open_loop(call, plan.rate, plan.seconds, max_in_flight=128)
            else:
                result = await closed_loop(call, plan.clients, plan.seconds)
            runs[mode].append((result, outcome["answered"] / max(1, outcome["calls"])))
    return runs


def report(plan: Plan, results: Results, env: dict[str, Any]) -> None:
    for (name, mode), runs in results.items():
        context: dict[str, Any] = {"seconds": plan.seconds, "locations": plan.locations, "skus": plan.skus, **env}
        context.update({"offered_per_s": plan.rate} if mode == "open" else {"clients": plan.clients})
        context["errors"] = sum(r.errors + r.dropped for r, _ in runs)
        suffix = "" if mode == "open" else "_max"
        emit(BENCH, f"{name}{suffix}_per_s", [r.achieved_per_s for r, _ in runs], "requests/s", **context)
        emit(BENCH, f"{name}{suffix}_p50_ms", [r.p(0.50) for r, _ in runs], "ms", **context)
        emit(BENCH, f"{name}{suffix}_p99_ms", [r.p(0.99) for r, _ in runs], "ms", target_max=50, **context)
        emit(BENCH, f"{name}{suffix}_nonempty_fraction", [share for _, share in runs], "fraction", **context)


async def main(plan: Plan, quick: bool) -> None:
    async def seed(handlers: Any) -> None:
        await seed_network(handlers, plan)

    async with Databases(server_dsn()) as dbs:
        env = {"quick": quick, **await server_settings(dbs.server)}
        dsn = await seeded_database(dbs, "checkout", seed)
        cluster = Cluster(dsn, f"meridian-bench-{uuid.uuid4().hex[:8]}")
        try:
            await cluster.projections()
            url = await cluster.serve()
            await projections_caught_up(dsn)
            async with Http(connections=128) as http:
                results = await measure(plan, http, url)
        finally:
            await cluster.stop()
        report(plan, results, env)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small network, a second per step: checks the bench")
    parser.add_argument("--locations", type=int, help="the network's size instead of the plan's")
    args = parser.parse_args()
    chosen = QUICK if args.quick else FULL
    if args.locations:
        chosen = replace(
            chosen, locations=args.locations, holders_per_sku=min(chosen.holders_per_sku * 5, args.locations)
        )
    uvloop.run(main(chosen, args.quick))
