"""Delivery windows at checkout: `deliveryWindows` (public, like `fulfillmentOptions`) and the admin's
`setDeliveryCapacity`.

`deliveryWindows` takes its cart, address, network and stock through `public_cart` (the same limits), works the
windows out with `app.sourcing.windows`, and reads the slots taken from the windows' own slots streams (a few
dozen small streams of the sites within courier reach, in one round trip), so `remaining` is exact when asked.
Placing still decides on the truth: a window listed here may be gone a moment later (WINDOW_UNAVAILABLE).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry

from app.domain.aggregates import SLOTS
from app.domain.delivery import DeliveryCapacity, slot_stream
from app.domain.locations import UpdateLocation
from app.handlers.windows import delivery_sites
from app.sourcing.windows import DEFAULT_HORIZON, Window, capacity_offers, delivery_windows
from eventstore import load_states

from .access import can_manage_locations
from .context import ANYONE, Info
from .errors import ApiError, UserError, forbidden
from .fulfillment import public_cart
from .loaders import forget
from .locations import Location, location
from .mutation_support import run_command
from .orders.mutations import AddressInput, OrderLineInput
from .window_types import DeliveryWindow

MAX_SPAN = timedelta(days=31)  # a month of windows at most per question


@strawberry.input
class DeliveryWindowsInput:
    lines: list[OrderLineInput]
    ship_to: AddressInput
    from_: datetime | None = strawberry.field(name="from", default=None)
    to: datetime | None = None


@strawberry.input
class DeliveryCapacityInput:
    location_code: str
    window_minutes: int
    deliveries_per_window: int
    first_window_starts_at: str = strawberry.field(description='Local "HH:MM" in the location\'s time zone.')
    last_window_ends_at: str = strawberry.field(description='Local "HH:MM" in the location\'s time zone.')


@strawberry.type
class DeliveryCapacityPayload:
    location: Location | None
    user_errors: list[UserError]


@strawberry.type
class DeliveryWindowQueries:
    @strawberry.field(description="The delivery windows a cart can be promised for at an address (default: 7 days).")
    async def delivery_windows(self, info: Info, input: DeliveryWindowsInput) -> list[DeliveryWindow]:
        given = await public_cart(info, input.lines, input.ship_to, "input.shipTo")
        start = input.from_ or given.now
        end = input.to or start + DEFAULT_HORIZON
        if not start < end <= start + MAX_SPAN:
            raise ApiError("`to` must be after `from`, at most 31 days later", "INVALID_ARGUMENT", "input.to")
        span = Window(start, end)
        services = info.context.services
        reach = given.prepared.profile.transit.courier_radius_km
        locations = await services.network.locations()
        near = {loc.code for loc in locations if loc.coordinates.distance_km(given.near) <= reach}
        sites = [s for s in delivery_sites(locations) if s.code in near]
        args = (given.prepared, sites, given.lines, given.near, given.availability, given.now, span)
        # The windows first, then the slots taken in just those windows.
        streams = {(o.location_code, o.start): o for o in capacity_offers(*args, {}) if o.location_code}
        ids = {slot_stream(code, start): (code, start) for code, start in streams}
        store, codec = services.handlers.ctx.store, services.handlers.ctx.codec
        loaded = await load_states(store, codec, dict.fromkeys(ids, SLOTS)) if ids else {}
        taken = {ids[stream]: state.taken for stream, (state, _) in loaded.items()}
        return [
            DeliveryWindow(
                start=o.start,
                end=o.end,
                service_level=o.service_level,
                cost=o.cost,
                available=o.available,
                remaining=o.remaining,
            )
            for o in delivery_windows(*args, taken)
        ]


@strawberry.type
class DeliveryCapacityMutations:
    @strawberry.mutation(description="Same-day and scheduled windows of a location and their capacity (admin).")
    async def set_delivery_capacity(self, info: Info, input: DeliveryCapacityInput) -> DeliveryCapacityPayload:
        if not can_manage_locations(info.context.require(*ANYONE)):
            raise forbidden()
        capacity = DeliveryCapacity(
            window_minutes=input.window_minutes,
            deliveries_per_window=input.deliveries_per_window,
            first_window_starts_at=input.first_window_starts_at,
            last_window_ends_at=input.last_window_ends_at,
        )
        errors = await run_command(info, UpdateLocation(code=input.location_code, delivery_capacity=capacity))
        # The location aggregate names its code `code`; this input names it `locationCode`.
        for error in errors:
            if error.field == ["input", "code"]:
                error.field = ["input", "locationCode"]
        forget(info.context.loaders.locations, input.location_code)
        found = None if errors else await location(info, input.location_code)
        return DeliveryCapacityPayload(location=found, user_errors=errors)
