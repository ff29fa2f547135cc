"""The bare endpoint bench/api.py measures GraphQL against: `python -m bench._bare` (settings from the environment).

The same database work as the GraphQL operations, without GraphQL: the same services (pool, handlers,
read-your-writes wait) built by the same composition root, served by uvicorn configured as `meridian serve`.

    POST /place        {"customerId", "lines": [{"sku", "quantity"}], "latitude", "longitude"}
                       -> Handlers.handle(PlaceOrder), wait for the read models, read the order back
    GET  /order/{id}   -> the order's read-model state (the query the `order` resolver's loader runs)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.api.services import Services, services
from app.domain import order_commands as oc
from app.domain.values import Address, Coordinates, Line
from app.runtime import migrate_database
from app.settings import Settings
from eventstore import Metadata
from projections import queries


def _services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


async def _order_json(built: Services, order_id: str) -> Response:
    rows = await queries.order_states(built.pool, [order_id])
    if not rows:
        return Response(b'{"order":null}', media_type="application/json")
    return Response(b'{"order":' + rows[0][1].encode() + b"}", media_type="application/json")


async def place(request: Request) -> Response:
    built = _services(request)
    body = orjson.loads(await request.body())
    order_id = built.handlers.ctx.new_id()
    command = oc.PlaceOrder(
        order_id=order_id,
        customer_id=body["customerId"],
        lines=tuple(Line(line["sku"], line["quantity"]) for line in body["lines"]),
        ship_to=Address(coordinates=Coordinates(body["latitude"], body["longitude"])),
    )
    outcome = await built.handlers.handle(command, Metadata(actor="admin:bench"))
    await built.caught_up(outcome.position)
    return await _order_json(built, order_id)


async def order(request: Request) -> Response:
    return await _order_json(_services(request), request.path_params["order_id"])


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


def create_bare_app(settings: Settings, dsn: str) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with services(settings, dsn) as built:
            app.state.services = built
            yield

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/place", place, methods=["POST"]),
            Route("/order/{order_id}", order),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    settings = Settings()
    dsn = settings.database_url
    if dsn is None:
        raise SystemExit("DATABASE_URL must be set")
    asyncio.run(migrate_database(dsn))
    # As in app.cli.cmd_serve, so the two differ only in what runs inside the request.
    uvicorn.run(
        create_bare_app(settings, dsn),
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_level=settings.log_level.lower(),
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
    )


if __name__ == "__main__":
    main()
