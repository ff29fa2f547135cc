"""Low-latency wake-ups for log followers: LISTEN/NOTIFY as a hint, never as the source of truth.

Writers do not NOTIFY inside their append transactions: PostgreSQL serialises the commits of notifying
transactions on one global lock, which caps append throughput under load. Instead, after an append commits,
the `Notifier` sends one NOTIFY from its own connection, coalescing all appends that happen while a NOTIFY is
in flight into the next one. Followers wait on a `Listener` with a timeout: a lost notification, or a
dropped listener connection, only costs one poll interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

log = logging.getLogger(__name__)

CHANNEL = "meridian_events"


class Notifier:
    """Sends coalesced NOTIFYs after appends. `poke()` is cheap and never blocks the caller."""

    def __init__(self, dsn: str, channel: str = CHANNEL) -> None:
        self._dsn = dsn
        self._channel = channel
        self._conn: asyncpg.Connection | None = None
        self._dirty = False
        self._task: asyncio.Task[None] | None = None

    def poke(self) -> None:
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._send())

    async def _send(self) -> None:
        # Loop while appends keep arriving: each NOTIFY is sent after the appends that set `dirty` committed,
        # so a follower woken by it will see them (or wait for an older transaction that hides them).
        while self._dirty:
            self._dirty = False
            try:
                if self._conn is None or self._conn.is_closed():
                    self._conn = await asyncpg.connect(self._dsn)
                await self._conn.execute("SELECT pg_notify($1, '')", self._channel)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("wake-up notify failed (followers fall back to polling): %s", exc)
                self._conn = None
                return

    async def close(self) -> None:
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
        if self._conn is not None:
            await self._conn.close()
            self._conn = None


class Listener:
    """One LISTEN connection per process, shared by every follower in it; reconnects when it drops."""

    def __init__(self, dsn: str, channel: str = CHANNEL, *, reconnect_every: float = 1.0) -> None:
        self._dsn = dsn
        self._channel = channel
        self._reconnect_every = reconnect_every
        self._conn: asyncpg.Connection | None = None
        self._waiters: set[asyncio.Event] = set()
        self._supervisor: asyncio.Task[None] | None = None
        self.reconnects = 0

    async def start(self) -> None:
        if self._supervisor is None:
            await self._connect()
            self._supervisor = asyncio.get_running_loop().create_task(self._supervise())

    def waiter(self) -> asyncio.Event:
        """An event this listener sets on every notification (and on reconnect, when one may be lost)."""
        event = asyncio.Event()
        self._waiters.add(event)
        return event

    def forget(self, event: asyncio.Event) -> None:
        self._waiters.discard(event)

    def _wake_all(self, *_: object) -> None:
        for event in self._waiters:
            event.set()

    async def _connect(self) -> None:
        try:
            conn = await asyncpg.connect(self._dsn)
            await conn.add_listener(self._channel, self._wake_all)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("wake-up listener cannot connect (polling until it can): %s", exc)
            return
        self._conn = conn
        # Notifications sent while we were disconnected are gone: wake everyone to look for themselves.
        self._wake_all()

    async def _supervise(self) -> None:
        while True:
            await asyncio.sleep(self._reconnect_every)
            if self._conn is None or self._conn.is_closed():
                self._conn = None
                self.reconnects += 1
                await self._connect()

    @property
    def connection(self) -> asyncpg.Connection | None:
        return self._conn

    async def close(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()
        self._conn = None
