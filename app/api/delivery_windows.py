"""Delivery windows at checkout: `deliveryWindows` (public, like `fulfillmentOptions`), the admin's
`setDeliveryCapacity`, and `deliverySlots` (staff: how full a location's windows are, now or as of a moment).

`deliveryWindows` takes its cart, address, network and stock through `public_cart` (the same limits), works the
windows out with `app.sourcing.windows`, and reads the slots taken from the windows' own slots streams (a few
dozen small streams of the sites within courier reach, in one round trip), so `remaining` is exact when asked.
Placing still decides on the truth: a window listed here may be gone a moment later (WINDOW_UNAVAILABLE).

`deliverySlots` lists the windows of the location's setting (as it stood at `asOf`, read from its stream) merged
with the windows that hold slots (the `delivery_slots` read model: a window of an earlier setting still holds its
orders). Now, the slots taken are the read model's; as of a moment, each listed window's slots stream is folded
up to then (`projections.slots_as_of`), so a page costs one small fold per window.
"""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
import strawberry

from app.domain.aggregates import LOCATION, SLOTS
from app.domain.delivery import DeliveryCapacity, slot_stream
from app.domain.locations import UpdateLocation
from app.domain.streams import location_stream
from app.handlers.windows import delivery_sites
from app.sourcing.windows import (
    DEFAULT_HORIZON,
    Window,
    capacity_offers,
    day_window,
    delivery_windows,
    windows_of_day,
    zone_at,
)
from eventstore import load_state, load_states
from projections import queries, slots_as_of

from .access import can_manage_locations, can_see_delivery_slots_at
from .context import ANYONE, STAFF, Info
from .errors import ApiError, UserError, forbidden
from .fulfillment import public_cart
from .loaders import forget
from .locations import Location, location
from .mutation_support import run_command
from .orders.mutations import AddressInput, OrderLineInput
from .scalars import MAX_PAGE, PageInfo
from .window_types import DeliveryWindow

MAX_SPAN = timedelta(days=31)  # a month of windows at most per question
MAX_SLOTS_SPAN = timedelta(days=7)  # a week of a location's windows at most per listing


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


@strawberry.type(name="DeliveryCapacity", description='A location\'s delivery windows: local "HH:MM" times.')
class DeliveryCapacitySetting:
    window_minutes: int
    deliveries_per_window: int
    first_window_starts_at: str
    last_window_ends_at: str


@strawberry.type(description="One delivery window of a location and how full it is.")
class DeliverySlot:
    start: datetime
    end: datetime
    taken: int
    capacity: int = strawberry.field(description="Deliveries the window takes (the setting's, else as recorded).")
    remaining: int


@strawberry.type
class DeliverySlotEdge:
    cursor: str
    node: DeliverySlot


@strawberry.type
class DeliverySlotConnection:
    location_code: str
    time_zone: str = strawberry.field(description="The IANA zone the location's windows are local to.")
    delivery_capacity: DeliveryCapacitySetting | None = strawberry.field(
        description="The location's setting (as of the moment asked); null: it delivers no capacity windows."
    )
    edges: list[DeliverySlotEdge]
    page_info: PageInfo


def _slot_cursor(start: datetime) -> str:
    return base64.urlsafe_b64encode(start.isoformat().encode()).decode()


def _parse_slot_cursor(cursor: str) -> datetime:
    try:
        start = datetime.fromisoformat(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, TypeError):
        start = None  # not base64, not text or not a moment: refused below like any other cursor we did not make
    if start is None or start.tzinfo is None:
        raise ApiError("not a cursor this query returned", "INVALID_CURSOR", "after")
    return start


def _setting_windows(capacity: DeliveryCapacity, span: Window, zone: ZoneInfo) -> list[Window]:
    """The setting's windows that start within `span`, local day by local day."""
    day, last_day = span.start.astimezone(zone).date(), span.end.astimezone(zone).date()
    found: list[Window] = []
    while day <= last_day:
        found += [w for w in windows_of_day(capacity, day, zone) if span.start <= w.start < span.end]
        day += timedelta(days=1)
    return found


@strawberry.type
class DeliverySlotQueries:
    @strawberry.field(description="A location's delivery windows and how full each is (default: its local day).")
    async def delivery_slots(
        self,
        info: Info,
        location_code: str,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        as_of: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> DeliverySlotConnection:
        if not can_see_delivery_slots_at(info.context.require(*STAFF), location_code):
            raise forbidden(f"deliverySlots at {location_code}")
        size = first if first is not None else 50
        if not 0 < size <= MAX_PAGE:
            raise ApiError(f"first must be between 1 and {MAX_PAGE}", "INVALID_ARGUMENT", "first")
        services = info.context.services
        store, codec = services.handlers.ctx.store, services.handlers.ctx.codec
        loc, _ = await load_state(store, codec, LOCATION, location_stream(location_code), as_of=as_of)
        if loc is None:
            raise ApiError(f"no location {location_code}", "NOT_FOUND", "locationCode")
        zone = zone_at(loc.coordinates, loc.time_zone)
        today = day_window((as_of or services.clock()).astimezone(zone).date(), zone)
        start = from_ or today.start
        end = to or (today.end if from_ is None else start + timedelta(days=1))
        if not start < end <= start + MAX_SLOTS_SPAN:
            raise ApiError("`to` must be after `from`, at most 7 days later", "INVALID_ARGUMENT", "to")
        cursor = _parse_slot_cursor(after) if after else None
        setting = loc.delivery_capacity
        planned = {w.start: w for w in (_setting_windows(setting, Window(start, end), zone) if setting else ())}
        rows = await queries.delivery_slots_page(services.pool, location_code, start, end, first=size + 1, after=cursor)
        # Windows holding slots: (end, taken, capacity recorded with the last reservation), by start.
        held = {row["window_start"]: (row["window_end"], row["taken"], row["capacity"]) for row in rows}
        starts = sorted(s for s in {*planned, *held} if cursor is None or s > cursor)[: size + 1]
        if as_of is not None:
            past = await asyncio.gather(*(slots_as_of(store, codec, location_code, s, as_of) for s in starts))
            held = {
                s: (state.end, state.taken, state.capacity) for s, state in zip(starts, past, strict=True) if state.end
            }
            # A window of an earlier setting that held nothing yet by then was no window then.
            starts = [s for s in starts if s in planned or s in held]
        slots = [_slot(s, planned.get(s), held.get(s), setting) for s in starts]
        edges = [DeliverySlotEdge(cursor=_slot_cursor(slot.start), node=slot) for slot in slots[:size]]
        return DeliverySlotConnection(
            location_code=location_code,
            time_zone=zone.key,
            delivery_capacity=None if setting is None else DeliveryCapacitySetting(**msgspec.structs.asdict(setting)),
            edges=edges,
            page_info=PageInfo(has_next_page=len(slots) > size, end_cursor=edges[-1].cursor if edges else None),
        )


def _slot(
    start: datetime,
    planned: Window | None,
    held: tuple[datetime, int, int | None] | None,
    setting: DeliveryCapacity | None,
) -> DeliverySlot:
    """A window of the setting takes the setting's deliveries; one of an earlier setting, those it recorded
    (lowering a capacity never takes a slot back, so `remaining` is never negative)."""
    taken = held[1] if held else 0
    if planned is not None and setting is not None:
        end, capacity = planned.end, setting.deliveries_per_window
    else:
        assert held is not None  # every listed window is planned or holds slots
        end, capacity = held[0], held[2] or 0
    return DeliverySlot(start=start, end=end, taken=taken, capacity=capacity, remaining=max(0, capacity - taken))


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
