"""A private PostgreSQL and Redis, and a Meridian made of real processes (`meridian serve`, `meridian worker`)
that the fault tests kill, cut off and restart.

Nothing here touches the machine's shared servers: PostgreSQL is an embedded server (pgserver) in a temporary
folder for the session, reached over its unix socket; Redis is a `PrivateRedis` per test on a loopback port.
Every test gets a fresh database copied from a migrated template.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import asyncpg
import httpx
import pytest

from app.security import Role, issue_token
from eventstore.embedded import EmbeddedPostgres
from tests.support.databases import Databases
from tests.support.redis_servers import PrivateRedis, free_port

SECRET = "faults-test-secret-of-at-least-thirty-two-bytes"
WEBHOOK_SECRET = "faults-webhook-secret-of-at-least-thirty-two-bytes"
HTTP_TIMEOUT = 30.0  # bounded, but patient: a loaded 2-core CI machine serves 64 concurrent orders slowly
START_TIMEOUT = 60.0
CLI_TIMEOUT = 120.0
CHECKER = "meridian-faults-checker"  # the tests' own connections: the only ones a connection cut spares


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[str]:
    """The server DSN of an embedded PostgreSQL of our own, for the whole session."""
    with EmbeddedPostgres(Path(mkdtemp(prefix="meridian-faults-pg-")), database="postgres") as dsn:
        yield dsn


@pytest.fixture(scope="session")
async def fault_databases(private_postgres: str) -> AsyncIterator[Databases]:
    dbs = Databases(private_postgres)
    yield dbs
    await dbs.drop_all()


@pytest.fixture(scope="session")
async def fault_template(fault_databases: Databases) -> str:
    return await fault_databases.create_template()


@pytest.fixture
async def fault_database(fault_databases: Databases, fault_template: str) -> AsyncIterator[str]:
    name = fault_databases.new_name()
    dsn = await fault_databases.create(name, template=fault_template)
    yield dsn
    await fault_databases.drop(name)


@dataclass
class Meridian:
    """One deployment under test: an API process and worker processes on one database and one Redis."""

    database_url: str
    redis: PrivateRedis
    logs: Path
    client: httpx.AsyncClient
    port: int = field(default_factory=free_port)
    namespace: str = field(default_factory=lambda: f"meridian-faults-{uuid.uuid4().hex[:8]}")
    api: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)  # more MERIDIAN_* settings, for every process
    _spawned: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url,
            "MERIDIAN_ENV": "development",
            "MERIDIAN_JWT_SECRET": SECRET,
            "MERIDIAN_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "MERIDIAN_DATA_DIR": str(self.logs),
            "MERIDIAN_HOST": "127.0.0.1",
            "MERIDIAN_PORT": str(self.port),
            "MERIDIAN_DB_POOL_MIN": "1",
            "MERIDIAN_DB_POOL_MAX": "10",
            "MERIDIAN_LOG_LEVEL": "WARNING",
            "MERIDIAN_BROKER_NAMESPACE": self.namespace,
            "MERIDIAN_WORKER_HEARTBEAT_MS": "1500",
            "MERIDIAN_BROKER_MAINTENANCE_CHANCE": "200000",
            "MERIDIAN_WORKER_THREADS": "2",
            "MERIDIAN_SIMULATED_EXCEPTION_RATE": "0",
            # Every acknowledgement counts here, however loaded the machine: back-pressure has its own tests.
            "MERIDIAN_OVERLOAD_MAX_IN_FLIGHT": "0",
            "MERIDIAN_OVERLOAD_MAX_WRITE_AGE_MS": "0",
            **self.settings,
        }

    def _spawn(self, *args: str, settings: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        self._spawned += 1
        log = (self.logs / f"{args[0]}-{self._spawned}.log").open("wb")
        try:
            return subprocess.Popen(
                [sys.executable, "-m", "app.cli", *args],
                env={**self.env(), **(settings or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()  # the child holds its own descriptor

    async def start_api(self) -> None:
        self.api = self._spawn("serve")
        deadline = asyncio.get_running_loop().time() + START_TIMEOUT
        while True:
            if self.api.poll() is not None:
                raise AssertionError(f"the API exited with {self.api.returncode}; see {self.logs}")
            with contextlib.suppress(httpx.TransportError):  # not listening yet
                if (await self.client.get(f"{self.url}/healthz", timeout=1.0)).status_code == 200:
                    return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the API did not answer within {START_TIMEOUT}s")
            await asyncio.sleep(0.1)

    def start_worker(self) -> subprocess.Popen[bytes]:
        worker = self._spawn("worker")
        self.workers.append(worker)
        return worker

    def start_projector(self, **settings: str) -> subprocess.Popen[bytes]:
        """`meridian project`, with settings of its own on top of the deployment's."""
        projector = self._spawn("project", settings=settings)
        self.workers.append(projector)
        return projector

    async def kill(self, process: subprocess.Popen[bytes]) -> None:
        """kill -9: no shutdown code runs."""
        process.send_signal(signal.SIGKILL)
        await _reaped(process, 10.0)
        if process is self.api:
            self.api = None
        if process in self.workers:
            self.workers.remove(process)

    async def stop_all(self) -> None:
        for process in [p for p in [self.api, *self.workers] if p is not None]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [p for p in [self.api, *self.workers] if p is not None]:
            try:
                await _reaped(process, 15.0)
            except TimeoutError:
                process.kill()
                await _reaped(process, 5.0)
        self.api, self.workers = None, []

    def logged(self, command: str, text: str) -> bool:
        """Whether any `meridian <command>` process of this deployment has written `text` to its log."""
        return any(text in log.read_text(errors="replace") for log in self.logs.glob(f"{command}-*.log"))

    def token(self, role: Role = Role.ADMIN, **kw: Any) -> str:
        return issue_token(SECRET, role, **kw)

    async def post(self, query: str, variables: dict[str, Any], *, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token()}"}
        return await self.client.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, headers=headers
        )

    async def data(self, query: str, variables: dict[str, Any], *, token: str | None = None) -> Any:
        response = await self.post(query, variables, token=token)
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]

    async def cli(self, *args: str) -> tuple[int, str]:
        """Runs `meridian <args>` against this database; returns its exit code and output."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app.cli",
            *args,
            env=self.env(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            out, _ = await asyncio.wait_for(process.communicate(), CLI_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(f"meridian {' '.join(args)} did not finish within {CLI_TIMEOUT}s") from None
        assert process.returncode is not None
        return process.returncode, out.decode(errors="replace")


async def _reaped(process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while process.poll() is None:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"process {process.pid} still running after {timeout}s")
        await asyncio.sleep(0.05)


@pytest.fixture
async def meridian(fault_database: str, private_redis: PrivateRedis, tmp_path: Path) -> AsyncIterator[Meridian]:
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
        system = Meridian(database_url=fault_database, redis=private_redis, logs=tmp_path, client=client)
        try:
            yield system
        finally:
            await system.stop_all()


@pytest.fixture
async def db(fault_database: str) -> AsyncIterator[asyncpg.Pool]:
    """The test's own view of its database, for checking the log and the read models."""
    pool = await asyncpg.create_pool(
        fault_database, min_size=1, max_size=2, server_settings={"application_name": CHECKER}
    )
    assert pool is not None
    yield pool
    await pool.close()
