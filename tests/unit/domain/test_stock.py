from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
import pytest

from app.domain import stock
from app.domain.errors import DomainError
from app.domain.events import Event
from app.domain.stock import (
    EMPTY_STOCK,
    AdjustStock,
    CountStock,
    ExpectSupply,
    ReceiveStock,
    ReceiveSupply,
    ReleaseReservation,
    ReserveStock,
    ReturnStock,
    SetReorderPoint,
    SetSafetyStock,
    ShipStock,
    StockCommand,
    StockState,
    WriteOffStock,
)
from app.domain.stock_events import (
    ReorderPointSet,
    ReservationReleased,
    SafetyStockSet,
    StockAdjusted,
    StockCounted,
    StockReceived,
    StockReserved,
    StockReturned,
    StockShipped,
    StockWrittenOff,
    SupplyExpected,
    SupplyReceived,
)
from app.domain.values import SupplyKind
from tests.unit.domain.support import NOW, given, location

K: dict[str, Any] = {"sku": "SKU-42", "location_code": "DC1"}


def state_of(*events: Event) -> StockState:
    return given(stock.evolve, EMPTY_STOCK, events)


def when(state: StockState, command: StockCommand, *, active: bool = True) -> list[Event]:
    return stock.decide(state, command, NOW, location=location("DC1", active=active))


def rejects(state: StockState, command: StockCommand, code: str, field: tuple[str, ...] | None = None) -> None:
    with pytest.raises(DomainError) as caught:
        when(state, command)
    assert caught.value.code == code
    if field is not None:
        assert caught.value.field == field


STOCKED = (StockReceived(**K, quantity=10), StockReserved(**K, reservation_id="o1/s1", quantity=4))


def test_receive_then_on_hand_and_atp() -> None:
    events = when(EMPTY_STOCK, ReceiveStock(**K, quantity=5))
    assert events == [StockReceived(**K, quantity=5)]
    state = state_of(*events)
    assert (state.on_hand, state.reserved, state.atp, state.sku, state.location_code) == (
        5,
        0,
        5,
        "SKU-42",
        "DC1",
    )


@pytest.mark.parametrize("quantity", [0, -3])
def test_receive_rejects_non_positive_quantity(quantity: int) -> None:
    rejects(EMPTY_STOCK, ReceiveStock(**K, quantity=quantity), "INVALID_QUANTITY", ("quantity",))


def test_unknown_and_inactive_locations_are_rejected() -> None:
    with pytest.raises(DomainError) as unknown:
        stock.decide(EMPTY_STOCK, ReceiveStock(**K, quantity=1), NOW, location=None)
    assert unknown.value.code == "UNKNOWN_LOCATION"
    with pytest.raises(DomainError) as inactive:
        when(EMPTY_STOCK, ReceiveStock(**K, quantity=1), active=False)
    assert inactive.value.code == "LOCATION_INACTIVE"
    # What is already there may still leave an inactive location.
    assert when(state_of(*STOCKED), ShipStock(**K, reservation_id="o1/s1", quantity=4), active=False)


def test_reserve_within_atp_respects_safety_stock() -> None:
    state = state_of(StockReceived(**K, quantity=10), SafetyStockSet(**K, quantity=3))
    assert state.atp == 7
    assert when(state, ReserveStock(**K, reservation_id="r", quantity=7)) == [
        StockReserved(**K, reservation_id="r", quantity=7)
    ]
    rejects(state, ReserveStock(**K, reservation_id="r", quantity=8), "INSUFFICIENT_STOCK", ("quantity",))


def test_reserve_duplicate_id_and_zero_quantity_rejected() -> None:
    state = state_of(*STOCKED)
    rejects(state, ReserveStock(**K, reservation_id="o1/s1", quantity=1), "DUPLICATE")
    rejects(state, ReserveStock(**K, reservation_id="x", quantity=0), "INVALID_QUANTITY")


def test_atp_is_never_negative() -> None:
    state = state_of(StockReceived(**K, quantity=2), SafetyStockSet(**K, quantity=5))
    assert state.atp == 0


def test_release_validates_against_the_reservation() -> None:
    state = state_of(*STOCKED)
    assert when(state, ReleaseReservation(**K, reservation_id="o1/s1")) == [
        ReservationReleased(**K, reservation_id="o1/s1", quantity=4, reason="CANCELLED")
    ]
    rejects(state, ReleaseReservation(**K, reservation_id="o1/s1", quantity=5), "INVALID_QUANTITY")
    rejects(state, ReleaseReservation(**K, reservation_id="nope"), "NOT_FOUND", ("reservationId",))
    partial = state_of(*STOCKED, ReservationReleased(**K, reservation_id="o1/s1", quantity=1, reason="x"))
    assert partial.reservations == {"o1/s1": 3}


def test_ship_consumes_reservation_and_drops_it_when_done() -> None:
    state = state_of(*STOCKED)
    events = when(state, ShipStock(**K, reservation_id="o1/s1", quantity=4))
    assert events == [StockShipped(**K, reservation_id="o1/s1", quantity=4)]
    after = given(stock.evolve, state, events)
    assert (after.on_hand, after.reservations) == (6, {})
    rejects(state, ShipStock(**K, reservation_id="o1/s1", quantity=5), "INVALID_QUANTITY")
    rejects(after, ShipStock(**K, reservation_id="o1/s1", quantity=1), "NOT_FOUND")


def test_adjust_cannot_go_below_zero_or_below_reserved() -> None:
    state = state_of(*STOCKED)
    assert when(state, AdjustStock(**K, delta=-6, reason="damaged")) == [StockAdjusted(**K, delta=-6, reason="damaged")]
    rejects(state, AdjustStock(**K, delta=-7, reason="x"), "INSUFFICIENT_STOCK", ("delta",))
    rejects(EMPTY_STOCK, AdjustStock(**K, delta=-1, reason="x"), "INSUFFICIENT_STOCK")
    rejects(state, AdjustStock(**K, delta=0, reason="x"), "INVALID_QUANTITY", ("delta",))


def test_count_records_variance() -> None:
    state = state_of(*STOCKED)
    assert when(state, CountStock(**K, counted=12)) == [StockCounted(**K, counted=12, variance=2)]
    rejects(state, CountStock(**K, counted=-1), "INVALID_QUANTITY")


def test_count_below_reserved_releases_newest_reservations_first() -> None:
    state = state_of(
        StockReceived(**K, quantity=10),
        StockReserved(**K, reservation_id="old", quantity=4),
        StockReserved(**K, reservation_id="new", quantity=3),
    )
    events = when(state, CountStock(**K, counted=5))
    assert events == [
        ReservationReleased(**K, reservation_id="new", quantity=2, reason="SHORTFALL"),
        StockCounted(**K, counted=5, variance=-5),
    ]
    after = given(stock.evolve, state, events)
    assert (after.on_hand, after.reservations, after.atp) == (5, {"old": 4, "new": 1}, 0)


def test_return_write_off_and_settings() -> None:
    state = state_of(*STOCKED)
    assert when(state, ReturnStock(**K, quantity=2, return_id="r1")) == [StockReturned(**K, quantity=2, return_id="r1")]
    assert when(state, WriteOffStock(**K, quantity=6, reason="expired")) == [
        StockWrittenOff(**K, quantity=6, reason="expired")
    ]
    rejects(state, WriteOffStock(**K, quantity=7, reason="x"), "INSUFFICIENT_STOCK")
    assert when(state, SetSafetyStock(**K, quantity=0)) == [SafetyStockSet(**K, quantity=0)]
    rejects(state, SetSafetyStock(**K, quantity=-1), "INVALID_QUANTITY")
    assert when(state, SetReorderPoint(**K, reorder_point=5, reorder_quantity=20)) == [
        ReorderPointSet(**K, reorder_point=5, reorder_quantity=20)
    ]
    rejects(state, SetReorderPoint(**K, reorder_point=5, reorder_quantity=0), "INVALID_QUANTITY")


def test_supply_expected_then_received_in_parts() -> None:
    due = NOW + timedelta(days=3)
    expect = ExpectSupply(**K, supply_id="po1", kind=SupplyKind.PURCHASE_ORDER, quantity=10, expected_at=due)
    events = when(EMPTY_STOCK, expect)
    assert events == [
        SupplyExpected(**K, supply_id="po1", kind=SupplyKind.PURCHASE_ORDER, quantity=10, expected_at=due)
    ]
    state = given(stock.evolve, EMPTY_STOCK, events)
    assert state.incoming_quantity == 10
    rejects(state, expect, "DUPLICATE", ("supplyId",))
    partly = given(stock.evolve, state, when(state, ReceiveSupply(**K, supply_id="po1", quantity=4)))
    assert (partly.on_hand, partly.incoming_quantity) == (4, 6)
    done = given(stock.evolve, partly, [SupplyReceived(**K, supply_id="po1", quantity=6)])
    assert (done.on_hand, done.incoming) == (10, {})
    rejects(done, ReceiveSupply(**K, supply_id="po1", quantity=1), "NOT_FOUND")
    rejects(EMPTY_STOCK, msgspec.structs.replace(expect, expected_at=due.replace(tzinfo=None)), "INVALID_INPUT")


def test_snapshot_round_trips_through_json() -> None:
    state = state_of(
        *STOCKED,
        StockReserved(**K, reservation_id="o2/s1", quantity=1),
        SafetyStockSet(**K, quantity=2),
        SupplyExpected(
            **K,
            supply_id="t1",
            kind=SupplyKind.TRANSFER,
            quantity=5,
            expected_at=NOW,
            source_location_code="DC2",
        ),
    )
    restored = msgspec.json.decode(msgspec.json.encode(state), type=StockState)
    assert restored == state
    assert list(restored.reservations) == ["o1/s1", "o2/s1"]  # order matters for SHORTFALL
    assert restored.atp == state.atp == 3
