"""Eligibility and costing: which locations may serve an order, and what a shipment from each would cost.

A *lane* is an eligible location priced for one order: its carrier service, promise, per-shipment cost and
per-kilogram rate. Every location that is not a lane gets a readable reason, which goes into the explanation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from app.domain.values import LocationType, ServiceLevel
from app.sourcing.model import Availability, CandidateLocation, SourcingProfile, SourcingRequest
from app.sourcing.transit import CarrierService, cheapest_service


class Lane:
    """An eligible location priced for one order (internal, mutable-free by convention)."""

    __slots__ = (
        "bias", "cap", "code", "distance_km", "fixed", "held", "location", "per_kg", "promise", "service",
    )  # fmt: skip

    def __init__(
        self,
        location: CandidateLocation,
        *,
        distance_km: float,
        service: CarrierService,
        promise: datetime,
        fixed: float,
        per_kg: float,
        bias: float,
        held: dict[str, int],
    ) -> None:
        self.location = location
        self.code = location.code
        self.distance_km = distance_km
        self.service = service
        self.promise = promise
        self.fixed = fixed  # money per shipment: parcel, handling, store penalty, carrier base rate
        self.per_kg = per_kg  # money per kilogram carried
        self.bias = bias  # steering only (preferred locations), never reported as cost
        self.cap = location.capacity_left_today
        # sku -> units this lane could send on its own: ATP bounded by demand and capacity (only if > 0)
        self.held = held


class Pricing:
    """Per-order view of availability and unit costs shared by the optimiser, the greedy and the baselines."""

    def __init__(self, request: SourcingRequest, profile: SourcingProfile) -> None:
        self.skus: tuple[str, ...] = tuple(sorted(request.lines))
        self.demand: dict[str, int] = {sku: request.lines[sku] for sku in self.skus}
        self.weight: dict[str, float] = {sku: profile.cost.weight(sku) for sku in self.skus}
        self.penalty = profile.cost.backorder_penalty_per_unit

    def supply(self, lane: Lane, sku: str) -> int:
        """Units of `sku` the lane could send on its own: ATP bounded by demand and capacity."""
        return lane.held.get(sku, 0)

    def unit_cost(self, lane: Lane, sku: str) -> float:
        return lane.per_kg * self.weight[sku]

    def shipment_cost(self, lane: Lane, lines: Mapping[str, int]) -> float:
        return lane.fixed + sum(self.unit_cost(lane, sku) * qty for sku, qty in lines.items())

    def standalone(self, lane: Lane) -> dict[str, int]:
        """What the lane would ship if it shipped alone: as much of each line as stock and capacity allow."""
        left = lane.cap
        if left is None:
            return lane.held
        lines: dict[str, int] = {}
        for sku, units in lane.held.items():
            units = min(units, left)
            left -= units
            if units > 0:
                lines[sku] = units
        return lines


def exclusion(
    location: CandidateLocation,
    profile: SourcingProfile,
    types: frozenset[LocationType],
    channel: str,
    level: ServiceLevel,
) -> str | None:
    """Why the location may not serve any order of this channel and level, whatever it holds; None if it may."""
    if not location.active:
        return "inactive"
    if not location.can_ship:
        return "cannot ship (no shipping capability)"
    if location.code in profile.excluded_locations:
        return f"excluded by sourcing profile v{profile.version}"
    if location.type not in types:
        return f"{location.type} may not serve {channel} {level} orders"
    if location.capacity_left_today is not None and location.capacity_left_today <= 0:
        return "no capacity left today"
    return None


def holding(
    location: CandidateLocation, skus: Sequence[str], lines: Mapping[str, int], availability: Availability
) -> dict[str, int]:
    """sku -> units the location could send on its own: ATP bounded by demand and capacity (only if > 0)."""
    code, limit = location.code, location.capacity_left_today
    held: dict[str, int] = {}
    for sku in skus:
        units = availability.get((code, sku), 0)
        if units > 0:
            units = min(units, lines[sku])
            held[sku] = units if limit is None else min(units, limit)
    return held


def priced(
    location: CandidateLocation,
    profile: SourcingProfile,
    *,
    distance_km: float,
    service: CarrierService,
    promise: datetime,
    held: dict[str, int],
) -> Lane:
    """The lane of a location that may serve the order with `service`: its per-shipment and per-kg prices."""
    cost = profile.cost
    mult = cost.service_multiplier[service]
    band = cost.band(distance_km)
    fixed = cost.fixed_per_parcel + location.handling_cost + mult * band.base
    if location.type is LocationType.STORE:
        fixed += profile.store_penalty
    bias = profile.preferred_discount if location.code in profile.preferred_locations else 0.0
    return Lane(
        location,
        distance_km=distance_km,
        service=service,
        promise=promise,
        fixed=fixed,
        per_kg=mult * band.per_kg,
        bias=bias,
        held=held,
    )


def services_by_price(profile: SourcingProfile) -> list[CarrierService]:
    """Carrier services cheapest first (ties by name): the order `cheapest_service` tries them in."""
    multiplier = profile.cost.service_multiplier
    return sorted(multiplier, key=lambda s: (multiplier[s], s))


def evaluate(
    request: SourcingRequest,
    network: Sequence[CandidateLocation],
    availability: Availability,
    profile: SourcingProfile,
    now: datetime,
    *,
    distances: Mapping[str, float] | None = None,
) -> tuple[list[Lane], dict[str, str]]:
    """Price every eligible location; give every other one the first rule that excludes it.

    Returns lanes sorted by code (determinism) and reasons keyed by location code.
    """
    level = request.service_level
    types = profile.eligible_types(request.channel, level)
    max_km = profile.max_distance_km.get(level)
    max_days = profile.max_days.get(level)
    skus = sorted(request.lines)
    services = services_by_price(profile)
    lanes: list[Lane] = []
    reasons: dict[str, str] = {}
    for loc in network:
        code = loc.code
        excluded = exclusion(loc, profile, types, request.channel, level)
        if excluded is None and code in request.excluded_locations:
            excluded = "let this order's units go at a pick (declined or past its pick SLA)"
        if excluded is not None:
            reasons[code] = excluded
            continue
        held = holding(loc, skus, request.lines, availability)
        if not held:
            reasons[code] = "holds none of the ordered SKUs"
            continue
        km = distances[code] if distances is not None else loc.coordinates.distance_km(request.ship_to)
        if max_km is not None and km > max_km:
            reasons[code] = f"{km:.0f} km exceeds the {level} limit of {max_km:.0f} km"
            continue
        choice = cheapest_service(
            profile.transit,
            now,
            services=services,
            distance_km=km,
            cutoff_hour=loc.cutoff_hour,
            processing_days=loc.processing_days,
            max_days=max_days,
        )
        if choice is None:
            reasons[code] = f"no carrier keeps the {level} promise ({max_days} days) from {km:.0f} km"
            continue
        service, promise = choice
        lanes.append(priced(loc, profile, distance_km=km, service=service, promise=promise, held=held))
    lanes.sort(key=lambda lane: lane.code)
    return lanes, reasons


def prune(lanes: Sequence[Lane], pricing: Pricing, keep: int) -> tuple[list[Lane], list[Lane]]:
    """Cheap pre-filter so the optimiser sees tens of lanes, not hundreds. Returns (kept, pruned).

    Kept: preferred lanes; per SKU the `keep` lanes with the lowest cost per unit when shipping that line
    alone (and more, until their supply covers the line); the `keep` cheapest lanes that can ship the whole
    order in one parcel. The optimiser is exact on the kept lanes; the pruned ones only matter when a mix
    of individually expensive lanes beats all of these, which the benchmark measures against the unpruned
    optimum.
    """
    chosen: set[str] = {lane.code for lane in lanes if lane.bias > 0}
    whole: list[tuple[float, str]] = []
    per_sku: dict[str, list[tuple[float, str, int]]] = {sku: [] for sku in pricing.skus}
    for lane in lanes:
        complete = True
        total = lane.fixed
        for sku in pricing.skus:
            units = pricing.supply(lane, sku)
            if units < pricing.demand[sku]:
                complete = False
            if units > 0:
                line_cost = pricing.unit_cost(lane, sku) * units
                total += line_cost
                per_sku[sku].append(((lane.fixed + line_cost) / units, lane.code, units))
        if complete and (lane.cap is None or lane.cap >= sum(pricing.demand.values())):
            whole.append((total, lane.code))
    for sku, ranked in per_sku.items():
        ranked.sort()
        covered = 0
        for rank, (_, code, units) in enumerate(ranked):
            if rank >= keep and covered >= pricing.demand[sku]:
                break
            chosen.add(code)
            covered += units
    whole.sort()
    chosen.update(code for _, code in whole[:keep])
    kept = [lane for lane in lanes if lane.code in chosen]
    dropped = [lane for lane in lanes if lane.code not in chosen]
    return kept, dropped
