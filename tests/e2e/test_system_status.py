"""The Live screen's API: `systemStatus` reports what /readyz and /metrics report (one computation), and
`orderFlow` counts the orders placed and allocated while a client watches. Who may call them is in the access
table (test_access_table.py); here, what an admin gets and what the others are refused with."""

from __future__ import annotations

import json
from typing import Any

import websockets

from app.security import Role

from .conftest import Api, eventually
from .test_order_journey import PLACE, network, receive

STATUS = """{ systemStatus { checkedAt projections { name position lagEvents stalled stalledReason }
  queues { name depth } jobs { actor outcome count }
  admission { refusing lagEvents queuedJobs inFlight maxLagEvents maxQueuedJobs maxInFlight } } }"""
FLOW = "subscription { orderFlow { at seconds placed allocated shipped } }"
ALICE = {"customerId": "alice", "lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "10024"}}


async def test_an_admin_sees_the_readers_the_queues_and_admission_as_readyz_does(api: Api) -> None:
    await network(api)
    status = (await api.data(STATUS))["systemStatus"]
    readers = {r["name"]: r for r in status["projections"]}
    assert "dispatcher" in readers and "projection:orders" in readers
    assert all(not r["stalled"] and r["stalledReason"] is None for r in readers.values())
    assert [q["name"] for q in status["queues"]] == ["orders", "bulk"]
    assert all(isinstance(q["depth"], int) for q in status["queues"])
    assert status["admission"]["refusing"] is None

    async def caught_up() -> bool:
        ready = (await api.client.get(f"{api.url}/readyz")).json()["projection_lag"]
        now = {r["name"]: r["lagEvents"] for r in (await api.data(STATUS))["systemStatus"]["projections"]}
        return set(ready) < set(now) and all(now[name] == 0 == lag for name, lag in ready.items())

    await eventually(caught_up)  # the same figures, by the same code, once the read models have caught up


async def test_others_are_refused_with_a_code(api: Api) -> None:
    for role in (Role.OPERATOR, Role.CUSTOMER, Role.SERVICE):
        body = await api.gql(STATUS, token=api.token(role, customer_id="alice", locations=frozenset({"NWK"})))
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN" and body["data"] is None
    body = await api.gql(STATUS, token=None)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def flow_refusal(api: Api, token: str) -> str:
    """The code the subscription refuses with (as an error message or a result's errors), after any reports."""
    url = api.url.replace("http", "ws") + f"/graphql?token={token}"
    async with websockets.connect(url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": FLOW}}))
        message = json.loads(await ws.recv())
        while message["type"] == "next" and "errors" not in message["payload"]:
            message = json.loads(await ws.recv())
    errors: list[dict[str, Any]] = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return str(errors[0]["extensions"]["code"])


async def test_the_order_flow_counts_what_is_placed_and_allocated_while_watched(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 10)
    url = api.url.replace("http", "ws") + f"/graphql?token={api.token()}"
    totals = {"placed": 0, "allocated": 0}
    async with websockets.connect(url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": FLOW}}))
        first = json.loads(await ws.recv())["payload"]["data"]["orderFlow"]  # a report a second, zeros included
        assert first["seconds"] > 0 and first["at"]
        for _ in range(2):
            assert (await api.data(PLACE, {"input": ALICE}))["placeOrder"]["userErrors"] == []

        async def counted() -> bool:
            flow = json.loads(await ws.recv())["payload"]["data"]["orderFlow"]
            for kind in totals:
                totals[kind] += flow[kind]
            return totals == {"placed": 2, "allocated": 2}

        await eventually(counted, timeout=60)


async def test_the_order_flow_refuses_all_but_admins_with_a_code(api: Api) -> None:
    assert await flow_refusal(api, api.token(Role.CUSTOMER, customer_id="alice")) == "FORBIDDEN"
    assert await flow_refusal(api, api.token(Role.OPERATOR, locations=frozenset({"NWK"}))) == "FORBIDDEN"


async def test_the_order_flow_ends_when_the_token_expires(api: Api) -> None:
    assert await flow_refusal(api, api.token(ttl_seconds=2)) == "UNAUTHENTICATED"
