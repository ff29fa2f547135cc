"""Automatic persisted queries over HTTP (app/api/persisted.py): an unknown hash is not found, the hash with its
text registers it, then the hash alone runs it by POST or GET — through the same limits and access rules."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from app.security import Role

from .conftest import Api
from .test_edge_limits import ISSUE_QUERY, OPTIONS, cart
from .test_order_journey import PLACE, network


def persisted(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}


async def post(
    api: Api, extensions: dict[str, Any], variables: dict[str, Any], *, query: str | None = None, token: str | None
) -> Any:
    body: dict[str, Any] = {"variables": variables, "extensions": extensions}
    body |= {"query": query} if query is not None else {}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await api.client.post(f"{api.url}/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def code(body: Any) -> str:
    return str(body["errors"][0]["extensions"]["code"])


async def test_an_unknown_hash_is_not_found_then_the_text_registers_it_and_the_hash_alone_runs_it(api: Api) -> None:
    extensions, variables = persisted(OPTIONS), cart(1)
    missing = await post(api, extensions, variables, token=None)
    assert code(missing) == "PERSISTED_QUERY_NOT_FOUND" and missing["errors"][0]["message"] == "PersistedQueryNotFound"

    registered = await post(api, extensions, variables, query=OPTIONS, token=None)
    assert "errors" not in registered, registered
    by_hash = await post(api, extensions, variables, token=None)
    assert by_hash == registered  # the same answer, no text sent

    params = {"variables": orjson.dumps(variables).decode(), "extensions": orjson.dumps(extensions).decode()}
    by_get = await api.client.get(f"{api.url}/graphql", params=params)
    assert by_get.status_code == 200 and by_get.json() == registered, by_get.text


async def test_a_hash_that_is_not_the_texts_is_refused_and_registers_nothing(api: Api) -> None:
    wrong = persisted("{ __typename }")
    refused = await post(api, wrong, cart(1), query=OPTIONS, token=None)
    assert code(refused) == "PERSISTED_QUERY_HASH_MISMATCH" and refused.get("data") is None
    assert code(await post(api, wrong, cart(1), token=None)) == "PERSISTED_QUERY_NOT_FOUND"
    assert code(await post(api, {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}, {}, token=None)) == (
        "PERSISTED_QUERY_NOT_SUPPORTED"
    )


async def test_get_carries_only_a_hash_and_never_a_mutation(api: Api) -> None:
    text = await api.client.get(f"{api.url}/graphql", params={"query": "{ __typename }"})
    assert text.status_code == 400  # a query's text in a URL stays refused, as before persisted queries
    mutation = "mutation { __typename }"
    await post(api, persisted(mutation), {}, query=mutation, token=api.token())
    params = {"extensions": orjson.dumps(persisted(mutation)).decode()}
    by_get = await api.client.get(
        f"{api.url}/graphql", params=params, headers={"Authorization": f"Bearer {api.token()}"}
    )
    assert by_get.status_code == 400, by_get.text  # mutations are POST only, by hash or not


async def test_a_persisted_operation_is_still_held_to_the_cost_limit(api: Api) -> None:
    extensions = persisted(ISSUE_QUERY)
    registering = await post(api, extensions, {}, query=ISSUE_QUERY, token=api.token())
    assert code(registering) == "QUERY_TOO_COSTLY" and registering.get("data") is None
    by_hash = await post(api, extensions, {}, token=api.token())
    assert code(by_hash) == "QUERY_TOO_COSTLY" and by_hash.get("data") is None  # nothing ran


async def test_a_persisted_mutation_still_checks_access(api: Api) -> None:
    await network(api)
    order = {"customerId": "alice", "lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "10024"}}
    variables, extensions = {"input": {**order, "priority": 1000}}, persisted(PLACE)
    staff = await post(api, extensions, variables, query=PLACE, token=api.token(Role.SERVICE))
    assert staff["data"]["placeOrder"]["userErrors"] == [], staff  # registered by a caller allowed to send it

    alice = api.token(Role.CUSTOMER, customer_id="alice")
    refused = (await post(api, extensions, variables, token=alice))["data"]["placeOrder"]
    assert refused["order"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["input", "priority"], "FORBIDDEN")]
    anonymous = await post(api, extensions, variables, token=None)
    assert "errors" in anonymous or anonymous["data"]["placeOrder"]["order"] is None, anonymous
