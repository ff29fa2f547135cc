"""`meridian up`: everything on one machine, as child processes of this one.

With no DATABASE_URL / REDIS_URL, embedded PostgreSQL and Redis run under ./var for as long as this process
does. It migrates, seeds the demo network on first start, then starts the API (`serve`) and a worker (actors,
dispatcher, projections) — plus simulated customers with `--demo` — and stops them all on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from types import FrameType

from app.domain import ALL_EVENTS
from app.handlers import Context, Handlers
from eventstore import EventCodec, EventStore, create_pool

from .runtime import database, migrate_database, redis
from .security import Role, issue_token, jwt_secret
from .seed import seed
from .settings import Settings


async def prepare(dsn: str) -> str:
    """Migrates, and seeds the demo network if the log has no location yet; says what it did."""
    applied = await migrate_database(dsn)
    pool = await create_pool(dsn, min_size=1, max_size=2)
    try:
        store = EventStore(pool)
        if await store.stream_ids("location"):
            return f"{len(applied)} migrations applied; existing data kept"
        commands = await seed(Handlers(Context(store, EventCodec(ALL_EVENTS))))
        return f"{len(applied)} migrations applied; demo network seeded ({commands} commands)"
    finally:
        await pool.close()


def up(settings: Settings, *, demo: bool) -> int:
    with database(settings) as dsn, redis(settings) as redis_url:
        print(f"meridian: {asyncio.run(prepare(dsn))}", flush=True)
        env = {**os.environ, "DATABASE_URL": dsn, "REDIS_URL": redis_url}
        # Projections in their own process: sourcing is CPU-heavy, and sharing an interpreter with it would slow
        # the read models and so every mutation's read-your-writes wait.
        children = [_spawn("serve", env), _spawn("worker", env, "--no-projections"), _spawn("project", env)]
        if demo:
            children.append(_spawn("demo", env))
        token = issue_token(jwt_secret(settings), Role.ADMIN, subject="developer")
        print(f"meridian: GraphiQL at http://{settings.host}:{settings.port}/graphql", flush=True)
        print(f"meridian: admin token (Authorization: Bearer ...):\n{token}", flush=True)
        print("meridian: press Ctrl-C to stop", flush=True)
        try:
            _wait(children)
        finally:
            _stop(children)
    print("meridian: stopped")
    return 0


def _spawn(command: str, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "app.cli", command, *args], env=env)


def _wait(children: list[subprocess.Popen[bytes]]) -> None:
    def interrupted(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C or SIGTERM: the normal way to stop
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("meridian: a component stopped unexpectedly; stopping the rest", file=sys.stderr)


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
