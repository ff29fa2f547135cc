"""Sourcing entry points: `source` one order, `source_batch` under shared scarcity, `quote` a cart.

Pure and deterministic: no I/O, no clock (`now` is passed in), locations and SKUs handled in sorted order.
The one caveat is the solver's time budget: when it runs out, the plan depends on machine speed, and the
explanation says so (`time_budget_exceeded`). Pass `time_limit=None` for a reproducible exact answer.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

import msgspec

from app.sourcing import heuristics
from app.sourcing.lanes import Lane, Pricing, evaluate, prune
from app.sourcing.milp import Allocation, solve
from app.sourcing.model import (
    Availability,
    CandidateLocation,
    CandidateReport,
    Explanation,
    ShipmentPlan,
    SourcingPlan,
    SourcingProfile,
    SourcingRequest,
)
from app.sourcing.shortcut import single_parcel


class Strategy(enum.StrEnum):
    OPTIMAL = "milp-highs"
    GREEDY = "greedy"
    NEAREST_FIRST = "nearest-first"
    PRIORITY_ORDER = "location-priority-order"
    FEWEST_SPLITS = "fewest-splits"


SINGLE_PARCEL = "exact-single-parcel"  # the optimum proven without the solver (see shortcut.py)
DEFAULT_TIME_LIMIT = 0.02  # seconds of MIP solver time per order before the greedy fallback takes over
DEFAULT_PRUNE_KEEP = 3  # lanes kept per SKU (and single-parcel lanes) before the optimiser


class SolverNeeded(Exception):
    """Raised by `source(..., solver=False)` when no exact shortcut decides the order: the MILP (or its
    fallback) would, and the caller chose not to run it here."""


def source(
    request: SourcingRequest,
    network: Sequence[CandidateLocation],
    availability: Availability,
    profile: SourcingProfile,
    now: datetime,
    *,
    strategy: Strategy = Strategy.OPTIMAL,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    prune_keep: int | None = DEFAULT_PRUNE_KEEP,
    solver: bool = True,
) -> SourcingPlan:
    """Decide where one order ships from. `prune_keep=None` hands every eligible lane to the optimiser.

    Baseline strategies see every eligible lane; `PRIORITY_ORDER` ranks locations in `network` order.
    `solver=False` (OPTIMAL only) decides only what the exact shortcut proves, else raises `SolverNeeded`:
    the plan it returns is the one `solver=True` returns.
    """
    lanes, reasons = evaluate(request, network, availability, profile, now)
    pricing = Pricing(request, profile)
    cap = profile.max_shipments
    algorithm = str(strategy)
    timed_out = False
    lower: float | None = None
    considered = lanes
    if strategy is Strategy.OPTIMAL:
        if prune_keep is not None:
            considered, dropped = prune(lanes, pricing, prune_keep)
            for lane in dropped:
                reasons[lane.code] = f"pruned: not among the {prune_keep} cheapest lanes for any line"
        allocation, algorithm, timed_out, lower = _optimal(considered, pricing, cap, time_limit, solver)
    elif strategy is Strategy.GREEDY:
        allocation = heuristics.greedy(lanes, pricing, max_shipments=cap)
    elif strategy is Strategy.NEAREST_FIRST:
        allocation = heuristics.nearest_first(lanes, pricing, max_shipments=cap)
    elif strategy is Strategy.PRIORITY_ORDER:
        order = [loc.code for loc in network]
        allocation = heuristics.priority_order(lanes, pricing, max_shipments=cap, order=order)
    else:
        allocation = heuristics.fewest_splits(lanes, pricing, max_shipments=cap)
    return _plan(
        request, lanes, reasons, pricing, allocation, profile,
        algorithm=algorithm, timed_out=timed_out, lower=lower, considered=len(considered),
    )  # fmt: skip


def _optimal(
    lanes: Sequence[Lane], pricing: Pricing, cap: int | None, time_limit: float | None, solver: bool = True
) -> tuple[Allocation, str, bool, float | None]:
    """(allocation, algorithm, time budget exceeded, lower bound): the proven single parcel when there is one
    (no solver set-up for the common small order), else the MILP, else the greedy when out of time."""
    shortcut = single_parcel(lanes, pricing, max_shipments=cap)
    if shortcut is not None:
        return shortcut.allocation, SINGLE_PARCEL, False, shortcut.objective
    if not solver:
        raise SolverNeeded
    outcome = solve(lanes, pricing, max_shipments=cap, time_limit=time_limit)
    allocation, algorithm = outcome.allocation, str(Strategy.OPTIMAL)
    if allocation is None or not outcome.optimal:
        # Out of time: keep the solver's incumbent if it beats the greedy, else fall back.
        fallback = heuristics.greedy(lanes, pricing, max_shipments=cap)
        by_code = {lane.code: lane for lane in lanes}
        if allocation is None or _objective(fallback, by_code, pricing) < _objective(allocation, by_code, pricing):
            allocation, algorithm = fallback, "greedy-fallback"
    return allocation, algorithm, outcome.timed_out, outcome.lower_bound


def _objective(allocation: Allocation, lanes: Mapping[str, Lane], pricing: Pricing) -> float:
    cost = sum(pricing.shipment_cost(lanes[code], lines) for code, lines in allocation.items())
    served = sum(sum(lines.values()) for lines in allocation.values())
    return cost + pricing.penalty * (sum(pricing.demand.values()) - served)


def _plan(
    request: SourcingRequest,
    lanes: Sequence[Lane],
    reasons: Mapping[str, str],
    pricing: Pricing,
    allocation: Allocation,
    profile: SourcingProfile,
    *,
    algorithm: str,
    timed_out: bool,
    lower: float | None,
    considered: int,
) -> SourcingPlan:
    shipments: list[ShipmentPlan] = []
    reports: list[CandidateReport] = []
    for lane in lanes:
        lines = allocation.get(lane.code)
        if lines:
            cost = round(pricing.shipment_cost(lane, lines), 4)
            shipments.append(
                ShipmentPlan(
                    location_code=lane.code,
                    lines=dict(sorted(lines.items())),
                    carrier_service=str(lane.service),
                    cost=cost,
                    promised_delivery=lane.promise,
                    distance_km=round(lane.distance_km, 1),
                )
            )
            reports.append(CandidateReport(location_code=lane.code, selected=True, cost=cost))
        else:
            alone = pricing.shipment_cost(lane, pricing.standalone(lane))
            reason = reasons.get(lane.code)
            reports.append(
                CandidateReport(location_code=lane.code, selected=False, reason=reason, cost=round(alone, 4))
            )
    in_lanes = {lane.code for lane in lanes}
    reports.extend(
        CandidateReport(location_code=code, selected=False, reason=reason)
        for code, reason in reasons.items()
        if code not in in_lanes
    )
    reports.sort(key=lambda r: r.location_code)
    backordered = {sku: pricing.demand[sku] for sku in pricing.skus}
    for lines in allocation.values():
        for sku, qty in lines.items():
            backordered[sku] -= qty
    backordered = {sku: qty for sku, qty in backordered.items() if qty > 0}
    total = round(sum(s.cost for s in shipments), 4)
    objective = round(total + pricing.penalty * sum(backordered.values()), 4)
    gap: float | None = None
    if lower is not None:
        gap = max(0.0, (objective - lower) / objective) if objective > 0 else 0.0
    explanation = Explanation(
        candidates=tuple(reports),
        objective_value=objective,
        algorithm=algorithm,
        time_budget_exceeded=timed_out,
        lower_bound=None if lower is None else round(lower, 4),
        gap=gap,
        profile_version=profile.version,
        candidates_considered=considered,
    )
    return SourcingPlan(
        order_id=request.order_id,
        shipments=tuple(shipments),
        backordered=backordered,
        total_cost=total,
        explanation=explanation,
    )


class _Remaining(Mapping[tuple[str, str], int]):
    """Availability minus what earlier orders of the batch took, without copying the whole map."""

    def __init__(self, base: Availability) -> None:
        self._base = base
        self.taken: dict[tuple[str, str], int] = {}

    def __getitem__(self, key: tuple[str, str]) -> int:
        return self._base[key] - self.taken.get(key, 0)

    def get(self, key: tuple[str, str], default: int = 0) -> int:  # type: ignore[override]
        return self._base.get(key, default) - self.taken.get(key, 0)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._base)

    def __len__(self) -> int:
        return len(self._base)


def source_batch(
    requests: Sequence[SourcingRequest],
    network: Sequence[CandidateLocation],
    availability: Availability,
    profile: SourcingProfile,
    now: datetime,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    prune_keep: int | None = DEFAULT_PRUNE_KEEP,
) -> list[SourcingPlan]:
    """Source several orders against shared stock and capacity: higher priority first, then the older order,
    then the order id. Each plan consumes ATP and capacity before the next is decided, so under scarcity the
    urgent and the patient-longest win. Plans come back in that processing order.
    """
    ordered = sorted(requests, key=lambda r: (-r.priority, r.placed_at, r.order_id))
    remaining = _Remaining(availability)
    used: dict[str, int] = {}
    plans: list[SourcingPlan] = []
    for request in ordered:
        current = [
            msgspec.structs.replace(loc, capacity_left_today=loc.capacity_left_today - used[loc.code])
            if loc.code in used and loc.capacity_left_today is not None
            else loc
            for loc in network
        ]
        plan = source(request, current, remaining, profile, now, time_limit=time_limit, prune_keep=prune_keep)
        for shipment in plan.shipments:
            for sku, qty in shipment.lines.items():
                key = (shipment.location_code, sku)
                remaining.taken[key] = remaining.taken.get(key, 0) + qty
            used[shipment.location_code] = used.get(shipment.location_code, 0) + sum(shipment.lines.values())
        plans.append(plan)
    return plans
