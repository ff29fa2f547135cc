"""Searching orders (issue 18): by SKU, location, placed-time range, status and customer, combined and paged;
who may search what (`access.orders_in_reach`); bad input answered with a code and the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from app.security import Role

from .conftest import Api, eventually
from .test_order_journey import PLACE, network, receive

SEARCH = """query($first: Int, $after: String, $status: OrderStatus, $customerId: String, $sku: String,
  $locationCode: String, $placedFrom: DateTime, $placedTo: DateTime) {
  orders(first: $first, after: $after, status: $status, customerId: $customerId, sku: $sku,
         locationCode: $locationCode, placedFrom: $placedFrom, placedTo: $placedTo) {
    pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }"""


STATUS = "query($id: ID!) { order(id: $id) { status } }"


class Network:
    """Four orders: alice's TEE from NWK and MUG from CHI, then bob's TEE and MUG split across both, and his
    RARE backordered (no shipment). `middle` falls between alice's and bob's."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.ids: dict[str, str] = {}
        self.middle = datetime.now(UTC)

    async def place(self, name: str, customer: str, skus: list[str], postal_code: str) -> None:
        lines = [{"sku": sku, "quantity": 1} for sku in skus]
        body = await self.api.data(
            PLACE, {"input": {"customerId": customer, "lines": lines, "shipTo": {"postalCode": postal_code}}}
        )
        self.ids[name] = body["placeOrder"]["order"]["id"]

    async def build(self, meanwhile: Callable[[], None] = lambda: None) -> Network:
        """`meanwhile` runs between alice's orders and bob's (a test moving the API's clock)."""
        await network(self.api)
        await receive(self.api, "NWK", "TEE", 20)
        await receive(self.api, "CHI", "MUG", 20)
        await self.place("alice-tee", "alice", ["TEE"], "10024")
        await self.place("alice-mug", "alice", ["MUG"], "60601")
        meanwhile()
        self.middle = datetime.now(UTC)
        await self.place("bob-both", "bob", ["TEE", "MUG"], "10024")
        await self.place("bob-rare", "bob", ["RARE"], "10024")

        async def sourced() -> bool:  # every order's sourcing has reached the read model the search reads
            if await self.search(locationCode="CHI") != ["alice-mug", "bob-both"]:
                return False
            rare = await self.api.data(STATUS, {"id": self.ids["bob-rare"]})
            return bool(rare["order"]["status"] == "BACKORDERED")  # sourced apart: no shipment shows it

        await eventually(sourced)
        return self

    async def search(self, token: str | None = "admin", **filters: Any) -> list[str]:
        """The names of the orders found, every page of them."""
        names = {v: k for k, v in self.ids.items()}
        found: list[str] = []
        after = None
        while True:
            page = (await self.api.data(SEARCH, {**filters, "after": after}, token=token))["orders"]
            found += [names[e["node"]["id"]] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def test_each_filter_and_their_combinations_find_exactly_the_matching_orders(api: Api) -> None:
    world = await Network(api).build()
    assert await world.search(sku="TEE") == ["alice-tee", "bob-both"]
    assert await world.search(sku="MUG") == ["alice-mug", "bob-both"]
    assert await world.search(locationCode="NWK") == ["alice-tee", "bob-both"]
    assert await world.search(placedFrom=iso(world.middle)) == ["bob-both", "bob-rare"]
    assert await world.search(placedTo=iso(world.middle)) == ["alice-tee", "alice-mug"]
    assert await world.search(status="BACKORDERED") == ["bob-rare"]
    assert await world.search(customerId="bob", sku="MUG") == ["bob-both"]
    assert await world.search(sku="TEE", locationCode="CHI") == ["bob-both"]  # the order, not its CHI line
    assert await world.search(locationCode="CHI", placedTo=iso(world.middle)) == ["alice-mug"]
    assert await world.search(sku="RARE", locationCode="NWK") == []  # backordered: shipped from nowhere yet
    assert await world.search(sku="NOTHING") == []


async def test_pages_of_one_walk_every_match_once_in_placement_order(api: Api) -> None:
    world = await Network(api).build()
    assert await world.search(first=1) == ["alice-tee", "alice-mug", "bob-both", "bob-rare"]
    assert await world.search(first=1, sku="TEE") == ["alice-tee", "bob-both"]
    assert await world.search(first=1, locationCode="CHI") == ["alice-mug", "bob-both"]
    assert await world.search(first=1, placedFrom=iso(world.middle - timedelta(hours=1))) == [
        "alice-tee",
        "alice-mug",
        "bob-both",
        "bob-rare",
    ]


async def test_operators_search_the_orders_at_their_locations_and_no_other(api: Api) -> None:
    world = await Network(api).build()
    nwk = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))
    assert await world.search(token=nwk) == ["alice-tee", "bob-both"]
    assert await world.search(token=nwk, locationCode="NWK") == ["alice-tee", "bob-both"]
    assert await world.search(token=nwk, sku="MUG") == ["bob-both"]  # bob's MUG ships from CHI, his TEE from NWK
    assert await world.search(token=nwk, customerId="alice") == ["alice-tee"]
    assert await world.search(token=nwk, status="BACKORDERED") == []
    elsewhere = await api.gql(SEARCH, {"locationCode": "CHI"}, token=nwk)
    assert elsewhere["data"] is None
    assert elsewhere["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "alice" not in str(elsewhere) and "bob" not in str(elsewhere)
    no_claim = api.token(Role.OPERATOR)
    assert await world.search(token=no_claim) == []
    assert (await api.gql(SEARCH, {"locationCode": "NWK"}, token=no_claim))["errors"][0]["extensions"][
        "code"
    ] == "FORBIDDEN"


async def test_customers_search_their_own_orders_only(api: Api) -> None:
    world = await Network(api).build()
    alice = api.token(Role.CUSTOMER, customer_id="alice")
    assert await world.search(token=alice) == ["alice-tee", "alice-mug"]
    assert await world.search(token=alice, customerId="bob") == ["alice-tee", "alice-mug"]  # still her own
    assert await world.search(token=alice, locationCode="CHI") == ["alice-mug"]
    assert await world.search(token=alice, sku="RARE") == []
    anonymous = await api.gql(SEARCH, {}, token=None)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_bad_input_is_refused_with_a_code_and_the_field(api: Api) -> None:
    now = datetime.now(UTC)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"placedFrom": iso(now), "placedTo": iso(now - timedelta(days=1))}, "INVALID_ARGUMENT", "placedFrom"),
        ({"first": 101}, "INVALID_ARGUMENT", "first"),
        ({"first": 0}, "INVALID_ARGUMENT", "first"),
        ({"after": "not-a-cursor"}, "INVALID_CURSOR", "after"),
        ({"placedTo": "yesterday"}, "BAD_USER_INPUT", "placedTo"),
        ({"status": "SHIPPD"}, "BAD_USER_INPUT", "status"),  # not an OrderStatus
    ]
    for variables, code, field in cases:
        body = await api.gql(SEARCH, variables)
        assert body["data"] is None, variables
        extensions = body["errors"][0]["extensions"]
        assert (extensions["code"], extensions.get("field")) == (code, field), body
    literal = await api.gql("{ orders(status: SHIPPD) { edges { cursor } } }")
    assert literal["errors"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED", "field": "status"}
