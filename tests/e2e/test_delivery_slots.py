"""`deliverySlots` over HTTP: a location's windows of the day and how full each is, page by page; a window order
fills its slot, and as of a moment before the order the slot is free again; operators see their own locations'
windows only, and the listing checks its arguments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.security import Role

from .conftest import Api, eventually
from .test_delivery_windows import CAPACITY, CART, HOURLY, PLACE, UWS, windows
from .test_order_journey import LOCATION, receive

SLOTS = """query($code: String!, $from: DateTime, $to: DateTime, $asOf: DateTime, $first: Int, $after: String) {
  deliverySlots(locationCode: $code, from: $from, to: $to, asOf: $asOf, first: $first, after: $after) {
    locationCode timeZone deliveryCapacity { windowMinutes deliveriesPerWindow firstWindowStartsAt lastWindowEndsAt }
    edges { cursor node { start end taken capacity remaining } } pageInfo { hasNextPage endCursor } } }"""


async def slots(api: Api, token: str = "admin", **args: Any) -> dict[str, Any]:
    return (await api.data(SLOTS, {"code": "UWS", **args}, token=token))["deliverySlots"]  # type: ignore[no-any-return]


async def test_a_window_order_fills_its_slot_and_the_past_shows_it_free(api: Api) -> None:
    assert (await api.data(LOCATION, {"input": UWS}))["createLocation"]["userErrors"] == []
    await receive(api, "UWS", "TEE", 5)
    none_yet = await slots(api)
    assert (none_yet["deliveryCapacity"], none_yet["edges"]) == (None, [])
    two_each = {**HOURLY, "deliveriesPerWindow": 2}
    assert (await api.data(CAPACITY, {"input": two_each}))["setDeliveryCapacity"]["userErrors"] == []

    day = await slots(api, first=100)
    assert day["timeZone"] == "America/New_York"
    assert day["deliveryCapacity"]["deliveriesPerWindow"] == 2
    starts = [e["node"]["start"] for e in day["edges"]]
    assert len(starts) >= 22 and starts == sorted(starts)  # 23 hourly windows, one fewer when the clocks skip
    assert {(e["node"]["taken"], e["node"]["capacity"], e["node"]["remaining"]) for e in day["edges"]} == {(0, 2, 2)}
    # Page by page, the same windows once each.
    paged: list[str] = []
    after = None
    while True:
        page = await slots(api, first=5, after=after)
        paged += [e["node"]["start"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert paged == starts

    async def offered() -> bool:
        return any(w["remaining"] == 2 and w["available"] for w in await windows(api))

    await eventually(offered)
    chosen = next(w for w in await windows(api) if w["remaining"] == 2 and w["available"])
    moment = datetime.now(UTC).isoformat()  # after the setting, before the order
    asked = {"start": chosen["start"], "end": chosen["end"]}
    placed = await api.data(PLACE, {"input": {"customerId": "alice", **CART, "deliveryWindow": asked}})
    assert placed["placeOrder"]["userErrors"] == []
    span = {"from": chosen["start"], "to": chosen["end"]}

    async def filled() -> bool:
        return [e["node"]["taken"] for e in (await slots(api, **span))["edges"]] == [1]

    await eventually(filled)
    (window,) = (await slots(api, **span))["edges"]
    assert datetime.fromisoformat(window["node"]["start"]) == datetime.fromisoformat(chosen["start"])
    assert (window["node"]["capacity"], window["node"]["remaining"]) == (2, 1)
    (then,) = (await slots(api, **span, asOf=moment))["edges"]
    assert (then["node"]["taken"], then["node"]["remaining"]) == (0, 2)


async def test_operators_see_their_own_locations_windows_and_arguments_are_checked(api: Api) -> None:
    assert (await api.data(LOCATION, {"input": UWS}))["createLocation"]["userErrors"] == []
    assert (await api.data(CAPACITY, {"input": HOURLY}))["setDeliveryCapacity"]["userErrors"] == []
    own = api.token(Role.OPERATOR, locations=frozenset({"UWS"}))
    assert (await slots(api, token=own))["deliveryCapacity"]["windowMinutes"] == 60
    for token in (api.token(Role.OPERATOR, locations=frozenset({"CHI"})), api.token(Role.CUSTOMER, customer_id="c")):
        refused = await api.gql(SLOTS, {"code": "UWS"}, token=token)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await api.gql(SLOTS, {"code": "UWS"}, token=None)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    checks: list[tuple[dict[str, Any], str, str]] = [
        ({"code": "NOPE"}, "NOT_FOUND", "locationCode"),
        ({"code": "UWS", "first": 101}, "INVALID_ARGUMENT", "first"),
        ({"code": "UWS", "after": "bm90IGEgbW9tZW50"}, "INVALID_CURSOR", "after"),
        ({"code": "UWS", "from": "2026-06-01T00:00:00Z", "to": "2026-06-09T00:00:00Z"}, "INVALID_ARGUMENT", "to"),
    ]
    for variables, code, field in checks:
        answer = await api.gql(SLOTS, variables)
        assert (answer["errors"][0]["extensions"]["code"], answer["errors"][0]["extensions"]["field"]) == (code, field)
