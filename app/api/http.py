"""The GraphQL endpoint: who is calling, this request's context, limits on what may arrive, orjson out."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http.streaming import HTTPStreamTransport

from app.security import InvalidToken, Principal, Role, read_token

from .context import RequestContext
from .loaders import Loaders
from .observability import REQUEST_ID_SCOPE_KEY, request_id
from .services import Services

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024  # far above any real operation; stops memory abuse before parsing


def bearer(headers: Any, query_params: Any) -> str | None:
    value = headers.get("authorization") or ""
    if value.lower().startswith("bearer "):
        return str(value[7:].strip())
    token = query_params.get("token")  # browsers (GraphiQL, websockets) cannot always set headers
    return str(token) if token else None


class MeridianGraphQL(GraphQL[RequestContext, None]):
    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> RequestContext:
        services: Services = request.app.state.services
        principal: Principal | None = request.scope.get("meridian.principal")
        return RequestContext(
            services=services,
            principal=principal,
            loaders=Loaders(services.pool, services.store),
            request_id=request.scope.get(REQUEST_ID_SCOPE_KEY) or request_id(request.scope),
        )

    @property
    def graphql_ide_html(self) -> str:
        return offline_graphiql_html(super().graphql_ide_html)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def _get_stream_transport_from_headers(self, headers: Mapping[str, str]) -> HTTPStreamTransport | None:
        # strawberry's own walks and decodes every header to find Accept; Starlette's headers look it up.
        accept = headers.get("accept", "")
        return next((t for t in self._stream_transport_map.values() if t.accepts(accept)), None)

    async def render_graphql_ide(self, request: Request) -> Response:
        services: Services = request.app.state.services
        principal: Principal | None = request.scope.get("meridian.principal")
        if not services.settings.development and (principal is None or principal.role is not Role.ADMIN):
            return JSONResponse({"error": "GraphiQL is for admins: add ?token=<admin token>"}, status_code=403)
        return await super().render_graphql_ide(request)


GRAPHIQL_ASSETS = Path(__file__).parent / "static" / "graphiql"
GRAPHIQL_ASSETS_PATH = "/graphiql-assets"
_CDN = "https://unpkg.com/"


@functools.cache
def offline_graphiql_html(page: str) -> str:
    """Strawberry's GraphiQL page with its scripts and styles loaded from this server (see static/graphiql)."""
    return page.replace(_CDN, f"{GRAPHIQL_ASSETS_PATH}/")


class Guard:
    """In front of /graphql: reads the token (401 for a bad one, before anything runs) and caps body size."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request = Request(scope) if scope["type"] == "http" else WebSocket(scope, receive, send)
        token = bearer(request.headers, request.query_params)
        if token is not None:
            try:
                scope["meridian.principal"] = read_token(request.app.state.services.jwt_secret, token)
            except InvalidToken as bad:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4401, "reason": str(bad)})
                    return
                await _json_error(send, 401, str(bad), "UNAUTHENTICATED")
                return
        if scope["type"] == "http":
            declared = request.headers.get("content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
                await _json_error(send, 413, f"request body over {MAX_BODY} bytes", "PAYLOAD_TOO_LARGE")
                return
            receive = _capped(receive, send)
        try:
            await self.app(scope, receive, send)
        except BodyTooLarge:
            await _json_error(send, 413, f"request body over {MAX_BODY} bytes", "PAYLOAD_TOO_LARGE")


def _capped(receive: Receive, send: Send) -> Receive:
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BODY:
            raise BodyTooLarge
        return message

    return capped


class BodyTooLarge(Exception):
    """Raised inside receive() when a request body passes MAX_BODY; Guard answers 413."""


async def _json_error(send: Send, status: int, message: str, code: str) -> None:
    response = JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)
    await response({"type": "http"}, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}
