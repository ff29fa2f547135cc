"""A pick that missed its location's SLA: the shipment expires, once, and only when PLANNED and overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain import orders
from app.domain.errors import NotFound
from app.domain.events import Event
from app.domain.order_commands import ConfirmPick, ExpirePick, PickLine
from app.domain.order_events import ReservationRef, ShipmentExpired
from app.domain.order_state import Order, open_reservations, order_status, unallocated
from app.domain.values import OrderStatus, ShipmentStatus
from tests.unit.domain.support import NOW, given
from tests.unit.domain.test_picking import HISTORY

SLA = 30
EXPIRE = ExpirePick(order_id="o1", shipment_id="S1")


def order(*more: Event) -> Order:
    state = given(orders.evolve, None, [*HISTORY, *more])
    assert state is not None
    return state


def expire(state: Order, minutes: float, sla: int | None = SLA) -> list[Event]:
    return orders.decide(state, EXPIRE, NOW + timedelta(minutes=minutes), pick_sla_minutes=sla)


def test_a_planned_shipment_past_its_sla_expires_with_every_reservation_released() -> None:
    events = expire(order(), 31)
    assert events == [
        ShipmentExpired(
            order_id="o1",
            shipment_id="S1",
            expired_at=NOW + timedelta(minutes=31),
            released=(
                ReservationRef(location_code="ST1", sku="A", reservation_id="o1/S1", quantity=3),
                ReservationRef(location_code="ST1", sku="B", reservation_id="o1/S1", quantity=1),
            ),
        )
    ]


@pytest.mark.parametrize("minutes", [0, 29, 30])
def test_not_yet_past_the_sla_nothing_happens(minutes: int) -> None:
    assert expire(order(), minutes) == []


def test_a_location_without_an_sla_never_expires_a_pick() -> None:
    assert expire(order(), 10_000, sla=None) == []


def test_a_picked_shipment_does_not_expire() -> None:
    picked = orders.decide(
        order(),
        ConfirmPick(order_id="o1", shipment_id="S1", lines=(PickLine(sku="A", picked=3), PickLine(sku="B", picked=1))),
        NOW,
    )
    assert expire(order(*picked), 60) == []


def test_expiring_twice_changes_nothing_the_second_time() -> None:
    expired = order(*expire(order(), 31))
    assert expire(expired, 31) == []
    assert expire(expired, 600) == []


def test_the_expired_shipment_leaves_its_units_to_be_sourced_away_from_its_location() -> None:
    expired = order(*expire(order(), 31))
    shipment = expired.shipments[0]
    assert shipment.status is ShipmentStatus.EXPIRED
    assert shipment.lines == order().shipments[0].lines  # kept for the record
    assert unallocated(expired) == {"A": 3, "B": 1}
    assert open_reservations(expired) == ()
    assert expired.excluded_locations == frozenset({"ST1"})
    assert order_status(expired) is OrderStatus.BACKORDERED


def test_an_unknown_shipment_is_refused() -> None:
    with pytest.raises(NotFound):
        orders.decide(order(), ExpirePick(order_id="o1", shipment_id="S9"), NOW, pick_sla_minutes=SLA)
