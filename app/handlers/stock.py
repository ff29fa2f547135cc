"""Stock commands: the stock stream of one SKU at one location, checked against that location's state."""

from __future__ import annotations

from app.domain import order_commands, orders, stock
from app.domain.aggregates import LOCATION, ORDER, STOCK
from app.domain.replenishment import decide_replenishment
from app.domain.stock_events import ReservationReleased
from app.domain.streams import location_stream, order_stream, stock_stream
from app.domain.values import LocationType

from .commands import CheckReplenishment
from .network import NetworkView
from .unit_of_work import UnitOfWork


async def change_stock(uow: UnitOfWork, command: stock.StockCommand) -> stock.StockState:
    location = await uow.get(LOCATION, location_stream(command.location_code))
    stream = stock_stream(command.sku, command.location_code)
    state = await uow.get(STOCK, stream)
    events = stock.decide(state, command, uow.now, location=location)
    after = uow.record(STOCK, stream, events)
    # A count that found fewer units than are promised released the newest reservations: the orders behind
    # them lose that allocation in the same transaction, so no order believes in stock that is not there.
    for event in events:
        if isinstance(event, ReservationReleased) and event.reason == stock.SHORTFALL:
            await _revert_allocation(uow, event)
    return after


async def _revert_allocation(uow: UnitOfWork, released: ReservationReleased) -> None:
    order_id, _, shipment_id = released.reservation_id.rpartition("/")
    stream = order_stream(order_id)
    order = await uow.get(ORDER, stream)
    if order is None or all(s.shipment_id != shipment_id for s in order.shipments):
        return  # a reservation made outside any order (a manual hold): nothing to revert
    command = order_commands.RevertAllocation(
        order_id=order_id, shipment_id=shipment_id, sku=released.sku, quantity=released.quantity
    )
    uow.record(ORDER, stream, orders.decide(order, command, uow.now))


async def check_replenishment(uow: UnitOfWork, command: CheckReplenishment, network: NetworkView) -> str | None:
    """Records a ReplenishmentRequested on the short location's stream when one is due; returns its id."""
    stream = stock_stream(command.sku, command.location_code)
    state = await uow.get(STOCK, stream)
    if state.reorder_point <= 0:
        return None
    centres = [
        loc
        for loc in await network.locations()
        if loc.type is LocationType.DISTRIBUTION_CENTER and loc.code != command.location_code
    ]
    sources = await uow.get_many(STOCK, [stock_stream(command.sku, loc.code) for loc in centres])
    candidates = [(loc, sources[stock_stream(command.sku, loc.code)]) for loc in centres]
    request = decide_replenishment(state, candidates, replenishment_id=uow.ctx.new_id())
    if request is None:
        return None
    uow.record(STOCK, stream, [request])
    return request.replenishment_id
