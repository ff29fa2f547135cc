"""Order search on a few thousand orders (issue 18): every combination of filters finds exactly the orders that
match, in (placed_at, order_id) order, page after page; and every statement it runs reads the big tables through
an index, never by sequential scan, whether PostgreSQL plans it for the values given or once for any values (as a
prepared statement ends up). The plans are the ones actually executed, read with auto_explain."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from projections import queries
from projections.queries import OrderSearch
from projections.schema import LIVE, PROJECTIONS

pytestmark = pytest.mark.slow

T0 = datetime(2026, 3, 1, tzinfo=UTC)
ORDERS = 4000
STATUSES = ("PLACED", "ALLOCATED", "BACKORDERED", "ON_HOLD", "SHIPPED", "DELIVERED", "CANCELLED")
BIG_TABLES = {"orders", "order_lines", "shipments"}


@dataclass(frozen=True)
class Row:
    order_id: str
    customer_id: str
    status: str
    placed_at: datetime
    skus: frozenset[str]
    locations: frozenset[str]


def network() -> list[Row]:
    """Orders two to a minute (ties on placed_at are broken by id), 400 customers, 50 SKUs, 20 locations; some
    orders have two lines of one SKU or two shipments from one location, some ship from two locations."""
    rows = []
    for i in range(ORDERS):
        locations = {f"L{i % 20:02d}"} | ({f"L{(i + 1) % 20:02d}"} if i % 3 == 0 else set())
        rows.append(
            Row(
                order_id=f"o{i:05d}",
                customer_id=f"c{i % 400}",
                status=STATUSES[i % len(STATUSES)],
                placed_at=T0 + timedelta(minutes=i // 2),
                skus=frozenset({f"S{i % 50:02d}", f"S{i * 7 % 50:02d}"}),
                locations=frozenset(locations),
            )
        )
    return rows


ROWS = network()


def expected(search: OrderSearch) -> list[str]:
    def keeps(r: Row) -> bool:
        return (
            (search.customer_id is None or r.customer_id == search.customer_id)
            and (search.status is None or r.status == search.status)
            and (search.sku is None or search.sku in r.skus)
            and (search.location_codes is None or bool(r.locations & set(search.location_codes)))
            and (search.placed_from is None or r.placed_at >= search.placed_from)
            and (search.placed_to is None or r.placed_at < search.placed_to)
        )

    return [r.order_id for r in sorted(ROWS, key=lambda r: (r.placed_at, r.order_id)) if keeps(r)]


async def fill(conn: asyncpg.Connection) -> None:
    await conn.executemany(
        """INSERT INTO orders (order_id, customer_id, status, service_level, priority, channel, placed_at,
           ship_to_latitude, ship_to_longitude, version, last_position, updated_at, state)
           VALUES ($1, $2, $3, 'STANDARD', 0, 'web', $4, 40.0, -75.0, 1, 1, $4, '{}')""",
        [(r.order_id, r.customer_id, r.status, r.placed_at) for r in ROWS],
    )
    await conn.executemany(
        """INSERT INTO order_lines (order_id, line_no, sku, ordered, allocated, backordered, shipped, delivered,
           cancelled, returned, priority, placed_at) VALUES ($1, $2, $3, 1, 1, 0, 0, 0, 0, 0, 0, $4)""",
        # Both lines are kept even when they are of one SKU: an order then has two lines of it.
        [
            (r.order_id, n, sku, r.placed_at)
            for i, r in enumerate(ROWS)
            for n, sku in enumerate((f"S{i % 50:02d}", f"S{i * 7 % 50:02d}"), start=1)
        ],
    )
    # Written without order_placed_at, as before migration 0020: running it again fills it in.
    await conn.executemany(
        """INSERT INTO shipments (order_id, shipment_id, location_code, status, lines, tracking)
           VALUES ($1, $2, $3, 'PLANNED', '[]', '[]')""",
        [
            (r.order_id, f"s{n}", code)
            for i, r in enumerate(ROWS)
            for n, code in enumerate(sorted(r.locations) + ([f"L{i % 20:02d}"] if i % 10 == 0 else []), start=1)
        ],
    )
    sql = next(s for name, s, _ in PROJECTIONS.scripts() if name.endswith("0020_order_search.sql"))
    async with conn.transaction():
        await conn.execute(sql)
    await conn.execute("ANALYZE orders; ANALYZE order_lines; ANALYZE shipments")


class Plans:
    """The plans of the statements one connection runs, as auto_explain logs them (JSON)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.seen: list[dict[str, Any]] = []
        conn.add_log_listener(self.heard)

    def heard(self, _conn: object, message: asyncpg.PostgresLogMessage) -> None:
        if "plan:" in message.message:
            self.seen.append(json.loads(message.message[message.message.index("{") :]))

    def nodes(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []

        def walk(node: dict[str, Any]) -> None:
            found.append(node)
            for child in node.get("Plans", []):
                walk(child)

        for plan in self.seen:
            walk(plan["Plan"])
        return found

    def sequential_scans(self) -> set[str]:
        return {n["Relation Name"] for n in self.nodes() if n["Node Type"] == "Seq Scan"} & BIG_TABLES

    def indexes(self) -> set[str]:
        return {n["Index Name"] for n in self.nodes() if "Index Name" in n}


@pytest.fixture
async def searched(database_url: str) -> AsyncIterator[tuple[asyncpg.Connection, Plans]]:
    # A connection of its own, seeing the read models as the API's pool does, whose plans are listened to.
    conn = await asyncpg.connect(database_url, server_settings={"search_path": f"{LIVE}, public"})
    try:
        await fill(conn)
        await conn.execute(
            "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_format = json;"
            " SET client_min_messages = log"
        )
        yield conn, Plans(conn)
    finally:
        await conn.close()


SEARCHES: dict[str, tuple[OrderSearch, str]] = {
    # name: (search, the index its walk starts from; with two selective filters, the planner may start from the
    # other's: see ALSO)
    "all": (OrderSearch(), "orders_placed_idx"),
    "status": (OrderSearch(status="ON_HOLD"), "orders_status_idx"),
    "customer": (OrderSearch(customer_id="c7"), "orders_customer_idx"),
    "customer, status, SKU, location": (
        OrderSearch(customer_id="c7", status="ON_HOLD", sku="S07", location_codes=["L07"]),
        "orders_customer_idx",
    ),
    "SKU": (OrderSearch(sku="S00"), "order_lines_sku_placed_idx"),
    "SKU and location": (OrderSearch(sku="S07", location_codes=["L08", "L11"]), "order_lines_sku_placed_idx"),
    "location": (OrderSearch(location_codes=["L03"]), "shipments_location_placed_idx"),
    "locations and status": (
        OrderSearch(location_codes=["L03", "L04", "L17"], status="SHIPPED"),
        "shipments_location_placed_idx",
    ),
    "no location": (OrderSearch(location_codes=[]), ""),
    "placed range": (
        OrderSearch(placed_from=T0 + timedelta(hours=5), placed_to=T0 + timedelta(hours=7)),
        "orders_placed_idx",
    ),
    "SKU in a placed range": (
        OrderSearch(sku="S14", placed_from=T0 + timedelta(hours=3), placed_to=T0 + timedelta(hours=20)),
        "order_lines_sku_placed_idx",
    ),
    "location in a placed range": (
        OrderSearch(location_codes=["L11"], placed_from=T0 + timedelta(hours=10, minutes=30)),
        "shipments_location_placed_idx",
    ),
    "status before a moment": (
        OrderSearch(status="PLACED", placed_to=T0 + timedelta(hours=2)),
        "orders_status_idx",
    ),
}

ALSO = {"locations and status": {"orders_status_idx"}}


async def every_page(conn: asyncpg.Connection, search: OrderSearch, size: int) -> list[str]:
    found: list[str] = []
    after = None
    while True:
        rows = await queries.orders_page(conn, search, first=size + 1, after=after)
        found += [r["order_id"] for r in rows[:size]]
        if len(rows) <= size:
            return found
        after = (rows[size - 1]["placed_at"], rows[size - 1]["order_id"])


@pytest.mark.parametrize("name", list(SEARCHES))
async def test_each_search_pages_through_exactly_the_matching_orders(
    searched: tuple[asyncpg.Connection, Plans], name: str
) -> None:
    conn, _ = searched
    search, _index = SEARCHES[name]
    want = expected(search)
    assert (await every_page(conn, search, size=max(7, len(want) // 5))) == want
    assert want or name == "no location"  # the data has matches for every other search


@pytest.mark.parametrize("plan_cache_mode", ["force_custom_plan", "force_generic_plan"])
async def test_each_search_walks_an_index_and_never_scans_a_big_table(
    searched: tuple[asyncpg.Connection, Plans], plan_cache_mode: str
) -> None:
    conn, plans = searched
    await conn.execute(f"SET plan_cache_mode = {plan_cache_mode}")
    for name, (search, index) in SEARCHES.items():
        plans.seen.clear()
        await queries.orders_page(conn, search, first=21, after=(T0 + timedelta(hours=1), "o00100"))
        assert plans.seen, name
        assert plans.sequential_scans() == set(), (name, plans.seen)
        assert not index or {index, *ALSO.get(name, ())} & plans.indexes(), (name, plans.indexes())


async def test_the_migration_copied_each_orders_placement_onto_its_shipments(
    searched: tuple[asyncpg.Connection, Plans],
) -> None:
    conn, _ = searched
    unfilled = await conn.fetchval(
        "SELECT count(*) FROM shipments s JOIN orders o USING (order_id)"
        " WHERE s.order_placed_at IS DISTINCT FROM o.placed_at"
    )
    assert unfilled == 0
    assert await conn.fetchval("SELECT count(*) FROM shipments") > ORDERS
