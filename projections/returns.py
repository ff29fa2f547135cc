"""The `returns` read model: one row per RMA, folded with `app.domain.returns.evolve`."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.aggregates import RETURN
from eventstore import Connection, EventCodec, RecordedEvent

from .base import encode_json, fold_batch
from .sql import query


def _return_key(stream_id: str) -> tuple[str]:
    return (stream_id.partition("-")[2],)


class ReturnsProjection:
    name = "returns"
    categories = ("return",)
    tables = ("returns",)

    def __init__(self, codec: EventCodec) -> None:
        self.codec = codec

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        folded = await fold_batch(
            conn,
            events,
            kind=RETURN,
            codec=self.codec,
            key_of=_return_key,
            load_query=query("load_returns"),
        )
        rows = [(f.state, f) for f in folded if f.state is not None]
        if not rows:
            return
        await conn.execute(
            query("upsert_returns"),
            [r.return_id for r, _ in rows],
            [r.order_id for r, _ in rows],
            [str(r.status) for r, _ in rows],
            [encode_json(r.lines) for r, _ in rows],
            [encode_json(r.received) for r, _ in rows],
            [r.location_code for r, _ in rows],
            [r.refund_amount for r, _ in rows],
            [r.replacement_order_id for r, _ in rows],
            [r.carrier for r, _ in rows],
            [r.tracking_number for r, _ in rows],
            [r.requested_at for r, _ in rows],
            [f.version for _, f in rows],
            [f.recorded_at for _, f in rows],
            [encode_json(r) for r, _ in rows],
        )
