"""confirmPick over GraphQL: the shipment's own operator picks short, the declined unit is re-sourced at once;
an operator of another location is refused, and so is its queue and pick list."""

from __future__ import annotations

from app.security import Role

from .conftest import Api
from .test_order_journey import PLACE, network, receive, wait_status

PICK = """mutation($input: ConfirmPickInput!) { confirmPick(input: $input) {
  shipment { status pickedAt lines { sku quantity } declines { sku quantity reason at } }
  userErrors { field code } } }"""
DECISIONS = """query($id: ID!) { order(id: $id) { status
  shipments { status location { code } lines { sku quantity } }
  sourcingDecision { trigger }
  sourcingDecisions { trigger profileVersion gap candidates { location { code } selected reason } } } }"""
LEVELS = """{ inventory(sku: "TEE") { levels { location { code } onHand reserved } } }"""


async def test_the_locations_operator_picks_short_and_the_rest_is_sourced_elsewhere(api: Api) -> None:
    await network(api)  # NWK (a DC near the customer), CHI (a store), RET
    await receive(api, "NWK", "TEE", 3)
    await receive(api, "CHI", "TEE", 5)
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "c-1", "lines": [{"sku": "TEE", "quantity": 2}], "shipTo": {"postalCode": "10024"}}},
    )
    order_id = placed["placeOrder"]["order"]["id"]
    shipment = (await wait_status(api, order_id, "ALLOCATED"))["shipments"][0]
    assert shipment["location"]["code"] == "NWK"
    damaged = {"shipmentId": shipment["id"], "lines": [{"sku": "TEE", "picked": 1, "reason": "DAMAGED"}]}

    elsewhere = api.token(Role.OPERATOR, locations=frozenset({"CHI"}))
    refused = await api.data(PICK, {"input": damaged}, token=elsewhere)
    assert refused["confirmPick"] == {
        "shipment": None,
        "userErrors": [{"field": ["input", "shipmentId"], "code": "FORBIDDEN"}],
    }

    no_reason = {"shipmentId": shipment["id"], "lines": [{"sku": "TEE", "picked": 1}]}
    operator = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))
    short = await api.data(PICK, {"input": no_reason}, token=operator)
    assert short["confirmPick"]["userErrors"][0]["code"] == "INVALID_INPUT"

    picked = (await api.data(PICK, {"input": damaged}, token=operator))["confirmPick"]
    assert picked["userErrors"] == []
    got = picked["shipment"]
    assert got["status"] == "PICKED" and got["pickedAt"] is not None
    assert got["lines"] == [{"sku": "TEE", "quantity": 1}]
    assert got["declines"] == [{"sku": "TEE", "quantity": 1, "reason": "DAMAGED", "at": got["pickedAt"]}]

    order = (await api.data(DECISIONS, {"id": order_id}))["order"]  # read-your-writes: the pick's own append
    assert order["status"] == "IN_FULFILLMENT"
    assert [(s["location"]["code"], s["status"], s["lines"]) for s in order["shipments"]] == [
        ("NWK", "PICKED", [{"sku": "TEE", "quantity": 1}]),
        ("CHI", "PLANNED", [{"sku": "TEE", "quantity": 1}]),
    ]
    assert [d["trigger"] for d in order["sourcingDecisions"]] == ["PLACED", "DECLINED"]
    assert order["sourcingDecision"]["trigger"] == "DECLINED"
    resourced = order["sourcingDecisions"][-1]
    assert resourced["profileVersion"] == order["sourcingDecisions"][0]["profileVersion"]  # the same profile
    why = {c["location"]["code"]: c for c in resourced["candidates"]}
    assert why["NWK"]["reason"] == "let this order's units go at a pick (declined or past its pick SLA)"
    assert why["CHI"]["selected"]

    levels = {lv["location"]["code"]: lv for lv in (await api.data(LEVELS))["inventory"]["levels"]}
    assert (levels["NWK"]["onHand"], levels["NWK"]["reserved"]) == (2, 1)  # the damaged unit written down
    assert (levels["CHI"]["onHand"], levels["CHI"]["reserved"]) == (5, 1)


PICK_LIST = """query($code: String!) { pickList(locationCode: $code) { sku quantity shipments { id } } }"""
QUEUE = """query($code: String!, $status: [ShipmentStatus!], $after: String) {
  fulfillmentQueue(locationCode: $code, status: $status, first: 1, after: $after) {
    edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } }"""


async def test_a_locations_pick_list_and_queue_page_through_its_work(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 10)
    await receive(api, "NWK", "CAP", 10)
    ids = []
    for lines in ([{"sku": "TEE", "quantity": 2}], [{"sku": "TEE", "quantity": 1}, {"sku": "CAP", "quantity": 4}]):
        placed = await api.data(
            PLACE, {"input": {"customerId": "c-1", "lines": lines, "shipTo": {"postalCode": "10024"}}}
        )
        ids.append(placed["placeOrder"]["order"]["id"])
    shipments = [(await wait_status(api, i, "ALLOCATED"))["shipments"][0]["id"] for i in ids]

    operator = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))
    pick_list = (await api.data(PICK_LIST, {"code": "NWK"}, token=operator))["pickList"]
    assert [(p["sku"], p["quantity"], [s["id"] for s in p["shipments"]]) for p in pick_list] == [
        ("CAP", 4, [shipments[1]]),
        ("TEE", 3, shipments),
    ]
    elsewhere = api.token(Role.OPERATOR, locations=frozenset({"CHI"}))
    refused = await api.gql(PICK_LIST, {"code": "NWK"}, token=elsewhere)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    refused = await api.gql(QUEUE, {"code": "NWK"}, token=elsewhere)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN" and refused["data"] is None

    full = {"shipmentId": shipments[0], "lines": [{"sku": "TEE", "picked": 2}]}
    assert (await api.data(PICK, {"input": full}, token=operator))["confirmPick"]["userErrors"] == []
    first = (await api.data(QUEUE, {"code": "NWK"}, token=operator))["fulfillmentQueue"]
    assert [e["node"]["id"] for e in first["edges"]] == [shipments[0]] and first["pageInfo"]["hasNextPage"]
    rest = await api.data(QUEUE, {"code": "NWK", "after": first["pageInfo"]["endCursor"]}, token=operator)
    page = rest["fulfillmentQueue"]
    assert [e["node"]["id"] for e in page["edges"]] == [shipments[1]] and not page["pageInfo"]["hasNextPage"]
    picked = (await api.data(QUEUE, {"code": "NWK", "status": ["PICKED"]}, token=operator))["fulfillmentQueue"]
    assert [(e["node"]["id"], e["node"]["status"]) for e in picked["edges"]] == [(shipments[0], "PICKED")]
    still = (await api.data(PICK_LIST, {"code": "NWK"}, token=operator))["pickList"]
    assert [(p["sku"], p["quantity"]) for p in still] == [("CAP", 4), ("TEE", 1)]
