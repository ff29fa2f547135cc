"""Location aggregate: a place that holds stock (DC, store, 3PL, drop-ship vendor, returns centre).

The initial state is `None` (no such location). Stock and return decisions take a `Location | None` as an
extra argument to check that a location exists, is active and can do what is asked.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.domain.errors import Duplicate, InvalidInput, InvalidState, NotFound, require_not_negative
from app.domain.events import Command, Event
from app.domain.values import Coordinates, LocationType


class Capabilities(msgspec.Struct, frozen=True, kw_only=True):
    ship: bool = True
    pickup: bool = False
    returns: bool = False


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


class DeactivateLocation(Command, frozen=True, kw_only=True):
    code: str
    reason: str = ""


class ReactivateLocation(Command, frozen=True, kw_only=True):
    code: str


LocationCommand = CreateLocation | DeactivateLocation | ReactivateLocation


# Events


class LocationCreated(Event, frozen=True, kw_only=True):
    code: str
    name: str
    type: LocationType
    coordinates: Coordinates
    capabilities: Capabilities
    daily_capacity: int | None
    handling_cost: float


class LocationDeactivated(Event, frozen=True, kw_only=True):
    code: str
    reason: str


class LocationReactivated(Event, frozen=True, kw_only=True):
    code: str


LOCATION_EVENTS: tuple[type[Event], ...] = (LocationCreated, LocationDeactivated, LocationReactivated)


# State


class Location(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    type: LocationType
    coordinates: Coordinates
    capabilities: Capabilities
    daily_capacity: int | None
    handling_cost: float
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
            )
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
                )
            ]
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
    if command.daily_capacity is not None:
        require_not_negative(command.daily_capacity, ("dailyCapacity",))
    if command.handling_cost < 0:
        raise InvalidInput("handling cost must not be negative", field=("handlingCost",))
