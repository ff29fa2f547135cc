"""Replenishment: from a request on a short location's stock stream to supply on its way.

A transfer takes the units out of the source centre's stock now (they are on a truck) and expects them at
the destination; a purchase order only expects them. The supply id is the request's id, so a redelivered job
finds the request answered and does nothing.
"""

from __future__ import annotations

from datetime import timedelta

from app.domain import stock
from app.domain.aggregates import LOCATION, STOCK
from app.domain.errors import InsufficientStock
from app.domain.streams import location_stream, stock_stream
from app.domain.values import SupplyKind

from .commands import FulfilReplenishment
from .unit_of_work import UnitOfWork

TRANSFER_DAYS = 2
PURCHASE_ORDER_DAYS = 7


async def fulfil_replenishment(uow: UnitOfWork, command: FulfilReplenishment) -> SupplyKind | None:
    stream = stock_stream(command.sku, command.location_code)
    state = await uow.get(STOCK, stream)
    quantity = state.pending_replenishments.get(command.replenishment_id)
    if quantity is None:
        return None  # already answered (a redelivered job)
    source = command.source_location_code
    if source is not None and not await _ship_transfer(uow, command, source, quantity):
        source = None  # the centre ran short since the request: buy instead
    kind = SupplyKind.PURCHASE_ORDER if source is None else SupplyKind.TRANSFER
    expect = stock.ExpectSupply(
        sku=command.sku,
        location_code=command.location_code,
        supply_id=command.replenishment_id,
        kind=kind,
        quantity=quantity,
        expected_at=uow.now + timedelta(days=TRANSFER_DAYS if source else PURCHASE_ORDER_DAYS),
        source_location_code=source,
        replenishment_id=command.replenishment_id,
    )
    location = await uow.get(LOCATION, location_stream(command.location_code))
    uow.record(STOCK, stream, stock.decide(state, expect, uow.now, location=location))
    return kind


async def _ship_transfer(uow: UnitOfWork, command: FulfilReplenishment, source: str, quantity: int) -> bool:
    out = stock.AdjustStock(
        sku=command.sku, location_code=source, delta=-quantity, reason=f"TRANSFER_OUT:{command.replenishment_id}"
    )
    source_stream = stock_stream(command.sku, source)
    site = await uow.get(LOCATION, location_stream(source))
    try:
        events = stock.decide(await uow.get(STOCK, source_stream), out, uow.now, location=site)
    except InsufficientStock:
        return False
    uow.record(STOCK, source_stream, events)
    return True
