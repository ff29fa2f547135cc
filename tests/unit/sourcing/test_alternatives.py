"""Alternatives for a cart that cannot be served as asked: each kind when — and only when — it applies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.values import Coordinates, LocationType
from app.sourcing import CandidateLocation, PreparedNetwork, default_profile
from app.sourcing.alternatives import Alternative, AlternativeKind, AlternativeLine, IncomingUnits, alternatives

from .conftest import MID, NEAR, NEAR_2, NOW, SHIP_TO, loc

K = AlternativeKind
THURSDAY = datetime(2025, 3, 6, 8, 0, tzinfo=UTC)  # NOW is Monday 09:00


def store(code: str, at: Coordinates, **changes: object) -> CandidateLocation:
    return msgspec.structs.replace(loc(code, at, type=LocationType.STORE), **{"can_pickup": True, **changes})


def offered(
    network: list[CandidateLocation],
    stock: dict[tuple[str, str], int],
    lines: dict[str, int],
    **options: object,
) -> list[Alternative]:
    prepared = PreparedNetwork(network, default_profile())
    return alternatives(prepared, lines, SHIP_TO, stock, NOW, **options)  # type: ignore[arg-type]


def kinds(found: list[Alternative]) -> set[AlternativeKind]:
    return {a.kind for a in found}


def test_a_cart_one_location_ships_in_full_now_has_no_alternatives() -> None:
    assert offered([loc("A", NEAR)], {("A", "tee"): 5, ("A", "mug"): 5}, {"tee": 2, "mug": 1}) == []


def test_a_cart_no_one_location_holds_is_offered_as_a_split_only() -> None:
    (split,) = offered([loc("A", NEAR), loc("B", MID)], {("A", "tee"): 5, ("B", "mug"): 5}, {"tee": 2, "mug": 1})
    assert split.kind is K.SPLIT_SHIPMENT and split.shipments == 2
    assert split.lines == (AlternativeLine(sku="mug", quantity=1), AlternativeLine(sku="tee", quantity=2))
    assert split.promised_delivery is not None and split.cost > 0
    assert split.explanation.startswith("All 3 items ") and split.explanation.endswith("in 2 shipments, from A and B")


def test_a_substitute_the_network_holds_replaces_the_short_line() -> None:
    network, stock = [loc("A", NEAR)], {("A", "mug"): 5, ("A", "tee-xl"): 5}
    found = offered(network, stock, {"tee": 2, "mug": 1}, substitutes={"tee": ["tee-l", "tee-xl"]})
    assert kinds(found) == {K.SUBSTITUTE, K.PARTIAL}
    swap = next(a for a in found if a.kind is K.SUBSTITUTE)
    # tee-l (preferred) has no stock: the next one on the list stands in, for the whole line.
    assert swap.lines == (
        AlternativeLine(sku="mug", quantity=1),
        AlternativeLine(sku="tee-xl", quantity=2, replaces="tee"),
    )
    assert swap.shipments == 1 and swap.explanation == "tee-xl instead of tee: all 3 items tomorrow"
    assert found[0] is swap  # all of it tomorrow: before the partial's first part, although that is cheaper


def test_no_substitute_without_a_list_or_without_stock_of_any_on_it() -> None:
    stock = {("A", "mug"): 5, ("A", "tee-xl"): 1}
    assert kinds(offered([loc("A", NEAR)], stock, {"tee": 2, "mug": 1})) == {K.PARTIAL}
    found = offered([loc("A", NEAR)], stock, {"tee": 2, "mug": 1}, substitutes={"tee": ["tee-xl", "mug"]})
    assert kinds(found) == {K.PARTIAL}  # 1 tee-xl is not 2; mug is in the cart already


def test_incoming_supply_that_covers_the_rest_is_a_later_date() -> None:
    supply = [IncomingUnits(location_code="B", sku="tee", quantity=4, expected_at=THURSDAY)]
    found = offered(
        [loc("A", NEAR), loc("B", NEAR_2)], {("A", "tee"): 2}, {"tee": 3}, incoming=supply, names={"B": "Dallas"}
    )
    (later,) = found
    assert later.kind is K.LATER_DATE and later.shipments == 2
    assert later.lines == (AlternativeLine(sku="tee", quantity=3),)
    # B receives Thursday 08:00, before its cut-off: leaves Thursday, a day's ground: Friday evening.
    assert later.promised_delivery == datetime(2025, 3, 7, 20, 0, tzinfo=UTC)
    assert later.explanation == "2 of 3 now, 1 on Friday from Dallas"


def test_a_later_date_for_a_cart_nothing_of_which_ships_now() -> None:
    supply = [IncomingUnits(location_code="B", sku="tee", quantity=4, expected_at=THURSDAY)]
    (later,) = offered([loc("B", NEAR_2)], {}, {"tee": 3}, incoming=supply)
    assert later.kind is K.LATER_DATE and later.shipments == 1
    assert later.explanation == "All 3 items on Friday from B"


def test_supply_earlier_backorders_wait_for_is_not_promised_twice() -> None:
    supply = [IncomingUnits(location_code="B", sku="tee", quantity=4, expected_at=THURSDAY)]
    network = [loc("A", NEAR), loc("B", NEAR_2)]
    assert kinds(offered(network, {("A", "tee"): 2}, {"tee": 3}, incoming=supply, waiting={"tee": 3})) == {K.LATER_DATE}
    (partial,) = offered(network, {("A", "tee"): 2}, {"tee": 3}, incoming=supply, waiting={"tee": 4})
    assert partial.kind is K.PARTIAL


def test_what_ships_now_with_the_rest_undated_is_a_partial() -> None:
    (partial,) = offered([loc("A", NEAR)], {("A", "tee"): 2}, {"tee": 3, "mug": 1})
    assert partial.kind is K.PARTIAL and partial.shipments == 1
    assert partial.lines == (AlternativeLine(sku="mug", quantity=1), AlternativeLine(sku="tee", quantity=3))
    assert partial.explanation == "2 of 4 tomorrow, 2 backordered until back in stock"


def test_nothing_now_and_nothing_coming_is_a_backorder() -> None:
    late = [IncomingUnits(location_code="A", sku="tee", quantity=1, expected_at=THURSDAY)]  # 1 of 3: not enough
    (wait,) = offered([loc("A", NEAR)], {}, {"tee": 3}, incoming=late)
    assert wait.kind is K.BACKORDER and wait.promised_delivery is None and wait.shipments == 0
    assert wait.explanation == "All 3 items backordered until back in stock"


def test_a_pickup_store_that_holds_what_no_shipper_may_send_is_offered() -> None:
    counter = store("S", NEAR, can_ship=False)  # collect only
    found = offered([counter], {("S", "tee"): 3}, {"tee": 3}, names={"S": "Lincoln Park"})
    assert kinds(found) == {K.PICKUP_ELSEWHERE, K.BACKORDER}
    pickup = found[0]
    assert pickup.kind is K.PICKUP_ELSEWHERE and pickup.pickup_location_code == "S"
    assert pickup.shipments == 1 and pickup.cost == 0.0
    assert pickup.explanation == "All 3 items ready to collect at Lincoln Park today"
    far = msgspec.structs.replace(counter, coordinates=MID)  # beyond the pickup radius
    assert kinds(offered([far], {("S", "tee"): 3}, {"tee": 3})) == {K.BACKORDER}


def test_a_pickup_store_brought_the_rest_by_a_transfer_counts_two_shipments_and_its_cost() -> None:
    counter = store("S", NEAR)
    found = offered([counter, loc("A", MID)], {("S", "mug"): 1, ("A", "tee"): 2}, {"tee": 2, "mug": 1})
    assert kinds(found) == {K.SPLIT_SHIPMENT, K.PICKUP_ELSEWHERE}
    pickup = next(a for a in found if a.kind is K.PICKUP_ELSEWHERE)
    assert pickup.shipments == 2 and pickup.cost > 0
    assert pickup.explanation.endswith(", brought in from A")


def test_ranked_by_soonest_then_cheapest_undated_last() -> None:
    network, stock = [loc("A", NEAR), store("S", NEAR_2, can_ship=False)], {("S", "tee"): 3, ("A", "tee-xl"): 3}
    found = offered(network, stock, {"tee": 3}, substitutes={"tee": ["tee-xl"]})
    assert [a.kind for a in found] == [K.PICKUP_ELSEWHERE, K.SUBSTITUTE, K.BACKORDER]
    promised = [a.promised_delivery for a in found]
    assert promised[0] is not None and promised[1] is not None and promised[0] <= promised[1] and promised[2] is None
    assert found[0].cost <= found[1].cost


def test_explanations_name_days_relative_to_now() -> None:
    next_week = NOW + timedelta(days=9)
    supply = [IncomingUnits(location_code="A", sku="tee", quantity=3, expected_at=next_week)]
    (later,) = offered([loc("A", NEAR)], {}, {"tee": 3}, incoming=supply)
    assert later.explanation == "All 3 items on 13 Mar from A"


@given(
    sites=st.lists(
        st.tuples(st.floats(39.0, 41.0), st.floats(-76.0, -74.0), st.booleans(), st.booleans()), min_size=1, max_size=6
    ),
    stock=st.dictionaries(st.tuples(st.integers(0, 5), st.sampled_from(["tee", "mug", "cap", "alt"])),
                          st.integers(1, 3), max_size=12),
    lines=st.dictionaries(st.sampled_from(["tee", "mug", "cap"]), st.integers(1, 3), min_size=1, max_size=3),
    supply=st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["tee", "mug", "cap"]), st.integers(1, 4),
                              st.integers(0, 9)), max_size=4),
)  # fmt: skip
@settings(max_examples=150, deadline=None)
def test_each_kind_is_offered_when_and_only_when_it_applies(
    sites: list[tuple[float, float, bool, bool]],
    stock: dict[tuple[int, str], int],
    lines: dict[str, int],
    supply: list[tuple[int, str, int, int]],
) -> None:
    network = [
        msgspec.structs.replace(
            loc(f"L{i}", Coordinates(latitude=lat, longitude=lon), type=LocationType.STORE),
            can_pickup=pickup,
            can_ship=ships,
        )
        for i, (lat, lon, pickup, ships) in enumerate(sites)
    ]
    held = {(f"L{i}", sku): n for (i, sku), n in stock.items() if i < len(network)}
    incoming = [
        IncomingUnits(location_code=f"L{i}", sku=sku, quantity=n, expected_at=NOW + timedelta(days=days))
        for i, sku, n, days in supply
        if i < len(network)
    ]
    prepared = PreparedNetwork(network, default_profile())
    found = alternatives(prepared, lines, SHIP_TO, held, NOW, substitutes={"tee": ["alt"]}, incoming=incoming)
    asked = prepared.plan(lines, SHIP_TO, held, NOW)
    short = any(asked.served(sku) < qty for sku, qty in lines.items())
    by_kind = {a.kind: a for a in found}
    assert len(by_kind) == len(found)  # each kind once at most
    assert (found == []) == (asked.option.available and asked.option.shipments <= 1)
    assert not found or (K.SPLIT_SHIPMENT in by_kind) == (not short and asked.option.shipments >= 2)
    waiting = {K.LATER_DATE, K.PARTIAL, K.BACKORDER} & set(by_kind)
    assert len(waiting) == (1 if short else 0)
    if K.PARTIAL in by_kind:  # something ships now
        assert asked.option.shipments > 0 and sum(asked.served(sku) for sku in lines) > 0
    if K.BACKORDER in by_kind:
        assert asked.option.shipments == 0
    if K.SUBSTITUTE in by_kind:  # a plan the engine keeps: its lines, served in full now
        swap = by_kind[K.SUBSTITUTE]
        assert short and [ln.replaces for ln in swap.lines if ln.replaces] == ["tee"]
        replaced = {ln.sku: ln.quantity for ln in swap.lines}
        assert prepared.plan(replaced, SHIP_TO, held, NOW).option.available
    if K.PICKUP_ELSEWHERE in by_kind:
        store = by_kind[K.PICKUP_ELSEWHERE].pickup_location_code
        assert any(s.code == store and s.can_pickup for s in network)
    complete = [a for a in found if a.kind not in (K.PARTIAL, K.BACKORDER)]
    assert found[: len(complete)] == complete  # dated wholes first
    promises = [a.promised_delivery for a in complete]
    assert promises == sorted(promises)  # type: ignore[type-var]
