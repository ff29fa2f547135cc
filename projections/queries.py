"""Read-side queries the API and workers need, over a read-model pool (see schema.create_readmodel_pool).

Every list that grows pages by keyset on an index; no query scans a table.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class OrderSearch:
    """What a page of orders is filtered by; None: any. `location_codes`: orders with a shipment at one of them
    (an empty set finds nothing). `placed_from` is inclusive, `placed_to` exclusive."""

    customer_id: str | None = None
    status: str | None = None
    sku: str | None = None
    location_codes: Collection[str] | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None


async def orders_page(
    conn: Connection | asyncpg.Pool,
    search: OrderSearch,
    *,
    first: int,
    after: tuple[datetime, str] | None = None,
) -> list[asyncpg.Record]:
    """(order_id, placed_at) of the orders after the keyset cursor (placed_at, order_id) that match `search`.

    Each statement walks one index in (placed_at, order_id) order, the placed-time range and the cursor bounding
    the walk; it is chosen by the filter likely to keep fewest orders (a customer's, then a SKU's, then a
    location's, then a status's), and the other filters are checked per order it reaches."""
    head = (*(after or (None, None)), first, search.placed_from, search.placed_to)
    codes = None if search.location_codes is None else sorted(search.location_codes)
    if search.customer_id is not None:
        return await conn.fetch(
            query("orders_page_by_customer"), *head, search.customer_id, search.status, search.sku, codes
        )
    if search.sku is not None:
        return await conn.fetch(query("orders_page_of_sku"), *head, search.sku, search.status, codes)
    if codes is not None:
        return await conn.fetch(query("orders_page_at_locations"), *head, codes, search.status)
    if search.status is not None:
        return await conn.fetch(query("orders_page_by_status"), *head, search.status)
    return await conn.fetch(query("orders_page"), *head)


async def backordered_lines(conn: Connection | asyncpg.Pool, sku: str, *, limit: int = 100) -> list[asyncpg.Record]:
    """A SKU's backordered order lines in the order supply should go to them."""
    return await conn.fetch(query("backordered_lines"), sku, limit)


async def available_stock(conn: Connection | asyncpg.Pool, skus: Sequence[str]) -> dict[tuple[str, str], int]:
    """What each location can promise of `skus`: (location code, sku) -> available units, positive only."""
    rows = await conn.fetch(query("available_stock"), list(skus))
    return {(r[0], r[1]): r[2] for r in rows}


async def incoming_supply(conn: Connection | asyncpg.Pool, skus: Sequence[str]) -> list[asyncpg.Record]:
    """(location_code, sku, quantity, expected_at) of supply still expected of `skus`."""
    return await conn.fetch(query("incoming_supply_of_skus"), list(skus))


async def backordered_units(conn: Connection | asyncpg.Pool, skus: Sequence[str]) -> dict[str, int]:
    """sku -> units of it waiting on backorder (those come first when supply arrives)."""
    rows = await conn.fetch(query("backordered_units"), list(skus))
    return {r[0]: r[1] for r in rows}


async def overdue_picks(conn: Connection | asyncpg.Pool, now: datetime, *, limit: int = 500) -> list[asyncpg.Record]:
    """(order_id, shipment_id) of PLANNED shipments past their location's pick SLA at `now`, oldest first."""
    return await conn.fetch(query("overdue_picks"), now, limit)


async def expired_pickups(conn: Connection | asyncpg.Pool, now: datetime, *, limit: int = 500) -> list[asyncpg.Record]:
    """(order_id, shipment_id) of READY_FOR_PICKUP shipments whose hold has ended at `now`, oldest first."""
    return await conn.fetch(query("expired_pickups"), now, limit)


async def pickup_reminders_due(
    conn: Connection | asyncpg.Pool, now: datetime, *, limit: int = 500
) -> list[asyncpg.Record]:
    """(order_id, shipment_id) of READY_FOR_PICKUP shipments half-way through their hold and not reminded."""
    return await conn.fetch(query("pickup_reminders_due"), now, limit)


async def expired_carts(conn: Connection | asyncpg.Pool, now: datetime, *, limit: int = 500) -> list[str]:
    """Ids of carts still held whose TTL has ended by `now`, soonest first."""
    return [row[0] for row in await conn.fetch(query("expired_carts"), now, limit)]


async def cart_states(conn: Connection | asyncpg.Pool, cart_ids: Sequence[str]) -> list[asyncpg.Record]:
    """(cart_id, state JSON, version) of these carts."""
    return await conn.fetch(query("load_cart_reservations"), list(cart_ids))


async def shipment_by_tracking(
    conn: Connection | asyncpg.Pool, carrier: str, tracking_number: str
) -> asyncpg.Record | None:
    return await conn.fetchrow(query("shipment_by_tracking"), carrier, tracking_number)


async def orders_by_location(
    conn: Connection | asyncpg.Pool, location_code: str, *, status: str | None = None, limit: int = 100
) -> list[asyncpg.Record]:
    return await conn.fetch(query("orders_by_location"), location_code, status, limit)


async def all_locations(conn: Connection | asyncpg.Pool) -> list[asyncpg.Record]:
    return await conn.fetch(query("all_locations"))


async def locations_by_code(conn: Connection | asyncpg.Pool, codes: Sequence[str]) -> list[asyncpg.Record]:
    return await conn.fetch(query("locations_by_code"), list(codes))


async def shipments_planned_since(
    conn: Connection | asyncpg.Pool, codes: Sequence[str], since: datetime
) -> list[asyncpg.Record]:
    """(location_code, planned): shipments planned at each location since `since`, cancelled ones excluded;
    a location with none has no row."""
    return await conn.fetch(query("shipments_planned_since"), list(codes), since)


async def stock_levels_of_sku(conn: Connection | asyncpg.Pool, sku: str) -> list[asyncpg.Record]:
    return await conn.fetch(query("stock_levels_of_sku"), sku)


async def stock_levels_page(
    conn: Connection | asyncpg.Pool,
    *,
    first: int,
    after: tuple[str, str] | None = None,
    sku: str | None = None,
    location_codes: Sequence[str] | None = None,
) -> list[asyncpg.Record]:
    """Stock levels in (location code, SKU) order after the keyset cursor, of one SKU and/or at some locations;
    each filter has its own statement so that each uses its own index."""
    location, code_sku = after or ("", "")
    codes = None if location_codes is None else list(location_codes)
    if sku is not None:
        return await conn.fetch(query("stock_levels_page_of_sku"), sku, codes, location, first)
    if codes is not None:
        return await conn.fetch(query("stock_levels_page_at"), codes, location, code_sku, first)
    return await conn.fetch(query("stock_levels_page"), location, code_sku, first)


async def delivery_slots_page(
    conn: Connection | asyncpg.Pool,
    location_code: str,
    start: datetime,
    end: datetime,
    *,
    first: int,
    after: datetime | None = None,
) -> list[asyncpg.Record]:
    """(window_start, window_end, taken, capacity) of a location's windows that hold slots, starting in
    [start, end), after the keyset cursor `after`, in time order."""
    return await conn.fetch(query("delivery_slots_page"), location_code, start, end, after, first)


async def stock_level(conn: Connection | asyncpg.Pool, sku: str, location_code: str) -> asyncpg.Record | None:
    return await conn.fetchrow(query("stock_level"), sku, location_code)


async def order_states(conn: Connection | asyncpg.Pool, order_ids: Sequence[str]) -> list[asyncpg.Record]:
    """(order_id, state JSON, version) of these orders."""
    return await conn.fetch(query("load_orders"), list(order_ids))


async def order_versions(conn: Connection | asyncpg.Pool, order_ids: Sequence[str]) -> list[asyncpg.Record]:
    """(order_id, version) of these orders: the version of the last event the read model folded."""
    return await conn.fetch(query("order_versions"), list(order_ids))


async def return_states(conn: Connection | asyncpg.Pool, return_ids: Sequence[str]) -> list[asyncpg.Record]:
    return await conn.fetch(query("load_returns"), list(return_ids))


async def returns_of_orders(conn: Connection | asyncpg.Pool, order_ids: Sequence[str]) -> list[asyncpg.Record]:
    return await conn.fetch(query("returns_of_orders"), list(order_ids))


async def sourcing_decisions_of_orders(
    conn: Connection | asyncpg.Pool, order_ids: Sequence[str]
) -> list[asyncpg.Record]:
    return await conn.fetch(query("sourcing_decisions_of_orders"), list(order_ids))


async def shipments_page_at_location(
    conn: Connection | asyncpg.Pool,
    location_code: str,
    *,
    first: int,
    statuses: Sequence[str] | None = None,
    after: tuple[datetime, str, str] | None = None,
    released_by: datetime | None = None,
) -> list[asyncpg.Record]:
    """A location's shipments, oldest order first, after the keyset cursor (placed_at, order_id, shipment_id);
    with `released_by`, without the PLANNED ones whose delivery window releases them later."""
    cursor = after or (None, None, None)
    wanted = None if statuses is None else list(statuses)
    return await conn.fetch(query("shipments_page_at_location"), location_code, wanted, *cursor, first, released_by)


async def orders_with_shipments_at(
    conn: Connection | asyncpg.Pool, order_ids: Sequence[str], location_codes: Sequence[str]
) -> set[str]:
    rows = await conn.fetch(query("orders_with_shipments_at"), list(order_ids), list(location_codes))
    return {r[0] for r in rows}
