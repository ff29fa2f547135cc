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
