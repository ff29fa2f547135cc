"""A demo network for `make run`: a dozen locations of every type across the US and stock for a few hundred
SKUs, deterministic (seeded), written through the command handlers like any other change."""

from __future__ import annotations

import random

from app.domain import locations, stock
from app.domain.delivery import DeliveryCapacity
from app.domain.values import Coordinates, LocationType
from app.handlers import Handlers
from eventstore import Metadata

DC, STORE, TPL, DSV, RET = (
    LocationType.DISTRIBUTION_CENTER,
    LocationType.STORE,
    LocationType.THIRD_PARTY_LOGISTICS,
    LocationType.DROP_SHIP_VENDOR,
    LocationType.RETURNS_CENTER,
)

NETWORK: list[tuple[str, str, LocationType, float, float]] = [
    ("DC-NJ", "Edison distribution centre", DC, 40.52, -74.41),
    ("DC-TX", "Dallas distribution centre", DC, 32.78, -96.80),
    ("DC-CA", "Ontario (CA) distribution centre", DC, 34.06, -117.65),
    ("ST-NYC", "Manhattan flagship store", STORE, 40.75, -73.99),
    ("ST-CHI", "Chicago State Street store", STORE, 41.88, -87.63),
    ("ST-SEA", "Seattle store", STORE, 47.61, -122.33),
    ("ST-MIA", "Miami store", STORE, 25.76, -80.19),
    ("3PL-GA", "Atlanta 3PL", TPL, 33.75, -84.39),
    ("3PL-CO", "Denver 3PL", TPL, 39.74, -104.99),
    ("DSV-OH", "Columbus drop-ship vendor", DSV, 39.96, -83.00),
    ("DSV-AZ", "Phoenix drop-ship vendor", DSV, 33.45, -112.07),
    ("RET-KY", "Louisville returns centre", RET, 38.25, -85.76),
]


# Two-hour courier windows through a store's day, eight deliveries each (in the store's own time zone).
COURIER = DeliveryCapacity(
    window_minutes=120, deliveries_per_window=8, first_window_starts_at="10:00", last_window_ends_at="20:00"
)


def demo_skus(count: int = 300) -> list[str]:
    return [f"SKU-{n:04d}" for n in range(1, count + 1)]


async def seed(handlers: Handlers, *, skus: int = 300, seed_value: int = 7) -> int:
    """Creates the demo network; returns the number of commands applied (0 if it was already there)."""
    rng = random.Random(seed_value)
    meta = Metadata(actor="seed")
    applied = 0
    for code, name, kind, lat, lon in NETWORK:
        command = locations.CreateLocation(
            code=code,
            name=name,
            type=kind,
            coordinates=Coordinates(lat, lon),
            daily_capacity=5000,
            handling_cost=1.5 if kind is not STORE else 3.0,
        )
        await handlers.handle(command, meta)
        applied += 1
        if kind is STORE:  # the stores deliver same-day courier windows: `deliveryWindows` has some to show
            await handlers.handle(locations.UpdateLocation(code=code, delivery_capacity=COURIER), meta)
            applied += 1
    shipping = [code for code, _, kind, _, _ in NETWORK if kind is not RET]
    for sku in demo_skus(skus):
        for code in rng.sample(shipping, k=rng.randint(1, 4)):
            quantity = rng.randint(5, 200)
            await handlers.handle(stock.ReceiveStock(sku=sku, location_code=code, quantity=quantity), meta)
            applied += 1
    return applied
