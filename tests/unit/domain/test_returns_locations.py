from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.domain import ALL_EVENTS, locations, returns
from app.domain.errors import DomainError
from app.domain.order_commands import OpenReturn
from app.domain.order_events import OrderReturnClosed, OrderReturnOpened
from app.domain.order_state import Order, line_summaries, returnable_quantities
from app.domain.order_state import evolve as evolve_order
from app.domain.orders import decide as decide_order
from app.domain.replenishment import decide_replenishment
from app.domain.return_events import ReceivedLine, RefundLine, ReturnLine, ReturnReceived
from app.domain.return_policy import ReturnPolicy
from app.domain.returns import (
    ApproveReturn,
    ReceiveReturn,
    RecordReturnPickup,
    RefundReturn,
    RejectReturn,
    ReplaceReturn,
    RequestReturn,
    Return,
)
from app.domain.stock import StockState
from app.domain.stock_commands import ReturnStock, WriteOffStock
from app.domain.streams import (
    location_stream,
    order_stream,
    parse_stock_stream,
    stock_stream,
    stream_category,
)
from app.domain.values import Coordinates, ItemCondition, Line, LocationType, ReturnStatus, SupplyKind
from tests.unit.domain.support import NOW, given, location
from tests.unit.domain.test_orders import DELIVERED, state_of

R = {"return_id": "r1"}
REQUEST = RequestReturn(**R, order_id="o1", lines=(ReturnLine(sku="A", quantity=2, reason="too big"),))


def delivered_order() -> Order:
    order = state_of(*DELIVERED)
    assert order is not None
    return order


def returned(*commands: returns.ReturnCommand, order: Order | None = None) -> Return | None:
    state: Return | None = None
    for command in commands:
        for event in returns.decide(state, command, NOW, order=order or delivered_order(), location=location("RC1")):
            state = returns.evolve(state, event)
    return state


def test_return_happy_path_to_refund() -> None:
    received_lines = (
        ReceivedLine(sku="A", quantity=1, condition=ItemCondition.RESELLABLE),
        ReceivedLine(sku="A", quantity=1, condition=ItemCondition.DAMAGED),
    )
    state = returned(
        REQUEST,
        ApproveReturn(**R),
        RecordReturnPickup(**R, carrier="ups", tracking_number="9"),
        ReceiveReturn(**R, location_code="RC1", lines=received_lines),
    )
    assert state is not None and state.status is ReturnStatus.RECEIVED
    refunded = returns.evolve(
        state,
        returns.decide(
            state, RefundReturn(return_id=R["return_id"], lines=(RefundLine(sku="A", amount=Decimal("9.95")),)), NOW
        )[0],
    )
    assert refunded is not None and refunded.status is ReturnStatus.REFUNDED
    assert refunded.refund_amount == Decimal("9.95")
    replaced = returns.decide(state, ReplaceReturn(**R, replacement_order_id="o2"), NOW)
    replacement = returns.evolve(state, replaced[0])
    assert replacement is not None and replacement.status is ReturnStatus.REPLACED
    assert replacement.replacement_order_id == "o2"
    with pytest.raises(DomainError, match="cannot be refunded") as caught:
        returns.decide(
            refunded, RefundReturn(return_id=R["return_id"], lines=(RefundLine(sku="A", amount=Decimal(1)),)), NOW
        )
    assert caught.value.code == "INVALID_STATE"


def test_receipt_implies_stock_commands() -> None:
    event = ReturnReceived(
        **R,
        location_code="RC1",
        received_at=NOW,
        lines=(
            ReceivedLine(sku="A", quantity=1, condition=ItemCondition.RESELLABLE),
            ReceivedLine(sku="B", quantity=2, condition=ItemCondition.DAMAGED),
        ),
    )
    assert returns.stock_commands_for_receipt(event) == [
        ReturnStock(sku="A", location_code="RC1", quantity=1, return_id="r1"),
        ReturnStock(sku="B", location_code="RC1", quantity=2, return_id="r1"),
        WriteOffStock(sku="B", location_code="RC1", quantity=2, reason="DAMAGED_RETURN", return_id="r1"),
    ]
    state = returned(REQUEST)
    assert state is not None
    close = returns.order_close_for(state, event)
    assert close is not None and close.returned == (Line("A", 1), Line("B", 2))


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (RequestReturn(**R, order_id="o1", lines=(ReturnLine(sku="A", quantity=4),)), "INVALID_QUANTITY"),
        (RequestReturn(**R, order_id="o1", lines=(ReturnLine(sku="Z", quantity=1),)), "NOT_FOUND"),
        (RequestReturn(**R, order_id="o1", lines=()), "INVALID_INPUT"),
        (RequestReturn(**R, order_id="o9", lines=(ReturnLine(sku="A", quantity=1),)), "NOT_FOUND"),
    ],
)
def test_request_rejections(command: RequestReturn, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        returns.decide(None, command, NOW, order=delivered_order())
    assert caught.value.code == code


def test_return_window_and_undelivered_orders() -> None:
    with pytest.raises(DomainError) as closed:
        returns.decide(None, REQUEST, NOW + timedelta(days=31), order=delivered_order())
    assert closed.value.code == "RETURN_WINDOW_CLOSED"
    week = ReturnPolicy(version=1, window_days=7, defined_at=NOW)
    assert returns.decide(None, REQUEST, NOW + timedelta(days=6), order=delivered_order(), policy=week)
    undelivered = state_of(*DELIVERED[:-1])
    with pytest.raises(DomainError) as caught:
        returns.decide(None, REQUEST, NOW, order=undelivered)
    assert caught.value.code == "INVALID_STATE"


def test_order_claims_prevent_returning_a_unit_twice() -> None:
    order = delivered_order()
    opened = decide_order(order, OpenReturn(order_id="o1", return_id="r1", lines=(Line("A", 2),)), NOW)
    assert opened == [OrderReturnOpened(order_id="o1", return_id="r1", lines=(Line("A", 2),))]
    claimed = evolve_order(order, opened[0])
    assert claimed is not None and returnable_quantities(claimed)["A"] == 1
    with pytest.raises(DomainError):
        returns.decide(None, REQUEST, NOW, order=claimed)
    closed = evolve_order(claimed, OrderReturnClosed(order_id="o1", return_id="r1", returned=(Line("A", 1),)))
    assert closed is not None
    assert returnable_quantities(closed)["A"] == 2 and line_summaries(closed)[0].returned == 1


def test_illegal_return_transitions_and_receiving_location() -> None:
    requested = returned(REQUEST)
    rejected = returned(REQUEST, RejectReturn(**R, reason="worn"))
    assert rejected is not None and rejected.status is ReturnStatus.REJECTED
    receive = ReceiveReturn(
        **R,
        location_code="RC1",
        lines=(ReceivedLine(sku="A", quantity=1, condition=ItemCondition.RESELLABLE),),
    )
    for state, command in (
        (requested, receive),
        (rejected, ApproveReturn(**R)),
        (requested, RecordReturnPickup(**R, carrier="u", tracking_number="1")),
    ):
        with pytest.raises(DomainError) as caught:
            returns.decide(state, command, NOW, location=location("RC1"))
        assert caught.value.code == "INVALID_STATE"
    approved = returned(REQUEST, ApproveReturn(**R))
    for where, code in (
        (None, "UNKNOWN_LOCATION"),
        (location("RC1", active=False), "LOCATION_INACTIVE"),
        (location("RC1", returns=False), "INVALID_STATE"),
    ):
        with pytest.raises(DomainError) as caught:
            returns.decide(approved, receive, NOW, location=where)
        assert caught.value.code == code
    too_many = ReceiveReturn(
        **R, location_code="RC1", lines=(ReceivedLine(sku="A", quantity=3, condition=ItemCondition.DAMAGED),)
    )
    with pytest.raises(DomainError) as caught:
        returns.decide(approved, too_many, NOW, location=location("RC1"))
    assert caught.value.code == "INVALID_QUANTITY"


def test_location_lifecycle() -> None:
    create = locations.CreateLocation(
        code="DC1",
        name="Rotterdam",
        type=LocationType.DISTRIBUTION_CENTER,
        coordinates=Coordinates(51.9, 4.5),
    )
    events = locations.decide(None, create, NOW)
    state = given(locations.evolve, None, events)
    assert state is not None and state.active and state.capabilities.ship
    with pytest.raises(DomainError) as duplicate:
        locations.decide(state, create, NOW)
    assert duplicate.value.code == "DUPLICATE"
    start: locations.Location | None = state
    closed = given(locations.evolve, start, locations.decide(state, locations.DeactivateLocation(code="DC1"), NOW))
    assert closed is not None and not closed.active
    with pytest.raises(DomainError) as twice:
        locations.decide(closed, locations.DeactivateLocation(code="DC1"), NOW)
    assert twice.value.code == "INVALID_STATE"
    bad = locations.CreateLocation(code="DC:1", name="x", type=LocationType.STORE, coordinates=Coordinates(0, 0))
    with pytest.raises(DomainError) as invalid:
        locations.decide(None, bad, NOW)
    assert invalid.value.field == ("code",)


def test_replenishment_prefers_best_stocked_dc_then_purchase_order() -> None:
    short = StockState(sku="A", location_code="ST1", on_hand=2, reorder_point=5, reorder_quantity=10)
    rich = (location("DC2"), StockState(sku="A", location_code="DC2", on_hand=50))
    poor = (location("DC3"), StockState(sku="A", location_code="DC3", on_hand=12))
    store = (location("ST9", kind=LocationType.STORE), StockState(sku="A", location_code="ST9", on_hand=99))
    request = decide_replenishment(short, [poor, rich, store], replenishment_id="rp1")
    assert request is not None and request.kind is SupplyKind.TRANSFER
    assert (request.source_location_code, request.quantity) == ("DC2", 10)
    po = decide_replenishment(short, [store], replenishment_id="rp1")
    assert po is not None and po.kind is SupplyKind.PURCHASE_ORDER and po.source_location_code is None
    from app.domain.stock import evolve as evolve_stock

    assert decide_replenishment(evolve_stock(short, request), [rich], replenishment_id="rp2") is None
    assert (
        decide_replenishment(
            StockState(sku="A", location_code="ST1", on_hand=9, reorder_point=5, reorder_quantity=1),
            [rich],
            replenishment_id="x",
        )
        is None
    )


def test_stream_ids_and_registry() -> None:
    assert stock_stream("SKU-42", "DC1") == "stock-DC1:SKU-42"
    assert parse_stock_stream("stock-DC1:SKU-42") == ("SKU-42", "DC1")
    assert stream_category(order_stream("a-b")) == "order" and location_stream("DC1") == "location-DC1"
    names = [cls.__name__ for cls in ALL_EVENTS]
    assert len(names) == len(set(names)) and "StockReserved" in names and "ReturnReplaced" in names
