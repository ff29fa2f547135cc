"""The GraphQL endpoint: who is calling, this request's context, limits on what may arrive, orjson out."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.http.streaming import HTTPStreamTransport
from strawberry.types import ExecutionResult

from app.security import InvalidToken, Principal, Role, read_token
from eventstore import Position

from .context import RequestContext
from .graphiql import graphiql_page
from .limits import refuse
from .loaders import Loaders
from .observability import REQUEST_ID_SCOPE_KEY, request_id
from .persisted import PersistedQueries, PersistedQueryRefused, hash_only
from .services import Services

log = logging.getLogger(__name__)


def bearer(headers: Any, query_params: Any, *, websocket: bool) -> str | None:
    """The bearer token: from the Authorization header, or — for the WebSocket handshake only, which browsers
    cannot give headers — from `?token=`. Elsewhere a token in the URL would end up in access logs, proxies'
    logs and browser history, so it is not read at all."""
    value = headers.get("authorization") or ""
    if value.lower().startswith("bearer "):
        return str(value[7:].strip())
    token = query_params.get("token") if websocket else None
    return str(token) if token else None


class TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws messages go out as text frames: orjson's bytes would be sent as binary frames, which a
    browser's client (graphql-ws, the console's) cannot parse."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class MeridianGraphQL(GraphQL[RequestContext, None]):
    websocket_adapter_class = TextFrames

    def __init__(self, *args: Any, persisted_queries: int = 1000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built with allow_queries_via_get=True for persisted queries' sake: execute_operation refuses other GETs.
        self.persisted = PersistedQueries(persisted_queries)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> RequestContext:
        services: Services = request.app.state.services
        principal: Principal | None = request.scope.get("meridian.principal")
        return RequestContext(
            services=services,
            principal=principal,
            loaders=Loaders(services.read_pool, services.store),
            request_id=request.scope.get(REQUEST_ID_SCOPE_KEY) or request_id(request.scope),
        )

    @property
    def graphql_ide_html(self) -> str:
        """The production page; development's is made in render_graphql_ide."""
        return graphiql_page(super().graphql_ide_html, development=False)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def _get_stream_transport_from_headers(self, headers: Mapping[str, str]) -> HTTPStreamTransport | None:
        # strawberry's own walks and decodes every header to find Accept; Starlette's headers look it up.
        accept = headers.get("accept", "")
        return next((t for t in self._stream_transport_map.values() if t.accepts(accept)), None)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A persisted query by GET names no `query` either, and clients send `Accept: */*`: it is not a browser.
        return request.query_params.get("extensions") is None and super().should_render_graphql_ide(request)

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: RequestContext,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        """Persisted queries (persisted.py) resolved before strawberry sees the request. GET carries only a
        persisted query named by its hash: a query's text in a URL ends up in access logs and invites
        cross-site reads, so it stays refused as before."""
        if isinstance(request_data, GraphQLRequestData):
            if request_adapter.method == "GET" and not hash_only(request_data):
                raise HTTPException(400, "queries are not allowed when using GET, but persisted ones by hash")
            try:
                request_data = self.persisted.resolve(request_data)
            except PersistedQueryRefused as refused:
                return ExecutionResult(data=None, errors=[refused.error])
        elif request_adapter.method == "GET":
            raise HTTPException(400, "queries are not allowed when using GET, but persisted ones by hash")
        if (after := request.headers.get(READ_AFTER)) is not None:
            await context.services.caught_up(read_after(after))
        result = await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )
        if context.wrote is not None:
            sub_response.headers[POSITION] = str(context.wrote)
        return result

    async def render_graphql_ide(self, request: Request) -> Response:
        services: Services = request.app.state.services
        principal: Principal | None = request.scope.get("meridian.principal")
        if not services.settings.development and (principal is None or principal.role is not Role.ADMIN):
            message = "GraphiQL is for admins: send `Authorization: Bearer <admin token>`"
            return JSONResponse({"error": message}, status_code=403)
        return HTMLResponse(graphiql_page(super().graphql_ide_html, development=services.settings.development))


# Read-your-writes across processes and replicas: a write's answer names its log position; a request carrying
# one waits (at most MERIDIAN_READ_YOUR_WRITES_SECONDS) until the read models it queries include it.
POSITION = "X-Meridian-Position"
READ_AFTER = "X-Meridian-Read-After"


def read_after(value: str) -> Position:
    try:
        return Position.parse(value)
    except ValueError:
        raise HTTPException(400, f"{READ_AFTER} must be a log position, as {POSITION} gave it") from None


GRAPHIQL_ASSETS = Path(__file__).parent / "static" / "graphiql"


class Guard:
    """In front of /graphql: reads the token and refuses a bad one (401) before anything runs. Body and header
    sizes are capped for every route by EdgeLimits (limits.py)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        websocket = scope["type"] == "websocket"
        request = WebSocket(scope, receive, send) if websocket else Request(scope)
        token = bearer(request.headers, request.query_params, websocket=websocket)
        if token is not None:
            services: Services = request.app.state.services
            try:
                scope["meridian.principal"] = read_token(
                    services.jwt_secret,
                    token,
                    max_lifetime=services.settings.max_token_lifetime_seconds,
                    now=services.clock().timestamp(),
                )
            except InvalidToken as bad:
                if websocket:
                    await send({"type": "websocket.close", "code": 4401, "reason": str(bad)})
                    return
                await refuse(send, 401, str(bad), "UNAUTHENTICATED")
                return
        await self.app(scope, receive, send)
