"""Where the tests' PostgreSQL comes from, and throwaway databases on it.

DATABASE_URL if given; else the machine's server on 127.0.0.1:5432 when it answers; else an embedded server
(pgserver) in a temporary folder. Every database a test session makes carries the session's prefix and is
dropped at the end, so concurrent runs never see each other.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import mkdtemp
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from app.runtime import MIGRATIONS
from eventstore import migrate
from eventstore.embedded import EmbeddedPostgres

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def postgres_server() -> Iterator[str]:
    """The DSN of a server the tests may create databases on."""
    if url := os.environ.get("DATABASE_URL"):
        yield url
    elif _answers("127.0.0.1", 5432):
        yield LOCAL_SERVER
    else:
        with EmbeddedPostgres(Path(mkdtemp(prefix="meridian-pg-")), database="postgres") as dsn:
            yield dsn


class Databases:
    """Creates and drops this session's databases on one server."""

    def __init__(self, server_dsn: str) -> None:
        self.server_dsn = server_dsn
        self.prefix = f"meridian_test_{uuid.uuid4().hex[:8]}"
        self._count = 0

    def new_name(self) -> str:
        self._count += 1
        return f"{self.prefix}_{self._count}"

    async def create(self, name: str, *, template: str | None = None) -> str:
        conn = await asyncpg.connect(self.server_dsn)
        try:
            clause = f' TEMPLATE "{template}"' if template else ""
            await conn.execute(f'CREATE DATABASE "{name}"{clause}')
        finally:
            await conn.close()
        return with_database(self.server_dsn, name)

    async def create_template(self) -> str:
        """A database with every migration applied, to copy per test (much faster than migrating each)."""
        name = self.new_name() + "_template"
        conn = await asyncpg.connect(await self.create(name))
        try:
            await migrate(conn, MIGRATIONS)
        finally:
            await conn.close()
        return name

    async def drop(self, name: str) -> None:
        conn = await asyncpg.connect(self.server_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    async def drop_all(self) -> None:
        conn = await asyncpg.connect(self.server_dsn)
        try:
            names = await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", f"{self.prefix}%")
            for row in names:
                await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
        finally:
            await conn.close()
