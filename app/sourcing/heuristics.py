"""Heuristics: the greedy fallback (also used for quotes) and the baselines kept for comparison.

All return an allocation (location code -> sku -> units) that respects ATP, capacity and the split cap.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.sourcing.lanes import Lane, Pricing
from app.sourcing.milp import Allocation


def _take(lane: Lane, pricing: Pricing, remaining: dict[str, int]) -> dict[str, int]:
    """What the lane can send of what is still missing, capacity shared across lines in SKU order."""
    left = lane.cap
    lines: dict[str, int] = {}
    for sku in pricing.skus:
        want = remaining[sku]
        if want <= 0:
            continue
        units = min(pricing.supply(lane, sku), want)
        if left is not None:
            units = min(units, left)
            left -= units
        if units > 0:
            lines[sku] = units
    return lines


def _cost(allocation: Allocation, lanes: dict[str, Lane], pricing: Pricing) -> float:
    shipped = sum(pricing.shipment_cost(lanes[code], lines) for code, lines in allocation.items())
    served = {sku: 0 for sku in pricing.skus}
    for lines in allocation.values():
        for sku, qty in lines.items():
            served[sku] += qty
    short = sum(pricing.demand[sku] - served[sku] for sku in pricing.skus)
    return shipped + pricing.penalty * short


def greedy(lanes: Sequence[Lane], pricing: Pricing, *, max_shipments: int | None) -> Allocation:
    """Cheapest cost per unit served first (the classic set-cover greedy), compared with the best single
    parcel. The last shipment the split cap allows goes to whoever serves most of the rest (backorders cost
    more than any parcel). O(lanes x shipments x lines): cheap enough for quotes."""
    remaining = dict(pricing.demand)
    allocation: Allocation = {}
    pool = list(lanes)
    while any(remaining.values()) and (max_shipments is None or len(allocation) < max_shipments):
        last = max_shipments is not None and len(allocation) == max_shipments - 1
        best: tuple[float, str] | None = None
        best_lines: dict[str, int] = {}
        best_lane: Lane | None = None
        for lane in pool:
            lines = _take(lane, pricing, remaining)
            units = sum(lines.values())
            if units == 0:
                continue
            cost = pricing.shipment_cost(lane, lines) - lane.bias
            score = cost - pricing.penalty * units if last else cost / units
            if best is None or (score, lane.code) < best:
                best, best_lines, best_lane = (score, lane.code), lines, lane
        if best_lane is None:
            break
        allocation[best_lane.code] = best_lines
        pool.remove(best_lane)
        for sku, qty in best_lines.items():
            remaining[sku] -= qty
    by_code = {lane.code: lane for lane in lanes}
    total = sum(pricing.demand.values())
    single: tuple[float, str] | None = None
    for lane in lanes:
        lines = _take(lane, pricing, pricing.demand)
        if sum(lines.values()) == total:
            key = (pricing.shipment_cost(lane, lines) - lane.bias, lane.code)
            single = key if single is None or key < single else single
    if single is not None and (max_shipments is None or max_shipments >= 1):
        code = single[1]
        alone: Allocation = {code: _take(by_code[code], pricing, pricing.demand)}
        if _cost(alone, by_code, pricing) <= _cost(allocation, by_code, pricing):
            return alone
    return allocation


def fill_in_order(ordered: Sequence[Lane], pricing: Pricing, *, max_shipments: int | None) -> Allocation:
    """Take every line from the first lane that has it, then the next: the shape of nearest-first and of
    Saleor's warehouse-priority allocation (stock is consumed in the order the warehouses are sorted)."""
    remaining = dict(pricing.demand)
    allocation: Allocation = {}
    for lane in ordered:
        if not any(remaining.values()):
            break
        if max_shipments is not None and len(allocation) >= max_shipments:
            break
        lines = _take(lane, pricing, remaining)
        if lines:
            allocation[lane.code] = lines
            for sku, qty in lines.items():
                remaining[sku] -= qty
    return allocation


def nearest_first(lanes: Sequence[Lane], pricing: Pricing, *, max_shipments: int | None) -> Allocation:
    ordered = sorted(lanes, key=lambda lane: (lane.distance_km, lane.code))
    return fill_in_order(ordered, pricing, max_shipments=max_shipments)


def priority_order(
    lanes: Sequence[Lane], pricing: Pricing, *, max_shipments: int | None, order: Sequence[str]
) -> Allocation:
    rank = {code: i for i, code in enumerate(order)}
    ordered = sorted(lanes, key=lambda lane: (rank.get(lane.code, len(rank)), lane.code))
    return fill_in_order(ordered, pricing, max_shipments=max_shipments)


def fewest_splits(lanes: Sequence[Lane], pricing: Pricing, *, max_shipments: int | None) -> Allocation:
    """Whoever can send the most of what is missing, repeatedly; cost only breaks ties."""
    remaining = dict(pricing.demand)
    allocation: Allocation = {}
    pool = list(lanes)
    while any(remaining.values()) and (max_shipments is None or len(allocation) < max_shipments):
        best: tuple[int, float, str] | None = None
        best_lines: dict[str, int] = {}
        best_lane: Lane | None = None
        for lane in pool:
            lines = _take(lane, pricing, remaining)
            units = sum(lines.values())
            if units == 0:
                continue
            key = (-units, pricing.shipment_cost(lane, lines), lane.code)
            if best is None or key < best:
                best, best_lines, best_lane = key, lines, lane
        if best_lane is None:
            break
        allocation[best_lane.code] = best_lines
        pool.remove(best_lane)
        for sku, qty in best_lines.items():
            remaining[sku] -= qty
    return allocation
