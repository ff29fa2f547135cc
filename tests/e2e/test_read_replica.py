"""Reads through a real read replica (MERIDIAN_READ_DATABASE_URL: a hot standby streaming from the primary),
with read-your-writes kept: a write's answer comes once the replica's read models include it, and names its
position (`X-Meridian-Position`) for the client's later reads to wait for (`X-Meridian-Read-After`).

The standby's replay is paused to make "the replica is behind" something the test controls, not a race: while
it is, the primary's read models have the write and the replica's do not, and a plain read shows the replica's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from pydantic import SecretStr

from app.api.app import create_app
from app.runtime import migrate_database
from app.security import Role, issue_token
from app.settings import Settings
from eventstore import Listener, Position
from projections.runner import ProjectionRunner
from projections.schema import create_readmodel_pool
from tests.support.replica import Replicated, replicated_postgres, unavailable

from .conftest import SECRET, WEBHOOK_SECRET, eventually, serving

LOCATION = """mutation { createLocation(input: {code: "NWK", name: "Newark", type: DISTRIBUTION_CENTER,
  latitude: 40.73, longitude: -74.17}) { location { code } userErrors { code } } }"""
RECEIVE = """mutation($quantity: Int!) { receiveStock(input: {locationCode: "NWK", sku: "TEE", quantity: $quantity}) {
  level { onHand } userErrors { code } } }"""
ON_HAND = """{ inventory(sku: "TEE") { onHand } }"""
PROMISE = """{ fulfillmentOptions(input: {lines: [{sku: "TEE", quantity: 9}], shipTo: {postalCode: "10001"}}) {
  available } }"""


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    if (why := unavailable()) is not None:
        pytest.skip(f"no read replica on this machine: {why}")
    with replicated_postgres() as servers:
        yield servers


@dataclass
class ReplicaApi:
    url: str
    client: httpx.AsyncClient
    primary: asyncpg.Connection
    replica: asyncpg.Connection

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, read_after: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {issue_token(SECRET, Role.ADMIN)}"}
        headers |= {"X-Meridian-Read-After": read_after} if read_after else {}
        response = await self.client.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200 and "errors" not in response.json(), response.text
        return response


@pytest.fixture
async def api(replicated: Replicated, tmp_path: Path) -> AsyncIterator[ReplicaApi]:
    """The API on the primary with its reads on the replica, and the projections feeding the primary's read
    models (the standby gets them, as everything, by replication)."""
    admin = await asyncpg.connect(replicated.primary)
    await admin.execute("DROP DATABASE IF EXISTS meridian")
    await admin.execute("CREATE DATABASE meridian")
    await admin.close()
    primary, replica = (
        replicated.database(replicated.primary, "meridian"),
        replicated.database(replicated.replica, "meridian"),
    )
    await migrate_database(primary)

    async def replayed() -> bool:  # the new database, schema and all, has reached the standby
        try:
            conn = await asyncpg.connect(replica)
        except asyncpg.InvalidCatalogNameError:
            return False
        try:
            return bool(await conn.fetchval("SELECT to_regclass('readmodel.stock_levels') IS NOT NULL"))
        finally:
            await conn.close()

    await eventually(replayed, 60)
    settings = Settings(
        MERIDIAN_ENV="development",
        MERIDIAN_JWT_SECRET=SecretStr(SECRET),
        MERIDIAN_WEBHOOK_SECRET=SecretStr(WEBHOOK_SECRET),
        MERIDIAN_DATA_DIR=tmp_path,
        MERIDIAN_READ_DATABASE_URL=replica,
        MERIDIAN_READ_YOUR_WRITES_SECONDS=120,  # the write waits for the paused replica: as long as the test needs
        MERIDIAN_OVERLOAD_MAX_WRITE_AGE_MS=0,
    )
    pool = await create_readmodel_pool(primary, min_size=1, max_size=2)
    listener = Listener(primary)
    await listener.start()
    stop = asyncio.Event()
    projecting = asyncio.create_task(ProjectionRunner(pool, listener=listener, poll_interval=0.1).run(stop))
    on_primary, on_replica = await asyncpg.connect(primary), await asyncpg.connect(replica)
    try:
        async with serving(create_app(settings, primary)) as url, httpx.AsyncClient(timeout=180) as client:
            yield ReplicaApi(url, client, on_primary, on_replica)
    finally:
        await on_replica.execute("SELECT pg_wal_replay_resume()")
        await on_replica.close()
        await on_primary.close()
        stop.set()
        await projecting
        await listener.close()
        await pool.close()


async def on_hand(conn: asyncpg.Connection) -> int | None:
    found: int | None = await conn.fetchval(
        "SELECT on_hand FROM readmodel.stock_levels WHERE sku = 'TEE' AND location_code = 'NWK'"
    )
    return found


async def test_a_write_is_read_back_through_the_replica_once_it_has_replayed_it(api: ReplicaApi) -> None:
    assert await api.replica.fetchval("SELECT pg_is_in_recovery()")  # a standby, not the primary again
    await api.post(LOCATION)
    first = await api.post(RECEIVE, {"quantity": 7})
    assert first.json()["data"]["receiveStock"] == {"level": {"onHand": 7}, "userErrors": []}
    assert Position.parse(first.headers["x-meridian-position"]) > Position(0, 0)

    await api.replica.execute("SELECT pg_wal_replay_pause()")
    written = asyncio.create_task(api.post(RECEIVE, {"quantity": 3}))

    async def projected_on_the_primary() -> bool:
        return await on_hand(api.primary) == 10

    await eventually(projected_on_the_primary, 60)
    head = await api.primary.fetchrow(
        "SELECT transaction_id, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1"
    )
    assert head is not None
    # Reads go to the replica, which has not replayed the write: a read that asks for nothing shows what it has,
    # and the write itself has not answered, waiting for its own read-back to include it.
    stale = await api.post(ON_HAND)
    assert stale.json()["data"]["inventory"]["onHand"] == 7 and await on_hand(api.replica) == 7
    promised = await api.post(PROMISE)  # the delivery promise reads the replica's stock too: 7 cannot serve 9
    assert {option["available"] for option in promised.json()["data"]["fulfillmentOptions"]} == {False}
    assert not written.done()
    after = asyncio.create_task(api.post(ON_HAND, read_after=f"{head[0]}:{head[1]}"))

    await api.replica.execute("SELECT pg_wal_replay_resume()")
    answer = await written
    assert answer.json()["data"]["receiveStock"] == {"level": {"onHand": 10}, "userErrors": []}
    assert Position.parse(answer.headers["x-meridian-position"]) == Position(head[0], head[1])
    assert (await after).json()["data"]["inventory"]["onHand"] == 10
    fresh = await api.post(ON_HAND, read_after=answer.headers["x-meridian-position"])
    assert fresh.json()["data"]["inventory"]["onHand"] == 10
    promised = await api.post(PROMISE, read_after=answer.headers["x-meridian-position"])
    # The replica has the received stock: at least one service level can now be promised.
    assert any(option["available"] for option in promised.json()["data"]["fulfillmentOptions"])


async def test_a_read_after_that_is_not_a_position_is_refused(api: ReplicaApi) -> None:
    token = issue_token(SECRET, Role.ADMIN)
    headers = {"Authorization": f"Bearer {token}", "X-Meridian-Read-After": "tomorrow"}
    response = await api.client.post(f"{api.url}/graphql", json={"query": ON_HAND}, headers=headers)
    assert response.status_code == 400 and "X-Meridian-Read-After must be a log position" in response.text
