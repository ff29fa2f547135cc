"""The money read models of the orders projection: `order_money` (per priced order: paid, total, refunded,
unit prices) and `order_refunds` (every OrderRefunded). Amounts go to PostgreSQL as Decimals into NUMERIC
columns and unit prices as JSON strings: exact end to end, never a float."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.order_events import OrderRefunded
from app.domain.order_state import Order, order_total
from eventstore import Connection

from .base import encode_json
from .sql import query


async def write_order_money(conn: Connection, orders: Sequence[Order]) -> None:
    priced = [(o, total) for o in orders if o.paid is not None and (total := order_total(o)) is not None]
    if not priced:
        return
    await conn.execute(
        query("upsert_order_money"),
        [o.order_id for o, _ in priced],
        [t.currency for _, t in priced],
        [o.paid.amount if o.paid else None for o, _ in priced],
        [t.amount for _, t in priced],
        [o.refunded.amount if o.refunded else 0 for o, _ in priced],
        [encode_json({sku: price.amount for sku, price in o.prices.items()}) for o, _ in priced],
    )


async def write_refunds(conn: Connection, refunds: Sequence[tuple[OrderRefunded, int]]) -> None:
    if not refunds:
        return
    await conn.execute(
        query("insert_order_refunds"),
        [r.order_id for r, _ in refunds],
        [v for _, v in refunds],
        [r.amount.amount for r, _ in refunds],
        [r.amount.currency for r, _ in refunds],
        [r.cause.value for r, _ in refunds],
        [r.return_id for r, _ in refunds],
        [encode_json(r.lines) for r, _ in refunds],
        [r.reason for r, _ in refunds],
        [r.refunded_at for r, _ in refunds],
    )
