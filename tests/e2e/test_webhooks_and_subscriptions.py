"""Carrier webhooks (EasyPost tracker.updated, HMAC-signed) and live subscriptions over graphql-transport-ws."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any

import websockets

from .conftest import WEBHOOK_SECRET, Api
from .test_order_journey import PLACE, network, order_of, receive, wait_status


def tracker_event(
    tracking_code: str, status: str, details: list[tuple[str, str, str]], *, carrier: str = "UPS"
) -> bytes:
    return json.dumps(
        {
            "object": "Event",
            "description": "tracker.updated",
            "result": {
                "object": "Tracker",
                "carrier": carrier,
                "tracking_code": tracking_code,
                "status": status,
                "est_delivery_date": "2026-12-01T18:00:00Z",
                "tracking_details": [
                    {"status": s, "message": m, "datetime": at, "tracking_location": {"city": "Newark", "state": "NJ"}}
                    for s, m, at in details
                ],
            },
        }
    ).encode()


def signed(body: bytes, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hmac-Signature": f"hmac-sha256-hex={digest}", "content-type": "application/json"}


async def dispatched_order(api: Api, tracking_number: str, carrier: str = "UPS") -> str:
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "c-9", "lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "10024"}}},
    )
    order_id: str = placed["placeOrder"]["order"]["id"]
    shipment = (await wait_status(api, order_id, "ALLOCATED"))["shipments"][0]["id"]
    await api.data(
        "mutation($id: ID!) { packShipment(input: {shipmentId: $id}) { userErrors { code } } }", {"id": shipment}
    )
    await api.data(
        """mutation($id: ID!, $c: String!, $n: String!) { dispatchShipment(input: {shipmentId: $id,
        carrier: $c, trackingNumber: $n}) { userErrors { code } } }""",
        {"id": shipment, "c": carrier, "n": tracking_number},
    )
    return order_id


async def recorded_by_webhooks(api: Api) -> int:
    """Events appended for a webhook (app/api/webhooks.py's actor). Not all events: the workers' tracking polls
    and notifications for the dispatched order append meanwhile (a count of all of them failed once in CI)."""
    count: int = await api.store.pool.fetchval(
        "SELECT count(*) FROM events WHERE metadata->>'actor' = 'webhook:easypost'"
    )
    return count


async def test_signed_webhooks_record_tracking_once_and_bad_signatures_record_nothing(api: Api) -> None:
    order_id = await dispatched_order(api, "1Z999")
    body = tracker_event(
        "1Z999",
        "in_transit",
        [
            ("pre_transit", "Label created", "2026-11-25T10:00:00Z"),
            ("in_transit", "Departed facility", "2026-11-25T18:00:00Z"),
        ],
    )
    before = await recorded_by_webhooks(api)
    for headers in (
        {"content-type": "application/json"},
        signed(body, "not-the-secret"),
        {**signed(body), "X-Hmac-Signature": "hmac-sha256-hex=00"},
    ):
        refused = await api.client.post(f"{api.url}/webhooks/easypost", content=body, headers=headers)
        assert refused.status_code == 401
    tampered = await api.client.post(
        f"{api.url}/webhooks/easypost", content=body.replace(b"Departed", b"Arrived"), headers=signed(body)
    )
    assert tampered.status_code == 401
    assert await recorded_by_webhooks(api) == before

    accepted = await api.client.post(f"{api.url}/webhooks/easypost", content=body, headers=signed(body))
    assert accepted.status_code == 200 and accepted.json()["recorded"] >= 2
    assert await recorded_by_webhooks(api) > before  # what the count above would have seen
    replayed = await api.client.post(f"{api.url}/webhooks/easypost", content=body, headers=signed(body))
    assert replayed.status_code == 200 and replayed.json()["recorded"] == 0

    async def tracked() -> bool:
        shipment = (await order_of(api, order_id))["shipments"][0]
        return [t["status"] for t in shipment["tracking"]] == ["PRE_TRANSIT", "IN_TRANSIT"]

    deadline = asyncio.get_running_loop().time() + 10
    while not await tracked():
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.05)


async def test_a_signed_webhook_about_a_polled_carriers_parcel_changes_nothing(api: Api) -> None:
    """DHL is polled through its own API: an EasyPost event naming it is acknowledged and ignored, so the
    shipment's scans have one source (and a forged-looking second opinion cannot deliver it)."""
    order_id = await dispatched_order(api, "JJD0042", carrier="DHL")
    body = tracker_event("JJD0042", "delivered", [("delivered", "Delivered", "2026-11-25T10:00:00Z")], carrier="DHL")
    before = await recorded_by_webhooks(api)
    answer = await api.client.post(f"{api.url}/webhooks/easypost", content=body, headers=signed(body))
    assert answer.status_code == 200 and answer.json() == {"status": "ignored"}
    assert await recorded_by_webhooks(api) == before
    shipment = (await order_of(api, order_id))["shipments"][0]
    assert shipment["status"] == "DISPATCHED" and shipment["tracking"] == []


async def test_a_subscription_sees_every_status_change_of_its_order(api: Api) -> None:
    await network(api)
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "c-8", "lines": [{"sku": "LATE", "quantity": 1}], "shipTo": {"postalCode": "60601"}}},
    )
    order_id = placed["placeOrder"]["order"]["id"]
    await wait_status(api, order_id, "BACKORDERED")
    seen: list[str] = []
    ws_url = api.url.replace("http", "ws") + f"/graphql?token={api.token()}"
    async with websockets.connect(ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {
                        "query": "subscription($id: ID!) { orderUpdated(id: $id) { status } }",
                        "variables": {"id": order_id},
                    },
                }
            )
        )
        await asyncio.sleep(0.3)  # the subscription is registered before anything happens
        await receive(api, "CHI", "LATE", 2)  # supply arrives: the backorder gets allocated

        async def next_status() -> Any:
            message = json.loads(await asyncio.wait_for(ws.recv(), 15))
            assert message["type"] == "next", message
            return message["payload"]["data"]["orderUpdated"]["status"]

        while "ALLOCATED" not in seen:
            seen.append(await next_status())
        await api.data(
            "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { userErrors { code } } }", {"id": order_id}
        )
        while "CANCELLED" not in seen:
            seen.append(await next_status())
    assert seen[-1] == "CANCELLED"
    assert seen.index("ALLOCATED") < seen.index("CANCELLED")
