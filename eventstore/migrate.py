"""Schema migrations: plain SQL files applied idempotently, in order, under an advisory lock.

Each package that owns tables keeps `migrations/NNNN_name.sql` (applied once, in name order) and may keep
`functions/name.sql` (CREATE OR REPLACE, re-applied whenever the file changes). `schema_migrations`
remembers what ran and the checksum it ran with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files

import asyncpg

from .statistics import analyze_stale

# Any fixed number will do; it only has to be the same for every process migrating this database.
_MIGRATION_LOCK = 7_236_001


@dataclass(frozen=True)
class MigrationSet:
    """The SQL files of one package. `package` is an importable package holding the folders."""

    package: str

    def scripts(self) -> list[tuple[str, str, bool]]:
        """(name, sql, repeatable) in the order they must run: versioned migrations, then functions."""
        root = files(self.package)
        found: list[tuple[str, str, bool]] = []
        for folder, repeatable in (("migrations", False), ("functions", True)):
            directory = root / folder
            if not directory.is_dir():
                continue
            for entry in sorted(directory.iterdir(), key=lambda e: e.name):
                if entry.name.endswith(".sql"):
                    found.append((f"{self.package}/{folder}/{entry.name}", entry.read_text("utf-8"), repeatable))
        return found


EVENTSTORE = MigrationSet("eventstore")


async def migrate(conn: asyncpg.Connection, sets: Sequence[MigrationSet] = (EVENTSTORE,)) -> list[str]:
    """Applies what has not run yet (or changed, for functions); returns the names applied."""
    applied: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        done = {r["name"]: r["checksum"] for r in await conn.fetch("SELECT name, checksum FROM schema_migrations")}
        for migration_set in sets:
            for name, sql, repeatable in migration_set.scripts():
                checksum = hashlib.sha256(sql.encode()).hexdigest()
                if name in done and (done[name] == checksum or not repeatable):
                    continue
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)"
                        " ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()",
                        name,
                        checksum,
                    )
                applied.append(name)
        if EVENTSTORE in sets:  # a restored or bulk-loaded log gets its statistics before anything plans on it
            await analyze_stale(conn)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
    return applied
