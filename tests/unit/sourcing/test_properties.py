"""Whatever the network, stock and rules: never more than ATP or capacity, never over the split cap, every
unit shipped or backordered, and the optimiser never worse than its own greedy fallback."""

from __future__ import annotations

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.values import Coordinates, LocationType, ServiceLevel
from app.sourcing import CandidateLocation, SourcingPlan, SourcingRequest, Strategy, default_profile, source

from .conftest import NOW, SHIP_TO

SKUS = ("a", "b", "c")
Scenario = tuple[SourcingRequest, list[CandidateLocation], dict[tuple[str, str], int], int | None]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    network = [
        CandidateLocation(
            code=f"L{i}",
            type=draw(st.sampled_from(list(LocationType))),
            coordinates=Coordinates(latitude=draw(st.floats(38.0, 42.0)), longitude=draw(st.floats(-90.0, -73.0))),
            capacity_left_today=draw(st.none() | st.integers(0, 6)),
            handling_cost=draw(st.floats(0.0, 5.0)),
        )
        for i in range(draw(st.integers(1, 7)))
    ]
    atp = {(loc.code, sku): draw(st.integers(0, 5)) for loc in network for sku in SKUS}
    request = SourcingRequest(
        order_id="p",
        lines=draw(st.dictionaries(st.sampled_from(SKUS), st.integers(1, 6), min_size=1)),
        ship_to=SHIP_TO,
        service_level=draw(st.sampled_from(list(ServiceLevel))),
        placed_at=NOW,
    )
    return request, network, atp, draw(st.none() | st.integers(1, 3))


def check(plan: SourcingPlan, scenario: Scenario) -> None:
    request, network, atp, cap = scenario
    capacity = {loc.code: loc.capacity_left_today for loc in network}
    if cap is not None:
        assert len(plan.shipments) <= cap
    assert len({s.location_code for s in plan.shipments}) == len(plan.shipments)
    for shipment in plan.shipments:
        units = sum(shipment.lines.values())
        assert units > 0
        left = capacity[shipment.location_code]
        assert left is None or units <= left
        for sku, qty in shipment.lines.items():
            assert 0 < qty <= atp[(shipment.location_code, sku)]
    for sku, qty in request.lines.items():
        assert plan.shipped(sku) + plan.backordered.get(sku, 0) == qty
    assert all(q > 0 for q in plan.backordered.values())


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_plans_respect_stock_capacity_and_split_cap(scenario: Scenario) -> None:
    request, network, atp, cap = scenario
    profile = msgspec.structs.replace(default_profile(), max_shipments=cap)
    exact = source(request, network, atp, profile, NOW, time_limit=None, prune_keep=None)
    check(exact, scenario)
    for strategy in Strategy:
        plan = source(request, network, atp, profile, NOW, strategy=strategy)
        check(plan, scenario)
        # The exact optimum (no pruning, no time limit) is never beaten by any heuristic.
        assert exact.explanation.objective_value <= plan.explanation.objective_value + 1e-6
