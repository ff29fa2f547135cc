"""Everything a request may use, built once per process in the Starlette lifespan (the composition root)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg
from prometheus_client import Counter
from pydantic import SecretStr
from redis.asyncio import Redis

from app.clock import Clock, system_clock
from app.domain import ALL_EVENTS
from app.handlers import Context, Handlers
from app.handlers.cached_network import ReadModelNetwork
from app.security import jwt_secret, webhook_secret
from app.settings import Settings
from eventstore import EventCodec, EventStore, Listener, Notifier, Position
from projections.runner import PROJECTED, ProjectionWatch, checkpoint_names
from projections.schema import create_readmodel_pool

from .admission import Admission
from .live import LiveFeed
from .verification import LogVerifications

DB_QUERIES = Counter("meridian_db_queries_total", "Statements the API process sent to PostgreSQL")
APPENDED = Counter("meridian_events_appended_total", "Appends (commands' writes) committed by this process")


async def count_queries(conn: asyncpg.Connection) -> None:
    conn.add_query_logger(lambda _: DB_QUERIES.inc())


@dataclass
class Services:
    settings: Settings
    pool: asyncpg.Pool  # search_path readmodel, public: read models and the event store through one pool
    store: EventStore
    codec: EventCodec
    handlers: Handlers
    network: ReadModelNetwork  # what queries read (the promise, alternatives): on the replica when there is one
    feed: LiveFeed
    watch: ProjectionWatch  # read-your-writes: where the read models stand
    # Secrets stay SecretStr (masked in this object's repr, so in any log or traceback that prints it) and are
    # unwrapped only as a token is verified (app/security.py) or a webhook's HMAC is checked.
    jwt_secret: SecretStr
    webhook_key: SecretStr
    redis: Redis | None = None  # the workers' Redis: readiness and their job counters
    clock: Clock = system_clock  # the one the handlers and the store read; tokens' expiry is judged by it too
    admission: Admission | None = None  # back-pressure: refuses writes that create work while overloaded
    verifications: LogVerifications = field(default_factory=LogVerifications)  # the one run of `verifyLog`
    replica: asyncpg.Pool | None = None  # MERIDIAN_READ_DATABASE_URL: where read-model queries go, if set
    decisions_network: ReadModelNetwork | None = None  # with a replica, the commands' own, on the primary

    @property
    def read_pool(self) -> asyncpg.Pool:
        """Where resolvers query the read models: the replica if there is one (`watch` follows its checkpoints,
        so read-your-writes waits for the replica), else the primary."""
        return self.replica or self.pool

    @property
    def webhook_secret(self) -> str:
        """The webhook HMAC key, unwrapped for the one caller that checks signatures (webhooks.py)."""
        return self.webhook_key.get_secret_value()

    def forget_profile(self) -> None:
        """A sourcing profile was defined through this process: its quotes and decisions apply it at once."""
        for network in (self.network, self.decisions_network):
            if network is not None:
                network.forget_profile()

    async def caught_up(self, position: Position | None) -> bool:
        """Read-your-writes: waits (briefly) until the read models include `position`."""
        if position is None:
            return True
        return await self.watch.wait_for(position, self.settings.read_your_writes_seconds)


@contextlib.asynccontextmanager
async def services(
    settings: Settings, dsn: str, *, redis_url: str | None = None, clock: Clock = system_clock
) -> AsyncIterator[Services]:
    """Everything the API uses, built once in the lifespan; `clock` is the one the handlers and the store read."""
    pool = await create_readmodel_pool(
        dsn, min_size=settings.db_pool_min, max_size=settings.db_pool_max, init=count_queries
    )
    listener, notifier = Listener(dsn), Notifier(dsn)

    def appended() -> None:
        APPENDED.inc()
        notifier.poke()

    store, codec = EventStore(pool, on_append=appended, clock=clock), EventCodec(ALL_EVENTS)
    redis = Redis.from_url(redis_url) if redis_url else None
    network = ReadModelNetwork(pool, codec)  # commands decide on the primary's read models, never a replica's
    await listener.start()
    replica = await read_replica(settings)
    reads = ReadModelNetwork(replica, codec) if replica else network
    names = checkpoint_names(partitions=settings.projection_partitions)
    # A standby takes no LISTEN and gets no NOTIFY from the primary: the watch polls its checkpoints, backing off.
    watch = (
        ProjectionWatch(replica, None, names=names)
        if replica
        else ProjectionWatch(pool, Listener(dsn, PROJECTED), names=names)
    )
    await watch.start()
    feed = LiveFeed(store, listener)
    feed_task = asyncio.create_task(feed.run())
    admission = Admission(settings, store, redis)
    await admission.refresh()  # the first request is judged on a sample, like every later one
    admission_task = asyncio.create_task(admission.run())
    verifications = LogVerifications()
    try:
        yield Services(
            settings=settings,
            pool=pool,
            store=store,
            codec=codec,
            handlers=Handlers(Context(store, codec, clock=clock), network=network, fast_path=settings.fast_path),
            network=reads,
            feed=feed,
            watch=watch,
            jwt_secret=jwt_secret(settings),
            webhook_key=webhook_secret(settings),
            redis=redis,
            clock=clock,
            admission=admission,
            verifications=verifications,
            replica=replica,
            decisions_network=network if replica else None,
        )
    finally:
        await verifications.close()
        for task in (feed_task, admission_task):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await listener.close()
        await watch.close()
        await notifier.close()
        if redis is not None:
            await redis.aclose()
        if replica is not None:
            await replica.close()
        await pool.close()


async def read_replica(settings: Settings) -> asyncpg.Pool | None:
    """A pool on the read replica (MERIDIAN_READ_DATABASE_URL), or None without one."""
    if settings.read_database_url is None:
        return None
    return await create_readmodel_pool(
        settings.read_database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max, init=count_queries
    )
