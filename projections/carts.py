"""The `cart_reservations` read model: one row per cart, folded with `app.domain.carts.evolve`. It answers the
`cartReservation` query and tells the expiry sweep which held carts are overdue."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.aggregates import CART
from app.domain.carts import promised_delivery
from eventstore import Connection, EventCodec, RecordedEvent

from .base import encode_json, fold_batch
from .sql import query


def _cart_key(stream_id: str) -> tuple[str]:
    return (stream_id.partition("-")[2],)


class CartsProjection:
    name = "carts"
    categories = ("cart",)
    tables = ("cart_reservations",)

    def __init__(self, codec: EventCodec) -> None:
        self.codec = codec

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        folded = await fold_batch(
            conn,
            events,
            kind=CART,
            codec=self.codec,
            key_of=_cart_key,
            load_query=query("load_cart_reservations"),
        )
        rows = [(f.state, f) for f in folded if f.state is not None]
        if not rows:
            return
        await conn.execute(
            query("upsert_cart_reservations"),
            [c.cart_id for c, _ in rows],
            [c.customer_id for c, _ in rows],
            [str(c.status) for c, _ in rows],
            [c.expires_at for c, _ in rows],
            [promised_delivery(c) for c, _ in rows],
            [c.order_id for c, _ in rows],
            [f.version for _, f in rows],
            [f.recorded_at for _, f in rows],
            [encode_json(c) for c, _ in rows],
        )
