"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from projections.runner import checkpoint_names, log_head, positions

from .services import Services

MAX_READY_LAG_EVENTS = 10_000

REQUESTS = Histogram("meridian_graphql_request_seconds", "GraphQL request latency", ["operation"])
ERRORS = Counter("meridian_graphql_errors_total", "GraphQL responses carrying errors", ["operation"])
APPENDED = Counter("meridian_events_appended_total", "Appends committed by this process")
LAG = Gauge("meridian_projection_lag_events", "Events in the log not yet in a read model", ["projection"])


async def healthz(request: Request) -> Response:
    """Alive: the process answers. Checks no dependency on purpose (restarting would not fix them)."""
    return JSONResponse({"status": "ok"})


async def projection_lag(services: Services) -> dict[str, int]:
    head = await log_head(services.pool)
    if head is None:
        return {}
    names = checkpoint_names()
    reached = await positions(services.pool, names)
    return {
        name: max(0, head.global_position - reached[name].global_position) if name in reached else head.global_position
        for name in names
    }


async def readyz(request: Request) -> Response:
    """Ready: the database answers and the read models are close to the log."""
    services: Services = request.app.state.services
    started = time.perf_counter()
    try:
        await services.pool.fetchval("SELECT 1")
        lag = await projection_lag(services)
    except Exception as exc:  # any failure means "not ready"; the reason is in the body, never a trace
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, status_code=503)
    behind = {name: n for name, n in lag.items() if n > MAX_READY_LAG_EVENTS}
    body = {
        "status": "ready" if not behind else "lagging",
        "projection_lag": lag,
        "checked_in_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    return JSONResponse(body, status_code=200 if not behind else 503)


async def metrics(request: Request) -> Response:
    services: Services = request.app.state.services
    for name, n in (await projection_lag(services)).items():
        LAG.labels(projection=name).set(n)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
