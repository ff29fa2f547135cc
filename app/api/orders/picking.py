"""confirmPick: an operator of the shipment's location (or admin, service) says what was picked."""

from __future__ import annotations

import strawberry

from app.domain import order_commands as oc

from ..context import Info
from ..errors import UserError
from ..mutation_support import check_text, execute
from ..scalars import PickDeclineReason
from .mutations import ShipmentPayload, shipment_for_staff, shipment_payload


@strawberry.input
class PickLineInput:
    sku: str
    picked: int
    reason: PickDeclineReason | None = None


@strawberry.input
class ConfirmPickInput:
    shipment_id: strawberry.ID
    lines: list[PickLineInput]


@strawberry.type
class PickingMutations:
    @strawberry.mutation(
        description="Picked fewer than planned (with a reason): the rest is released and sourced elsewhere at once."
    )
    async def confirm_pick(self, info: Info, input: ConfirmPickInput) -> ShipmentPayload:
        found = await shipment_for_staff(info, input.shipment_id)
        if isinstance(found, UserError):
            return ShipmentPayload(shipment=None, user_errors=[found])
        errors = [
            e for i, line in enumerate(input.lines) if (e := check_text(line.sku, "input", "lines", str(i), "sku"))
        ]
        if errors:
            return ShipmentPayload(shipment=None, user_errors=errors)
        order_id, shipment_id = found
        lines = tuple(oc.PickLine(sku=line.sku, picked=line.picked, reason=line.reason) for line in input.lines)
        command = oc.ConfirmPick(order_id=order_id, shipment_id=shipment_id, lines=lines)
        _, errors = await execute(info, command)
        return await shipment_payload(info, order_id, shipment_id, errors)
