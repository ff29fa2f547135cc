"""Read-side queries the API and workers need, over a read-model pool (see schema.create_readmodel_pool).

Every list that grows pages by keyset on an index; no query scans a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from eventstore import Connection

from .sql import query


async def availability_near(
    conn: Connection | asyncpg.Pool,
    skus: Sequence[str],
    latitude: float,
    longitude: float,
    *,
    radius_km: float = 500.0,
    limit: int = 100,
) -> list[asyncpg.Record]:
    """(sku, location_code, available, latitude, longitude, distance_km), nearest first."""
    return await conn.fetch(query("availability_near"), list(skus), latitude, longitude, radius_km, limit)


async def orders_page(
    conn: Connection | asyncpg.Pool,
    *,
    first: int,
    after: tuple[datetime, str] | None = None,
    customer_id: str | None = None,
    status: str | None = None,
) -> list[asyncpg.Record]:
    """Orders after the keyset cursor (placed_at, order_id), by customer and/or status; each filter has its
    own statement so that each uses its own index."""
    cursor = after or (None, None)
    if customer_id is not None and status is not None:
        return await conn.fetch(query("orders_page_by_customer_status"), *cursor, first, customer_id, status)
    if customer_id is not None:
        return await conn.fetch(query("orders_page_by_customer"), *cursor, first, customer_id)
    if status is not None:
        return await conn.fetch(query("orders_page_by_status"), *cursor, first, status)
    return await conn.fetch(query("orders_page"), *cursor, first)


async def backordered_lines(conn: Connection | asyncpg.Pool, sku: str, *, limit: int = 100) -> list[asyncpg.Record]:
    """A SKU's backordered order lines in the order supply should go to them."""
    return await conn.fetch(query("backordered_lines"), sku, limit)


async def shipment_by_tracking(
    conn: Connection | asyncpg.Pool, carrier: str, tracking_number: str
) -> asyncpg.Record | None:
    return await conn.fetchrow(query("shipment_by_tracking"), carrier, tracking_number)


async def orders_by_location(
    conn: Connection | asyncpg.Pool, location_code: str, *, status: str | None = None, limit: int = 100
) -> list[asyncpg.Record]:
    return await conn.fetch(query("orders_by_location"), location_code, status, limit)
