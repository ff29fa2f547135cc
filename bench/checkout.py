"""Checkout benchmark: what one `deliveryWindows` call computes, over 500 locations and a 7-day horizon.

Run `python bench/checkout.py` (add `--quick` for a smoke run). Prints one JSON object per line (bench/_common.emit:
the median of 3 runs, and the runs). The network is bench/sourcing.py's seeded 500 locations across 40 US cities;
every store delivers 2-hour courier windows 10:00-20:00 local (8 slots each, some already taken); carts of 1-3
lines to addresses near those cities. Per call, as the resolver does: the delivering sites within courier reach
(zones from their coordinates), their windows over the week, stock and cut-offs, slots left, and the scheduled
day windows from the quote of every service level. Not included: the HTTP and GraphQL layers, the cart's stock
lookup (shared with `fulfillmentOptions`, measured in bench/api.py) and the one round trip reading the slots.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder heads sys.path; the project root must come first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.domain.delivery import DeliveryCapacity
from app.domain.values import LocationType
from app.sourcing import PreparedNetwork, default_profile
from app.sourcing.windows import DEFAULT_HORIZON, DeliverySite, Window, delivery_windows, zone_at
from bench._common import emit, percentile
from bench.sourcing import NOW, SEED, network, orders

COURIER = DeliveryCapacity(
    window_minutes=120, deliveries_per_window=8, first_window_starts_at="10:00", last_window_ends_at="20:00"
)


def run(size: int, calls: int) -> tuple[float, float, float]:
    """(calls per second, p50 ms, p99 ms) of `calls` deliveryWindows computations."""
    rng = random.Random(SEED + 16)
    net, stock = network(rng, size)
    carts = orders(rng, calls, lines=(1, 3))
    prepared = PreparedNetwork(net, default_profile())
    stores = [loc for loc in net if loc.type is LocationType.STORE]
    reach = prepared.profile.transit.courier_radius_km
    span = Window(NOW, NOW + DEFAULT_HORIZON)
    taken: dict[tuple[str, datetime], int] = {}
    for loc in stores:  # a week of bookings already in: a few windows full, most partly taken
        zone = zone_at(loc.coordinates)
        for day in range(7):
            for hour in range(10, 20, 2):
                start = datetime(2025, 3, 3 + day, hour, tzinfo=zone).astimezone(ZoneInfo("UTC"))
                taken[(loc.code, start)] = rng.choice([0, 0, 2, 5, 8])
    latencies: list[float] = []
    begin = time.perf_counter()
    for cart in carts:
        started = time.perf_counter()
        near = [loc for loc in stores if loc.coordinates.distance_km(cart.ship_to) <= reach]
        sites = [DeliverySite(code=loc.code, capacity=COURIER, zone=zone_at(loc.coordinates)) for loc in near]
        delivery_windows(prepared, sites, cart.lines, cart.ship_to, stock, NOW, span, taken)
        latencies.append((time.perf_counter() - started) * 1000)
    elapsed = time.perf_counter() - begin
    return calls / elapsed, percentile(latencies, 0.5), percentile(latencies, 0.99)


def main() -> None:
    quick = "--quick" in sys.argv
    size, calls = (500, 60) if quick else (500, 2000)
    runs = [run(size, calls) for _ in range(3)]
    context = {"locations": size, "horizon_days": DEFAULT_HORIZON / timedelta(days=1), "calls": calls}
    emit("checkout", "delivery_windows_per_s", [r[0] for r in runs], "calls/s", **context)
    emit("checkout", "delivery_windows_p50_ms", [r[1] for r in runs], "ms", **context)
    emit("checkout", "delivery_windows_p99_ms", [r[2] for r in runs], "ms", **context)


if __name__ == "__main__":
    main()
