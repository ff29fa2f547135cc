"""confirmCollection: at the pickup counter, an operator of the shipment's location (or admin, service) checks the
customer's code. A wrong code is a userError, recorded so that the fifth in a row locks the counter."""

from __future__ import annotations

import strawberry

from app.domain.pickup_counter import InvalidPickupCode
from app.domain.pickup_events import ConfirmCollection, PickupCodeRejected

from ..context import Info
from ..errors import UserError, user_error
from ..mutation_support import check_text, execute
from .mutations import ShipmentPayload, shipment_for_staff, shipment_payload


@strawberry.input
class ConfirmCollectionInput:
    shipment_id: strawberry.ID
    pickup_code: str


@strawberry.type
class CounterMutations:
    @strawberry.mutation(
        description="The customer collects with its code: COLLECTED. A wrong code: INVALID_PICKUP_CODE, nothing "
        "else changes; after 5 wrong codes, TOO_MANY_ATTEMPTS for 15 minutes, even for the right one."
    )
    async def confirm_collection(self, info: Info, input: ConfirmCollectionInput) -> ShipmentPayload:
        found = await shipment_for_staff(info, input.shipment_id)
        if isinstance(found, UserError):
            return ShipmentPayload(shipment=None, user_errors=[found])
        if problem := check_text(input.pickup_code, "input", "pickupCode"):
            return ShipmentPayload(shipment=None, user_errors=[problem])
        order_id, shipment_id = found
        command = ConfirmCollection(order_id=order_id, shipment_id=shipment_id, pickup_code=input.pickup_code)
        outcome, errors = await execute(info, command)
        if outcome is not None and any(isinstance(e, PickupCodeRejected) for e in outcome.events):
            # Recorded (it counts towards the lock-out), yet refused; the message never repeats the code.
            errors = [
                user_error(InvalidPickupCode.code, "that is not this shipment's pickup code", "input", "pickupCode")
            ]
        return await shipment_payload(info, order_id, shipment_id, errors)
