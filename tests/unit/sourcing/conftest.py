"""Small hand-made networks around one ship-to point (Philadelphia-ish)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.values import Coordinates, LocationType, ServiceLevel
from app.sourcing import CandidateLocation, SourcingRequest

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday morning, before every cut-off
SHIP_TO = Coordinates(latitude=40.0, longitude=-75.0)
NEAR = Coordinates(latitude=40.1, longitude=-75.0)  # ~11 km
NEAR_2 = Coordinates(latitude=39.9, longitude=-75.1)  # ~14 km
MID = Coordinates(latitude=42.0, longitude=-80.0)  # ~470 km
FAR = Coordinates(latitude=40.0, longitude=-87.0)  # ~1,020 km
COAST = Coordinates(latitude=37.8, longitude=-122.4)  # ~4,000 km


def loc(
    code: str,
    at: Coordinates,
    *,
    type: LocationType = LocationType.DISTRIBUTION_CENTER,
    capacity: int | None = None,
    handling: float = 0.0,
    active: bool = True,
) -> CandidateLocation:
    return CandidateLocation(
        code=code,
        type=type,
        coordinates=at,
        active=active,
        capacity_left_today=capacity,
        handling_cost=handling,
    )


def order(
    lines: dict[str, int],
    *,
    order_id: str = "o-1",
    level: ServiceLevel = ServiceLevel.STANDARD,
    priority: int = 0,
    placed_at: datetime = NOW,
) -> SourcingRequest:
    return SourcingRequest(
        order_id=order_id,
        lines=lines,
        ship_to=SHIP_TO,
        service_level=level,
        priority=priority,
        placed_at=placed_at,
    )
