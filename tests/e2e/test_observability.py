"""What operators see: request ids (echoed, logged, and the commands' correlation id), masked errors logged with
their traceback, and Prometheus series that move when the API and the workers do work."""

from __future__ import annotations

import io
from typing import Any

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from .conftest import Api, eventually, log_lines
from .test_order_journey import LOCATION, PLACE, network, receive

SITE = {"code": "NWK", "name": "NWK", "type": "DISTRIBUTION_CENTER", "latitude": 40.7, "longitude": -74.2}


async def test_request_ids_are_echoed_logged_and_become_the_commands_correlation_id(
    api: Api, json_logs: io.StringIO
) -> None:
    given = await api.client.post(
        f"{api.url}/graphql",
        json={
            "query": LOCATION,
            "variables": {"input": SITE},
        },
        headers={"Authorization": f"Bearer {api.token()}", "X-Request-ID": "req-42.alpha"},
    )
    assert given.status_code == 200 and given.headers["x-request-id"] == "req-42.alpha"
    metadata = await api.store.pool.fetchval("SELECT metadata FROM events ORDER BY global_position LIMIT 1")
    assert orjson.loads(metadata)["correlation_id"] == "req-42.alpha"

    generated = await api.client.get(f"{api.url}/healthz", headers={"X-Request-ID": "bad id {with} spaces and braces"})
    rid = generated.headers["x-request-id"]
    assert len(rid) == 32 and rid.isalnum()  # a caller's unsafe id is replaced, never logged

    access = [line for line in log_lines(json_logs) if line["event"] == "http.request"]
    mine = next(line for line in access if line.get("request_id") == "req-42.alpha")
    assert mine["method"] == "POST" and mine["path"] == "/graphql" and mine["status"] == 200
    assert mine["logger"] == "meridian.access" and mine["duration_ms"] > 0 and mine["level"] == "info"


async def test_an_unexpected_error_is_masked_for_the_client_and_logged_with_its_traceback(
    api: Api, json_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError('boom: SELECT secret FROM "events"')

    monkeypatch.setattr(api.app.state.services.handlers, "handle", broken)
    response = await api.client.post(
        f"{api.url}/graphql",
        json={
            "query": LOCATION,
            "variables": {"input": SITE},
            "operationName": None,
        },
        headers={"Authorization": f"Bearer {api.token()}", "X-Request-ID": "req-boom"},
    )
    body = response.json()
    assert body["errors"][0]["message"] == "Unexpected error."
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "boom" not in response.text and "RuntimeError" not in response.text

    logged = next(line for line in log_lines(json_logs) if line["event"] == "graphql.unexpected_error")
    assert logged["request_id"] == "req-boom" and logged["level"] == "error"
    assert logged["path"] == ["createLocation"]
    frames = logged["exception"][0]
    assert frames["exc_type"] == "RuntimeError" and "boom" in frames["exc_value"]
    assert any(frame["name"] == "broken" for frame in frames["frames"])


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def scrape(api: Api) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await api.client.get(f"{api.url}/metrics")
    assert response.status_code == 200
    return samples(response.text)


def value(metrics: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return metrics.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_move_with_operations_appends_and_jobs(api: Api) -> None:
    before = await scrape(api)
    await network(api)
    await receive(api, "NWK", "TEE", 3)
    for _ in range(3):
        await api.data("query Sites { locations { code } }")
    order = {"customerId": "c1", "lines": [{"sku": "TEE", "quantity": 1}], "shipTo": {"postalCode": "10001"}}
    placed = await api.data(PLACE, {"input": order})
    assert placed["placeOrder"]["userErrors"] == []
    await api.gql("query Broken { nope }")

    after = await scrape(api)
    latency = "meridian_graphql_request_seconds_count"
    assert value(after, latency, operation="Sites") - value(before, latency, operation="Sites") == 3
    assert value(after, latency, operation="anonymous") - value(before, latency, operation="anonymous") >= 5
    assert value(after, "meridian_graphql_errors_total", operation="Broken") == 1
    appended = "meridian_events_appended_total"
    assert value(after, appended) - value(before, appended) >= 5  # 3 locations, a receipt, an order

    async def sourced() -> bool:
        jobs = await scrape(api)
        return value(jobs, "meridian_jobs_total", actor="source_order", outcome="succeeded") >= 1

    await eventually(sourced)
