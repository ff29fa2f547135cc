"""The `delivery_slots` read model: one row per delivery window of a location, folded with the slots ledger's
own `evolve` (`app.domain.delivery`): how many slots are taken, of how many, by which orders."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.aggregates import SLOTS
from eventstore import Connection, EventCodec, RecordedEvent

from .base import encode_json, fold_batch
from .sql import query


def _slot_key(stream_id: str) -> tuple[str]:
    return (stream_id.partition("-")[2],)  # `<location>-<start>`: location codes may hold '-' themselves


class DeliverySlotsProjection:
    name = "delivery_slots"
    categories = ("slots",)
    tables = ("delivery_slots",)

    def __init__(self, codec: EventCodec) -> None:
        self.codec = codec

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        folded = await fold_batch(
            conn, events, kind=SLOTS, codec=self.codec, key_of=_slot_key, load_query=query("load_delivery_slots")
        )
        # A window's first event is always a reservation: every folded state names its window.
        rows = [f for f in folded if f.state.start is not None and f.state.end is not None]
        if not rows:
            return
        await conn.execute(
            query("upsert_delivery_slots"),
            [f.key[0] for f in rows],
            [f.state.location_code for f in rows],
            [f.state.start for f in rows],
            [f.state.end for f in rows],
            [f.state.taken for f in rows],
            [f.state.capacity for f in rows],
            [f.version for f in rows],
            [encode_json(f.state) for f in rows],
        )
