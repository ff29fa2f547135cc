"""Cart reservations: hold a cart's stock, give it back, or turn it into an order's allocation.

Each is one atomic append over the cart stream and every stock stream it holds units in, with the versions
read as the expected versions, so a hold never oversells and a cart's units are never free in between:

- reserve: planned by the sourcing engine on the same network view and stock truth as an order's allocation
  (`plan_on_stock`), then `CartReserved` + a `StockReserved` per held line;
- release / expire: `CartReleased` or `CartExpired` + a `ReservationReleased` per hold (reason CART_RELEASED
  or CART_EXPIRED, which frees the units for backorders like any release);
- place an order from it: `OrderPlaced` + `SourcingDecided` (trigger RESERVED, the cart's own decision) +
  `OrderAllocated` (the cart's shipments, same ids and locations) + `CartConsumed` + a `ReservationTransferred`
  per hold, the cart's reservation becoming the order's. No re-sourcing, no moment the units are unreserved.
"""

from __future__ import annotations

import msgspec

from app.domain import carts, orders, stock
from app.domain import order_commands as oc
from app.domain.aggregates import CART, LOCATION, ORDER, STOCK
from app.domain.carts import Cart, CartExpired, CartReleased
from app.domain.errors import InvalidState
from app.domain.order_events import ReservationRef
from app.domain.order_state import Order, reservation_id
from app.domain.streams import cart_stream, location_stream, order_stream, stock_stream
from app.sourcing import SourcingProfile, SourcingRequest

from .network import NetworkView
from .sourcing import decision_for, plan_on_stock, planned_shipments, reserve_planned, shipment_costs
from .unit_of_work import UnitOfWork

RESERVED = "RESERVED"  # the trigger of a decision made for a cart


async def reserve_cart(
    uow: UnitOfWork, command: carts.ReserveCart, network: NetworkView, profile: SourcingProfile
) -> Cart | None:
    stream = cart_stream(command.cart_id)
    cart = await uow.get_new(CART, stream)
    carts.check_reservable(cart, command)  # bad lines never reach the engine
    request = SourcingRequest(
        order_id=command.cart_id,
        lines={line.sku: line.quantity for line in command.lines},
        ship_to=command.ship_to.coordinates,
        service_level=command.service_level,
        placed_at=uow.now,
    )
    plan = await plan_on_stock(uow, request, network, profile)
    planned = planned_shipments(plan, first=1)
    decision = decision_for(command.cart_id, plan, shipment_costs(planned, plan), uow, RESERVED)
    events = carts.decide(cart, command, uow.now, shipments=tuple(planned), decision=decision)
    after = uow.record(CART, stream, events)
    await reserve_planned(uow, carts.holder(command.cart_id), planned)
    return after


async def change_cart(uow: UnitOfWork, command: carts.CartCommand) -> Cart | None:
    """Release or expire: the cart's holds go back to the shelf in the same append."""
    stream = cart_stream(command.cart_id)
    events = carts.decide(await uow.get(CART, stream), command, uow.now)
    after = uow.record(CART, stream, events)
    for event in events:
        if isinstance(event, CartReleased | CartExpired):
            reason = "CART_EXPIRED" if isinstance(event, CartExpired) else "CART_RELEASED"
            await _release(uow, event.released, reason)
    return after


async def place_reserved_order(uow: UnitOfWork, command: oc.PlaceOrder) -> Order | None:
    """Places the order and hands it the cart's held units, allocated where the cart planned them."""
    assert command.reservation_id is not None  # routed here only with one
    stream = order_stream(command.order_id)
    order = await uow.get_new(ORDER, stream)
    placed = orders.decide(order, command, uow.now)
    if not placed:
        return order  # the same placement retried (same idempotency key): done the first time, cart included
    cart_id = command.reservation_id
    cart = await uow.get(CART, cart_stream(cart_id))
    consume = carts.ConsumeCart(
        cart_id=cart_id,
        order_id=command.order_id,
        customer_id=command.customer_id,
        lines=command.lines,
        ship_to=command.ship_to,
        service_level=command.service_level,
    )
    uow.record(CART, cart_stream(cart_id), carts.decide(cart, consume, uow.now))
    assert cart is not None  # decide raised NotFound otherwise
    placed_order = uow.record(ORDER, stream, placed)
    allocation = orders.decide(
        placed_order, oc.AllocateOrder(order_id=command.order_id, shipments=cart.shipments), uow.now
    )
    decision = msgspec.structs.replace(cart.decision, order_id=command.order_id)
    after = uow.record(ORDER, stream, [decision, *allocation])
    await _transfer(uow, cart, command.order_id)
    return after


async def _transfer(uow: UnitOfWork, cart: Cart, order_id: str) -> None:
    refs = [(s, line) for s in cart.shipments for line in s.lines]
    streams = [stock_stream(line.sku, s.location_code) for s, line in refs]
    await uow.load(dict.fromkeys(streams, STOCK) | {location_stream(s.location_code): LOCATION for s, _ in refs})
    states = await uow.get_many(STOCK, streams)
    sites = await uow.get_many(LOCATION, [location_stream(s.location_code) for s, _ in refs])
    for shipment, line in refs:
        stream = stock_stream(line.sku, shipment.location_code)
        hold = carts.cart_reservation_id(cart.cart_id, shipment.shipment_id)
        if states[stream].reservations.get(hold) != line.quantity:
            # A count found fewer units than were held and released the difference (SHORTFALL): the cart no
            # longer holds what it promised. Its expiry or release gives back what is left.
            raise InvalidState(
                f"stock held by {cart.cart_id} was lost in a count: reserve again", field=("reservationId",)
            )
        transfer = stock.TransferReservation(
            sku=line.sku,
            location_code=shipment.location_code,
            reservation_id=hold,
            to_reservation_id=reservation_id(order_id, shipment.shipment_id),
        )
        location = sites[location_stream(shipment.location_code)]
        states[stream] = uow.record(STOCK, stream, stock.decide(states[stream], transfer, uow.now, location=location))


async def _release(uow: UnitOfWork, refs: tuple[ReservationRef, ...], reason: str) -> None:
    states = await uow.get_many(STOCK, [stock_stream(r.sku, r.location_code) for r in refs])
    sites = await uow.get_many(LOCATION, [location_stream(r.location_code) for r in refs])
    for ref in refs:
        stream = stock_stream(ref.sku, ref.location_code)
        if ref.reservation_id not in states[stream].reservations:
            continue  # a count's SHORTFALL released it already; what is left of a hold is released whole below
        release = stock.ReleaseReservation(
            sku=ref.sku, location_code=ref.location_code, reservation_id=ref.reservation_id, reason=reason
        )
        location = sites[location_stream(ref.location_code)]
        states[stream] = uow.record(STOCK, stream, stock.decide(states[stream], release, uow.now, location=location))
