"""The HTTP side of back-pressure (app/api/admission.py decides): counting requests in flight, answering 503 with
`Retry-After` when a request's gated writes were all refused, and refusing a repeat at once.

A refusal through GraphQL costs what any request costs (about 2 ms of CPU in the API, and a wait behind every
request in flight for each of its turns on the event loop): under three times the sustainable rate, refusing
would become most of the work, and slow. But a refused operation's answer depends on the operation alone (its
payloads' `userErrors` say OVERLOADED in fixed words, everything else is null), so once an operation whose every
root field is a gated write has been refused whole, its answer is kept, keyed by the document and operation name,
and while the process is still overloaded the same operation gets it straight from here: the body is read (it is
in memory already), nothing is parsed but its JSON, and no await gives the event loop to anyone else.

Only a caller with a bearer token gets the early answer (anyone else goes the ordinary way, to be told who may
call); `placeOrder` consuming a cart (a `reservationId` in the request) is never refused. While overloaded, an
input the resolver would have refused (INVALID_INPUT, FORBIDDEN) may be told OVERLOADED first; its retry gets the
real answer.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .admission import REFUSED, TICKET, Admission, Ticket

GATED_FIELDS = frozenset({"placeOrder", "reserveCart", "editOrder", "exchangeItems"})
MAX_KEPT = 256  # documents whose refusal is kept; clients send a handful of distinct ones
Key = tuple[str, str | None]


class AdmissionGate:
    """ASGI middleware inside EdgeLimits (bodies are capped before they are read here)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.refusals: dict[Key, bytes] = {}  # a wholly refused operation's answer
        self.gated: dict[Key, int] = {}  # how many gated root fields an operation has (0: not only those)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        services = getattr(getattr(scope.get("app"), "state", None), "services", None)
        admission: Admission | None = getattr(services, "admission", None)
        if scope["type"] != "http" or admission is None:
            await self.app(scope, receive, send)
            return
        ticket = Ticket()
        token = TICKET.set(ticket)
        admission.in_flight += 1
        try:
            await self.gate(admission, ticket, scope, receive, send)
        finally:
            admission.in_flight -= 1
            admission.writes.pop(id(ticket), None)
            TICKET.reset(token)

    async def gate(self, admission: Admission, ticket: Ticket, scope: Scope, receive: Receive, send: Send) -> None:
        retry_after = str(admission.limits.retry_after_seconds)
        key: Key | None = None
        if scope["method"] == "POST" and admission.overloaded(time.monotonic()) is not None and _bearer(scope):
            body, receive = await _buffered(receive)
            key = _operation(body)
            if key is not None and (kept := self.refusals.get(key)) is not None:
                REFUSED.labels(reason="repeat").inc()
                headers = [(b"content-type", b"application/json"), (b"content-length", str(len(kept)).encode())]
                headers.append((b"retry-after", retry_after.encode()))
                await send({"type": "http.response.start", "status": 503, "headers": headers})
                await send({"type": "http.response.body", "body": kept})
                return
        chunks: list[bytes] = []

        async def answer(message: Message) -> None:
            if ticket.refused and not ticket.admitted:
                if message["type"] == "http.response.start":
                    message["status"] = 503
                    MutableHeaders(scope=message)["Retry-After"] = retry_after
                elif key is not None:
                    chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, answer)
        if key is not None and chunks and ticket.refused and not ticket.admitted:
            self.keep(key, ticket, b"".join(chunks))

    def keep(self, key: Key, ticket: Ticket, answer: bytes) -> None:
        """Keeps `answer` if the operation was refused whole: every root field a gated write, each refused."""
        if key not in self.gated:
            if len(self.gated) >= MAX_KEPT:
                self.gated.clear()
            self.gated[key] = _gated_root_fields(*key)
        if self.gated[key] and ticket.refused == self.gated[key] and b'"errors"' not in answer:
            if len(self.refusals) >= MAX_KEPT:
                self.refusals.clear()
            self.refusals[key] = answer


def _bearer(scope: Scope) -> bool:
    return any(k == b"authorization" and v[:7].lower() == b"bearer " for k, v in scope["headers"])


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a `receive` that hands it to the app again."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    body = b"".join(m.get("body", b"") for m in messages)

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return body, replay


def _operation(body: bytes) -> Key | None:
    """(document, operation name) of a GraphQL POST, or None: not one, or one consuming a cart reservation."""
    if b"reservationId" in body:
        return None
    try:
        request: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(request, dict) or not isinstance(query := request.get("query"), str):
        return None
    name = request.get("operationName")
    return query, name if isinstance(name, str) else None


def _gated_root_fields(query: str, name: str | None) -> int:
    """How many root fields the operation has if all of them are gated writes; else 0."""
    try:
        document = parse(query)
    except GraphQLError:
        return 0
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if name is None or (o.name is not None and o.name.value == name)]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.MUTATION:
        return 0
    fields = chosen[0].selection_set.selections
    if not all(isinstance(f, FieldNode) and f.name.value in GATED_FIELDS for f in fields):
        return 0
    return len(fields)
