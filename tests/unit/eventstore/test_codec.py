from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from eventstore import EventCodec, Metadata, Position, RecordedEvent, UnknownEventType


class ParcelWeighed(msgspec.Struct, frozen=True, kw_only=True):
    parcel: str
    grams: int


def stored(event_type: str, data: str, schema_version: int) -> RecordedEvent:
    return RecordedEvent(
        1, 1, "parcel-1", 1, uuid.uuid4(), event_type, schema_version, data, "{}", datetime(2026, 1, 1, tzinfo=UTC)
    )


def test_encode_then_decode_gives_back_the_typed_event() -> None:
    codec = EventCodec([ParcelWeighed])
    new = codec.encode(ParcelWeighed(parcel="p1", grams=250), metadata=Metadata(actor="scale-3"))
    assert (new.event_type, new.schema_version) == ("ParcelWeighed", 1)
    assert msgspec.json.decode(new.metadata) == {"actor": "scale-3"}
    assert codec.decode(stored(new.event_type, new.data, 1)) == ParcelWeighed(parcel="p1", grams=250)


def test_old_payloads_are_upcast_step_by_step_on_read() -> None:
    codec = EventCodec()
    codec.register(ParcelWeighed, schema_version=3)

    @codec.upcaster("ParcelWeighed", 1)
    def kilos_to_grams(old: dict[str, Any]) -> dict[str, Any]:
        return {"parcel_id": old["parcel_id"], "grams": round(old["kilos"] * 1000)}

    @codec.upcaster("ParcelWeighed", 2)
    def rename_parcel(old: dict[str, Any]) -> dict[str, Any]:
        return {"parcel": old["parcel_id"], "grams": old["grams"]}

    v1 = stored("ParcelWeighed", '{"parcel_id": "p9", "kilos": 1.25}', 1)
    v2 = stored("ParcelWeighed", '{"parcel_id": "p9", "grams": 1250}', 2)
    assert codec.decode(v1) == codec.decode(v2) == ParcelWeighed(parcel="p9", grams=1250)


def test_a_missing_upcaster_or_type_is_a_clear_error() -> None:
    codec = EventCodec()
    codec.register(ParcelWeighed, schema_version=2)
    with pytest.raises(UnknownEventType, match="no upcaster"):
        codec.decode(stored("ParcelWeighed", '{"parcel": "p", "grams": 1}', 1))
    with pytest.raises(UnknownEventType, match="ParcelLost"):
        codec.decode(stored("ParcelLost", "{}", 1))


def test_one_name_cannot_map_to_two_classes() -> None:
    class Other(msgspec.Struct, frozen=True):
        x: int

    codec = EventCodec([ParcelWeighed])
    with pytest.raises(ValueError):
        codec.register(Other, name="ParcelWeighed")


def test_positions_order_by_transaction_then_global_position_and_round_trip_as_text() -> None:
    assert Position(5, 100) < Position(6, 1) < Position(6, 2)
    assert Position.parse(str(Position(77, 12))) == Position(77, 12)
    for bad in ("", "12", "a:b", "1:-2", "1:2:3"):
        with pytest.raises(ValueError):
            Position.parse(bad)
