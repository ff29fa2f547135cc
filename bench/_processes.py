"""Meridian as separate processes for the HTTP benches: `meridian serve`, `meridian worker`, the bare endpoint.

Every process gets the run's database, Redis namespace and JWT secret through its environment; `stop` ends
them (SIGTERM, then SIGKILL after a grace period) and `cpu_seconds` reads what each has used so far.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-of-at-least-thirty-two-bytes-long"


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Cluster:
    """The processes of one bench run, all on one database and one Redis namespace."""

    dsn: str
    namespace: str
    processes: list[asyncio.subprocess.Process] = field(default_factory=list)
    roles: dict[int, str] = field(default_factory=dict)  # pid -> "api", "worker", "projections", "bare"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.dsn,
            "REDIS_URL": redis_url(),
            "MERIDIAN_BROKER_NAMESPACE": self.namespace,
            "MERIDIAN_JWT_SECRET": SECRET,
            "MERIDIAN_WEBHOOK_SECRET": SECRET,
            "MERIDIAN_ENV": "production",
            "MERIDIAN_LOG_LEVEL": "WARNING",
            **extra,
        }

    async def start(self, *args: str, role: str = "", **env: str) -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(sys.executable, *args, env=self.env(**env), cwd=ROOT)
        self.processes.append(process)
        self.roles[process.pid] = role
        return process

    async def serve(self, *, pool_max: int = 10, **env: str) -> str:
        """`meridian serve` (uvicorn, one process), with `env` added to its environment; returns its base URL
        once /healthz answers."""
        port = free_port()
        pool = str(pool_max)
        await self.start("-m", "app.cli", "serve", role="api", MERIDIAN_PORT=str(port), MERIDIAN_DB_POOL_MAX=pool,
                         **env)  # fmt: skip
        return await ready(f"http://127.0.0.1:{port}")

    async def bare(self, *, pool_max: int = 10) -> str:
        """The bare Starlette endpoint (bench/_bare.py), same uvicorn configuration as `serve`."""
        port = free_port()
        await self.start("-m", "bench._bare", role="bare", MERIDIAN_PORT=str(port), MERIDIAN_DB_POOL_MAX=str(pool_max))
        return await ready(f"http://127.0.0.1:{port}")

    async def worker(self, *, threads: int = 4, projections: bool = True, dispatcher: bool = True) -> None:
        args = ["-m", "app.cli", "worker", "--threads", str(threads)]
        args += [] if projections else ["--no-projections"]
        args += [] if dispatcher else ["--no-dispatcher"]
        await self.start(*args, role="worker")

    async def projections(self) -> None:
        """`meridian project`: the read models fed by a process of their own."""
        await self.start("-m", "app.cli", "project", role="projections")

    def pids(self, role: str | None = None) -> list[int]:
        """The live processes, or only those started in `role`."""
        alive = [p.pid for p in self.processes if p.returncode is None]
        return [pid for pid in alive if role is None or self.roles[pid] == role]

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
        client = redis.Redis.from_url(redis_url())
        for key in client.scan_iter(f"{self.namespace}*"):
            client.delete(key)
        client.close()


async def ready(url: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            with contextlib.suppress(httpx.TransportError):  # not listening yet
                if (await client.get(f"{url}/healthz")).status_code == 200:
                    return url
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout}s")
            await asyncio.sleep(0.1)


TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) from /proc/<pid>/stat; None once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": state, ppid, ...
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def cpu_seconds(pids: list[int]) -> float:
    """CPU used so far by these processes and all their descendants (vanished ones count as 0)."""
    stats = {pid: stat for pid in _all_pids() if (stat := _stat(pid)) is not None}
    wanted, frontier = set(pids), list(pids)
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _) in stats.items():
            if ppid == parent and pid not in wanted:
                wanted.add(pid)
                frontier.append(pid)
    return sum(stats[pid][1] for pid in wanted if pid in stats)


class PostgresCpu:
    """CPU used by the server processes serving connections to `database` (their title names it), but for the
    backends `excluding` (e.g. the load generator's own connections), as a running total.

    Backends come and go with pools: a plain sum over the live ones dropped an exiting backend's whole lifetime
    from the second sample, and a window came out negative (-59.7 ms per order in one e2e run). The total
    adds each live backend's growth since the last sample instead, so it never falls; a backend that exits
    takes only what it used since the last sample with it."""

    def __init__(self, database: str, *, excluding: frozenset[int] = frozenset()) -> None:
        self.database, self.excluding = database, excluding
        self._seen: dict[int, float] = {}
        self._total = 0.0

    def seconds(self) -> float:
        now: dict[int, float] = {}
        for pid in _all_pids():
            if pid in self.excluding:
                continue
            title = _cmdline(pid)
            if title.startswith("postgres: ") and f" {self.database} " in title and (stat := _stat(pid)):
                now[pid] = stat[1]
        self._total += sum(used - self._seen.get(pid, 0.0) for pid, used in now.items())
        self._seen = now
        return self._total


def own_cpu_seconds() -> float:
    """CPU used so far by this process alone (its children, e.g. a Cluster's, are not counted)."""
    stat = _stat(os.getpid())
    return stat[1] if stat else 0.0


def backend_cpu_seconds(pids: frozenset[int]) -> float:
    """CPU used so far by these PostgreSQL backends (e.g. the load generator's connections)."""
    return sum(stat[1] for pid in pids if (stat := _stat(pid)) is not None)
