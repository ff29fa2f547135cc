"""Cart reservations (stream `cart-<id>`): stock held for a shopper for a while, then ordered or given back.

A cart is planned by the sourcing engine as an order would be, and holds its units in each stock stream under
`cart_reservation_id(cart_id, shipment_id)`, in the same append as `CartReserved`. It ends once, in one of three
ways, each giving its holds on in the same append as the ending:

    HELD ─ placeOrder(reservationId) → CONSUMED   the holds are transferred, whole, to the order's reservations
         ─ releaseCart               → RELEASED   the holds are released
         ─ ExpireCart (sweep)        → EXPIRED    the holds are released, only once `expires_at` has passed

A cart is all or nothing: a plan that cannot serve every unit reserves nothing (INSUFFICIENT_STOCK on the lines
short). The order placed from a cart must ask for exactly the cart's lines, service level and ship-to point: the
held units were chosen for them, and anything else would be a different plan (reserve again). Consuming, releasing
or expiring an ended cart is INVALID_STATE, except `ExpireCart`, which the sweep may repeat: it then does nothing.
"""

from __future__ import annotations

import enum
from collections import Counter
from datetime import datetime, timedelta

import msgspec

from app.domain.errors import (
    DomainError,
    Duplicate,
    InsufficientStock,
    InvalidInput,
    InvalidState,
    NotFound,
    refuse_all,
)
from app.domain.events import Command, Event
from app.domain.order_events import PlannedShipment, ReservationRef, SourcingDecided
from app.domain.order_lines import line_problems
from app.domain.values import Address, Line, ServiceLevel

MIN_TTL_SECONDS, MAX_TTL_SECONDS = 30, 3600  # long enough to pay, short enough not to starve other buyers
DEFAULT_TTL_SECONDS = 900


class CartStatus(enum.StrEnum):
    HELD = "HELD"
    CONSUMED = "CONSUMED"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"


# Events


class CartEvent(Event, frozen=True, kw_only=True):
    cart_id: str


class CartReserved(CartEvent, frozen=True, kw_only=True):
    """The units of `shipments` are held in their stock streams until `expires_at`. `decision` is the sourcing
    decision made for the cart (trigger RESERVED); the order placed from it records it as its own."""

    customer_id: str
    lines: tuple[Line, ...]
    ship_to: Address
    service_level: ServiceLevel
    reserved_at: datetime
    expires_at: datetime
    shipments: tuple[PlannedShipment, ...]
    decision: SourcingDecided


class CartConsumed(CartEvent, frozen=True, kw_only=True):
    """Order `order_id` was placed from the cart: its holds (`transferred`) became the order's reservations."""

    order_id: str
    transferred: tuple[ReservationRef, ...]
    consumed_at: datetime


class CartReleased(CartEvent, frozen=True, kw_only=True):
    released: tuple[ReservationRef, ...]
    released_at: datetime


class CartExpired(CartEvent, frozen=True, kw_only=True):
    released: tuple[ReservationRef, ...]
    expired_at: datetime


CART_EVENTS: tuple[type[Event], ...] = (CartReserved, CartConsumed, CartReleased, CartExpired)


# Commands


class CartCommand(Command, frozen=True, kw_only=True):
    cart_id: str


class ReserveCart(CartCommand, frozen=True, kw_only=True):
    customer_id: str
    lines: tuple[Line, ...]
    ship_to: Address
    service_level: ServiceLevel = ServiceLevel.STANDARD
    ttl_seconds: int = DEFAULT_TTL_SECONDS


class ReleaseCart(CartCommand, frozen=True, kw_only=True):
    """The shopper gives the units back."""


class ExpireCart(CartCommand, frozen=True, kw_only=True):
    """The TTL may have passed: the cart expires if it is still held and overdue; otherwise nothing changes."""


class ConsumeCart(CartCommand, frozen=True, kw_only=True):
    """Order `order_id`, with these lines, service level and ship-to, is placed from the cart."""

    order_id: str
    customer_id: str
    lines: tuple[Line, ...]
    ship_to: Address | None  # None: a pickup order, which no cart (planned for an address) can serve
    service_level: ServiceLevel


# State


class Cart(msgspec.Struct, frozen=True, kw_only=True):
    cart_id: str
    customer_id: str
    lines: tuple[Line, ...]
    ship_to: Address
    service_level: ServiceLevel
    reserved_at: datetime
    expires_at: datetime
    shipments: tuple[PlannedShipment, ...]
    decision: SourcingDecided
    status: CartStatus = CartStatus.HELD
    order_id: str | None = None  # set once consumed
    ended_at: datetime | None = None


def holder(cart_id: str) -> str:
    """Whose holds they are in the stock streams: `cart-<id>`, apart from any order's id."""
    return f"cart-{cart_id}"


def cart_reservation_id(cart_id: str, shipment_id: str) -> str:
    """A cart's hold in one stock stream, named as an order's are (`<holder>/<shipment id>`)."""
    return f"{holder(cart_id)}/{shipment_id}"


def holds(cart: Cart) -> tuple[ReservationRef, ...]:
    """Every stock reservation the cart holds while HELD."""
    return tuple(
        ReservationRef(
            location_code=s.location_code,
            sku=line.sku,
            reservation_id=cart_reservation_id(cart.cart_id, s.shipment_id),
            quantity=line.quantity,
        )
        for s in cart.shipments
        for line in s.lines
    )


def promised_delivery(cart: Cart) -> datetime | None:
    """When everything arrives: the latest shipment's promise."""
    promises = [s.promised_delivery for s in cart.decision.shipments if s.promised_delivery is not None]
    return max(promises, default=None)


def evolve(state: Cart | None, event: Event) -> Cart | None:
    match event:
        case CartReserved():
            return Cart(
                cart_id=event.cart_id,
                customer_id=event.customer_id,
                lines=event.lines,
                ship_to=event.ship_to,
                service_level=event.service_level,
                reserved_at=event.reserved_at,
                expires_at=event.expires_at,
                shipments=event.shipments,
                decision=event.decision,
            )
        case CartConsumed() if state is not None:
            return msgspec.structs.replace(
                state, status=CartStatus.CONSUMED, order_id=event.order_id, ended_at=event.consumed_at
            )
        case CartReleased() if state is not None:
            return msgspec.structs.replace(state, status=CartStatus.RELEASED, ended_at=event.released_at)
        case CartExpired() if state is not None:
            return msgspec.structs.replace(state, status=CartStatus.EXPIRED, ended_at=event.expired_at)
    return state


def check_reservable(state: Cart | None, command: ReserveCart) -> None:
    """What can be refused before planning: a cart id in use, the TTL, the lines (all faults at once)."""
    if state is not None:
        raise Duplicate(f"reservation {command.cart_id} already exists", field=("reservationId",))
    problems: list[DomainError] = []
    if not MIN_TTL_SECONDS <= command.ttl_seconds <= MAX_TTL_SECONDS:
        problems.append(
            InvalidInput(
                f"ttlSeconds must be between {MIN_TTL_SECONDS} and {MAX_TTL_SECONDS}, got {command.ttl_seconds}",
                field=("ttlSeconds",),
            )
        )
    if not command.customer_id:
        problems.append(InvalidInput("a customer is required", field=("customerId",)))
    if not command.lines:
        problems.append(InvalidInput("a reservation needs at least one line", field=("lines",)))
    problems += line_problems(command.lines)
    refuse_all(problems)


def decide(
    state: Cart | None,
    command: CartCommand,
    now: datetime,
    *,
    shipments: tuple[PlannedShipment, ...] = (),
    decision: SourcingDecided | None = None,
) -> list[Event]:
    """`shipments` and `decision` are the plan the handler made for a `ReserveCart` (unused otherwise)."""
    if isinstance(command, ReserveCart):
        return _reserve(state, command, now, shipments, decision)
    if state is None or (isinstance(command, ConsumeCart) and state.customer_id != command.customer_id):
        # Another customer's cart answers as a missing one: its id says nothing about whether it exists.
        raise NotFound(f"no reservation {command.cart_id}", field=("reservationId",))
    cart = state
    match command:
        case ExpireCart():
            if cart.status is not CartStatus.HELD or now < cart.expires_at:
                return []  # ended already, or not yet due: a repeated or early sweep changes nothing
            return [CartExpired(cart_id=cart.cart_id, released=holds(cart), expired_at=now)]
        case ReleaseCart():
            _require_held(cart)
            return [CartReleased(cart_id=cart.cart_id, released=holds(cart), released_at=now)]
        case ConsumeCart():
            _require_held(cart)
            if now >= cart.expires_at:
                raise InvalidState(f"reservation {cart.cart_id} expired at {cart.expires_at}", field=("reservationId",))
            _require_same_cart(cart, command)
            return [
                CartConsumed(cart_id=cart.cart_id, order_id=command.order_id, transferred=holds(cart), consumed_at=now)
            ]
    raise InvalidInput(f"unknown cart command {type(command).__name__}")


def _reserve(
    state: Cart | None,
    command: ReserveCart,
    now: datetime,
    shipments: tuple[PlannedShipment, ...],
    decision: SourcingDecided | None,
) -> list[Event]:
    check_reservable(state, command)
    if decision is None:
        raise InvalidInput("a reservation needs a sourcing plan")
    planned: Counter[str] = Counter()
    for shipment in shipments:
        for line in shipment.lines:
            planned[line.sku] += line.quantity
    # All or nothing: a partial hold would promise a cart the shopper cannot buy.
    refuse_all(
        [
            InsufficientStock(
                f"{line.quantity} of {line.sku} wanted, {planned[line.sku]} can be held",
                field=("lines", i, "quantity"),
            )
            for i, line in enumerate(command.lines)
            if planned[line.sku] != line.quantity
        ]
    )
    return [
        CartReserved(
            cart_id=command.cart_id,
            customer_id=command.customer_id,
            lines=command.lines,
            ship_to=command.ship_to,
            service_level=command.service_level,
            reserved_at=now,
            expires_at=now + timedelta(seconds=command.ttl_seconds),
            shipments=shipments,
            decision=decision,
        )
    ]


def _require_held(cart: Cart) -> None:
    if cart.status is not CartStatus.HELD:
        raise InvalidState(f"reservation {cart.cart_id} is {cart.status.lower()}", field=("reservationId",))


def _require_same_cart(cart: Cart, command: ConsumeCart) -> None:
    """The order must be the cart: the held units were chosen for these lines, this speed and this place."""
    problems: list[DomainError] = []
    if sorted((x.sku, x.quantity) for x in command.lines) != sorted((x.sku, x.quantity) for x in cart.lines):
        problems.append(InvalidInput("the order's lines must be the reservation's lines", field=("lines",)))
    if command.service_level is not cart.service_level:
        problems.append(InvalidInput(f"the reservation is for {cart.service_level}", field=("serviceLevel",)))
    if command.ship_to is None or command.ship_to.coordinates != cart.ship_to.coordinates:
        problems.append(InvalidInput("the reservation was planned for another address", field=("shipTo",)))
    refuse_all(problems)
