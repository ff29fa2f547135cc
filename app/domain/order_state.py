"""Order state, `evolve`, and the pure read-outs the API needs: line quantities, status, open reservations.

The order's status is never stored: `order_status` derives it from lines and shipments every time.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import msgspec

from app.domain import money
from app.domain.delivery import ChosenWindow
from app.domain.events import Event
from app.domain.money import Money
from app.domain.order_events import (
    AllocationReverted,
    OrderAllocated,
    OrderBackordered,
    OrderCancelled,
    OrderCompleted,
    OrderEdited,
    OrderHoldReleased,
    OrderLinesCancelled,
    OrderPlaced,
    OrderPlacedOnHold,
    OrderRefunded,
    OrderReturnClosed,
    OrderReturnOpened,
    PickDecline,
    ReservationRef,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentException,
    ShipmentExpired,
    ShipmentPacked,
    ShipmentPicked,
    TrackingUpdated,
    TransferReceived,
)
from app.domain.pickup_events import (
    PickupCodeRejected,
    PickupExpired,
    PickupReminderIssued,
    ShipmentCollected,
    ShipmentReadyForPickup,
)
from app.domain.substitutions import SubstituteLine
from app.domain.values import (
    Address,
    DeliveryMethod,
    Line,
    OrderStatus,
    Scan,
    ServiceLevel,
    ShipmentStatus,
    TrackingStatus,
)

# Stock is still reserved (not yet shipped) for shipments in these states; a pickup waiting at the counter too.
OPEN_SHIPMENT = frozenset(
    {ShipmentStatus.PLANNED, ShipmentStatus.PICKED, ShipmentStatus.PACKED, ShipmentStatus.READY_FOR_PICKUP}
)
# The goods have left the building. An EXCEPTION happens on the road, so it counts as shipped; a pickup the
# customer collected has left too.
SHIPPED = frozenset(
    {
        ShipmentStatus.COLLECTED,
        ShipmentStatus.DISPATCHED,
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.DELIVERED,
        ShipmentStatus.EXCEPTION,
    }
)
# What a customer can return: goods a carrier delivered or the customer collected at the counter.
IN_CUSTOMERS_HANDS = frozenset({ShipmentStatus.DELIVERED, ShipmentStatus.COLLECTED})
ON_THE_ROAD = frozenset(
    {ShipmentStatus.DISPATCHED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY, ShipmentStatus.EXCEPTION}
)
_TRACKING_TO_SHIPMENT = {
    TrackingStatus.IN_TRANSIT: ShipmentStatus.IN_TRANSIT,
    TrackingStatus.OUT_FOR_DELIVERY: ShipmentStatus.OUT_FOR_DELIVERY,
    TrackingStatus.AVAILABLE_FOR_PICKUP: ShipmentStatus.OUT_FOR_DELIVERY,
}


def reservation_id(order_id: str, shipment_id: str) -> str:
    """The stock reservation behind one shipment; stock streams are per SKU, so this is unique per stream."""
    return f"{order_id}/{shipment_id}"


class Shipment(msgspec.Struct, frozen=True, kw_only=True):
    shipment_id: str
    location_code: str
    status: ShipmentStatus
    lines: tuple[Line, ...]
    planned_at: datetime | None = None  # None for shipments planned before it was recorded: they never expire
    release_at: datetime | None = None  # an order for a later window: not to be picked before then
    kind: DeliveryMethod = DeliveryMethod.SHIP
    destination: str | None = None  # a transfer's pickup store
    # A PICKUP shipment fed by a transfer (`fed_by`, its id) waits for it while `awaiting_transfer`: PLANNED but
    # not pickable, nothing reserved, out of pick lists and pick SLAs, until the transfer arrives.
    fed_by: str | None = None
    awaiting_transfer: bool = False
    carrier: str | None = None
    tracking_number: str | None = None
    promised_delivery: datetime | None = None
    estimated_delivery: datetime | None = None
    picked_at: datetime | None = None
    declines: tuple[PickDecline, ...] = ()
    dispatched_at: datetime | None = None
    delivered_at: datetime | None = None
    tracking: tuple[Scan, ...] = ()  # in the order recorded (carriers report late scans)
    # At the pickup counter (see pickup_events): the code, the hold, the reminder and the wrong codes in a row.
    pickup_code: str | None = None
    ready_at: datetime | None = None
    expires_at: datetime | None = None
    reminded_at: datetime | None = None
    collected_at: datetime | None = None
    wrong_codes: int = 0
    locked_until: datetime | None = None


class ReturnClaim(msgspec.Struct, frozen=True, kw_only=True):
    return_id: str
    lines: tuple[Line, ...]  # claimed while open; what came back once closed
    closed: bool = False


class Order(msgspec.Struct, frozen=True, kw_only=True):
    order_id: str
    customer_id: str
    lines: tuple[Line, ...]  # as ordered
    ship_to: Address
    service_level: ServiceLevel
    priority: int
    channel: str
    placed_at: datetime
    idempotency_key: str | None = None
    delivery_method: DeliveryMethod = DeliveryMethod.SHIP
    pickup_location_code: str | None = None
    replacement_for: str | None = None
    substitutions: tuple[SubstituteLine, ...] = ()  # lines that stand in for another SKU
    delivery_window: ChosenWindow | None = None
    cancelled_quantities: dict[str, int] = {}
    shipments: tuple[Shipment, ...] = ()
    hold_reason: str | None = None  # set while on hold
    cancelled: bool = False
    completed: bool = False
    backordered_recorded: tuple[Line, ...] | None = None  # None until the first allocation attempt
    returns: tuple[ReturnClaim, ...] = ()
    # Locations that declined units of this order at the pick: sourcing never sends its units there again.
    excluded_locations: frozenset[str] = frozenset()
    prices: dict[str, Money] = {}  # unit price paid, per priced SKU (one currency)
    paid: Money | None = None  # what the customer paid for the order; None: no prices
    refunded: Money | None = None  # the running total of OrderRefunded; None: nothing refunded yet


class LineSummary(msgspec.Struct, frozen=True, kw_only=True):
    """Per SKU: ordered = allocated + backordered (or still unallocated) + cancelled."""

    sku: str
    ordered: int
    allocated: int  # in live shipments, shipped or not
    backordered: int
    shipped: int
    delivered: int
    cancelled: int
    returned: int


def _sum_lines(shipments: tuple[Shipment, ...], statuses: frozenset[ShipmentStatus]) -> Counter[str]:
    total: Counter[str] = Counter()
    for shipment in shipments:
        # A transfer's units are the customer's only through the pickup shipment it feeds: counted once, there.
        if shipment.status in statuses and shipment.destination is None:
            for line in shipment.lines:
                total[line.sku] += line.quantity
    return total


# An expired shipment keeps its lines for the record, but its units are back to be sourced elsewhere.
LIVE = frozenset(ShipmentStatus) - {ShipmentStatus.CANCELLED, ShipmentStatus.EXPIRED}


def unallocated(order: Order) -> dict[str, int]:
    allocated = _sum_lines(order.shipments, LIVE)
    return {
        line.sku: line.quantity - order.cancelled_quantities.get(line.sku, 0) - allocated[line.sku]
        for line in order.lines
    }


def line_summaries(order: Order) -> tuple[LineSummary, ...]:
    allocated = _sum_lines(order.shipments, LIVE)
    shipped = _sum_lines(order.shipments, SHIPPED)
    delivered = _sum_lines(order.shipments, frozenset({ShipmentStatus.DELIVERED}))
    returned: Counter[str] = Counter()
    for claim in order.returns:
        if claim.closed:
            returned.update({line.sku: line.quantity for line in claim.lines})
    waiting = unallocated(order)
    attempted = allocation_attempted(order) and not order.cancelled
    return tuple(
        LineSummary(
            sku=line.sku,
            ordered=line.quantity,
            allocated=allocated[line.sku],
            backordered=waiting[line.sku] if attempted else 0,
            shipped=shipped[line.sku],
            delivered=delivered[line.sku],
            cancelled=order.cancelled_quantities.get(line.sku, 0),
            returned=returned[line.sku],
        )
        for line in order.lines
    )


def allocation_attempted(order: Order) -> bool:
    """Sourcing has looked at this order: what is not allocated now waits for supply (is backordered).
    Shipments count too: an allocation taken back by a count shortfall leaves its quantity waiting."""
    return order.backordered_recorded is not None or bool(order.shipments)


def order_status(order: Order) -> OrderStatus:
    """Terminal and hold flags first, then the furthest stage that all live quantity has reached."""
    if order.cancelled:
        return OrderStatus.CANCELLED
    if order.completed:
        return OrderStatus.COMPLETED
    summaries = line_summaries(order)
    live = sum(s.ordered - s.cancelled for s in summaries)
    if live == 0:
        return OrderStatus.CANCELLED  # every line was cancelled
    if order.hold_reason is not None:
        return OrderStatus.ON_HOLD
    collected = sum(_sum_lines(order.shipments, frozenset({ShipmentStatus.COLLECTED})).values())
    ready = sum(_sum_lines(order.shipments, frozenset({ShipmentStatus.READY_FOR_PICKUP})).values())
    if collected == live:
        return OrderStatus.COLLECTED
    if ready > 0 and ready + collected == live:
        return OrderStatus.READY_FOR_PICKUP
    delivered = sum(s.delivered for s in summaries)
    shipped = sum(s.shipped for s in summaries)
    allocated = sum(s.allocated for s in summaries)
    if delivered == live:
        return OrderStatus.DELIVERED
    if delivered > 0:
        return OrderStatus.PARTIALLY_DELIVERED
    if shipped == live:
        return OrderStatus.SHIPPED
    if shipped > 0:
        return OrderStatus.PARTIALLY_SHIPPED
    if allocated == live:
        started = (ShipmentStatus.PICKED, ShipmentStatus.PACKED, ShipmentStatus.READY_FOR_PICKUP)
        packing = any(s.status in started for s in order.shipments)
        return OrderStatus.IN_FULFILLMENT if packing else OrderStatus.ALLOCATED
    if allocated > 0:
        return OrderStatus.PARTIALLY_ALLOCATED
    if allocation_attempted(order):
        return OrderStatus.BACKORDERED
    return OrderStatus.PLACED


def open_reservations(order: Order) -> tuple[ReservationRef, ...]:
    """Stock still reserved for this order: what a cancel releases and what dispatch ships."""
    return tuple(
        ReservationRef(
            location_code=shipment.location_code,
            sku=line.sku,
            reservation_id=reservation_id(order.order_id, shipment.shipment_id),
            quantity=line.quantity,
        )
        for shipment in order.shipments
        if shipment.status in OPEN_SHIPMENT and not shipment.awaiting_transfer  # nothing reserved for it yet
        for line in shipment.lines
    )


def shipment_reservations(order: Order, shipment_id: str) -> tuple[ReservationRef, ...]:
    """The stock reservations behind one shipment: the handler ships these (`ShipStock`) on dispatch."""
    rid = reservation_id(order.order_id, shipment_id)
    return tuple(
        ReservationRef(location_code=s.location_code, sku=line.sku, reservation_id=rid, quantity=line.quantity)
        for s in order.shipments
        if s.shipment_id == shipment_id
        for line in s.lines
    )


def returnable_quantities(order: Order) -> dict[str, int]:
    """In the customer's hands (delivered or collected) minus what returns already claim (open) or brought back
    (closed)."""
    delivered = _sum_lines(order.shipments, IN_CUSTOMERS_HANDS)
    for claim in order.returns:
        delivered.subtract({line.sku: line.quantity for line in claim.lines})
    return {line.sku: max(0, delivered[line.sku]) for line in order.lines}


def last_delivered_at(order: Order) -> datetime | None:
    """When the customer last received goods: a return window counts from a collection as from a delivery."""
    times = [t for s in order.shipments if (t := s.delivered_at or s.collected_at) is not None]
    return max(times) if times else None


def _reduce(shipment: Shipment, sku: str, quantity: int) -> Shipment:
    lines = tuple(Line(line.sku, line.quantity - quantity) if line.sku == sku else line for line in shipment.lines)
    lines = tuple(line for line in lines if line.quantity > 0)
    # A shipment with nothing left is cancelled; it keeps its last lines for the record.
    if not lines:
        return msgspec.structs.replace(shipment, status=ShipmentStatus.CANCELLED)
    return msgspec.structs.replace(shipment, lines=lines)


def _on_shipment(order: Order, shipment_id: str, change: dict[str, object]) -> Order:
    shipments = tuple(
        msgspec.structs.replace(s, **change) if s.shipment_id == shipment_id else s for s in order.shipments
    )
    return msgspec.structs.replace(order, shipments=shipments)


def _reduce_shipment(order: Order, shipment_id: str, sku: str, quantity: int) -> Order:
    """Fewer units in a shipment. Fewer in a transfer not yet on its way means fewer for the pickup shipment
    waiting for it: both are reduced, so the units are the order's to source again, once."""
    fed = _fed_by(order, shipment_id)
    shipments = tuple(
        _reduce(s, sku, quantity) if s.shipment_id == shipment_id or s is fed else s for s in order.shipments
    )
    return msgspec.structs.replace(order, shipments=shipments)


def _fed_by(order: Order, transfer_id: str) -> Shipment | None:
    """The pickup shipment still waiting for this transfer, if any."""
    return next((s for s in order.shipments if s.fed_by == transfer_id and s.awaiting_transfer), None)


def _transfer_expired(order: Order, transfer_id: str) -> Order:
    """A transfer that will never leave takes the pickup shipment waiting for it along (it reserved nothing)."""
    fed = _fed_by(order, transfer_id)
    if fed is None:
        return order
    return _on_shipment(order, fed.shipment_id, {"status": ShipmentStatus.CANCELLED})


def _transfer_received(order: Order, event: TransferReceived) -> Order:
    """The transfer is delivered (if the carrier has not said so already), and the pickup shipment it fed is
    pickable from now: its pick SLA starts with the arrival."""
    transfer = next(s for s in order.shipments if s.shipment_id == event.shipment_id)
    if transfer.status is not ShipmentStatus.DELIVERED:
        change: dict[str, object] = {"status": ShipmentStatus.DELIVERED, "delivered_at": event.received_at}
        order = _on_shipment(order, event.shipment_id, change)
    fed = next(s for s in order.shipments if s.shipment_id == event.pickup_shipment_id)
    if not fed.awaiting_transfer:
        return order
    return _on_shipment(order, fed.shipment_id, {"awaiting_transfer": False, "planned_at": event.received_at})


def _track(shipment: Shipment, event: TrackingUpdated) -> Shipment:
    latest = max((t.occurred_at for t in shipment.tracking), default=None)
    entry = Scan(status=event.status, message=event.message, occurred_at=event.occurred_at, location=event.location)
    status = shipment.status
    # Webhooks arrive out of order: only the newest update moves a shipment that is on the road.
    if status in ON_THE_ROAD and (latest is None or event.occurred_at >= latest):
        status = _TRACKING_TO_SHIPMENT.get(event.status, status)
    return msgspec.structs.replace(
        shipment,
        status=status,
        tracking=(*shipment.tracking, entry),
        estimated_delivery=event.estimated_delivery or shipment.estimated_delivery,
    )


def _picked(order: Order, event: ShipmentPicked) -> Order:
    replace = msgspec.structs.replace
    change: dict[str, object] = {"status": ShipmentStatus.PICKED, "picked_at": event.picked_at}
    order = _on_shipment(order, event.shipment_id, change)
    for decline in event.declines:
        order = _reduce_shipment(order, event.shipment_id, decline.sku, decline.quantity)
    if not event.declines:
        return order
    shipment = next(s for s in order.shipments if s.shipment_id == event.shipment_id)
    order = _on_shipment(order, event.shipment_id, {"declines": (*shipment.declines, *event.declines)})
    return replace(order, excluded_locations=order.excluded_locations | {shipment.location_code})


def _at_the_counter(
    event: ShipmentReadyForPickup | PickupCodeRejected | ShipmentCollected | PickupReminderIssued,
) -> dict[str, object]:
    """What a pickup counter event changes on its shipment."""
    match event:
        case ShipmentReadyForPickup():
            return {
                "status": ShipmentStatus.READY_FOR_PICKUP,
                "pickup_code": event.pickup_code,
                "ready_at": event.ready_at,
                "expires_at": event.expires_at,
            }
        case PickupCodeRejected() if event.locked_until is not None:
            return {"wrong_codes": 0, "locked_until": event.locked_until}  # the count starts again after the lock
        case PickupCodeRejected():
            return {"wrong_codes": event.attempts}
        case ShipmentCollected():
            return {"status": ShipmentStatus.COLLECTED, "collected_at": event.collected_at}
        case PickupReminderIssued():
            return {"reminded_at": event.reminded_at}


def _edited(order: Order, event: OrderEdited) -> Order:
    cancelled = Counter(order.cancelled_quantities)
    cancelled.update({line.sku: line.quantity for line in event.cancelled})
    # Units the edit adds to a priced line are paid at that line's price (a new SKU's comes with the edit).
    prices = {**order.prices, **{p.sku: p.unit_price for p in event.prices}}
    before = {line.sku: line.quantity for line in order.lines}
    more = [
        money.times(prices[line.sku], line.quantity - before.get(line.sku, 0))
        for line in event.lines
        if line.sku in prices and line.quantity > before.get(line.sku, 0)
    ]
    order = msgspec.structs.replace(
        order,
        lines=event.lines,
        prices=prices,
        paid=money.total([m for m in (order.paid, *more) if m is not None]),
        cancelled_quantities=dict(cancelled),
        ship_to=event.ship_to or order.ship_to,
        service_level=event.service_level or order.service_level,
    )
    for cut in event.reductions:
        order = _reduce_shipment(order, cut.shipment_id, cut.sku, cut.quantity)
    return order


def _release(order: Order, allocated_at: datetime) -> datetime | None:
    """When a shipment planned now for the order's window may be picked: the window's release, if still ahead."""
    window = order.delivery_window
    if window is None or window.release_at is None or window.release_at <= allocated_at:
        return None
    return window.release_at


def _paid(placed: OrderPlaced) -> Money | None:
    quantities = {line.sku: line.quantity for line in placed.lines}
    return money.total(money.times(p.unit_price, quantities[p.sku]) for p in placed.prices)


def order_total(order: Order) -> Money | None:
    """Σ unit price x quantity over the priced lines, cancelled units excluded (a cancelled order keeps only
    what had shipped); None when the order has no prices."""
    if not order.prices:
        return None
    currency = next(iter(order.prices.values())).currency
    kept = {s.sku: s.shipped if order.cancelled else s.ordered - s.cancelled for s in line_summaries(order)}
    priced = (money.times(price, kept.get(sku, 0)) for sku, price in order.prices.items())
    return money.total(priced) or money.zero(currency)


def evolve(state: Order | None, event: Event) -> Order | None:
    if isinstance(event, OrderPlaced):
        return Order(
            order_id=event.order_id,
            customer_id=event.customer_id,
            lines=event.lines,
            ship_to=event.ship_to,
            service_level=event.service_level,
            priority=event.priority,
            channel=event.channel,
            placed_at=event.placed_at,
            idempotency_key=event.idempotency_key,
            delivery_method=event.delivery_method,
            pickup_location_code=event.pickup_location_code,
            replacement_for=event.replacement_for,
            substitutions=event.substitutions,
            delivery_window=event.delivery_window,
            prices={p.sku: p.unit_price for p in event.prices},
            paid=_paid(event),
        )
    if state is None:
        return None
    replace = msgspec.structs.replace
    match event:
        case OrderAllocated():
            planned = tuple(
                Shipment(
                    shipment_id=p.shipment_id,
                    location_code=p.location_code,
                    status=ShipmentStatus.PLANNED,
                    lines=p.lines,
                    planned_at=event.allocated_at,
                    release_at=_release(state, event.allocated_at),
                    kind=p.kind,
                    destination=p.destination,
                    fed_by=p.fed_by,
                    awaiting_transfer=p.fed_by is not None,
                )
                for p in event.shipments
            )
            return replace(state, shipments=(*state.shipments, *planned))
        case OrderBackordered():
            return replace(state, backordered_recorded=event.lines)
        case OrderPlacedOnHold():
            return replace(state, hold_reason=event.reason)
        case OrderHoldReleased():
            return replace(state, hold_reason=None)
        case OrderCancelled():
            shipments = tuple(
                replace(s, status=ShipmentStatus.CANCELLED) if s.status in OPEN_SHIPMENT else s for s in state.shipments
            )
            return replace(state, cancelled=True, hold_reason=None, shipments=shipments)
        case OrderLinesCancelled():
            cancelled = Counter(state.cancelled_quantities)
            cancelled.update({line.sku: line.quantity for line in event.lines})
            order = replace(state, cancelled_quantities=dict(cancelled))
            for cut in event.reductions:
                order = _reduce_shipment(order, cut.shipment_id, cut.sku, cut.quantity)
            return order
        case OrderEdited():
            return _edited(state, event)
        case AllocationReverted():
            return _reduce_shipment(state, event.shipment_id, event.sku, event.quantity)
        case ShipmentPicked():
            return _picked(state, event)
        case ShipmentExpired():
            order = _transfer_expired(state, event.shipment_id)
            order = _on_shipment(order, event.shipment_id, {"status": ShipmentStatus.EXPIRED})
            shipment = next(s for s in order.shipments if s.shipment_id == event.shipment_id)
            return replace(order, excluded_locations=order.excluded_locations | {shipment.location_code})
        case TransferReceived():
            return _transfer_received(state, event)
        case ShipmentPacked():
            return _on_shipment(state, event.shipment_id, {"status": ShipmentStatus.PACKED})
        case ShipmentDispatched():
            change: dict[str, object] = {
                "status": ShipmentStatus.DISPATCHED,
                "carrier": event.carrier,
                "tracking_number": event.tracking_number,
                "promised_delivery": event.promised_delivery,
                "dispatched_at": event.dispatched_at,
            }
            return _on_shipment(state, event.shipment_id, change)
        case TrackingUpdated():
            shipments = tuple(_track(s, event) if s.shipment_id == event.shipment_id else s for s in state.shipments)
            return replace(state, shipments=shipments)
        case ShipmentDelivered():
            change = {"status": ShipmentStatus.DELIVERED, "delivered_at": event.delivered_at}
            return _on_shipment(state, event.shipment_id, change)
        case ShipmentException():
            return _on_shipment(state, event.shipment_id, {"status": ShipmentStatus.EXCEPTION})
        case ShipmentReadyForPickup() | PickupCodeRejected() | ShipmentCollected() | PickupReminderIssued():
            return _on_shipment(state, event.shipment_id, _at_the_counter(event))
        case PickupExpired():
            return _on_shipment(state, event.shipment_id, {"status": ShipmentStatus.EXPIRED})
        case OrderCompleted():
            return replace(state, completed=True)
        case OrderRefunded():
            refunded = event.amount if state.refunded is None else money.add(state.refunded, event.amount)
            return replace(state, refunded=refunded)
        case OrderReturnOpened():
            return replace(state, returns=(*state.returns, ReturnClaim(return_id=event.return_id, lines=event.lines)))
        case OrderReturnClosed():
            claims = tuple(
                ReturnClaim(return_id=c.return_id, lines=event.returned, closed=True)
                if c.return_id == event.return_id
                else c
                for c in state.returns
            )
            return replace(state, returns=claims)
    return state
