"""Transit model: distance -> transit days per carrier service, and the promised delivery of a shipment.

Days are calendar days (carriers here deliver seven days a week); the promise is the delivery date at
`TransitModel.delivery_hour` in the time zone of `now`. Cut-off hours are read in that same time zone: a
worker passes `now` in the network's operating zone (UTC by default).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, time, timedelta

import msgspec


class CarrierService(enum.StrEnum):
    GROUND = "GROUND"
    TWO_DAY = "TWO_DAY"
    OVERNIGHT = "OVERNIGHT"
    SAME_DAY_COURIER = "SAME_DAY_COURIER"


class TransitModel(msgspec.Struct, frozen=True, kw_only=True):
    # Ground: (up to km, days) bands, ascending; beyond the last band `ground_max_days`.
    ground_bands: tuple[tuple[float, int], ...] = (
        (250.0, 1),
        (800.0, 2),
        (1500.0, 3),
        (2500.0, 4),
        (4000.0, 5),
    )
    ground_max_days: int = 6
    # Air services keep their promise up to `air_reach_km`, one day more beyond it (Alaska, Hawaii).
    air_reach_km: float = 5000.0
    two_day_days: int = 2
    overnight_days: int = 1
    # A same-day courier only works locally.
    courier_radius_km: float = 80.0
    delivery_hour: int = 20

    def transit_days(self, service: CarrierService, distance_km: float) -> int | None:
        """Days in transit, or None when the service cannot carry that far."""
        if service is CarrierService.GROUND:
            for limit, days in self.ground_bands:
                if distance_km <= limit:
                    return days
            return self.ground_max_days
        if service is CarrierService.SAME_DAY_COURIER:
            return 0 if distance_km <= self.courier_radius_km else None
        days = self.two_day_days if service is CarrierService.TWO_DAY else self.overnight_days
        return days if distance_km <= self.air_reach_km else days + 1


def ship_date(now: datetime, *, cutoff_hour: int, processing_days: int) -> datetime:
    """Midnight of the day the parcel leaves: after the cut-off, processing starts tomorrow."""
    start = now.date() + timedelta(days=1 if now.hour >= cutoff_hour else 0)
    return datetime.combine(start + timedelta(days=processing_days), time(), tzinfo=now.tzinfo)


def promised_delivery(
    model: TransitModel,
    now: datetime,
    *,
    service: CarrierService,
    distance_km: float,
    cutoff_hour: int,
    processing_days: int,
) -> datetime | None:
    days = model.transit_days(service, distance_km)
    if days is None:
        return None
    leaves = ship_date(now, cutoff_hour=cutoff_hour, processing_days=processing_days)
    return leaves + timedelta(days=days, hours=model.delivery_hour)


def ready_at(model: TransitModel, now: datetime, *, cutoff_hour: int, processing_days: int) -> datetime:
    """When a parcel processed at a location from `now` is ready at its counter: at the delivery hour of the
    day it would leave that location (the same cut-off and processing days as a shipment), never before now."""
    leaves = ship_date(now, cutoff_hour=cutoff_hour, processing_days=processing_days)
    return max(now, leaves + timedelta(hours=model.delivery_hour))


def days_until(now: datetime, promised: datetime) -> int:
    """Calendar days from the day of `now` to the promised day (0: today)."""
    return (promised.date() - now.date()).days


def cheapest_service(
    model: TransitModel,
    now: datetime,
    *,
    services: Sequence[CarrierService],
    distance_km: float,
    cutoff_hour: int,
    processing_days: int,
    max_days: int | None,
) -> tuple[CarrierService, datetime] | None:
    """The first of `services` (ordered cheapest first) whose promise lands within `max_days` of today."""
    for service in services:
        promise = promised_delivery(
            model,
            now,
            service=service,
            distance_km=distance_km,
            cutoff_hour=cutoff_hour,
            processing_days=processing_days,
        )
        if promise is not None and (max_days is None or days_until(now, promise) <= max_days):
            return service, promise
    return None
