"""Click & collect promises: which stores, in what order, ready by when, and when a transfer is needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.values import Coordinates, LocationType
from app.sourcing import CandidateLocation, PickupOption, PreparedNetwork, default_profile, pickup_options

from .conftest import MID, NOW, SHIP_TO, loc

HOME = SHIP_TO  # where the shopper is
TEN_KM = Coordinates(latitude=40.09, longitude=-75.0)
TWENTY_KM = Coordinates(latitude=40.18, longitude=-75.0)
THIRTY_KM = Coordinates(latitude=40.27, longitude=-75.0)
SIXTY_KM = Coordinates(latitude=40.54, longitude=-75.0)
MONDAY_EVENING = datetime(2025, 3, 3, 20, 0, tzinfo=UTC)  # NOW is Monday 09:00, before the 14:00 cut-off


def store(code: str, at: Coordinates, **changes: object) -> CandidateLocation:
    return msgspec.structs.replace(loc(code, at, type=LocationType.STORE), **{"can_pickup": True, **changes})


def options(
    network: list[CandidateLocation],
    stock: dict[tuple[str, str], int],
    lines: dict[str, int] | None = None,
    *,
    now: datetime = NOW,
    radius_km: float = 50.0,
    first: int = 10,
) -> list[PickupOption]:
    prepared = PreparedNetwork(network, default_profile())
    return pickup_options(prepared, lines or {"tee": 1}, HOME, stock, now, radius_km=radius_km, first=first)


def codes(found: list[PickupOption]) -> list[str]:
    return [o.location_code for o in found]


def test_a_store_holding_the_cart_has_it_ready_after_its_own_processing() -> None:
    (found,) = options([store("S1", TEN_KM)], {("S1", "tee"): 1})
    assert found.available and not found.via_transfer and found.transfer_from is None
    assert found.ready_by == MONDAY_EVENING
    assert 9 < found.distance_km < 11
    after_cutoff = NOW.replace(hour=15)
    (late,) = options([store("S1", TEN_KM)], {("S1", "tee"): 1}, now=after_cutoff)
    assert late.ready_by == MONDAY_EVENING + timedelta(days=1)  # processed tomorrow, as a shipment would be


def test_a_store_without_the_stock_is_served_by_a_transfer_whose_transit_is_in_the_promise() -> None:
    dc = loc("DC", MID)  # ~470 km from the stores: ground, 2 days
    near_dc = loc("DC2", Coordinates(latitude=44.0, longitude=-80.0))  # farther from the store: not chosen
    (found,) = options([store("S1", TEN_KM), dc, near_dc], {("DC", "tee"): 5, ("DC2", "tee"): 5})
    assert found.available and found.via_transfer and found.transfer_from == "DC"
    # DC leaves Monday, 2 days' ground: arrives Wednesday 20:00, after the store's cut-off; ready Thursday 20:00.
    assert found.ready_by == MONDAY_EVENING + timedelta(days=3)


def test_what_the_store_lacks_comes_from_one_location_holding_all_of_it() -> None:
    network = [store("S1", TEN_KM), loc("A", MID), loc("B", Coordinates(latitude=41.0, longitude=-75.0))]
    stock = {("S1", "tee"): 1, ("A", "tee"): 1, ("A", "mug"): 2, ("B", "mug"): 1}
    (found,) = options(network, stock, {"tee": 2, "mug": 2})
    assert found.via_transfer and found.transfer_from == "A"  # B is nearer but holds only one of the two mugs


def test_stores_are_ordered_by_readiness_then_distance() -> None:
    network = [
        store("TRANSFER_NEAREST", TEN_KM),
        store("STOCK_FAR", THIRTY_KM),
        store("STOCK_NEAR", TWENTY_KM),
        store("NOTHING", TEN_KM),
        loc("DC", MID),
    ]
    stock = {("STOCK_FAR", "tee"): 1, ("STOCK_NEAR", "tee"): 1, ("DC", "tee"): 1}
    found = options(network, stock)
    assert codes(found) == ["STOCK_NEAR", "STOCK_FAR", "NOTHING", "TRANSFER_NEAREST"]
    assert [o.available for o in found] == [True, True, True, True]
    # NOTHING and TRANSFER_NEAREST are the same distance and both need the DC: equal promises, ordered by code.
    assert found[0].ready_by == found[1].ready_by < found[2].ready_by == found[3].ready_by


def test_stores_nobody_can_serve_are_listed_last_as_unavailable() -> None:
    network = [store("EMPTY_NEAR", TEN_KM), store("STOCK_FAR", THIRTY_KM, can_ship=False)]  # a counter only
    found = options(network, {("STOCK_FAR", "tee"): 1})
    assert codes(found) == ["STOCK_FAR", "EMPTY_NEAR"]
    empty = found[1]
    assert not empty.available and not empty.via_transfer
    assert empty.ready_by == MONDAY_EVENING  # what its own stock would have promised


def test_only_stores_within_the_radius_are_listed() -> None:
    network = [store("IN", THIRTY_KM), store("OUT", SIXTY_KM)]
    stock = {("IN", "tee"): 1, ("OUT", "tee"): 1}
    assert codes(options(network, stock)) == ["IN"]
    assert codes(options(network, stock, radius_km=100)) == ["IN", "OUT"]
    assert options(network, stock, radius_km=5) == []


def test_inactive_stores_and_locations_without_pickup_are_never_listed() -> None:
    network = [
        store("CLOSED", TEN_KM, active=False),
        msgspec.structs.replace(store("NO_PICKUP", TEN_KM), can_pickup=False),
        loc("DC_NEAR", TWENTY_KM),  # a DC next door: ships, never a counter
        store("OPEN", THIRTY_KM),
    ]
    stock = {(code, "tee"): 3 for code in ("CLOSED", "NO_PICKUP", "DC_NEAR", "OPEN")}
    (found,) = options(network, stock)
    assert found.location_code == "OPEN" and not found.via_transfer


def test_an_inactive_location_or_one_that_cannot_ship_sends_no_transfer() -> None:
    network = [
        store("S1", TEN_KM),
        loc("CLOSED", TWENTY_KM, active=False),
        msgspec.structs.replace(loc("NO_SHIP", TWENTY_KM), can_ship=False),
    ]
    (found,) = options(network, {("CLOSED", "tee"): 5, ("NO_SHIP", "tee"): 5})
    assert not found.available


def test_first_bounds_the_answer() -> None:
    network = [store(f"S{i}", TEN_KM) for i in range(5)]
    stock = {(f"S{i}", "tee"): 1 for i in range(5)}
    assert codes(options(network, stock, first=2)) == ["S0", "S1"]


def test_another_store_may_send_the_transfer_and_each_side_keeps_its_own_processing() -> None:
    network = [store("EMPTY", TEN_KM, processing_days=1), store("FULL", THIRTY_KM, processing_days=2)]
    empty, full = sorted(options(network, {("FULL", "tee"): 1}), key=lambda o: o.location_code)
    assert full.ready_by == MONDAY_EVENING + timedelta(days=2) and not full.via_transfer
    # FULL leaves Wednesday (2 days' processing); ground, the cheapest service, arrives Thursday 20:00; EMPTY
    # starts on Friday (the transfer came after its cut-off) and takes a day: ready Saturday evening.
    assert empty.via_transfer and empty.transfer_from == "FULL"
    assert empty.ready_by == MONDAY_EVENING + timedelta(days=5)


@given(st.lists(st.tuples(st.floats(39.0, 41.0), st.floats(-76.0, -74.0), st.integers(0, 2), st.booleans()),
                min_size=1, max_size=25))  # fmt: skip
@settings(max_examples=60, deadline=None)
def test_the_transfer_comes_from_the_nearest_location_holding_the_rest(
    sites: list[tuple[float, float, int, bool]],
) -> None:
    network = [
        store(f"L{i:02}", Coordinates(latitude=lat, longitude=lon), can_pickup=pickup)
        for i, (lat, lon, _, pickup) in enumerate(sites)
    ]
    stock = {(f"L{i:02}", "tee"): units for i, (_, _, units, _) in enumerate(sites)}
    for found in options(network, stock, {"tee": 2}, radius_km=1000, first=100):
        here = next(s for s in network if s.code == found.location_code)
        rest = 2 - stock[(here.code, "tee")]  # what the store lacks
        covering = [s for s in network if s.code != here.code and stock[(s.code, "tee")] >= rest]
        if rest <= 0:
            assert not found.via_transfer
        elif covering:
            nearest = min(covering, key=lambda s: (s.coordinates.distance_km(here.coordinates), s.code))
            assert found.via_transfer and found.transfer_from == nearest.code
        else:
            assert not found.available
