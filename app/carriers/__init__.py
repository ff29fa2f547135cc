"""Carrier tracking adapters: normalised statuses, a simulated carrier, DHL polling and EasyPost webhooks.

The Dramatiq actors and the webhook route live elsewhere (workers, app/api); both call into these modules,
which know the domain's words and nothing of either.
"""

from app.carriers.base import (
    CarrierAdapter,
    PollPolicy,
    TrackingSnapshot,
    is_terminal,
    next_poll_delay,
    parse_status,
)
from app.carriers.errors import (
    CarrierAuthenticationFailed,
    CarrierError,
    CarrierNotConfigured,
    CarrierProtocolError,
    CarrierUnavailable,
    TrackingNotFound,
    UnsupportedWebhookEvent,
    WebhookPayloadInvalid,
)

__all__ = [
    "CarrierAdapter",
    "CarrierAuthenticationFailed",
    "CarrierError",
    "CarrierNotConfigured",
    "CarrierProtocolError",
    "CarrierUnavailable",
    "PollPolicy",
    "TrackingNotFound",
    "TrackingSnapshot",
    "UnsupportedWebhookEvent",
    "WebhookPayloadInvalid",
    "is_terminal",
    "next_poll_delay",
    "parse_status",
]
