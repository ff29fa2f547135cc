"""Return (RMA) commands. A return claims quantities on its order, and its receipt moves stock: all of it is
appended together, so a return never half-happens."""

from __future__ import annotations

from app.domain import order_commands as oc
from app.domain import orders, returns, stock
from app.domain.aggregates import LOCATION, ORDER, RETURN, STOCK
from app.domain.events import Event
from app.domain.order_state import Order
from app.domain.return_events import ReturnCancelled, ReturnReceived, ReturnRequested
from app.domain.return_policy import DEFAULT_POLICY
from app.domain.returns import Return
from app.domain.streams import location_stream, order_stream, return_stream, stock_stream
from app.domain.values import Line, ReturnStatus

from . import replacements
from .commands import SettleReturn
from .return_policy import policy_in_force, restocking_fees_of
from .unit_of_work import UnitOfWork


async def change_return(uow: UnitOfWork, command: returns.ReturnCommand) -> Return | None:
    stream = return_stream(command.return_id)
    state = await uow.get(RETURN, stream)
    order_id = state.order_id if state is not None else getattr(command, "order_id", None)
    order = await uow.get(ORDER, order_stream(order_id)) if order_id else None
    location = None
    if isinstance(command, returns.ReceiveReturn):
        location = await uow.get(LOCATION, location_stream(command.location_code))
    if isinstance(command, returns.ReplaceReturn) and state is not None and order is not None:
        await _place_replacement(uow, state, order, command.replacement_order_id)

    # Only a request (an exchange is one) is judged by the return policy: the one in force now, whose version it
    # records.
    judged = isinstance(command, returns.RequestReturn | returns.RequestExchange)
    policy = await policy_in_force(uow) if judged else DEFAULT_POLICY
    # A refund withholds the restocking fees of the policy version the return was requested under.
    fees = await restocking_fees_of(uow, state) if isinstance(command, returns.RefundReturn) and state else None
    events = returns.decide(
        state, command, uow.now, order=order, location=location, policy=policy, restocking_fees=fees
    )
    after = uow.record(RETURN, stream, events)
    assert after is not None or not events
    for event in events:
        await _settle_on_order(uow, after, event)
        if isinstance(event, ReturnCancelled) and after is not None and after.replacement_order_id:
            await replacements.cancel_unsourced(uow, after.replacement_order_id, after.return_id)
        if isinstance(event, ReturnReceived):
            for move in returns.stock_commands_for_receipt(event):
                stock_id = stock_stream(move.sku, move.location_code)
                uow.record(
                    STOCK, stock_id, stock.decide(await uow.get(STOCK, stock_id), move, uow.now, location=location)
                )
    return after


async def _settle_on_order(uow: UnitOfWork, state: Return | None, event: Event) -> None:
    """A new request claims units on the order; a rejection or receipt closes that claim; a refund is
    recorded on the order too (whose running total it must fit in)."""
    if state is None:
        return
    stream = order_stream(state.order_id)
    order = await uow.get(ORDER, stream)
    command: oc.OrderCommand | None
    if isinstance(event, ReturnRequested):
        command = oc.OpenReturn(
            order_id=state.order_id,
            return_id=state.return_id,
            lines=tuple(Line(line.sku, line.quantity) for line in state.lines),
        )
    else:
        command = returns.order_close_for(state, event) or returns.order_refund_for(state, event)
    if command is not None:
        uow.record(ORDER, stream, orders.decide(order, command, uow.now))


async def _place_replacement(uow: UnitOfWork, state: Return, original: Order, replacement_id: str) -> None:
    """A replacement is a new order for what came back, to the same address, linked to the original; an
    exchange's was placed with the return, and is now released to be sourced."""
    if await replacements.release(uow, replacement_id, state.return_id):
        return
    lines = tuple(Line(line.sku, line.quantity) for line in state.received)
    await replacements.place(uow, replacement_id, original, lines, state.return_id, hold=False)


async def settle_return(uow: UnitOfWork, command: SettleReturn) -> Return | None:
    """The return policy: a return whose reason asks for a replacement gets one; any other is refunded what
    its units were paid, less restocking fees (`returns.RefundReturn` without an amount). Already settled
    returns are left alone (redelivered jobs)."""
    state = await uow.get(RETURN, return_stream(command.return_id))
    if state is None or state.status is not ReturnStatus.RECEIVED:
        return None
    exchange = state.replacement_order_id
    wants_replacement = exchange is not None or any("replace" in (line.reason or "").lower() for line in state.lines)
    settle: returns.ReturnCommand
    if wants_replacement:
        settle = returns.ReplaceReturn(
            return_id=state.return_id, replacement_order_id=exchange or f"{state.order_id}-r-{state.return_id}"
        )
    else:
        settle = returns.RefundReturn(return_id=state.return_id)
    return await change_return(uow, settle)
