"""`meridian up`: everything on one machine, as child processes of this one.

With no DATABASE_URL / REDIS_URL, embedded PostgreSQL and Redis run under ./var for as long as this process
does. It migrates, seeds the demo network on first start, then starts the API (`serve`: MERIDIAN_API_PROCESSES
processes sharing the port), a worker (actors, dispatcher), the projections — plus simulated customers with
`--demo` — and stops them all on Ctrl-C. `meridian serve --processes N` supervises its N processes the same way.

It supervises them: a process that exits on its own (a crash, a kill -9) is started again after a back-off
(0.5 s, doubling up to 10 s), said on stderr and counted (`supervisor.json` under the data folder, which the
API's /metrics reads: `meridian_process_restarts_total`). Nothing is lost meanwhile: the log and the job queue
hold the work, and each process resumes from them. A crash loop (5 crashes of one component within 60 s) is
not healed by restarting: the supervisor gives up, says so, and stops everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from prometheus_client.multiprocess import mark_process_dead

from app.domain import ALL_EVENTS
from app.handlers import Context, Handlers
from eventstore import EventCodec, EventStore, create_pool

from .runtime import database, migrate_database, redis
from .security import Role, issue_token, jwt_secret
from .seed import seed
from .settings import METRICS_FOLDER, METRICS_FOLDER_VARIABLE, STATE_FILE, Settings


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
        metrics = settings.data_dir / METRICS_FOLDER
        components = [
            *api_processes(settings.api_processes, metrics=metrics),
            _meridian("worker", "--no-projections"),
            *projection_components(settings),
        ]
        if demo:
            components.append(_meridian("demo"))
        supervisor = Supervisor(components, env, state=settings.data_dir / STATE_FILE, metrics=metrics)
        supervisor.start()
        token = issue_token(jwt_secret(settings), Role.ADMIN, subject="developer")
        print(f"meridian: admin token (Authorization: Bearer ...):\n{token}", flush=True)
        # The token rides in the fragment, which the browser never sends: it stays out of access logs. The
        # console offers it on its sign-in page; GraphiQL's development page puts it in its headers.
        print(f"meridian: GraphiQL at http://{settings.host}:{settings.port}/graphql#devToken={token}", flush=True)
        print(f"meridian: console at http://{settings.host}:{settings.port}/console/#devToken={token}", flush=True)
        print("meridian: press Ctrl-C to stop", flush=True)
        code = supervisor.run()
    print("meridian: stopped")
    return code


def serve_processes(settings: Settings, dsn: str, count: int) -> int:
    """`meridian serve --processes N`: N API processes on one port, supervised as `up` supervises its own."""
    metrics = settings.data_dir / METRICS_FOLDER
    supervisor = Supervisor(
        api_processes(count, metrics=metrics),
        {**os.environ, "DATABASE_URL": dsn},
        state=settings.data_dir / STATE_FILE,
        metrics=metrics,
    )
    supervisor.start()
    return supervisor.run()


def api_processes(count: int, *, metrics: Path) -> list[Component]:
    """The API as `count` processes: one binds the port alone, several share it (SO_REUSEPORT), each named apart
    (serve-1, serve-2, ...) in the supervisor's log and restart counts. Each keeps its Prometheus series under
    `metrics`, where a scrape of any of them sums them all (app/api/health.py, `api_series`)."""
    env = {METRICS_FOLDER_VARIABLE: str(metrics)}
    if count == 1:
        return [Component("serve", _meridian("serve", "--processes", "1").argv, env=env)]
    api = _meridian("serve", "--processes", "1", "--reuse-port").argv
    return [Component(f"serve-{n}", api, env=env) for n in range(1, count + 1)]


def _meridian(command: str, *args: str) -> Component:
    return Component(command, [sys.executable, "-m", "app.cli", command, *args])


def projection_components(settings: Settings) -> list[Component]:
    """`meridian project` as many times as MERIDIAN_PROJECTION_PROCESSES says: they share the log's partitions
    between them (projections/runner.py), and one restarted after a crash takes its share back."""
    first = _meridian("project")
    return [first] + [Component(f"project-{n}", first.argv) for n in range(2, settings.projection_processes + 1)]


@dataclass
class Component:
    """One supervised process: its command line, and what became of it."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)  # on top of the supervisor's
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    crashes: list[float] = field(default_factory=list)  # monotonic times of the crashes within the window
    due: float | None = None  # when a crashed one starts again


class Supervisor:
    """Starts the components, restarts any that exits with back-off, and gives up on a crash loop.

    `run` returns 0 after Ctrl-C or SIGTERM, 1 after a crash loop; either way every component is stopped
    (SIGTERM, then SIGKILL after 15 s). `metrics` is the folder the API processes keep their Prometheus series in:
    emptied at the start (a new count), and an exited process's live gauges (its in-flight requests) removed."""

    def __init__(
        self,
        components: Sequence[Component],
        env: dict[str, str],
        *,
        state: Path | None = None,
        metrics: Path | None = None,
        max_crashes: int = 5,
        window: float = 60.0,
        backoff: float = 0.5,
        max_backoff: float = 10.0,
        poll: float = 0.2,
    ) -> None:
        self.components = list(components)
        self.env = env
        self.state, self.metrics = state, metrics
        self.max_crashes, self.window = max_crashes, window
        self.backoff, self.max_backoff, self.poll = backoff, max_backoff, poll

    def start(self) -> None:
        def interrupted(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, interrupted)  # from now on, SIGTERM stops the children too
        if self.metrics is not None:
            shutil.rmtree(self.metrics, ignore_errors=True)
            self.metrics.mkdir(parents=True)
        for component in self.components:
            self._spawn(component)

    def run(self) -> int:
        try:
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C or SIGTERM: the normal way to stop
                while self._tend():
                    time.sleep(self.poll)
                return 1
            return 0
        finally:
            self._stop()

    def _tend(self) -> bool:
        """One look at every component: restarts what is due, notes what exited; False on a crash loop."""
        now = time.monotonic()
        for component in self.components:
            if component.process is None:
                if component.due is not None and now >= component.due:
                    component.restarts += 1
                    self._spawn(component)
                continue
            if (code := component.process.poll()) is None:
                continue
            pid, component.process = component.process.pid, None
            if self.metrics is not None:
                mark_process_dead(pid, str(self.metrics))  # type: ignore[no-untyped-call]
            how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
            component.crashes = [t for t in component.crashes if now - t < self.window] + [now]
            if len(component.crashes) >= self.max_crashes:
                print(
                    f"meridian: {component.name} (pid {pid}) {how}, its {len(component.crashes)}th crash within "
                    f"{self.window:.0f} s: a crash loop, which restarting will not heal; giving up, stopping all",
                    file=sys.stderr,
                    flush=True,
                )
                self._save()
                return False
            delay = min(self.backoff * 2 ** (len(component.crashes) - 1), self.max_backoff)
            component.due = now + delay
            print(
                f"meridian: {component.name} (pid {pid}) {how}; restarting it in {delay:.1f} s "
                f"(crash {len(component.crashes)} of {self.max_crashes} allowed within {self.window:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
            self._save()
        return True

    def _spawn(self, component: Component) -> None:
        component.process = subprocess.Popen(list(component.argv), env={**self.env, **component.env})
        component.due = None
        self._save()

    def _save(self) -> None:
        """Writes who runs as which pid and how often each was restarted, atomically (for /metrics, tests)."""
        if self.state is None:
            return
        processes = {
            c.name: {"pid": c.process.pid if c.process is not None else None, "restarts": c.restarts}
            for c in self.components
        }
        self.state.parent.mkdir(parents=True, exist_ok=True)
        written = self.state.with_suffix(".tmp")
        written.write_text(json.dumps({"components": processes}))
        written.replace(self.state)

    def _stop(self) -> None:
        running = [c.process for c in self.components if c.process is not None and c.process.poll() is None]
        for child in running:
            child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in running:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for component in self.components:
            component.process = None
        self._save()
