"""editOrder over GraphQL, rule by rule: the difference released or sourced (an EDITED decision), CONFLICT on a
stale version, nothing changed by an edit that changes nothing, INVALID_STATE at the line for picked units."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.security import Role

from .conftest import Api, eventually
from .test_order_journey import PLACE, network, receive, wait_status
from .test_picking import PICK

EDIT = """mutation($input: EditOrderInput!) { editOrder(input: $input) {
  order { version status serviceLevel lines { sku quantity allocated backordered cancelled } }
  userErrors { field code } } }"""
VIEW = """query($id: ID!) { order(id: $id) { version status serviceLevel
  lines { sku quantity allocated cancelled }
  shipments { id status location { code } lines { sku quantity } }
  sourcingDecisions { trigger } history { type } } }"""
AS_OF = "query($id: ID!, $at: DateTime) { order(id: $id, asOf: $at) { version } }"
LEVELS = """{ inventory(sku: "TEE") { levels { location { code } onHand reserved } } }"""


def place(customer: str, *lines: tuple[str, int]) -> dict[str, Any]:
    items = [{"sku": sku, "quantity": qty} for sku, qty in lines]
    return {"input": {"customerId": customer, "lines": items, "shipTo": {"postalCode": "10024"}}}


async def view(api: Api, order_id: str) -> dict[str, Any]:
    return (await api.data(VIEW, {"id": order_id}))["order"]  # type: ignore[no-any-return]


async def until(api: Api, order_id: str, check: Any) -> dict[str, Any]:
    """The order once `check` holds for it (read-your-writes waits only so long on a busy machine)."""
    seen: dict[str, Any] = {}

    async def holds() -> bool:
        seen.update(await view(api, order_id))
        return bool(check(seen))

    await eventually(holds)
    return seen


async def edit(api: Api, token: str, order_id: str, **change: Any) -> dict[str, Any]:
    return (await api.data(EDIT, {"input": {"orderId": order_id, **change}}, token=token))["editOrder"]  # type: ignore[no-any-return]


async def test_an_edit_releases_or_sources_the_difference_in_one_change_guarded_by_the_version(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 10)
    await receive(api, "NWK", "CAP", 5)
    alice = api.token(Role.CUSTOMER, customer_id="alice")
    order_id = (await api.data(PLACE, place("alice", ("TEE", 3)), token=alice))["placeOrder"]["order"]["id"]
    await wait_status(api, order_id, "ALLOCATED")
    before = await view(api, order_id)
    as_of = await api.data(AS_OF, {"id": order_id, "at": datetime.now(UTC).isoformat()})
    assert as_of["order"]["version"] == before["version"]  # the version of the order as it stood then

    # An edit with nothing to change changes nothing: same version, same history.
    same = await edit(api, alice, order_id, lines=[{"sku": "TEE", "quantity": 3}], expectedVersion=before["version"])
    assert same["userErrors"] == [] and same["order"]["version"] == before["version"]
    assert (await view(api, order_id))["history"] == before["history"]

    # A stale version is a conflict, and nothing moves.
    one = [{"sku": "TEE", "quantity": 1}]
    stale = await edit(api, alice, order_id, lines=one, expectedVersion=before["version"] - 1)
    assert stale == {"order": None, "userErrors": [{"field": ["input", "expectedVersion"], "code": "CONFLICT"}]}
    assert (await view(api, order_id))["version"] == before["version"]

    # Fewer TEE (the planned shipment shrinks), and CAP added (sourced as an EDITED decision).
    lines = [{"sku": "TEE", "quantity": 1}, {"sku": "CAP", "quantity": 2}]
    edited = await edit(api, alice, order_id, lines=lines, expectedVersion=before["version"])
    assert edited["userErrors"] == []
    after = await until(api, order_id, lambda o: o["version"] > before["version"])
    assert [(ln["sku"], ln["quantity"], ln["allocated"], ln["cancelled"]) for ln in after["lines"]] == [
        ("TEE", 3, 1, 2),
        ("CAP", 2, 2, 0),
    ]
    assert [d["trigger"] for d in after["sourcingDecisions"]] == ["PLACED", "EDITED"]
    assert [(s["status"], s["lines"]) for s in after["shipments"]] == [
        ("PLANNED", [{"sku": "TEE", "quantity": 1}]),
        ("PLANNED", [{"sku": "CAP", "quantity": 2}]),
    ]
    levels = (await api.data(LEVELS))["inventory"]["levels"]
    assert [(lv["location"]["code"], lv["onHand"], lv["reserved"]) for lv in levels] == [("NWK", 10, 1)]

    # A faster service level plans the unpicked order again: both planned shipments released, sourced anew.
    faster = await edit(api, alice, order_id, serviceLevel="EXPRESS")
    assert faster["userErrors"] == []
    replanned = await until(api, order_id, lambda o: o["serviceLevel"] == "EXPRESS")
    assert [d["trigger"] for d in replanned["sourcingDecisions"]] == ["PLACED", "EDITED", "EDITED"]
    assert [s["status"] for s in replanned["shipments"]][:2] == ["CANCELLED", "CANCELLED"]
    assert {s["status"] for s in replanned["shipments"][2:]} == {"PLANNED"}
    assert replanned["status"] == "ALLOCATED"


async def test_picked_units_and_a_picked_orders_address_are_refused_at_their_field(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 10)
    await receive(api, "NWK", "CAP", 5)
    order_id = (await api.data(PLACE, place("alice", ("TEE", 3), ("CAP", 2))))["placeOrder"]["order"]["id"]
    shipment = (await wait_status(api, order_id, "ALLOCATED"))["shipments"][0]
    picked = {"shipmentId": shipment["id"], "lines": [{"sku": "TEE", "picked": 3}, {"sku": "CAP", "picked": 2}]}
    assert (await api.data(PICK, {"input": picked}))["confirmPick"]["userErrors"] == []
    version = (await until(api, order_id, lambda o: o["status"] == "IN_FULFILLMENT"))["version"]
    admin = api.token()

    fewer = await edit(api, admin, order_id, lines=[{"sku": "CAP", "quantity": 2}, {"sku": "TEE", "quantity": 1}])
    assert fewer == {"order": None, "userErrors": [{"field": ["input", "lines", "1"], "code": "INVALID_STATE"}]}
    moved = await edit(api, admin, order_id, shipTo={"postalCode": "60601"})
    assert moved == {"order": None, "userErrors": [{"field": ["input", "shipTo"], "code": "INVALID_STATE"}]}
    assert (await view(api, order_id))["version"] == version  # refused: nothing appended

    # Another customer's order is not found; an operator may not edit orders at all.
    bob = api.token(Role.CUSTOMER, customer_id="bob")
    hidden = await edit(api, bob, order_id, lines=[{"sku": "TEE", "quantity": 4}])
    assert hidden["userErrors"] == [{"field": ["input", "orderId"], "code": "NOT_FOUND"}]
    operator = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))
    body = await api.gql(EDIT, {"input": {"orderId": order_id}}, token=operator)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
