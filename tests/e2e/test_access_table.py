"""The roles-and-operations table of docs/security.md, run against the app: the table is read from the document
itself (so the document cannot drift from what is tested), one test per row, every caller of the row probed."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import websockets

from app.api.ids import global_id
from app.api.schema import schema
from app.carriers.simulated import tracking_number_for
from app.domain import ALL_EVENTS
from app.handlers import Context
from app.security import Role
from eventstore import EventCodec
from tests.support.pickup import place_for_pickup

from .conftest import Api, eventually
from .test_order_journey import PLACE, network, receive, wait_status

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
CALLERS = (
    "admin",
    "service",
    "operator",
    "operator elsewhere",
    "operator, no claim",
    "customer",
    "other customer",
    "anonymous",
)  # fmt: skip
VERDICTS = {"yes", "hidden", "FORBIDDEN", "UNAUTHENTICATED", "NOT_FOUND"}


def read_table() -> dict[str, dict[str, str]]:
    """{operation: {caller: verdict}} from the markdown table under '## Roles and operations'."""
    lines = DOC.read_text().splitlines()
    start = lines.index("## Roles and operations")
    rows = list(itertools.takewhile(lambda line: not line.startswith("## "), lines[start + 1 :]))
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in rows if line.startswith("|")]
    header, _rule, *body = cells
    assert tuple(header[1 : 1 + len(CALLERS)]) == CALLERS, header
    return {row[0].strip("`"): dict(zip(CALLERS, row[1 : 1 + len(CALLERS)], strict=True)) for row in body}


TABLE = read_table()


@dataclass(frozen=True)
class World:
    order_id: str
    shipment_id: str
    return_id: str = "Return:none"
    cart_id: str = "CartReservation:none"


@dataclass(frozen=True)
class Probe:
    document: str
    variables: Callable[[World], dict[str, Any]] = lambda w: {}
    seen: Callable[[Any], bool] | None = None  # whether an answer holds the thing; None: a mutation's payload
    needs_return: bool = False
    needs_pickup: bool = False  # the world's order is alice's pickup at NWK, ready at the counter
    needs_cart: bool = False
    needs_profile: bool = False  # a sourcing profile `default` was defined


def query(
    document: str, seen: Callable[[Any], bool], variables: Callable[[World], dict[str, Any]] = lambda w: {}
) -> Probe:
    return Probe(document, variables, seen)


def mutation(name: str, input_type: str, value: Callable[[World], dict[str, Any]], needs_return: bool = False) -> Probe:
    document = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ userErrors {{ code }} }} }}"
    return Probe(document, lambda w: {"input": value(w)}, None, needs_return)


def with_cart(probe: Probe) -> Probe:
    return Probe(probe.document, probe.variables, probe.seen, probe.needs_return, needs_cart=True)


def node(field: str, needs_return: bool = False) -> Probe:
    def variables(w: World) -> dict[str, Any]:
        ids = {"Location": "Location:NWK", "Order": w.order_id, "Shipment": w.shipment_id, "Return": w.return_id}
        return {"id": ids[field]}

    return Probe("query($id: ID!) { node(id: $id) { id } }", variables, lambda d: d is not None, needs_return)


def now() -> str:
    return datetime.now(UTC).isoformat()


ALICE = {"customerId": "alice", "lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "10024"}}
STOCK = {"locationCode": "NWK", "sku": "TEE"}
RECEIVED = [{"sku": "TEE", "quantity": 1, "condition": "RESELLABLE"}]
INVENTORY = 'query($at: DateTime) { inventory(sku: "TEE", asOf: $at) { levels { onHand } } }'
PACK = "mutation($id: ID!) { packShipment(input: {shipmentId: $id}) { userErrors { code } } }"
DISPATCH = """mutation($id: ID!, $n: String!) { dispatchShipment(input: {shipmentId: $id, carrier: "simulated",
  trackingNumber: $n}) { userErrors { code } } }"""
ORDER = "query($id: ID!, $at: DateTime) { order(id: $id, asOf: $at) { id } }"
DC_ONLY = {"eligibility": [{"locationTypes": ["DISTRIBUTION_CENTER"]}]}
DEFINE_PROFILE = (
    "mutation($input: SourcingProfileInput!) { defineSourcingProfile(input: $input) { userErrors { code } } }"
)
SIMULATE = """query($input: SimulateSourcingInput!) { simulateSourcing(input: $input) { current { orders } } }"""

PROBES: dict[str, Probe] = {
    "locations": query("{ locations { code } }", bool),
    "inventory": query(INVENTORY, lambda d: bool(d["levels"])),
    "inventory(asOf)": query(INVENTORY, lambda d: bool(d["levels"]), lambda w: {"at": now()}),
    "order": query(ORDER, lambda d: d is not None, lambda w: {"id": w.order_id}),
    "order(asOf)": query(ORDER, lambda d: d is not None, lambda w: {"id": w.order_id, "at": now()}),
    "orders": query("{ orders(first: 5) { edges { cursor } } }", lambda d: bool(d["edges"])),
    "orders(locationCode)": query(
        '{ orders(first: 5, locationCode: "NWK", sku: "TEE") { edges { cursor } } }', lambda d: bool(d["edges"])
    ),
    "fulfillmentOptions": query(
        '{ fulfillmentOptions(input: {lines: [{sku: "TEE", quantity: 1}], shipTo: {postalCode: "10024"}}) { cost } }',
        bool,
    ),
    "pickupOptions": query(
        '{ pickupOptions(input: {lines: [{sku: "TEE", quantity: 1}], near: {postalCode: "60601"}}) { available } }',
        bool,
    ),
    "deliveryWindows": query(
        '{ deliveryWindows(input: {lines: [{sku: "TEE", quantity: 1}], shipTo: {postalCode: "10024"}}) { end } }',
        bool,
    ),
    "returnPolicy": query("{ returnPolicy { version windowDays } }", lambda d: d["windowDays"] > 0),
    "alternatives": query(
        '{ alternatives(input: {lines: [{sku: "TEE", quantity: 1}], shipTo: {postalCode: "10024"}}) { kind } }',
        lambda d: isinstance(d, list),
    ),
    "substitutes": query('{ substitutes(sku: "TEE") { sku substitutes } }', lambda d: d["sku"] == "TEE"),
    "fulfillmentQueue": query(
        '{ fulfillmentQueue(locationCode: "NWK") { edges { cursor } } }', lambda d: bool(d["edges"])
    ),
    "pickList": query('{ pickList(locationCode: "NWK") { sku quantity } }', bool),
    "events": query("{ events(first: 5) { edges { cursor } } }", lambda d: bool(d["edges"])),
    "lastVerification": query("{ lastVerification { intact } }", lambda d: d is None or d["intact"]),
    "node(Location)": node("Location"),
    "node(Order)": node("Order"),
    "node(Shipment)": node("Shipment"),
    "node(Return)": node("Return", needs_return=True),
    "createLocation": mutation(
        "createLocation",
        "CreateLocationInput",
        lambda w: {"code": "NEW", "name": "new", "type": "STORE", "latitude": 1.0, "longitude": 1.0},
    ),
    "updateLocation": mutation("updateLocation", "UpdateLocationInput", lambda w: {"code": "NWK", "name": "Newark"}),
    "setDeliveryCapacity": mutation(
        "setDeliveryCapacity",
        "DeliveryCapacityInput",
        lambda w: {
            "locationCode": "NWK",
            "windowMinutes": 120,
            "deliveriesPerWindow": 8,
            "firstWindowStartsAt": "10:00",
            "lastWindowEndsAt": "20:00",
        },
    ),
    "receiveStock": mutation("receiveStock", "ReceiveStockInput", lambda w: {**STOCK, "quantity": 1}),
    "adjustStock": mutation("adjustStock", "AdjustStockInput", lambda w: {**STOCK, "delta": 1, "reason": "count"}),
    "setSafetyStock": mutation("setSafetyStock", "SetSafetyStockInput", lambda w: {**STOCK, "quantity": 1}),
    "placeOrder": mutation("placeOrder", "PlaceOrderInput", lambda w: ALICE),
    "placeOrder(priority)": mutation("placeOrder", "PlaceOrderInput", lambda w: {**ALICE, "priority": 10}),
    "placeOrder(reservationId)": with_cart(
        mutation("placeOrder", "PlaceOrderInput", lambda w: {**ALICE, "reservationId": w.cart_id})
    ),
    "reserveCart": mutation("reserveCart", "ReserveCartInput", lambda w: ALICE),
    "cartReservation": with_cart(
        query(
            "query($id: ID!) { cartReservation(id: $id) { id } }", lambda d: d is not None, lambda w: {"id": w.cart_id}
        )
    ),
    "releaseCart": with_cart(mutation("releaseCart", "ReleaseCartInput", lambda w: {"reservationId": w.cart_id})),
    "cancelOrder": mutation("cancelOrder", "CancelOrderInput", lambda w: {"orderId": w.order_id}),
    "editOrder": mutation(
        "editOrder", "EditOrderInput", lambda w: {"orderId": w.order_id, "lines": [{"sku": "TEE", "quantity": 1}]}
    ),
    "placeOrderOnHold": mutation("placeOrderOnHold", "HoldOrderInput", lambda w: {"orderId": w.order_id}),
    "releaseOrderHold": mutation("releaseOrderHold", "HoldOrderInput", lambda w: {"orderId": w.order_id}),
    "packShipment": mutation("packShipment", "PackShipmentInput", lambda w: {"shipmentId": w.shipment_id}),
    "dispatchShipment": mutation(
        "dispatchShipment",
        "DispatchShipmentInput",
        lambda w: {"shipmentId": w.shipment_id, "carrier": "UPS", "trackingNumber": "1Z1"},
    ),
    "confirmPick": mutation(
        "confirmPick",
        "ConfirmPickInput",
        lambda w: {"shipmentId": w.shipment_id, "lines": [{"sku": "TEE", "picked": 1}]},
    ),
    "confirmCollection": mutation(
        "confirmCollection",
        "ConfirmCollectionInput",
        lambda w: {"shipmentId": w.shipment_id, "pickupCode": "000000"},
    ),
    "order(pickupCode)": Probe(
        "query($id: ID!) { order(id: $id) { shipments { pickupCode } } }",
        lambda w: {"id": w.order_id},
        lambda d: d is not None and all(s["pickupCode"] for s in d["shipments"]),
        needs_pickup=True,
    ),
    "requestReturn": mutation(
        "requestReturn",
        "RequestReturnInput",
        lambda w: {"orderId": w.order_id, "lines": [{"sku": "TEE", "quantity": 1}]},
    ),
    "exchangeItems": mutation(
        "exchangeItems",
        "ExchangeItemsInput",
        lambda w: {
            "orderId": w.order_id,
            "returnLines": [{"sku": "TEE", "quantity": 1}],
            "replacementLines": [{"sku": "TEE", "quantity": 1}],
        },
        True,
    ),
    "cancelReturn": mutation("cancelReturn", "CancelReturnInput", lambda w: {"returnId": w.return_id}, True),
    "approveReturn": mutation("approveReturn", "ReturnDecisionInput", lambda w: {"returnId": w.return_id}, True),
    "rejectReturn": mutation("rejectReturn", "ReturnDecisionInput", lambda w: {"returnId": w.return_id}, True),
    "receiveReturn": mutation(
        "receiveReturn",
        "ReceiveReturnInput",
        lambda w: {"returnId": w.return_id, "locationCode": "NWK", "lines": RECEIVED},
        True,
    ),
    "refundReturn": mutation(
        "refundReturn",
        "RefundReturnInput",
        lambda w: {"returnId": w.return_id, "lines": [{"sku": "TEE", "amount": "1.00"}]},
        True,
    ),
    "defineReturnPolicy": mutation("defineReturnPolicy", "ReturnPolicyInput", lambda w: {"windowDays": 30}),
    "setSubstitutes": mutation(
        "setSubstitutes", "SetSubstitutesInput", lambda w: {"sku": "TEE", "substitutes": ["TEE-XL"]}
    ),
    "deliverySlots": query('{ deliverySlots(locationCode: "NWK") { locationCode } }', lambda d: d is not None),
    "stockLevels": query("{ stockLevels(first: 5) { edges { cursor } } }", lambda d: bool(d["edges"])),
    "sourcingProfile": Probe("{ sourcingProfile { version } }", seen=lambda d: d is not None, needs_profile=True),
    "sourcingProfiles": Probe("{ sourcingProfiles { version } }", seen=bool, needs_profile=True),
    "defineSourcingProfile": mutation("defineSourcingProfile", "SourcingProfileInput", lambda w: DC_ONLY),
    "simulateSourcing": query(
        SIMULATE,
        lambda d: d["current"]["orders"] == 1,  # alice's order
        lambda w: {"input": {"profile": DC_ONLY, "from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"}},
    ),
    "orderUpdated": query(
        "subscription($id: ID!) { orderUpdated(id: $id) { id } }", lambda d: d is not None, lambda w: {"id": w.order_id}
    ),
    "inventoryChanged": query(
        'subscription { inventoryChanged(sku: "TEE") { levels { onHand } } }', lambda d: bool(d["levels"])
    ),
    "fulfillmentQueueChanged": query(
        'subscription { fulfillmentQueueChanged(locationCode: "NWK") { id } }', lambda d: d is not None
    ),
    "systemStatus": query("{ systemStatus { projections { name lagEvents } } }", lambda d: bool(d["projections"])),
    "orderFlow": query("subscription { orderFlow { placed allocated shipped } }", lambda d: d["placed"] >= 0),
    "verifyLog": query("subscription { verifyLog { eventsChecked eventsTotal } }", lambda d: d["eventsTotal"] > 0),
}


def tokens(api: Api) -> dict[str, str | None]:
    return {
        "admin": api.token(),
        "service": api.token(Role.SERVICE),
        "operator": api.token(Role.OPERATOR, locations=frozenset({"NWK"})),
        "operator elsewhere": api.token(Role.OPERATOR, locations=frozenset({"CHI"})),
        "operator, no claim": api.token(Role.OPERATOR),
        "customer": api.token(Role.CUSTOMER, customer_id="alice"),
        "other customer": api.token(Role.CUSTOMER, customer_id="bob"),
        "anonymous": None,
    }


async def world(api: Api, *, with_return: bool, with_cart: bool = False) -> World:
    """Locations NWK, CHI, RET; TEE at NWK; alice's order shipping from NWK (delivered, with a return, if asked);
    alice's cart reservation of one TEE (if asked)."""
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    order_id = (await api.data(PLACE, {"input": ALICE}))["placeOrder"]["order"]["id"]
    shipment_id = (await wait_status(api, order_id, "ALLOCATED"))["shipments"][0]["id"]
    if with_cart:
        reserved = await api.data(
            "mutation($input: ReserveCartInput!) { reserveCart(input: $input) { reservation { id } } }",
            {"input": ALICE},
        )
        cart_id = reserved["reserveCart"]["reservation"]["id"]

        async def visible() -> bool:  # the read model has it (the mutation's wait is bounded)
            found = await api.data("query($id: ID!) { cartReservation(id: $id) { id } }", {"id": cart_id})
            return found["cartReservation"] is not None

        await eventually(visible)
        return World(order_id, shipment_id, cart_id=cart_id)
    if not with_return:
        return World(order_id, shipment_id)
    await api.data(PACK, {"id": shipment_id})
    await api.data(DISPATCH, {"id": shipment_id, "n": tracking_number_for("acl", datetime.now(UTC))})
    await wait_status(api, order_id, "DELIVERED")
    requested = await api.data(
        "mutation($input: RequestReturnInput!) { requestReturn(input: $input) { return { id } userErrors { code } } }",
        {"input": {"orderId": order_id, "lines": [{"sku": "TEE", "quantity": 1}]}},
    )
    return World(order_id, shipment_id, requested["requestReturn"]["return"]["id"])


async def pickup_world(api: Api) -> World:
    """Alice's pickup at NWK, picked and waiting at the counter with its code."""
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    await place_for_pickup(Context(api.store, EventCodec(ALL_EVENTS)), "pickup-1", "NWK", ("TEE", 1), customer="alice")
    order_id = global_id("Order", "pickup-1")

    async def projected() -> bool:  # written behind the API's back: no read-your-writes to wait on
        return (await api.data(ORDER, {"id": order_id}))["order"] is not None

    await eventually(projected)
    shipment_id = (await wait_status(api, order_id, "ALLOCATED"))["shipments"][0]["id"]
    pick = {"shipmentId": shipment_id, "lines": [{"sku": "TEE", "picked": 1}]}
    await api.data("mutation($input: ConfirmPickInput!) { confirmPick(input: $input) { userErrors { code } } }",
                   {"input": pick})  # fmt: skip
    await wait_status(api, order_id, "READY_FOR_PICKUP")
    return World(order_id, shipment_id)


def verdict(body: dict[str, Any], probe: Probe) -> str:
    if errors := body.get("errors"):
        return str(errors[0].get("extensions", {}).get("code", errors[0].get("message")))
    (answer,) = body["data"].values()
    if probe.seen is not None:
        return "yes" if probe.seen(answer) else "hidden"
    codes = {e["code"] for e in answer["userErrors"]}
    return next((c for c in ("FORBIDDEN", "NOT_FOUND") if c in codes), "yes")


async def streamed(api: Api, probe: Probe, w: World, token: str | None, change: Callable[[], Awaitable[None]]) -> str:
    """The verdict of a subscription's first message. The change it should stream is made again until a message
    comes: a subscription registers some time after it is sent, and a change before that is rightly not seen."""
    url = api.url.replace("http", "ws") + "/graphql" + (f"?token={token}" if token else "")
    async with websockets.connect(url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        payload = {"query": probe.document, "variables": probe.variables(w)}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        for _ in range(30):
            await change()
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), 1))
            except TimeoutError:
                continue
            if message["type"] == "complete":
                return "hidden"  # ended without a word, as `order` answers null
            if message["type"] == "error":
                return str(message["payload"][0].get("extensions", {}).get("code"))
            return verdict(message["payload"], probe)
    raise AssertionError("the subscription neither answered nor ended")


def changes(api: Api, w: World, operation: str) -> Callable[[], Awaitable[None]]:
    """Something for `operation` to stream: alternately hold and release the order, receive stock, or plan
    another shipment at NWK."""
    order_steps = itertools.cycle(("placeOrderOnHold", "releaseOrderHold"))

    async def change() -> None:
        if operation == "inventoryChanged":
            await receive(api, "NWK", "TEE", 1)
            return
        if operation == "fulfillmentQueueChanged":  # another of alice's orders, planned at NWK
            await receive(api, "NWK", "TEE", 1)
            await api.data(PLACE, {"input": ALICE})
            return
        name = next(order_steps)
        await api.data(f"mutation($id: ID!) {{ {name}(input: {{orderId: $id}}) {{ userErrors {{ code }} }} }}",
                       {"id": w.order_id})  # fmt: skip

    return change


def test_the_table_names_every_operation_and_every_cell_is_a_verdict() -> None:
    roots = [schema._schema.query_type, schema._schema.mutation_type, schema._schema.subscription_type]
    operations = {name for root in roots if root is not None for name in root.fields}
    assert {row.split("(")[0] for row in TABLE} == operations
    assert set(TABLE) == set(PROBES)
    assert {cell for row in TABLE.values() for cell in row.values()} <= VERDICTS


@pytest.mark.parametrize("operation", list(TABLE))
async def test_every_caller_gets_what_the_table_says(api: Api, operation: str) -> None:
    probe = PROBES[operation]
    if probe.needs_pickup:
        w = await pickup_world(api)
    else:
        w = await world(api, with_return=probe.needs_return, with_cart=probe.needs_cart)
    if probe.needs_profile:
        assert (await api.data(DEFINE_PROFILE, {"input": DC_ONLY}))["defineSourcingProfile"]["userErrors"] == []
    got: dict[str, str] = {}
    for caller, token in tokens(api).items():
        if probe.document.startswith("subscription"):
            got[caller] = await streamed(api, probe, w, token, changes(api, w, operation))
        else:
            got[caller] = verdict(await api.gql(probe.document, probe.variables(w), token=token), probe)
    assert got == TABLE[operation]
