"""Alternatives over HTTP: each one offered is placeable as shown — placed with its lines, the order is served as it
promised (allocated, shipped from where and by when it said, the rest waiting); substitution lists are the
admin's, validated field by field; orders record their substitute lines."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.domain.stock import ExpectSupply, ReceiveSupply
from app.domain.values import SupplyKind
from app.security import Role

from .conftest import Api, eventually
from .test_order_journey import LOCATION, order_of, receive

ALTERNATIVES = """query($input: FulfillmentOptionsInput!) { alternatives(input: $input) {
  kind lines { sku quantity replaces } promisedDelivery pickupLocation { code name } shipments cost explanation } }"""
SET = """mutation($input: SetSubstitutesInput!) { setSubstitutes(input: $input) {
  substitution { sku substitutes } userErrors { field message code } } }"""
SUBSTITUTES = """query($sku: String!) { substitutes(sku: $sku) { sku substitutes } }"""
PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { id substitutions { sku quantity replaces } } userErrors { field message code } } }"""
NEW_YORK = {"postalCode": "10024"}


def alice(api: Api) -> str:
    return api.token(Role.CUSTOMER, customer_id="alice")


async def sites(api: Api) -> None:
    """A DC in Newark, a store in Chicago, and a collect-only counter on the Upper West Side."""
    for code, kind, lat, lon, capabilities in [
        ("NWK", "DISTRIBUTION_CENTER", 40.73, -74.17, None),
        ("CHI", "STORE", 41.88, -87.63, None),
        ("UWS", "STORE", 40.787, -73.975, ["PICKUP"]),
    ]:
        site = {"code": code, "name": f"{code} site", "type": kind, "latitude": lat, "longitude": lon,
                "capabilities": capabilities}  # fmt: skip
        assert (await api.data(LOCATION, {"input": site}))["createLocation"]["userErrors"] == []


async def offered(api: Api, lines: dict[str, int]) -> dict[str, dict[str, Any]]:
    cart = {"lines": [{"sku": sku, "quantity": n} for sku, n in lines.items()], "shipTo": NEW_YORK}
    found = (await api.data(ALTERNATIVES, {"input": cart}, token=None))["alternatives"]
    return {a["kind"]: a for a in found}


async def place(api: Api, alternative: dict[str, Any]) -> dict[str, Any]:
    """Places the alternative's lines as shown, as the customer, and returns the order once sourced."""
    lines = [{k: v for k, v in line.items() if v is not None} for line in alternative["lines"]]
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "alice", "lines": lines, "shipTo": NEW_YORK}},
        token=alice(api),
    )
    assert placed["placeOrder"]["userErrors"] == [], placed
    order_id = placed["placeOrder"]["order"]["id"]

    async def sourced() -> bool:
        return (await order_of(api, order_id))["status"] not in ("PLACED",)

    await eventually(sourced)
    return {**await order_of(api, order_id), "substitutions": placed["placeOrder"]["order"]["substitutions"]}


def promised(value: str | None) -> datetime:
    assert value is not None
    return datetime.fromisoformat(value)


def served_by(order: dict[str, Any]) -> datetime:
    return max(promised(s["promisedDelivery"]) for s in order["shipments"])


async def test_a_cart_served_as_asked_has_none_and_a_split_is_placed_as_shown(api: Api) -> None:
    await sites(api)
    await receive(api, "NWK", "TEE", 5)
    await receive(api, "CHI", "MUG", 5)
    assert await offered(api, {"TEE": 2}) == {}
    found = await offered(api, {"TEE": 2, "MUG": 1})
    assert set(found) == {"SPLIT_SHIPMENT"}
    split = found["SPLIT_SHIPMENT"]
    assert split["shipments"] == 2 and split["explanation"].endswith("in 2 shipments, from CHI site and NWK site")
    order = await place(api, split)
    assert order["status"] == "ALLOCATED"
    assert sorted(s["location"]["code"] for s in order["shipments"]) == ["CHI", "NWK"]
    assert served_by(order) == promised(split["promisedDelivery"])


async def test_a_substitute_is_placed_as_shown_and_the_order_records_what_it_replaces(api: Api) -> None:
    await sites(api)
    await receive(api, "NWK", "TEE-XL", 5)
    await receive(api, "NWK", "MUG", 5)
    set_list = await api.data(SET, {"input": {"sku": "TEE", "substitutes": ["TEE-L", "TEE-XL"]}})
    assert set_list["setSubstitutes"] == {
        "substitution": {"sku": "TEE", "substitutes": ["TEE-L", "TEE-XL"]},
        "userErrors": [],
    }
    found = await offered(api, {"TEE": 2, "MUG": 1})
    assert set(found) == {"SUBSTITUTE", "PARTIAL"}
    swap = found["SUBSTITUTE"]
    assert swap["lines"] == [
        {"sku": "MUG", "quantity": 1, "replaces": None},
        {"sku": "TEE-XL", "quantity": 2, "replaces": "TEE"},
    ]
    assert swap["shipments"] == 1 and swap["explanation"].startswith("TEE-XL instead of TEE: all 3 items")
    order = await place(api, swap)
    assert order["status"] == "ALLOCATED" and order["substitutions"] == [
        {"sku": "TEE-XL", "quantity": 2, "replaces": "TEE"}
    ]
    assert [s["location"]["code"] for s in order["shipments"]] == ["NWK"]
    assert served_by(order) == promised(swap["promisedDelivery"])
    # The partial, placed as shown: the mug ships as promised, the tees wait.
    partial = found["PARTIAL"]
    assert partial["explanation"].startswith("1 of 3 ") and partial["explanation"].endswith(
        "2 backordered until back in stock"
    )
    waiting = await place(api, partial)
    assert {ln["sku"]: (ln["allocated"], ln["backordered"]) for ln in waiting["lines"]} == {
        "MUG": (1, 0),
        "TEE": (0, 2),
    }
    assert served_by(waiting) == promised(partial["promisedDelivery"])


async def test_incoming_supply_is_a_later_date_kept_when_it_arrives_and_without_it_everything_waits(api: Api) -> None:
    await sites(api)
    await receive(api, "NWK", "TEE", 2)
    found = await offered(api, {"TEE": 3, "CAP": 1})
    assert set(found) == {"PARTIAL"}  # nothing is coming: the rest waits, undated
    assert set(await offered(api, {"CAP": 1})) == {"BACKORDER"}
    handlers = api.app.state.services.handlers
    expected = datetime.now().astimezone() + timedelta(days=2)
    for sku in ("TEE", "CAP"):
        supply = ExpectSupply(sku=sku, location_code="NWK", supply_id=f"po-{sku}", kind=SupplyKind.PURCHASE_ORDER,
                              quantity=4, expected_at=expected)  # fmt: skip
        await api.app.state.services.caught_up((await handlers.handle(supply)).position)
    found = await offered(api, {"TEE": 3, "CAP": 1})
    assert set(found) == {"LATER_DATE"}
    later = found["LATER_DATE"]
    assert later["explanation"].startswith("2 of 4 now, 2 ") and later["explanation"].endswith(" from NWK site")
    assert promised(later["promisedDelivery"]) > expected
    order = await place(api, later)
    assert {ln["sku"]: (ln["allocated"], ln["backordered"]) for ln in order["lines"]} == {"TEE": (2, 1), "CAP": (0, 1)}
    for sku in ("TEE", "CAP"):  # the supply comes in (early): the backorder is served, within the promise
        await handlers.handle(ReceiveSupply(sku=sku, location_code="NWK", supply_id=f"po-{sku}", quantity=4))

    async def all_allocated() -> bool:
        return all(ln["backordered"] == 0 for ln in (await order_of(api, order["id"]))["lines"])

    await eventually(all_allocated)
    assert served_by(await order_of(api, order["id"])) <= promised(later["promisedDelivery"])


async def test_a_counter_that_holds_what_no_shipper_has_is_offered_for_pickup(api: Api) -> None:
    await sites(api)
    await receive(api, "UWS", "TEE", 3)
    found = await offered(api, {"TEE": 2})
    assert set(found) == {"PICKUP_ELSEWHERE", "BACKORDER"}
    pickup = found["PICKUP_ELSEWHERE"]
    assert pickup["pickupLocation"] == {"code": "UWS", "name": "UWS site"} and pickup["cost"] == 0
    assert pickup["explanation"].startswith("All 2 items ready to collect at UWS site")
    options = await api.data(
        """query($input: PickupOptionsInput!) { pickupOptions(input: $input) { location { code } readyBy } }""",
        {"input": {"lines": [{"sku": "TEE", "quantity": 2}], "near": NEW_YORK}},
        token=None,
    )
    assert options["pickupOptions"][0] == {"location": {"code": "UWS"}, "readyBy": pickup["promisedDelivery"]}


async def test_substitution_lists_are_the_admins_and_refused_field_by_field(api: Api) -> None:
    bad = await api.data(SET, {"input": {"sku": "TEE", "substitutes": ["TEE", "CAP", "CAP", " "]}})
    assert bad["setSubstitutes"]["substitution"] is None
    assert [(e["code"], e["field"]) for e in bad["setSubstitutes"]["userErrors"]] == [
        ("SELF_SUBSTITUTION", ["input", "substitutes", "0"]),
        ("DUPLICATE", ["input", "substitutes", "2"]),
        ("INVALID_INPUT", ["input", "substitutes", "3"]),
    ]
    too_long = await api.data(SET, {"input": {"sku": "x" * 201, "substitutes": []}})
    assert [(e["code"], e["field"]) for e in too_long["setSubstitutes"]["userErrors"]] == [
        ("INVALID_INPUT", ["input", "sku"])
    ]
    for token in (alice(api), api.token(Role.SERVICE), api.token(Role.OPERATOR, locations=["NWK"])):
        refused = await api.gql(SET, {"input": {"sku": "TEE", "substitutes": ["CAP"]}}, token=token)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", refused
    anonymous = await api.gql(SET, {"input": {"sku": "TEE", "substitutes": ["CAP"]}}, token=None)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await api.data(SUBSTITUTES, {"sku": "TEE"}, token=None))["substitutes"] == {"sku": "TEE", "substitutes": []}
    await api.data(SET, {"input": {"sku": "TEE", "substitutes": ["CAP", "TEE-XL"]}})
    listed = (await api.data(SUBSTITUTES, {"sku": "TEE"}, token=None))["substitutes"]
    assert listed == {"sku": "TEE", "substitutes": ["CAP", "TEE-XL"]}
    # An order's substitute line is checked where it stands.
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "alice", "lines": [{"sku": "CAP", "quantity": 1, "replaces": "CAP"}],
                   "shipTo": NEW_YORK}},
        token=alice(api),
    )  # fmt: skip
    assert [(e["code"], e["field"]) for e in placed["placeOrder"]["userErrors"]] == [
        ("SELF_SUBSTITUTION", ["input", "lines", "0", "replaces"])
    ]
