"""The one shape every mutation shares: run the command, turn refusals into userErrors, wait for the read
models to include the change (read-your-writes), and let the resolver read the result back."""

from __future__ import annotations

import logging
from typing import Any

from app.domain.errors import DomainError
from app.handlers import Outcome
from eventstore import Metadata, StoreUnavailable

from .context import Info
from .errors import UNAVAILABLE_MESSAGE, ApiError, UserError, from_domain

log = logging.getLogger(__name__)

MAX_TEXT = 200  # ids, codes, SKUs, names, reasons: long enough for any real one, short enough to be safe


def check_text(value: str, *field: str) -> UserError | None:
    if not value.strip():
        return UserError(field=list(field), message="must not be empty", code="INVALID_INPUT")
    if len(value) > MAX_TEXT:
        return UserError(field=list(field), message=f"at most {MAX_TEXT} characters", code="INVALID_INPUT")
    return None


async def execute(info: Info, command: Any) -> tuple[Outcome[Any] | None, list[UserError]]:
    ctx = info.context
    if ctx.services.admission is not None and (overloaded := ctx.services.admission.refusal(command)):
        return None, [overloaded]  # before the handler: nothing appended, the caller retries
    principal = ctx.principal
    metadata = Metadata(
        correlation_id=ctx.request_id,
        actor=f"{principal.role.value}:{principal.subject}" if principal else None,
        idempotency_key=getattr(command, "idempotency_key", None),
    )
    try:
        outcome = await ctx.services.handlers.handle(command, metadata)
    except DomainError as refused:
        return None, [from_domain(reason, "input") for reason in refused.reasons]
    except StoreUnavailable as down:
        log.warning("request %s: database unavailable: %s", ctx.request_id, down)
        raise ApiError(UNAVAILABLE_MESSAGE, "UNAVAILABLE") from None
    ctx.record_write(outcome.position)
    await ctx.services.caught_up(outcome.position)
    return outcome, []


async def run_command(info: Info, command: Any) -> list[UserError]:
    """For mutations that only need to know whether the command went through."""
    _, errors = await execute(info, command)
    return errors
