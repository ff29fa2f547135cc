"""Every role against what it must not reach; bad tokens; a customer probing another's order; abusive queries."""

from __future__ import annotations

import time

import jwt

from app.security import Role, issue_token

from .conftest import SECRET, Api
from .test_order_journey import PLACE, network, receive

ORDER_QUERY = "query($id: ID!) { order(id: $id) { id customerId } }"


def code_of(body: dict[str, object]) -> str | None:
    errors = body.get("errors") or []
    assert isinstance(errors, list)
    return errors[0].get("extensions", {}).get("code") if errors else None


async def test_without_a_token_only_the_delivery_promise_is_public(api: Api) -> None:
    assert code_of(await api.gql("{ locations { code } }", token=None)) == "UNAUTHENTICATED"
    assert code_of(await api.gql('{ inventory(sku: "X") { sku } }', token=None)) == "UNAUTHENTICATED"
    options = await api.data(
        """{ fulfillmentOptions(input: {lines: [{sku: "X", quantity: 1}], shipTo: {postalCode: "10001"}}) {
            serviceLevel available } }""",
        token=None,
    )
    assert isinstance(options["fulfillmentOptions"], list)


async def test_forged_expired_and_unsigned_tokens_are_refused_before_anything_runs(api: Api) -> None:
    forged = issue_token("another-secret-that-is-long-enough-to-be-valid", Role.ADMIN)
    expired = issue_token(SECRET, Role.ADMIN, ttl_seconds=10, now=time.time() - 3600)
    unsigned = jwt.encode(
        {"iss": "meridian", "sub": "x", "role": "admin", "iat": 0, "exp": 2**40}, key=None, algorithm="none"
    )
    for token in (forged, expired, unsigned, "not-a-jwt"):
        response = await api.client.post(
            f"{api.url}/graphql", json={"query": "{ locations { code } }"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await api.store.pool.fetchval("SELECT count(*) FROM events") == 0


async def test_a_customer_never_sees_another_customers_order(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    alice = api.token(Role.CUSTOMER, customer_id="alice")
    bob = api.token(Role.CUSTOMER, customer_id="bob")
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "alice", "lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "10001"}}},
        token=alice,
    )
    order_id = placed["placeOrder"]["order"]["id"]
    assert (await api.data(ORDER_QUERY, {"id": order_id}, token=alice))["order"]["customerId"] == "alice"
    assert (await api.data(ORDER_QUERY, {"id": order_id}, token=bob))["order"] is None  # no leak of existence
    assert (await api.data(ORDER_QUERY, {"id": "Order:nope"}, token=bob))["order"] is None
    assert (await api.data("query($id: ID!) { node(id: $id) { id } }", {"id": order_id}, token=bob))["node"] is None
    page = await api.data("{ orders(first: 10) { edges { node { customerId } } } }", token=bob)
    assert page["orders"]["edges"] == []
    cancel = await api.data(
        """mutation($id: ID!) { cancelOrder(input: {orderId: $id}) {
        order { id } userErrors { code } } }""",
        {"id": order_id},
        token=bob,
    )
    assert cancel["cancelOrder"]["userErrors"][0]["code"] == "NOT_FOUND"
    for_alice = await api.gql(
        PLACE,
        {"input": {"customerId": "alice", "lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "10001"}}},
        token=bob,
    )
    assert code_of(for_alice) == "FORBIDDEN"


async def test_roles_stay_inside_their_reach(api: Api) -> None:
    await network(api)
    customer = api.token(Role.CUSTOMER, customer_id="c")
    operator = api.token(Role.OPERATOR, locations=frozenset({"CHI"}))
    create = """mutation { createLocation(input: {code: "X1", name: "x", type: STORE, latitude: 1, longitude: 1}) {
        location { code } userErrors { code } } }"""
    assert code_of(await api.gql(create, token=operator)) == "FORBIDDEN"
    assert code_of(await api.gql(create, token=customer)) == "FORBIDDEN"
    assert code_of(await api.gql("{ events(first: 5) { edges { cursor } } }", token=operator)) == "FORBIDDEN"
    assert code_of(await api.gql('{ inventory(sku: "TEE") { sku } }', token=customer)) == "FORBIDDEN"
    receive_at = """mutation($code: String!) { receiveStock(input: {locationCode: $code, sku: "TEE", quantity: 1}) {
        level { onHand } userErrors { code } } }"""
    assert code_of(await api.gql(receive_at, {"code": "NWK"}, token=operator)) == "FORBIDDEN"
    allowed = await api.data(receive_at, {"code": "CHI"}, token=operator)
    assert allowed["receiveStock"]["level"]["onHand"] == 1
    assert await api.store.pool.fetchval("SELECT count(*) FROM events WHERE stream_id LIKE 'stock-NWK%'") == 0


async def test_abusive_queries_get_a_clear_error(api: Api) -> None:
    deep = "{ orders { edges { node { " + "shipments { order { " * 6 + "id" + " } }" * 6 + " } } } }"
    assert "depth" in (await api.gql(deep))["errors"][0]["message"].lower()
    aliases = "{ " + " ".join(f"a{i}: locations {{ code }}" for i in range(50)) + " }"
    assert "alias" in (await api.gql(aliases))["errors"][0]["message"].lower()
    tokens = "{ locations { " + " ".join("code" for _ in range(3000)) + " } }"
    assert "token" in (await api.gql(tokens))["errors"][0]["message"].lower()
    huge = await api.client.post(
        f"{api.url}/graphql",
        content=b'{"query": "' + b"x" * 400_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413


async def test_a_nul_character_anywhere_in_a_string_is_refused_before_anything_runs(api: Api) -> None:
    create = 'mutation { createLocation(input: {code: "NUL1", name: %s, type: STORE, latitude: 1, longitude: 1}) { location { code } } }'  # noqa: E501
    escaped = await api.gql(create % '"a\\u0000b"')  # a \u escape in the document
    literal = await api.gql(create % '"a\x00b"')  # the character itself
    block = await api.gql(create % '"""a\x00b"""')  # in a block string
    variable = await api.gql(
        'mutation($name: String!) { createLocation(input: {code: "NUL1", name: $name, type: STORE,'
        " latitude: 1, longitude: 1}) { location { code } } }",
        {"name": "a\x00b"},
    )
    assert [code_of(b) for b in (escaped, literal, block, variable)] == ["BAD_USER_INPUT"] * 4
    assert "NUL1" not in str(await api.data("{ locations { code } }"))
