"""The typed context every resolver receives: the caller, the services, and this request's loaders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import strawberry
from strawberry.types.info import Info as StrawberryInfo

from app.security import Principal, Role

from .errors import forbidden, unauthenticated
from .loaders import Loaders
from .services import Services


@dataclass
class RequestContext:
    services: Services
    principal: Principal | None
    loaders: Loaders
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    def require(self, *roles: Role) -> Principal:
        """The caller, if it holds one of `roles`; otherwise a clear UNAUTHENTICATED/FORBIDDEN error."""
        if self.principal is None:
            raise unauthenticated()
        if roles and self.principal.role not in roles:
            raise forbidden()
        return self.principal


Info = StrawberryInfo[RequestContext, None]

STAFF = (Role.ADMIN, Role.SERVICE, Role.OPERATOR)
ANYONE = (Role.ADMIN, Role.SERVICE, Role.OPERATOR, Role.CUSTOMER)

__all__ = ["ANYONE", "STAFF", "Info", "RequestContext", "strawberry"]
