"""What the HTTP benches share: a seeded database, the GraphQL operations they send, random carts."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import asyncpg
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


@dataclass(frozen=True)
class Response:
    status_code: int
    headers: dict[str, str]  # names lower-cased
    content: bytes


class Http:
    """The load generators' HTTP client: HTTP/1.1 on keep-alive connections, one request at a time on each, the
    request head written by hand, at most `connections` open (a request waits for one to come free).

    The load generator shares the two cores it measures. httpx cost it 2.0-2.7 ms of CPU per `placeOrder` in
    bench/e2e.py's quiet run (2026-12-01), more than the API's own 1.7 ms at the open-loop maximum, so the bench
    measured its client. The benches only need POST and GET against our own server, whose answers carry a
    Content-Length (Starlette's responses do). uvicorn closes a connection left idle for 5 s (its default
    keep-alive timeout), so one idle longer than IDLE_S is closed here rather than reused: a request sent on it
    could cross the server's close and be lost (131 of a bench/overload.py run's requests were).
    """

    IDLE_S = 4.0

    def __init__(self, *, connections: int = 512) -> None:
        self._free = asyncio.Semaphore(connections)
        # (reader, writer, when it was last used), per server
        self._idle: dict[tuple[str, int], list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]]] = {}
        self._auth = admin_headers()["Authorization"]

    def saturated(self) -> bool:
        """Every connection allowed is busy: the next request would wait."""
        return self._free.locked()

    async def post(self, url: str, body: bytes) -> Response:
        return await self._send("POST", url, body)

    async def get(self, url: str) -> Response:
        return await self._send("GET", url, b"")

    async def _send(self, method: str, url: str, body: bytes) -> Response:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        head = f"{method} {parts.path or '/'} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {self._auth}\r\n"
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        async with self._free:
            idle = self._idle.setdefault((host, port), [])
            while idle and time.monotonic() - idle[-1][2] > self.IDLE_S:
                idle.pop()[1].close()  # the server may be closing it: never send on it
            if idle:
                reader, writer, _ = idle.pop()
            else:
                reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(head.encode() + body)
                status = int((await reader.readline()).split(b" ", 2)[1])
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                content = await reader.readexactly(int(headers.get("content-length", "0")))
            except BaseException:
                writer.close()  # a connection broken mid-answer is never reused
                raise
            if headers.get("connection") == "close":
                writer.close()
            else:
                idle.append((reader, writer, time.monotonic()))
            return Response(status, headers, content)

    async def __aenter__(self) -> Http:
        return self

    async def __aexit__(self, *_: object) -> None:
        for idle in self._idle.values():
            for _reader, writer, _used in idle:
                writer.close()
        self._idle.clear()


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
