"""Subscriptions (graphql-transport-ws): an order's or a SKU's every change, in order, pushed as it happens.

The process's LiveFeed reads the log once per wake-up and hands each subscriber the changes to its order or
SKU; the subscriber waits for the read models to include that change, then reads its object once.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from projections import queries

from .context import ANYONE, STAFF, Info
from .ids import key_of
from .inventory import Inventory, StockLevel
from .loaders import forget
from .orders.access import visible_order
from .orders.types import Order


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def order_updated(self, info: Info, id: strawberry.ID) -> AsyncGenerator[Order, None]:
        info.context.require(*ANYONE)
        order_id = key_of(id, "Order")
        services = info.context.services
        with services.feed.subscribe(f"order:{order_id}") as changes:
            if await visible_order(info, order_id) is None:
                return  # unknown or not the caller's: end quietly, as `order` answers null
            while True:
                change = await changes.get()
                await services.caught_up(change.position)
                forget(info.context.loaders.orders, order_id)
                order = await visible_order(info, order_id)
                if order is not None:
                    yield Order.from_state(order)

    @strawberry.subscription
    async def inventory_changed(self, info: Info, sku: str) -> AsyncGenerator[Inventory, None]:
        info.context.require(*STAFF)
        services = info.context.services
        with services.feed.subscribe(f"sku:{sku}") as changes:
            while True:
                change = await changes.get()
                await services.caught_up(change.position)
                rows = await queries.stock_levels_of_sku(services.pool, sku)
                yield Inventory(sku=sku, levels=[StockLevel.from_row(r) for r in rows])
