"""Builders for handler tests: a small network and the commands tests repeat."""

from __future__ import annotations

from app.domain import locations, stock
from app.domain import order_commands as oc
from app.domain.values import Address, Coordinates, Line, LocationType, ServiceLevel
from app.handlers import Handlers

NEWARK = Coordinates(40.73, -74.17)
CHICAGO = Coordinates(41.88, -87.63)
DALLAS = Coordinates(32.78, -96.80)
MANHATTAN = Address(coordinates=Coordinates(40.78, -73.97), postal_code="10024", country="US")


async def location(
    handlers: Handlers, code: str, where: Coordinates, kind: LocationType = LocationType.DISTRIBUTION_CENTER
) -> None:
    await handlers.handle(locations.CreateLocation(code=code, name=f"{code} site", type=kind, coordinates=where))


async def receive(handlers: Handlers, code: str, sku: str, quantity: int) -> None:
    await handlers.handle(stock.ReceiveStock(sku=sku, location_code=code, quantity=quantity))


def place(
    order_id: str,
    *lines: tuple[str, int],
    customer: str = "c-1",
    priority: int = 0,
    level: ServiceLevel = ServiceLevel.STANDARD,
) -> oc.PlaceOrder:
    return oc.PlaceOrder(
        order_id=order_id,
        customer_id=customer,
        lines=tuple(Line(sku, qty) for sku, qty in lines),
        ship_to=MANHATTAN,
        service_level=level,
        priority=priority,
    )
