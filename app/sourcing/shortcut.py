"""An exact shortcut past the solver: one parcel that provably costs no more than any other plan.

Most orders are one to three lines that some location holds entirely, and then the answer is usually "ship
it all from the cheapest such location". Setting up HiGHS costs a millisecond or two per order whatever the
size, so this module proves that answer optimal with two lower bounds instead, and the engine only calls the
solver when the proof fails. In the solver's own terms (see milp.py; bias included) every plan is one of:

- one parcel shipping everything: its lane must hold every line in full within its capacity; the cheapest
  such lane is the best of these, exactly;
- two or more parcels shipping everything: at least the two smallest per-parcel costs, plus every unit at
  the lowest unit cost any lane offers for its SKU;
- a plan leaving a unit behind: at least the backorder penalty (nothing else costs less than zero).

When the best single parcel costs no more than both bounds, it is an optimum. The proof needs no cost to be
negative; with a negative one (a preferred discount above a parcel's price) the shortcut stands aside.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from app.sourcing.lanes import Lane, Pricing
from app.sourcing.milp import Allocation
from app.sourcing.model import Availability


class SingleParcel:
    __slots__ = ("allocation", "objective")

    def __init__(self, allocation: Allocation, objective: float) -> None:
        self.allocation = allocation
        self.objective = objective  # the solver's objective (bias included): also the proven lower bound


def one_location_holds(lines: Mapping[str, int], availability: Availability) -> bool:
    """Whether some location's available stock holds every line in full. A lane never holds more than its
    location's availability, so without such a location `single_parcel` finds no parcel: a caller that wants
    the shortcut's answer only (the fast path) can stop here, before any lane is priced."""
    whole: dict[str, int] = {}  # location -> lines it holds in full
    for (code, sku), available in availability.items():
        if available >= lines.get(sku, math.inf):
            whole[code] = whole.get(code, 0) + 1
    return len(lines) in whole.values()


def single_parcel(lanes: Sequence[Lane], pricing: Pricing, *, max_shipments: int | None) -> SingleParcel | None:
    """The optimal plan when it is one parcel and the bounds prove it; None when the solver must decide."""
    if not lanes or (max_shipments is not None and max_shipments < 1):
        return None
    total = sum(pricing.demand.values())
    cheapest_unit = dict.fromkeys(pricing.skus, math.inf)
    parcels: list[float] = []
    best: tuple[float, str] | None = None
    for lane in lanes:
        parcel = lane.fixed - lane.bias
        if parcel < 0 or lane.per_kg < 0:
            return None
        parcels.append(parcel)
        cost, complete = parcel, lane.cap is None or lane.cap >= total
        for sku in pricing.skus:
            unit = pricing.unit_cost(lane, sku)
            if unit < 0:
                return None
            if pricing.supply(lane, sku) > 0:
                cheapest_unit[sku] = min(cheapest_unit[sku], unit)
            complete = complete and pricing.supply(lane, sku) >= pricing.demand[sku]
            cost += unit * pricing.demand[sku]
        if complete and (best is None or (cost, lane.code) < best):
            best = (cost, lane.code)
    if best is None:
        return None
    parcels.sort()
    # Unbounded when no split is possible: a single lane, or a cap of one shipment.
    split = math.inf
    if len(parcels) >= 2 and (max_shipments is None or max_shipments >= 2):
        split = parcels[0] + parcels[1] + sum(cheapest_unit[sku] * pricing.demand[sku] for sku in pricing.skus)
    cost, code = best
    if cost > split or cost > pricing.penalty:
        return None
    return SingleParcel({code: dict(pricing.demand)}, cost)
