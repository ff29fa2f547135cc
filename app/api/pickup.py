"""Click & collect: where near a shopper a cart can be collected, and by when. Public, like `fulfillmentOptions`.

The promise is worked out in app/sourcing/pickup.py (stores ranked by readiness then distance, a transfer when
the store lacks stock, stores nobody can serve listed last as unavailable); this resolver checks the input and
reads the network and stock the delivery promise reads (app/handlers/cached_network.py).

Not a stock oracle either: a cart asked about without a token is capped like `fulfillmentOptions`'
(MERIDIAN_PUBLIC_MAX_QUANTITY, `cart`), so "available at this store" says what a store page would, never how many.
A caller who is not staff sees a store as a shopper would: its network settings (daily capacity, handling cost,
pick SLA) are null, as what the network costs is for staff (`sees_network`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from datetime import datetime

import strawberry

from app.sourcing import pickup_options

from .access import sees_network
from .context import Info
from .errors import ApiError
from .fulfillment import public_cart
from .locations import Location
from .orders.mutations import AddressInput, OrderLineInput

DEFAULT_RADIUS_KM, MAX_RADIUS_KM = 50.0, 1000.0
DEFAULT_FIRST, MAX_FIRST = 10, 100


@strawberry.type
class PickupOption:
    location: Location
    distance_km: float
    ready_by: datetime
    available: bool
    via_transfer: bool


@strawberry.input
class PickupOptionsInput:
    lines: list[OrderLineInput]
    near: AddressInput
    radius_km: float | None = DEFAULT_RADIUS_KM  # null: the default
    first: int | None = DEFAULT_FIRST


@strawberry.type
class PickupQueries:
    @strawberry.field(
        description="Stores near an address where a cart could be collected, by readiness then distance; stores "
        "within the radius that cannot be served come last with available false."
    )
    async def pickup_options(self, info: Info, input: PickupOptionsInput) -> list[PickupOption]:
        radius_km = DEFAULT_RADIUS_KM if input.radius_km is None else input.radius_km
        first = DEFAULT_FIRST if input.first is None else input.first
        if not (math.isfinite(radius_km) and 0 < radius_km <= MAX_RADIUS_KM):
            raise ApiError(f"radiusKm must be above 0 and at most {MAX_RADIUS_KM:.0f}", "INVALID_ARGUMENT",
                           "input.radiusKm")  # fmt: skip
        if not 0 < first <= MAX_FIRST:
            raise ApiError(f"first must be between 1 and {MAX_FIRST}", "INVALID_ARGUMENT", "input.first")
        given = await public_cart(info, input.lines, input.near, "input.near")
        found = pickup_options(
            given.prepared,
            given.lines,
            given.near,
            given.availability,
            given.now,
            radius_km=radius_km,
            first=first,
        )
        rows = await asyncio.gather(*(info.context.loaders.locations.load(o.location_code) for o in found))
        staff = sees_network(info.context.principal)
        return [
            PickupOption(
                location=_shown(Location.from_row(row), staff),
                distance_km=round(option.distance_km, 1),
                ready_by=option.ready_by,
                available=option.available,
                via_transfer=option.via_transfer,
            )
            for option, row in zip(found, rows, strict=True)
            if row is not None  # created a moment ago and not in the read model yet: listed on the next call
        ]


def _shown(location: Location, staff: bool) -> Location:
    if staff:
        return location
    return dataclasses.replace(location, daily_capacity=None, handling_cost=None, pick_sla_minutes=None)
