"""Cart reservations: `reserveCart` holds a cart's stock for a while, `releaseCart` gives it back, and
`placeOrder(input: {reservationId})` (app/api/orders/mutations.py) turns the hold into the order's allocation.

A customer reserves, reads and releases its own carts; service and admin anyone's (`can_manage_cart`). Another
customer's cart answers as a missing one. Pickup at a store (`pickupLocationCode`) is refused for now with a
userError: orders on this branch cannot be placed for collection, so a hold for one could never be ordered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
import strawberry

from app.domain import carts
from app.domain.carts import Cart, CartStatus
from app.domain.values import Line
from app.handlers import Outcome
from app.security import Role
from projections import queries

from .access import can_manage_cart
from .context import Info
from .errors import UserError, forbidden, user_error
from .ids import global_id, key_of
from .mutation_support import check_text, execute
from .orders.mutations import AddressInput, OrderLineInput, resolve_address
from .orders.types import OrderLine
from .scalars import ServiceLevel

CUSTOMERS_AND_STAFF = (Role.ADMIN, Role.SERVICE, Role.CUSTOMER)
_decode_cart = msgspec.json.Decoder(Cart)


@strawberry.type
class CartReservation:
    id: strawberry.ID
    expires_at: datetime
    lines: list[OrderLine]
    promised_delivery: datetime | None
    released: bool = strawberry.field(
        description="True once the hold has ended: released, expired, or consumed by an order."
    )

    @classmethod
    def from_state(cls, cart: Cart) -> CartReservation:
        # A held (or ordered) cart's units are allocated to it; a released or expired one holds none.
        holding = cart.status in (CartStatus.HELD, CartStatus.CONSUMED)
        return cls(
            id=strawberry.ID(global_id("CartReservation", cart.cart_id)),
            expires_at=cart.expires_at,
            lines=[
                OrderLine(
                    sku=line.sku,
                    quantity=line.quantity,
                    allocated=line.quantity if holding else 0,
                    backordered=0,
                    shipped=0,
                    delivered=0,
                    cancelled=0,
                    returned=0,
                )
                for line in cart.lines
            ],
            promised_delivery=carts.promised_delivery(cart),
            released=cart.status is not CartStatus.HELD,
        )


@strawberry.input
class ReserveCartInput:
    customer_id: str | None = None
    lines: list[OrderLineInput]
    ship_to: AddressInput | None = None
    pickup_location_code: str | None = None
    service_level: ServiceLevel | None = ServiceLevel.STANDARD
    ttl_seconds: int | None = carts.DEFAULT_TTL_SECONDS


@strawberry.input
class ReleaseCartInput:
    reservation_id: strawberry.ID


@strawberry.type
class CartReservationPayload:
    reservation: CartReservation | None
    user_errors: list[UserError]


async def _cart(info: Info, cart_id: str) -> Cart | None:
    """The cart if it exists and the caller may act on it; None otherwise (no leak of its existence)."""
    rows = await queries.cart_states(info.context.services.read_pool, [cart_id])
    cart = _decode_cart.decode(rows[0][1]) if rows else None
    return cart if cart is not None and can_manage_cart(info.context.principal, cart.customer_id) else None


def _payload(outcome: Outcome[Any] | None, errors: list[UserError]) -> CartReservationPayload:
    # The cart as the command left it: the caller was allowed to act on it, and the read model, which the
    # mutation waited for, may still lag under load (read-your-writes waits only so long).
    cart = outcome.value if outcome is not None and isinstance(outcome.value, Cart) else None
    return CartReservationPayload(
        reservation=None if cart is None else CartReservation.from_state(cart), user_errors=errors
    )


@strawberry.type
class CartQueries:
    @strawberry.field(description="A cart reservation, or null if it does not exist or the caller may not see it.")
    async def cart_reservation(self, info: Info, id: strawberry.ID) -> CartReservation | None:
        info.context.require(*CUSTOMERS_AND_STAFF)
        cart = await _cart(info, key_of(id, "CartReservation"))
        return None if cart is None else CartReservation.from_state(cart)


@strawberry.type
class CartMutations:
    @strawberry.mutation(
        description="Plans the cart and holds its stock for ttlSeconds (30 to 3600): all of it, or nothing "
        "(INSUFFICIENT_STOCK on the lines short)."
    )
    async def reserve_cart(self, info: Info, input: ReserveCartInput) -> CartReservationPayload:
        principal = info.context.require(*CUSTOMERS_AND_STAFF)
        customer_id = input.customer_id
        if customer_id is None and principal.role is Role.CUSTOMER:
            customer_id = principal.customer_id
        if customer_id is None:
            error = user_error("INVALID_INPUT", "whose cart is it? give customerId", "input", "customerId")
            return CartReservationPayload(reservation=None, user_errors=[error])
        if not can_manage_cart(principal, customer_id):
            raise forbidden("reserveCart for this customer")
        errors = [e for e in [check_text(customer_id, "input", "customerId")] if e]
        errors += [e for i, x in enumerate(input.lines) if (e := check_text(x.sku, "input", "lines", str(i), "sku"))]
        if input.pickup_location_code is not None:
            errors.append(
                user_error(
                    "INVALID_INPUT",
                    "reservations for pickup are not supported yet: reserve with shipTo",
                    "input",
                    "pickupLocationCode",
                )
            )
        address = (
            resolve_address(input.ship_to)
            if input.ship_to is not None
            else user_error("INVALID_ADDRESS", "shipTo is required", "input", "shipTo")
        )
        if isinstance(address, UserError):
            errors.append(address)
        if errors or isinstance(address, UserError):
            return CartReservationPayload(reservation=None, user_errors=errors)
        cart_id = info.context.services.handlers.ctx.new_id()
        command = carts.ReserveCart(
            cart_id=cart_id,
            customer_id=customer_id,
            lines=tuple(Line(line.sku, line.quantity) for line in input.lines),
            ship_to=address,
            service_level=input.service_level or ServiceLevel.STANDARD,
            ttl_seconds=carts.DEFAULT_TTL_SECONDS if input.ttl_seconds is None else input.ttl_seconds,
        )
        outcome, errors = await execute(info, command)
        return _payload(outcome, errors)

    @strawberry.mutation(description="Gives the held units back; a reservation already ended is INVALID_STATE.")
    async def release_cart(self, info: Info, input: ReleaseCartInput) -> CartReservationPayload:
        info.context.require(*CUSTOMERS_AND_STAFF)
        cart_id = key_of(input.reservation_id, "CartReservation")
        if await _cart(info, cart_id) is None:
            missing = user_error("NOT_FOUND", f"no reservation {input.reservation_id}", "input", "reservationId")
            return CartReservationPayload(reservation=None, user_errors=[missing])
        outcome, errors = await execute(info, carts.ReleaseCart(cart_id=cart_id))
        return _payload(outcome, errors)
