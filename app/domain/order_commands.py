"""Commands on an order stream. Ids (order, shipment, return) and times are passed in."""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.domain.delivery import ChosenWindow
from app.domain.events import Command
from app.domain.money import Money
from app.domain.order_events import LinePrice, PlannedShipment
from app.domain.substitutions import SubstituteLine
from app.domain.values import Address, DeliveryMethod, Line, PickDeclineReason, Scan, ServiceLevel


class OrderCommand(Command, frozen=True, kw_only=True):
    order_id: str


class PlaceOrder(OrderCommand, frozen=True, kw_only=True):
    customer_id: str
    lines: tuple[Line, ...]
    ship_to: Address | None  # required to SHIP; a PICKUP order without one takes its store's coordinates
    service_level: ServiceLevel = ServiceLevel.STANDARD
    priority: int = 0  # higher first
    channel: str = "web"
    idempotency_key: str | None = None
    replacement_for: str | None = None  # the order whose returned goods this one replaces
    reservation_id: str | None = None  # a cart reservation whose held units become this order's allocation
    delivery_method: DeliveryMethod = DeliveryMethod.SHIP
    pickup_location_code: str | None = None  # required for PICKUP: the store it is collected at
    substitutions: tuple[SubstituteLine, ...] = ()  # lines the customer accepted in place of another SKU
    # The window the order must arrive in, as the window handler resolved it (which site, level, release).
    delivery_window: ChosenWindow | None = None
    prices: tuple[LinePrice, ...] = ()  # unit prices of the priced lines, by SKU; validated by `decide`


class AllocateOrder(OrderCommand, frozen=True, kw_only=True):
    """Plan shipments for some or all of the unallocated quantity; may be issued again when supply arrives."""

    shipments: tuple[PlannedShipment, ...]


class PlaceOrderOnHold(OrderCommand, frozen=True, kw_only=True):
    reason: str


class ReleaseOrderHold(OrderCommand, frozen=True, kw_only=True):
    """Let a held order go on to allocation and fulfilment."""


class CancelOrder(OrderCommand, frozen=True, kw_only=True):
    reason: str = ""


class CancelOrderLines(OrderCommand, frozen=True, kw_only=True):
    """Cancel what has not shipped yet: these quantities per SKU, or (lines=None) everything remaining."""

    lines: tuple[Line, ...] | None = None
    reason: str = ""


class EditOrder(OrderCommand, frozen=True, kw_only=True):
    """Change the order before the units concerned are picked. `lines` is the new full set (a SKU left out is
    removed; None leaves the lines as they are); `ship_to` and `service_level` None leave them as they are.
    `expected_version` (when given) is checked by the handler against the order stream's version."""

    lines: tuple[Line, ...] | None = None
    ship_to: Address | None = None
    service_level: ServiceLevel | None = None
    reason: str = ""
    expected_version: int | None = None
    prices: tuple[LinePrice, ...] = ()  # unit prices given with `lines`: a new SKU's is its price from now on


class RevertAllocation(OrderCommand, frozen=True, kw_only=True):
    shipment_id: str
    sku: str
    quantity: int
    reason: str = "SHORTFALL"


class PickLine(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    picked: int
    reason: PickDeclineReason | None = None  # required when fewer than planned were picked


class ConfirmPick(OrderCommand, frozen=True, kw_only=True):
    """What the location picked for a PLANNED shipment, every SKU of it listed once."""

    shipment_id: str
    lines: tuple[PickLine, ...]
    # A PICKUP shipment is then ready at the counter with this fresh 6-digit code (the handler draws one with
    # `secrets` when none is given); ignored for a shipment that ships.
    pickup_code: str | None = None


class ExpirePick(OrderCommand, frozen=True, kw_only=True):
    """The pick SLA may have passed for a shipment: it expires if it is still PLANNED and older than the SLA of
    its location; otherwise nothing changes (so a repeated or early sweep is harmless)."""

    shipment_id: str


class PackShipment(OrderCommand, frozen=True, kw_only=True):
    shipment_id: str


class DispatchShipment(OrderCommand, frozen=True, kw_only=True):
    shipment_id: str
    carrier: str
    tracking_number: str
    promised_delivery: datetime | None = None


class RecordScans(OrderCommand, frozen=True, kw_only=True):
    """What a carrier reported for a shipment, by webhook or poll; scans already recorded change nothing."""

    shipment_id: str
    scans: tuple[Scan, ...]
    estimated_delivery: datetime | None = None


class MarkShipmentDelivered(OrderCommand, frozen=True, kw_only=True):
    shipment_id: str
    delivered_at: datetime


class ReportShipmentException(OrderCommand, frozen=True, kw_only=True):
    shipment_id: str
    reason: str


class CompleteOrder(OrderCommand, frozen=True, kw_only=True):
    """Close a fulfilled order: nothing more will happen to it but returns."""


class OpenReturn(OrderCommand, frozen=True, kw_only=True):
    return_id: str
    lines: tuple[Line, ...]


class CloseReturn(OrderCommand, frozen=True, kw_only=True):
    return_id: str
    returned: tuple[Line, ...] = ()


class RefundReturnedUnits(OrderCommand, frozen=True, kw_only=True):
    """Record on the order the refund a return was settled with (the return decided the amount: the units'
    paid price less fees, or an operator's lower figure); the order refuses more than is left to refund."""

    return_id: str
    lines: tuple[Line, ...]  # the units that came back
    amount: Money
    reason: str | None = None
