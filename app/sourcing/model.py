"""The sourcing engine's own input and output values.

The engine never reads the event log: the worker builds these from the domain's state and hands them in.
All are frozen msgspec Structs, so a plan and its explanation can be stored as an event payload unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import msgspec

from app.domain.values import Coordinates, LocationType, ServiceLevel
from app.sourcing.transit import CarrierService, TransitModel

# ATP per (location code, sku). Missing keys mean zero; never negative.
Availability = Mapping[tuple[str, str], int]


class SourcingRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One order to source: what, where to, how fast, and how urgent relative to others."""

    order_id: str
    lines: Mapping[str, int]  # sku -> quantity ordered (positive)
    ship_to: Coordinates
    service_level: ServiceLevel = ServiceLevel.STANDARD
    priority: int = 0  # higher is served first under scarcity (see source_batch)
    channel: str = "web"
    placed_at: datetime
    # Locations this order may not use whatever the profile says (they declined its units at a pick).
    excluded_locations: frozenset[str] = frozenset()


class CandidateLocation(msgspec.Struct, frozen=True, kw_only=True):
    """A location as the engine sees it today.

    `capacity_left_today` counts *units* the location can still pick and pack today (None: unlimited).
    Units rather than shipments because picking labour scales with units, and because a unit limit keeps
    the optimisation linear; per-order shipments are capped by `SourcingProfile.max_shipments` instead.
    `handling_cost` is charged once per shipment leaving the location. `processing_days` is added after
    the cut-off: an order seen at or after `cutoff_hour` (time zone of `now`) starts processing a day later.
    """

    code: str
    type: LocationType
    coordinates: Coordinates
    active: bool = True
    can_ship: bool = True
    can_pickup: bool = False  # customers may collect orders here (click & collect)
    capacity_left_today: int | None = None
    handling_cost: float = 0.0
    processing_days: int = 0
    cutoff_hour: int = 14


class RateBand(msgspec.Struct, frozen=True, kw_only=True):
    """Carrier rate for parcels travelling up to `max_km` (None: any distance): base + per_kg * weight."""

    max_km: float | None
    base: float
    per_kg: float


class CostModel(msgspec.Struct, frozen=True, kw_only=True):
    """Money in one currency. A shipment costs

        fixed_per_parcel + location handling + store penalty (if a STORE)
        + multiplier[carrier service] * (band.base + band.per_kg * weight of its units)

    and every backordered unit costs `backorder_penalty_per_unit`, large enough that the optimiser serves
    everything it can before it leaves a unit behind.
    """

    fixed_per_parcel: float = 2.5
    rate_bands: tuple[RateBand, ...] = (
        RateBand(max_km=150.0, base=5.0, per_kg=0.40),
        RateBand(max_km=600.0, base=7.0, per_kg=0.70),
        RateBand(max_km=1200.0, base=9.0, per_kg=1.00),
        RateBand(max_km=2400.0, base=11.0, per_kg=1.40),
        RateBand(max_km=None, base=13.0, per_kg=1.80),
    )
    service_multiplier: Mapping[CarrierService, float] = msgspec.field(
        default_factory=lambda: {
            CarrierService.GROUND: 1.0,
            CarrierService.TWO_DAY: 1.9,
            CarrierService.OVERNIGHT: 3.2,
            CarrierService.SAME_DAY_COURIER: 2.6,
        }
    )
    unit_weight_kg: float = 1.0  # default for SKUs missing from `sku_weight_kg`
    sku_weight_kg: Mapping[str, float] = msgspec.field(default_factory=dict)
    backorder_penalty_per_unit: float = 1000.0

    def band(self, distance_km: float) -> RateBand:
        for band in self.rate_bands:
            if band.max_km is None or distance_km <= band.max_km:
                return band
        return self.rate_bands[-1]

    def weight(self, sku: str) -> float:
        return self.sku_weight_kg.get(sku, self.unit_weight_kg)


class EligibilityRule(msgspec.Struct, frozen=True, kw_only=True):
    """Which location types may serve a channel at a service level. None matches any; the first match wins."""

    channel: str | None = None
    service_level: ServiceLevel | None = None
    location_types: frozenset[LocationType]


class SourcingProfile(msgspec.Struct, frozen=True, kw_only=True):
    """The business rules of sourcing, versioned (a profile change is an event).

    `max_days` bounds the days from today to the promised delivery per service level (cut-off and processing
    included); `max_distance_km` bounds the straight-line distance. A level missing from either is unbounded.
    `max_shipments` caps the split (None: unlimited). Preferred locations get `preferred_discount` off each
    shipment they make, which steers ties and near-ties without overriding real cost differences.
    """

    version: int = 1
    eligibility: tuple[EligibilityRule, ...]
    max_distance_km: Mapping[ServiceLevel, float] = msgspec.field(default_factory=dict)
    max_days: Mapping[ServiceLevel, int] = msgspec.field(default_factory=dict)
    excluded_locations: frozenset[str] = frozenset()
    preferred_locations: frozenset[str] = frozenset()
    preferred_discount: float = 1.0
    max_shipments: int | None = None
    store_penalty: float = 3.0  # per shipment from a STORE: stores are for walk-in customers first
    cost: CostModel = msgspec.field(default_factory=CostModel)
    transit: TransitModel = msgspec.field(default_factory=TransitModel)

    def eligible_types(self, channel: str, level: ServiceLevel) -> frozenset[LocationType]:
        for rule in self.eligibility:
            if rule.channel in (None, channel) and rule.service_level in (None, level):
                return rule.location_types
        return frozenset()


SHIPPING_TYPES = frozenset(
    {
        LocationType.DISTRIBUTION_CENTER,
        LocationType.STORE,
        LocationType.THIRD_PARTY_LOGISTICS,
        LocationType.DROP_SHIP_VENDOR,
    }
)


def default_profile() -> SourcingProfile:
    """The contract's default: every active DC, store, 3PL and drop-ship vendor ships STANDARD anywhere;
    EXPRESS (within 2 days) and SAME_DAY (today) as far as the transit model keeps the promise; a returns
    centre never ships; unlimited splits."""
    return SourcingProfile(
        version=1,
        eligibility=(EligibilityRule(location_types=SHIPPING_TYPES),),
        max_days={ServiceLevel.EXPRESS: 2, ServiceLevel.SAME_DAY: 0},
        max_shipments=None,
    )


class ShipmentPlan(msgspec.Struct, frozen=True, kw_only=True):
    location_code: str
    lines: Mapping[str, int]
    carrier_service: str
    cost: float
    promised_delivery: datetime
    distance_km: float


class CandidateReport(msgspec.Struct, frozen=True, kw_only=True):
    """Why a location was or was not used. Exactly one of `reason` / `cost` is set unless selected.

    `cost` is the cost of the shipment the location makes in the plan when selected, otherwise the cost of the
    single shipment it would make carrying everything it could supply of the order.
    """

    location_code: str
    selected: bool
    reason: str | None = None
    cost: float | None = None


class Explanation(msgspec.Struct, frozen=True, kw_only=True):
    candidates: tuple[CandidateReport, ...]
    objective_value: float  # total cost including the backorder penalty
    algorithm: str  # "milp-highs", "greedy-fallback", "greedy", "nearest-first", ...
    time_budget_exceeded: bool  # the solver's time budget ran out (the fallback or an incumbent was used)
    lower_bound: float | None  # proven bound on the (pruned) problem's optimum, when the solver gives one
    gap: float | None  # (objective - lower_bound) / objective; 0.0 means proven optimal
    profile_version: int
    candidates_considered: int  # how many locations entered the optimiser after pruning


class SourcingPlan(msgspec.Struct, frozen=True, kw_only=True):
    order_id: str
    shipments: tuple[ShipmentPlan, ...]
    backordered: Mapping[str, int]  # sku -> quantity nobody could serve
    total_cost: float  # shipping cost only, without the backorder penalty
    explanation: Explanation

    def shipped(self, sku: str) -> int:
        return sum(s.lines.get(sku, 0) for s in self.shipments)


class FulfillmentOption(msgspec.Struct, frozen=True, kw_only=True):
    """A delivery promise for a cart, without reservation (backs GraphQL `fulfillmentOptions`).

    `promised_delivery` is the latest shipment's promise; when nothing can be shipped at this service level it
    is None (the API may drop such options). `available` is True only when every unit can be served.
    """

    service_level: ServiceLevel
    promised_delivery: datetime | None
    cost: float
    shipments: int
    available: bool
