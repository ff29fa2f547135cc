from datetime import UTC, datetime

import msgspec
import pytest

from app.carriers.dhl import normalise_status, parse_response
from app.carriers.errors import CarrierProtocolError, TrackingNotFound
from app.domain.values import TrackingStatus


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("pre-transit", "The shipment has been registered", TrackingStatus.PRE_TRANSIT),
        ("transit", "The shipment has been picked up", TrackingStatus.IN_TRANSIT),
        (
            "transit",
            "The shipment has been loaded onto the delivery vehicle",
            TrackingStatus.OUT_FOR_DELIVERY,
        ),
        ("transit", "Out for delivery", TrackingStatus.OUT_FOR_DELIVERY),
        (
            "transit",
            "The shipment is ready for pick-up at the PostNL Retail location",
            TrackingStatus.AVAILABLE_FOR_PICKUP,
        ),
        ("transit", "Delivered to Packstation 123", TrackingStatus.AVAILABLE_FOR_PICKUP),
        ("transit", "The shipment is being returned to the sender", TrackingStatus.RETURN_TO_SENDER),
        ("delivered", "Delivered to a neighbour", TrackingStatus.DELIVERED),
        ("failure", "Delivery attempt unsuccessful, delivery vehicle", TrackingStatus.FAILURE),
        ("failure", "Shipment returned to sender", TrackingStatus.RETURN_TO_SENDER),
        ("failure", "Shipment cancelled by sender", TrackingStatus.CANCELLED),
        ("unknown", "", TrackingStatus.UNKNOWN),
        ("something-new", "out for delivery", TrackingStatus.UNKNOWN),
        (None, "", TrackingStatus.UNKNOWN),
        ("TRANSIT", "", TrackingStatus.IN_TRANSIT),
    ],
)
def test_status_mapping(code: str | None, text: str, expected: TrackingStatus) -> None:
    assert normalise_status(code, text) is expected


def event(code: str, when: str, description: str, city: str | None = None) -> dict[str, object]:
    return {
        "timestamp": when,
        "statusCode": code,
        "status": description.upper(),
        "description": description,
        "location": {"address": {"addressLocality": city, "countryCode": "DE"}} if city else None,
    }


def body(**shipment: object) -> bytes:
    latest = event("transit", "2025-03-02T10:00:00Z", "Out for delivery", "Bonn")
    base: dict[str, object] = {
        "id": "JJD000390007882476",
        "service": "parcel-de",
        "status": latest,
        "estimatedTimeOfDelivery": "2025-03-02T17:00:00+01:00",
        # DHL lists newest first.
        "events": [latest, event("pre-transit", "2025-03-01T08:00:00", "Shipment registered")],
    }
    base.update(shipment)
    return msgspec.json.encode({"shipments": [base]})


def test_parse_response() -> None:
    snapshot = parse_response("JJD000390007882476", body())
    assert snapshot.carrier == "dhl"
    assert snapshot.status is TrackingStatus.OUT_FOR_DELIVERY
    assert snapshot.estimated_delivery == datetime(2025, 3, 2, 16, 0, tzinfo=UTC)
    assert [(c.status, c.location) for c in snapshot.scans] == [
        (TrackingStatus.PRE_TRANSIT, None),
        (TrackingStatus.OUT_FOR_DELIVERY, "Bonn"),
    ]
    # DHL timestamps without an offset are read as UTC.
    assert snapshot.scans[0].occurred_at == datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def test_current_status_missing_from_events_is_kept() -> None:
    snapshot = parse_response("X", body(events=[]))
    assert len(snapshot.scans) == 1
    assert snapshot.scans[0].message == "Out for delivery"


def test_no_shipment_is_not_found() -> None:
    with pytest.raises(TrackingNotFound):
        parse_response("X", b'{"shipments": []}')


@pytest.mark.parametrize(
    "raw",
    [
        b"<html>",
        b'{"shipments": [{"events": [{"statusCode": "transit"}]}]}',
        body(estimatedTimeOfDelivery="soon"),
    ],
)
def test_malformed_response(raw: bytes) -> None:
    with pytest.raises(CarrierProtocolError):
        parse_response("X", raw)
