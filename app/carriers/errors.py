"""The few exceptions a carrier adapter raises; transport and decoding errors are translated into these here.

Only `CarrierUnavailable` is worth retrying: the others will fail the same way next time.
"""

from __future__ import annotations


class CarrierError(Exception):
    """Base class: something went wrong talking to, or understanding, a carrier."""


class TrackingNotFound(CarrierError):
    """The carrier does not know this tracking number (yet, or at all)."""

    def __init__(self, carrier: str, tracking_number: str) -> None:
        super().__init__(f"{carrier} has no shipment with tracking number {tracking_number!r}")
        self.carrier = carrier
        self.tracking_number = tracking_number


class CarrierUnavailable(CarrierError):
    """Rate limited, a server error, a timeout or a dropped connection: retry later.

    `retry_after` is the carrier's own hint in seconds (from `Retry-After`), when it gave one.
    """

    def __init__(self, carrier: str, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"{carrier} is unavailable: {reason}")
        self.carrier = carrier
        self.reason = reason
        self.retry_after = retry_after


class CarrierAuthenticationFailed(CarrierError):
    """The carrier refused our credentials (401/403): a configuration problem, not a transient one."""


class CarrierProtocolError(CarrierError):
    """The carrier answered with something we cannot interpret (unexpected status or malformed body)."""


class CarrierNotConfigured(CarrierError):
    """A built-in adapter was asked for but its settings (an API key, say) are missing."""


class WebhookPayloadInvalid(CarrierError):
    """A webhook body is not the JSON shape we expect; the request should be rejected (400)."""


class UnsupportedWebhookEvent(CarrierError):
    """A well-formed webhook event that is not about tracking (acknowledge it, record nothing)."""

    def __init__(self, description: str) -> None:
        super().__init__(f"not a tracker event: {description!r}")
        self.description = description
