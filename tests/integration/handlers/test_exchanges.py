"""exchangeItems on real PostgreSQL: a return and its linked replacement in one append; the replacement waits
for the receipt (or not, with advance); a cancelled return takes its unsourced replacement with it."""

from __future__ import annotations

import pytest

from app.domain import order_commands as oc
from app.domain import returns
from app.domain.aggregates import RETURN
from app.domain.errors import DomainError
from app.domain.order_state import order_status
from app.domain.return_events import ReceivedLine, ReturnLine
from app.domain.streams import return_stream
from app.domain.values import ItemCondition, Line, OrderStatus, ReturnStatus
from app.handlers import Handlers, SettleReturn, SourceOrder
from eventstore import EventCodec, EventStore, load_state

from .conftest import FixedClock
from .support import place, receive
from .test_order_handlers import network, order_state


async def delivered(handlers: Handlers, clock: FixedClock, order_id: str) -> None:
    await network(handlers)
    await receive(handlers, "NWK", "TEE", 5)
    await receive(handlers, "NWK", "TEE-L", 5)
    await handlers.handle(place(order_id, ("TEE", 2)))
    await handlers.handle(SourceOrder(order_id=order_id))
    await handlers.handle(oc.PackShipment(order_id=order_id, shipment_id="S1"))
    await handlers.handle(oc.DispatchShipment(order_id=order_id, shipment_id="S1", carrier="ups", tracking_number="T"))
    await handlers.handle(oc.MarkShipmentDelivered(order_id=order_id, shipment_id="S1", delivered_at=clock.now))


def exchange(order_id: str, return_id: str, *, advance: bool = False, quantity: int = 1) -> returns.RequestExchange:
    return returns.RequestExchange(
        return_id=return_id,
        order_id=order_id,
        lines=(ReturnLine(sku="TEE", quantity=quantity, reason="too small"),),
        replacement_order_id=f"{order_id}-{return_id}",
        replacement_lines=(Line("TEE-L", 1),),
        advance=advance,
    )


async def return_state(store: EventStore, codec: EventCodec, return_id: str) -> returns.Return:
    state, _ = await load_state(store, codec, RETURN, return_stream(return_id))
    assert state is not None
    return state


async def test_an_exchange_is_a_return_and_a_held_replacement_sourced_once_the_goods_are_back(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await delivered(handlers, clock, "o1")
    outcome = await handlers.handle(exchange("o1", "x1"))
    assert sorted(type(e).__name__ for e in outcome.events) == [
        "OrderPlaced",
        "OrderPlacedOnHold",
        "OrderReturnOpened",
        "ReturnApproved",
        "ReturnRequested",
    ]
    rma = await return_state(store, codec, "x1")
    assert (rma.status, rma.replacement_order_id) == (ReturnStatus.APPROVED, "o1-x1")
    replacement = await order_state(store, codec, "o1-x1")
    assert replacement.replacement_for == "o1" and replacement.customer_id == "c-1"
    assert order_status(replacement) is OrderStatus.ON_HOLD
    assert await handlers.handle(SourceOrder(order_id="o1-x1")) is not None  # the placed job: nothing to do yet
    assert (await order_state(store, codec, "o1-x1")).shipments == ()

    received = (ReceivedLine(sku="TEE", quantity=1, condition=ItemCondition.RESELLABLE),)
    await handlers.handle(returns.ReceiveReturn(return_id="x1", location_code="NWK", lines=received))
    settled = await handlers.handle(SettleReturn(return_id="x1"))  # the receipt's job
    assert sorted(type(e).__name__ for e in settled.events) == ["OrderHoldReleased", "ReturnReplaced"]
    assert (await return_state(store, codec, "x1")).status is ReturnStatus.REPLACED
    await handlers.handle(SourceOrder(order_id="o1-x1"))  # the job the hold's release sends
    assert order_status(await order_state(store, codec, "o1-x1")) is OrderStatus.ALLOCATED


async def test_in_advance_the_replacement_is_not_held_and_a_cancelled_return_keeps_a_sourced_one(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await delivered(handlers, clock, "o2")
    await handlers.handle(exchange("o2", "x2", advance=True))
    assert order_status(await order_state(store, codec, "o2-x2")) is OrderStatus.PLACED
    await handlers.handle(SourceOrder(order_id="o2-x2"))
    await handlers.handle(returns.CancelReturn(return_id="x2", reason="kept it"))
    assert (await return_state(store, codec, "x2")).status is ReturnStatus.CANCELLED
    assert order_status(await order_state(store, codec, "o2-x2")) is OrderStatus.ALLOCATED  # already sourced: kept


async def test_a_cancelled_return_cancels_its_unsourced_replacement_and_frees_its_claim(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await delivered(handlers, clock, "o3")
    await handlers.handle(exchange("o3", "x3", quantity=2))
    outcome = await handlers.handle(returns.CancelReturn(return_id="x3"))
    assert sorted(type(e).__name__ for e in outcome.events) == [
        "OrderCancelled",
        "OrderReturnClosed",
        "ReturnCancelled",
    ]
    assert order_status(await order_state(store, codec, "o3-x3")) is OrderStatus.CANCELLED
    await handlers.handle(exchange("o3", "x3b", quantity=2))  # the units can be claimed again


async def test_refusals_name_the_exchanges_own_fields(handlers: Handlers, clock: FixedClock) -> None:
    await delivered(handlers, clock, "o4")
    with pytest.raises(DomainError) as too_many:
        await handlers.handle(exchange("o4", "x4", quantity=3))
    assert too_many.value.field == ("returnLines", "0", "quantity")
    bad = returns.RequestExchange(
        return_id="x5",
        order_id="o4",
        lines=(ReturnLine(sku="TEE", quantity=1),),
        replacement_order_id="o4-x",
        replacement_lines=(Line("TEE-L", 0),),
    )
    with pytest.raises(DomainError) as refused:
        await handlers.handle(bad)
    assert (refused.value.code, refused.value.field) == ("INVALID_QUANTITY", ("replacementLines", "0", "quantity"))
