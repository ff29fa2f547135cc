"""Settings from the environment (and a `.env` file if present). Built once, by the composition root."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600  # a working day and then some: long enough for a shift, short if stolen


# What a supervisor (`meridian up`, `meridian serve --processes N`: app/launcher.py) keeps under the data folder,
# for the API's /metrics to read (app/api/health.py).
STATE_FILE = "supervisor.json"  # {"components": {name: {"pid": ..., "restarts": ...}}}
METRICS_FOLDER = "api-metrics"  # the API processes' series, emptied when a supervisor starts
# Where each API process a supervisor runs keeps its series (prometheus_client's multiprocess mode): every value
# goes to a file there, and a scrape, whichever process answers it, sums them all.
METRICS_FOLDER_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    """PostgreSQL DSN. Unset: an embedded server under `data_dir` (development)."""

    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    """Redis URL for the job queue. Unset: an embedded Redis under `data_dir` (development)."""

    broker_url: str | None = Field(default=None, validation_alias=AliasChoices("MERIDIAN_BROKER_URL", "BROKER_URL"))
    """The job broker: `amqp://…` for RabbitMQ (job counters then go to REDIS_URL when it is set), a Redis URL
    for Redis. Unset: Redis at REDIS_URL."""

    data_dir: Path = Field(default=Path("var"), alias="MERIDIAN_DATA_DIR")
    environment: Literal["development", "production"] = Field(default="development", alias="MERIDIAN_ENV")
    host: str = Field(default="127.0.0.1", alias="MERIDIAN_HOST")
    port: int = Field(default=8000, alias="MERIDIAN_PORT")
    console_dir: Path | None = Field(default=None, alias="MERIDIAN_CONSOLE_DIR")
    """The built console served at /console. Unset: this checkout's console/dist (the image sets its own)."""
    # Secrets are SecretStr: printed, logged or shown in a traceback they read '**********'; the value is
    # unwrapped only where a token is signed or verified and where a webhook's HMAC is checked.
    jwt_secret: SecretStr | None = Field(default=None, alias="MERIDIAN_JWT_SECRET")
    webhook_secret: SecretStr | None = Field(default=None, alias="MERIDIAN_WEBHOOK_SECRET")
    notify_url: str | None = Field(default=None, alias="MERIDIAN_NOTIFY_URL")
    """Where customer notifications are POSTed as signed JSON webhooks. Unset: they are only recorded."""
    notify_secret: SecretStr | None = Field(default=None, alias="MERIDIAN_NOTIFY_SECRET")
    """The HMAC-SHA256 key of `X-Meridian-Signature` on notification webhooks (required with the URL)."""
    db_pool_min: int = Field(default=2, alias="MERIDIAN_DB_POOL_MIN")
    db_pool_max: int = Field(default=20, alias="MERIDIAN_DB_POOL_MAX")
    log_level: str = Field(default="INFO", alias="MERIDIAN_LOG_LEVEL")
    log_format: Literal["json", "console"] = Field(default="json", alias="MERIDIAN_LOG_FORMAT")
    """JSON lines on stderr (production, log shippers) or `console` for people at a terminal."""
    broker_namespace: str = Field(default="meridian", alias="MERIDIAN_BROKER_NAMESPACE")
    worker_threads: int = Field(default=4, alias="MERIDIAN_WORKER_THREADS")
    """Actor threads per worker process for the customer-facing queue (sourcing, cart and pick deadlines)."""
    bulk_worker_threads: int = Field(default=2, ge=1, alias="MERIDIAN_BULK_WORKER_THREADS")
    """Actor threads per worker process for the bulk queue (tracking polls, backorder sweeps, notifications):
    apart from the others, so a bulk backlog never holds up an order."""
    worker_heartbeat_ms: int = Field(default=15_000, alias="MERIDIAN_WORKER_HEARTBEAT_MS")
    broker_maintenance_chance: int = Field(default=50_000, alias="MERIDIAN_BROKER_MAINTENANCE_CHANCE")
    fast_path: bool = Field(default=False, alias="MERIDIAN_FAST_PATH")
    """Allocate an order in `placeOrder`'s own append when the engine proves its plan without the solver and
    the stock covers it all (app/handlers/fast_path.py); off, every order is sourced by the workers. Off by
    default until it measures better than the workers' path (`bench/fast_path.py`)."""
    read_your_writes_seconds: float = Field(default=5.0, gt=0, alias="MERIDIAN_READ_YOUR_WRITES_SECONDS")
    """How long a mutation waits for the read models to include its write before answering from them; past it, the
    answer may not show the change yet (it is committed all the same)."""
    demo_time_scale: float = Field(default=10.0, gt=0, alias="MERIDIAN_DEMO_TIME_SCALE")
    """How much faster than real time the demo's store associates live (`meridian demo`, `up --demo`)."""
    demo_day_minutes: float = Field(default=2.0, gt=0, alias="MERIDIAN_DEMO_DAY_MINUTES")
    """How long a business day lasts for the demo's pickup holds: a 5-day hold of a pick the demo confirms lasts
    5 of these minutes (holds decided by the API's handlers keep real days)."""

    # Limits at the edge (app/api/limits.py, app/api/query_cost.py). Every default is far above what the API's
    # own clients send; each stops one kind of abuse before it costs memory, a database query or a worker.
    max_body_bytes: int = Field(default=256 * 1024, alias="MERIDIAN_MAX_BODY_BYTES")
    """Largest request body on any route (webhooks included): 413 on Content-Length or while it streams."""
    max_header_bytes: int = Field(default=8 * 1024, alias="MERIDIAN_MAX_HEADER_BYTES")
    """Largest total size of a request's headers (names and values): 431 above it."""
    max_query_cost: int = Field(default=50_000, alias="MERIDIAN_MAX_QUERY_COST")
    """Largest estimated cost of one GraphQL operation: each field counts once per item of every list above it
    (a connection's `first`, or an estimate for plain lists); refused before execution above it."""
    public_rate_per_minute: int = Field(default=60, alias="MERIDIAN_PUBLIC_RATE_PER_MINUTE")
    """Requests per minute per client address to /graphql without a token (`fulfillmentOptions`,
    `pickupOptions`); 429 above."""
    public_rate_burst: int = Field(default=20, alias="MERIDIAN_PUBLIC_RATE_BURST")
    """Requests a client address may send at once before the per-minute rate applies."""
    public_max_quantity: int = Field(default=10, alias="MERIDIAN_PUBLIC_MAX_QUANTITY")
    """Largest quantity of one SKU that a caller without a token may ask `fulfillmentOptions` or `pickupOptions`
    about, so the public answer says "available" or not for a shopper's cart, never how much stock there is."""
    # Back-pressure (app/api/admission.py): writes that create work (placeOrder, reserveCart, editOrder,
    # exchangeItems) are refused with 503, Retry-After and the userError OVERLOADED while a figure is over its
    # limit. 0 turns a check off. The defaults keep an accepted order's answer well under a second on two cores.
    overload_max_lag_events: int = Field(default=5_000, ge=0, alias="MERIDIAN_OVERLOAD_MAX_LAG_EVENTS")
    """Events between the log's head and the slowest projection or the dispatcher."""
    overload_max_queued_jobs: int = Field(default=1_000, ge=0, alias="MERIDIAN_OVERLOAD_MAX_QUEUED_JOBS")
    """Jobs waiting or running in the customer-facing queues (`MERIDIAN_OVERLOAD_QUEUES`)."""
    overload_max_in_flight: int = Field(default=64, ge=0, alias="MERIDIAN_OVERLOAD_MAX_IN_FLIGHT")
    """HTTP requests one API process is answering at once, the refused one included."""
    overload_max_write_age_ms: int = Field(default=300, ge=0, alias="MERIDIAN_OVERLOAD_MAX_WRITE_AGE_MS")
    """Writes one API process admitted may be in flight this long (two of them late at once refuse the next)."""
    overload_queues: str = Field(default="orders", alias="MERIDIAN_OVERLOAD_QUEUES")
    """The Dramatiq queues (comma-separated) whose depth gates admission: the ones orders' jobs go to."""
    overload_sample_ms: int = Field(default=200, gt=0, alias="MERIDIAN_OVERLOAD_SAMPLE_MS")
    """How often each API process samples the lag and the queues (three queries and one Redis round trip); five
    times less often while both are under a quarter of their limits (app/api/admission.py, `calm`)."""
    overload_retry_after_seconds: int = Field(default=1, ge=1, alias="MERIDIAN_OVERLOAD_RETRY_AFTER_SECONDS")
    """The `Retry-After` a refusal carries."""
    max_token_lifetime_seconds: int = Field(
        default=MAX_TOKEN_LIFETIME_SECONDS, alias="MERIDIAN_MAX_TOKEN_LIFETIME_SECONDS"
    )
    """Tokens whose `exp - iat` exceeds this are refused, however they were signed."""
    # Projections scaled out (projections/runner.py): every process that reads or feeds the read models (API,
    # workers, `meridian project`) must agree on the partition count, which names the checkpoints they wait for.
    projection_partitions: int = Field(default=1, ge=1, le=256, alias="MERIDIAN_PROJECTION_PARTITIONS")
    """Partitions of the log's streams for the projections: each is fed by one projection process at a time, and
    processes share them out. 1: one checkpoint per projection, as before partitions existed. Changing it moves
    the checkpoints over on the next start (each partition starts where the slowest former one stood)."""
    projection_processes: int = Field(default=1, ge=1, le=64, alias="MERIDIAN_PROJECTION_PROCESSES")
    """How many `meridian project` processes `meridian up` runs; more than one only pays with several partitions."""
    test_hold_projection_batches: int | None = Field(default=None, alias="MERIDIAN_TEST_HOLD_PROJECTION_BATCHES")
    """Tests only: an advisory lock key each projection batch waits for before it commits (a test holding it
    knows a process is mid-batch, to kill it there). Unset in any real deployment."""
    api_processes: int = Field(default=1, ge=1, alias="MERIDIAN_API_PROCESSES")
    """API processes `meridian serve` (so `meridian up`) runs on its one port (`serve --processes` overrides): one
    per core the API may use. Each keeps its own in-flight count, persisted queries and rate buckets."""
    read_database_url: str | None = Field(default=None, alias="MERIDIAN_READ_DATABASE_URL")
    """A PostgreSQL read replica (a physical standby of DATABASE_URL) the API's read-model queries go to;
    commands, the event log and the projections stay on DATABASE_URL. Unset: everything on DATABASE_URL."""

    @model_validator(mode="after")
    def _redis_broker_url(self) -> Settings:
        if self.broker_url and self.rabbitmq_url is None and self.redis_url is None:
            self.redis_url = self.broker_url  # BROKER_URL=redis://… says the same as REDIS_URL
        return self

    @property
    def rabbitmq_url(self) -> str | None:
        """BROKER_URL when it names a RabbitMQ."""
        return self.broker_url if self.broker_url and self.broker_url.startswith(("amqp://", "amqps://")) else None

    @property
    def development(self) -> bool:
        return self.environment == "development"
