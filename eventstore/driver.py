"""The store's edge with asyncpg: the connection type callers pass in, the pool, and the one place where
driver errors become the store's own exceptions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
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


def translated(
    stream_id: str = "", expected: int = ANY, *, expected_of: Mapping[str, int] | None = None
) -> _Translated:
    """Turns driver errors into the store's own, in one place. A version mismatch names its stream in the
    error's HINT; `expected_of` gives each stream's expected version when one statement wrote several."""
    return _Translated(stream_id, expected, expected_of)


class _Translated:
    # A class rather than @contextmanager: every statement the store runs passes through one, and a
    # generator-based context manager costs several times as much to enter and leave.
    __slots__ = ("expected", "expected_of", "stream_id")

    def __init__(self, stream_id: str, expected: int, expected_of: Mapping[str, int] | None) -> None:
        self.stream_id, self.expected, self.expected_of = stream_id, expected, expected_of

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if isinstance(exc, asyncpg.PostgresError):
            state = getattr(exc, "sqlstate", None)
            if state == "ME001":
                actual = int(getattr(exc, "detail", "") or -1)
                stream_id = getattr(exc, "hint", None) or self.stream_id
                expected = self.expected_of.get(stream_id, self.expected) if self.expected_of else self.expected
                raise WrongExpectedVersion(stream_id, expected, actual) from None
            if state == "ME002":
                raise DuplicateEventIds(str(exc)) from None
            if isinstance(exc, _UNAVAILABLE):
                raise StoreUnavailable(str(exc)) from exc
        elif isinstance(exc, OSError | asyncpg.InterfaceError | asyncpg.ConnectionDoesNotExistError):
            raise StoreUnavailable(str(exc)) from exc
        # Anything else (a unique violation or deadlock the caller handles, a bug) goes on as it is.


# Every statement here is short; PostgreSQL's JIT only ever fired on asyncpg's type introspection query, which
# each new connection runs once, and made it cost 12 ms of server CPU instead of about one (measured).
SESSION_SETTINGS = {"jit": "off"}


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
                server_settings={**SESSION_SETTINGS, **(server_settings or {})},
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
