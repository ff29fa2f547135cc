"""Order aggregate: `decide(order, command, now)`; state, `evolve` and read-outs live in `order_state`.

The initial state is `None`. Shipment ids are chosen by the caller; each planned shipment reserves stock under
`reservation_id(order_id, shipment_id)` in every (sku, location) stream it draws from. Cancel events list the
reservations to release (`released`), so the handler never has to diff states.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from app.domain import order_edits, picking, pickup_counter, refunds, transfers
from app.domain.errors import (
    Duplicate,
    InvalidInput,
    InvalidQuantity,
    InvalidState,
    NotFound,
    refuse_all,
    require_positive,
)
from app.domain.events import Event
from app.domain.locations import DEFAULT_PICKUP_HOLD_DAYS, Location
from app.domain.order_commands import (
    AllocateOrder,
    CancelOrder,
    CancelOrderLines,
    CloseReturn,
    CompleteOrder,
    ConfirmPick,
    DispatchShipment,
    EditOrder,
    ExpirePick,
    MarkShipmentDelivered,
    OpenReturn,
    OrderCommand,
    PackShipment,
    PlaceOrder,
    PlaceOrderOnHold,
    RecordScans,
    RefundReturnedUnits,
    ReleaseOrderHold,
    ReportShipmentException,
    RevertAllocation,
)
from app.domain.order_events import (
    AllocationReverted,
    OrderAllocated,
    OrderBackordered,
    OrderCancelled,
    OrderCompleted,
    OrderHoldReleased,
    OrderLinesCancelled,
    OrderPlaced,
    OrderPlacedOnHold,
    OrderReturnClosed,
    OrderReturnOpened,
    RefundCause,
    ReservationRef,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentException,
    ShipmentPacked,
    ShipmentReduction,
    TrackingUpdated,
)
from app.domain.order_lines import check_prices, line_problems
from app.domain.order_state import (
    ON_THE_ROAD,
    OPEN_SHIPMENT,
    SHIPPED,
    Order,
    Shipment,
    evolve,
    line_summaries,
    open_reservations,
    order_status,
    reservation_id,
    returnable_quantities,
    unallocated,
)
from app.domain.pickup_events import ConfirmCollection, ExpirePickup, RemindPickup
from app.domain.substitutions import substitute_line_problems
from app.domain.values import DeliveryMethod, Line, OrderStatus, ShipmentStatus, TrackingStatus

__all__ = ["decide", "evolve", "line_summaries", "open_reservations", "order_status", "reservation_id"]


_PROBLEM = frozenset(
    {TrackingStatus.RETURN_TO_SENDER, TrackingStatus.FAILURE, TrackingStatus.ERROR, TrackingStatus.CANCELLED}
)


def decide(
    state: Order | None,
    command: OrderCommand,
    now: datetime,
    *,
    pick_sla_minutes: int | None = None,
    pickup_hold: timedelta = timedelta(days=DEFAULT_PICKUP_HOLD_DAYS),
    pickup_location: Location | None = None,
) -> list[Event]:
    """`pick_sla_minutes` is the SLA of the location an `ExpirePick` names (None: it never expires);
    `pickup_hold` how long the location a `ConfirmPick` names holds a PICKUP shipment; `pickup_location`
    the location a `PlaceOrder` names as its pickup store (None: unknown or not named)."""
    if isinstance(command, PlaceOrder):
        return _place(state, command, now, pickup_location)
    if state is None:
        raise NotFound(f"no order {command.order_id}", field=("orderId",))
    order = state
    oid = {"order_id": order.order_id}
    match command:
        case AllocateOrder():
            return _allocate(order, command, now)
        case PlaceOrderOnHold():
            _require_open(order)
            if order.hold_reason is not None:
                raise InvalidState("the order is already on hold")
            if all(s.shipped == s.ordered - s.cancelled for s in line_summaries(order)):
                raise InvalidState("nothing is left to hold: everything has shipped")
            return [OrderPlacedOnHold(**oid, reason=command.reason)]
        case ReleaseOrderHold():
            if order.hold_reason is None:
                raise InvalidState("the order is not on hold")
            return [OrderHoldReleased(**oid)]
        case CancelOrder():
            _require_open(order)
            # A transfer on its way is not the customer's parcel: it arrives at the store whatever happens.
            if any(s.status in SHIPPED and s.destination is None for s in order.shipments):
                raise InvalidState("part of the order has shipped; cancel the remaining lines instead")
            cancelled = OrderCancelled(
                **oid, reason=command.reason, released=open_reservations(order), cancelled_at=now
            )
            # Nothing has shipped, so every unit still on the order leaves it: all are refunded.
            leaving = [Line(s.sku, s.ordered - s.cancelled) for s in line_summaries(order)]
            return _with_refund([cancelled], refunds.refund_for(order, leaving, RefundCause.CANCELLED, now))
        case CancelOrderLines():
            events = _cancel_lines(order, command)
            leaving = [line for e in events if isinstance(e, OrderLinesCancelled) for line in e.lines]
            return _with_refund(events, refunds.refund_for(order, leaving, RefundCause.CANCELLED, now))
        case EditOrder():
            return order_edits.edit(order, command, now)
        case RevertAllocation():
            shipment = _open_shipment(order, command.shipment_id)
            require_positive(command.quantity, ("quantity",))
            held = sum(line.quantity for line in shipment.lines if line.sku == command.sku)
            if command.quantity > held:
                raise InvalidQuantity(f"the shipment holds only {held} of {command.sku}", field=("quantity",))
            return [
                AllocationReverted(
                    **oid,
                    shipment_id=command.shipment_id,
                    sku=command.sku,
                    quantity=command.quantity,
                    reason=command.reason,
                )
            ]
        case ConfirmPick():
            _require_workable(order)
            shipment = _shipment(order, command.shipment_id)
            arrival = transfers.arrived_at_pick(order, shipment, now)  # picking what a transfer brought
            for event in arrival:
                order = evolve(order, event) or order
            shipment = _shipment(order, command.shipment_id)
            _require_status(shipment, {ShipmentStatus.PLANNED}, "picked")
            picked = picking.confirm(order.order_id, shipment, command, now)
            if shipment.kind is not DeliveryMethod.PICKUP:
                return [*arrival, picked]
            return [*arrival, picked, *pickup_counter.ready(order, picked, command.pickup_code, pickup_hold, now)]
        case ConfirmCollection():
            _require_workable(order)
            return pickup_counter.collect(order, _shipment(order, command.shipment_id), command, now)
        case RemindPickup():
            return pickup_counter.remind(order, _shipment(order, command.shipment_id), command, now)
        case ExpirePickup():
            # Held or not: a hold stops fulfilment, not the store's shelf from filling up.
            return pickup_counter.expire(order, _shipment(order, command.shipment_id), command, now)
        case ExpirePick():
            # Whether held or not: stock a location will not pick must not stay promised to it. Re-sourcing
            # waits for the hold to be released.
            return [*picking.expire(order.order_id, _shipment(order, command.shipment_id), pick_sla_minutes, now)]
        case PackShipment():
            _require_workable(order)
            # From PLANNED the pick is implied: everything planned was found.
            packable = {ShipmentStatus.PLANNED, ShipmentStatus.PICKED}
            _require_status(_parcel(order, command.shipment_id), packable, "packed")
            if _shipment(order, command.shipment_id).awaiting_transfer:
                raise InvalidState("the shipment waits for its transfer", field=("shipmentId",))
            return [ShipmentPacked(**oid, shipment_id=command.shipment_id, packed_at=now)]
        case DispatchShipment():
            _require_workable(order)
            _require_status(_parcel(order, command.shipment_id), {ShipmentStatus.PACKED}, "dispatched")
            if not command.carrier.strip():
                raise InvalidInput("a carrier is required", field=("carrier",))
            if not command.tracking_number.strip():
                raise InvalidInput("a tracking number is required", field=("trackingNumber",))
            return [
                ShipmentDispatched(
                    **oid,
                    shipment_id=command.shipment_id,
                    carrier=command.carrier,
                    tracking_number=command.tracking_number,
                    promised_delivery=command.promised_delivery,
                    dispatched_at=now,
                )
            ]
        case RecordScans():
            return _record_scans(order, command)
        case MarkShipmentDelivered():
            shipment = _shipment(order, command.shipment_id)
            _require_status(shipment, ON_THE_ROAD, "delivered")
            receipt = transfers.received(order, shipment, command.delivered_at)
            delivered = ShipmentDelivered(**oid, shipment_id=command.shipment_id, delivered_at=command.delivered_at)
            return [delivered] if receipt is None else [delivered, receipt]
        case ReportShipmentException():
            on_road = ON_THE_ROAD - {ShipmentStatus.EXCEPTION}
            _require_status(_shipment(order, command.shipment_id), on_road, "reported as an exception")
            return [ShipmentException(**oid, shipment_id=command.shipment_id, reason=command.reason, occurred_at=now)]
        case CompleteOrder():
            status = order_status(order)
            if status not in (OrderStatus.DELIVERED, OrderStatus.COLLECTED):
                raise InvalidState(f"only a delivered or collected order can be completed (it is {status})")
            return [OrderCompleted(**oid, completed_at=now)]
        case OpenReturn():
            if any(claim.return_id == command.return_id for claim in order.returns):
                raise Duplicate(f"return {command.return_id} is already open", field=("returnId",))
            check_returnable(order, command.lines)
            return [OrderReturnOpened(**oid, return_id=command.return_id, lines=command.lines)]
        case CloseReturn():
            claim = next((c for c in order.returns if c.return_id == command.return_id and not c.closed), None)
            if claim is None:
                raise NotFound(f"no open return {command.return_id}", field=("returnId",))
            claimed = {line.sku: line.quantity for line in claim.lines}
            for i, line in enumerate(command.returned):
                if line.quantity > claimed.get(line.sku, 0):
                    raise InvalidQuantity("more came back than the return claimed", field=("lines", i, "quantity"))
            return [OrderReturnClosed(**oid, return_id=command.return_id, returned=command.returned)]
        case RefundReturnedUnits():
            if not any(c.return_id == command.return_id and c.closed for c in order.returns):
                raise NotFound(f"no received return {command.return_id} on this order", field=("returnId",))
            refund = refunds.refund_for(
                order,
                command.lines,
                RefundCause.RETURNED,
                now,
                amount=command.amount,
                return_id=command.return_id,
                reason=command.reason,
            )
            return _with_refund([], refund)
    raise InvalidInput(f"unknown order command {type(command).__name__}")


def check_returnable(order: Order, lines: tuple[Line, ...]) -> None:
    """At most delivered minus already returned or claimed, per SKU. Shared with the return aggregate."""
    if not lines:
        raise InvalidInput("a return needs at least one line", field=("lines",))
    returnable = returnable_quantities(order)
    asked: Counter[str] = Counter()
    for i, line in enumerate(lines):
        require_positive(line.quantity, ("lines", i, "quantity"))
        if line.sku not in returnable:
            raise NotFound(f"{line.sku} is not on order {order.order_id}", field=("lines", i, "sku"))
        asked[line.sku] += line.quantity
        if asked[line.sku] > returnable[line.sku]:
            raise InvalidQuantity(
                f"only {returnable[line.sku]} of {line.sku} can be returned", field=("lines", i, "quantity")
            )


def _place(state: Order | None, command: PlaceOrder, now: datetime, pickup_location: Location | None) -> list[Event]:
    if state is not None:
        # A retried placement (same customer, same idempotency key) is answered with the order as it is.
        same = command.idempotency_key is not None and command.idempotency_key == state.idempotency_key
        if same and command.customer_id == state.customer_id:
            return []
        raise Duplicate(f"order {command.order_id} already exists", field=("orderId",))
    if not command.customer_id:
        raise InvalidInput("a customer is required", field=("customerId",))
    if not command.lines:
        raise InvalidInput("an order needs at least one line", field=("lines",))
    problems = line_problems(command.lines)
    problems += transfers.delivery_problems(command, pickup_location)
    problems += substitute_line_problems([line.sku for line in command.lines], command.substitutions)
    window = command.delivery_window
    if window is not None and window.end <= window.start:
        problems.append(InvalidInput("a delivery window ends after it starts", field=("deliveryWindow", "end")))
    prices = check_prices(command.lines, command.prices, problems)
    refuse_all(problems)  # every line at fault at once: a shopper fixes the cart in one go
    return [
        OrderPlaced(
            order_id=command.order_id,
            customer_id=command.customer_id,
            lines=command.lines,
            ship_to=transfers.destination_address(command, pickup_location),
            service_level=command.service_level,
            priority=command.priority,
            channel=command.channel,
            placed_at=now,
            idempotency_key=command.idempotency_key,
            replacement_for=command.replacement_for,
            reservation_id=command.reservation_id,
            delivery_method=command.delivery_method,
            pickup_location_code=command.pickup_location_code,
            substitutions=command.substitutions,
            delivery_window=command.delivery_window,
            prices=prices,
        )
    ]


def _with_refund(events: list[Event], refund: Event | None) -> list[Event]:
    """`events` and, after them, the refund for the units they took off the order (if any is due)."""
    return events if refund is None else [*events, refund]


def _allocate(order: Order, command: AllocateOrder, now: datetime) -> list[Event]:
    _require_workable(order)
    remaining = unallocated(order)
    known = {s.shipment_id for s in order.shipments}
    for i, planned in enumerate(command.shipments):
        if planned.shipment_id in known or not planned.shipment_id:
            raise Duplicate(f"shipment id {planned.shipment_id!r} is taken", field=("shipments", i, "shipmentId"))
        known.add(planned.shipment_id)
        if not planned.lines:
            raise InvalidInput("a shipment needs at least one line", field=("shipments", i, "lines"))
        if len({line.sku for line in planned.lines}) != len(planned.lines):
            raise Duplicate("a SKU appears twice in one shipment", field=("shipments", i, "lines"))
        for j, line in enumerate(planned.lines):
            at = ("shipments", i, "lines", j)
            require_positive(line.quantity, (*at, "quantity"))
            if planned.destination is not None:
                continue  # a transfer's units are allocated through the pickup shipment it feeds
            if line.sku not in remaining:
                raise NotFound(f"{line.sku} is not on this order", field=(*at, "sku"))
            if line.quantity > remaining[line.sku]:
                raise InvalidQuantity(
                    f"allocating {line.quantity} of {line.sku}, only {remaining[line.sku]} unallocated",
                    field=(*at, "quantity"),
                )
            remaining[line.sku] -= line.quantity
    transfers.check_pairs(command.shipments)
    if not command.shipments and not any(remaining.values()):
        raise InvalidState("nothing is left to allocate")
    events: list[Event] = []
    if command.shipments:
        events.append(OrderAllocated(order_id=order.order_id, shipments=command.shipments, allocated_at=now))
    waiting = tuple(Line(sku, quantity) for sku, quantity in remaining.items() if quantity > 0)
    # Record the backorder only when it changes, so retrying allocation on every supply receipt stays quiet.
    if waiting and waiting != order.backordered_recorded:
        events.append(OrderBackordered(order_id=order.order_id, lines=waiting))
    return events


def _cancel_lines(order: Order, command: CancelOrderLines) -> list[Event]:
    _require_open(order)
    summaries = {s.sku: s for s in line_summaries(order)}
    waiting = unallocated(order)
    wanted = command.lines or tuple(
        Line(s.sku, s.ordered - s.cancelled - s.shipped)
        for s in summaries.values()
        if s.ordered > s.cancelled + s.shipped
    )
    if not wanted:
        raise InvalidState("nothing is left to cancel")
    reductions: list[ShipmentReduction] = []
    released: list[ReservationRef] = []
    # Unallocated units go first (nothing to undo), then planned before packed shipments (packing is work).
    # Transfers are not the customer's: their units are cut through the pickup shipment they feed.
    open_shipments = sorted(
        (s for s in order.shipments if s.status in OPEN_SHIPMENT and s.destination is None),
        key=lambda s: s.status is ShipmentStatus.PACKED,
    )
    by_id = {s.shipment_id: s for s in order.shipments}
    for i, line in enumerate(wanted):
        require_positive(line.quantity, ("lines", i, "quantity"))
        summary = summaries.get(line.sku)
        if summary is None:
            raise NotFound(f"{line.sku} is not on this order", field=("lines", i, "sku"))
        cancellable = summary.ordered - summary.cancelled - summary.shipped
        if line.quantity > cancellable:
            raise InvalidQuantity(f"only {cancellable} of {line.sku} can still be cancelled", field=("lines", i))
        left = line.quantity - min(line.quantity, waiting[line.sku])
        for shipment in open_shipments:
            held = sum(sl.quantity for sl in shipment.lines if sl.sku == line.sku)
            cut = min(left, held)
            if cut > 0:
                # A pickup shipment waiting for its transfer holds no stock: while the transfer has not left, the
                # transfer is cut (and the pickup shipment with it) and released at its source; once on its way,
                # only the pickup shipment is cut, and the units stay at the store when they arrive.
                cut_at: Shipment | None = shipment
                if shipment.awaiting_transfer and shipment.fed_by is not None:
                    transfer = by_id[shipment.fed_by]
                    cut_at = transfer if transfer.status in OPEN_SHIPMENT else None
                reductions.append(
                    ShipmentReduction(shipment_id=(cut_at or shipment).shipment_id, sku=line.sku, quantity=cut)
                )
                if cut_at is not None:
                    rid = reservation_id(order.order_id, cut_at.shipment_id)
                    where = {"location_code": cut_at.location_code, "sku": line.sku}
                    released.append(ReservationRef(**where, reservation_id=rid, quantity=cut))
                left -= cut
    return [
        OrderLinesCancelled(
            order_id=order.order_id,
            lines=wanted,
            reductions=tuple(reductions),
            released=tuple(released),
            reason=command.reason,
        )
    ]


def _record_scans(order: Order, command: RecordScans) -> list[Event]:
    """A `TrackingUpdated` per scan not yet on the shipment (a replayed webhook or a re-poll adds nothing),
    and the delivery or exception the scans bring, decided scan by scan on the state they leave."""
    _require_status(_shipment(order, command.shipment_id), SHIPPED, "tracked")
    oid, sid = order.order_id, command.shipment_id
    events: list[Event] = []
    current = order  # each scan is decided on the state the earlier ones leave
    for scan in command.scans:
        shipment = _shipment(current, sid)
        if any(known.key == scan.key for known in shipment.tracking):
            continue
        fresh: list[Event] = [
            TrackingUpdated(
                order_id=oid,
                shipment_id=sid,
                status=scan.status,
                message=scan.message,
                occurred_at=scan.occurred_at,
                location=scan.location,
                estimated_delivery=command.estimated_delivery,
            )
        ]
        if shipment.status is not ShipmentStatus.DELIVERED:
            if scan.status is TrackingStatus.DELIVERED:
                fresh.append(ShipmentDelivered(order_id=oid, shipment_id=sid, delivered_at=scan.occurred_at))
                if (arrival := transfers.received(current, shipment, scan.occurred_at)) is not None:
                    fresh.append(arrival)  # a transfer delivered is received at its store
            elif scan.status in _PROBLEM and shipment.status is not ShipmentStatus.EXCEPTION:
                reason = scan.message or scan.status.value
                fresh.append(
                    ShipmentException(order_id=oid, shipment_id=sid, reason=reason, occurred_at=scan.occurred_at)
                )
        for event in fresh:
            current = evolve(current, event) or current  # tracking events never end an order
        events += fresh
    return events


def _require_open(order: Order) -> None:
    if order.cancelled or order.completed:
        raise InvalidState(f"the order is {order_status(order)}")


def _require_workable(order: Order) -> None:
    _require_open(order)
    if order.hold_reason is not None:
        raise InvalidState(f"the order is on hold: {order.hold_reason}")


def _shipment(order: Order, shipment_id: str) -> Shipment:
    for shipment in order.shipments:
        if shipment.shipment_id == shipment_id:
            return shipment
    raise NotFound(f"no shipment {shipment_id} on order {order.order_id}", field=("shipmentId",))


def _parcel(order: Order, shipment_id: str) -> Shipment:
    """A shipment a carrier takes: a pickup is handed over at the counter, never packed nor dispatched."""
    shipment = _shipment(order, shipment_id)
    if shipment.kind is DeliveryMethod.PICKUP:
        raise InvalidState(f"shipment {shipment_id} is collected at the counter, not packed nor dispatched")
    return shipment


def _open_shipment(order: Order, shipment_id: str) -> Shipment:
    shipment = _shipment(order, shipment_id)
    _require_status(shipment, OPEN_SHIPMENT, "changed")
    return shipment


def _require_status(shipment: Shipment, allowed: frozenset[ShipmentStatus] | set[ShipmentStatus], verb: str) -> None:
    if shipment.status not in allowed:
        raise InvalidState(f"shipment {shipment.shipment_id} is {shipment.status} and cannot be {verb}")
