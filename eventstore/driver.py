"""The store's edge with asyncpg: the connection type callers pass in, the pool, and the one place where
driver errors become the store's own exceptions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from .errors import DuplicateEventIds, StoreUnavailable, WrongExpectedVersion
from .records import ANY

# What handlers and callers pass in: a plain connection or one borrowed from a pool.
Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


# The server is gone or going, or the connection was cut (class 08, e.g. ConnectionDoesNotExistError when a
# backend is terminated mid-query; 57P01-57P03): nothing about the request, worth trying again.
_UNAVAILABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)


@contextlib.contextmanager
def translated(
    stream_id: str = "", expected: int = ANY, *, expected_of: Mapping[str, int] | None = None
) -> Iterator[None]:
    """Turns driver errors into the store's own, in one place. A version mismatch names its stream in the
    error's HINT; `expected_of` gives each stream's expected version when one statement wrote several."""
    try:
        yield
    except asyncpg.PostgresError as exc:
        state = getattr(exc, "sqlstate", None)
        if state == "ME001":
            actual = int(getattr(exc, "detail", "") or -1)
            stream_id = getattr(exc, "hint", None) or stream_id
            expected = expected_of.get(stream_id, expected) if expected_of else expected
            raise WrongExpectedVersion(stream_id, expected, actual) from None
        if state == "ME002":
            raise DuplicateEventIds(str(exc)) from None
        if isinstance(exc, asyncpg.UniqueViolationError | asyncpg.exceptions.DeadlockDetectedError):
            raise
        if isinstance(exc, _UNAVAILABLE):
            raise StoreUnavailable(str(exc)) from exc
        raise
    except (OSError, asyncpg.InterfaceError, asyncpg.ConnectionDoesNotExistError) as exc:
        raise StoreUnavailable(str(exc)) from exc



async def _keep_session(conn: asyncpg.Connection) -> None:
    """Released connections skip asyncpg's reset query (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL): a
    round trip per checkout, a tenth of a short request's database work. Nothing here leaves session state
    behind: advisory locks are taken per transaction, LISTEN runs on connections of its own, settings come
    from the pool's server_settings. (asyncpg still rolls back a transaction left open.)"""


async def create_pool(
    dsn: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    server_settings: dict[str, str] | None = None,
    init: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
) -> asyncpg.Pool:
    """An asyncpg pool with the settings the store expects (`server_settings`: e.g. a search_path; `init`:
    run on each new connection, e.g. to instrument it)."""
    for attempt in range(30):
        try:
            pool = await asyncpg.create_pool(
                dsn,
                min_size=min_size,
                max_size=max_size,
                command_timeout=60,
                server_settings=server_settings,
                init=init,  # type: ignore[arg-type]  # asyncpg-stubs wants its own callback protocol
                reset=_keep_session,
            )
            assert pool is not None
            return pool
        except (OSError, asyncpg.CannotConnectNowError) as exc:
            # A server that is still starting refuses connections for a moment; wait for it briefly.
            if attempt == 29:
                raise StoreUnavailable(str(exc)) from exc
            await asyncio.sleep(0.2)
    raise AssertionError("unreachable")
