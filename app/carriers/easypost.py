"""EasyPost `tracker.updated` webhooks: signature check and parsing into a `TrackingSnapshot`.

The route (elsewhere) reads the raw body and the `X-Hmac-Signature` header, calls `verify_signature` first and
answers 401 without recording anything when it fails, then `parse_tracker_event`.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import msgspec

from app.carriers._time import parse_timestamp
from app.carriers.base import TrackingSnapshot, parse_status, sorted_scans
from app.carriers.errors import UnsupportedWebhookEvent, WebhookPayloadInvalid
from app.domain.values import Scan

SIGNATURE_HEADER = "X-Hmac-Signature"
_SIGNATURE = re.compile(r"hmac-sha256-hex=([0-9a-fA-F]{64})")
TRACKER_EVENTS = frozenset({"tracker.created", "tracker.updated"})


def verify_signature(secret: bytes, raw_body: bytes, header_value: str | None) -> bool:
    """True only if `header_value` is `hmac-sha256-hex=<hex HMAC-SHA256 of raw_body keyed by secret>`.

    Missing or malformed headers are False, and so is an empty secret (a misconfiguration must not accept
    everything). The comparison is constant-time.
    """
    if not secret or header_value is None:
        return False
    match = _SIGNATURE.fullmatch(header_value.strip())
    if match is None:
        return False
    expected = hmac.new(secret, raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match.group(1).lower())


class _TrackingLocation(msgspec.Struct):
    city: str | None = None
    state: str | None = None
    country: str | None = None


class _TrackingDetail(msgspec.Struct):
    datetime: str
    status: str = "unknown"
    message: str | None = None
    tracking_location: _TrackingLocation | None = None


class _Tracker(msgspec.Struct):
    tracking_code: str
    carrier: str
    status: str = "unknown"
    est_delivery_date: str | None = None
    tracking_details: list[_TrackingDetail] = msgspec.field(default_factory=list)


class _Envelope(msgspec.Struct):
    description: str
    result: msgspec.Raw


_envelope_decoder = msgspec.json.Decoder(_Envelope)
_tracker_decoder = msgspec.json.Decoder(_Tracker)


def _location(raw: _TrackingLocation | None) -> str | None:
    if raw is None:
        return None
    parts = [p.strip() for p in (raw.city, raw.state) if p and p.strip()]
    if not parts and raw.country:
        parts = [raw.country.strip()]
    return ", ".join(parts) or None


def parse_tracker_event(raw_body: bytes) -> TrackingSnapshot:
    """Parse an EasyPost `Event` whose `result` is a `Tracker`.

    Raises `WebhookPayloadInvalid` for a body that is not that shape (answer 400) and
    `UnsupportedWebhookEvent` for a well-formed event about something else (acknowledge, record nothing).
    Status strings EasyPost may add later become `unknown` rather than errors.
    """
    try:
        envelope = _envelope_decoder.decode(raw_body)
    except msgspec.DecodeError as exc:
        raise WebhookPayloadInvalid(f"not an EasyPost event: {exc}") from exc
    if envelope.description not in TRACKER_EVENTS:
        raise UnsupportedWebhookEvent(envelope.description)
    try:
        tracker = _tracker_decoder.decode(envelope.result)
        scans = sorted_scans(
            Scan(
                status=parse_status(detail.status),
                message=(detail.message or "").strip(),
                occurred_at=parse_timestamp(detail.datetime),
                location=_location(detail.tracking_location),
            )
            for detail in tracker.tracking_details
        )
        eta = parse_timestamp(tracker.est_delivery_date) if tracker.est_delivery_date else None
    except (msgspec.DecodeError, ValueError) as exc:
        raise WebhookPayloadInvalid(f"malformed Tracker in {envelope.description} event: {exc}") from exc
    if not tracker.tracking_code.strip() or not tracker.carrier.strip():
        raise WebhookPayloadInvalid("Tracker without a carrier or tracking_code")
    return TrackingSnapshot(
        carrier=tracker.carrier.strip(),
        tracking_number=tracker.tracking_code.strip(),
        status=parse_status(tracker.status),
        estimated_delivery=eta,
        scans=scans,
    )
