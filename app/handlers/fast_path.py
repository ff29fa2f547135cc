"""Placing an order and allocating it in the same append, when the engine decides it without the solver.

Most orders are a few lines one location holds entirely, and the engine proves that parcel optimal without
the MILP (`exact-single-parcel`). Deciding those while placing saves the dispatcher's read, the job's two
Redis round trips, the worker's reload of the order, stock and locations, and a second commit. The order is
planned on the same availability hint and checked on the same stock streams as the sourcing actor would, and
the decision is recorded by `source_order` itself (trigger PLACED), so the record is the actor's, exactly.
`OrderPlaced.allocated_on_placement` tells the dispatcher there is nothing left to source.

Everything else is placed only and left to the actors as before: pickups, holds, orders the shortcut cannot
prove (the MILP decides them, in a worker), orders short of stock (backorders), and placements that already
lost a race or two for stock (placing must not fail because a SKU is hot).
"""

from __future__ import annotations

import msgspec

from app.domain import order_commands as oc
from app.domain import orders
from app.domain.aggregates import ORDER, STOCK
from app.domain.events import Event
from app.domain.order_events import OrderPlaced
from app.domain.order_state import Order, reservation_id, unallocated
from app.domain.streams import order_stream, stock_stream
from app.domain.values import DeliveryMethod
from app.sourcing import Availability, SolverNeeded, SourcingPlan, SourcingProfile, source
from app.sourcing.shortcut import one_location_holds

from .commands import SourceOrder
from .network import NetworkView
from .orders import place
from .sourcing import candidate, plan_on_stock, request_for, source_order
from .unit_of_work import ConcurrencyConflict, UnitOfWork

# Attempts of one placement after which it is placed only: each lost attempt means another writer took stock.
FAST_ATTEMPTS = 2


async def place_and_allocate(
    uow: UnitOfWork, command: oc.PlaceOrder, network: NetworkView, profile: SourcingProfile
) -> Order | None:
    shipped = command.delivery_method is DeliveryMethod.SHIP and not command.pickup_location_code
    if not shipped or uow.attempt >= FAST_ATTEMPTS:
        return await place(uow, command)
    stream = order_stream(command.order_id)
    order = await uow.get_new(ORDER, stream)
    placed = orders.decide(order, command, uow.now)
    placing = ORDER.fold(order, placed)
    if order is not None or placing is None or placing.hold_reason is not None:
        return uow.record(ORDER, stream, placed)  # a retried placement, or held: as `place` records it
    plan = await _exact_plan(uow, placing, network, profile)
    if plan is None:
        return uow.record(ORDER, stream, placed)
    uow.record(ORDER, stream, [_allocated_here(e) for e in placed])
    sourced = await source_order(uow, SourceOrder(order_id=command.order_id), network, profile, prepared=plan)
    assert sourced is plan, "the stock streams in this unit of work already served the plan"
    return await uow.get(ORDER, stream)


async def _exact_plan(
    uow: UnitOfWork, order: Order, network: NetworkView, profile: SourcingProfile
) -> SourcingPlan | None:
    """The plan the sourcing actor would make, when the shortcut proves it and it allocates every unit on the
    stock streams' truth; None otherwise."""
    request = request_for(order, {sku: qty for sku, qty in unallocated(order).items() if qty > 0})
    sites = [candidate(loc) for loc in await network.locations()]

    def exact(hint: Availability) -> SourcingPlan:
        if not one_location_holds(request.lines, hint):  # no single parcel exists: the shortcut cannot prove one
            raise SolverNeeded  # (checked before `source` prices every lane to find that out)
        return source(request, sites, hint, profile, uow.now, solver=False)

    try:
        plan = await plan_on_stock(uow, request, network, profile, plan_on=exact)
    except (SolverNeeded, ConcurrencyConflict):
        return None
    if any(plan.backordered.values()):
        return None
    # A placement retried (same order id) finds its reservations already there: reserving again would refuse
    # the command. Placed only, the append fails on the order stream and the retry answers with the order.
    held = await uow.get_many(STOCK, [stock_stream(sku, s.location_code) for s in plan.shipments for sku in s.lines])
    mine = {reservation_id(order.order_id, f"S{n}") for n in range(1, len(plan.shipments) + 1)}
    return None if any(mine & stock.reservations.keys() for stock in held.values()) else plan


def _allocated_here(event: Event) -> Event:
    if isinstance(event, OrderPlaced):
        return msgspec.structs.replace(event, allocated_on_placement=True)
    return event
