"""What the fault tests do through the API, and what they check afterwards in the log and the read models.

The invariants, precisely (these tests place one-unit orders and never add supply after placing, cancel,
ship or return, so every sourcing attempt that changes something is the order's first and only one):

- every order stream begins with OrderPlaced, and every acknowledged order is in the log;
- every order has exactly one SourcingDecided, and either one OrderAllocated or one OrderBackordered;
- every StockReserved committed in the same transaction as an OrderAllocated (no reservation without its
  allocation), no reservation id appears twice, and per (location, SKU) the units reserved equal the units
  allocated (no double and no leaked reservation);
- folding each stock stream in order, on hand never goes below zero and reserved never above on hand;
- the stock read model equals those sums.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from app.api.orders.mutations import ORDER_IDS
from projections.runner import log_head, wait_for

from .conftest import Meridian

LOCATION = """mutation($input: CreateLocationInput!) { createLocation(input: $input) {
  location { code } userErrors { field message code } } }"""
RECEIVE = """mutation($input: ReceiveStockInput!) { receiveStock(input: $input) {
  level { onHand } userErrors { field message code } } }"""
PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { id status } userErrors { field message code } } }"""
INVENTORY = """query($sku: String!) { inventory(sku: $sku) { sku onHand reserved available
  levels { location { code } onHand reserved available } } }"""

SITES = {"NWK": (40.73, -74.17), "CHI": (41.88, -87.63), "ATL": (33.75, -84.39)}
# What a client may be told when the service cannot do its work right now: a code, never a trace.
RETRYABLE = {"UNAVAILABLE"}
# Stock events that change on hand or reserved, which none of these tests should cause.
MOVES_STOCK = {
    "StockAdjusted",
    "StockCounted",
    "ReservationReleased",
    "StockShipped",
    "StockReturned",
    "StockWrittenOff",
    "SupplyReceived",
}
LEAKS = ("Traceback", "asyncpg", "Unexpected error", "psycopg", 'File "', "SELECT ")


async def network(m: Meridian, *codes: str) -> None:
    for code in codes:
        lat, lon = SITES[code]
        data = await m.data(
            LOCATION,
            {"input": {"code": code, "name": code, "type": "DISTRIBUTION_CENTER", "latitude": lat, "longitude": lon}},
        )
        assert data["createLocation"]["userErrors"] == [], data


async def receive(m: Meridian, code: str, sku: str, quantity: int) -> None:
    data = await m.data(RECEIVE, {"input": {"locationCode": code, "sku": sku, "quantity": quantity}})
    assert data["receiveStock"]["userErrors"] == [], data


def order_id_for(customer: str, key: str) -> str:
    """The id the API derives from a customer and an idempotency key (so a lost answer still names it)."""
    return uuid.uuid5(ORDER_IDS, f"{customer}\x1f{key}").hex


@dataclass
class Placement:
    customer: str
    key: str
    sku: str = "TEE"

    @property
    def order_id(self) -> str:
        return order_id_for(self.customer, self.key)


@dataclass
class Outcomes:
    acknowledged: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)  # clear, retryable GraphQL errors (codes)
    transport: list[str] = field(default_factory=list)  # no answer at all (the API was down)


async def place(m: Meridian, p: Placement, outcomes: Outcomes, *, token: str | None = None) -> bool:
    """One placeOrder; records how it ended. True when acknowledged (an order id and no userErrors)."""
    variables = {
        "input": {
            "customerId": p.customer,
            "idempotencyKey": p.key,
            "lines": [{"sku": p.sku, "quantity": 1}],
            "shipTo": {"postalCode": "10024"},
        }
    }
    try:
        response = await m.post(PLACE, variables, token=token)
    except httpx.TransportError as exc:
        outcomes.transport.append(type(exc).__name__)
        return False
    text = response.text
    assert not any(leak in text for leak in LEAKS), text
    assert response.status_code == 200, text
    body = response.json()
    if body.get("errors"):
        codes = [e.get("extensions", {}).get("code") for e in body["errors"]]
        assert set(codes) <= RETRYABLE, body
        outcomes.refused.extend(str(c) for c in codes)
        return False
    payload = body["data"]["placeOrder"]
    assert payload["userErrors"] == [], payload
    if payload["order"] is None:
        return False  # committed, but not yet readable: not an acknowledgement of the order
    assert payload["order"]["id"].endswith(p.order_id), payload
    outcomes.acknowledged.add(p.order_id)
    return True


async def burst(m: Meridian, placements: list[Placement], outcomes: Outcomes, *, concurrency: int = 8) -> None:
    """Places every order, `concurrency` at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(p: Placement) -> None:
        async with gate:
            await place(m, p, outcomes)

    await asyncio.gather(*(one(p) for p in placements))


# -- the log -----------------------------------------------------------------------------------------


async def orders_in_log(db: asyncpg.Pool) -> set[str]:
    rows = await db.fetch("SELECT data->>'order_id' AS id FROM events WHERE event_type = 'OrderPlaced'")
    return {r["id"] for r in rows}


async def per_order(db: asyncpg.Pool, event_type: str) -> Counter[str]:
    rows = await db.fetch(
        "SELECT data->>'order_id' AS id, count(*) AS n FROM events WHERE event_type = $1 GROUP BY 1", event_type
    )
    return Counter({r["id"]: r["n"] for r in rows})


async def check_no_half_writes(db: asyncpg.Pool) -> None:
    """Every order stream starts with OrderPlaced; every reservation committed with its allocation."""
    wrong_start = await db.fetch(
        "SELECT stream_id, event_type FROM events"
        " WHERE stream_id LIKE 'order-%' AND stream_version = 1 AND event_type <> 'OrderPlaced'"
    )
    assert wrong_start == [], wrong_start
    streams = await db.fetchval("SELECT count(*) FROM streams WHERE stream_id LIKE 'order-%'")
    assert streams == len(await orders_in_log(db))
    orphans = await db.fetch(
        "SELECT r.stream_id, r.data->>'reservation_id' AS reservation FROM events r"
        " WHERE r.event_type = 'StockReserved' AND NOT EXISTS (SELECT 1 FROM events a"
        "  WHERE a.event_type = 'OrderAllocated' AND a.transaction_id = r.transaction_id"
        "  AND a.data->>'order_id' = split_part(r.data->>'reservation_id', '/', 1))"
    )
    assert orphans == [], orphans


async def reserved_by_site(db: asyncpg.Pool) -> dict[tuple[str, str], int]:
    rows = await db.fetch(
        "SELECT data->>'location_code' AS loc, data->>'sku' AS sku, sum((data->>'quantity')::INT) AS n"
        " FROM events WHERE event_type = 'StockReserved' GROUP BY 1, 2"
    )
    return {(r["loc"], r["sku"]): r["n"] for r in rows}


async def allocated_by_site(db: asyncpg.Pool) -> dict[tuple[str, str], int]:
    rows = await db.fetch(
        "SELECT s->>'location_code' AS loc, l->>'sku' AS sku, sum((l->>'quantity')::INT) AS n"
        " FROM events, json_array_elements(data->'shipments') s, json_array_elements(s->'lines') l"
        " WHERE event_type = 'OrderAllocated' GROUP BY 1, 2"
    )
    return {(r["loc"], r["sku"]): r["n"] for r in rows}


async def check_sourced_exactly_once(db: asyncpg.Pool, expected_orders: int) -> int:
    """Every order sourced once; returns the units allocated."""
    decided = await per_order(db, "SourcingDecided")
    allocated = await per_order(db, "OrderAllocated")
    backordered = await per_order(db, "OrderBackordered")
    orders = await orders_in_log(db)
    assert len(orders) == expected_orders
    assert set(decided) == orders and set(decided.values()) == {1}, decided
    assert all(n == 1 for n in allocated.values()) and all(n == 1 for n in backordered.values())
    assert set(allocated) | set(backordered) == orders and not set(allocated) & set(backordered)
    duplicates = await db.fetch(
        "SELECT data->>'reservation_id' AS id, count(*) FROM events WHERE event_type = 'StockReserved'"
        " GROUP BY 1 HAVING count(*) > 1"
    )
    assert duplicates == [], duplicates
    reserved, planned = await reserved_by_site(db), await allocated_by_site(db)
    assert reserved == planned, (reserved, planned)
    return sum(planned.values())


async def check_stock(db: asyncpg.Pool) -> None:
    """Folding each stock stream: on hand never below zero, reserved never above on hand; and the read model
    holds the final figures."""
    rows = await db.fetch(
        "SELECT stream_id, event_type, (data->>'quantity')::INT AS q FROM events"
        " WHERE stream_id LIKE 'stock-%' ORDER BY stream_id, stream_version"
    )
    final: dict[str, tuple[int, int]] = {}
    for row in rows:
        on_hand, reserved = final.get(row["stream_id"], (0, 0))
        if row["event_type"] == "StockReceived":
            on_hand += row["q"]
        elif row["event_type"] == "StockReserved":
            reserved += row["q"]
        elif row["event_type"] in MOVES_STOCK:
            raise AssertionError(f"unexpected {row['event_type']} in {row['stream_id']}")
        assert 0 <= reserved <= on_hand, (row["stream_id"], on_hand, reserved)
        final[row["stream_id"]] = (on_hand, reserved)
    levels = await db.fetch("SELECT sku, location_code, on_hand, reserved, available FROM readmodel.stock_levels")
    seen = {}
    for level in levels:
        assert 0 <= level["reserved"] <= level["on_hand"] and level["available"] >= 0, dict(level)
        seen[f"stock-{level['location_code']}:{level['sku']}"] = (level["on_hand"], level["reserved"])
    assert seen == final, (seen, final)


# -- settling and the offline checks -----------------------------------------------------------------


async def eventually(check: Any, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        await asyncio.sleep(0.1)


async def settle(db: asyncpg.Pool, timeout: float = 60.0) -> None:
    """Waits until every order in the log has been sourced and the read models have caught up with the log."""

    async def all_sourced() -> bool:
        return set(await per_order(db, "SourcingDecided")) >= await orders_in_log(db)

    async def projected() -> bool:
        head = await log_head(db)
        return head is None or await wait_for(db, head, 0)

    try:
        await eventually(all_sourced, timeout, "every order sourced")
    except AssertionError:
        decided, placed = await per_order(db, "SourcingDecided"), await orders_in_log(db)
        never = len(placed - set(decided))
        raise AssertionError(f"{never} of {len(placed)} orders never sourced") from None
    await eventually(projected, timeout, "read models caught up with the log")


async def replay_and_verify(m: Meridian) -> None:
    """`meridian replay` (read models identical to a rebuild) and `meridian verify` (hash chains intact)."""
    (replayed, replay_out), (verified, verify_out) = await asyncio.gather(m.cli("replay"), m.cli("verify"))
    assert replayed == 0, replay_out
    assert verified == 0, verify_out
