"""A running Meridian for end-to-end tests: the real API over HTTP on loopback (uvicorn), a real Dramatiq
worker, the dispatcher and the projection runner, on a fresh database and a private Redis namespace."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dramatiq
import httpx
import orjson
import pytest
import structlog
import uvicorn
from dramatiq.brokers.redis import RedisBroker
from pydantic import SecretStr
from starlette.applications import Starlette

from app.api.app import create_app
from app.clock import Clock, system_clock
from app.domain import ALL_EVENTS
from app.logging import configure_logging
from app.security import Role, issue_token
from app.settings import Settings
from eventstore import EventCodec, EventStore, Listener
from projections.runner import ProjectionRunner
from projections.schema import create_readmodel_pool
from workers import runtime
from workers.dispatcher import dispatcher, run_dispatcher

SECRET = "e2e-test-secret-of-at-least-thirty-two-bytes"
WEBHOOK_SECRET = "e2e-webhook-secret-of-at-least-thirty-two-bytes"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Api:
    url: str
    client: httpx.AsyncClient
    store: EventStore
    app: Starlette

    def token(self, role: Role = Role.ADMIN, **kw: Any) -> str:
        return issue_token(SECRET, role, **kw)

    async def gql(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = "admin") -> Any:
        """POSTs an operation; `token="admin"` (the default) signs as an admin, None sends no token."""
        headers = {}
        if token == "admin":
            token = self.token()
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.client.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        return response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = "admin") -> Any:
        body = await self.gql(query, variables, token=token)
        assert "errors" not in body, body
        return body["data"]


@pytest.fixture
def api_clock() -> Clock:
    """The API's clock; a test module that moves time overrides this fixture."""
    return system_clock


@pytest.fixture
def projection_partitions() -> int:
    """MERIDIAN_PROJECTION_PARTITIONS of the API and its projection runner; a module that splits the log
    overrides this fixture."""
    return 1


@pytest.fixture
async def api(
    database_url: str,
    tmp_path: Path,
    broker: RedisBroker,
    redis_url: str,
    api_clock: Clock,
    projection_partitions: int,
) -> AsyncIterator[Api]:
    settings = Settings(
        MERIDIAN_ENV="development",
        MERIDIAN_JWT_SECRET=SecretStr(SECRET),
        MERIDIAN_WEBHOOK_SECRET=SecretStr(WEBHOOK_SECRET),
        MERIDIAN_DATA_DIR=tmp_path,
        MERIDIAN_BROKER_NAMESPACE=broker.namespace,
        # Tests poll the public operation as fast as they like; the rate limit has its own (test_edge_limits).
        MERIDIAN_PUBLIC_RATE_PER_MINUTE=1_000_000,
        MERIDIAN_PUBLIC_RATE_BURST=1_000_000,
        # A test reads its own writes whatever the machine's load: it waits for the projections, never races them.
        MERIDIAN_READ_YOUR_WRITES_SECONDS=120,
        # ...and its writes are admitted however slowly the machine answers (back-pressure: test_back_pressure).
        MERIDIAN_OVERLOAD_MAX_WRITE_AGE_MS=0,
        MERIDIAN_PROJECTION_PARTITIONS=projection_partitions,
    )
    app = create_app(settings, database_url, redis_url=redis_url, clock=api_clock)
    async with (
        serving(app) as url,
        back_office(database_url, broker, projection_partitions) as store,
        httpx.AsyncClient(timeout=20) as client,
    ):
        yield Api(url=url, client=client, store=store, app=app)


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """`app` served over HTTP on a free loopback port (its lifespan run) until the block ends; its URL."""
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=free_port(), log_level="warning", ws="websockets-sansio", lifespan="on"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():  # it could not start (its lifespan failed): say why
            task.result()
            raise AssertionError("the API stopped before it started")
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def back_office(
    database_url: str, broker: RedisBroker, projection_partitions: int = 1
) -> AsyncIterator[EventStore]:
    """The workers, in this process: projections and dispatcher on our loop, actors on Dramatiq's threads."""
    # Simulated parcels travel a day in about a second, and never get lost: the journey ends in seconds.
    os.environ.update({"MERIDIAN_SIMULATED_TIME_SCALE": "100000", "MERIDIAN_SIMULATED_EXCEPTION_RATE": "0"})
    runtime.configure(database_url)
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    pool = await create_readmodel_pool(database_url, min_size=1, max_size=4)
    listener = Listener(database_url)
    await listener.start()
    stop = asyncio.Event()
    store = EventStore(pool)
    followers = [
        asyncio.create_task(
            ProjectionRunner(
                pool, listener=listener, poll_interval=0.1, partitions=projection_partitions, claim=True
            ).run(stop)
        ),
        asyncio.create_task(run_dispatcher(dispatcher(store, EventCodec(ALL_EVENTS), broker, listener=listener), stop)),
    ]
    try:
        yield store
    finally:
        stop.set()
        await asyncio.gather(*followers)
        worker.stop()
        await listener.close()
        await pool.close()


async def eventually(check: Any, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.05)


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The production logging configuration (JSON lines, every level), writing into a buffer for the test;
    restored afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buffer = io.StringIO()
    configure_logging("DEBUG", "json", stream=buffer)
    yield buffer
    structlog.reset_defaults()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def log_lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
