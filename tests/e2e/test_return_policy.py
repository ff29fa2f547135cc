"""The return policy over HTTP: read by anyone, defined by admins as versions, and applied to each return as it
stood when the return was requested (contract: commerce.graphql, the return policy rules)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.carriers.simulated import tracking_number_for
from app.security import Role

from .conftest import Api
from .test_order_journey import PLACE, network, receive, wait_status

POLICY = (
    "{ returnPolicy { version windowDays nonReturnableSkus restockingFees { condition percent } definedAt reason } }"
)
DEFINE = """mutation($input: ReturnPolicyInput!) { defineReturnPolicy(input: $input) {
  policy { version windowDays nonReturnableSkus restockingFees { condition percent } reason }
  userErrors { field code message } } }"""
REQUEST = """mutation($input: RequestReturnInput!) { requestReturn(input: $input) {
  return { id status } userErrors { field code message } } }"""


async def define(api: Api, token: str | None = "admin", **input: Any) -> dict[str, Any]:
    return (await api.data(DEFINE, {"input": input}, token=token))["defineReturnPolicy"]  # type: ignore[no-any-return]


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def test_until_an_admin_defines_one_anyone_reads_the_default(api: Api) -> None:
    policy = (await api.data(POLICY, token=None))["returnPolicy"]
    assert policy == {
        "version": 0,
        "windowDays": 30,
        "nonReturnableSkus": [],
        "restockingFees": [],
        "definedAt": "1970-01-01T00:00:00+00:00",
        "reason": None,
    }


async def test_admins_define_versions_others_are_refused(api: Api) -> None:
    fees = [{"condition": "DAMAGED", "percent": 12.5}, {"condition": "RESELLABLE", "percent": 0.05}]
    first = await define(api, windowDays=14, nonReturnableSkus=["GIFT", "GIFT"], restockingFees=fees, reason="peak")
    assert first["userErrors"] == []
    assert first["policy"] == {
        "version": 1,
        "windowDays": 14,
        "nonReturnableSkus": ["GIFT"],
        "restockingFees": [{"condition": "RESELLABLE", "percent": 0.05}, {"condition": "DAMAGED", "percent": 12.5}],
        "reason": "peak",
    }
    public = (await api.data(POLICY, token=api.token(Role.CUSTOMER, customer_id="alice")))["returnPolicy"]
    assert (public["version"], public["restockingFees"]) == (1, first["policy"]["restockingFees"])

    stale = await define(api, windowDays=60, expectedVersion=0)
    assert (stale["policy"], errors(stale)) == (None, [("CONFLICT", ["input", "expectedVersion"])])
    second = await define(api, windowDays=60, expectedVersion=1)
    assert second["policy"]["version"] == 2 and second["policy"]["restockingFees"] == []

    for token, code in [
        (api.token(Role.SERVICE), "FORBIDDEN"),
        (api.token(Role.OPERATOR, locations=frozenset({"NWK"})), "FORBIDDEN"),
        (api.token(Role.CUSTOMER, customer_id="alice"), "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ]:
        body = await api.gql(DEFINE, {"input": {"windowDays": 1}}, token=token)
        assert body["errors"][0]["extensions"]["code"] == code
    assert (await api.data(POLICY))["returnPolicy"]["windowDays"] == 60  # nothing changed


async def test_invalid_terms_are_named_at_their_fields(api: Api) -> None:
    bad = await define(
        api,
        windowDays=-1,
        nonReturnableSkus=[""],
        restockingFees=[
            {"condition": "DAMAGED", "percent": 100.5},
            {"condition": "RESELLABLE", "percent": 1.005},
            {"condition": "DAMAGED", "percent": 10},
        ],
    )
    assert bad["policy"] is None
    assert errors(bad) == [
        ("INVALID_INPUT", ["input", "windowDays"]),
        ("INVALID_INPUT", ["input", "nonReturnableSkus", "0"]),
        ("INVALID_INPUT", ["input", "restockingFees", "0", "percent"]),
        ("INVALID_INPUT", ["input", "restockingFees", "1", "percent"]),
        ("INVALID_INPUT", ["input", "restockingFees", "2", "condition"]),
    ]
    negative = await define(api, windowDays=30, restockingFees=[{"condition": "DAMAGED", "percent": -0.01}])
    assert errors(negative) == [("INVALID_INPUT", ["input", "restockingFees", "0", "percent"])]
    assert (await api.data(POLICY))["returnPolicy"]["version"] == 0


async def delivered_order(api: Api) -> str:
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    await receive(api, "NWK", "GIFT", 5)
    lines = [{"sku": "TEE", "quantity": 2}, {"sku": "GIFT", "quantity": 1}]
    placed = await api.data(
        PLACE, {"input": {"customerId": "alice", "lines": lines, "shipTo": {"postalCode": "10024"}}}
    )
    order_id: str = placed["placeOrder"]["order"]["id"]
    shipment_id = (await wait_status(api, order_id, "ALLOCATED"))["shipments"][0]["id"]
    await api.data("mutation($id: ID!) { packShipment(input: {shipmentId: $id}) { userErrors { code } } }",
                   {"id": shipment_id})  # fmt: skip
    dispatch = """mutation($id: ID!, $n: String!) { dispatchShipment(input: {shipmentId: $id, carrier: "simulated",
      trackingNumber: $n}) { userErrors { code } } }"""
    await api.data(dispatch, {"id": shipment_id, "n": tracking_number_for("pol", datetime.now(UTC))})
    await wait_status(api, order_id, "DELIVERED")
    return order_id


async def test_a_return_is_judged_by_the_policy_in_force_when_requested_and_records_its_version(api: Api) -> None:
    order_id = await delivered_order(api)
    await define(api, windowDays=30, nonReturnableSkus=["GIFT"])
    alice = api.token(Role.CUSTOMER, customer_id="alice")

    lines = [{"sku": "TEE", "quantity": 1}, {"sku": "GIFT", "quantity": 1}]
    refused = (await api.data(REQUEST, {"input": {"orderId": order_id, "lines": lines}}, token=alice))["requestReturn"]
    assert (refused["return"], errors(refused)) == (None, [("NOT_RETURNABLE", ["input", "lines", "1", "sku"])])

    one_tee = {"orderId": order_id, "lines": [{"sku": "TEE", "quantity": 1}]}
    requested = (await api.data(REQUEST, {"input": one_tee}, token=alice))["requestReturn"]
    assert requested["userErrors"] == [] and requested["return"]["status"] == "REQUESTED"
    return_key = requested["return"]["id"].split(":", 1)[1]
    ledger = await api.data(
        "query($s: String!) { events(streamId: $s) { edges { node { type data } } } }", {"s": f"return-{return_key}"}
    )
    [first] = [e["node"] for e in ledger["events"]["edges"] if e["node"]["type"] == "ReturnRequested"]
    assert first["data"]["policy_version"] == 1

    await define(api, windowDays=0, expectedVersion=1)  # the window now closes at delivery
    closed = (await api.data(REQUEST, {"input": one_tee}, token=alice))["requestReturn"]
    assert (closed["return"], errors(closed)) == (None, [("RETURN_WINDOW_CLOSED", ["input", "orderId"])])
