"""The typed context every resolver receives: the caller, the services, and this request's loaders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import strawberry
from strawberry.types.info import Info as StrawberryInfo

from app.security import Principal, Role
from eventstore import Position

from .errors import ApiError, forbidden, unauthenticated
from .loaders import Loaders
from .services import Services


@dataclass
class RequestContext:
    services: Services
    principal: Principal | None
    loaders: Loaders
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    wrote: Position | None = None
    """The log position of this request's last write, sent back as `X-Meridian-Position` (http.py) for the
    client to carry as `X-Meridian-Read-After` on its next reads, whichever process or replica answers them."""

    def record_write(self, position: Position | None) -> None:
        if position is not None and (self.wrote is None or position > self.wrote):
            self.wrote = position

    def require(self, *roles: Role) -> Principal:
        """The caller, if it holds one of `roles`; otherwise a clear UNAUTHENTICATED/FORBIDDEN error.

        Expiry is checked again here: a WebSocket's token is read once, at the handshake, and an operation
        started on that connection after the token expired is refused like a request bearing it."""
        if self.principal is None:
            raise unauthenticated()
        if self.seconds_left() <= 0:
            raise token_expired()
        if roles and self.principal.role not in roles:
            raise forbidden()
        return self.principal

    def seconds_left(self) -> float:
        """How long the caller's token stays valid (infinite for a principal without expiry)."""
        expires = self.principal.expires_at if self.principal is not None else None
        return float("inf") if expires is None else expires - self.services.clock().timestamp()


def token_expired() -> ApiError:
    return ApiError("token expired: authenticate again", "UNAUTHENTICATED")


Info = StrawberryInfo[RequestContext, None]

STAFF = (Role.ADMIN, Role.SERVICE, Role.OPERATOR)
ANYONE = (Role.ADMIN, Role.SERVICE, Role.OPERATOR, Role.CUSTOMER)

__all__ = ["ANYONE", "STAFF", "Info", "RequestContext", "strawberry"]
