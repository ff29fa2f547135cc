"""The `meridian` command. Each subcommand builds what it needs from Settings and hands over; no logic here."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import getpass
import socket
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from eventstore import (
    EventCodec,
    EventStore,
    LogVerified,
    Position,
    VerificationRecord,
    VerifyProgress,
    create_pool,
    recorded_verification,
    verification,
)

from .clock import system_clock
from .logging import configure_logging
from .runtime import database, migrate_database, redis
from .security import Role, issue_token, jwt_secret
from .settings import Settings


def cmd_up(settings: Settings, args: argparse.Namespace) -> int:
    from .launcher import up

    return up(settings, demo=args.demo)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    processes = args.processes or settings.api_processes
    if processes < 1:
        print("meridian serve: --processes must be at least 1", file=sys.stderr)
        return 2
    with database(settings) as dsn:
        asyncio.run(migrate_database(dsn))
        if processes > 1:
            from .launcher import serve_processes

            return serve_processes(settings, dsn, processes)
        serve(settings, dsn, reuse_port=args.reuse_port)
    return 0


def serve(settings: Settings, dsn: str, *, reuse_port: bool) -> None:
    """One API process on settings' host and port; with `reuse_port`, one of several sharing it."""
    import uvicorn

    from .api.app import create_app

    app = create_app(settings, dsn, redis_url=settings.redis_url)
    # Everything imported so far (the schema, strawberry's and graphql-core's types: ~100k objects) lives as
    # long as the process: out of the collector's sight, a full collection no longer walks it. With requests
    # in flight their objects survive young collections and trigger full ones, each a pause of 0.1-0.4 s.
    gc.freeze()
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        access_log=False,  # the API's own middleware logs each request, with its id and duration
        log_config=None,  # keep the JSON logging configured in main()
        log_level=settings.log_level.lower(),
        loop="uvloop",  # the event loop and HTTP parser in C: a third less CPU per request
        http="httptools",
        ws="websockets-sansio",
    )
    uvicorn.Server(config).run(sockets=[shared_port(settings.host, settings.port)] if reuse_port else None)


def shared_port(host: str, port: int) -> socket.socket:
    """A listening socket bound with SO_REUSEPORT: the kernel spreads new connections evenly over every process
    bound so (one shared socket would hand most of them to whichever process accepts first), and only processes
    of the same user may join. Only `--reuse-port` asks for it: otherwise a second server on the port must fail
    to start, not quietly take half the traffic."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    role = Role(args.role)
    locations = frozenset(c.strip() for c in (args.locations or "").split(",") if c.strip())
    if role is Role.CUSTOMER and not args.customer:
        print("a customer token needs --customer ID", file=sys.stderr)
        return 2
    if not 0 < args.ttl <= settings.max_token_lifetime_seconds:
        # The API refuses tokens meant to live longer (MERIDIAN_MAX_TOKEN_LIFETIME_SECONDS): say so now.
        print(f"--ttl must be between 1 and {settings.max_token_lifetime_seconds} seconds", file=sys.stderr)
        return 2
    print(issue_token(jwt_secret(settings), role, customer_id=args.customer, locations=locations, ttl_seconds=args.ttl))
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from .demo import main as demo_main

    with database(settings) as dsn:
        time_scale = args.time_scale if args.time_scale is not None else settings.demo_time_scale
        day_minutes = args.day_minutes if args.day_minutes is not None else settings.demo_day_minutes
        asyncio.run(demo_main(dsn, per_second=args.rate, time_scale=time_scale, day_minutes=day_minutes))
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as dsn:
        applied = asyncio.run(migrate_database(dsn))
    print("\n".join(applied) if applied else "nothing to apply")
    return 0


async def _verify(dsn: str, stream_id: str | None) -> int:
    """Progress on stderr, the result on stdout; a whole-log result is recorded as the API's is."""
    pool = await create_pool(dsn, min_size=1, max_size=2)
    try:
        store = EventStore(pool)
        steps = (
            verification(store, stream_id)
            if stream_id
            else recorded_verification(store, actor=f"cli:{getpass.getuser()}", clock=system_clock)
        )
        async for step in steps:
            if isinstance(step, VerifyProgress):
                print(f"checked {step.events_checked} of {step.events_total} events", file=sys.stderr, flush=True)
            else:
                result = step.result if isinstance(step, VerificationRecord) else step
    finally:
        await pool.close()
    print(f"checked {result.events_checked} events in {result.streams_checked} streams")
    for link in result.broken:
        print(
            f"BROKEN {link.stream_id} at version {link.version}: {link.reason}"
            + (f" (event {link.event_id}, position {link.global_position})" if link.event_id else "")
        )
    if isinstance(result, LogVerified) and result.broken_streams > len(result.broken):
        print(f"... and {result.broken_streams - len(result.broken)} more broken streams (`--stream` checks one)")
    return 0 if result.ok else 1


def cmd_verify(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as dsn:
        return asyncio.run(_verify(dsn, args.stream))


async def _events(dsn: str, after: str | None, limit: int, stream_id: str | None) -> None:
    pool = await create_pool(dsn, min_size=1, max_size=2)
    try:
        store = EventStore(pool)
        if stream_id:
            records = await store.read_stream(stream_id, limit=limit)
        else:
            page = await store.read_all(after=Position.parse(after) if after else Position(0, 0), limit=limit)
            records = page.events
        out = sys.stdout.buffer
        for r in records:
            line = {
                "position": str(r.position),
                "stream": r.stream_id,
                "version": r.stream_version,
                "type": r.event_type,
                "at": r.recorded_at,
                "data": msgspec.json.decode(r.data),
                "metadata": msgspec.json.decode(r.metadata),
            }
            out.write(msgspec.json.encode(line) + b"\n")
    finally:
        await pool.close()


def cmd_events(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as dsn:
        asyncio.run(_events(dsn, args.after, args.limit, args.stream))
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from workers.broker import BrokerSettings
    from workers.main import run_worker
    from workers.notify import NotifySettings

    notify = None
    if settings.notify_url:
        if settings.notify_secret is None:
            print("meridian worker: MERIDIAN_NOTIFY_URL needs MERIDIAN_NOTIFY_SECRET to sign with", file=sys.stderr)
            return 2
        notify = NotifySettings(url=settings.notify_url, secret=settings.notify_secret)
    with database(settings) as dsn, job_redis(settings) as redis_url:
        asyncio.run(migrate_database(dsn))
        broker = BrokerSettings(
            redis_url=redis_url,
            namespace=settings.broker_namespace,
            rabbitmq_url=settings.rabbitmq_url,
            heartbeat_timeout_ms=settings.worker_heartbeat_ms,
            maintenance_chance=settings.broker_maintenance_chance,
        )
        run_worker(
            dsn,
            broker,
            threads=args.threads or settings.worker_threads,
            bulk_threads=args.bulk_threads or settings.bulk_worker_threads,
            dispatch=not args.no_dispatcher,
            project=not args.no_projections,
            notify=notify,
            partitions=settings.projection_partitions,
        )
    return 0


@contextlib.contextmanager
def job_redis(settings: Settings) -> Iterator[str | None]:
    """The Redis of the job queue (REDIS_URL, else an embedded one); with RabbitMQ as the broker, only REDIS_URL
    if set (the job counters go there), never an embedded server."""
    if settings.rabbitmq_url is None:
        with redis(settings) as url:
            yield url
    else:
        yield settings.redis_url


def cmd_project(settings: Settings, args: argparse.Namespace) -> int:
    from workers.main import run_projections

    with database(settings) as dsn:
        asyncio.run(migrate_database(dsn))
        run_projections(
            dsn, partitions=settings.projection_partitions, hold_batches=settings.test_hold_projection_batches
        )
    return 0


def cmd_jobs(settings: Settings, args: argparse.Namespace) -> int:
    from workers.broker import BrokerSettings, dead_jobs, make_broker

    with job_redis(settings) as redis_url:
        broker_settings = BrokerSettings(redis_url, settings.broker_namespace, rabbitmq_url=settings.rabbitmq_url)
        broker = make_broker(broker_settings)
        for job in dead_jobs(broker, limit=args.limit):
            sys.stdout.buffer.write(msgspec.json.encode(job) + b"\n")
    return 0


async def _notifications(dsn: str, failed: bool) -> None:
    from app.domain import ALL_EVENTS
    from app.domain.notifications import NotificationStatus, without_secrets
    from app.handlers.notifications import list_notifications

    pool = await create_pool(dsn, min_size=1, max_size=2)
    try:
        status = NotificationStatus.FAILED if failed else None
        found = await list_notifications(EventStore(pool), EventCodec(ALL_EVENTS), status=status)
    finally:
        await pool.close()
    for notification in found:
        sys.stdout.buffer.write(msgspec.json.encode(without_secrets(notification)) + b"\n")


def cmd_notifications(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as dsn:
        asyncio.run(_notifications(dsn, args.failed))
    return 0


def cmd_replay(settings: Settings, args: argparse.Namespace) -> int:
    from projections.replay import replay

    with database(settings) as dsn:
        asyncio.run(migrate_database(dsn))
        return asyncio.run(replay(dsn, swap=args.swap, out=sys.stdout, partitions=settings.projection_partitions))


async def _simulate(dsn: str, period_from: datetime, period_to: datetime, draft_json: bytes) -> None:
    from app.domain import ALL_EVENTS
    from app.handlers import LogProfiles
    from app.handlers.profiles import parse_profile
    from app.handlers.simulation import simulate_sourcing

    pool = await create_pool(dsn, min_size=1, max_size=2)
    try:
        store, codec = EventStore(pool), EventCodec(ALL_EVENTS)
        # A draft holds only what it changes; the rest is the live profile's. It is numbered as the version it
        # would become if defined.
        live = await LogProfiles(store, codec).active()
        draft = msgspec.structs.replace(parse_profile(draft_json, base=live), version=live.version + 1)
        report = await simulate_sourcing(store, codec, draft, period_from=period_from, period_to=period_to)
    finally:
        await pool.close()
    sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(report)) + b"\n")


def _moment(text: str) -> datetime:
    """An ISO date or date-time; without a zone it is UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_simulate(settings: Settings, args: argparse.Namespace) -> int:
    from app.domain.errors import DomainError

    draft = Path(args.profile).read_bytes()
    with database(settings) as dsn:
        try:
            asyncio.run(_simulate(dsn, _moment(args.period_from), _moment(args.period_to), draft))
        except DomainError as refused:
            print(f"meridian simulate: {refused.message}", file=sys.stderr)
            return 2
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="meridian", description="Meridian distributed order management")
    sub = p.add_subparsers(dest="command", required=True)
    u = sub.add_parser("up", help="run everything: embedded PostgreSQL/Redis when DATABASE_URL/REDIS_URL are unset")
    u.add_argument("--demo", action="store_true", help="also run simulated customers and staff")
    api = sub.add_parser("serve", help="run the API (GraphQL, health, metrics, webhooks)")
    api.add_argument(
        "--processes", type=int, default=0, help="API processes on the one port (default MERIDIAN_API_PROCESSES)"
    )
    api.add_argument("--reuse-port", action="store_true", help="share the port with other processes (SO_REUSEPORT)")
    t = sub.add_parser("token", help="print a signed bearer token")
    t.add_argument("--role", required=True, choices=[r.value for r in Role])
    t.add_argument("--customer", help="the customer a customer token acts for")
    t.add_argument("--locations", help="comma-separated location codes an operator token may act at")
    t.add_argument("--ttl", type=int, default=12 * 3600, help="seconds until it expires (at most the lifetime cap)")
    d = sub.add_parser("demo", help="simulated customers, warehouse staff and store associates (what `up --demo` runs)")
    d.add_argument("--rate", type=float, default=2.0, help="orders per second")
    d.add_argument("--time-scale", type=float, help="store associates' speed-up (default MERIDIAN_DEMO_TIME_SCALE)")
    d.add_argument("--day-minutes", type=float, help="a pickup hold's day in minutes (def. MERIDIAN_DEMO_DAY_MINUTES)")
    sub.add_parser("migrate", help="apply database migrations")
    v = sub.add_parser("verify", help="check every hash chain and record the result; exit 1 naming broken events")
    v.add_argument("--stream", help="only this stream")
    e = sub.add_parser("events", help="print events from the log as JSON lines")
    e.add_argument("--after", help="a log position 'transaction:global' to start after")
    e.add_argument("--stream", help="one stream's events instead of the global log")
    e.add_argument("--limit", type=int, default=100)
    w = sub.add_parser("worker", help="run Dramatiq workers and the dispatcher (log -> jobs)")
    w.add_argument("--threads", type=int, default=0, help="worker threads (default MERIDIAN_WORKER_THREADS)")
    w.add_argument(
        "--bulk-threads", type=int, default=0, help="bulk queue threads (default MERIDIAN_BULK_WORKER_THREADS)"
    )
    w.add_argument("--no-dispatcher", action="store_true", help="only process jobs; another process dispatches")
    w.add_argument("--no-projections", action="store_true", help="another process feeds the read models")
    s = sub.add_parser("simulate", help="what-if: source the orders placed in [from, to) with a draft profile")
    s.add_argument("--from", dest="period_from", required=True, help="ISO date or date-time (UTC if no zone)")
    s.add_argument("--to", dest="period_to", required=True, help="ISO date or date-time, exclusive")
    s.add_argument("--profile", required=True, help="draft profile JSON (fields left out keep the live values)")
    sub.add_parser("project", help="run only the projection runner (pair with `worker --no-projections`)")
    j = sub.add_parser("jobs", help="list dead jobs (retries exhausted) as JSON lines")
    j.add_argument("--limit", type=int, default=100)
    n = sub.add_parser("notifications", help="list customer notifications as JSON lines, as the log records them")
    n.add_argument("--failed", action="store_true", help="only those that could not be delivered")
    r = sub.add_parser("replay", help="rebuild every read model from the log and compare; exit 1 on differences")
    r.add_argument("--swap", action="store_true", help="then swap the rebuilt read models in")
    return p


COMMANDS = {
    "up": cmd_up,
    "serve": cmd_serve,
    "token": cmd_token,
    "demo": cmd_demo,
    "migrate": cmd_migrate,
    "verify": cmd_verify,
    "events": cmd_events,
    "worker": cmd_worker,
    "project": cmd_project,
    "jobs": cmd_jobs,
    "notifications": cmd_notifications,
    "replay": cmd_replay,
    "simulate": cmd_simulate,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    with contextlib.suppress(KeyboardInterrupt):
        return COMMANDS[args.command](settings, args)
    return 130


if __name__ == "__main__":
    sys.exit(main())
