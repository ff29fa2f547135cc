"""Subscriptions (graphql-transport-ws): an order's or a SKU's every change, in order, pushed as it happens.

The process's LiveFeed reads the log once per wake-up and hands each subscriber the changes to its order or
SKU; the subscriber waits for the read models to include that change, then reads its object once. What a
subscriber receives is decided by the same functions as the queries' answers (app/api/access.py), and a stream
ends with UNAUTHENTICATED when the token it was opened with expires: the connection's token is read once, at the
handshake, so the stream itself watches the clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry

from projections import queries

from .access import can_see_stock_at, visible_order
from .context import ANYONE, STAFF, Info, token_expired
from .ids import key_of
from .inventory import Inventory, StockLevel
from .live import Change
from .loaders import forget
from .orders.types import Order


async def _next_change(info: Info, changes: asyncio.Queue[Change]) -> Change:
    """The next change, or UNAUTHENTICATED once the caller's token expires, whichever comes first."""
    left = info.context.seconds_left()
    try:
        return await asyncio.wait_for(changes.get(), None if left == float("inf") else max(left, 0))
    except TimeoutError:
        raise token_expired() from None


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
                change = await _next_change(info, changes)
                await services.caught_up(change.position)
                forget(info.context.loaders.orders, order_id)
                forget(info.context.loaders.order_versions, order_id)
                order = await visible_order(info, order_id)
                if order is not None:
                    yield Order.from_state(order)

    @strawberry.subscription
    async def inventory_changed(self, info: Info, sku: str) -> AsyncGenerator[Inventory, None]:
        principal = info.context.require(*STAFF)
        services = info.context.services
        with services.feed.subscribe(f"sku:{sku}") as changes:
            while True:
                change = await _next_change(info, changes)
                await services.caught_up(change.position)
                rows = await queries.stock_levels_of_sku(services.pool, sku)
                levels = [StockLevel.from_row(r) for r in rows if can_see_stock_at(principal, r["location_code"])]
                yield Inventory(sku=sku, levels=levels)
