from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from app.sourcing import default_profile
from app.sourcing.simulation import Decision, SimulationCase, figures, simulate

from .conftest import FAR, NEAR, NEAR_2, NOW, loc, order


def decision(cost: float, *distances: float, days: float | None = 1.0, backordered: int = 0) -> Decision:
    return Decision(
        profile_version=3, cost=cost, distances_km=distances, promised_days=days, backordered_units=backordered
    )


def test_figures_sum_costs_count_splits_and_average_per_shipment_and_per_order() -> None:
    result = figures(
        [
            decision(10.0, 100.0),
            decision(20.0, 50.0, 250.0, days=3.0),
            decision(0.0, days=None, backordered=4),
        ]
    )
    assert result.orders == 3
    assert result.total_cost == 30.0
    assert result.shipments == 3
    assert result.split_orders == 1
    assert result.avg_distance_km == pytest.approx(400.0 / 3, abs=0.05)
    assert result.avg_promised_days == 2.0  # the order that ships nothing has no promise
    assert (result.backordered_units, result.backordered_orders) == (4, 1)


def test_no_orders_give_empty_figures() -> None:
    result = figures([])
    assert (result.orders, result.total_cost, result.avg_distance_km, result.avg_promised_days) == (0, 0.0, None, None)


def test_a_draft_that_caps_splits_is_compared_with_the_live_decisions() -> None:
    network = [loc("A", NEAR), loc("B", NEAR_2), loc("C", FAR)]
    atp = {("A", "s1"): 5, ("B", "s2"): 5, ("C", "s1"): 1}
    # Live split the order over two near sites; the draft allows one parcel, so it ships s1 from far away
    # and backorders s2.
    live = decision(15.8, 11.1, 14.0)
    case = SimulationCase(request=order({"s1": 1, "s2": 1}), network=network, availability=atp, now=NOW, live=live)
    draft = msgspec.structs.replace(default_profile(), version=7, max_shipments=1)
    report = simulate([case], draft, period_from=NOW, period_to=NOW + timedelta(days=1), time_limit=None)
    assert report.live.split_orders == 1 and report.draft.split_orders == 0
    assert report.draft.shipments == 1
    assert report.draft.backordered_units == 1
    assert report.draft_version == 7 and report.live_versions == (3,)
    assert [c.order_id for c in report.changed] == ["o-1"]
    assert report.draft.total_cost == report.changed[0].draft.cost


def test_a_draft_that_decides_like_live_changes_nothing() -> None:
    network = [loc("A", NEAR)]
    case = SimulationCase(
        request=order({"s1": 2}), network=network, availability={("A", "s1"): 5}, now=NOW, live=decision(0.0)
    )
    first = simulate([case], default_profile(), period_from=NOW, period_to=NOW, time_limit=None)
    again = SimulationCase(
        request=case.request, network=network, availability=case.availability, now=NOW,
        live=first.changed[0].draft,
    )  # fmt: skip
    second = simulate([again], default_profile(), period_from=NOW, period_to=NOW, time_limit=None)
    assert second.changed == ()
    assert second.live == second.draft


def test_against_a_baseline_only_orders_decided_with_another_version_are_sourced_again() -> None:
    network = [loc("A", NEAR), loc("C", FAR)]
    atp = {("A", "s1"): 5, ("C", "s1"): 5}
    # Decided from far away by version 3; the baseline (version 4) sources it near, as the draft does.
    case = SimulationCase(request=order({"s1": 1}), network=network, availability=atp, now=NOW, live=decision(99.0))
    baseline = msgspec.structs.replace(default_profile(), version=4)
    draft = msgspec.structs.replace(default_profile(), version=5, preferred_locations=frozenset({"A"}))
    report = simulate([case], draft, period_from=NOW, period_to=NOW, time_limit=None, baseline=baseline)
    assert report.changed == ()  # against the live decision it would have changed; against version 4 not
    assert report.live == report.draft and report.live_versions == (4,)
    # Excluding the near site changes the order, and names the locations on both sides.
    away = msgspec.structs.replace(draft, excluded_locations=frozenset({"A"}))
    (changed,) = simulate([case], away, period_from=NOW, period_to=NOW, time_limit=None, baseline=baseline).changed
    assert (changed.live.locations, changed.draft.locations) == (("A",), ("C",))
    # A decision made with the baseline's own version is taken as recorded, not sourced again.
    recorded = msgspec.structs.replace(decision(99.0), profile_version=4)
    kept = SimulationCase(request=case.request, network=network, availability=atp, now=NOW, live=recorded)
    assert (
        simulate([kept], draft, period_from=NOW, period_to=NOW, time_limit=None, baseline=baseline).live.total_cost
        == 99.0
    )
