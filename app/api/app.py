"""The Starlette application: /graphql, /healthz, /readyz, /metrics, carrier webhooks and the console (/console).

`create_app(settings, dsn)` is the composition root of the API process; nothing is built at import.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.clock import Clock, system_clock
from app.settings import Settings

from . import health, webhooks
from .admission_gate import AdmissionGate
from .console import CONSOLE_DIST, console_routes
from .graphiql import GRAPHIQL_ASSETS_PATH
from .http import GRAPHIQL_ASSETS, Guard, MeridianGraphQL
from .limits import EdgeLimits
from .observability import RequestLog
from .schema import schema
from .services import services


def create_app(settings: Settings, dsn: str, *, redis_url: str | None = None, clock: Clock = system_clock) -> Starlette:
    """`redis_url`: the workers' Redis, for /readyz and the job counters on /metrics (left out when None);
    `clock`: the one the handlers and the store read (tests move it)."""
    graphql = MeridianGraphQL(
        schema,
        graphql_ide="graphiql",
        subscription_protocols=["graphql-transport-ws"],
        allow_queries_via_get=True,  # persisted queries by hash only: MeridianGraphQL refuses any other GET
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with services(settings, dsn, redis_url=redis_url, clock=clock) as built:
            app.state.services = built
            yield

    return Starlette(
        routes=[
            Route("/healthz", health.healthz),
            Route("/readyz", health.readyz),
            Route("/metrics", health.metrics),
            Route("/webhooks/easypost", webhooks.easypost, methods=["POST"]),
            Route("/graphql", Guard(graphql), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", Guard(graphql)),
            Mount(GRAPHIQL_ASSETS_PATH, StaticFiles(directory=GRAPHIQL_ASSETS), name="graphiql-assets"),
            *console_routes(settings.console_dir or CONSOLE_DIST),
        ],
        middleware=[
            Middleware(ProcessId),
            Middleware(RequestLog),
            Middleware(EdgeLimits, settings=settings),
            Middleware(AdmissionGate),
        ],
        lifespan=lifespan,
    )


class ProcessId:
    """Says which API process answered (`X-Meridian-Process: <pid>`): with several on one port, per-process
    state (in-flight counts, persisted queries, /metrics' series) is read knowing whose it is."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.header = (b"x-meridian-process", str(os.getpid()).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_pid(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), self.header]
            await send(message)

        await self.app(scope, receive, send_with_pid)
