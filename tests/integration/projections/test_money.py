"""Money through the log and the read models: a log written before prices existed still loads and projects,
a priced order's amounts and refunds land exactly (NUMERIC, at the currency's exponent), and a replay of the
whole log rebuilds the same rows."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import asyncpg
import msgspec

from app.domain import ALL_EVENTS
from app.domain import order_commands as oc
from app.domain.aggregates import ORDER, RETURN
from app.domain.money import Money
from app.domain.order_events import LinePrice
from app.domain.streams import order_stream, return_stream
from app.domain.values import Address, Coordinates, Line
from app.handlers import Context, Handlers
from eventstore import ANY, EventCodec, EventStore, NewEvent, load_state
from projections import ProjectionRunner, replay

# The realistic history of history.py as the code before money encoded it (`tests/integration/projections/
# history.py` run on the commit before this change): no prices on OrderPlaced, refunds without a currency.
PRE_MONEY_LOG = Path(__file__).with_name("pre_money_log.jsonl")
codec = EventCodec(ALL_EVENTS)


class Row(msgspec.Struct):
    stream_id: str
    event_type: str
    schema_version: int
    data: str


async def append_pre_money_log(store: EventStore) -> None:
    for line in PRE_MONEY_LOG.read_text().splitlines():
        row = msgspec.json.decode(line, type=Row)
        assert '"prices"' not in row.data and '"amount":{' not in row.data  # written before money existed
        event = NewEvent(event_type=row.event_type, data=row.data, schema_version=row.schema_version)
        await store.append(row.stream_id, [event], ANY)


def kwd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="KWD")


async def test_old_and_priced_orders_project_exactly_and_replay_matches(
    database_url: str, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    await append_pre_money_log(store)
    old, _ = await load_state(store, codec, ORDER, order_stream("o-1"))
    assert old is not None and old.prices == {} and old.paid is None and old.refunded is None
    old_return, _ = await load_state(store, codec, RETURN, return_stream("r-1"))
    assert old_return is not None and old_return.refund is None and old_return.refund_amount == Decimal("19.99")

    handlers = Handlers(Context(store, codec))
    place = oc.PlaceOrder(
        order_id="p-1",
        customer_id="c-1",
        lines=(Line("A", 3), Line("B", 1)),
        ship_to=Address(coordinates=Coordinates(40.7, -74.0)),
        prices=(LinePrice(sku="A", unit_price=kwd("1.235")),),
    )
    await handlers.handle(place)
    cancelled = await handlers.handle(oc.CancelOrderLines(order_id="p-1", lines=(Line("A", 1), Line("B", 1))))
    events = (await store.read_streams([order_stream("p-1")]))[order_stream("p-1")]
    assert [e.event_type for e in events] == ["OrderPlaced", "OrderLinesCancelled", "OrderRefunded"]
    # The refund is part of the cancellation's append: one transaction, one position handed back.
    assert events[1].transaction_id == events[2].transaction_id
    assert cancelled.position is not None and cancelled.position.global_position == events[2].global_position

    assert await ProjectionRunner(readmodel, batch_size=7).wait_for(cancelled.position, 30.0)
    money = await readmodel.fetch("SELECT * FROM order_money ORDER BY order_id")
    assert [(r["order_id"], r["currency"], str(r["paid"]), str(r["total"]), str(r["refunded"])) for r in money] == [
        ("p-1", "KWD", "3.705", "2.470", "1.235")
    ]
    assert msgspec.json.decode(money[0]["unit_prices"]) == {"A": "1.235"}
    refund = await readmodel.fetchrow("SELECT * FROM order_refunds WHERE order_id = 'p-1'")
    assert refund is not None
    assert (str(refund["amount"]), refund["currency"], refund["cause"], refund["stream_version"]) == (
        "1.235",
        "KWD",
        "CANCELLED",
        3,
    )
    # The read model's state keeps amounts as strings: what the API serves is what was recorded.
    state = await readmodel.fetchval("SELECT state::TEXT FROM orders WHERE order_id = 'p-1'")
    assert '"refunded":{"amount":"1.235","currency":"KWD"}' in state.replace(" ", "")
    assert await readmodel.fetchval("SELECT refund_amount FROM returns WHERE return_id = 'r-1'") == Decimal("19.99")

    out = io.StringIO()
    assert await replay(database_url, swap=False, out=out) == 0, out.getvalue()
    assert "identical" in out.getvalue()
