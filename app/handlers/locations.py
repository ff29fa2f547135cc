"""Location commands: one stream each, nothing else involved."""

from __future__ import annotations

from app.domain import locations
from app.domain.aggregates import LOCATION
from app.domain.streams import location_stream

from .unit_of_work import UnitOfWork


async def change_location(uow: UnitOfWork, command: locations.LocationCommand) -> locations.Location | None:
    stream = location_stream(command.code)
    state = await uow.get(LOCATION, stream)
    return uow.record(LOCATION, stream, locations.decide(state, command, uow.now))
