"""`meridian up` supervises its processes: each kind, killed with -9, is started again and orders keep flowing;
a crash loop is not restarted for ever, but given up on, loudly, stopping everything.

What the test waits for is what it observes (the supervisor's state file naming a new process, the API
answering, an order's allocation in the log), never a fixed time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from app.domain.streams import order_stream
from app.launcher import Component, Supervisor
from app.settings import STATE_FILE

from .checks import Outcomes, Placement, eventually, network, place, receive
from .conftest import START_TIMEOUT, Meridian

COMPONENTS = ("serve", "worker", "project")


def supervised(state: Path) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        components: dict[str, Any] = json.loads(state.read_text())["components"]
        return components
    return {}


def restarted(state: Path, component: str, killed: int) -> Callable[[], Awaitable[bool]]:
    """A check: the supervisor has started `component` again, once, as a new process."""

    async def again() -> bool:
        now = supervised(state).get(component, {})
        return bool(now.get("restarts") == 1 and now.get("pid") not in (None, killed))

    return again


async def stop_supervisor(supervisor: subprocess.Popen[bytes], state: Path) -> None:
    """SIGTERM, as an operator stops it, and waits; whatever a stuck supervisor left behind is killed by its pid."""
    supervisor.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(asyncio.to_thread(supervisor.wait), 60)
    finally:
        for child in supervised(state).values():
            if child.get("pid") and supervisor.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child["pid"], signal.SIGKILL)
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


async def api_answers(m: Meridian) -> bool:
    with contextlib.suppress(httpx.TransportError):
        return (await m.client.get(f"{m.url}/healthz", timeout=1.0)).status_code == 200
    return False


async def placed_and_allocated(m: Meridian, db: asyncpg.Pool, key: str) -> None:
    """Places an order (again, with the same idempotency key, while the API cannot answer) and waits until the
    log holds its allocation."""
    p = Placement("c1", key)

    async def acknowledged() -> bool:
        return await place(m, p, Outcomes())

    await eventually(acknowledged, START_TIMEOUT, f"order {key} acknowledged")

    async def allocated() -> bool:
        found: int = await db.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'OrderAllocated'",
            order_stream(p.order_id),
        )
        return found == 1

    await eventually(allocated, START_TIMEOUT, f"order {key} allocated")


async def test_meridian_up_restarts_each_killed_process_and_orders_keep_flowing(
    meridian: Meridian, db: asyncpg.Pool
) -> None:
    up = meridian._spawn("up")  # the deployment's own spawner: its environment and log file
    state = meridian.logs / STATE_FILE
    try:

        async def all_running() -> bool:
            found = supervised(state)
            return all(found.get(c, {}).get("pid") for c in COMPONENTS) and await api_answers(meridian)

        await eventually(all_running, 2 * START_TIMEOUT, "meridian up's processes")
        await network(meridian, "NWK")
        await receive(meridian, "NWK", "TEE", 10)
        await placed_and_allocated(meridian, db, "before")

        for component in ("worker", "project", "serve"):
            killed = supervised(state)[component]["pid"]
            os.kill(killed, signal.SIGKILL)
            await eventually(restarted(state, component, killed), START_TIMEOUT, f"{component} restarted")
            await placed_and_allocated(meridian, db, f"after-{component}")
            assert up.poll() is None

        metrics = (await meridian.client.get(f"{meridian.url}/metrics")).text
        for component in COMPONENTS:
            assert f'meridian_process_restarts_total{{component="{component}"}} 1.0' in metrics
        assert meridian.logged("up", "worker (pid") and meridian.logged("up", "was killed by signal 9")
    finally:
        await stop_supervisor(up, state)
    assert up.returncode == 0


def test_a_crash_loop_is_given_up_and_everything_stopped(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    crasher = Component("crasher", [sys.executable, "-c", "raise SystemExit(3)"])
    bystander = Component("bystander", [sys.executable, "-c", "import time; time.sleep(600)"])
    state = tmp_path / STATE_FILE
    supervisor = Supervisor([crasher, bystander], dict(os.environ), state=state, backoff=0.01, max_backoff=0.05)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        supervisor.start()
        running = bystander.process
        assert running is not None
        assert supervisor.run() == 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert running.poll() is not None  # the bystander was stopped with it
    err = capfd.readouterr().err
    assert err.count("crasher (pid") == 5 and "exited with code 3; restarting it in" in err
    assert "its 5th crash within 60 s: a crash loop" in err and "giving up" in err
    assert supervised(state)["crasher"]["restarts"] == 4
