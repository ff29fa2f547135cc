"""Delivery quotes against a prepared network: what does not depend on the cart is worked out once.

A quote answers three service levels for a cart. Done from scratch (`evaluate` per level) it re-derives, per
call and per level, which locations the rules admit, the departure day of every location and the promise
of every carrier service. `PreparedNetwork` keeps the cart-independent part (the admitted locations per
channel and level, the carrier services in price order) for as long as the network and the profile stay
the same; per cart it reads each holder's stock and distance once, and works out each departure day once.

The answer is the one `evaluate` + `greedy` give (the same lanes, in the same order, priced by the same
functions): tests/unit/sourcing/test_quotes.py compares the two on random networks, carts and clocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import msgspec

from app.domain.values import Coordinates, ServiceLevel
from app.sourcing import heuristics
from app.sourcing.lanes import Lane, Pricing, exclusion, holding, priced, services_by_price
from app.sourcing.model import (
    Availability,
    CandidateLocation,
    FulfillmentOption,
    SourcingProfile,
    SourcingRequest,
)
from app.sourcing.transit import CarrierService, days_until, ship_date


class QuotedShipment(msgspec.Struct, frozen=True, kw_only=True):
    location_code: str
    lines: Mapping[str, int]
    promised_delivery: datetime


class QuotedPlan(msgspec.Struct, frozen=True, kw_only=True):
    """A quote for one service level and the shipments it counts on (`shipments` sorted by location code)."""

    option: FulfillmentOption
    shipments: tuple[QuotedShipment, ...]

    def served(self, sku: str) -> int:
        return sum(s.lines.get(sku, 0) for s in self.shipments)


class PreparedNetwork:
    """A network and a sourcing profile, ready to quote many carts. Immutable once built; safe to share."""

    def __init__(self, network: Sequence[CandidateLocation], profile: SourcingProfile) -> None:
        self.network = tuple(network)
        self.profile = profile
        self._services = services_by_price(profile)
        # Sorted by code: lanes come out in the order `evaluate` sorts them into.
        self._sites = sorted(network, key=lambda loc: loc.code)
        self._admitted: dict[tuple[str, ServiceLevel], frozenset[str]] = {}

    def admitted(self, channel: str, level: ServiceLevel) -> frozenset[str]:
        """Codes of the locations the rules let serve this channel and level (before stock and distance)."""
        key = (channel, level)
        found = self._admitted.get(key)
        if found is None:
            types = self.profile.eligible_types(channel, level)
            found = frozenset(
                loc.code for loc in self._sites if exclusion(loc, self.profile, types, channel, level) is None
            )
            self._admitted[key] = found  # a handful of channels at most: the dict stays tiny
        return found

    def quote(
        self,
        lines: Mapping[str, int],
        ship_to: Coordinates,
        availability: Availability,
        now: datetime,
        *,
        channel: str = "web",
    ) -> list[FulfillmentOption]:
        """One delivery option per service level, without reserving anything.

        Uses the greedy (no solver) so a quote costs well under a millisecond: a quote is a promise about
        dates and a price estimate; the exact optimiser runs when the order is placed.
        """
        return [
            quoted.option for quoted in self._plans(lines, ship_to, availability, now, channel, tuple(ServiceLevel))
        ]

    def plan(
        self,
        lines: Mapping[str, int],
        ship_to: Coordinates,
        availability: Availability,
        now: datetime,
        *,
        level: ServiceLevel = ServiceLevel.STANDARD,
        channel: str = "web",
    ) -> QuotedPlan:
        """The quote of one service level, with the shipments behind it (what ships from where, by when):
        what `alternatives` reads to tell what is short and to describe each plan."""
        return self._plans(lines, ship_to, availability, now, channel, (level,))[0]

    def _plans(
        self,
        lines: Mapping[str, int],
        ship_to: Coordinates,
        availability: Availability,
        now: datetime,
        channel: str,
        levels: Sequence[ServiceLevel],
    ) -> list[QuotedPlan]:
        profile = self.profile
        skus = sorted(lines)
        anywhere = set().union(*(self.admitted(channel, level) for level in levels))
        # (location, what it holds, distance): the level-independent part of every lane, read once.
        holders: list[tuple[CandidateLocation, dict[str, int], float]] = []
        for loc in self._sites:
            if loc.code in anywhere and (held := holding(loc, skus, lines, availability)):
                holders.append((loc, held, loc.coordinates.distance_km(ship_to)))
        departures: dict[tuple[int, int], datetime] = {}
        plans: list[QuotedPlan] = []
        for level in levels:
            admitted = self.admitted(channel, level)
            max_km = profile.max_distance_km.get(level)
            max_days = profile.max_days.get(level)
            lanes: list[Lane] = []
            for loc, held, km in holders:
                if loc.code not in admitted or (max_km is not None and km > max_km):
                    continue
                choice = self._cheapest_service(loc, km, now, max_days, departures)
                if choice is not None:
                    service, promise = choice
                    # Lanes only read their holdings, so the levels share one dict per location.
                    lanes.append(priced(loc, profile, distance_km=km, service=service, promise=promise, held=held))
            plans.append(_option(level, lines, ship_to, channel, now, lanes, profile))
        return plans

    def _cheapest_service(
        self,
        loc: CandidateLocation,
        km: float,
        now: datetime,
        max_days: int | None,
        departures: dict[tuple[int, int], datetime],
    ) -> tuple[CarrierService, datetime] | None:
        """`transit.cheapest_service`, with each (cut-off, processing days) departure worked out once per cart."""
        key = (loc.cutoff_hour, loc.processing_days)
        leaves = departures.get(key)
        if leaves is None:
            leaves = departures[key] = ship_date(now, cutoff_hour=key[0], processing_days=key[1])
        model = self.profile.transit
        for service in self._services:
            days = model.transit_days(service, km)
            if days is None:
                continue
            promise = leaves + timedelta(days=days, hours=model.delivery_hour)
            if max_days is None or days_until(now, promise) <= max_days:
                return service, promise
        return None


def _option(
    level: ServiceLevel,
    lines: Mapping[str, int],
    ship_to: Coordinates,
    channel: str,
    now: datetime,
    lanes: Sequence[Lane],
    profile: SourcingProfile,
) -> QuotedPlan:
    request = SourcingRequest(
        order_id="quote", lines=lines, ship_to=ship_to, service_level=level, channel=channel, placed_at=now
    )
    pricing = Pricing(request, profile)
    allocation = heuristics.greedy(lanes, pricing, max_shipments=profile.max_shipments)
    by_code = {lane.code: lane for lane in lanes}
    shipped = sum(sum(units.values()) for units in allocation.values())
    promises = [by_code[code].promise for code in allocation]
    option = FulfillmentOption(
        service_level=level,
        promised_delivery=max(promises) if promises else None,
        cost=round(sum(pricing.shipment_cost(by_code[c], ln) for c, ln in allocation.items()), 2),
        shipments=len(allocation),
        available=shipped == sum(pricing.demand.values()),
    )
    shipments = tuple(
        QuotedShipment(location_code=code, lines=dict(units), promised_delivery=by_code[code].promise)
        for code, units in sorted(allocation.items())
    )
    return QuotedPlan(option=option, shipments=shipments)
