"""Carrier tracking adapters: normalised statuses, a simulated carrier, DHL polling and EasyPost webhooks.

The Dramatiq actors and the webhook route live elsewhere; they call into these modules.
"""

from workers.carriers.base import (
    CarrierAdapter,
    Checkpoint,
    Clock,
    PollPolicy,
    TrackingSnapshot,
    TrackingStatus,
    is_terminal,
    new_checkpoints,
    next_poll_delay,
    utc_now,
)
from workers.carriers.errors import (
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
    "Checkpoint",
    "Clock",
    "PollPolicy",
    "TrackingNotFound",
    "TrackingSnapshot",
    "TrackingStatus",
    "UnsupportedWebhookEvent",
    "WebhookPayloadInvalid",
    "is_terminal",
    "new_checkpoints",
    "next_poll_delay",
    "utc_now",
]
