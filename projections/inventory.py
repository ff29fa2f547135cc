"""Inventory read models: `locations`, and `stock_levels` + `incoming_supply` per SKU x location."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.aggregates import LOCATION, STOCK
from app.domain.stock_events import SupplyExpected, SupplyReceived
from app.domain.streams import parse_stock_stream
from eventstore import Connection, EventCodec, RecordedEvent

from .base import encode_json, fold_batch
from .sql import query


def _location_key(stream_id: str) -> tuple[str]:
    return (stream_id.partition("-")[2],)


def _stock_key(stream_id: str) -> tuple[str, str]:
    return parse_stock_stream(stream_id)


class LocationsProjection:
    name = "locations"
    categories = ("location",)
    tables = ("locations",)

    def __init__(self, codec: EventCodec) -> None:
        self.codec = codec

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        folded = await fold_batch(
            conn,
            events,
            kind=LOCATION,
            codec=self.codec,
            key_of=_location_key,
            load_query=query("load_locations"),
        )
        rows = [(f.state, f) for f in folded if f.state is not None]
        if not rows:
            return
        await conn.execute(
            query("upsert_locations"),
            [s.code for s, _ in rows],
            [s.name for s, _ in rows],
            [str(s.type) for s, _ in rows],
            [s.coordinates.latitude for s, _ in rows],
            [s.coordinates.longitude for s, _ in rows],
            [s.capabilities.ship for s, _ in rows],
            [s.capabilities.pickup for s, _ in rows],
            [s.capabilities.returns for s, _ in rows],
            [s.daily_capacity for s, _ in rows],
            [s.handling_cost for s, _ in rows],
            [s.pick_sla_minutes for s, _ in rows],
            [s.pickup_hold_days for s, _ in rows],
            [s.active for s, _ in rows],
            [f.version for _, f in rows],
            [f.recorded_at for _, f in rows],
            [encode_json(s) for s, _ in rows],
        )


class StockProjection:
    name = "stock"
    categories = ("stock",)
    tables = ("stock_levels", "incoming_supply")

    def __init__(self, codec: EventCodec) -> None:
        self.codec = codec

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        folded = await fold_batch(
            conn,
            events,
            kind=STOCK,
            codec=self.codec,
            key_of=_stock_key,
            load_query=query("load_stock_levels"),
        )
        if not folded:
            return
        # The key comes from the stream id, not the state: a stream is one SKU at one location.
        states = [f.state for f in folded]
        await conn.execute(
            query("upsert_stock_levels"),
            [f.key[0] for f in folded],
            [f.key[1] for f in folded],
            [s.on_hand for s in states],
            [s.reserved for s in states],
            [s.safety_stock for s in states],
            [s.atp for s in states],
            [s.incoming_quantity for s in states],
            [s.reorder_point for s in states],
            [s.reorder_quantity for s in states],
            [f.version for f in folded],
            [f.recorded_at for f in folded],
            [encode_json(s) for s in states],
        )
        # Incoming supply changes only with supply events: rewrite just those streams' rows.
        supplied = [f for f in folded if any(isinstance(e, SupplyExpected | SupplyReceived) for e in f.events)]
        if not supplied:
            return
        await conn.execute(query("delete_incoming_supply"), [f.key[0] for f in supplied], [f.key[1] for f in supplied])
        incoming = [(f.key, supply_id, s) for f in supplied for supply_id, s in f.state.incoming.items()]
        if incoming:
            await conn.execute(
                query("insert_incoming_supply"),
                [k[0] for k, _, _ in incoming],
                [k[1] for k, _, _ in incoming],
                [supply_id for _, supply_id, _ in incoming],
                [str(s.kind) for _, _, s in incoming],
                [s.quantity for _, _, s in incoming],
                [s.expected_at for _, _, s in incoming],
                [s.source_location_code for _, _, s in incoming],
            )
