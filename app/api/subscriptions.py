"""Subscriptions (graphql-transport-ws): an order's, a SKU's or a location's shipments' every change, in order,
pushed as it happens.

The process's LiveFeed reads the log once per wake-up and hands each subscriber the changes to its order, SKU
or location; the subscriber waits for the read models to include that change, then reads its object once. What a
subscriber receives is decided by the same functions as the queries' answers (app/api/access.py), and a stream
ends with UNAUTHENTICATED when the token it was opened with expires: the connection's token is read once, at the
handshake, so the stream itself watches the clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry

from projections import queries

from .access import can_see_stock_at, can_see_work_at, visible_order
from .context import ANYONE, STAFF, Info, token_expired
from .errors import forbidden
from .ids import global_id, key_of, shipment_key
from .inventory import Inventory, StockLevel
from .live import UNPLACED, Change, location_topic
from .loaders import forget
from .orders.types import Order, Shipment, shipments_of


async def _next_change(info: Info, changes: asyncio.Queue[Change]) -> Change:
    """The next change, or UNAUTHENTICATED once the caller's token expires, whichever comes first."""
    left = info.context.seconds_left()
    try:
        return await asyncio.wait_for(changes.get(), None if left == float("inf") else max(left, 0))
    except TimeoutError:
        raise token_expired() from None


async def _changed_shipments(info: Info, change: Change, location_code: str) -> list[Shipment]:
    """The shipments at `location_code` a change touched, read as the fulfilmentQueue reads them."""
    if change.order_id is None:
        return []
    loaders = info.context.loaders
    forget(loaders.orders, change.order_id)
    forget(loaders.decisions, change.order_id)
    order = await loaders.orders.load(change.order_id)
    shipments = await shipments_of(info, order) if order is not None else []
    named = {global_id("Shipment", shipment_key(change.order_id, i)) for i in change.shipment_ids}
    return [s for s in shipments if s.location_code == location_code and (not named or s.id in named)]


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
                rows = await queries.stock_levels_of_sku(services.read_pool, sku)
                levels = [StockLevel.from_row(r) for r in rows if can_see_stock_at(principal, r["location_code"])]
                yield Inventory(sku=sku, levels=levels)

    @strawberry.subscription(description="A shipment at that location changed (planned, picked, packed, ...).")
    async def fulfillment_queue_changed(self, info: Info, location_code: str) -> AsyncGenerator[Shipment, None]:
        principal = info.context.require(*STAFF)
        if not can_see_work_at(principal, location_code):
            raise forbidden(f"fulfillmentQueueChanged at {location_code}")
        services = info.context.services
        with services.feed.subscribe(location_topic(location_code), UNPLACED) as changes:
            while True:
                change = await _next_change(info, changes)
                await services.caught_up(change.position)
                for shipment in await _changed_shipments(info, change, location_code):
                    yield shipment
