"""Money over GraphQL: prices in, totals and refunds out as exact strings, each rule of the contract's money
part with its userError code and field path."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from app.api.app import create_app
from app.api.ids import key_of, split_shipment_key
from app.api.services import Services
from app.carriers.simulated import tracking_number_for
from app.domain import order_commands as oc
from app.domain.notifications import NotificationType, notification_id
from app.domain.streams import notification_stream, order_stream
from app.handlers import SourceOrder
from app.settings import Settings
from eventstore import EventStore, Listener
from projections.runner import ProjectionRunner
from projections.schema import create_readmodel_pool

from .conftest import SECRET, WEBHOOK_SECRET, Api, eventually, free_port
from .test_order_journey import network, receive, wait_status

PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { id channel version total { amount currency } refunded { amount currency }
          lines { sku quantity unitPrice { amount currency } } }
  userErrors { field message code } } }"""
ORDER = """query($id: ID!) { order(id: $id) { id status version total { amount currency }
  refunded { amount currency } shipments { id } returns { id status refundAmount refund { amount currency } } } }"""
CANCEL = """mutation($id: ID!) { cancelOrder(input: {orderId: $id}) {
  order { status total { amount currency } refunded { amount currency } } userErrors { field code } } }"""
PACK = "mutation($id: ID!) { packShipment(input: {shipmentId: $id}) { userErrors { code } } }"
DISPATCH = """mutation($id: ID!, $n: String!) { dispatchShipment(input: {shipmentId: $id, carrier: "simulated",
  trackingNumber: $n}) { userErrors { code } } }"""
REQUEST = """mutation($id: ID!, $n: Int!) { requestReturn(input: {orderId: $id,
  lines: [{sku: "TEE", quantity: $n, reason: "too small"}]}) { return { id } userErrors { code } } }"""
APPROVE = "mutation($id: ID!) { approveReturn(input: {returnId: $id}) { userErrors { code } } }"
RECEIVE_RETURN = """mutation($id: ID!, $n: Int!) { receiveReturn(input: {returnId: $id, locationCode: "RET",
  lines: [{sku: "TEE", quantity: $n, condition: RESELLABLE}]}) { userErrors { code } } }"""
REFUND = """mutation($input: RefundReturnInput!) { refundReturn(input: $input) {
  return { status refundAmount refund { amount currency } } userErrors { field message code } } }"""


def line(sku: str, quantity: int, amount: str | None = None, currency: str = "USD") -> dict[str, Any]:
    priced = {"unitPrice": {"amount": amount, "currency": currency}} if amount is not None else {}
    return {"sku": sku, "quantity": quantity, **priced}


def order_input(*lines: dict[str, Any]) -> dict[str, Any]:
    return {"input": {"customerId": "c-1", "lines": list(lines), "shipTo": {"postalCode": "10024"}}}


async def test_priced_orders_read_back_exactly_and_a_cancellation_refunds_them(api: Api) -> None:
    cases = [
        ("JPY", [line("TEE", 3, "1000", "JPY"), line("MUG", 1, "250", "JPY")], "3250", "0"),
        ("KWD", [line("TEE", 2, "1.235", "KWD"), line("GIFT", 1)], "2.470", "0.000"),
        ("USD", [line("TEE", 3, "19.99"), line("MUG", 2, "0.1")], "60.17", "0.00"),
    ]
    for currency, lines, total, nothing in cases:
        placed = (await api.data(PLACE, order_input(*lines)))["placeOrder"]
        assert placed["userErrors"] == []
        order = placed["order"]
        assert order["total"] == {"amount": total, "currency": currency}
        assert order["refunded"] == {"amount": nothing, "currency": currency}
        assert order["channel"] == "web" and order["version"] >= 1  # the worker may have sourced it already
        prices = {x["sku"]: x["unitPrice"] for x in order["lines"]}
        assert prices["TEE"] == {"amount": lines[0]["unitPrice"]["amount"], "currency": currency}
    assert prices["MUG"] == {"amount": "0.10", "currency": "USD"}  # at the currency's exponent

    cancelled = (await api.data(CANCEL, {"id": order["id"]}))["cancelOrder"]
    assert cancelled["userErrors"] == []
    assert cancelled["order"]["total"] == {"amount": "0.00", "currency": "USD"}
    assert cancelled["order"]["refunded"] == {"amount": "60.17", "currency": "USD"}
    unpriced = (await api.data(PLACE, order_input(line("TEE", 1))))["placeOrder"]["order"]
    assert (unpriced["total"], unpriced["refunded"], unpriced["lines"][0]["unitPrice"]) == (None, None, None)


async def test_each_bad_price_is_refused_at_its_field(api: Api) -> None:
    body = await api.data(
        PLACE,
        order_input(
            line("A", 1, "19.999"),
            line("B", 1, "-1.00"),
            line("C", 1, "5", "JPY"),
            line("D", 1, "1.00", "ZZZ"),
            line("E", 1, "1.234", "KWD"),
        ),
    )
    errors = [(e["code"], e["field"]) for e in body["placeOrder"]["userErrors"]]
    assert errors == [
        ("INVALID_AMOUNT", ["input", "lines", "0", "unitPrice", "amount"]),
        ("INVALID_AMOUNT", ["input", "lines", "1", "unitPrice", "amount"]),
        ("MIXED_CURRENCY", ["input", "lines", "2", "unitPrice", "currency"]),
        ("INVALID_CURRENCY", ["input", "lines", "3", "unitPrice", "currency"]),
        ("MIXED_CURRENCY", ["input", "lines", "4", "unitPrice", "currency"]),
    ]
    assert body["placeOrder"]["order"] is None
    one = await api.data(PLACE, order_input(line("A", 1, "10.5", "JPY")))
    assert [(e["code"], e["field"]) for e in one["placeOrder"]["userErrors"]] == [
        ("INVALID_AMOUNT", ["input", "lines", "0", "unitPrice", "amount"])
    ]
    # An amount is a string: a JSON number (a float to most clients) or an exponent is not taken at all.
    for amount in (19.99, "1e3", "NaN"):
        priced = {"sku": "A", "quantity": 1, "unitPrice": {"amount": amount, "currency": "USD"}}
        refused = await api.gql(PLACE, order_input(priced))
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", refused


async def test_a_received_return_is_refunded_its_paid_price(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    order = (await api.data(PLACE, order_input(line("TEE", 2, "19.99"))))["placeOrder"]["order"]
    shipment = (await wait_status(api, order["id"], "ALLOCATED"))["shipments"][0]
    await deliver(api, order["id"], shipment["id"], "money1")
    return_id = await received_return(api, order["id"], 1)

    async def refunded() -> bool:
        found = (await api.data(ORDER, {"id": order["id"]}))["order"]["returns"]
        return bool(found) and found[0]["status"] == "REFUNDED"

    await eventually(refunded)  # the settle-return job refunds the paid price
    after = (await api.data(ORDER, {"id": order["id"]}))["order"]
    assert after["returns"][0]["refund"] == {"amount": "19.99", "currency": "USD"}
    assert after["returns"][0]["refundAmount"] == 19.99
    assert (after["total"], after["refunded"]) == (
        {"amount": "39.98", "currency": "USD"},
        {"amount": "19.99", "currency": "USD"},
    )
    again = (await api.data(REFUND, {"input": {"returnId": return_id}}))["refundReturn"]
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_STATE"]

    # The refund is an event on the order, and the customer is told (a notification of its own).
    stream = order_stream(key_of(order["id"], "Order"))
    [refunded_event] = [e for e in (await api.store.read_streams([stream]))[stream] if e.event_type == "OrderRefunded"]
    notification = notification_stream(notification_id(str(refunded_event.event_id), NotificationType.REFUND_ISSUED))

    async def told() -> bool:
        return bool((await api.store.read_streams([notification])).get(notification))

    await eventually(told)
    [requested, *_] = (await api.store.read_streams([notification]))[notification]
    assert requested.event_type == "NotificationRequested"
    assert '"amount":"19.99","currency":"USD","cause":"RETURNED"' in requested.data


async def deliver(api: Api, order_id: str, shipment_id: str, seed: str) -> None:
    await api.data(PACK, {"id": shipment_id})
    await api.data(DISPATCH, {"id": shipment_id, "n": tracking_number_for(seed, datetime.now(UTC))})
    await wait_status(api, order_id, "DELIVERED")


async def received_return(api: Api, order_id: str, quantity: int) -> str:
    requested = await api.data(REQUEST, {"id": order_id, "n": quantity})
    return_id: str = requested["requestReturn"]["return"]["id"]
    await api.data(APPROVE, {"id": return_id})
    received = await api.data(RECEIVE_RETURN, {"id": return_id, "n": quantity})
    assert received["receiveReturn"]["userErrors"] == []
    return return_id


# --- an operator's refund: no worker, so no automatic refund gets there first --------------------------------


@pytest.fixture
async def quiet_api(database_url: str, tmp_path: Path, redis_url: str) -> AsyncIterator[tuple[Api, Services]]:
    """The API and its projections, without the dispatcher and worker: what the worker would do (source,
    deliver) the test does by hand, and nothing settles a received return behind the test's back."""
    settings = Settings(
        MERIDIAN_ENV="development",
        MERIDIAN_JWT_SECRET=SecretStr(SECRET),
        MERIDIAN_WEBHOOK_SECRET=SecretStr(WEBHOOK_SECRET),
        MERIDIAN_DATA_DIR=tmp_path,
        MERIDIAN_PUBLIC_RATE_PER_MINUTE=1_000_000,
        MERIDIAN_PUBLIC_RATE_BURST=1_000_000,
    )
    port = free_port()
    app = create_app(settings, database_url, redis_url=redis_url)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    pool = await create_readmodel_pool(database_url, min_size=1, max_size=4)
    listener = Listener(database_url)
    await listener.start()
    stop = asyncio.Event()
    projecting = asyncio.create_task(ProjectionRunner(pool, listener=listener, poll_interval=0.1).run(stop))
    async with httpx.AsyncClient(timeout=20) as client:
        yield Api(url=f"http://127.0.0.1:{port}", client=client, store=EventStore(pool), app=app), app.state.services
    stop.set()
    await projecting
    server.should_exit = True
    await serving
    await listener.close()
    await pool.close()


async def test_an_operator_refunds_less_never_more_in_the_orders_currency(quiet_api: tuple[Api, Services]) -> None:
    api, services = quiet_api
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    order = (await api.data(PLACE, order_input(line("TEE", 3, "1.235", "KWD"))))["placeOrder"]["order"]
    order_id = key_of(order["id"], "Order")
    await services.caught_up((await services.handlers.handle(SourceOrder(order_id=order_id))).position)
    shipment = (await api.data(ORDER, {"id": order["id"]}))["order"]["shipments"][0]["id"]
    await api.data(PACK, {"id": shipment})
    await api.data(DISPATCH, {"id": shipment, "n": tracking_number_for("money2", datetime.now(UTC))})
    key = split_shipment_key(key_of(shipment, "Shipment"))
    assert key is not None
    delivered = oc.MarkShipmentDelivered(order_id=key[0], shipment_id=key[1], delivered_at=datetime.now(UTC))
    await services.caught_up((await services.handlers.handle(delivered)).position)
    return_id = await received_return(api, order["id"], 2)

    def refund(**more: Any) -> dict[str, Any]:
        return {"input": {"returnId": return_id, **more}}

    too_much = (await api.data(REFUND, refund(amount={"amount": "2.471", "currency": "KWD"})))["refundReturn"]
    assert [(e["code"], e["field"]) for e in too_much["userErrors"]] == [("REFUND_EXCEEDS_PAID", ["input", "amount"])]
    other = (await api.data(REFUND, refund(amount={"amount": "2.00", "currency": "USD"})))["refundReturn"]
    assert [(e["code"], e["field"]) for e in other["userErrors"]] == [
        ("MIXED_CURRENCY", ["input", "amount", "currency"])
    ]
    fraction = (await api.data(REFUND, refund(amount={"amount": "2.0001", "currency": "KWD"})))["refundReturn"]
    assert [(e["code"], e["field"]) for e in fraction["userErrors"]] == [
        ("INVALID_AMOUNT", ["input", "amount", "amount"])
    ]
    per_line = await api.data(REFUND, refund(lines=[{"sku": "TEE", "amount": "2.471"}]))
    assert [(e["code"], e["field"]) for e in per_line["refundReturn"]["userErrors"]] == [
        ("REFUND_EXCEEDS_PAID", ["input", "lines", "0", "amount"])
    ]

    done = await api.data(REFUND, refund(amount={"amount": "2.000", "currency": "KWD"}, reason="worn"))
    assert done["refundReturn"]["userErrors"] == []
    assert done["refundReturn"]["return"]["refund"] == {"amount": "2.000", "currency": "KWD"}
    after = (await api.data(ORDER, {"id": order["id"]}))["order"]
    assert (after["total"], after["refunded"]) == (
        {"amount": "3.705", "currency": "KWD"},
        {"amount": "2.000", "currency": "KWD"},
    )
    assert after["version"] > 1
    as_of = """query($id: ID!, $at: DateTime!) { order(id: $id, asOf: $at) { version refunded { amount } } }"""
    then = (await api.data(as_of, {"id": order["id"], "at": datetime.now(UTC).isoformat()}))["order"]
    assert then == {"version": after["version"], "refunded": {"amount": "2.000"}}  # folded from the log
    rows = await services.pool.fetch("SELECT amount, currency, cause, return_id, reason FROM order_refunds")
    assert [tuple(r) for r in rows] == [(Decimal("2.000"), "KWD", "RETURNED", key_of(return_id, "Return"), "worn")]
