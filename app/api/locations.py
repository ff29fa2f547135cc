"""Locations: the places that hold and ship stock."""

from __future__ import annotations

import asyncpg
import strawberry

from app.domain.locations import CreateLocation
from app.domain.values import Coordinates
from projections import queries

from .access import can_create_locations, can_see_locations
from .context import ANYONE, Info
from .errors import UserError, forbidden
from .ids import global_id
from .mutation_support import run_command
from .scalars import LocationType, Node


@strawberry.type
class Location(Node):
    code: str
    name: str
    type: LocationType
    latitude: float
    longitude: float
    active: bool

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Location:
        return cls(
            id=strawberry.ID(global_id("Location", row["code"])),
            code=row["code"],
            name=row["name"],
            type=LocationType(row["type"]),
            latitude=row["latitude"],
            longitude=row["longitude"],
            active=row["active"],
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
        return [Location.from_row(r) for r in await queries.all_locations(info.context.services.pool)]


@strawberry.input
class CreateLocationInput:
    code: str
    name: str
    type: LocationType
    latitude: float
    longitude: float
    daily_capacity: int | None = None
    handling_cost: float | None = None


@strawberry.type
class LocationPayload:
    location: Location | None
    user_errors: list[UserError]


@strawberry.type
class LocationMutations:
    @strawberry.mutation
    async def create_location(self, info: Info, input: CreateLocationInput) -> LocationPayload:
        if not can_create_locations(info.context.require(*ANYONE)):
            raise forbidden()
        command = CreateLocation(
            code=input.code,
            name=input.name,
            type=input.type,
            coordinates=Coordinates(input.latitude, input.longitude),
            daily_capacity=input.daily_capacity,
            handling_cost=input.handling_cost or 0.0,
        )
        errors = await run_command(info, command)
        found = None if errors else await location(info, input.code)
        return LocationPayload(location=found, user_errors=errors)
