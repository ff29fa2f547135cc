"""A PostgreSQL primary and its physical standby (a real read replica), started for a test in a temporary folder.

The machine's shared server allows no replication connections (its pg_hba.conf has no `replication` line), so
the primary is our own too: `initdb` (whose pg_hba.conf trusts replication from 127.0.0.1), then
`pg_basebackup -R` of it, started as a hot standby streaming from it. PostgreSQL refuses to run as root: as
root, every command runs as the `postgres` OS user. `unavailable()` says why a machine cannot, for a skip.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import mkdtemp

from tests.support.redis_servers import free_port

CONFIG = """
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 60
"""


@dataclass(frozen=True)
class Replicated:
    primary: str  # server DSNs (database `postgres`)
    replica: str

    def database(self, dsn: str, name: str) -> str:
        return dsn.rsplit("/", 1)[0] + f"/{name}"


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def _owner() -> str | None:
    """The OS user the servers run as: `postgres` when we are root (PostgreSQL will not run as root), else us."""
    return "postgres" if os.geteuid() == 0 else None


def unavailable() -> str | None:
    """Why this machine cannot run a primary and a standby, or None when it can."""
    bindir = _bindir()
    if bindir is None:
        return "no pg_ctl on PATH: PostgreSQL's server binaries are needed for a replica"
    missing = [tool for tool in ("initdb", "pg_ctl", "pg_basebackup", "postgres") if not (bindir / tool).exists()]
    if missing:
        return f"{', '.join(missing)} missing from {bindir}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a `postgres` OS user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root without `runuser` to run PostgreSQL as the postgres user"
    return None


def _run(bindir: Path, tool: str, *args: str) -> None:
    argv: Sequence[str] = [str(bindir / tool), *args]
    if (owner := _owner()) is not None:
        argv = ["runuser", "-u", owner, "--", *argv]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)


@contextmanager
def replicated_postgres() -> Iterator[Replicated]:
    """A primary and a hot standby streaming from it, on free loopback ports; both stopped and removed after."""
    bindir = _bindir()
    assert bindir is not None, unavailable()
    root = Path(mkdtemp(prefix="meridian-replica-"))
    if (owner := _owner()) is not None:
        shutil.chown(root, user=owner)
    primary, standby = root / "primary", root / "standby"
    primary_port, standby_port = free_port(), free_port()
    started: list[Path] = []
    try:
        _run(bindir, "initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(CONFIG + f"unix_socket_directories = '{root}'\n")
        _run(
            bindir,
            "pg_ctl",
            "-D",
            str(primary),
            "-l",
            str(root / "primary.log"),
            "-o",
            f"-p {primary_port}",
            "-w",
            "start",
        )
        started.append(primary)
        _run(
            bindir, "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
            "-D", str(standby), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        _run(
            bindir,
            "pg_ctl",
            "-D",
            str(standby),
            "-l",
            str(root / "standby.log"),
            "-o",
            f"-p {standby_port}",
            "-w",
            "start",
        )
        started.append(standby)
        yield Replicated(
            primary=f"postgresql://postgres@127.0.0.1:{primary_port}/postgres",
            replica=f"postgresql://postgres@127.0.0.1:{standby_port}/postgres",
        )
    finally:
        for data in reversed(started):
            _run(bindir, "pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
