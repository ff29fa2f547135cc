"""The single-parcel shortcut is exact: whenever it answers, the MILP finds no cheaper plan."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from app.domain.values import LocationType
from app.sourcing import default_profile, source
from app.sourcing.lanes import Lane, Pricing, evaluate
from app.sourcing.milp import Allocation, solve
from app.sourcing.shortcut import one_location_holds, single_parcel
from app.sourcing.transit import CarrierService

from .conftest import FAR, MID, NEAR, NEAR_2, NOW, loc, order
from .test_properties import Scenario, scenarios


def solver_objective(allocation: Allocation, lanes: list[Lane], pricing: Pricing) -> float:
    """What the MILP minimises: parcels net of the preferred bias, units, and the backorder penalty."""
    by_code = {lane.code: lane for lane in lanes}
    cost = sum(pricing.shipment_cost(by_code[c], lines) - by_code[c].bias for c, lines in allocation.items())
    served = sum(sum(lines.values()) for lines in allocation.values())
    return cost + pricing.penalty * (sum(pricing.demand.values()) - served)


@settings(max_examples=400, deadline=None)
@given(scenarios(), st.frozensets(st.sampled_from([f"L{i}" for i in range(7)]), max_size=2))
def test_the_shortcut_answers_only_with_an_optimum(scenario: Scenario, preferred: frozenset[str]) -> None:
    request, network, atp, cap = scenario
    profile = msgspec.structs.replace(default_profile(), max_shipments=cap, preferred_locations=preferred)
    lanes, _ = evaluate(request, network, atp, profile, NOW)
    pricing = Pricing(request, profile)
    shortcut = single_parcel(lanes, pricing, max_shipments=cap)
    exact = solve(lanes, pricing, max_shipments=cap, time_limit=None)
    assert exact.optimal and exact.allocation is not None
    event("shortcut" if shortcut is not None else "solver")
    if shortcut is None:
        return
    (code, lines), *others = shortcut.allocation.items()
    assert not others and lines == pricing.demand  # one parcel, everything in it
    lane = next(lane for lane in lanes if lane.code == code)
    assert all(pricing.supply(lane, sku) >= qty for sku, qty in lines.items())
    assert lane.cap is None or lane.cap >= sum(lines.values())
    assert shortcut.objective == pytest.approx(solver_objective(shortcut.allocation, lanes, pricing))
    assert shortcut.objective == pytest.approx(solver_objective(exact.allocation, lanes, pricing), abs=1e-6)


Problem = tuple[list[Lane], Pricing, int | None]  # lanes, demand and prices, split cap


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """Small problems priced at random (not through the cost model), so that splits, capacities, preferred
    discounts and a cheap backorder all get their turn at beating the single parcel."""
    skus = draw(st.lists(st.sampled_from("abcd"), min_size=1, max_size=3, unique=True))
    demand = {sku: draw(st.integers(1, 4)) for sku in skus}
    weights = {sku: draw(st.sampled_from([0.0, 0.5, 1.0, 3.0])) for sku in skus}
    profile = msgspec.structs.replace(
        default_profile(),
        cost=msgspec.structs.replace(
            default_profile().cost,
            sku_weight_kg=weights,
            backorder_penalty_per_unit=draw(st.sampled_from([5.0, 40.0, 1000.0])),
        ),
    )
    pricing = Pricing(order(demand), profile)
    lanes = []
    for i in range(draw(st.integers(1, 6))):
        cap = draw(st.none() | st.integers(1, 8))
        held = {
            sku: min(units, qty, cap or units) for sku, qty in demand.items() if (units := draw(st.integers(0, 5))) > 0
        }
        lanes.append(
            Lane(
                loc(f"L{i}", NEAR, capacity=cap),
                distance_km=0.0,
                service=CarrierService.GROUND,
                promise=NOW,
                fixed=draw(st.sampled_from([0.0, 2.0, 7.5, 9.0, 15.0])),
                per_kg=draw(st.sampled_from([0.0, 0.4, 1.0, 1.8])),
                bias=draw(st.sampled_from([0.0, 0.0, 1.0])),
                held=held,
            )
        )
    return lanes, pricing, draw(st.none() | st.integers(1, 3))


@settings(max_examples=1500, deadline=None)
@given(problems())
def test_on_random_small_problems_the_shortcut_finds_the_milp_optimum(
    problem: tuple[list[Lane], Pricing, int | None],
) -> None:
    lanes, pricing, cap = problem
    shortcut = single_parcel(lanes, pricing, max_shipments=cap)
    exact = solve(lanes, pricing, max_shipments=cap, time_limit=None)
    assert exact.optimal and exact.allocation is not None
    event("shortcut" if shortcut is not None else "solver")
    if shortcut is not None:
        assert shortcut.objective == pytest.approx(solver_objective(shortcut.allocation, lanes, pricing))
        assert shortcut.objective == pytest.approx(solver_objective(exact.allocation, lanes, pricing), abs=1e-6)


def test_one_location_holding_everything_ships_it_without_the_solver() -> None:
    network = [loc("A", NEAR), loc("B", NEAR_2), loc("C", FAR)]
    atp = {("A", "s1"): 5, ("A", "s2"): 5, ("B", "s1"): 5, ("C", "s2"): 5}
    plan = source(order({"s1": 1, "s2": 2}), network, atp, default_profile(), NOW)
    assert {s.location_code: dict(s.lines) for s in plan.shipments} == {"A": {"s1": 1, "s2": 2}}
    assert plan.explanation.algorithm == "exact-single-parcel"
    assert plan.explanation.gap == pytest.approx(0.0, abs=1e-9)
    assert plan.explanation.lower_bound == pytest.approx(2.5 + 5.0 + 3 * 0.4)
    # The explanation still covers every candidate: the others with the cost they would have shipped at.
    others = {c.location_code: (c.selected, c.cost) for c in plan.explanation.candidates}
    assert others == {"A": (True, 8.7), "B": (False, 7.9), "C": (False, 13.5)}


def test_a_cheaper_split_leaves_the_decision_to_the_solver() -> None:
    network = [loc("A", NEAR), loc("B", NEAR_2), loc("C", FAR, handling=5.0)]
    atp = {("A", "s1"): 5, ("B", "s2"): 5, ("C", "s1"): 5, ("C", "s2"): 5}
    plan = source(order({"s1": 1, "s2": 1}), network, atp, default_profile(), NOW)
    assert plan.explanation.algorithm == "milp-highs"
    assert len(plan.shipments) == 2


def test_a_single_parcel_the_bounds_cannot_prove_still_goes_to_the_solver() -> None:
    # C alone costs 2.5 + 3.0 + 9.0 + 2 x 1.0 = 16.5 and is optimal (the best split, A + D, costs 7.9 + 10.2).
    # But the split bound takes the two cheapest parcels (A and B, 7.5 each) with the cheapest units (0.4 for
    # s1 at A, 0.7 for s2 at D): 16.1 < 16.5, so the shortcut cannot prove it and the solver decides.
    network = [loc("A", NEAR), loc("B", NEAR_2), loc("C", FAR, handling=3.0), loc("D", MID)]
    atp = {("A", "s1"): 5, ("B", "s1"): 5, ("C", "s1"): 5, ("C", "s2"): 5, ("D", "s2"): 5}
    plan = source(order({"s1": 1, "s2": 1}), network, atp, default_profile(), NOW)
    assert plan.explanation.algorithm == "milp-highs"
    assert [s.location_code for s in plan.shipments] == ["C"] and plan.total_cost == pytest.approx(16.5)


@pytest.mark.parametrize("cap", [0, None])
def test_no_shortcut_without_a_lane_or_a_parcel_allowed(cap: int | None) -> None:
    profile = msgspec.structs.replace(default_profile(), max_shipments=cap)
    network = [loc("S", NEAR, type=LocationType.STORE)]
    lanes, _ = evaluate(order({"s1": 1}), network, {("S", "s1"): 1} if cap == 0 else {}, profile, NOW)
    assert single_parcel(lanes, Pricing(order({"s1": 1}), profile), max_shipments=cap) is None


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_without_one_location_holding_every_line_the_shortcut_finds_no_parcel(scenario: Scenario) -> None:
    request, network, atp, cap = scenario
    profile = msgspec.structs.replace(default_profile(), max_shipments=cap)
    lanes, _ = evaluate(request, network, atp, profile, NOW)
    held = one_location_holds(request.lines, atp)
    event("held" if held else "not held")
    if not held:
        assert single_parcel(lanes, Pricing(request, profile), max_shipments=cap) is None


def test_one_location_holds_a_cart_only_when_it_has_every_line_in_full() -> None:
    lines = {"a": 2, "b": 1}
    assert one_location_holds(lines, {("L1", "a"): 2, ("L1", "b"): 1, ("L2", "a"): 5})
    assert not one_location_holds(lines, {("L1", "a"): 1, ("L1", "b"): 1, ("L2", "a"): 5})  # L1 short of a
    assert not one_location_holds(lines, {("L1", "a"): 2, ("L2", "b"): 1})  # in full only across two
    assert not one_location_holds(lines, {("L1", "a"): 2, ("L1", "c"): 9})  # a SKU the cart does not hold
