"""What-if sourcing: run a draft profile over past orders and compare it with what the live profile decided.

Pure: the shell (`app/handlers/simulation.py`) reconstructs each order's situation from the event log (the
network and the stock as they were) and what the live profile decided; this module re-sources each order
with the draft and sums both sides up the same way.

    report = simulate(cases, draft, period_from=..., period_to=...)
    report.draft.total_cost - report.live.total_cost   # what the draft would have saved (if negative)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import msgspec

from app.sourcing.engine import DEFAULT_TIME_LIMIT, source
from app.sourcing.model import Availability, CandidateLocation, SourcingPlan, SourcingProfile, SourcingRequest

DAY_SECONDS = 86_400.0


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    """What one profile decided for one order, reduced to what the report compares."""

    profile_version: int
    cost: float  # shipping cost, without backorder penalties
    distances_km: tuple[float, ...]  # one per shipment, straight line from the location to the ship-to
    promised_days: float | None  # from placement to the latest shipment's promise; None when nothing ships
    backordered_units: int
    locations: tuple[str, ...] = ()  # the code of each shipment's location, as `distances_km`

    @property
    def shipments(self) -> int:
        return len(self.distances_km)


@dataclass(frozen=True)
class SimulationCase:
    """One past order as it stood when the live profile sourced it: the same input the draft gets."""

    request: SourcingRequest
    network: Sequence[CandidateLocation]
    availability: Availability
    now: datetime  # when the live profile decided; the draft decides at the same moment
    live: Decision


class Figures(msgspec.Struct, frozen=True, kw_only=True):
    orders: int
    total_cost: float
    shipments: int
    split_orders: int  # orders shipped in more than one parcel
    avg_distance_km: float | None  # per shipment
    avg_promised_days: float | None  # per order that ships anything
    backordered_units: int
    backordered_orders: int


class OrderComparison(msgspec.Struct, frozen=True, kw_only=True):
    order_id: str
    live: Decision
    draft: Decision


class SimulationReport(msgspec.Struct, frozen=True, kw_only=True):
    period_from: datetime
    period_to: datetime
    draft_version: int
    live_versions: tuple[int, ...]  # the profile versions the live decisions were made with
    live: Figures
    draft: Figures
    changed: tuple[OrderComparison, ...]  # orders the draft would have sourced differently (cost or parcels)
    undecided_orders: int  # placed in the period but never sourced (cancelled first, held): left out


def decision_of(plan: SourcingPlan, placed_at: datetime) -> Decision:
    promises = [s.promised_delivery for s in plan.shipments]
    return Decision(
        profile_version=plan.explanation.profile_version,
        cost=plan.total_cost,
        distances_km=tuple(s.distance_km for s in plan.shipments),
        promised_days=days_between(placed_at, max(promises)) if promises else None,
        backordered_units=sum(plan.backordered.values()),
        locations=tuple(s.location_code for s in plan.shipments),
    )


def days_between(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() / DAY_SECONDS, 3)


def figures(decisions: Sequence[Decision]) -> Figures:
    distances = [d for decision in decisions for d in decision.distances_km]
    promised = [d.promised_days for d in decisions if d.promised_days is not None]
    return Figures(
        orders=len(decisions),
        total_cost=round(sum(d.cost for d in decisions), 2),
        shipments=len(distances),
        split_orders=sum(1 for d in decisions if d.shipments > 1),
        avg_distance_km=round(sum(distances) / len(distances), 1) if distances else None,
        avg_promised_days=round(sum(promised) / len(promised), 3) if promised else None,
        backordered_units=sum(d.backordered_units for d in decisions),
        backordered_orders=sum(1 for d in decisions if d.backordered_units > 0),
    )


def simulate(
    cases: Sequence[SimulationCase],
    draft: SourcingProfile,
    *,
    period_from: datetime,
    period_to: datetime,
    undecided_orders: int = 0,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    baseline: SourcingProfile | None = None,
) -> SimulationReport:
    """Sources every case with `draft` and sets the result against the live decisions.

    Each order meets the stock the live profile met; the draft's own earlier choices do not deplete it
    (see the shell for why), so the comparison is order by order on equal terms. With a `baseline` (the
    profile in force now), the draft is set against it instead: an order decided with another version is
    sourced again with the baseline, so that only the draft's own changes show.
    """
    comparisons: list[OrderComparison] = []
    for case in cases:
        live = case.live
        if baseline is not None and live.profile_version != baseline.version:
            live = _decide(case, baseline, time_limit)
        decided = _decide(case, draft, time_limit)
        comparisons.append(OrderComparison(order_id=case.request.order_id, live=live, draft=decided))
    return SimulationReport(
        period_from=period_from,
        period_to=period_to,
        draft_version=draft.version,
        live_versions=tuple(sorted({c.live.profile_version for c in comparisons})),
        live=figures([c.live for c in comparisons]),
        draft=figures([c.draft for c in comparisons]),
        changed=tuple(c for c in comparisons if _differs(c.live, c.draft)),
        undecided_orders=undecided_orders,
    )


def _decide(case: SimulationCase, profile: SourcingProfile, time_limit: float | None) -> Decision:
    plan = source(case.request, case.network, case.availability, profile, case.now, time_limit=time_limit)
    return decision_of(plan, case.request.placed_at)


def _differs(live: Decision, draft: Decision) -> bool:
    return (
        abs(live.cost - draft.cost) > 0.005
        or sorted(live.distances_km) != sorted(draft.distances_km)
        or sorted(live.locations) != sorted(draft.locations)
        or live.backordered_units != draft.backordered_units
    )
