"""Who is calling: bearer JWTs (HS256) carrying a role and its scope, and the secrets that sign them.

Roles (see the API contract's footer): `admin` (everything), `operator` (stock and shipments of its locations),
`customer` (its own orders), `service` (workers and integrations).
"""

from __future__ import annotations

import contextlib
import enum
import functools
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import jwt
from pydantic import SecretStr

from .clock import system_clock
from .settings import MAX_TOKEN_LIFETIME_SECONDS, Settings

ALGORITHM = "HS256"
ISSUER = "meridian"


class Role(enum.StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    CUSTOMER = "customer"
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    customer_id: str | None = None
    locations: frozenset[str] = field(default_factory=frozenset)  # an operator's; no claim: no location
    expires_at: float | None = None  # the token's `exp`: a connection kept open (WebSocket) must end there

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class InvalidToken(Exception):
    """The token is missing a part, forged, expired or malformed; the message says which, briefly."""


def issue_token(
    secret: SecretStr | str,
    role: Role,
    *,
    subject: str | None = None,
    customer_id: str | None = None,
    locations: frozenset[str] = frozenset(),
    ttl_seconds: int = 12 * 3600,
    now: float | None = None,
) -> str:
    issued = int(now if now is not None else system_clock().timestamp())
    claims: dict[str, object] = {
        "iss": ISSUER,
        "sub": subject or (customer_id if role is Role.CUSTOMER and customer_id else role.value),
        "role": role.value,
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    if customer_id:
        claims["customer_id"] = customer_id
    if locations:
        claims["locations"] = sorted(locations)
    return jwt.encode(claims, _revealed(secret), algorithm=ALGORITHM)


def read_token(
    secret: SecretStr | str,
    token: str,
    *,
    max_lifetime: int = MAX_TOKEN_LIFETIME_SECONDS,
    now: float | None = None,
) -> Principal:
    """The principal a bearer token names, if its signature and claims hold, it has not expired, and it was
    not issued to live longer than `max_lifetime` seconds (a stolen long-lived token stays useful for long)."""
    principal, expires = _verified(_revealed(secret), token, max_lifetime)
    if (now if now is not None else system_clock().timestamp()) >= expires:
        raise InvalidToken("token expired")
    return principal


def _revealed(secret: SecretStr | str) -> str:
    # The one place a signing secret is unwrapped: as it signs or verifies. Callers hold SecretStr.
    return secret.get_secret_value() if isinstance(secret, SecretStr) else secret


@functools.lru_cache(maxsize=4096)
def _verified(secret: str, token: str, max_lifetime: int) -> tuple[Principal, float]:
    """Checks the signature and claims once per token (a client sends the same one with every request, and
    verifying costs more than the rest of a small request's parsing); expiry is checked by `read_token`, on
    every use. Refused tokens raise, and exceptions are never cached."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
            options={"require": ["exp", "iat", "role", "sub"], "verify_exp": False},
        )  # fmt: skip
        role = Role(claims["role"])
        expires = float(claims["exp"])
        issued = float(claims["iat"])
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise InvalidToken("invalid token") from exc
    if expires - issued > max_lifetime:
        raise InvalidToken(f"token lifetime over {max_lifetime} seconds")
    customer_id = claims.get("customer_id")
    if role is Role.CUSTOMER and not customer_id:
        raise InvalidToken("a customer token must name its customer")
    principal = Principal(
        subject=str(claims["sub"]),
        role=role,
        customer_id=str(customer_id) if customer_id else None,
        locations=frozenset(str(c) for c in claims.get("locations", [])),
        expires_at=expires,
    )
    return principal, expires


def jwt_secret(settings: Settings) -> SecretStr:
    """MERIDIAN_JWT_SECRET; in development, a secret generated once and kept under the data folder, so that
    `meridian token` run in the same folder signs tokens the running service accepts."""
    if settings.jwt_secret:
        return settings.jwt_secret
    if not settings.development:
        raise RuntimeError("MERIDIAN_JWT_SECRET must be set outside development")
    return _kept_secret(settings.data_dir / "jwt-secret")


def webhook_secret(settings: Settings) -> SecretStr:
    if settings.webhook_secret:
        return settings.webhook_secret
    if not settings.development:
        raise RuntimeError("MERIDIAN_WEBHOOK_SECRET must be set outside development")
    return _kept_secret(settings.data_dir / "webhook-secret")


def _kept_secret(path: Path) -> SecretStr:
    """The secret in `path`, created if missing. The file is born 0600 and complete: written under a private
    temporary name, then linked into place, so no other user can ever read it (a file created, then chmod'ed,
    is readable in between) and no other process sees it half-written. Two processes starting together both
    try the link; the loser reads the winner's secret."""
    if path.exists():
        return SecretStr(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another process kept its secret first: use that one
            os.link(temporary, path)  # atomic, and never replaces an existing file
    finally:
        temporary.unlink(missing_ok=True)
    return SecretStr(path.read_text().strip())
