"""Locations: the places that hold and ship stock, what each can do (ship, pickup, returns) and its settings."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TypeVar

import asyncpg
import strawberry
from msgspec import UNSET, UnsetType

from app.domain.locations import (
    DEFAULT_PICKUP_HOLD_DAYS,
    Capabilities,
    CreateLocation,
    UpdateLocation,
    capabilities_of,
    capability_names,
)
from app.domain.values import Coordinates, LocationCapability
from projections import queries

from .access import can_manage_locations, can_see_capacity_used_at, can_see_locations
from .context import ANYONE, Info
from .errors import UserError, forbidden
from .ids import global_id
from .loaders import forget
from .mutation_support import run_command
from .scalars import LocationType, Node

# The domain's own enum is the GraphQL enum (as in scalars.py); registered here, next to its only user.
strawberry.enum(LocationCapability)


@strawberry.type
class Location(Node):
    code: str
    name: str
    type: LocationType
    latitude: float
    longitude: float
    active: bool
    capabilities: list[LocationCapability]
    daily_capacity: int | None
    handling_cost: float | None
    pick_sla_minutes: int | None = strawberry.field(
        description="A PLANNED shipment not picked within this is re-sourced elsewhere (null: never)."
    )
    pickup_hold_days: int | None = strawberry.field(
        description="A READY_FOR_PICKUP shipment not collected within this expires (default 5)."
    )

    @strawberry.field(
        description="Shipments planned here since midnight UTC, cancelled ones excluded: the share of "
        "dailyCapacity taken today. Null for whoever may not see the location's work (an operator elsewhere)."
    )
    async def capacity_used_today(self, info: Info) -> int | None:
        if not can_see_capacity_used_at(info.context.principal, self.code):
            return None
        midnight = datetime.combine(info.context.services.clock().astimezone(UTC).date(), time(), tzinfo=UTC)
        return await info.context.loaders.planned_since.load((self.code, midnight))

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Location:
        capabilities = Capabilities(ship=row["ship"], pickup=row["pickup"], returns=row["accepts_returns"])
        return cls(
            id=strawberry.ID(global_id("Location", row["code"])),
            code=row["code"],
            name=row["name"],
            type=LocationType(row["type"]),
            latitude=row["latitude"],
            longitude=row["longitude"],
            active=row["active"],
            capabilities=capability_names(capabilities),
            daily_capacity=row["daily_capacity"],
            handling_cost=row["handling_cost"],
            pick_sla_minutes=row["pick_sla_minutes"],
            pickup_hold_days=row["pickup_hold_days"],
        )


async def location(info: Info, code: str) -> Location | None:
    row = await info.context.loaders.locations.load(code)
    return None if row is None else Location.from_row(row)


@strawberry.type
class LocationQueries:
    @strawberry.field(description="Every location of the network.")
    async def locations(self, info: Info) -> list[Location]:
        if not can_see_locations(info.context.require(*ANYONE)):
            raise forbidden()
        return [Location.from_row(r) for r in await queries.all_locations(info.context.services.read_pool)]


@strawberry.input
class CreateLocationInput:
    code: str
    name: str
    type: LocationType
    latitude: float
    longitude: float
    daily_capacity: int | None = None
    handling_cost: float | None = None
    capabilities: list[LocationCapability] | None = None
    pick_sla_minutes: int | None = None
    pickup_hold_days: int | None = None


@strawberry.input
class UpdateLocationInput:
    """Omitted fields stay as they are. `dailyCapacity`, `pickSlaMinutes` and `timeZone` may be set to null
    (unlimited, never, from the coordinates); a null anywhere else also leaves the setting as it is."""

    code: str
    name: str | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET
    capabilities: list[LocationCapability] | None = strawberry.UNSET
    daily_capacity: int | None = strawberry.UNSET
    handling_cost: float | None = strawberry.UNSET
    pick_sla_minutes: int | None = strawberry.UNSET
    pickup_hold_days: int | None = strawberry.UNSET
    time_zone: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="IANA zone its delivery windows are read in (null: the zone of its coordinates).",
    )


@strawberry.type
class LocationPayload:
    location: Location | None
    user_errors: list[UserError]


@strawberry.type
class LocationMutations:
    @strawberry.mutation
    async def create_location(self, info: Info, input: CreateLocationInput) -> LocationPayload:
        if not can_manage_locations(info.context.require(*ANYONE)):
            raise forbidden()
        command = CreateLocation(
            code=input.code,
            name=input.name,
            type=input.type,
            coordinates=Coordinates(input.latitude, input.longitude),
            capabilities=None if input.capabilities is None else capabilities_of(input.capabilities),
            daily_capacity=input.daily_capacity,
            handling_cost=input.handling_cost or 0.0,
            pick_sla_minutes=input.pick_sla_minutes,
            pickup_hold_days=DEFAULT_PICKUP_HOLD_DAYS if input.pickup_hold_days is None else input.pickup_hold_days,
        )
        errors = await run_command(info, command)
        found = None if errors else await location(info, input.code)
        return LocationPayload(location=found, user_errors=errors)

    @strawberry.mutation(description="Change a location's settings (admin).")
    async def update_location(self, info: Info, input: UpdateLocationInput) -> LocationPayload:
        if not can_manage_locations(info.context.require(*ANYONE)):
            raise forbidden()
        errors = await run_command(info, _update_command(input))
        forget(info.context.loaders.locations, input.code)
        found = None if errors else await location(info, input.code)
        return LocationPayload(location=found, user_errors=errors)


def _update_command(input: UpdateLocationInput) -> UpdateLocation:
    named = input.capabilities
    return UpdateLocation(
        code=input.code,
        name=_unless_missing(input.name),
        active=_unless_missing(input.active),
        capabilities=UNSET if named is None or named is strawberry.UNSET else capabilities_of(named),
        daily_capacity=_unless_omitted(input.daily_capacity),
        handling_cost=_unless_missing(input.handling_cost),
        pick_sla_minutes=_unless_omitted(input.pick_sla_minutes),
        pickup_hold_days=_unless_missing(input.pickup_hold_days),
        time_zone=_unless_omitted(input.time_zone),
    )


T = TypeVar("T")


def _unless_omitted(value: T) -> T | UnsetType:
    """An omitted field leaves the setting as it is; null is a value ("unlimited", "never")."""
    return UNSET if value is strawberry.UNSET else value


def _unless_missing(value: T | None) -> T | UnsetType:
    """Omitted or null both leave the setting as it is: null means nothing for it."""
    return UNSET if value is None or value is strawberry.UNSET else value
