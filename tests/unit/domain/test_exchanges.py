"""Exchanges and cancelled returns on the return aggregate: given events, when command, then events."""

from __future__ import annotations

import msgspec
import pytest

from app.domain import returns
from app.domain.errors import DomainError, InvalidInput, InvalidState
from app.domain.order_commands import CloseReturn
from app.domain.return_events import ReturnApproved, ReturnCancelled, ReturnLine, ReturnRequested
from app.domain.returns import CancelReturn, ReplaceReturn, RequestExchange, Return
from app.domain.values import Line, ReturnStatus
from tests.unit.domain.support import NOW
from tests.unit.domain.test_returns_locations import delivered_order

EXCHANGE = RequestExchange(
    return_id="x1",
    order_id="o1",
    lines=(ReturnLine(sku="A", quantity=1, reason="too small"),),
    replacement_order_id="o1-x1",
    replacement_lines=(Line("A-L", 1),),
)


def after(*commands: returns.ReturnCommand) -> Return | None:
    state: Return | None = None
    for command in commands:
        for event in returns.decide(state, command, NOW, order=delivered_order()):
            state = returns.evolve(state, event)
    return state


def test_an_exchange_is_requested_and_approved_at_once_naming_its_replacement() -> None:
    events = returns.decide(None, EXCHANGE, NOW, order=delivered_order())
    assert events == [
        ReturnRequested(
            return_id="x1", order_id="o1", lines=EXCHANGE.lines, requested_at=NOW, replacement_order_id="o1-x1"
        ),
        ReturnApproved(return_id="x1", approved_at=NOW),
    ]
    state = after(EXCHANGE)
    assert state is not None
    assert (state.status, state.replacement_order_id) == (ReturnStatus.APPROVED, "o1-x1")


def test_an_exchange_is_checked_as_a_return_is() -> None:
    too_many = msgspec.structs.replace(EXCHANGE, lines=(ReturnLine(sku="A", quantity=99),))
    with pytest.raises(DomainError) as refused:
        returns.decide(None, too_many, NOW, order=delivered_order())
    assert refused.value.field == ("lines", "0", "quantity")
    itself = msgspec.structs.replace(EXCHANGE, replacement_order_id="o1")
    with pytest.raises(InvalidInput):
        returns.decide(None, itself, NOW, order=delivered_order())


def test_a_return_is_cancelled_until_its_goods_are_on_their_way_and_frees_the_orders_claim() -> None:
    state = after(EXCHANGE)
    assert state is not None
    [cancelled] = returns.decide(state, CancelReturn(return_id="x1", reason="kept it"), NOW)
    assert cancelled == ReturnCancelled(return_id="x1", reason="kept it", cancelled_at=NOW)
    assert returns.order_close_for(state, cancelled) == CloseReturn(order_id="o1", return_id="x1", returned=())
    gone = returns.evolve(state, cancelled)
    assert gone is not None and gone.status is ReturnStatus.CANCELLED
    with pytest.raises(InvalidState):
        returns.decide(gone, CancelReturn(return_id="x1"), NOW)


def test_an_exchange_is_replaced_by_its_own_replacement_only() -> None:
    state = after(EXCHANGE)
    assert state is not None
    received = msgspec.structs.replace(state, status=ReturnStatus.RECEIVED)
    with pytest.raises(InvalidInput):
        returns.decide(received, ReplaceReturn(return_id="x1", replacement_order_id="other"), NOW)
    [replaced] = returns.decide(received, ReplaceReturn(return_id="x1", replacement_order_id="o1-x1"), NOW)
    assert returns.evolve(received, replaced) is not None
