"""Return (RMA) mutations: request, approve or reject, receive (with each unit's condition), refund."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

import strawberry

from app.domain import returns as rma
from app.domain.return_events import ReceivedLine, RefundLine, ReturnLine
from app.security import Role

from ..access import can_act_at, can_manage_order, visible_order
from ..context import Info
from ..errors import UserError, user_error
from ..ids import key_of
from ..loaders import forget
from ..money import MoneyInput
from ..mutation_support import check_text, execute
from ..scalars import ItemCondition
from .types import Return


@strawberry.input
class ReturnLineInput:
    sku: str
    quantity: int
    reason: str | None = None


@strawberry.input
class RequestReturnInput:
    order_id: strawberry.ID
    lines: list[ReturnLineInput]


@strawberry.input
class ReturnDecisionInput:
    return_id: strawberry.ID
    reason: str | None = None


@strawberry.input
class ReceivedLineInput:
    sku: str
    quantity: int
    condition: ItemCondition


@strawberry.input
class ReceiveReturnInput:
    return_id: strawberry.ID
    location_code: str
    lines: list[ReceivedLineInput]


@strawberry.input
class RefundLineInput:
    sku: str
    amount: str  # money as a decimal string ("19.99"): floats drift by cents


@strawberry.input(
    description="Refund a received return. Without amount or lines: the units' paid price less any "
    "restocking fee; an amount (whole return) or lines (per SKU) may be less, never more."
)
class RefundReturnInput:
    return_id: strawberry.ID
    lines: list[RefundLineInput] | None = None
    amount: MoneyInput | None = None
    reason: str | None = None


@strawberry.type
class ReturnPayload:
    return_: Return | None = strawberry.field(name="return")
    user_errors: list[UserError]


async def _payload(info: Info, return_id: str, errors: list[UserError]) -> ReturnPayload:
    if errors:
        return ReturnPayload(return_=None, user_errors=errors)
    forget(info.context.loaders.returns, return_id)
    state = await info.context.loaders.returns.load(return_id)
    return ReturnPayload(return_=None if state is None else Return.from_state(state), user_errors=[])


def _quantities(lines: Sequence[ReturnLineInput | ReceivedLineInput]) -> list[UserError]:
    if not lines:
        return [user_error("INVALID_INPUT", "at least one line is needed", "input", "lines")]
    errors = [e for i, line in enumerate(lines) if (e := check_text(line.sku, "input", "lines", str(i), "sku"))]
    return errors + [
        user_error("INVALID_QUANTITY", "quantity must be between 1 and 100000", "input", "lines", str(i), "quantity")
        for i, line in enumerate(lines)
        if not 0 < line.quantity <= 100_000
    ]


@strawberry.type
class ReturnMutations:
    @strawberry.mutation
    async def request_return(self, info: Info, input: RequestReturnInput) -> ReturnPayload:
        principal = info.context.require(Role.ADMIN, Role.SERVICE, Role.CUSTOMER)
        order_id = key_of(input.order_id, "Order")
        order = await visible_order(info, order_id)
        if order is None or not can_manage_order(principal, order):
            return ReturnPayload(
                return_=None, user_errors=[user_error("NOT_FOUND", "no such order", "input", "orderId")]
            )
        if errors := _quantities(input.lines):
            return ReturnPayload(return_=None, user_errors=errors)
        return_id = info.context.services.handlers.ctx.new_id()
        lines = tuple(ReturnLine(sku=line.sku, quantity=line.quantity, reason=line.reason) for line in input.lines)
        _, errors = await execute(info, rma.RequestReturn(return_id=return_id, order_id=order_id, lines=lines))
        return await _payload(info, return_id, errors)

    @strawberry.mutation
    async def approve_return(self, info: Info, input: ReturnDecisionInput) -> ReturnPayload:
        info.context.require(Role.ADMIN, Role.SERVICE)
        return_id = key_of(input.return_id, "Return")
        _, errors = await execute(info, rma.ApproveReturn(return_id=return_id))
        return await _payload(info, return_id, errors)

    @strawberry.mutation
    async def reject_return(self, info: Info, input: ReturnDecisionInput) -> ReturnPayload:
        info.context.require(Role.ADMIN, Role.SERVICE)
        return_id = key_of(input.return_id, "Return")
        _, errors = await execute(info, rma.RejectReturn(return_id=return_id, reason=input.reason or ""))
        return await _payload(info, return_id, errors)

    @strawberry.mutation(description="Accepted from APPROVED or IN_TRANSIT; resellable units go back to stock.")
    async def receive_return(self, info: Info, input: ReceiveReturnInput) -> ReturnPayload:
        principal = info.context.require(Role.ADMIN, Role.SERVICE, Role.OPERATOR)
        if not can_act_at(principal, input.location_code):
            return ReturnPayload(
                return_=None,
                user_errors=[user_error("FORBIDDEN", "not allowed to act at this location", "input", "locationCode")],
            )
        if errors := _quantities(input.lines):
            return ReturnPayload(return_=None, user_errors=errors)
        return_id = key_of(input.return_id, "Return")
        lines = tuple(ReceivedLine(sku=x.sku, quantity=x.quantity, condition=x.condition) for x in input.lines)
        command = rma.ReceiveReturn(return_id=return_id, location_code=input.location_code, lines=lines)
        _, errors = await execute(info, command)
        return await _payload(info, return_id, errors)

    @strawberry.mutation
    async def refund_return(self, info: Info, input: RefundReturnInput) -> ReturnPayload:
        info.context.require(Role.ADMIN, Role.SERVICE)
        return_id = key_of(input.return_id, "Return")
        refunds: list[RefundLine] = []
        if input.reason is not None and (e := check_text(input.reason, "input", "reason")):
            return ReturnPayload(return_=None, user_errors=[e])
        for i, line in enumerate(input.lines or ()):
            try:
                refunds.append(RefundLine(sku=line.sku, amount=Decimal(line.amount)))
            except InvalidOperation:
                error = user_error(
                    "INVALID_AMOUNT", "amount must be a decimal number", "input", "lines", str(i), "amount"
                )
                return ReturnPayload(return_=None, user_errors=[error])
        amount = input.amount.to_domain() if input.amount else None
        command = rma.RefundReturn(return_id=return_id, lines=tuple(refunds), amount=amount, reason=input.reason)
        _, errors = await execute(info, command)
        return await _payload(info, return_id, errors)
