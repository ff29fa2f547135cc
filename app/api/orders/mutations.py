"""Order mutations: place, cancel, hold, and the warehouse steps of a shipment (pack, dispatch)."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from app.domain import order_commands as oc
from app.domain.delivery import ChosenWindow
from app.domain.order_events import LinePrice
from app.domain.substitutions import SubstituteLine
from app.domain.values import Address, Coordinates, Line
from app.security import Role
from app.sourcing import UnknownPostalCode, resolve_postal_code

from ..access import can_act_at, can_manage_order, can_place_order_for, may_set_priority, visible_order
from ..context import ANYONE, STAFF, Info
from ..errors import UserError, forbidden, user_error
from ..ids import key_of, split_shipment_key
from ..loaders import forget
from ..money import MoneyInput
from ..mutation_support import check_text, execute
from ..scalars import DeliveryMethod, ServiceLevel
from .types import Order, Shipment, shipments_of

ORDER_IDS = uuid.UUID("8d5e0a4c-61a5-4d39-9a59-2f1f3d0e6b11")  # namespace for ids derived from idempotency keys


@strawberry.input
class AddressInput:
    latitude: float | None = None
    longitude: float | None = None
    postal_code: str | None = None
    country: str | None = None


@strawberry.input
class OrderLineInput:
    sku: str
    quantity: int
    replaces: str | None = strawberry.field(
        default=None, description="Placing an order: the SKU this line stands in for (a substitute)."
    )
    unit_price: MoneyInput | None = strawberry.field(
        default=None, description="What one unit costs the customer; one currency per order."
    )


@strawberry.input
class DeliveryWindowInput:
    start: datetime
    end: datetime


def line_prices(lines: list[OrderLineInput]) -> tuple[LinePrice, ...]:
    """The priced lines' prices as given; the domain checks them (and names `lines.<i>.unitPrice`)."""
    return tuple(LinePrice(sku=line.sku, unit_price=line.unit_price.to_domain()) for line in lines if line.unit_price)


@strawberry.input
class PlaceOrderInput:
    customer_id: str
    lines: list[OrderLineInput]
    ship_to: AddressInput | None = strawberry.field(
        default=None, description="Required to SHIP; a PICKUP order without one is located at its store."
    )
    service_level: ServiceLevel | None = ServiceLevel.STANDARD
    priority: int | None = 0
    idempotency_key: str | None = None
    channel: str | None = None
    reservation_id: strawberry.ID | None = None  # consume a cart reservation: its held stock becomes the order's
    delivery_method: DeliveryMethod | None = DeliveryMethod.SHIP
    pickup_location_code: str | None = strawberry.field(default=None, description="Required for PICKUP.")
    delivery_window: DeliveryWindowInput | None = strawberry.field(
        default=None, description="The order must arrive inside it; sourced so it can, and shipped so it does."
    )


@strawberry.input
class CancelOrderInput:
    order_id: strawberry.ID
    reason: str | None = None


@strawberry.input
class HoldOrderInput:
    order_id: strawberry.ID
    reason: str | None = None


@strawberry.input
class PackShipmentInput:
    shipment_id: strawberry.ID


@strawberry.input
class DispatchShipmentInput:
    shipment_id: strawberry.ID
    carrier: str
    tracking_number: str


@strawberry.type
class OrderPayload:
    order: Order | None
    user_errors: list[UserError]


@strawberry.type
class ShipmentPayload:
    shipment: Shipment | None
    user_errors: list[UserError]


def resolve_address(ship_to: AddressInput) -> Address | UserError:
    """Coordinates as given, or a US ZIP code resolved offline; anything else is a clear error."""
    if ship_to.latitude is not None and ship_to.longitude is not None:
        if not (-90 <= ship_to.latitude <= 90 and -180 <= ship_to.longitude <= 180):
            return user_error("INVALID_ADDRESS", "latitude or longitude out of range", "input", "shipTo")
        where = Coordinates(ship_to.latitude, ship_to.longitude)
    elif ship_to.postal_code:
        try:
            where = resolve_postal_code(ship_to.postal_code, ship_to.country or "US")
        except UnknownPostalCode as unknown:
            return user_error("UNKNOWN_POSTAL_CODE", str(unknown), "input", "shipTo", "postalCode")
    else:
        return user_error("INVALID_ADDRESS", "give latitude and longitude, or a postal code", "input", "shipTo")
    return Address(coordinates=where, postal_code=ship_to.postal_code, country=ship_to.country)


async def _order_payload(info: Info, order_id: str, errors: list[UserError]) -> OrderPayload:
    forget(info.context.loaders.orders, order_id)  # read it again: the mutation changed it
    forget(info.context.loaders.order_versions, order_id)
    found = None if errors else await visible_order(info, order_id)
    return OrderPayload(order=None if found is None else Order.from_state(found), user_errors=errors)


async def _own_order(info: Info, raw_id: str) -> tuple[str, UserError | None]:
    """The order id, or NOT_FOUND if the caller may not act on it (customers: their own orders only)."""
    order_id = key_of(raw_id, "Order")
    order = await visible_order(info, order_id)
    if order is None or not can_manage_order(info.context.principal, order):
        return order_id, user_error("NOT_FOUND", f"no order {raw_id}", "input", "orderId")
    return order_id, None


@strawberry.type
class OrderMutations:
    @strawberry.mutation(description="Same idempotencyKey and customer: the same order, placed once.")
    async def place_order(self, info: Info, input: PlaceOrderInput) -> OrderPayload:
        principal = info.context.require(*ANYONE)
        if not can_place_order_for(principal, input.customer_id):
            raise forbidden("placeOrder for this customer")
        # The lines are the order's business: the domain checks them, and its refusal names the line's field.
        errors = [e for e in [check_text(input.customer_id, "input", "customerId")] if e]
        if input.idempotency_key is not None and (e := check_text(input.idempotency_key, "input", "idempotencyKey")):
            errors.append(e)
        priority = input.priority or 0
        if priority and not may_set_priority(principal):
            errors.append(user_error("FORBIDDEN", "priority is set by staff, not by the customer", "input", "priority"))
        elif not -1000 <= priority <= 1000:
            errors.append(user_error("INVALID_INPUT", "priority must be between -1000 and 1000", "input", "priority"))
        # A missing address or pickup store is the domain's to refuse, at its field, with the lines' faults.
        address = None if input.ship_to is None else resolve_address(input.ship_to)
        if isinstance(address, UserError):
            errors.append(address)
        code = input.pickup_location_code
        if code is not None and code.strip() and (e := check_text(code, "input", "pickupLocationCode")):
            errors.append(e)
        if errors or isinstance(address, UserError):
            return OrderPayload(order=None, user_errors=errors)
        order_id = (
            uuid.uuid5(ORDER_IDS, f"{input.customer_id}\x1f{input.idempotency_key}").hex
            if input.idempotency_key
            else info.context.services.handlers.ctx.new_id()
        )
        level = input.service_level or ServiceLevel.STANDARD
        asked = input.delivery_window
        window = None if asked is None else ChosenWindow(start=asked.start, end=asked.end, service_level=level)
        command = oc.PlaceOrder(
            order_id=order_id,
            customer_id=input.customer_id,
            lines=tuple(Line(line.sku, line.quantity) for line in input.lines),
            ship_to=address,
            service_level=level,
            priority=priority,
            channel=input.channel or "web",
            idempotency_key=input.idempotency_key,
            reservation_id=key_of(input.reservation_id, "CartReservation") if input.reservation_id else None,
            delivery_method=input.delivery_method or DeliveryMethod.SHIP,
            pickup_location_code=code,
            substitutions=tuple(
                SubstituteLine(sku=line.sku, replaces=line.replaces)
                for line in input.lines
                if line.replaces is not None
            ),
            delivery_window=window,
            prices=line_prices(input.lines),
        )
        _, errors = await execute(info, command)
        return await _order_payload(info, order_id, errors)

    @strawberry.mutation
    async def cancel_order(self, info: Info, input: CancelOrderInput) -> OrderPayload:
        info.context.require(Role.ADMIN, Role.SERVICE, Role.CUSTOMER)
        order_id, missing = await _own_order(info, input.order_id)
        if missing:
            return OrderPayload(order=None, user_errors=[missing])
        _, errors = await execute(info, oc.CancelOrder(order_id=order_id, reason=input.reason or ""))
        return await _order_payload(info, order_id, errors)

    @strawberry.mutation
    async def place_order_on_hold(self, info: Info, input: HoldOrderInput) -> OrderPayload:
        info.context.require(Role.ADMIN, Role.SERVICE)
        order_id = key_of(input.order_id, "Order")
        _, errors = await execute(info, oc.PlaceOrderOnHold(order_id=order_id, reason=input.reason or "held"))
        return await _order_payload(info, order_id, errors)

    @strawberry.mutation
    async def release_order_hold(self, info: Info, input: HoldOrderInput) -> OrderPayload:
        info.context.require(Role.ADMIN, Role.SERVICE)
        order_id = key_of(input.order_id, "Order")
        _, errors = await execute(info, oc.ReleaseOrderHold(order_id=order_id))
        return await _order_payload(info, order_id, errors)

    @strawberry.mutation
    async def pack_shipment(self, info: Info, input: PackShipmentInput) -> ShipmentPayload:
        found = await shipment_for_staff(info, input.shipment_id)
        if isinstance(found, UserError):
            return ShipmentPayload(shipment=None, user_errors=[found])
        order_id, shipment_id = found
        _, errors = await execute(info, oc.PackShipment(order_id=order_id, shipment_id=shipment_id))
        return await shipment_payload(info, order_id, shipment_id, errors)

    @strawberry.mutation
    async def dispatch_shipment(self, info: Info, input: DispatchShipmentInput) -> ShipmentPayload:
        found = await shipment_for_staff(info, input.shipment_id)
        if isinstance(found, UserError):
            return ShipmentPayload(shipment=None, user_errors=[found])
        errors = [
            e
            for e in (
                check_text(input.carrier, "input", "carrier"),
                check_text(input.tracking_number, "input", "trackingNumber"),
            )
            if e
        ]
        if errors:
            return ShipmentPayload(shipment=None, user_errors=errors)
        order_id, shipment_id = found
        command = oc.DispatchShipment(
            order_id=order_id, shipment_id=shipment_id, carrier=input.carrier, tracking_number=input.tracking_number
        )
        _, errors = await execute(info, command)
        return await shipment_payload(info, order_id, shipment_id, errors)


async def shipment_for_staff(info: Info, raw_id: str) -> tuple[str, str] | UserError:
    """(order id, shipment id) if the shipment exists and the caller works at its location."""
    principal = info.context.require(*STAFF)
    key = split_shipment_key(key_of(raw_id, "Shipment"))
    order = await info.context.loaders.orders.load(key[0]) if key else None
    shipment = next((s for s in order.shipments if s.shipment_id == key[1]), None) if order and key else None
    if key is None or shipment is None:
        return user_error("NOT_FOUND", f"no shipment {raw_id}", "input", "shipmentId")
    if not can_act_at(principal, shipment.location_code):
        return user_error("FORBIDDEN", f"not allowed to act at {shipment.location_code}", "input", "shipmentId")
    return key


async def shipment_payload(info: Info, order_id: str, shipment_id: str, errors: list[UserError]) -> ShipmentPayload:
    if errors:
        return ShipmentPayload(shipment=None, user_errors=errors)
    forget(info.context.loaders.orders, order_id)  # read it again: the mutation changed it
    order = await info.context.loaders.orders.load(order_id)
    shipments = await shipments_of(info, order) if order is not None else []
    found = next((s for s in shipments if s.id.endswith(f"/{shipment_id}")), None)
    return ShipmentPayload(shipment=found, user_errors=[])
