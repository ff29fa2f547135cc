"""`meridian serve --processes 2`: two API processes on one port, each answering, each reading what the other
wrote, /metrics summing both, and a killed one started again while the other keeps answering.

Every request here opens a connection of its own (no keep-alive): the kernel spreads connections over the
processes bound to the port (SO_REUSEPORT), and `X-Meridian-Process` says which one answered. What the test
waits for is what it observes (a pid in that header, the supervisor's state file), never a fixed time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.settings import STATE_FILE

from .checks import INVENTORY, RECEIVE, eventually, network
from .conftest import HTTP_TIMEOUT, START_TIMEOUT, Meridian
from .test_supervisor import restarted, stop_supervisor, supervised

API = ("serve-1", "serve-2")


@pytest.fixture
async def fresh() -> AsyncIterator[httpx.AsyncClient]:
    """A client that opens a new connection per request, so that any of the processes may answer each one."""
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        yield client


def answered_by(response: httpx.Response) -> int:
    return int(response.headers["x-meridian-process"])


async def graphql(m: Meridian, client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    response = await client.post(f"{m.url}/graphql", json=body, headers={"Authorization": f"Bearer {m.token()}"})
    assert response.status_code == 200, response.text
    return response


async def from_process(pid: int, ask: Any) -> httpx.Response:
    """Asks again (each time on a new connection) until process `pid` is the one that answers; that answer."""
    answered: list[httpx.Response] = []

    async def by_pid() -> bool:
        answered.append(await ask())
        return answered_by(answered[-1]) == pid

    await eventually(by_pid, START_TIMEOUT, f"an answer from process {pid}")
    return answered[-1]


def requests_counted(metrics: str, operation: str) -> float:
    """How many requests of `operation` a /metrics text counts (the latency histogram's count)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "meridian_graphql_request_seconds_count" and sample.labels == {"operation": operation}
    )


def api_pids(m: Meridian) -> dict[str, int]:
    return {name: c["pid"] for name, c in supervised(m.logs / STATE_FILE).items() if c.get("pid")}


async def test_two_api_processes_share_the_port_read_each_others_writes_and_one_killed_is_restarted(
    meridian: Meridian, fresh: httpx.AsyncClient
) -> None:
    serve = meridian._spawn("serve", "--processes", "2")  # the deployment's own spawner: its environment and log
    meridian.start_worker()  # the projections, which both processes read
    answers = Answers(meridian, fresh)
    try:
        await eventually(answers.from_every_process, 2 * START_TIMEOUT, "both API processes answering")
        first, second = api_pids(meridian)["serve-1"], api_pids(meridian)["serve-2"]

        # A write answered by one process is read, at once, by the other: both read the same read models, and
        # the write's answer came only once the read models included it (read-your-writes).
        await network(meridian, "NWK")
        receive = {"query": RECEIVE, "variables": {"input": {"locationCode": "NWK", "sku": "TEE", "quantity": 7}}}
        wrote = await graphql(meridian, fresh, receive)
        assert wrote.json()["data"]["receiveStock"] == {"level": {"onHand": 7}, "userErrors": []}
        other = second if answered_by(wrote) == first else first
        read = await from_process(
            other, lambda: graphql(meridian, fresh, {"query": INVENTORY, "variables": {"sku": "TEE"}})
        )
        assert read.json()["data"]["inventory"]["onHand"] == 7, read.text

        # Persisted queries are per process: a hash registered on one is unknown to the other, which says so,
        # and the client's retry with the text (what APQ clients do on PersistedQueryNotFound) registers it there.
        text = "query Stock($sku: String!) { inventory(sku: $sku) { onHand } }"
        extensions = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(text.encode()).hexdigest()}}
        registered = await graphql(
            meridian, fresh, {"query": text, "variables": {"sku": "TEE"}, "extensions": extensions}
        )
        assert registered.json() == {"data": {"inventory": {"onHand": 7}}}
        elsewhere = second if answered_by(registered) == first else first
        by_hash = {"variables": {"sku": "TEE"}, "extensions": extensions}
        unknown = await from_process(elsewhere, lambda: graphql(meridian, fresh, by_hash))
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        retried = await from_process(elsewhere, lambda: graphql(meridian, fresh, {"query": text, **by_hash}))
        assert retried.json() == registered.json()
        again = await from_process(elsewhere, lambda: graphql(meridian, fresh, by_hash))
        assert again.json() == registered.json()

        # /metrics sums the processes: a scrape counts every request, whichever process answered it or is scraped.
        counted = {"query": "query Counted { locations { code } }"}
        answered_counted = [answered_by(await graphql(meridian, fresh, counted)) for _ in range(2)]
        while set(answered_counted) != {first, second}:
            answered_counted.append(answered_by(await graphql(meridian, fresh, counted)))
        for pid in (first, second):
            scraped = await from_process(pid, lambda: fresh.get(f"{meridian.url}/metrics"))
            assert requests_counted(scraped.text, "Counted") == len(answered_counted), scraped.text

        # One killed with -9: the other answers meanwhile; the supervisor starts it again, and it answers too.
        os.kill(first, signal.SIGKILL)
        await eventually(restarted(meridian.logs / STATE_FILE, "serve-1", first), START_TIMEOUT, "serve-1 restarted")
        assert answered_by(await fresh.get(f"{meridian.url}/healthz")) in (second, api_pids(meridian)["serve-1"])
        await eventually(answers.from_every_process, 2 * START_TIMEOUT, "the restarted process answering")
        assert api_pids(meridian)["serve-2"] == second and serve.poll() is None
        # The killed process's requests still count: its series outlive it, and the new one adds to them.
        for pid in api_pids(meridian).values():
            scraped = await from_process(pid, lambda: fresh.get(f"{meridian.url}/metrics"))
            assert requests_counted(scraped.text, "Counted") == len(answered_counted), scraped.text
        assert meridian.logged("serve", "serve-1 (pid") and meridian.logged("serve", "was killed by signal 9")
    finally:
        await stop_supervisor(serve, meridian.logs / STATE_FILE)
    assert serve.returncode == 0


class Answers:
    """Which API processes have answered a request on a new connection (by `X-Meridian-Process`)."""

    def __init__(self, m: Meridian, client: httpx.AsyncClient) -> None:
        self.m, self.client, self.seen = m, client, set[int]()

    async def from_every_process(self) -> bool:
        """Asks once more; true once every process the supervisor names (both of them) has answered."""
        pids = api_pids(self.m)
        if set(pids) != set(API):
            return False
        with contextlib.suppress(httpx.TransportError):  # not listening yet
            self.seen.add(answered_by(await self.client.get(f"{self.m.url}/healthz", timeout=1.0)))
            return set(pids.values()) <= self.seen
        return False
