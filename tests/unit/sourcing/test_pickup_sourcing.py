"""Sourcing a placed PICKUP order: the store's own shelf first, the rest by transfers the engine's costs choose."""

from __future__ import annotations

import msgspec

from app.domain.values import LocationType
from app.sourcing import PICKUP_SERVICE, CandidateLocation, SourcingPlan, default_profile, ready_after, source_pickup

from .conftest import FAR, MID, NEAR, NOW, SHIP_TO, loc, order

STORE = msgspec.structs.replace(loc("ST1", SHIP_TO, type=LocationType.STORE), can_pickup=True)
NETWORK = [STORE, loc("DC-MID", MID), loc("DC-FAR", FAR), loc("DC-NEAR", NEAR)]


def plan(
    stock: dict[tuple[str, str], int], lines: dict[str, int], store: CandidateLocation = STORE, **req: object
) -> SourcingPlan:
    request = msgspec.structs.replace(order(lines), **req)
    network = [store, *NETWORK[1:]]
    return source_pickup(request, store, network, stock, default_profile(), NOW)


def by_location(p: SourcingPlan) -> dict[str, dict[str, int]]:
    return {s.location_code: dict(s.lines) for s in p.shipments}


def test_a_store_holding_the_cart_serves_it_from_its_shelf_at_no_cost() -> None:
    p = plan({("ST1", "tee"): 5, ("DC-NEAR", "tee"): 5}, {"tee": 2})
    [own] = p.shipments
    assert (own.location_code, dict(own.lines), own.carrier_service, own.cost) == (
        "ST1",
        {"tee": 2},
        PICKUP_SERVICE,
        0.0,
    )
    assert own.promised_delivery == ready_after(default_profile().transit, STORE, NOW)
    assert p.total_cost == 0.0 and not p.backordered


def test_what_the_store_lacks_comes_by_transfer_from_the_cheapest_source() -> None:
    p = plan(
        {("ST1", "tee"): 1, ("DC-NEAR", "tee"): 5, ("DC-FAR", "tee"): 5, ("DC-MID", "cap"): 5}, {"tee": 3, "cap": 1}
    )
    assert by_location(p) == {"ST1": {"tee": 1}, "DC-NEAR": {"tee": 2}, "DC-MID": {"cap": 1}}
    assert p.total_cost > 0
    store_report = next(c for c in p.explanation.candidates if c.location_code == "ST1")
    assert store_report.selected


def test_a_store_excluded_after_a_decline_is_fed_by_transfer_only_and_never_sends_one() -> None:
    p = plan({("ST1", "tee"): 5, ("DC-NEAR", "tee"): 5}, {"tee": 2}, excluded_locations=frozenset({"ST1"}))
    assert by_location(p) == {"DC-NEAR": {"tee": 2}}
    report = next(c for c in p.explanation.candidates if c.location_code == "ST1")
    assert not report.selected and report.reason is not None and "pick" in report.reason


def test_transfers_honour_inactive_sources_and_the_orders_exclusions() -> None:
    stock = {("DC-NEAR", "tee"): 5, ("DC-MID", "tee"): 5}
    assert by_location(plan(stock, {"tee": 1}, excluded_locations=frozenset({"DC-NEAR"}))) == {"DC-MID": {"tee": 1}}


def test_a_store_that_no_longer_takes_pickups_gets_nothing_and_the_order_waits() -> None:
    closed = msgspec.structs.replace(STORE, active=False)
    p = plan({("ST1", "tee"): 5, ("DC-NEAR", "tee"): 5}, {"tee": 2}, store=closed)
    assert p.shipments == () and dict(p.backordered) == {"tee": 2}
