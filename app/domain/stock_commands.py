"""Commands on a stock stream; each names its stream by (sku, location_code)."""

from __future__ import annotations

from datetime import datetime

from app.domain.events import Command
from app.domain.values import SupplyKind


class StockCommand(Command, frozen=True, kw_only=True):
    sku: str
    location_code: str


class ReceiveStock(StockCommand, frozen=True, kw_only=True):
    quantity: int
    reference: str | None = None


class AdjustStock(StockCommand, frozen=True, kw_only=True):
    delta: int
    reason: str


class CountStock(StockCommand, frozen=True, kw_only=True):
    counted: int


class ReserveStock(StockCommand, frozen=True, kw_only=True):
    reservation_id: str
    quantity: int


class ReleaseReservation(StockCommand, frozen=True, kw_only=True):
    reservation_id: str
    quantity: int | None = None  # None: all that is still reserved
    reason: str = "CANCELLED"


class TransferReservation(StockCommand, frozen=True, kw_only=True):
    """Hand an open reservation, whole, to a new holder (`to_reservation_id`)."""

    reservation_id: str
    to_reservation_id: str


class ShipStock(StockCommand, frozen=True, kw_only=True):
    reservation_id: str
    quantity: int


class ReturnStock(StockCommand, frozen=True, kw_only=True):
    quantity: int
    return_id: str | None = None


class WriteOffStock(StockCommand, frozen=True, kw_only=True):
    quantity: int
    reason: str
    return_id: str | None = None


class SetSafetyStock(StockCommand, frozen=True, kw_only=True):
    quantity: int


class SetReorderPoint(StockCommand, frozen=True, kw_only=True):
    reorder_point: int
    reorder_quantity: int


class ExpectSupply(StockCommand, frozen=True, kw_only=True):
    supply_id: str
    kind: SupplyKind
    quantity: int
    expected_at: datetime
    source_location_code: str | None = None
    replenishment_id: str | None = None


class ReceiveSupply(StockCommand, frozen=True, kw_only=True):
    supply_id: str
    quantity: int
