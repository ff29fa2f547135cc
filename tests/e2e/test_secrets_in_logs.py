"""No secret in any log line: every error path an attacker could trigger (most without a token) is walked
against a running app whose logs are captured in the production format, then the logs are searched for the
JWT and webhook secrets. Also: out-of-range dates are a coded client error, and a client hanging up mid-body
is logged as what it is, not as an error with a traceback."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from redis.asyncio import Redis

from app.security import Role

from .conftest import SECRET, WEBHOOK_SECRET, Api, eventually, free_port, log_lines
from .test_order_journey import PLACE, network, receive

FAR_PAST = "0001-01-01T00:00:00+14:00"  # a valid ISO moment whose UTC form falls before year 1


def assert_no_secret(buffer: io.StringIO) -> None:
    text = buffer.getvalue()
    assert text, "nothing was logged: the test would prove nothing"
    for secret in (SECRET, WEBHOOK_SECRET):
        assert secret not in text


async def access_line(api: Api, buffer: io.StringIO, request_id: str) -> dict[str, Any]:
    async def logged() -> bool:
        return any(
            line.get("request_id") == request_id and line["event"] == "http.request" for line in log_lines(buffer)
        )

    await eventually(logged)
    return next(line for line in log_lines(buffer) if line.get("request_id") == request_id)


async def hang_up_mid_body(api: Api, path: str, request_id: str) -> None:
    """Announces a 100 000-byte body, sends 10 bytes and closes the connection."""
    host, port = api.url.removeprefix("http://").split(":")
    _, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: 100000\r\nX-Request-ID: {request_id}\r\n\r\n".encode()
        + b'{"aaaaaaaa'
    )
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def own_order(api: Api) -> tuple[str, str]:
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    alice = api.token(Role.CUSTOMER, customer_id="alice")
    placed = await api.data(
        PLACE,
        {"input": {"customerId": "alice", "lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "10001"}}},
        token=alice,
    )
    return alice, placed["placeOrder"]["order"]["id"]


async def test_no_error_path_writes_a_secret_to_the_log(
    api: Api, json_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, order_id = await own_order(api)
    # 1. A customer reads its own order as of a moment before year 1 (in UTC).
    past = await api.gql("query($id: ID!, $at: DateTime!) { order(id: $id, asOf: $at) { id } }",
                         {"id": order_id, "at": FAR_PAST}, token=alice)  # fmt: skip
    assert past["errors"], past
    # 2. An operator reads inventory as of that moment (written in the document this time).
    operator = api.token(Role.OPERATOR, locations=frozenset({"NWK"}))
    stock = await api.gql(f'{{ inventory(sku: "TEE", asOf: "{FAR_PAST}") {{ sku }} }}', token=operator)
    assert stock["errors"], stock
    # 3. A webhook client announces 100 000 bytes, sends 10 and hangs up.
    await hang_up_mid_body(api, "/webhooks/easypost", "hangup-1")
    await access_line(api, json_logs, "hangup-1")
    # 4. /metrics while the workers' Redis cannot be reached.
    unreachable = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(api.app.state.services, "redis", unreachable)
    scraped = await api.client.get(f"{api.url}/metrics", headers={"X-Request-ID": "metrics-1"})
    await access_line(api, json_logs, "metrics-1")
    await unreachable.aclose()

    # 5. Anything else unexpected, on the public operation (no token).
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(api.app.state.services.network, "availability", broken)
    options = await api.gql(
        '{ fulfillmentOptions(input: {lines: [{sku: "TEE", quantity: 1}], shipTo: {postalCode: "10001"}}) { cost } }',
        token=None,
    )
    assert options["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert any(line["event"] == "graphql.unexpected_error" and "exception" in line for line in log_lines(json_logs))

    assert_no_secret(json_logs)
    # The API's own series are still served; only the workers' job counters are left out.
    assert scraped.status_code == 200 and "meridian_graphql_request_seconds" in scraped.text


async def test_a_date_before_year_one_in_utc_is_a_coded_client_error_naming_the_field(api: Api) -> None:
    alice, order_id = await own_order(api)
    in_variable = await api.gql("query($id: ID!, $at: DateTime!) { order(id: $id, asOf: $at) { id } }",
                                {"id": order_id, "at": FAR_PAST}, token=alice)  # fmt: skip
    in_document = await api.gql(f'{{ inventory(sku: "TEE", asOf: "{FAR_PAST}") {{ sku }} }}',
                                token=api.token(Role.OPERATOR, locations=frozenset({"NWK"})))  # fmt: skip
    far_future = await api.gql('{ inventory(sku: "TEE", asOf: "9999-12-31T23:00:00-14:00") { sku } }')
    for body in (in_variable, in_document, far_future):
        error = body["errors"][0]
        assert error["extensions"]["code"] == "INVALID_DATETIME", body
        assert error["extensions"]["field"] == "asOf", body
        assert "UTC" in error["message"], body
    fine = await api.data('{ inventory(sku: "TEE", asOf: "2000-01-01T00:00:00+14:00") { sku } }')
    assert fine["inventory"]["sku"] == "TEE"


async def test_a_client_hanging_up_mid_body_is_logged_as_a_disconnect_not_an_error(
    api: Api, json_logs: io.StringIO
) -> None:
    for path, rid in (("/webhooks/easypost", "hangup-webhook"), ("/graphql", "hangup-graphql")):
        await hang_up_mid_body(api, path, rid)
        await access_line(api, json_logs, rid)
        mine = [line for line in log_lines(json_logs) if line.get("request_id") == rid]
        assert all(line["level"] in ("debug", "info") for line in mine), mine
        assert not any("exception" in line for line in mine), mine
        assert any(line["event"] == "http.client_disconnected" for line in mine), mine
    everything = log_lines(json_logs)
    assert not any(line["level"] in ("error", "critical") for line in everything), everything
