"""The ledger for auditors over the API: `events` filtered and keyset-paged, `verifyLog` streaming a verification
of the whole log and recording it, `lastVerification` reading it back; admins only, on every path."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from app.cli import main
from app.security import Role

from .conftest import Api
from .test_order_journey import network, receive

WS = [websockets.Subprotocol("graphql-transport-ws")]
EVENTS = """query($first: Int, $after: String, $streamId: String, $category: String, $types: [String!],
  $from: DateTime, $before: DateTime) {
  events(first: $first, after: $after, streamId: $streamId, category: $category, types: $types,
         recordedFrom: $from, recordedBefore: $before) {
    edges { cursor node { position streamId version type at data } }
    pageInfo { hasNextPage endCursor }
  }
}"""
LAST = """{ lastVerification { intact startedAt finishedAt eventsChecked streamsChecked brokenStreams verifiedBy
  broken { streamId version reason eventId globalPosition } } }"""
VERIFY = """subscription { verifyLog { eventsChecked eventsTotal throughStream
  result { intact finishedAt eventsChecked brokenStreams verifiedBy broken { streamId version reason } } } }"""


async def events(api: Api, **variables: Any) -> list[dict[str, Any]]:
    """Every page of `events` with these filters, followed to the end."""
    found: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await api.data(EVENTS, {**variables, "after": after}))["events"]
        found += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def verify_log(api: Api, token: str) -> list[dict[str, Any]]:
    """Every message `verifyLog` sends until it completes (or fails)."""
    ws_url = api.url.replace("http", "ws") + f"/graphql?token={token}"
    messages: list[dict[str, Any]] = []
    async with websockets.connect(ws_url, subprotocols=WS) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": VERIFY}}))
        while not messages or messages[-1]["type"] == "next":
            messages.append(json.loads(await asyncio.wait_for(ws.recv(), 60)))
    return messages


def steps_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert messages[-1]["type"] == "complete", messages
    return [m["payload"]["data"]["verifyLog"] for m in messages[:-1]]


async def test_the_log_filters_by_stream_category_type_and_time_in_pages(api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    await receive(api, "CHI", "TEE", 3)

    locations = await events(api, category="location", first=1)  # three pages of one
    assert [(e["streamId"], e["type"]) for e in locations] == [
        ("location-NWK", "LocationCreated"),
        ("location-CHI", "LocationCreated"),
        ("location-RET", "LocationCreated"),
    ]
    assert [e["streamId"] for e in await events(api, streamId="location-CHI")] == ["location-CHI"]

    stock = await events(api, category="stock")
    received = [e for e in stock if e["data"].get("quantity") in (5, 3)]
    assert len(received) == 2, stock
    of_type = await events(api, types=[received[0]["type"]])
    assert {e["streamId"] for e in of_type} >= {e["streamId"] for e in received}
    assert all(e["type"] == received[0]["type"] for e in of_type)
    assert await events(api, types=[]) == []

    since_stock = await events(api, **{"from": stock[0]["at"]})
    assert {e["streamId"] for e in since_stock} >= {e["streamId"] for e in stock}
    assert not any(e["streamId"].startswith("location-") for e in since_stock)
    before_stock = await events(api, before=stock[0]["at"], category="location")
    assert len(before_stock) == 3


async def test_bad_filters_and_cursors_are_refused_at_their_argument(api: Api) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"from": "2026-01-02T00:00:00Z", "before": "2026-01-01T00:00:00Z"}, "INVALID_ARGUMENT", "recordedBefore"),
        ({"types": [f"T{i}" for i in range(21)]}, "INVALID_ARGUMENT", "types"),
        ({"category": "x" * 201}, "INVALID_ARGUMENT", "category"),
        ({"after": "12:34"}, "INVALID_CURSOR", "after"),
        ({"after": "9" * 19}, "INVALID_CURSOR", "after"),
        ({"first": 0}, "INVALID_ARGUMENT", "first"),
    ]
    for variables, code, field in cases:
        body = await api.gql(EVENTS, variables)
        [error] = body["errors"]
        assert (error["extensions"]["code"], error["extensions"].get("field")) == (code, field), (variables, body)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.CUSTOMER, Role.SERVICE])
async def test_only_admins_read_or_verify_the_log(api: Api, role: Role) -> None:
    token = api.token(role, customer_id="c-1", locations=frozenset({"NWK"}))
    for query in (EVENTS, LAST):
        [error] = (await api.gql(query, token=token))["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
    refused, end = await verify_log(api, token)
    assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["FORBIDDEN"]
    assert end["type"] == "complete"
    assert (await api.gql(LAST, token=None))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await api.store.stream_version("ledger-verifications") == 0  # nothing ran


async def test_verify_log_streams_progress_then_records_an_intact_result(api: Api) -> None:
    assert (await api.data(LAST))["lastVerification"] is None
    await network(api)
    await receive(api, "NWK", "TEE", 5)
    total = await api.store.pool.fetchval("SELECT count(*) FROM events")

    steps = steps_of(await verify_log(api, api.token(subject="auditor")))
    *progress, last = steps
    assert progress and all(s["result"] is None for s in progress)
    checked = [s["eventsChecked"] for s in steps]
    assert checked == sorted(checked) and checked[-1] == total
    assert last["eventsTotal"] == total and progress[-1]["throughStream"] == await api.store.pool.fetchval(
        "SELECT max(stream_id) FROM events"
    )
    result = last["result"]
    assert (result["intact"], result["brokenStreams"], result["broken"]) == (True, 0, [])
    assert result["verifiedBy"] == "admin:auditor"

    recorded = (await api.data(LAST))["lastVerification"]
    assert (recorded["intact"], recorded["finishedAt"], recorded["eventsChecked"]) == (
        True,
        result["finishedAt"],
        total,
    )
    assert recorded["startedAt"] <= recorded["finishedAt"]
    # The record is an event of the log like any other: listed, and chained.
    [entry] = await events(api, category="ledger")
    assert (entry["streamId"], entry["type"]) == ("ledger-verifications", "LogVerified")


async def test_a_tampered_log_is_reported_broken_at_its_first_bad_event(api: Api) -> None:
    await network(api)
    [victim] = await events(api, streamId="location-CHI")
    await api.store.pool.execute(
        'UPDATE events SET data = \'{"code": "CHI", "name": "forged"}\' WHERE stream_id = \'location-CHI\''
    )

    result = steps_of(await verify_log(api, api.token()))[-1]["result"]
    assert (result["intact"], result["brokenStreams"]) == (False, 1)
    assert result["broken"] == [{"streamId": "location-CHI", "version": victim["version"], "reason": "hash mismatch"}]
    [broken] = (await api.data(LAST))["lastVerification"]["broken"]
    assert broken["globalPosition"] == victim["position"].split(":")[1]


async def test_the_cli_records_its_result_as_the_api_reads_it(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await network(api)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert await asyncio.to_thread(main, ["verify"]) == 0
    recorded = (await api.data(LAST))["lastVerification"]
    assert recorded["intact"] and recorded["verifiedBy"].startswith("cli:")
    assert recorded["eventsChecked"] == 3
