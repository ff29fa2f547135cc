"""editOrder: change an order's lines, address or service level before the units concerned are picked."""

from __future__ import annotations

import strawberry

from app.domain import order_commands as oc
from app.domain.values import Address, Line
from app.security import Role

from ..context import Info
from ..errors import UserError
from ..mutation_support import check_text, execute
from ..scalars import ServiceLevel
from .mutations import (
    AddressInput,
    OrderLineInput,
    OrderPayload,
    _order_payload,
    _own_order,
    line_prices,
    resolve_address,
)


@strawberry.input
class EditOrderInput:
    order_id: strawberry.ID
    lines: list[OrderLineInput] | None = strawberry.field(
        default=None, description="The order's new full set of lines: a SKU left out is removed."
    )
    ship_to: AddressInput | None = None
    service_level: ServiceLevel | None = None
    expected_version: int | None = strawberry.field(
        default=None, description="Refused with CONFLICT if the order's version moved on since."
    )
    reason: str | None = None


@strawberry.type
class OrderEditMutations:
    @strawberry.mutation(
        description="Released, or sourced as a decision with trigger EDITED, in one change; refused "
        "(INVALID_STATE) for picked units, and for shipTo or serviceLevel once anything is picked."
    )
    async def edit_order(self, info: Info, input: EditOrderInput) -> OrderPayload:
        info.context.require(Role.ADMIN, Role.SERVICE, Role.CUSTOMER)
        order_id, missing = await _own_order(info, input.order_id)
        if missing:
            return OrderPayload(order=None, user_errors=[missing])
        errors: list[UserError] = []
        if input.reason is not None and (e := check_text(input.reason, "input", "reason")):
            errors.append(e)
        address: Address | UserError | None = None if input.ship_to is None else resolve_address(input.ship_to)
        if isinstance(address, UserError):
            errors.append(address)
        if errors or isinstance(address, UserError):
            return OrderPayload(order=None, user_errors=errors)
        command = oc.EditOrder(
            order_id=order_id,
            lines=None if input.lines is None else tuple(Line(line.sku, line.quantity) for line in input.lines),
            ship_to=address,
            service_level=input.service_level,
            reason=input.reason or "",
            expected_version=input.expected_version,
            prices=line_prices(input.lines or []),
        )
        _, errors = await execute(info, command)
        return await _order_payload(info, order_id, errors)
