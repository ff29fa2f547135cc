"""An embedded PostgreSQL for development and tests, from the `pgserver` PyPI package.

`pgserver` ships PostgreSQL's binaries in its wheel and runs a server on a unix socket inside the data folder,
so `make run` needs nothing installed on the machine. Production sets DATABASE_URL instead.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

log = logging.getLogger(__name__)


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, database: str = "meridian") -> None:
        self.data_dir = data_dir
        self.database = database
        self._server: Any = None

    def start(self) -> str:
        """Starts (or reuses) the server in `data_dir`, creates the database, returns its DSN."""
        import pgserver  # type: ignore[attr-defined,unused-ignore]  # imported here: only development runs need its binaries on the path

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._server = pgserver.get_server(  # type: ignore[attr-defined,unused-ignore]
            self.data_dir, cleanup_mode="stop"
        )
        # The name is ours (a setting), never request input; psql takes no bind parameters.
        exists = self._server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.database}';")  # noqa: S608
        if "1 row" not in exists:
            self._server.psql(f'CREATE DATABASE "{self.database}";')
        return self.dsn

    @property
    def dsn(self) -> str:
        socket_dir = quote(str(self.data_dir.resolve()), safe="")
        return f"postgresql://postgres:@/{self.database}?host={socket_dir}"

    def stop(self) -> None:
        if self._server is not None:
            log.info("stopping embedded PostgreSQL in %s", self.data_dir)
            self._server.cleanup()
            self._server = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
