"""Hand-checked plans. Costs follow the default cost model (see CostModel's docstring):
a parcel within 150 km costs 2.5 + 5.0 + 0.4/kg, at ~1,000 km 2.5 + 9.0 + 1.0/kg (1 kg per unit)."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from app.domain.values import LocationType, ServiceLevel
from app.sourcing import PreparedNetwork, Strategy, default_profile, source, source_batch
from app.sourcing.model import SourcingPlan

from .conftest import COAST, FAR, MID, NEAR, NEAR_2, NOW, SHIP_TO, loc, order


def reason(plan: SourcingPlan, code: str) -> str | None:
    return next(c.reason for c in plan.explanation.candidates if c.location_code == code)


def test_single_far_parcel_beats_two_near_ones() -> None:
    network = [loc("A", NEAR), loc("B", NEAR_2), loc("C", FAR)]
    atp = {("A", "s1"): 5, ("B", "s2"): 5, ("C", "s1"): 5, ("C", "s2"): 5}
    plan = source(order({"s1": 1, "s2": 1}), network, atp, default_profile(), NOW)
    assert [s.location_code for s in plan.shipments] == ["C"]
    assert plan.total_cost == pytest.approx(2.5 + 9.0 + 2 * 1.0)  # 13.5 < 2 * 7.9
    assert plan.explanation.algorithm == "exact-single-parcel"  # proven without the solver (test_shortcut.py)
    assert plan.explanation.gap == pytest.approx(0.0, abs=1e-6)


def test_split_beats_single_parcel_when_it_is_cheaper() -> None:
    network = [loc("A", NEAR), loc("B", NEAR_2), loc("C", FAR, handling=5.0)]
    atp = {("A", "s1"): 5, ("B", "s2"): 5, ("C", "s1"): 5, ("C", "s2"): 5}
    plan = source(order({"s1": 1, "s2": 1}), network, atp, default_profile(), NOW)
    assert {s.location_code: dict(s.lines) for s in plan.shipments} == {"A": {"s1": 1}, "B": {"s2": 1}}
    assert plan.total_cost == pytest.approx(2 * (2.5 + 5.0 + 0.4))
    c = next(c for c in plan.explanation.candidates if c.location_code == "C")
    assert not c.selected and c.cost == pytest.approx(18.5)


def test_capacity_in_units_moves_the_rest_elsewhere() -> None:
    network = [loc("A", NEAR, capacity=2), loc("B", MID)]
    atp = {("A", "s1"): 9, ("B", "s1"): 3}
    plan = source(order({"s1": 6}), network, atp, default_profile(), NOW)
    assert {s.location_code: s.lines["s1"] for s in plan.shipments} == {"A": 2, "B": 3}
    assert plan.backordered == {"s1": 1}


def test_no_capacity_left_is_an_exclusion() -> None:
    network = [loc("A", NEAR, capacity=0), loc("B", MID)]
    plan = source(order({"s1": 1}), network, {("A", "s1"): 9, ("B", "s1"): 9}, default_profile(), NOW)
    assert reason(plan, "A") == "no capacity left today"


def test_exclusions_by_type_rule_distance_and_state() -> None:
    network = [
        loc("RC", NEAR, type=LocationType.RETURNS_CENTER),
        loc("X", NEAR),
        loc("OFF", NEAR, active=False),
        loc("FAR", FAR),
        loc("OK", MID),
        loc("EMPTY", NEAR),
    ]
    atp = {(code, "s1"): 3 for code in ("RC", "X", "OFF", "FAR", "OK")}
    profile = msgspec.structs.replace(
        default_profile(),
        excluded_locations=frozenset({"X"}),
        max_distance_km={ServiceLevel.STANDARD: 800.0},
    )
    plan = source(order({"s1": 1}), network, atp, profile, NOW)
    assert [s.location_code for s in plan.shipments] == ["OK"]
    assert reason(plan, "RC") == "RETURNS_CENTER may not serve web STANDARD orders"
    assert reason(plan, "X") == "excluded by sourcing profile v1"
    assert reason(plan, "OFF") == "inactive"
    assert reason(plan, "FAR") == "1021 km exceeds the STANDARD limit of 800 km"
    assert reason(plan, "EMPTY") == "holds none of the ordered SKUs"
    assert len(plan.explanation.candidates) == len(network)


def test_express_and_same_day_follow_the_transit_model() -> None:
    network = [loc("NEAR", NEAR), loc("MID", MID), loc("COAST", COAST)]
    atp = {(code, "s1"): 3 for code in ("NEAR", "MID", "COAST")}
    same_day = source(order({"s1": 1}, level=ServiceLevel.SAME_DAY), network, atp, default_profile(), NOW)
    assert reason(same_day, "MID") is not None and "SAME_DAY" in str(reason(same_day, "MID"))
    (shipment,) = same_day.shipments
    assert shipment.carrier_service == "SAME_DAY_COURIER"
    assert shipment.promised_delivery == NOW.replace(hour=20)
    late = NOW.replace(hour=15)  # after the 14:00 cut-off nothing leaves today
    rush = order({"s1": 1}, level=ServiceLevel.SAME_DAY)
    after_cutoff = source(rush, network, atp, default_profile(), late)
    assert after_cutoff.shipments == () and after_cutoff.backordered == {"s1": 1}
    express = source(order({"s1": 1}, level=ServiceLevel.EXPRESS), network[1:], atp, default_profile(), NOW)
    (parcel,) = express.shipments
    assert parcel.location_code == "MID" and parcel.carrier_service == "GROUND"  # 470 km: two days by ground
    assert parcel.promised_delivery == (NOW + timedelta(days=2)).replace(hour=20)


def test_backorder_when_nothing_holds_the_sku() -> None:
    network = [loc("A", NEAR)]
    plan = source(order({"s1": 2, "ghost": 3}), network, {("A", "s1"): 5}, default_profile(), NOW)
    assert plan.backordered == {"ghost": 3}
    assert plan.shipped("s1") == 2
    assert plan.explanation.objective_value == pytest.approx(plan.total_cost + 3 * 1000.0)


def test_split_cap_backorders_rather_than_splitting() -> None:
    network = [loc("A", NEAR), loc("B", NEAR_2)]
    atp = {("A", "s1"): 5, ("B", "s2"): 5}
    profile = msgspec.structs.replace(default_profile(), max_shipments=1)
    plan = source(order({"s1": 1, "s2": 2}), network, atp, profile, NOW)
    assert len(plan.shipments) == 1 and plan.shipments[0].location_code == "B"  # serves more units
    assert plan.backordered == {"s1": 1}


def test_priority_then_age_wins_under_scarcity() -> None:
    network = [loc("A", NEAR)]
    atp = {("A", "s1"): 1}
    early = order({"s1": 1}, order_id="early", placed_at=NOW - timedelta(hours=1))
    urgent = order({"s1": 1}, order_id="urgent", priority=5)
    late = order({"s1": 1}, order_id="late")
    plans = source_batch([late, early, urgent], network, atp, default_profile(), NOW)
    assert [p.order_id for p in plans] == ["urgent", "early", "late"]
    assert [p.shipped("s1") for p in plans] == [1, 0, 0]
    plans = source_batch([late, early], network, atp, default_profile(), NOW)
    assert {p.order_id: p.shipped("s1") for p in plans} == {"early": 1, "late": 0}


def test_batch_shares_capacity() -> None:
    network = [loc("A", NEAR, capacity=3), loc("B", FAR)]
    atp = {("A", "s1"): 10, ("B", "s1"): 2}
    first, second = source_batch(
        [order({"s1": 2}, order_id="1"), order({"s1": 3}, order_id="2")], network, atp, default_profile(), NOW
    )
    assert {s.location_code: s.lines["s1"] for s in first.shipments} == {"A": 2}
    assert {s.location_code: s.lines["s1"] for s in second.shipments} == {"A": 1, "B": 2}


def test_same_input_same_plan_whatever_the_network_order() -> None:
    network = [loc(f"L{i}", c) for i, c in enumerate([NEAR, NEAR_2, MID, FAR, COAST])]
    atp = {(f"L{i}", sku): 2 for i in range(5) for sku in ("a", "b", "c")}
    request = order({"a": 3, "b": 1, "c": 2})
    # No time limit: a solve cut short on a loaded machine may return a different feasible plan.
    one = source(request, network, atp, default_profile(), NOW, time_limit=None)
    reordered = dict(reversed(list(atp.items())))
    two = source(request, list(reversed(network)), reordered, default_profile(), NOW, time_limit=None)
    assert msgspec.json.encode(one) == msgspec.json.encode(two)


@pytest.mark.parametrize("strategy", list(Strategy))
def test_every_strategy_serves_what_it_can(strategy: Strategy) -> None:
    network = [loc("A", NEAR), loc("B", MID), loc("C", FAR)]
    atp = {("A", "s1"): 1, ("B", "s1"): 1, ("C", "s2"): 4}
    plan = source(order({"s1": 2, "s2": 1}), network, atp, default_profile(), NOW, strategy=strategy)
    assert plan.backordered == {}
    assert plan.explanation.algorithm == str(strategy)


def test_quote_gives_one_option_per_service_level() -> None:
    network = [loc("MID", MID), loc("COAST", COAST)]
    atp = {("MID", "s1"): 1, ("COAST", "s1"): 5}
    options = {
        o.service_level: o for o in PreparedNetwork(network, default_profile()).quote({"s1": 1}, SHIP_TO, atp, NOW)
    }
    assert list(options) == list(ServiceLevel)
    assert options[ServiceLevel.STANDARD].available and options[ServiceLevel.STANDARD].shipments == 1
    assert options[ServiceLevel.EXPRESS].available
    assert not options[ServiceLevel.SAME_DAY].available
    assert options[ServiceLevel.SAME_DAY].promised_delivery is None
    two = PreparedNetwork(network, default_profile()).quote({"s1": 2}, SHIP_TO, atp, NOW)[0]
    assert two.available and two.shipments == 1  # the coast holds both: one parcel beats two
