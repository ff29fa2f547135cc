"""Given events, when command, then events: a fold over `evolve`, shared by the aggregate tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TypeVar

from app.domain.events import Event
from app.domain.locations import Capabilities, Location
from app.domain.values import Coordinates, LocationType

S = TypeVar("S")
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def given(evolve: Callable[[S, Event], S], initial: S, events: Iterable[Event]) -> S:
    state = initial
    for event in events:
        state = evolve(state, event)
    return state


def location(
    code: str = "DC1",
    *,
    active: bool = True,
    kind: LocationType = LocationType.DISTRIBUTION_CENTER,
    returns: bool = True,
) -> Location:
    return Location(
        code=code,
        name=code,
        type=kind,
        coordinates=Coordinates(52.0, 4.0),
        capabilities=Capabilities(ship=True, returns=returns),
        daily_capacity=None,
        handling_cost=0.0,
        active=active,
    )
