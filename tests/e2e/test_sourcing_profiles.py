"""Sourcing profiles over GraphQL: versions defined by an admin, refused at the field at fault, applied to the
next decision, and a draft's what-if over the orders placed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.security import Role

from .conftest import Api, eventually
from .test_order_journey import PLACE, network, receive, wait_status

DEFINE = """mutation($input: SourcingProfileInput!) { defineSourcingProfile(input: $input) {
  profile { name version reason eligibility { channel serviceLevel locationTypes } maxDistanceKm { serviceLevel value }
            maxDays { serviceLevel value } excludedLocations preferredLocations maxShipments storePenalty definedAt }
  userErrors { field message code } } }"""
PROFILE = """query($name: String, $version: Int) { sourcingProfile(name: $name, version: $version) {
  name version reason maxShipments excludedLocations } }"""
SIMULATE = """query($input: SimulateSourcingInput!) { simulateSourcing(input: $input) {
  current { orders totalCost shipments splitOrders backorderedUnits meanPromisedDays }
  draft { orders totalCost shipments splitOrders backorderedUnits meanPromisedDays }
  changed { orderId currentCost draftCost currentLocations draftLocations } } }"""
DECISION = "query($id: ID!) { order(id: $id) { sourcingDecision { profileVersion } shipments { location { code } } } }"

ANY_SHIPPER = {"locationTypes": ["DISTRIBUTION_CENTER", "STORE"]}
ALICE = {"customerId": "alice", "lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "10024"}}


async def define(api: Api, token: str | None = "admin", **input: Any) -> Any:
    body = await api.gql(DEFINE, {"input": {"eligibility": [ANY_SHIPPER], **input}}, token=token)
    return body if "errors" in body else body["data"]["defineSourcingProfile"]


def fields(payload: Any) -> set[tuple[str, ...]]:
    return {tuple(e["field"]) for e in payload["userErrors"]}


async def test_each_definition_is_the_next_version_and_a_stale_or_unsound_one_is_refused_at_its_field(
    api: Api,
) -> None:
    await network(api)
    assert (await api.data(PROFILE))["sourcingProfile"] is None  # nothing defined yet: the built-in rules apply
    first = await define(api, reason="launch", maxShipments=2, maxDays=[{"serviceLevel": "EXPRESS", "value": 2}])
    assert first["userErrors"] == []
    profile = first["profile"]
    assert (profile["name"], profile["version"], profile["reason"], profile["maxShipments"]) == (
        "default",
        1,
        "launch",
        2,
    )
    assert profile["eligibility"] == [
        {"channel": None, "serviceLevel": None, "locationTypes": ["DISTRIBUTION_CENTER", "STORE"]}
    ]
    assert profile["maxDays"] == [{"serviceLevel": "EXPRESS", "value": 2.0}]
    assert profile["maxDistanceKm"] == [] and profile["storePenalty"] == 3.0  # left out: the built-in values

    second = await define(api, expectedVersion=1, excludedLocations=["CHI"], preferredLocations=["NWK"])
    assert second["userErrors"] == [] and second["profile"]["version"] == 2
    assert (second["profile"]["excludedLocations"], second["profile"]["preferredLocations"]) == (["CHI"], ["NWK"])
    again = await define(api, excludedLocations=["CHI"], preferredLocations=["NWK"])
    assert again["profile"]["version"] == 2  # the same rules again: no new version

    stale = await define(api, expectedVersion=1, maxShipments=1)
    assert [(e["field"], e["code"]) for e in stale["userErrors"]] == [(["input", "expectedVersion"], "CONFLICT")]
    unsound = await define(
        api,
        eligibility=[{"locationTypes": []}],
        excludedLocations=["NWK", "NOWHERE"],
        maxDistanceKm=[{"serviceLevel": "STANDARD", "value": -1}],
        maxDays=[{"serviceLevel": "EXPRESS", "value": 1}, {"serviceLevel": "EXPRESS", "value": 2}],
    )
    assert fields(unsound) == {("input", "maxDays", "1", "serviceLevel")}  # the shape first
    unsound = await define(
        api,
        eligibility=[{"locationTypes": []}],
        excludedLocations=["NWK", "NOWHERE"],
        maxDistanceKm=[{"serviceLevel": "STANDARD", "value": -1}],
        maxDays=[{"serviceLevel": "EXPRESS", "value": 1.5}],
    )
    assert fields(unsound) == {
        ("input", "eligibility"),
        ("input", "excludedLocations", "1"),
        ("input", "maxDistanceKm", "0", "value"),
        ("input", "maxDays", "0", "value"),
    }
    assert {e["code"] for e in unsound["userErrors"]} == {"INVALID_INPUT", "UNKNOWN_LOCATION"}

    for role in (Role.SERVICE, Role.OPERATOR):
        refused = await define(api, token=api.token(role, locations=frozenset({"NWK"})), maxShipments=1)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    latest = (await api.data(PROFILE))["sourcingProfile"]
    assert (latest["version"], latest["excludedLocations"]) == (2, ["CHI"])
    assert (await api.data(PROFILE, {"version": 1}))["sourcingProfile"]["maxShipments"] == 2
    assert (await api.data(PROFILE, {"version": 3}))["sourcingProfile"] is None
    assert (await api.data(PROFILE, {"name": "outlet"}))["sourcingProfile"] is None
    assert (await define(api, name="outlet"))["profile"]["version"] == 1
    listed = (await api.data("{ sourcingProfiles { name version } }"))["sourcingProfiles"]
    assert listed == [{"name": "default", "version": 2}, {"name": "outlet", "version": 1}]


async def place(api: Api) -> str:
    placed = await api.data(PLACE, {"input": ALICE})
    order_id: str = placed["placeOrder"]["order"]["id"]
    await wait_status(api, order_id, "ALLOCATED")
    return order_id


async def test_a_new_default_applies_to_the_next_decision_and_a_draft_shows_the_orders_it_would_change(
    api: Api,
) -> None:
    start = datetime.now(UTC) - timedelta(minutes=1)
    await network(api)
    await receive(api, "NWK", "TEE", 10)
    await receive(api, "CHI", "TEE", 10)
    before = await place(api)
    assert (await api.data(DECISION, {"id": before}))["order"]["sourcingDecision"]["profileVersion"] == 0
    assert (await define(api, maxShipments=1))["profile"]["version"] == 1
    after = await place(api)  # sourced by the worker, which nobody told of the new version
    decided = (await api.data(DECISION, {"id": after}))["order"]
    assert decided["sourcingDecision"]["profileVersion"] == 1
    assert [s["location"]["code"] for s in decided["shipments"]] == ["NWK"]  # nearest to Manhattan

    period = {"from": start.isoformat(), "to": (datetime.now(UTC) + timedelta(minutes=1)).isoformat()}
    same = await api.data(SIMULATE, {"input": {"profile": {"eligibility": [ANY_SHIPPER], "maxShipments": 1}, **period}})
    assert same["simulateSourcing"]["changed"] == []
    assert same["simulateSourcing"]["current"] == same["simulateSourcing"]["draft"]
    assert same["simulateSourcing"]["current"]["orders"] == 2

    draft = {"eligibility": [ANY_SHIPPER], "excludedLocations": ["NWK"]}
    report = (await api.data(SIMULATE, {"input": {"profile": draft, **period}}))["simulateSourcing"]
    assert sorted(c["orderId"] for c in report["changed"]) == sorted([before, after])
    for changed in report["changed"]:
        assert (changed["currentLocations"], changed["draftLocations"]) == (["NWK"], ["CHI"])
        assert changed["draftCost"] > changed["currentCost"]
    assert report["draft"]["totalCost"] > report["current"]["totalCost"]
    assert report["draft"]["shipments"] == report["current"]["shipments"] == 2
    assert report["current"]["meanPromisedDays"] > 0
    # Nothing was defined by simulating.
    assert (await api.data(PROFILE))["sourcingProfile"]["version"] == 1

    backwards = await api.gql(SIMULATE, {"input": {"profile": draft, "from": period["to"], "to": period["from"]}})
    assert backwards["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "field": "input.to"}
    unknown = {"eligibility": [ANY_SHIPPER], "excludedLocations": ["NOWHERE"]}
    refused = await api.gql(SIMULATE, {"input": {"profile": unknown, **period}})
    assert refused["errors"][0]["extensions"] == {
        "code": "UNKNOWN_LOCATION",
        "field": "input.profile.excludedLocations.0",
    }
    operator = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))
    forbidden = await api.gql(SIMULATE, {"input": {"profile": draft, **period}}, token=operator)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # Delivery quotes, cached for a second, apply a version defined in this process at once.
    near = await standard_cost(api)
    assert (await define(api, excludedLocations=["NWK"]))["profile"]["version"] == 2
    assert await standard_cost(api) > near


async def standard_cost(api: Api) -> float:
    cart = {"lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "10024"}}
    found = await api.data("query($input: FulfillmentOptionsInput!) { fulfillmentOptions(input: $input) { "
                           "serviceLevel cost } }", {"input": cart}, token=None)  # fmt: skip
    (cost,) = [o["cost"] for o in found["fulfillmentOptions"] if o["serviceLevel"] == "STANDARD"]
    return float(cost)


STOCK = """query($location: String, $sku: String, $first: Int, $after: String) {
  stockLevels(locationCode: $location, sku: $sku, first: $first, after: $after) {
    edges { cursor node { sku onHand available location { code } } } pageInfo { hasNextPage endCursor } } }"""


async def pages(api: Api, token: str | None = "admin", **arguments: Any) -> list[tuple[str, str]]:
    """Every level the listing shows, page by page, as (location code, sku)."""
    seen: list[tuple[str, str]] = []
    after = None
    while True:
        page = (await api.data(STOCK, {**arguments, "first": 2, "after": after}, token=token))["stockLevels"]
        seen += [(e["node"]["location"]["code"], e["node"]["sku"]) for e in page["edges"]]
        assert len(page["edges"]) <= 2
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


async def test_stock_levels_page_by_location_and_sku_and_operators_see_their_own(api: Api) -> None:
    await network(api)
    for code, sku in [("NWK", "TEE"), ("CHI", "CAP"), ("NWK", "CAP"), ("CHI", "TEE"), ("NWK", "SOCK")]:
        await receive(api, code, sku, 3)

    async def projected() -> bool:
        return len(await pages(api)) == 5

    await eventually(projected)
    everything = [("CHI", "CAP"), ("CHI", "TEE"), ("NWK", "CAP"), ("NWK", "SOCK"), ("NWK", "TEE")]
    assert await pages(api) == everything
    assert await pages(api, sku="TEE") == [("CHI", "TEE"), ("NWK", "TEE")]
    assert await pages(api, location="NWK") == [("NWK", "CAP"), ("NWK", "SOCK"), ("NWK", "TEE")]
    assert await pages(api, location="CHI", sku="CAP") == [("CHI", "CAP")]

    newark = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))
    assert await pages(api, newark) == [("NWK", "CAP"), ("NWK", "SOCK"), ("NWK", "TEE")]
    assert await pages(api, newark, sku="TEE") == [("NWK", "TEE")]
    elsewhere = await api.gql(STOCK, {"location": "CHI"}, token=newark)
    assert elsewhere["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await pages(api, api.token(Role.OPERATOR)) == []  # no claim, no location
    customer = await api.gql(STOCK, {}, token=api.token(Role.CUSTOMER, customer_id="alice"))
    assert customer["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    bad = await api.gql(STOCK, {"after": "not-a-cursor"})
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
    too_many = await api.gql(STOCK, {"first": 1000})
    assert too_many["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
    level = (await api.data(STOCK, {"location": "NWK", "sku": "TEE"}))["stockLevels"]["edges"][0]["node"]
    assert (level["onHand"], level["available"]) == (3, 3)
