"""The Starlette application: /graphql, /healthz, /readyz, /metrics, carrier webhooks and the console (/console).

`create_app(settings, dsn)` is the composition root of the API process; nothing is built at import.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

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
        middleware=[Middleware(RequestLog), Middleware(EdgeLimits, settings=settings), Middleware(AdmissionGate)],
        lifespan=lifespan,
    )
