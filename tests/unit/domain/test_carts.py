"""Cart reservations, given events / when command / then events: reserve, release, expire, consume; and the stock
stream's side of it, a reservation transferred whole."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from app.domain import carts, stock
from app.domain.carts import (
    Cart,
    CartConsumed,
    CartExpired,
    CartReleased,
    CartReserved,
    CartStatus,
    ConsumeCart,
    ExpireCart,
    ReleaseCart,
    ReserveCart,
)
from app.domain.errors import DomainError, Duplicate, InsufficientStock, InvalidInput, InvalidState, NotFound
from app.domain.events import Event
from app.domain.order_events import PlannedShipment, PlannedShipmentCost, ReservationRef, SourcingDecided
from app.domain.stock_events import ReservationTransferred, StockReceived, StockReserved
from app.domain.values import Address, Coordinates, Line, ServiceLevel
from tests.unit.domain.support import NOW, given, location

HOME = Address(coordinates=Coordinates(40.7, -74.0), postal_code="10001", country="US")
LINES = (Line("A", 2), Line("B", 1))
SHIPMENTS = (
    PlannedShipment(shipment_id="S1", location_code="DC1", lines=(Line("A", 2),)),
    PlannedShipment(shipment_id="S2", location_code="ST1", lines=(Line("B", 1),)),
)
DECISION = SourcingDecided(
    order_id="k1",
    decided_at=NOW,
    algorithm="greedy",
    total_cost=9.5,
    objective=9.5,
    lower_bound=None,
    fallback_used=False,
    profile_version=1,
    candidates=(),
    shipments=(
        PlannedShipmentCost(
            shipment_id="S1", location_code="DC1", carrier_service="ground", cost=5.0,
            promised_delivery=NOW + timedelta(days=3),
        ),
        PlannedShipmentCost(
            shipment_id="S2", location_code="ST1", carrier_service="ground", cost=4.5,
            promised_delivery=NOW + timedelta(days=2),
        ),
    ),
    backordered=(),
    trigger="RESERVED",
)  # fmt: skip
RESERVE = ReserveCart(cart_id="k1", customer_id="alice", lines=LINES, ship_to=HOME, ttl_seconds=600)
RESERVED = CartReserved(
    cart_id="k1",
    customer_id="alice",
    lines=LINES,
    ship_to=HOME,
    service_level=ServiceLevel.STANDARD,
    reserved_at=NOW,
    expires_at=NOW + timedelta(seconds=600),
    shipments=SHIPMENTS,
    decision=DECISION,
)
HOLDS = (
    ReservationRef(location_code="DC1", sku="A", reservation_id="cart-k1/S1", quantity=2),
    ReservationRef(location_code="ST1", sku="B", reservation_id="cart-k1/S2", quantity=1),
)
CONSUME = ConsumeCart(
    cart_id="k1", order_id="o1", customer_id="alice", lines=LINES[::-1], ship_to=HOME,
    service_level=ServiceLevel.STANDARD,
)  # fmt: skip


def cart(*events: Event) -> Cart | None:
    return given(carts.evolve, None, events)


def test_a_fully_planned_cart_is_reserved_until_its_ttl() -> None:
    events = carts.decide(None, RESERVE, NOW, shipments=SHIPMENTS, decision=DECISION)
    assert events == [RESERVED]
    held = cart(*events)
    assert held is not None and held.status is CartStatus.HELD
    assert carts.holds(held) == HOLDS
    assert carts.promised_delivery(held) == NOW + timedelta(days=3)  # the later shipment's promise


def test_a_cart_the_plan_cannot_fully_serve_holds_nothing_and_names_each_short_line() -> None:
    partial = SHIPMENTS[:1]
    with pytest.raises(InsufficientStock) as refused:
        carts.decide(None, RESERVE, NOW, shipments=partial, decision=DECISION)
    assert refused.value.field == ("lines", "1", "quantity")


@pytest.mark.parametrize("ttl", [0, 29, 3601, -5])
def test_a_ttl_out_of_bounds_is_invalid(ttl: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        carts.check_reservable(None, msgspec.structs.replace(RESERVE, ttl_seconds=ttl))
    assert refused.value.field == ("ttlSeconds",)


def test_every_bad_line_is_named_at_once() -> None:
    bad = msgspec.structs.replace(RESERVE, lines=(Line("A", 0), Line("A", 1), Line(" ", 1)))
    with pytest.raises(DomainError) as refused:
        carts.check_reservable(None, bad)
    assert {r.field for r in refused.value.reasons} == {
        ("lines", "0", "quantity"),
        ("lines", "1", "sku"),
        ("lines", "2", "sku"),
    }


def test_a_cart_id_in_use_is_a_duplicate() -> None:
    with pytest.raises(Duplicate):
        carts.decide(cart(RESERVED), RESERVE, NOW, shipments=SHIPMENTS, decision=DECISION)


def test_release_gives_back_every_hold_once() -> None:
    events = carts.decide(cart(RESERVED), ReleaseCart(cart_id="k1"), NOW)
    assert events == [CartReleased(cart_id="k1", released=HOLDS, released_at=NOW)]
    with pytest.raises(InvalidState) as again:
        carts.decide(cart(RESERVED, *events), ReleaseCart(cart_id="k1"), NOW)
    assert again.value.field == ("reservationId",)


def test_expiry_happens_only_once_the_ttl_has_passed_and_only_once() -> None:
    held = cart(RESERVED)
    assert held is not None
    assert carts.decide(held, ExpireCart(cart_id="k1"), held.expires_at - timedelta(seconds=1)) == []
    events = carts.decide(held, ExpireCart(cart_id="k1"), held.expires_at)
    assert events == [CartExpired(cart_id="k1", released=HOLDS, expired_at=held.expires_at)]
    assert carts.decide(cart(RESERVED, *events), ExpireCart(cart_id="k1"), held.expires_at) == []  # a duplicate


def test_a_consumed_cart_is_neither_released_nor_expired() -> None:
    consumed = CartConsumed(cart_id="k1", order_id="o1", transferred=HOLDS, consumed_at=NOW)
    after = cart(RESERVED, consumed)
    assert after is not None and after.status is CartStatus.CONSUMED and after.order_id == "o1"
    assert carts.decide(after, ExpireCart(cart_id="k1"), NOW + timedelta(days=1)) == []
    with pytest.raises(InvalidState):
        carts.decide(after, ReleaseCart(cart_id="k1"), NOW)


def test_consuming_hands_over_the_holds_in_any_line_order() -> None:
    events = carts.decide(cart(RESERVED), CONSUME, NOW + timedelta(seconds=10))
    assert events == [
        CartConsumed(cart_id="k1", order_id="o1", transferred=HOLDS, consumed_at=NOW + timedelta(seconds=10))
    ]


@pytest.mark.parametrize(
    "ending",
    [
        CartConsumed(cart_id="k1", order_id="o0", transferred=HOLDS, consumed_at=NOW),
        CartReleased(cart_id="k1", released=HOLDS, released_at=NOW),
        CartExpired(cart_id="k1", released=HOLDS, expired_at=NOW),
    ],
)
def test_an_ended_cart_cannot_be_used_again(ending: Event) -> None:
    with pytest.raises(InvalidState) as refused:
        carts.decide(cart(RESERVED, ending), CONSUME, NOW)
    assert refused.value.field == ("reservationId",)


def test_a_cart_past_its_ttl_cannot_be_consumed_even_before_the_sweep() -> None:
    with pytest.raises(InvalidState):
        carts.decide(cart(RESERVED), CONSUME, NOW + timedelta(seconds=600))


def test_another_customers_cart_answers_as_missing() -> None:
    with pytest.raises(NotFound):
        carts.decide(cart(RESERVED), msgspec.structs.replace(CONSUME, customer_id="bob"), NOW)
    with pytest.raises(NotFound):
        carts.decide(None, CONSUME, NOW)


def test_the_order_must_be_the_cart() -> None:
    changed = msgspec.structs.replace(
        CONSUME,
        lines=(Line("A", 1), Line("B", 1)),
        service_level=ServiceLevel.EXPRESS,
        ship_to=Address(coordinates=Coordinates(41.0, -87.0)),
    )
    with pytest.raises(DomainError) as refused:
        carts.decide(cart(RESERVED), changed, NOW)
    assert {r.field for r in refused.value.reasons} == {("lines",), ("serviceLevel",), ("shipTo",)}


def test_a_transfer_moves_the_reservation_whole_and_atp_does_not_move() -> None:
    key = {"sku": "A", "location_code": "DC1"}
    state = stock.fold(
        stock.EMPTY_STOCK,
        [StockReceived(**key, quantity=5), StockReserved(**key, reservation_id="cart-k1/S1", quantity=2)],
    )
    transfer = stock.TransferReservation(**key, reservation_id="cart-k1/S1", to_reservation_id="o1/S1")
    events = stock.decide(state, transfer, NOW, location=location("DC1"))
    assert events == [ReservationTransferred(**key, reservation_id="cart-k1/S1", to_reservation_id="o1/S1", quantity=2)]
    after = stock.fold(state, events)
    assert after.reservations == {"o1/S1": 2} and after.atp == state.atp == 3
    with pytest.raises(NotFound):
        stock.decide(after, transfer, NOW, location=location("DC1"))  # the cart's hold is gone
