"""Events of a stock stream (one SKU at one location). Each carries its SKU and location code so a projection
can file it without parsing the stream id."""

from __future__ import annotations

from datetime import datetime

from app.domain.events import Event
from app.domain.values import SupplyKind


class StockEvent(Event, frozen=True, kw_only=True):
    sku: str
    location_code: str


class StockReceived(StockEvent, frozen=True, kw_only=True):
    """Units arrived without a prior `SupplyExpected` (an unplanned receipt)."""

    quantity: int
    reference: str | None = None


class StockAdjusted(StockEvent, frozen=True, kw_only=True):
    delta: int
    reason: str


class StockCounted(StockEvent, frozen=True, kw_only=True):
    """A cycle count: on hand becomes `counted`; `variance` = counted - on hand before."""

    counted: int
    variance: int


class StockReserved(StockEvent, frozen=True, kw_only=True):
    reservation_id: str
    quantity: int


class ReservationReleased(StockEvent, frozen=True, kw_only=True):
    reservation_id: str
    quantity: int
    # CANCELLED (the order gave it up), SHORTFALL (a count found fewer units than reserved), or free text.
    reason: str


class ReservationTransferred(StockEvent, frozen=True, kw_only=True):
    """A reservation changed hands whole (a cart's hold became an order's): the same units stay reserved, so
    ATP does not move and no other reservation could take them in between."""

    reservation_id: str
    to_reservation_id: str
    quantity: int


class StockShipped(StockEvent, frozen=True, kw_only=True):
    """Units left the building against a reservation: on hand and reserved both fall."""

    reservation_id: str
    quantity: int


class StockReturned(StockEvent, frozen=True, kw_only=True):
    quantity: int
    return_id: str | None = None


class StockWrittenOff(StockEvent, frozen=True, kw_only=True):
    quantity: int
    reason: str
    return_id: str | None = None


class SafetyStockSet(StockEvent, frozen=True, kw_only=True):
    quantity: int


class ReorderPointSet(StockEvent, frozen=True, kw_only=True):
    reorder_point: int
    reorder_quantity: int


class SupplyExpected(StockEvent, frozen=True, kw_only=True):
    supply_id: str
    kind: SupplyKind
    quantity: int
    expected_at: datetime
    source_location_code: str | None = None  # the DC a transfer comes from
    replenishment_id: str | None = None  # the request this supply answers, if any


class SupplyReceived(StockEvent, frozen=True, kw_only=True):
    supply_id: str
    quantity: int


class ReplenishmentRequested(StockEvent, frozen=True, kw_only=True):
    """ATP fell below the reorder point: propose a transfer from a DC or a purchase order."""

    replenishment_id: str
    kind: SupplyKind
    quantity: int
    source_location_code: str | None  # set for a TRANSFER
    atp: int
    reorder_point: int


STOCK_EVENTS: tuple[type[Event], ...] = (
    StockReceived,
    StockAdjusted,
    StockCounted,
    StockReserved,
    ReservationReleased,
    ReservationTransferred,
    StockShipped,
    StockReturned,
    StockWrittenOff,
    SafetyStockSet,
    ReorderPointSet,
    SupplyExpected,
    SupplyReceived,
    ReplenishmentRequested,
)
