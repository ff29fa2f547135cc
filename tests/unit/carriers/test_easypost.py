import hashlib
import hmac
from datetime import UTC, datetime

import msgspec
import pytest

from app.carriers.easypost import parse_tracker_event, verify_signature
from app.carriers.errors import UnsupportedWebhookEvent, WebhookPayloadInvalid
from app.domain.values import TrackingStatus

SECRET = b"whsec-test"


def sign(body: bytes, secret: bytes = SECRET) -> str:
    return "hmac-sha256-hex=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def detail(status: str, message: str, when: str, city: str | None = None) -> dict[str, object]:
    return {
        "object": "TrackingDetail",
        "message": message,
        "description": "",
        "status": status,
        "status_detail": "status_update",
        "datetime": when,
        "source": "USPS",
        "tracking_location": {"object": "TrackingLocation", "city": city, "state": "NY" if city else None},
    }


def event(description: str = "tracker.updated", **tracker: object) -> bytes:
    result: dict[str, object] = {
        "id": "trk_123",
        "object": "Tracker",
        "mode": "test",
        "tracking_code": "EZ4000000004",
        "status": "out_for_delivery",
        "carrier": "USPS",
        "est_delivery_date": "2025-03-04T18:00:00Z",
        "tracking_details": [
            detail("in_transit", "Arrived at facility", "2025-03-02T08:10:00Z", "BROOKLYN"),
            detail("pre_transit", "Pre-Shipment Info Sent to USPS", "2025-03-01T12:00:00Z"),
            detail("out_for_delivery", "Out for Delivery", "2025-03-04T07:00:00-05:00", "QUEENS"),
        ],
    }
    result.update(tracker)
    return msgspec.json.encode(
        {"object": "Event", "id": "evt_1", "description": description, "result": result, "pending_urls": []}
    )


def test_valid_signature_is_accepted() -> None:
    body = event()
    assert verify_signature(SECRET, body, sign(body))
    assert verify_signature(SECRET, body, "  " + sign(body).upper().replace("HMAC-SHA256-HEX", "hmac-sha256-hex"))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "hmac-sha256-hex=",
        "hmac-sha256-hex=zz" + "0" * 62,
        "hmac-sha256-hex=" + "0" * 63,
        "sha256=" + "0" * 64,
        "hmac-sha256-hex=" + "0" * 64,
        "hmac-sha256-hex=" + "é" * 64,
    ],
)
def test_missing_or_malformed_signature_is_rejected(header: str | None) -> None:
    assert not verify_signature(SECRET, event(), header)


def test_tampered_body_or_wrong_secret_is_rejected() -> None:
    body = event()
    header = sign(body)
    assert not verify_signature(SECRET, body.replace(b"EZ4000000004", b"EZ4000000005"), header)
    assert not verify_signature(b"another-secret", body, header)
    assert not verify_signature(b"", body, sign(body, b""))


def test_tracker_event_becomes_a_snapshot() -> None:
    snapshot = parse_tracker_event(event())
    assert snapshot.carrier == "USPS"
    assert snapshot.tracking_number == "EZ4000000004"
    assert snapshot.status is TrackingStatus.OUT_FOR_DELIVERY
    assert snapshot.estimated_delivery == datetime(2025, 3, 4, 18, 0, tzinfo=UTC)
    assert [c.status for c in snapshot.scans] == [
        TrackingStatus.PRE_TRANSIT,
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.OUT_FOR_DELIVERY,
    ]
    assert snapshot.scans[0].location is None
    assert snapshot.scans[1].location == "BROOKLYN, NY"
    assert snapshot.scans[2].occurred_at == datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


def test_created_events_empty_history_and_unknown_statuses_are_accepted() -> None:
    snapshot = parse_tracker_event(
        event("tracker.created", status="beamed_up", est_delivery_date=None, tracking_details=[])
    )
    assert snapshot.status is TrackingStatus.UNKNOWN
    assert snapshot.estimated_delivery is None and snapshot.scans == ()


def test_a_replayed_event_reads_the_same() -> None:
    """The order aggregate then finds every scan already recorded (tests/unit/domain/test_orders.py)."""
    assert parse_tracker_event(event()) == parse_tracker_event(event())


def test_other_events_are_unsupported_not_invalid() -> None:
    body = msgspec.json.encode({"description": "batch.updated", "result": {"id": "batch_1"}})
    with pytest.raises(UnsupportedWebhookEvent):
        parse_tracker_event(body)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"description": "tracker.updated"}',
        msgspec.json.encode({"description": "tracker.updated", "result": {"carrier": "USPS"}}),
        event(tracking_code=""),
        event(tracking_details=[{"status": "in_transit", "message": "x", "datetime": "yesterday"}]),
        event(tracking_details=[{"status": "in_transit", "message": "x"}]),
        event(est_delivery_date=17),
    ],
)
def test_malformed_payloads_are_invalid(body: bytes) -> None:
    with pytest.raises(WebhookPayloadInvalid):
        parse_tracker_event(body)
