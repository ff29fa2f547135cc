"""exchangeItems: a return and its replacement order, linked both ways; and cancelReturn, which withdraws a
return before its goods come back (and an exchange's replacement not yet sourced)."""

from __future__ import annotations

import strawberry

from app.domain import returns as rma
from app.domain.return_events import ReturnLine
from app.domain.values import Line
from app.security import Role

from ..access import can_manage_order, visible_order, visible_return
from ..context import Info
from ..errors import UserError, user_error
from ..ids import key_of
from ..loaders import forget
from ..mutation_support import check_text, execute
from .mutations import OrderLineInput
from .returns import ReturnLineInput, ReturnPayload
from .types import Order, Return


@strawberry.input
class ExchangeItemsInput:
    order_id: strawberry.ID
    return_lines: list[ReturnLineInput]
    replacement_lines: list[OrderLineInput]
    advance: bool | None = strawberry.field(
        default=False, description="Source the replacement now, not when the return is received."
    )


@strawberry.type
class ExchangePayload:
    return_: Return | None = strawberry.field(name="return")
    replacement: Order | None
    user_errors: list[UserError]


@strawberry.input
class CancelReturnInput:
    return_id: strawberry.ID
    reason: str | None = None


@strawberry.type
class ExchangeMutations:
    @strawberry.mutation(
        description="A return (APPROVED) and a replacement order linked to it; without `advance` the replacement "
        "is sourced when the return is received."
    )
    async def exchange_items(self, info: Info, input: ExchangeItemsInput) -> ExchangePayload:
        principal = info.context.require(Role.ADMIN, Role.SERVICE, Role.CUSTOMER)
        order_id = key_of(input.order_id, "Order")
        order = await visible_order(info, order_id)
        if order is None or not can_manage_order(principal, order):
            return _refused(user_error("NOT_FOUND", f"no order {input.order_id}", "input", "orderId"))
        new_id = info.context.services.handlers.ctx.new_id
        return_id, replacement_id = new_id(), new_id()
        command = rma.RequestExchange(
            return_id=return_id,
            order_id=order_id,
            lines=tuple(ReturnLine(sku=x.sku, quantity=x.quantity, reason=x.reason) for x in input.return_lines),
            replacement_order_id=replacement_id,
            replacement_lines=tuple(Line(x.sku, x.quantity) for x in input.replacement_lines),
            advance=bool(input.advance),
        )
        _, errors = await execute(info, command)
        if errors:
            return ExchangePayload(return_=None, replacement=None, user_errors=errors)
        loaders = info.context.loaders
        forget(loaders.orders, order_id)  # its return claim changed
        state = await loaders.returns.load(return_id)
        replacement = await visible_order(info, replacement_id)
        return ExchangePayload(
            return_=None if state is None else Return.from_state(state),
            replacement=None if replacement is None else Order.from_state(replacement),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Withdraw a REQUESTED or APPROVED return; an exchange's replacement not yet sourced is "
        "cancelled with it."
    )
    async def cancel_return(self, info: Info, input: CancelReturnInput) -> ReturnPayload:
        principal = info.context.require(Role.ADMIN, Role.SERVICE, Role.CUSTOMER)
        return_id = key_of(input.return_id, "Return")
        state = await visible_return(info, return_id)
        owner = await info.context.loaders.orders.load(state.order_id) if state is not None else None
        if state is None or owner is None or not can_manage_order(principal, owner):
            missing = user_error("NOT_FOUND", f"no return {input.return_id}", "input", "returnId")
            return ReturnPayload(return_=None, user_errors=[missing])
        if input.reason is not None and (e := check_text(input.reason, "input", "reason")):
            return ReturnPayload(return_=None, user_errors=[e])
        _, errors = await execute(info, rma.CancelReturn(return_id=return_id, reason=input.reason or ""))
        if errors:
            return ReturnPayload(return_=None, user_errors=errors)
        forget(info.context.loaders.returns, return_id)
        after = await info.context.loaders.returns.load(return_id)
        return ReturnPayload(return_=None if after is None else Return.from_state(after), user_errors=[])


def _refused(error: UserError) -> ExchangePayload:
    return ExchangePayload(return_=None, replacement=None, user_errors=[error])
