"""Location aggregate: a place that holds stock (DC, store, 3PL, drop-ship vendor, returns centre).

The initial state is `None` (no such location). Stock and return decisions take a `Location | None` as an
extra argument to check that a location exists, is active and can do what is asked.

Settings added after the first locations were recorded (`pick_sla_minutes`, `pickup_hold_days`) have defaults
on the event, so a `LocationCreated` written before them still decodes, with the behaviour it had then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from app.domain.delivery import DeliveryCapacity, capacity_problems, valid_time_zone
from app.domain.errors import Duplicate, InvalidInput, InvalidState, NotFound, refuse_all, require_not_negative
from app.domain.events import Command, Event
from app.domain.values import Coordinates, LocationCapability, LocationType

DEFAULT_PICKUP_HOLD_DAYS = 5


class Capabilities(msgspec.Struct, frozen=True, kw_only=True):
    ship: bool = True
    pickup: bool = False
    returns: bool = False


def capabilities_of(named: Iterable[LocationCapability]) -> Capabilities:
    chosen = frozenset(named)
    return Capabilities(
        ship=LocationCapability.SHIP in chosen,
        pickup=LocationCapability.PICKUP in chosen,
        returns=LocationCapability.RETURNS in chosen,
    )


def capability_names(capabilities: Capabilities) -> list[LocationCapability]:
    """The capabilities as the API lists them, in the enum's order."""
    held = {
        LocationCapability.SHIP: capabilities.ship,
        LocationCapability.PICKUP: capabilities.pickup,
        LocationCapability.RETURNS: capabilities.returns,
    }
    return [name for name, has in held.items() if has]


def default_capabilities(location_type: LocationType) -> Capabilities:
    """What a location of this type does unless told otherwise: a returns centre only takes returns."""
    if location_type is LocationType.RETURNS_CENTER:
        return Capabilities(ship=False, pickup=False, returns=True)
    if location_type is LocationType.STORE:
        return Capabilities(ship=True, pickup=True, returns=True)
    if location_type is LocationType.DROP_SHIP_VENDOR:
        return Capabilities(ship=True, pickup=False, returns=False)
    return Capabilities(ship=True, pickup=False, returns=True)


# Commands


class CreateLocation(Command, frozen=True, kw_only=True):
    code: str
    name: str
    type: LocationType
    coordinates: Coordinates
    capabilities: Capabilities | None = None  # None: `default_capabilities(type)`
    daily_capacity: int | None = None  # orders per day; None = unlimited
    handling_cost: float = 0.0
    pick_sla_minutes: int | None = None  # None: a planned shipment there never expires
    pickup_hold_days: int = DEFAULT_PICKUP_HOLD_DAYS


class UpdateLocation(Command, frozen=True, kw_only=True):
    """Change some settings of a location; UNSET leaves a setting as it is (None is a value: "unlimited",
    "never"). `active` is carried out as a deactivation or reactivation, the one way a location's activity
    changes."""

    code: str
    name: str | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    capabilities: Capabilities | UnsetType = UNSET
    daily_capacity: int | UnsetType | None = UNSET
    handling_cost: float | UnsetType = UNSET
    pick_sla_minutes: int | UnsetType | None = UNSET
    pickup_hold_days: int | UnsetType = UNSET
    delivery_capacity: DeliveryCapacity | UnsetType | None = UNSET  # None: delivers by service level only
    time_zone: str | UnsetType | None = UNSET  # IANA name; None: the zone of its coordinates


class DeactivateLocation(Command, frozen=True, kw_only=True):
    code: str
    reason: str = ""


class ReactivateLocation(Command, frozen=True, kw_only=True):
    code: str


LocationCommand = CreateLocation | UpdateLocation | DeactivateLocation | ReactivateLocation


# Events


class LocationCreated(Event, frozen=True, kw_only=True):
    code: str
    name: str
    type: LocationType
    coordinates: Coordinates
    capabilities: Capabilities
    daily_capacity: int | None
    handling_cost: float
    pick_sla_minutes: int | None = None
    pickup_hold_days: int = DEFAULT_PICKUP_HOLD_DAYS


class LocationUpdated(Event, frozen=True, kw_only=True):
    """Only the settings that changed are present (the others are UNSET, and absent from the stored payload):
    the log then says what an admin changed, not just what the location looks like afterwards."""

    code: str
    name: str | UnsetType = UNSET
    capabilities: Capabilities | UnsetType = UNSET
    daily_capacity: int | UnsetType | None = UNSET
    handling_cost: float | UnsetType = UNSET
    pick_sla_minutes: int | UnsetType | None = UNSET
    pickup_hold_days: int | UnsetType = UNSET
    delivery_capacity: DeliveryCapacity | UnsetType | None = UNSET  # None: delivers by service level only
    time_zone: str | UnsetType | None = UNSET  # IANA name; None: the zone of its coordinates


class LocationDeactivated(Event, frozen=True, kw_only=True):
    code: str
    reason: str


class LocationReactivated(Event, frozen=True, kw_only=True):
    code: str


LOCATION_EVENTS: tuple[type[Event], ...] = (
    LocationCreated,
    LocationUpdated,
    LocationDeactivated,
    LocationReactivated,
)


# State


class Location(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    type: LocationType
    coordinates: Coordinates
    capabilities: Capabilities
    daily_capacity: int | None
    handling_cost: float
    pick_sla_minutes: int | None = None
    pickup_hold_days: int = DEFAULT_PICKUP_HOLD_DAYS
    delivery_capacity: DeliveryCapacity | None = None
    time_zone: str | None = None
    active: bool = True


def evolve(state: Location | None, event: Event) -> Location | None:
    match event:
        case LocationCreated():
            return Location(
                code=event.code,
                name=event.name,
                type=event.type,
                coordinates=event.coordinates,
                capabilities=event.capabilities,
                daily_capacity=event.daily_capacity,
                handling_cost=event.handling_cost,
                pick_sla_minutes=event.pick_sla_minutes,
                pickup_hold_days=event.pickup_hold_days,
            )
        case LocationUpdated() if state is not None:
            changed = {name: getattr(event, name) for name in SETTINGS if getattr(event, name) is not UNSET}
            return msgspec.structs.replace(state, **changed)
        case LocationDeactivated() if state is not None:
            return msgspec.structs.replace(state, active=False)
        case LocationReactivated() if state is not None:
            return msgspec.structs.replace(state, active=True)
        case _:
            return state


def decide(state: Location | None, command: LocationCommand, now: datetime) -> list[Event]:
    """`now` is taken for the uniform `decide(state, command, now)` shape; locations need no clock."""
    match command:
        case CreateLocation():
            if state is not None:
                raise Duplicate(f"location {command.code} already exists", field=("code",))
            _validate_new_location(command)
            return [
                LocationCreated(
                    code=command.code,
                    name=command.name.strip(),
                    type=command.type,
                    coordinates=command.coordinates,
                    capabilities=command.capabilities or default_capabilities(command.type),
                    daily_capacity=command.daily_capacity,
                    handling_cost=command.handling_cost,
                    pick_sla_minutes=command.pick_sla_minutes,
                    pickup_hold_days=command.pickup_hold_days,
                )
            ]
        case UpdateLocation():
            return _update(_existing(state, command.code), command)
        case DeactivateLocation():
            existing = _existing(state, command.code)
            if not existing.active:
                raise InvalidState(f"location {command.code} is already inactive")
            return [LocationDeactivated(code=command.code, reason=command.reason)]
        case ReactivateLocation():
            existing = _existing(state, command.code)
            if existing.active:
                raise InvalidState(f"location {command.code} is already active")
            return [LocationReactivated(code=command.code)]


# What UpdateLocation may change besides `active`, by field name (the same on command, event and state).
SETTINGS = (
    "name",
    "capabilities",
    "daily_capacity",
    "handling_cost",
    "pick_sla_minutes",
    "pickup_hold_days",
    "delivery_capacity",
    "time_zone",
)


def _update(existing: Location, command: UpdateLocation) -> list[Event]:
    name = command.name.strip() if isinstance(command.name, str) else UNSET
    if isinstance(name, str) and not name:
        raise InvalidInput("location name must not be empty", field=("name",))
    _validate_settings(
        capabilities=command.capabilities,
        daily_capacity=command.daily_capacity,
        handling_cost=command.handling_cost,
        pick_sla_minutes=command.pick_sla_minutes,
        pickup_hold_days=command.pickup_hold_days,
    )
    if isinstance(command.delivery_capacity, DeliveryCapacity):
        refuse_all(capacity_problems(command.delivery_capacity))
    if isinstance(command.time_zone, str) and not valid_time_zone(command.time_zone):
        raise InvalidInput(f"{command.time_zone!r} is not a time zone of the tz database", field=("timeZone",))
    updated = LocationUpdated(
        code=existing.code,
        name=_changed(name, existing.name),
        capabilities=_changed(command.capabilities, existing.capabilities),
        daily_capacity=_changed(command.daily_capacity, existing.daily_capacity),
        handling_cost=_changed(command.handling_cost, existing.handling_cost),
        pick_sla_minutes=_changed(command.pick_sla_minutes, existing.pick_sla_minutes),
        pickup_hold_days=_changed(command.pickup_hold_days, existing.pickup_hold_days),
        delivery_capacity=_changed(command.delivery_capacity, existing.delivery_capacity),
        time_zone=_changed(command.time_zone, existing.time_zone),
    )
    events: list[Event] = [updated] if any(getattr(updated, f) is not UNSET for f in SETTINGS) else []
    # Activity keeps its own events (sourcing and the read models already follow them); a no-op is no event.
    if command.active is False and existing.active:
        events.append(LocationDeactivated(code=existing.code, reason="updated"))
    elif command.active is True and not existing.active:
        events.append(LocationReactivated(code=existing.code))
    return events


T = TypeVar("T")


def _changed(asked: T | UnsetType, current: T) -> T | UnsetType:
    """UNSET unless `asked` is a new value: an update that restates a setting records nothing for it."""
    return UNSET if isinstance(asked, UnsetType) or asked == current else asked


def _existing(state: Location | None, code: str) -> Location:
    if state is None:
        raise NotFound(f"no location {code}", field=("code",))
    return state


def _validate_new_location(command: CreateLocation) -> None:
    code = command.code
    # ':' separates location from SKU in stock stream ids; whitespace makes codes ambiguous in URLs and CLIs.
    if not code or code != code.strip() or ":" in code or any(ch.isspace() for ch in code):
        raise InvalidInput("location code must be non-empty, without spaces or ':'", field=("code",))
    if not command.name.strip():
        raise InvalidInput("location name must not be empty", field=("name",))
    if not -90.0 <= command.coordinates.latitude <= 90.0:
        raise InvalidInput("latitude must be between -90 and 90", field=("latitude",))
    if not -180.0 <= command.coordinates.longitude <= 180.0:
        raise InvalidInput("longitude must be between -180 and 180", field=("longitude",))
    _validate_settings(
        capabilities=UNSET if command.capabilities is None else command.capabilities,
        daily_capacity=command.daily_capacity,
        handling_cost=command.handling_cost,
        pick_sla_minutes=command.pick_sla_minutes,
        pickup_hold_days=command.pickup_hold_days,
    )


def _validate_settings(
    *,
    capabilities: Capabilities | UnsetType,
    daily_capacity: int | UnsetType | None,
    handling_cost: float | UnsetType,
    pick_sla_minutes: int | UnsetType | None,
    pickup_hold_days: int | UnsetType,
) -> None:
    """The settings shared by CreateLocation and UpdateLocation; UNSET and None (where allowed) pass."""
    if isinstance(capabilities, Capabilities) and not capability_names(capabilities):
        raise InvalidInput("a location needs at least one capability", field=("capabilities",))
    if isinstance(daily_capacity, int):
        require_not_negative(daily_capacity, ("dailyCapacity",))
    if isinstance(handling_cost, float | int) and handling_cost < 0:
        raise InvalidInput("handling cost must not be negative", field=("handlingCost",))
    # A zero SLA would expire every shipment the moment it is planned; "never" is None, not 0.
    if isinstance(pick_sla_minutes, int) and pick_sla_minutes < 1:
        raise InvalidInput("pick SLA must be at least one minute", field=("pickSlaMinutes",))
    if isinstance(pickup_hold_days, int) and pickup_hold_days < 1:
        raise InvalidInput("pickup hold must be at least one day", field=("pickupHoldDays",))
