"""Limits at the edge, for every route, before any route's code runs: header size, body size, and a rate for
callers without a token. The settings (MERIDIAN_MAX_HEADER_BYTES, MERIDIAN_MAX_BODY_BYTES,
MERIDIAN_PUBLIC_RATE_PER_MINUTE, MERIDIAN_PUBLIC_RATE_BURST) are documented in app/settings.py and the README.

A client's address is the ASGI scope's: behind a reverse proxy, run uvicorn with `--proxy-headers` and
`--forwarded-allow-ips` naming the proxy, or every shopper shares the proxy's bucket.

The query cost limit is GraphQL's own (app/api/query_cost.py): it needs the parsed document.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings

# The routes whose unauthenticated callers are rate-limited: /graphql answers `fulfillmentOptions` and
# `pickupOptions` to anyone.
# Webhooks are public too but signed, and carriers send them in bursts: the body cap is their limit.
PUBLIC_PATHS = frozenset({"/graphql"})


class EdgeLimits:
    """ASGI middleware just inside RequestLog (so refusals are logged with their request id)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_header = settings.max_header_bytes
        self.max_body = settings.max_body_bytes
        self.public = TokenBuckets(settings.public_rate_per_minute / 60, settings.public_rate_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if sum(len(name) + len(value) for name, value in headers) > self.max_header:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1009, "reason": "request headers too large"})
                return
            await refuse(send, 431, f"request headers over {self.max_header} bytes", "HEADERS_TOO_LARGE")
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)  # no body; the subscription's own rules apply inside
            return
        if scope["path"] in PUBLIC_PATHS and not _bearer(headers):
            client = scope.get("client")
            wait = self.public.take(client[0] if client else "unknown")
            if wait > 0:
                retry = str(math.ceil(wait))
                await refuse(send, 429, f"too many requests without a token; retry in {retry} s", "RATE_LIMITED",
                             {"Retry-After": retry})  # fmt: skip
                return
        declared = next((value for name, value in headers if name == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await self.too_large(send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped(receive, self.max_body), tracking)
        except BodyTooLarge:
            if not started:
                await self.too_large(send)

    async def too_large(self, send: Send) -> None:
        await refuse(send, 413, f"request body over {self.max_body} bytes", "PAYLOAD_TOO_LARGE")


def _bearer(headers: list[tuple[bytes, bytes]]) -> bool:
    # Only a bearer token exempts a request (any other is refused with 401 before it costs anything): an
    # `Authorization: Basic …` header must not buy a way around the limit, as Guard treats it as no token.
    return any(name == b"authorization" and value[:7].lower() == b"bearer " for name, value in headers)


def capped(receive: Receive, limit: int) -> Receive:
    """`receive`, raising BodyTooLarge as soon as the body read so far passes `limit` (a body sent without a
    Content-Length, or longer than it declared, is cut off while it streams, never buffered whole)."""
    seen = 0

    async def receive_capped() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise BodyTooLarge
        return message

    return receive_capped


class BodyTooLarge(Exception):
    """Raised inside receive() when a request body passes the cap; EdgeLimits answers 413."""


async def refuse(send: Send, status: int, message: str, code: str, headers: dict[str, str] | None = None) -> None:
    """An error in the shape GraphQL clients already read (`errors[0].extensions.code`), on any route."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    await JSONResponse(body, status_code=status, headers=headers)({"type": "http"}, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


class TokenBuckets:
    """One token bucket per key (a client address): `burst` requests at once, then `rate` per second.

    In-process: each API process keeps its own buckets, so N processes allow N times the rate — a deliberate
    trade for no shared state on the hot path. Only the `max_keys` most recently seen keys are kept."""

    def __init__(
        self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self.rate, self.burst, self.clock, self.max_keys = rate, burst, clock, max_keys
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def take(self, key: str) -> float:
        """Takes a token for `key`: 0.0 if there was one, else the seconds until there will be."""
        now = self.clock()
        tokens, at = self.buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        if tokens >= 1:
            tokens -= 1
            wait = 0.0
        else:
            wait = (1 - tokens) / self.rate if self.rate > 0 else 60.0  # a rate of 0: public calls are off
        self.buckets[key] = (tokens, now)
        if len(self.buckets) > self.max_keys:
            self.buckets.popitem(last=False)
        return wait
