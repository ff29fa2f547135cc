"""What the HTTP benches share: a seeded database, the GraphQL operations they send, random carts."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from typing import Any

import asyncpg
import httpx
import orjson

from app.domain import ALL_EVENTS
from app.handlers import Context, Handlers
from app.runtime import migrate_database
from app.security import Role, issue_token
from bench._common import Databases
from bench._processes import SECRET
from bench.worker_throughput import skip_seed_jobs
from eventstore import EventCodec, EventStore, create_pool
from projections.runner import checkpoint_names, log_head, wait_for

PLACE_ORDER = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id status lines { sku quantity } } userErrors { field message code } }
}"""
ORDER = "query Order($id: ID!) { order(id: $id) { id status lines { sku quantity allocated backordered } } }"
FULFILMENT_OPTIONS = """
query Options($input: FulfillmentOptionsInput!) {
  fulfillmentOptions(input: $input) { serviceLevel promisedDelivery cost shipments available }
}"""

# Ship-to points: around US metro areas, where the seeded networks have their locations.
METROS = [
    (40.71, -74.01), (34.05, -118.24), (41.88, -87.63), (29.76, -95.37), (33.45, -112.07), (39.95, -75.17),
    (32.78, -96.80), (47.61, -122.33), (39.74, -104.99), (33.75, -84.39), (25.76, -80.19), (38.25, -85.76),
]  # fmt: skip


def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SECRET, Role.ADMIN, ttl_seconds=24 * 3600)}"}


class Http:
    """The load generators' HTTP client: httpx, its connections split over small pools.

    On every request httpcore walks its whole pool, checking each connection (and probing each idle socket
    with a syscall): with 128 connections in one pool that bookkeeping cost the load generator more CPU than
    the server spent answering, and the benches measured the client. Requests go to the pools in turn.
    """

    def __init__(self, *, connections: int = 512, per_pool: int = 8) -> None:
        limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
        self._pools = [
            httpx.AsyncClient(limits=limits, timeout=30.0, headers=admin_headers())
            for _ in range(max(1, connections // per_pool))
        ]
        self._turn = itertools.cycle(self._pools)

    async def post(self, url: str, body: bytes) -> httpx.Response:
        return await next(self._turn).post(url, content=body, headers=_JSON)

    async def get(self, url: str) -> httpx.Response:
        return await next(self._turn).get(url)

    async def __aenter__(self) -> Http:
        return self

    async def __aexit__(self, *_: object) -> None:
        for pool in self._pools:
            await pool.aclose()


_JSON = {"Content-Type": "application/json"}


def cart(rng: random.Random, skus: list[str]) -> dict[str, Any]:
    """A PlaceOrderInput: 1-3 lines of 1-2 units, shipped near a metro area."""
    lat, lon = rng.choice(METROS)
    lines = [{"sku": sku, "quantity": rng.randint(1, 2)} for sku in rng.sample(skus, rng.randint(1, 3))]
    return {
        "customerId": f"c-{rng.randint(1, 1000)}",
        "lines": lines,
        "shipTo": {
            "latitude": round(lat + rng.uniform(-0.5, 0.5), 4),
            "longitude": round(lon + rng.uniform(-0.5, 0.5), 4),
        },
    }


async def graphql(http: Http, url: str, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
    """The operation's `data`, or None on any error (HTTP status, top-level errors)."""
    response = await http.post(f"{url}/graphql", orjson.dumps({"query": query, "variables": variables}))
    if response.status_code != 200:
        return None
    body: dict[str, Any] = orjson.loads(response.content)
    return None if body.get("errors") else body.get("data")


async def seeded_database(dbs: Databases, name: str, seed: Any) -> str:
    """A migrated database with `seed(handlers)` applied, and the dispatcher moved past the seed's events."""
    dsn = await dbs.create(name, migrated=False)
    await migrate_database(dsn)
    pool = await create_pool(dsn, min_size=1, max_size=16)
    try:
        store = EventStore(pool)
        await seed(Handlers(Context(store, EventCodec(ALL_EVENTS))))
        await skip_seed_jobs(store)
    finally:
        await pool.close()
    return dsn


async def projections_caught_up(dsn: str, timeout: float = 120.0) -> None:
    """Waits until every projection has reached the log's head (the workers are running)."""
    pool = await create_pool(dsn, min_size=1, max_size=1)
    try:
        head = await log_head(pool)
        if head is not None and not await wait_for(pool, head, timeout, names=checkpoint_names()):
            raise TimeoutError(f"projections did not reach {head} within {timeout}s")
    finally:
        await pool.close()


async def settled(dsn: str, timeout: float = 120.0) -> None:
    """Waits until no placed order still awaits sourcing and every projection has reached the log's head: a
    step that saturated the workers leaves them busy, and the next step would measure that backlog."""
    pool = await create_pool(dsn, min_size=1, max_size=1)
    try:
        deadline = time.perf_counter() + timeout
        while await pool.fetchval("SELECT count(*) FROM readmodel.orders WHERE status = 'PLACED'"):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"orders still awaiting sourcing after {timeout}s")
            await asyncio.sleep(0.1)
    finally:
        await pool.close()
    await projections_caught_up(dsn, timeout)


async def projection_lag(pool: asyncpg.Pool) -> int:
    """Events between the log's head and the slowest projection (from the checkpoints table)."""
    lag: int = await pool.fetchval(
        "SELECT coalesce((SELECT max(global_position) FROM events), 0)"
        " - coalesce(min(global_position), 0) FROM checkpoints WHERE name = ANY($1::TEXT[])",
        checkpoint_names(),
    )
    return max(0, lag)


def elapsed_ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
