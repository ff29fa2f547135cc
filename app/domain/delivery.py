"""Delivery windows: a location's delivery capacity (a setting of the location), the window an order is for,
and the slots ledger that keeps a window from being oversold.

Slots are one stream per location and window (`slots-<location>-<window start, UTC ISO>`): taking a slot appends
to it with the version read, in the same atomic append as the order and its stock reservations, so N orders
racing for k free slots get exactly k (the others read the stream again and find it full). The capacity is
passed with each command (the location's setting at that moment): lowering it never takes a slot back.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from app.domain.errors import DomainError, InvalidInput, require_not_negative
from app.domain.events import Command, Event
from app.domain.values import ServiceLevel

MIN_WINDOW_MINUTES = 15
MAX_WINDOW_MINUTES = 720
_HH_MM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class DeliveryCapacity(msgspec.Struct, frozen=True, kw_only=True):
    """Windows of `window_minutes` from `first_window_starts_at` to `last_window_ends_at` (local "HH:MM" in the
    location's time zone), each taking at most `deliveries_per_window` deliveries (0: the location delivers
    no windows, e.g. while the courier contract is paused)."""

    window_minutes: int
    deliveries_per_window: int
    first_window_starts_at: str
    last_window_ends_at: str


def minutes_of(hh_mm: str) -> int:
    """Minutes after local midnight of a validated "HH:MM"."""
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


def capacity_problems(capacity: DeliveryCapacity) -> list[DomainError]:
    """Everything wrong with a capacity setting, each at the input field it came from."""
    problems: list[DomainError] = []
    if not MIN_WINDOW_MINUTES <= capacity.window_minutes <= MAX_WINDOW_MINUTES:
        problems.append(
            InvalidInput(
                f"a window lasts between {MIN_WINDOW_MINUTES} and {MAX_WINDOW_MINUTES} minutes",
                field=("windowMinutes",),
            )
        )
    try:
        require_not_negative(capacity.deliveries_per_window, ("deliveriesPerWindow",))
    except DomainError as negative:
        problems.append(negative)
    times_ok = True
    for name, value in (
        ("firstWindowStartsAt", capacity.first_window_starts_at),
        ("lastWindowEndsAt", capacity.last_window_ends_at),
    ):
        if not _HH_MM.match(value):
            problems.append(InvalidInput(f"{value!r} is not a local time as HH:MM", field=(name,)))
            times_ok = False
    if times_ok and minutes_of(capacity.first_window_starts_at) >= minutes_of(capacity.last_window_ends_at):
        problems.append(
            InvalidInput("the first window must start before the last one ends", field=("lastWindowEndsAt",))
        )
    return problems


def valid_time_zone(name: str) -> bool:
    """An IANA zone name the zoneinfo database knows (checked where it is set, so it never fails later)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class ChosenWindow(msgspec.Struct, frozen=True, kw_only=True):
    """The window an order must arrive in. `location_code` names the location whose slot it holds (None: a
    scheduled window of a service level without capacity limits)."""

    start: datetime
    end: datetime
    service_level: ServiceLevel
    cost: float = 0.0
    location_code: str | None = None
    release_at: datetime | None = None  # the latest pick start that still arrives in the window


def slot_stream(location_code: str, start: datetime) -> str:
    return f"slots-{location_code}-{start.astimezone(UTC).strftime('%Y-%m-%dT%H:%MZ')}"


# Slots ledger


class ReserveSlot(Command, frozen=True, kw_only=True):
    location_code: str
    start: datetime
    end: datetime
    order_id: str
    capacity: int  # deliveries the window takes, per the location's setting now


class ReleaseSlot(Command, frozen=True, kw_only=True):
    location_code: str
    start: datetime
    order_id: str
    reason: str = ""


class SlotReserved(Event, frozen=True, kw_only=True):
    location_code: str
    start: datetime
    end: datetime
    order_id: str
    capacity: int


class SlotReleased(Event, frozen=True, kw_only=True):
    location_code: str
    start: datetime
    order_id: str
    reason: str


SLOT_EVENTS: tuple[type[Event], ...] = (SlotReserved, SlotReleased)


class WindowUnavailable(DomainError):
    code = "WINDOW_UNAVAILABLE"


class Slots(msgspec.Struct, frozen=True, kw_only=True):
    """One window of one location: who holds its slots."""

    holders: tuple[str, ...] = ()  # order ids, in the order taken
    capacity: int | None = None  # as of the last reservation
    location_code: str = ""  # which window (set by the first reservation)
    start: datetime | None = None
    end: datetime | None = None

    @property
    def taken(self) -> int:
        return len(self.holders)


EMPTY_SLOTS = Slots()


def remaining(slots: Slots, capacity: int) -> int:
    """Deliveries the window can still take under `capacity`; never negative (a lowered capacity keeps the
    slots already taken)."""
    return max(0, capacity - slots.taken)


def evolve_slots(state: Slots, event: Event) -> Slots:
    match event:
        case SlotReserved():
            return msgspec.structs.replace(
                state,
                holders=(*state.holders, event.order_id),
                capacity=event.capacity,
                location_code=event.location_code,
                start=event.start,
                end=event.end,
            )
        case SlotReleased():
            return msgspec.structs.replace(state, holders=tuple(h for h in state.holders if h != event.order_id))
    return state


def decide_slots(state: Slots, command: ReserveSlot | ReleaseSlot, now: datetime) -> list[Event]:
    """A slot per order; taking one the order holds already, or releasing one it does not hold, is nothing."""
    match command:
        case ReserveSlot():
            if command.order_id in state.holders:
                return []
            if remaining(state, command.capacity) < 1:
                raise WindowUnavailable(
                    f"the window from {command.start.isoformat()} at {command.location_code} is full",
                    field=("deliveryWindow",),
                )
            return [
                SlotReserved(
                    location_code=command.location_code,
                    start=command.start,
                    end=command.end,
                    order_id=command.order_id,
                    capacity=command.capacity,
                )
            ]
        case ReleaseSlot():
            if command.order_id not in state.holders:
                return []
            return [
                SlotReleased(
                    location_code=command.location_code,
                    start=command.start,
                    order_id=command.order_id,
                    reason=command.reason,
                )
            ]
