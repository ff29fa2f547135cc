"""Reading: no N+1 (a page of 100 orders costs a constant number of queries), keyset paging, as-of reads,
the ledger for auditors, and bad input answered clearly without changing anything."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from app.api.services import DB_QUERIES

from .conftest import Api
from .test_order_journey import INVENTORY, PLACE, network, receive, wait_status

PAGE = """query($first: Int) { orders(first: $first) { pageInfo { hasNextPage endCursor }
  edges { cursor node { id status lines { sku allocated } returns { id }
    shipments { id status location { code name } lines { sku quantity } }
    sourcingDecision { algorithm candidates { location { code } } } } } } }"""


def queries_sent() -> float:
    """The API process's own count of statements it sent (its pool is instrumented for /metrics)."""
    value: float = DB_QUERIES._value.get()
    return value


async def place(api: Api, n: int) -> list[str]:
    ids = []
    for i in range(n):
        body = await api.data(
            PLACE,
            {
                "input": {
                    "customerId": f"c{i % 7}",
                    "lines": [{"sku": "TEE", "quantity": 1}],
                    "shipTo": {"latitude": 40.0, "longitude": -75.0},
                }
            },
        )
        ids.append(body["placeOrder"]["order"]["id"])
    return ids


async def test_a_page_of_a_hundred_orders_costs_a_constant_number_of_queries(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 150)
    ids = await place(api, 100)
    await wait_status(api, ids[-1], "ALLOCATED")
    await asyncio.sleep(0.5)  # let every order's allocation reach the read model

    cost = {}
    for first in (5, 100):
        start = queries_sent()
        page = await api.data(PAGE, {"first": first})
        cost[first] = queries_sent() - start
        assert len(page["orders"]["edges"]) == first
        assert all(e["node"]["shipments"][0]["location"]["code"] == "NWK" for e in page["orders"]["edges"])
    # The page, the orders' states, then a query per kind of nested thing (locations, returns, decisions) per
    # loader batch, whatever the number of orders. N+1 would cost hundreds here; a batch split by the event loop's
    # timing may add one or two, which is why the bound is a small constant rather than an exact number.
    assert max(cost.values()) <= 12, cost


async def test_keyset_pages_cover_every_order_once(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 50)
    ids = await place(api, 23)
    seen: list[str] = []
    after = None
    while True:
        body = await api.data(
            """query($after: String) { orders(first: 10, after: $after) {
            pageInfo { hasNextPage endCursor } edges { node { id } } } }""",
            {"after": after},
        )
        seen += [e["node"]["id"] for e in body["orders"]["edges"]]
        if not body["orders"]["pageInfo"]["hasNextPage"]:
            break
        after = body["orders"]["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(ids)


async def test_as_of_reads_answer_from_the_log(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    before = datetime.now(UTC)
    await asyncio.sleep(0.05)
    ids = await place(api, 1)
    await wait_status(api, ids[0], "ALLOCATED")
    past = await api.data(
        "query($id: ID!, $at: DateTime) { order(id: $id, asOf: $at) { status } }",
        {"id": ids[0], "at": before.isoformat()},
    )
    assert past["order"] is None  # it did not exist yet
    stock_then = await api.data(
        """query($at: DateTime) { inventory(sku: "TEE", asOf: $at) { onHand reserved } }""", {"at": before.isoformat()}
    )
    assert stock_then["inventory"] == {"onHand": 5, "reserved": 0}
    now = (await api.data(INVENTORY, {"sku": "TEE"}))["inventory"]
    assert (now["onHand"], now["reserved"]) == (5, 1)


async def test_the_ledger_pages_through_every_event_for_auditors(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    total = await api.store.pool.fetchval("SELECT count(*) FROM events")
    seen, after = 0, None
    while True:
        body = await api.data(
            """query($after: String) { events(first: 2, after: $after) {
            pageInfo { hasNextPage endCursor } edges { node { position streamId version type data metadata } } } }""",
            {"after": after},
        )
        seen += len(body["events"]["edges"])
        if not body["events"]["pageInfo"]["hasNextPage"]:
            break
        after = body["events"]["pageInfo"]["endCursor"]
    assert seen == total
    one = await api.data('{ events(streamId: "location-NWK") { edges { node { type version } } } }')
    assert [e["node"]["type"] for e in one["events"]["edges"]] == ["LocationCreated"]


async def test_bad_input_gets_a_clear_error_and_changes_nothing(api: Api) -> None:
    await network(api)
    before = await api.store.pool.fetchval("SELECT count(*) FROM events")
    cases = [
        (
            {"customerId": "c", "lines": [{"sku": "TEE", "quantity": -1}], "shipTo": {"postalCode": "10001"}},
            "INVALID_QUANTITY",
            ["input", "lines", "0", "quantity"],
        ),
        (
            {"customerId": "c", "lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "00000"}},
            "UNKNOWN_POSTAL_CODE",
            ["input", "shipTo", "postalCode"],
        ),
        ({"customerId": "c", "lines": [], "shipTo": {"postalCode": "10001"}}, "INVALID_INPUT", ["input", "lines"]),
        (
            {"customerId": " ", "lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "10001"}},
            "INVALID_INPUT",
            ["input", "customerId"],
        ),
    ]
    for payload, code, field in cases:
        body = await api.data(PLACE, {"input": payload})
        errors = body["placeOrder"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [(code, field)], errors
    # Every line at fault is named at once, each at its own field.
    two_bad = [{"sku": "TEE", "quantity": 0}, {"sku": " ", "quantity": 1}]
    body = await api.data(PLACE, {"input": {"customerId": "c", "lines": two_bad, "shipTo": {"postalCode": "10001"}}})
    assert [(e["code"], e["field"]) for e in body["placeOrder"]["userErrors"]] == [
        ("INVALID_QUANTITY", ["input", "lines", "0", "quantity"]),
        ("INVALID_INPUT", ["input", "lines", "1", "sku"]),
    ]
    unknown = await api.data("""mutation { receiveStock(input: {locationCode: "NOWHERE", sku: "💡-灯", quantity: 3}) {
        level { onHand } userErrors { field code } } }""")
    assert unknown["receiveStock"]["userErrors"] == [{"field": ["input", "locationCode"], "code": "UNKNOWN_LOCATION"}]
    huge = await api.gql("""mutation { receiveStock(input: {locationCode: "NWK", sku: "S", quantity: 99999999999}) {
        userErrors { code } } }""")
    assert (huge["errors"] and "data" not in huge) or huge.get("data") is None
    bad_enum = await api.gql("""mutation { createLocation(input: {code: "Q", name: "q", type: CASTLE,
        latitude: 1, longitude: 1}) { userErrors { code } } }""")
    assert "CASTLE" in bad_enum["errors"][0]["message"]
    malformed = await api.client.post(
        f"{api.url}/graphql",
        content=b"{not json",
        headers={"content-type": "application/json", "Authorization": "Bearer x"},
    )
    assert malformed.status_code in (400, 401)
    wrong_type = await api.client.post(
        f"{api.url}/graphql",
        content=b"query=1",
        headers={"content-type": "text/plain", "Authorization": f"Bearer {api.token()}"},
    )
    assert 400 <= wrong_type.status_code < 500
    assert await api.store.pool.fetchval("SELECT count(*) FROM events") == before
