"""One event the running code cannot read (a newer version wrote it, as during a rolling deploy) stops only the
readers whose share of the log holds it: the API answers, orders placed after it are still allocated (the
dispatcher and the workers go on: the dispatcher reads only the types it turns into jobs), the other read
models stay current, and /readyz and /metrics name the stopped reader."""

from __future__ import annotations

import uuid
from typing import Any

from eventstore import ANY, NewEvent

from .conftest import Api, eventually
from .test_order_journey import INVENTORY, PLACE, network, receive

ORDERS = "projection:orders"


async def readyz(api: Api) -> tuple[int, dict[str, Any]]:
    response = await api.client.get(f"{api.url}/readyz")
    return response.status_code, response.json()


async def test_an_unknown_event_type_stops_only_the_orders_read_model(api: Api) -> None:
    await network(api)
    assert (await receive(api, "NWK", "TEE", 10))["userErrors"] == []
    ghost = f"order-{uuid.uuid4().hex[:12]}"
    await api.store.append(
        ghost, [NewEvent(event_type="OrderTeleported", data='{"order_id": "x", "note": "s3cret-note"}')], ANY
    )

    async def reported() -> bool:
        return ORDERS in (await readyz(api))[1].get("stalled", {})

    await eventually(reported, timeout=60)
    status, body = await readyz(api)
    assert status == 200 and body["status"] == "degraded"  # reported, not taken out of rotation
    assert list(body["stalled"]) == [ORDERS]  # the locations, stock and returns models, and the dispatcher, go on
    reason = body["stalled"][ORDERS]
    assert "OrderTeleported" in reason and ghost in reason and "s3cret" not in reason
    metrics = (await api.client.get(f"{api.url}/metrics")).text
    assert f'meridian_log_reader_stalled{{reader="{ORDERS}"}} 1.0' in metrics

    # The API still takes orders, the dispatcher still sends them to sourcing, and the stock model follows.
    before = set(await api.store.stream_ids("order"))
    placed = await api.gql(
        PLACE,
        {"input": {"customerId": "c-1", "lines": [{"sku": "TEE", "quantity": 2}], "shipTo": {"postalCode": "10024"}}},
    )
    assert placed["data"]["placeOrder"]["userErrors"] == [], placed
    [order] = set(await api.store.stream_ids("order")) - before

    async def allocated() -> bool:
        return "OrderAllocated" in [e.event_type for e in await api.store.read_stream(order)]

    await eventually(allocated, timeout=60)

    async def reserved() -> bool:
        inventory = (await api.data(INVENTORY, {"sku": "TEE"}))["inventory"]
        return inventory["reserved"] == 2  # type: ignore[no-any-return]

    await eventually(reserved, timeout=60)
    assert list((await readyz(api))[1]["stalled"]) == [ORDERS]
