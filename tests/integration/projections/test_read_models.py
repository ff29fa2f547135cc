"""Each read model's rows after a realistic history, and the queries the API and workers run on them."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import msgspec

from eventstore import EventStore
from projections import ProjectionRunner, queries
from projections.queries import OrderSearch
from tests.integration.projections.history import at, realistic_history


async def _project(store: EventStore, readmodel: asyncpg.Pool, batch_size: int = 500) -> None:
    last = await realistic_history(store)
    assert await ProjectionRunner(readmodel, batch_size=batch_size).wait_for(last.position, 30.0)


async def test_locations(store: EventStore, readmodel: asyncpg.Pool) -> None:
    await _project(store, readmodel)
    rows = {r["code"]: r for r in await readmodel.fetch("SELECT * FROM locations")}
    assert set(rows) == {"DC1", "ST1", "DC2"}
    assert rows["ST1"]["type"] == "STORE" and rows["ST1"]["pickup"] and rows["ST1"]["active"]
    assert (rows["DC1"]["latitude"], rows["DC1"]["longitude"]) == (40.71, -74.00)
    assert not rows["DC2"]["active"] and rows["DC2"]["version"] == 2


async def test_stock_levels_incoming_and_rollup(store: EventStore, readmodel: asyncpg.Pool) -> None:
    await _project(store, readmodel)
    levels = {(r["sku"], r["location_code"]): r for r in await readmodel.fetch("SELECT * FROM stock_levels")}
    a = levels[("SKU-A", "DC1")]
    # 10 received, 2 shipped, 3 reserved then released, counted 7; safety stock 1.
    assert (a["on_hand"], a["reserved"], a["safety_stock"], a["available"]) == (7, 0, 1, 6)
    b = levels[("SKU-B", "ST1")]
    assert (b["on_hand"], b["reserved"], b["available"]) == (2, 0, 2)
    c = levels[("SKU-C", "DC1")]
    assert (c["on_hand"], c["incoming"]) == (8, 17)
    supply = await readmodel.fetch(
        "SELECT supply_id, kind, quantity, expected_at, source_location_code FROM incoming_supply ORDER BY supply_id"
    )
    assert [tuple(r) for r in supply] == [
        ("PO-1", "PURCHASE_ORDER", 12, at(60 * 24), None),
        ("TR-1", "TRANSFER", 5, at(60 * 48), "DC2"),
    ]
    rollup = await readmodel.fetchrow("SELECT * FROM inventory WHERE sku = 'SKU-A'")
    assert rollup is not None and (rollup["on_hand"], rollup["available"], rollup["locations"]) == (7, 6, 1)
    near = await queries.availability_near(readmodel, ["SKU-A", "SKU-B", "SKU-Z"], 40.70, -74.0, radius_km=50)
    assert [(r["sku"], r["location_code"]) for r in near] == [("SKU-A", "DC1"), ("SKU-B", "ST1")]
    assert await queries.availability_near(readmodel, ["SKU-A"], 34.0, -118.0, radius_km=50) == []


async def test_order_headers_and_derived_status(store: EventStore, readmodel: asyncpg.Pool) -> None:
    await _project(store, readmodel)
    orders = {r["order_id"]: r for r in await readmodel.fetch("SELECT * FROM orders")}
    assert {k: v["status"] for k, v in orders.items()} == {
        "o-1": "PARTIALLY_DELIVERED",
        "o-2": "CANCELLED",
        "o-3": "BACKORDERED",
        "o-4": "BACKORDERED",
        "o-5": "PLACED",
    }
    o1 = orders["o-1"]
    assert (o1["customer_id"], o1["service_level"], o1["priority"], o1["channel"]) == ("c-1", "EXPRESS", 5, "web")
    assert (o1["placed_at"], o1["ship_to_latitude"], o1["ship_to_postal_code"]) == (at(0), 40.7, "10001")
    last = await readmodel.fetchrow(
        "SELECT global_position, recorded_at, stream_version FROM events"
        " WHERE stream_id = 'order-o-1' ORDER BY stream_version DESC LIMIT 1"
    )
    assert last is not None
    assert (o1["last_position"], o1["updated_at"], o1["version"]) == tuple(last)
    assert msgspec.json.decode(o1["state"])["order_id"] == "o-1"


async def test_order_lines(store: EventStore, readmodel: asyncpg.Pool) -> None:
    await _project(store, readmodel)
    rows = await readmodel.fetch(
        "SELECT order_id, sku, ordered, allocated, backordered, shipped, delivered,"
        " cancelled, returned FROM order_lines ORDER BY order_id, line_no"
    )
    assert [tuple(r) for r in rows] == [
        ("o-1", "SKU-A", 2, 2, 0, 2, 2, 0, 1),
        ("o-1", "SKU-B", 1, 1, 0, 1, 0, 0, 0),
        ("o-2", "SKU-A", 3, 0, 0, 0, 0, 0, 0),
        ("o-3", "SKU-Z", 4, 0, 4, 0, 0, 0, 0),
        ("o-4", "SKU-Z", 4, 0, 4, 0, 0, 0, 0),
        ("o-5", "SKU-A", 1, 0, 0, 0, 0, 0, 0),
    ]
    backordered = await queries.backordered_lines(readmodel, "SKU-Z")
    assert [r["order_id"] for r in backordered] == ["o-4", "o-3"]  # priority 9 before priority 1


async def test_shipments_with_tracking(store: EventStore, readmodel: asyncpg.Pool) -> None:
    await _project(store, readmodel)
    rows = {(r["order_id"], r["shipment_id"]): r for r in await readmodel.fetch("SELECT * FROM shipments")}
    assert set(rows) == {("o-1", "s1"), ("o-1", "s2"), ("o-2", "s1")}
    s1 = rows[("o-1", "s1")]
    assert (s1["status"], s1["location_code"], s1["carrier"], s1["tracking_number"]) == (
        "DELIVERED",
        "DC1",
        "ups",
        "1Z001",
    )
    assert (s1["dispatched_at"], s1["delivered_at"], s1["estimated_delivery"]) == (at(20), at(60 * 26), at(60 * 30))
    assert s1["promised_delivery"] == at(60 * 48)
    assert msgspec.json.decode(s1["lines"]) == [{"sku": "SKU-A", "quantity": 2}]
    tracking = msgspec.json.decode(s1["tracking"])
    assert [(t["status"], t["location"]) for t in tracking] == [("IN_TRANSIT", "Newark"), ("OUT_FOR_DELIVERY", None)]
    assert rows[("o-1", "s2")]["status"] == "DISPATCHED"
    assert rows[("o-2", "s1")]["status"] == "CANCELLED"
    found = await queries.shipment_by_tracking(readmodel, "ups", "1Z002")
    assert found is not None and (found["order_id"], found["shipment_id"]) == ("o-1", "s2")
    by_location = await queries.orders_by_location(readmodel, "DC1")
    assert [r["order_id"] for r in by_location] == ["o-1", "o-2"]
    # The projection copies each order's placement onto its shipments, for the search by location.
    searched = await queries.orders_page(readmodel, OrderSearch(location_codes=["DC1"]), first=10)
    assert [r["order_id"] for r in searched] == ["o-1", "o-2"]


async def test_returns_and_sourcing_decisions(store: EventStore, readmodel: asyncpg.Pool) -> None:
    await _project(store, readmodel)
    r = await readmodel.fetchrow("SELECT * FROM returns WHERE return_id = 'r-1'")
    assert r is not None
    assert (r["order_id"], r["status"], r["refund_amount"], r["location_code"]) == (
        "o-1",
        "REFUNDED",
        Decimal("19.99"),
        "DC1",
    )
    assert msgspec.json.decode(r["received"]) == [{"sku": "SKU-A", "quantity": 1, "condition": "DAMAGED"}]
    d = await readmodel.fetchrow("SELECT * FROM sourcing_decisions WHERE order_id = 'o-1'")
    assert d is not None and (d["algorithm"], d["total_cost"], d["decided_at"]) == ("milp", 12.5, at(1))
    candidates = msgspec.json.decode(d["candidates"])
    assert [(c["location_code"], c["selected"], c["reason"]) for c in candidates] == [
        ("DC1", True, None),
        ("DC2", False, "inactive"),
    ]


async def test_orders_keyset_pages(store: EventStore, readmodel: asyncpg.Pool) -> None:
    await _project(store, readmodel)
    first = await queries.orders_page(readmodel, OrderSearch(customer_id="c-1"), first=2)
    assert [r["order_id"] for r in first] == ["o-1", "o-3"]
    cursor = (first[-1]["placed_at"], first[-1]["order_id"])
    rest = await queries.orders_page(readmodel, OrderSearch(customer_id="c-1"), first=2, after=cursor)
    assert [r["order_id"] for r in rest] == ["o-4"]
    backordered = await queries.orders_page(readmodel, OrderSearch(status="BACKORDERED"), first=10)
    assert [r["order_id"] for r in backordered] == ["o-3", "o-4"]
    both = await queries.orders_page(readmodel, OrderSearch(status="PLACED", customer_id="c-3"), first=10)
    assert [r["order_id"] for r in both] == ["o-5"]
    everything = await queries.orders_page(readmodel, OrderSearch(), first=10)
    assert [r["order_id"] for r in everything] == ["o-1", "o-2", "o-3", "o-4", "o-5"]


async def test_small_batches_give_the_same_rows(store: EventStore, readmodel: asyncpg.Pool) -> None:
    last = await realistic_history(store)
    assert await ProjectionRunner(readmodel, batch_size=1).wait_for(last.position, 30.0)
    one_by_one = [tuple(r) for r in await readmodel.fetch("SELECT * FROM orders ORDER BY order_id")]
    await readmodel.execute("TRUNCATE orders, order_lines, shipments, sourcing_decisions")
    await readmodel.execute("DELETE FROM checkpoints")
    assert await ProjectionRunner(readmodel, batch_size=1000).wait_for(last.position, 30.0)
    assert [tuple(r) for r in await readmodel.fetch("SELECT * FROM orders ORDER BY order_id")] == one_by_one
