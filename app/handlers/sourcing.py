"""Sourcing an order: plan with the engine, then reserve on the stock streams, all in one transaction.

The plan is made on an availability *hint* (the read model, or the log). The reservations are then decided
on the true state of each chosen stock stream; where the truth has less than the hint promised, the hint is
corrected and the order planned again. The append carries every stock stream's expected version, so a
reservation that raced another order fails as a whole and `execute` re-runs this with fresh state.
"""

from __future__ import annotations

from collections.abc import Callable

from app.domain import order_commands as oc
from app.domain import orders, stock
from app.domain.aggregates import LOCATION, ORDER, STOCK
from app.domain.errors import NotFound
from app.domain.locations import Location
from app.domain.order_events import CandidateOutcome, PlannedShipment, PlannedShipmentCost, SourcingDecided
from app.domain.order_state import Order, allocation_attempted, reservation_id, unallocated
from app.domain.streams import location_stream, order_stream, stock_stream
from app.domain.values import DeliveryMethod, Line
from app.sourcing import (
    PICKUP_SERVICE,
    Availability,
    CandidateLocation,
    ShipmentPlan,
    SourcingPlan,
    SourcingProfile,
    SourcingRequest,
    ready_after,
    source,
    source_pickup,
)
from app.sourcing.windows import keep_window

from .commands import SourceOrder
from .network import NetworkView
from .unit_of_work import ConcurrencyConflict, UnitOfWork

REPLANS = 3


def candidate(location: Location) -> CandidateLocation:
    return CandidateLocation(
        code=location.code,
        type=location.type,
        coordinates=location.coordinates,
        active=location.active,
        can_ship=location.capabilities.ship,
        can_pickup=location.capabilities.pickup,
        handling_cost=location.handling_cost,
    )


def request_for(order: Order, remaining: dict[str, int]) -> SourcingRequest:
    return SourcingRequest(
        order_id=order.order_id,
        lines=remaining,
        ship_to=order.ship_to.coordinates,
        service_level=order.service_level,
        priority=order.priority,
        channel=order.channel,
        placed_at=order.placed_at,
        excluded_locations=order.excluded_locations,
    )


async def source_order(
    uow: UnitOfWork,
    command: SourceOrder,
    network: NetworkView,
    profile: SourcingProfile,
    *,
    prepared: SourcingPlan | None = None,
    trigger: str | None = None,
) -> SourcingPlan | None:
    """Allocates what is still unallocated; None when there is nothing to do (a redelivered job, a hold).

    `prepared` is a plan made beforehand (by a batch); it is used when it still answers exactly what the order
    has left to allocate, and checked against the stock streams like any other plan. `trigger` is recorded on
    the decision; by default PLACED for the first attempt and SUPPLY for a backorder tried again.
    """
    stream = order_stream(command.order_id)
    order = await uow.get(ORDER, stream)
    if order is None:
        raise NotFound(f"no order {command.order_id}", field=("orderId",))
    remaining = {sku: qty for sku, qty in unallocated(order).items() if qty > 0}
    if order.cancelled or order.completed or order.hold_reason is not None or not remaining:
        return None

    why = trigger or ("SUPPLY" if allocation_attempted(order) else "PLACED")
    request = request_for(order, remaining)
    first = len(order.shipments) + 1
    if order.delivery_method is DeliveryMethod.PICKUP:
        # A batch's plan shipped to the shopper's door; a pickup is planned for its store, here.
        store = candidate(await _pickup_store(uow, order))
        sites = [candidate(loc) for loc in await network.locations()]
        # What the store holds decides whether it serves from its shelves: read from its stock, not the hint.
        shelves = await uow.get_many(STOCK, [stock_stream(sku, store.code) for sku in sorted(remaining)])
        own = {(store.code, s.sku): s.atp for s in shelves.values()}

        def pickup_plan(hint: Availability) -> SourcingPlan:
            return source_pickup(request, store, sites, {**hint, **own}, profile, uow.now)

        plan = await plan_on_stock(uow, request, network, profile, plan_on=pickup_plan)
        planned, costs = _pickup_shipments(plan, store, profile, first)
    else:
        plan = keep_window(
            await plan_on_stock(uow, request, network, profile, prepared), order.delivery_window, uow.now
        )
        planned = planned_shipments(plan, first=first)
        costs = shipment_costs(planned, plan)
    allocate = oc.AllocateOrder(order_id=order.order_id, shipments=tuple(planned))
    allocation = orders.decide(order, allocate, uow.now)
    if not allocation:
        return None  # still backordered exactly as before: a retry after supply that changed nothing
    uow.record(ORDER, stream, [decision_for(order.order_id, plan, costs, uow, why), *allocation])
    await reserve_planned(uow, order.order_id, planned)
    return plan


def planned_shipments(plan: SourcingPlan, *, first: int) -> list[PlannedShipment]:
    """The plan's shipments as an allocation records them, numbered `S<first>`, `S<first + 1>`, ..."""
    return [
        PlannedShipment(
            shipment_id=f"S{first + i}",
            location_code=s.location_code,
            lines=tuple(Line(sku, qty) for sku, qty in sorted(s.lines.items())),
        )
        for i, s in enumerate(plan.shipments)
    ]


def shipment_costs(planned: list[PlannedShipment], plan: SourcingPlan) -> list[PlannedShipmentCost]:
    """What each planned shipment costs and promises, as its decision records it."""
    return [_cost(p, s) for p, s in zip(planned, plan.shipments, strict=True)]


async def _pickup_store(uow: UnitOfWork, order: Order) -> Location:
    code = order.pickup_location_code or ""
    store = await uow.get(LOCATION, location_stream(code))
    if store is None:  # checked when the order was placed; locations are never deleted
        raise NotFound(f"no pickup location {code}", field=("pickupLocationCode",))
    return store


def _pickup_shipments(
    plan: SourcingPlan, store: CandidateLocation, profile: SourcingProfile, first: int
) -> tuple[list[PlannedShipment], list[PlannedShipmentCost]]:
    """The store's own part is a PICKUP shipment there; each transfer comes with the PICKUP shipment it feeds,
    which waits for it (same lines, nothing reserved until it arrives) and is ready once the store has
    processed what arrived."""
    planned: list[PlannedShipment] = []
    costs: list[PlannedShipmentCost] = []
    for s in plan.shipments:
        lines = tuple(Line(sku, qty) for sku, qty in sorted(s.lines.items()))
        sid = f"S{first + len(planned)}"
        if s.location_code == store.code:
            own = PlannedShipment(shipment_id=sid, location_code=store.code, lines=lines, kind=DeliveryMethod.PICKUP)
            planned.append(own)
            costs.append(_cost(own, s))
            continue
        transfer = PlannedShipment(shipment_id=sid, location_code=s.location_code, lines=lines, destination=store.code)
        fed = PlannedShipment(
            shipment_id=f"S{first + len(planned) + 1}",
            location_code=store.code,
            lines=lines,
            kind=DeliveryMethod.PICKUP,
            fed_by=sid,
        )
        planned += [transfer, fed]
        ready = ready_after(profile.transit, store, s.promised_delivery)
        pickup = ShipmentPlan(location_code=store.code, lines=s.lines, carrier_service=PICKUP_SERVICE, cost=0.0,
                              promised_delivery=ready, distance_km=0.0)  # fmt: skip
        costs += [_cost(transfer, s), _cost(fed, pickup)]
    return planned, costs


def _cost(planned: PlannedShipment, plan: ShipmentPlan) -> PlannedShipmentCost:
    return PlannedShipmentCost(
        shipment_id=planned.shipment_id,
        location_code=plan.location_code,
        carrier_service=plan.carrier_service,
        cost=plan.cost,
        promised_delivery=plan.promised_delivery,
    )


async def plan_on_stock(
    uow: UnitOfWork,
    request: SourcingRequest,
    network: NetworkView,
    profile: SourcingProfile,
    prepared: SourcingPlan | None = None,
    *,
    plan_on: Callable[[Availability], SourcingPlan] | None = None,
) -> SourcingPlan:
    """A plan for `request` (an order's remaining lines, or a cart) whose every shipment the stock streams can
    really serve, checked on the streams loaded into `uow`, so that the append's expected versions guard it.
    `plan_on` plans on an availability (default: the engine over every location; a pickup plans for its store).

    Plans start from the availability hint (or a batch's prepared plan). Where the hint was stale — a backorder,
    or a chosen location short of stock — the SKUs concerned are re-read from every location's stock stream and
    the order planned again on that truth, so a stale hint never causes a needless backorder, and a scarce SKU
    reaches its backorder within the replans.
    """
    locations = await network.locations()
    remaining = request.lines
    hint: dict[tuple[str, str], int] | None = None
    if plan_on is None:
        sites = [candidate(loc) for loc in locations]

        def plan_on(availability: Availability) -> SourcingPlan:
            return source(request, sites, availability, profile, uow.now)

    async def corrected(skus: set[str]) -> dict[tuple[str, str], int]:
        base = hint if hint is not None else dict(await network.availability(remaining.keys()))
        truth = await uow.get_many(STOCK, [stock_stream(sku, loc.code) for sku in skus for loc in locations])
        fixed = {k: v for k, v in base.items() if k[1] not in skus}
        fixed.update({(s.location_code, s.sku): s.atp for s in truth.values() if s.atp > 0})
        return fixed

    if prepared is not None and _demand(prepared) == remaining:
        plan = prepared
    else:
        hint = dict(await network.availability(remaining.keys()))
        plan = plan_on(hint)
    if any(plan.backordered.values()):
        hint = await corrected({sku for sku, qty in plan.backordered.items() if qty > 0})
        plan = plan_on(hint)
    for _ in range(REPLANS):
        wanted = [(s.location_code, sku, qty) for s in plan.shipments for sku, qty in s.lines.items()]
        streams = [stock_stream(sku, code) for code, sku, _ in wanted]
        # The shipping locations come in the same round trip: reserving needs them if the plan holds.
        await uow.load({location_stream(code): LOCATION for code, _, _ in wanted} | dict.fromkeys(streams, STOCK))
        truth = await uow.get_many(STOCK, streams)
        short = {sku for code, sku, qty in wanted if truth[stock_stream(sku, code)].atp < qty}
        if not short:
            return plan
        hint = await corrected(short)
        plan = plan_on(hint)
    # The stock keeps changing underneath: a retry of the job decides again (giving up quietly would finish
    # the job and leave the order unsourced for good).
    raise ConcurrencyConflict(f"{request.order_id}: availability kept changing while sourcing")


def _demand(plan: SourcingPlan) -> dict[str, int]:
    """What a plan was asked for: what it ships plus what it backorders, per SKU."""
    demand = dict(plan.backordered)
    for shipment in plan.shipments:
        for sku, qty in shipment.lines.items():
            demand[sku] = demand.get(sku, 0) + qty
    return {sku: qty for sku, qty in demand.items() if qty > 0}


async def reserve_planned(uow: UnitOfWork, holder: str, planned: list[PlannedShipment]) -> None:
    """Reserves each planned line in its stock stream as `<holder>/<shipment id>` (an order's id, or a cart's
    `cart-<id>`), decided on the stream's state in `uow`: a stock stream short of it refuses the whole append."""
    locations = await uow.get_many(LOCATION, [location_stream(p.location_code) for p in planned])
    for shipment in planned:
        if shipment.fed_by is not None:
            continue  # its units are reserved at the transfer's source until they arrive
        location = locations[location_stream(shipment.location_code)]
        for line in shipment.lines:
            stream = stock_stream(line.sku, shipment.location_code)
            reserve = stock.ReserveStock(
                sku=line.sku,
                location_code=shipment.location_code,
                reservation_id=reservation_id(holder, shipment.shipment_id),
                quantity=line.quantity,
            )
            uow.record(STOCK, stream, stock.decide(await uow.get(STOCK, stream), reserve, uow.now, location=location))


def decision_for(
    order_id: str, plan: SourcingPlan, costs: list[PlannedShipmentCost], uow: UnitOfWork, trigger: str
) -> SourcingDecided:
    why = plan.explanation
    return SourcingDecided(
        order_id=order_id,
        decided_at=uow.now,
        algorithm=why.algorithm,
        total_cost=plan.total_cost,
        objective=why.objective_value,
        lower_bound=why.lower_bound,
        fallback_used=why.time_budget_exceeded,
        profile_version=why.profile_version,
        candidates=tuple(
            CandidateOutcome(location_code=c.location_code, selected=c.selected, reason=c.reason, cost=c.cost)
            for c in why.candidates
        ),
        shipments=tuple(costs),
        backordered=tuple(Line(sku, qty) for sku, qty in sorted(plan.backordered.items()) if qty > 0),
        trigger=trigger,
        gap=why.gap,
    )
