"""Limits at the edge, each against the request that showed it missing (issue 17): body and header sizes on
every route, the query cost, the rate of public calls, the token lifetime, `?token=` outside the WebSocket
handshake, introspection and suggestions in production, and public stock probing."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from pydantic import SecretStr

from app.api.app import create_app
from app.cli import main
from app.security import Role, issue_token
from app.settings import Settings

from .conftest import SECRET, WEBHOOK_SECRET, Api
from .conftest import serving as served
from .test_order_journey import network, receive

ISSUE_QUERY = (
    "{ "
    + " ".join(
        f"a{i}: orders(first: 100) {{ edges {{ node {{ history {{ type }} shipments {{ tracking {{ status }} }}"
        " returns { order { history { type } } } } } }"
        for i in range(15)
    )
    + " }"
)
OPTIONS = """query($input: FulfillmentOptionsInput!) { fulfillmentOptions(input: $input) { serviceLevel available } }"""


def cart(*quantities: int) -> dict[str, Any]:
    return {"input": {"lines": [{"sku": "TEE", "quantity": q} for q in quantities], "shipTo": {"postalCode": "10001"}}}


@contextlib.asynccontextmanager
async def serving(database_url: str, data_dir: Path, **settings: Any) -> AsyncIterator[str]:
    """The API alone (no worker: these tests only read), with the given settings; yields its URL."""
    configured = Settings(
        MERIDIAN_JWT_SECRET=SecretStr(SECRET),
        MERIDIAN_WEBHOOK_SECRET=SecretStr(WEBHOOK_SECRET),
        MERIDIAN_DATA_DIR=data_dir,
        **settings,
    )
    async with served(create_app(configured, database_url)) as url:
        yield url


async def test_a_webhook_body_over_the_cap_is_refused_before_it_is_read_or_its_signature_checked(api: Api) -> None:
    # Declared: refused on the Content-Length alone (today the route waits for, and reads, all 100 MB).
    host, port = api.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST /webhooks/easypost HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 30)  # a guard: before the cap, it waited forever
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 413"), status_line

    # Streamed without a length: cut off once past the cap, whatever the signature header says.
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b"x" * 16_384  # 1 MiB in all

    streamed = await api.client.post(
        f"{api.url}/webhooks/easypost", content=chunks(), headers={"x-hmac-signature": "hmac-sha256-hex=00"}
    )
    assert streamed.status_code == 413
    assert streamed.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_request_headers_over_the_limit_get_431(api: Api) -> None:
    big = await api.client.get(f"{api.url}/healthz", headers={"X-Padding": "x" * 10_000})
    assert big.status_code == 431
    assert big.json()["errors"][0]["extensions"]["code"] == "HEADERS_TOO_LARGE"
    assert (await api.client.get(f"{api.url}/healthz", headers={"X-Padding": "x" * 1_000})).status_code == 200


async def test_the_issues_costly_query_is_refused_before_execution_with_its_cost(api: Api) -> None:
    assert len(ISSUE_QUERY) < 2_100  # a small request...
    body = await api.gql(ISSUE_QUERY)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY", body
    assert error["extensions"]["limit"] == Settings().max_query_cost
    assert error["extensions"]["cost"] > error["extensions"]["limit"]
    assert str(error["extensions"]["cost"]) in error["message"]
    assert "data" not in body or body["data"] is None  # nothing ran
    one_page = await api.data("{ orders(first: 100) { edges { node { id lines { sku } history { type } } } } }")
    assert one_page["orders"]["edges"] == []


async def test_public_calls_are_rate_limited_per_address_with_retry_after(database_url: str, tmp_path: Path) -> None:
    async with (
        serving(database_url, tmp_path, MERIDIAN_PUBLIC_RATE_PER_MINUTE=1, MERIDIAN_PUBLIC_RATE_BURST=3) as url,
        httpx.AsyncClient() as client,
    ):
        public = [
            await client.post(f"{url}/graphql", json={"query": OPTIONS, "variables": cart(1)}, headers=headers)
            for headers in ({}, {}, {}, {"Authorization": "Basic c29tZW9uZQ=="})  # not a token: still public
        ]
        assert [r.status_code for r in public] == [200, 200, 200, 429]
        refused = public[-1]
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert 0 < int(refused.headers["retry-after"]) <= 60
        signed = await client.post(
            f"{url}/graphql",
            json={"query": OPTIONS, "variables": cart(1)},
            headers={"Authorization": f"Bearer {issue_token(SECRET, Role.CUSTOMER, customer_id='c')}"},
        )
        assert signed.status_code == 200 and "errors" not in signed.json()


async def test_public_delivery_promises_do_not_reveal_how_much_stock_there_is(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 98)
    cap = Settings().public_max_quantity
    within = await api.data(OPTIONS, cart(cap), token=None)
    assert all(o["available"] for o in within["fulfillmentOptions"])
    # The binary search of the issue (is 98 available? 99?) gets no answer above the cap, however it is split.
    for probe in (cart(98), cart(99), cart(cap + 1), cart(cap, 1)):
        refused = (await api.gql(OPTIONS, probe, token=None))["errors"][0]
        assert refused["extensions"] == {"code": "INVALID_QUANTITY", "field": "input.lines"}, refused
    customer = api.token(Role.CUSTOMER, customer_id="c")
    signed = await api.data(OPTIONS, cart(98), token=customer)
    assert signed["fulfillmentOptions"]


async def test_tokens_meant_to_live_longer_than_the_cap_or_forever_are_refused(api: Api) -> None:
    month = issue_token(SECRET, Role.ADMIN, ttl_seconds=30 * 24 * 3600)
    forever = jwt.encode({"iss": "meridian", "sub": "x", "role": "admin", "iat": int(time.time())}, SECRET)
    for token in (month, forever):
        response = await api.client.post(
            f"{api.url}/graphql", json={"query": "{ locations { code } }"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, token
    day = issue_token(SECRET, Role.ADMIN, ttl_seconds=Settings().max_token_lifetime_seconds)
    assert "errors" not in await api.gql("{ locations { code } }", token=day)


def test_the_token_command_issues_only_within_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MERIDIAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MERIDIAN_JWT_SECRET", SECRET)
    with restored_logging():
        assert main(["token", "--role", "admin", "--ttl", str(30 * 24 * 3600)]) == 2
        assert main(["token", "--role", "admin"]) == 0
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], issuer="meridian")
    assert 0 < claims["exp"] - claims["iat"] <= Settings().max_token_lifetime_seconds


@contextlib.contextmanager
def restored_logging() -> Iterator[None]:
    import logging

    import structlog

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        yield
    finally:
        structlog.reset_defaults()
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


async def test_a_token_in_the_url_is_ignored_on_http_requests(api: Api) -> None:
    response = await api.client.post(
        f"{api.url}/graphql", params={"token": api.token()}, json={"query": "{ locations { code } }"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # (The WebSocket handshake still takes ?token=: test_webhooks_and_subscriptions subscribes that way.)


async def test_production_answers_no_introspection_and_no_suggestions(database_url: str, tmp_path: Path) -> None:
    admin = {"Authorization": f"Bearer {issue_token(SECRET, Role.ADMIN)}"}
    async with serving(database_url, tmp_path, MERIDIAN_ENV="production") as url, httpx.AsyncClient() as client:

        async def ask(query: str) -> Any:
            return (await client.post(f"{url}/graphql", json={"query": query}, headers=admin)).json()

        introspection = await ask("{ __schema { types { name } } }")
        assert introspection.get("data") is None and "introspection" in introspection["errors"][0]["message"]
        assert (await ask('{ __type(name: "Order") { name } }'))["errors"]
        typo = await ask("{ locatons { code } }")
        assert "locatons" in typo["errors"][0]["message"]
        assert "Did you mean" not in str(typo)
        enum = await ask("{ orders(status: PLACD) { edges { cursor } } }")
        assert enum["errors"] and "Did you mean" not in str(enum)
        assert (await ask("{ __typename }"))["data"] == {"__typename": "Query"}
    async with serving(database_url, tmp_path, MERIDIAN_ENV="development") as url, httpx.AsyncClient() as client:
        typo = (await client.post(f"{url}/graphql", json={"query": "{ locatons { code } }"}, headers=admin)).json()
        assert "Did you mean" in str(typo)  # people developing against it keep the help
