"""Replenishment rule: when a location's ATP falls below its reorder point, propose supply.

Pure: the handler passes the stock state of the location and, for candidate sources, each location with its
stock state for the same SKU. The request is appended to the short location's stock stream.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.locations import Location
from app.domain.stock import StockState
from app.domain.stock_events import ReplenishmentRequested
from app.domain.values import LocationType, SupplyKind


def inventory_position(stock: StockState) -> int:
    """What the location can count on: available now, supply on its way, requests not yet answered."""
    return stock.atp + stock.incoming_quantity + sum(stock.pending_replenishments.values())


def decide_replenishment(
    stock: StockState,
    candidates: Sequence[tuple[Location, StockState]],
    *,
    replenishment_id: str,
) -> ReplenishmentRequested | None:
    """None when no reorder point is set or the position still covers it (supply already on its way counts,
    so the same gap is never requested twice). Otherwise a transfer from the active distribution centre with
    the most ATP that can cover the whole quantity, or a purchase order when none can."""
    if stock.reorder_point <= 0 or inventory_position(stock) >= stock.reorder_point:
        return None
    quantity = max(stock.reorder_quantity, stock.reorder_point - inventory_position(stock))
    sources = [
        (source_stock.atp, location.code)
        for location, source_stock in candidates
        if location.active
        and location.type is LocationType.DISTRIBUTION_CENTER
        and location.code != stock.location_code
        and source_stock.atp >= quantity
    ]
    # Most ATP first; the code breaks ties so the same inputs always give the same answer.
    best = max(sources, key=lambda source: (source[0], source[1]), default=None)
    return ReplenishmentRequested(
        sku=stock.sku,
        location_code=stock.location_code,
        replenishment_id=replenishment_id,
        kind=SupplyKind.PURCHASE_ORDER if best is None else SupplyKind.TRANSFER,
        quantity=quantity,
        source_location_code=None if best is None else best[1],
        atp=stock.atp,
        reorder_point=stock.reorder_point,
    )
