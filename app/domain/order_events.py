"""Events of an order stream (`order-<id>`); the order's shipments live inside it."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from app.domain.delivery import ChosenWindow
from app.domain.events import Event
from app.domain.money import Money
from app.domain.substitutions import SubstituteLine
from app.domain.values import Address, DeliveryMethod, Line, PickDeclineReason, ServiceLevel, TrackingStatus


class PlannedShipment(msgspec.Struct, frozen=True, kw_only=True):
    shipment_id: str
    location_code: str
    lines: tuple[Line, ...]
    # PICKUP: the customer collects it at `location_code`. A SHIP shipment with a `destination` is a transfer
    # bringing stock to that pickup store. Both default for shipments planned before click & collect existed.
    kind: DeliveryMethod = DeliveryMethod.SHIP
    destination: str | None = None
    # On a PICKUP shipment: the transfer (a shipment of the same order) that brings its units to the store. It
    # waits for that transfer, reserving nothing, and becomes pickable when the transfer arrives (TransferReceived).
    fed_by: str | None = None


class PlannedShipmentCost(msgspec.Struct, frozen=True, kw_only=True):
    shipment_id: str
    location_code: str
    carrier_service: str
    cost: float
    promised_delivery: datetime | None


class ReservationRef(msgspec.Struct, frozen=True, kw_only=True):
    """A reservation in stock stream (sku, location_code) that the handler must release or ship."""

    location_code: str
    sku: str
    reservation_id: str
    quantity: int


class ShipmentReduction(msgspec.Struct, frozen=True, kw_only=True):
    shipment_id: str
    sku: str
    quantity: int


class LinePrice(msgspec.Struct, frozen=True, kw_only=True):
    """What one unit of a SKU on the order costs the customer (the price paid)."""

    sku: str
    unit_price: Money


class RefundCause(enum.StrEnum):
    """Why units of a priced order are refunded: they left the order in one of these ways."""

    CANCELLED = "CANCELLED"
    EDITED = "EDITED"
    PICKUP_EXPIRED = "PICKUP_EXPIRED"
    RETURNED = "RETURNED"


class OrderEvent(Event, frozen=True, kw_only=True):
    order_id: str


class OrderPlaced(OrderEvent, frozen=True, kw_only=True):
    customer_id: str
    lines: tuple[Line, ...]
    ship_to: Address
    service_level: ServiceLevel
    priority: int
    channel: str
    placed_at: datetime
    idempotency_key: str | None = None
    delivery_method: DeliveryMethod = DeliveryMethod.SHIP
    pickup_location_code: str | None = None  # the store a PICKUP order is collected at
    replacement_for: str | None = None  # an exchange's (or a replaced return's) replacement: the original order
    reservation_id: str | None = None  # placed from a cart reservation: allocated in the same append
    allocated_on_placement: bool = False  # sourced in the placing append (the fast path): nothing to source
    substitutions: tuple[SubstituteLine, ...] = ()  # none for orders placed before substitutes existed
    delivery_window: ChosenWindow | None = None  # the window the customer chose (its slot is taken with it)
    # The priced lines (one currency). Orders placed before prices existed, and unpriced lines, have none.
    prices: tuple[LinePrice, ...] = ()


class OrderAllocated(OrderEvent, frozen=True, kw_only=True):
    shipments: tuple[PlannedShipment, ...]
    allocated_at: datetime


class OrderBackordered(OrderEvent, frozen=True, kw_only=True):
    """After an allocation attempt, these quantities (per SKU) could not be allocated and wait for supply."""

    lines: tuple[Line, ...]


class OrderPlacedOnHold(OrderEvent, frozen=True, kw_only=True):
    reason: str


class OrderHoldReleased(OrderEvent, frozen=True, kw_only=True):
    """The hold was lifted; the order may be allocated again."""


class OrderCancelled(OrderEvent, frozen=True, kw_only=True):
    reason: str
    released: tuple[ReservationRef, ...]  # stock reservations the handler releases in the same transaction
    cancelled_at: datetime


class OrderLinesCancelled(OrderEvent, frozen=True, kw_only=True):
    lines: tuple[Line, ...]  # quantity cancelled now, per SKU
    reductions: tuple[ShipmentReduction, ...]  # taken out of planned/packed shipments
    released: tuple[ReservationRef, ...]
    reason: str


class OrderEdited(OrderEvent, frozen=True, kw_only=True):
    """The order was changed before the units concerned were picked. `lines` are the order's lines after the
    edit, as ordered: units edited away count as cancelled (`cancelled`, per SKU), so that ordered = allocated +
    backordered + cancelled still holds and a priced line's edited-away units are refunded like cancelled ones.
    Units taken out of planned shipments are `reductions`, their reservations `released` (all of a planned
    shipment's when the address or service level changed: those are planned again). `ship_to` and
    `service_level` are None when unchanged. What is left unallocated is sourced in the same transaction."""

    lines: tuple[Line, ...]
    cancelled: tuple[Line, ...]
    reductions: tuple[ShipmentReduction, ...]
    released: tuple[ReservationRef, ...]
    ship_to: Address | None = None
    service_level: ServiceLevel | None = None
    reason: str = ""
    edited_at: datetime
    prices: tuple[LinePrice, ...] = ()  # the prices of SKUs new to the order (a kept SKU keeps its price paid)


class AllocationReverted(OrderEvent, frozen=True, kw_only=True):
    """The stock behind a shipment line was lost (a count shortfall): the quantity is backordered again."""

    shipment_id: str
    sku: str
    quantity: int
    reason: str


class PickDecline(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    quantity: int
    reason: PickDeclineReason


class ShipmentPicked(OrderEvent, frozen=True, kw_only=True):
    """The location picked the shipment. Declined units leave it (a shipment left empty is cancelled), their
    reservations are `released`, and the location is never asked again for this order's units."""

    shipment_id: str
    picked_at: datetime
    declines: tuple[PickDecline, ...] = ()
    released: tuple[ReservationRef, ...] = ()


class ShipmentExpired(OrderEvent, frozen=True, kw_only=True):
    """The shipment was not picked within its location's SLA: all its units leave it, their reservations are
    `released`, and the location is never asked again for this order's units (as for a declined pick)."""

    shipment_id: str
    expired_at: datetime
    released: tuple[ReservationRef, ...]


class TransferReceived(OrderEvent, frozen=True, kw_only=True):
    """A transfer arrived at its pickup store (carrier DELIVERED, or the store picking what arrived): `received`
    goes into the store's stock and, in the same append, `reserved` is reserved there for the pickup shipment it
    fed, which becomes pickable (its pick SLA counts from now). `reserved` is empty when that pickup shipment was
    cancelled on the way: the units then stay in the store's available stock."""

    shipment_id: str  # the transfer
    pickup_shipment_id: str
    location_code: str  # the pickup store
    received: tuple[Line, ...]
    reserved: tuple[ReservationRef, ...]
    received_at: datetime


class ShipmentPacked(OrderEvent, frozen=True, kw_only=True):
    shipment_id: str
    packed_at: datetime


class ShipmentDispatched(OrderEvent, frozen=True, kw_only=True):
    shipment_id: str
    carrier: str
    tracking_number: str
    promised_delivery: datetime | None
    dispatched_at: datetime


class TrackingUpdated(OrderEvent, frozen=True, kw_only=True):
    shipment_id: str
    status: TrackingStatus
    message: str | None
    occurred_at: datetime
    location: str | None = None
    estimated_delivery: datetime | None = None


class ShipmentDelivered(OrderEvent, frozen=True, kw_only=True):
    shipment_id: str
    delivered_at: datetime


class ShipmentException(OrderEvent, frozen=True, kw_only=True):
    shipment_id: str
    reason: str
    occurred_at: datetime


class OrderCompleted(OrderEvent, frozen=True, kw_only=True):
    completed_at: datetime


class OrderReturnOpened(OrderEvent, frozen=True, kw_only=True):
    """A return claims these delivered quantities, so two returns cannot claim the same unit."""

    return_id: str
    lines: tuple[Line, ...]


class OrderReturnClosed(OrderEvent, frozen=True, kw_only=True):
    """The return ended: `returned` came back (empty when it was rejected); the rest of its claim is freed."""

    return_id: str
    returned: tuple[Line, ...]


class OrderRefunded(OrderEvent, frozen=True, kw_only=True):
    """Money went back to the customer for these units of a priced order. Appended with what made the units
    leave (the cancellation, the edit, the expired pickup, the refunded return), in the same atomic write."""

    amount: Money
    cause: RefundCause
    lines: tuple[Line, ...]  # the units refunded
    refunded_at: datetime
    return_id: str | None = None  # cause RETURNED: the return refunded
    reason: str | None = None  # an operator's words when refunding less than the units' price


class CandidateOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """One location the sourcing engine considered: chosen or not, and why."""

    location_code: str
    selected: bool
    reason: str | None = None  # the rule that excluded it, or why it lost
    cost: float | None = None


class SourcingDecided(OrderEvent, frozen=True, kw_only=True):
    """Why the order ships from where it does: recorded with the allocation it led to, in one transaction.

    `shipments` repeats the plan's cost and promise per shipment (OrderAllocated holds only what is reserved),
    so "why did this ship from there?" is answered from the log alone.
    """

    decided_at: datetime
    algorithm: str
    total_cost: float
    objective: float
    lower_bound: float | None
    fallback_used: bool
    profile_version: int
    candidates: tuple[CandidateOutcome, ...]
    shipments: tuple[PlannedShipmentCost, ...]
    backordered: tuple[Line, ...]
    # What made sourcing run: PLACED (the first attempt), SUPPLY (a backorder tried again), DECLINED (a pick's
    # declined units), EXPIRED (a pick that missed its location's SLA), EDITED (what an edit left to source).
    # Events recorded before triggers existed were all first attempts or supply retries; they read as PLACED.
    trigger: str = "PLACED"
    gap: float | None = None  # the solver's proven optimality gap; None for heuristics and older events


ORDER_EVENTS: tuple[type[Event], ...] = (
    OrderPlaced,
    SourcingDecided,
    OrderAllocated,
    OrderBackordered,
    OrderPlacedOnHold,
    OrderHoldReleased,
    OrderCancelled,
    OrderLinesCancelled,
    AllocationReverted,
    ShipmentPicked,
    ShipmentExpired,
    TransferReceived,
    ShipmentPacked,
    ShipmentDispatched,
    TrackingUpdated,
    ShipmentDelivered,
    ShipmentException,
    OrderCompleted,
    OrderReturnOpened,
    OrderReturnClosed,
    OrderEdited,
    OrderRefunded,
)
