"""Commands of the application layer that no single aggregate owns: they coordinate several streams."""

from __future__ import annotations

from app.domain.events import Command


class SourceOrder(Command, frozen=True, kw_only=True):
    """Decide where the order's unallocated quantity ships from, and reserve that stock."""

    order_id: str


class CheckReplenishment(Command, frozen=True, kw_only=True):
    """Propose supply for this SKU at this location if its position fell below the reorder point."""

    sku: str
    location_code: str


class FulfilReplenishment(Command, frozen=True, kw_only=True):
    """Turn a ReplenishmentRequested into supply on its way: a transfer out of the source centre, or a PO."""

    sku: str
    location_code: str
    replenishment_id: str
    source_location_code: str | None  # None: buy (purchase order) rather than transfer


class SettleReturn(Command, frozen=True, kw_only=True):
    """Refund or replace a received return, by the return policy."""

    return_id: str


class SourceOrders(Command, frozen=True, kw_only=True):
    """Source several orders that arrived together: planned as one batch (higher priority, then older, first),
    each appended with its reservations in its own transaction, in that order."""

    order_ids: tuple[str, ...]
