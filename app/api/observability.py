"""What the API tells its operators: a request id per request, an access log line, latency per operation, and
a log entry (with traceback) for every error that clients only see masked."""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Iterator

import structlog
from graphql import GraphQLError
from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from app.logging import get_logger

from .errors import UNAVAILABLE_MESSAGE, code_for, is_unavailable, named_field, should_mask
from .health import ERRORS, REQUESTS

access = get_logger("meridian.access")
log = get_logger("meridian.graphql")

REQUEST_ID_SCOPE_KEY = "meridian.request_id"
# A caller's id is kept only if it is short and plain: it goes into logs and response headers verbatim.
_CALLER_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})  # polled every few seconds: debug, not info


def request_id(scope: Scope) -> str:
    """This request's id: the caller's `X-Request-ID` when it is plain enough, else a new one."""
    for key, value in scope.get("headers", ()):
        if key == b"x-request-id":
            given: str = value.decode("latin-1")
            if _CALLER_ID.fullmatch(given):
                return given
    return uuid.uuid4().hex


class RequestLog:
    """Outermost ASGI middleware: gives each HTTP request and websocket an id (bound into the log context,
    stored in the scope for the GraphQL context, echoed as `X-Request-ID`) and logs one line when it ends.

    The query string is never logged: GraphiQL and websockets may carry a token there."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = scope[REQUEST_ID_SCOPE_KEY] = request_id(scope)
        status = 500  # what the client gets if the app fails before answering
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] in ("http.response.start", "websocket.accept"):
                status = message.get("status", 101)
                MutableHeaders(scope=message).append("X-Request-ID", rid)
            await send(message)

        # Tokens rather than structlog's bound_contextvars, which copies the whole context on every request.
        bound = structlog.contextvars.bind_contextvars(request_id=rid)
        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            # The client hung up before sending its whole request: normal on the internet, nothing to fix and
            # nobody to answer. 499 is the access-log convention (nginx's) for "client closed request".
            status = 499
            access.info("http.client_disconnected", method=scope.get("method"), path=scope["path"])
        except Exception:
            access.exception("http.unhandled", method=scope.get("method"), path=scope["path"])
            raise
        finally:
            line = access.debug if scope["path"] in _QUIET_PATHS else access.info
            line(
                "http.request" if scope["type"] == "http" else "websocket.closed",
                method=scope.get("method", "WS"),
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
            structlog.contextvars.reset_contextvars(**bound)


# Operation names come from clients: only plain names become label values, and only so many of them,
# so a client inventing names cannot grow the metrics without bound.
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
MAX_OPERATION_LABELS = 500
_labels: set[str] = set()


def operation_label(context: ExecutionContext) -> str:
    name = context.operation_name
    if name is None:
        return "anonymous"
    if not _OPERATION_NAME.fullmatch(name):
        return "invalid"
    if name not in _labels:
        if len(_labels) >= MAX_OPERATION_LABELS:
            return "other"
        _labels.add(name)
    return name


class OperationMetrics(SchemaExtension):
    """Observes each query's and mutation's latency, and counts responses with errors, per operation name.
    Subscriptions are left out: their 'latency' is how long a client stayed subscribed."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        with contextlib.suppress(RuntimeError):  # the document did not parse: still a request worth counting
            if context.operation_type is OperationType.SUBSCRIPTION:
                return
        label = operation_label(context)
        REQUESTS.labels(operation=label).observe(time.perf_counter() - started)
        if context.result is not None and context.result.errors:
            ERRORS.labels(operation=label).inc()


class MaskUnexpected(MaskErrors):
    """Masks unexpected errors (see `should_mask`) and gives every error a client sees an `extensions.code`:
    INTERNAL_SERVER_ERROR for the masked ones, GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED or
    BAD_USER_INPUT for mistakes in the request, and ApiErrors keep their own."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask, error_message="Unexpected error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        if is_unavailable(error):
            # The database went away mid-request: say so, with a code clients can retry on (naming no driver,
            # host or query).
            masked.message = UNAVAILABLE_MESSAGE
            masked.extensions = {"code": "UNAVAILABLE"}
        else:
            masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        document = self.execution_context.graphql_document
        processed = [named_field(error, document) for error in super()._process_errors(errors)]
        for error in processed:
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": code_for(error)}
        return processed


def log_errors(errors: list[GraphQLError], context: ExecutionContext | None) -> None:
    """Runs before MaskErrors (strawberry's `Schema.process_errors`), so it sees the original exceptions."""
    operation = context.operation_name if context is not None else None
    for error in errors:
        if should_mask(error):
            log.error(
                "graphql.unexpected_error",
                operation=operation,
                path=error.path,
                error=error.message,
                exc_info=error.original_error or error,
            )
        else:
            code = (error.extensions or {}).get("code")
            log.info("graphql.refused", operation=operation, path=error.path, code=code, error=error.message)
