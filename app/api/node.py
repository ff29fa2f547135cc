"""`node(id)`: any object by its global id, under the same visibility rules as its own query."""

from __future__ import annotations

import strawberry

from .access import can_see_locations, visible_order, visible_return
from .context import ANYONE, Info
from .ids import split_global_id, split_shipment_key
from .locations import Location, location
from .orders.types import Order, Return, shipments_of
from .scalars import Node


@strawberry.type
class NodeQueries:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        principal = info.context.require(*ANYONE)
        type_name, key = split_global_id(id)
        if type_name == "Location":
            return await location(info, key) if can_see_locations(principal) else None
        if type_name == "Order":
            order = await visible_order(info, key)
            return None if order is None else Order.from_state(order)
        if type_name == "Shipment" and (parts := split_shipment_key(key)):
            order = await visible_order(info, parts[0])
            shipments = await shipments_of(info, order) if order else []
            return next((s for s in shipments if s.id == id), None)
        if type_name == "Return":
            state = await visible_return(info, key)
            return None if state is None else Return.from_state(state)
        return None


__all__ = ["Location", "NodeQueries"]
