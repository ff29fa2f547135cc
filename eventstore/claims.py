"""Competing consumers: which partitions of a partitioned reader this process feeds.

Each process running a partitioned reader (the projections, `meridian project` started N times) holds a
connection of its own for as long as it runs, and on it:

- a shared advisory lock on the group's key: its membership. Counting that lock's holders in `pg_locks` tells
  every member how many run, so each aims at its fair share, `ceil(partitions / members)`;
- a session advisory lock per partition it feeds. A member takes free partitions up to its share and gives
  back those above it, so a new member is served by the others' next look, and roughly evenly.

A process that dies loses its connection, and PostgreSQL frees its locks with it: at their next look the
survivors' shares grow and they take its partitions over. Claims only spread the work. What makes a partition's
batches exactly-once is elsewhere: each batch takes its checkpoints' transaction locks (follower.py), so even
two processes briefly believing they hold one partition take turns, and a batch cut short commits nothing.
"""

from __future__ import annotations

import logging
import math
import time
from zlib import crc32

import asyncpg

from .driver import Connection
from .sql import query

log = logging.getLogger(__name__)


def claim_key(name: str) -> int:
    """A claim's advisory lock key (the same 32-bit CRC as a checkpoint's, of names no checkpoint has)."""
    return crc32(name.encode())


class PartitionClaims:
    """This process's claims on the `count` partitions of `group`, kept fair by `rebalance` (every `interval`
    seconds at most: `due`). `held` is what it feeds; `close` gives everything back."""

    def __init__(self, pool: asyncpg.Pool, group: str, count: int, *, interval: float = 1.0) -> None:
        self.pool, self.group, self.count, self.interval = pool, group, count, interval
        self.member_key = claim_key(f"{group}#members")
        self.keys = [claim_key(f"{group}#{index}/{count}") for index in range(count)]
        self.held: set[int] = set()
        self._conn: asyncpg.pool.PoolConnectionProxy[asyncpg.Record] | None = None
        self._next = 0.0

    def due(self) -> bool:
        return time.monotonic() >= self._next

    async def rebalance(self) -> bool:
        """Joins the group if not yet a member, then takes or gives back partitions towards a fair share.
        True if what it holds changed. A failure (the connection lost, and its locks with it) forgets every
        claim before it is raised: the caller stops feeding, and the next look joins again."""
        self._next = time.monotonic() + self.interval
        before = set(self.held)
        try:
            conn = await self._member()
            members = max(1, await conn.fetchval(query("claim_members"), self.member_key))
            fair = math.ceil(self.count / members)
            for index in sorted(self.held, reverse=True)[: max(0, len(self.held) - fair)]:
                await conn.fetchval(query("claim_release"), self.keys[index])
                self.held.discard(index)
            # Start the search at a different partition in each process: fewer failed tries when several start.
            start = claim_key(str(id(self))) % self.count
            for index in [(start + i) % self.count for i in range(self.count)]:
                if len(self.held) >= fair:
                    break
                if index not in self.held and await conn.fetchval(query("claim_try"), self.keys[index]):
                    self.held.add(index)
        except BaseException:
            await self._drop(failed=True)
            raise
        if self.held != before:
            log.info(
                "%s: feeding partitions %s of %d (%d processes)", self.group, sorted(self.held), self.count, members
            )
        return self.held != before

    async def close(self) -> None:
        """Gives every claim back, and leaves the group."""
        if self._conn is not None:
            try:
                await self._conn.execute(query("claim_leave"))
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await self._drop(failed=True)
        await self._drop()

    async def _member(self) -> Connection:
        if self._conn is None:
            self._conn = await self.pool.acquire()
            await self._conn.execute(query("claim_join"), self.member_key)
        return self._conn

    async def _drop(self, *, failed: bool = False) -> None:
        """Forgets every claim and returns the connection. One that failed is closed first: it may hold claims
        still, and the pools here skip asyncpg's reset, so the next borrower would hold them unawares."""
        self.held.clear()
        conn, self._conn = self._conn, None
        if conn is not None:
            if failed:
                conn.terminate()
            await self.pool.release(conn)
