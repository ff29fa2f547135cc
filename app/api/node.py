"""`node(id)`: any object by its global id, under the same visibility rules as its own query."""

from __future__ import annotations

import strawberry

from .context import ANYONE, STAFF, Info
from .ids import split_global_id, split_shipment_key
from .locations import Location, location
from .orders.access import may_see, visible_order
from .orders.types import Order, Return, shipments_of
from .scalars import Node


@strawberry.type
class NodeQueries:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        principal = info.context.require(*ANYONE)
        type_name, key = split_global_id(id)
        if type_name == "Location":
            return await location(info, key) if principal.role in STAFF else None
        if type_name == "Order":
            order = await visible_order(info, key)
            return None if order is None else Order.from_state(order)
        if type_name == "Shipment" and (parts := split_shipment_key(key)):
            order = await visible_order(info, parts[0])
            shipments = await shipments_of(info, order) if order else []
            return next((s for s in shipments if s.id == id), None)
        if type_name == "Return":
            state = await info.context.loaders.returns.load(key)
            owner = await info.context.loaders.orders.load(state.order_id) if state else None
            return Return.from_state(state) if state and owner and may_see(info, owner) else None
        return None


__all__ = ["Location", "NodeQueries"]
