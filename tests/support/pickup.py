"""A click & collect order waiting to be picked at a store, made through the domain and the handlers' unit of
work (placing PICKUP orders through the API is another slice's): placed, allocated as one PICKUP shipment `S1`
at the store and reserved there, in one append, so a sourcing job that follows finds nothing left to do."""

from __future__ import annotations

from app.domain import orders, stock
from app.domain.aggregates import LOCATION, ORDER, STOCK
from app.domain.order_commands import AllocateOrder, PlaceOrder
from app.domain.order_events import PlannedShipment
from app.domain.order_state import reservation_id
from app.domain.streams import location_stream, order_stream, stock_stream
from app.domain.values import Address, Coordinates, DeliveryMethod, Line
from app.handlers import Context
from app.handlers.unit_of_work import UnitOfWork, execute
from eventstore import Metadata

SHOPPER = Address(coordinates=Coordinates(40.78, -73.97), postal_code="10024", country="US")


async def place_for_pickup(
    ctx: Context, order_id: str, store_code: str, *lines: tuple[str, int], customer: str = "c-1"
) -> None:
    planned = PlannedShipment(
        shipment_id="S1",
        location_code=store_code,
        lines=tuple(Line(sku, qty) for sku, qty in lines),
        kind=DeliveryMethod.PICKUP,
    )

    async def work(uow: UnitOfWork) -> None:
        stream = order_stream(order_id)
        placed = PlaceOrder(order_id=order_id, customer_id=customer, lines=planned.lines, ship_to=SHOPPER)
        order = uow.record(ORDER, stream, orders.decide(await uow.get_new(ORDER, stream), placed, uow.now))
        allocate = AllocateOrder(order_id=order_id, shipments=(planned,))
        uow.record(ORDER, stream, orders.decide(order, allocate, uow.now))
        location = await uow.get(LOCATION, location_stream(store_code))
        for line in planned.lines:
            sid = stock_stream(line.sku, store_code)
            reserve = stock.ReserveStock(
                sku=line.sku,
                location_code=store_code,
                reservation_id=reservation_id(order_id, "S1"),
                quantity=line.quantity,
            )
            uow.record(STOCK, sid, stock.decide(await uow.get(STOCK, sid), reserve, uow.now, location=location))

    await execute(ctx, Metadata(actor="test:pickup"), work)
