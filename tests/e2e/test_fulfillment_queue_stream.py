"""fulfillmentQueueChanged over graphql-transport-ws: a store's operator sees each of its shipments change as it
happens (planned, then picked), including a shipment planned before the stream opened, and nothing of another
location's; an operator of another location is refused."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from app.api.live import location_topic
from app.security import Role

from .conftest import Api, eventually
from .test_order_journey import PLACE, network, receive, wait_status
from .test_picking import PICK

WS = [websockets.Subprotocol("graphql-transport-ws")]
STREAM = """subscription($code: String!) { fulfillmentQueueChanged(locationCode: $code) {
  id status location { code } lines { sku quantity } } }"""


async def open_stream(api: Api, token: str, code: str) -> websockets.ClientConnection:
    ws = await websockets.connect(api.url.replace("http", "ws") + f"/graphql?token={token}", subprotocols=WS)
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    payload = {"query": STREAM, "variables": {"code": code}}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    return ws


async def planned(api: Api, customer: str, postal_code: str, at: str) -> str:
    """An order of one TEE; the id of its shipment, once planned at `at`."""
    lines = [{"sku": "TEE", "quantity": 1}]
    placed = await api.data(
        PLACE, {"input": {"customerId": customer, "lines": lines, "shipTo": {"postalCode": postal_code}}}
    )
    shipment = (await wait_status(api, placed["placeOrder"]["order"]["id"], "ALLOCATED"))["shipments"][0]
    assert shipment["location"]["code"] == at, shipment
    return str(shipment["id"])


async def pick(api: Api, token: str, shipment_id: str) -> None:
    lines = [{"sku": "TEE", "picked": 1}]
    picked = await api.data(PICK, {"input": {"shipmentId": shipment_id, "lines": lines}}, token=token)
    assert picked["confirmPick"]["userErrors"] == [], picked


async def pushed(ws: websockets.ClientConnection) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), 20))
    assert message["type"] == "next", message
    return message["payload"]["data"]["fulfillmentQueueChanged"]  # type: ignore[no-any-return]


async def test_a_stores_operator_sees_its_shipments_planned_then_picked(api: Api) -> None:
    await network(api)  # NWK (a DC near 10024), CHI (a store in Chicago)
    await receive(api, "NWK", "TEE", 1)
    await receive(api, "CHI", "TEE", 5)
    earlier = await planned(api, "c-1", "60601", "CHI")  # before anyone listened: the feed never saw it planned
    newark = await planned(api, "c-2", "10024", "NWK")
    chicago = api.token(Role.OPERATOR, locations=frozenset({"CHI"}))
    newark_operator = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))

    feed = api.app.state.services.feed
    before = await api.store.head()
    assert before is not None and await feed.follower.wait_for(before, 20)  # passed by while nobody listened
    async with await open_stream(api, chicago, "CHI") as ws:

        async def registered() -> bool:
            return bool(feed.listening(location_topic("CHI")))

        await eventually(registered)
        later = await planned(api, "c-3", "60601", "CHI")
        assert await pushed(ws) == {
            "id": later,
            "status": "PLANNED",
            "location": {"code": "CHI"},
            "lines": [{"sku": "TEE", "quantity": 1}],
        }
        await pick(api, chicago, later)
        assert ((got := await pushed(ws))["id"], got["status"]) == (later, "PICKED")
        # Newark's pick streams nothing to Chicago: the next push is Chicago's own pick, after it.
        await pick(api, newark_operator, newark)
        await pick(api, chicago, earlier)
        assert ((got := await pushed(ws))["id"], got["status"]) == (earlier, "PICKED")


async def test_an_operator_of_another_location_is_refused_the_stream(api: Api) -> None:
    await network(api)
    elsewhere = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))
    async with await open_stream(api, elsewhere, "CHI") as ws:
        message = json.loads(await asyncio.wait_for(ws.recv(), 20))
    errors = message["payload"] if message["type"] == "error" else message["payload"].get("errors")
    assert errors and errors[0]["extensions"]["code"] == "FORBIDDEN", message
