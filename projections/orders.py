"""Order read models: `orders` (header, derived status), `order_lines`, `shipments`, `sourcing_decisions`."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.aggregates import ORDER
from app.domain.order_events import OrderRefunded, SourcingDecided
from app.domain.order_state import Order, line_summaries, order_status
from eventstore import Connection, EventCodec, RecordedEvent

from .base import Folded, encode_json, fold_batch
from .money import write_order_money, write_refunds
from .sql import query


def _order_key(stream_id: str) -> tuple[str]:
    return (stream_id.partition("-")[2],)


class OrdersProjection:
    name = "orders"
    categories = ("order",)
    tables = ("orders", "order_lines", "shipments", "sourcing_decisions", "order_money", "order_refunds")

    def __init__(self, codec: EventCodec) -> None:
        self.codec = codec

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        folded = await fold_batch(
            conn,
            events,
            kind=ORDER,
            codec=self.codec,
            key_of=_order_key,
            load_query=query("load_orders"),
        )
        placed: list[tuple[Order, Folded[Order | None]]] = [(f.state, f) for f in folded if f.state is not None]
        if placed:
            await self._write_orders(conn, placed)
        decisions = [
            (e, v) for f in folded for e, v in zip(f.events, f.versions, strict=True) if isinstance(e, SourcingDecided)
        ]
        if decisions:
            await self._write_decisions(conn, decisions)
        await write_order_money(conn, [o for o, _ in placed])
        refunds = [
            (e, v) for f in folded for e, v in zip(f.events, f.versions, strict=True) if isinstance(e, OrderRefunded)
        ]
        await write_refunds(conn, refunds)

    async def _write_orders(self, conn: Connection, placed: list[tuple[Order, Folded[Order | None]]]) -> None:
        orders = [o for o, _ in placed]
        await conn.execute(
            query("upsert_orders"),
            [o.order_id for o in orders],
            [o.customer_id for o in orders],
            [str(order_status(o)) for o in orders],
            [str(o.service_level) for o in orders],
            [o.priority for o in orders],
            [o.channel for o in orders],
            [o.placed_at for o in orders],
            [o.ship_to.coordinates.latitude for o in orders],
            [o.ship_to.coordinates.longitude for o in orders],
            [o.ship_to.postal_code for o in orders],
            [o.ship_to.country for o in orders],
            [o.hold_reason for o in orders],
            [f.version for _, f in placed],
            [f.position for _, f in placed],
            [f.recorded_at for _, f in placed],
            [encode_json(o) for o in orders],
            [str(o.delivery_method) for o in orders],
            [o.pickup_location_code for o in orders],
        )
        ids = [o.order_id for o in orders]
        lines = [(o, n, s) for o in orders for n, s in enumerate(line_summaries(o), start=1)]
        await conn.execute(query("delete_order_lines"), ids)
        await conn.execute(
            query("insert_order_lines"),
            [o.order_id for o, _, _ in lines],
            [n for _, n, _ in lines],
            [s.sku for _, _, s in lines],
            [s.ordered for _, _, s in lines],
            [s.allocated for _, _, s in lines],
            [s.backordered for _, _, s in lines],
            [s.shipped for _, _, s in lines],
            [s.delivered for _, _, s in lines],
            [s.cancelled for _, _, s in lines],
            [s.returned for _, _, s in lines],
            [o.priority for o, _, _ in lines],
            [o.placed_at for o, _, _ in lines],
        )
        shipments = [(o, s) for o in orders for s in o.shipments]
        await conn.execute(query("delete_shipments"), ids)
        if shipments:
            await conn.execute(
                query("insert_shipments"),
                [o.order_id for o, _ in shipments],
                [s.shipment_id for _, s in shipments],
                [s.location_code for _, s in shipments],
                [str(s.status) for _, s in shipments],
                [encode_json(s.lines) for _, s in shipments],
                [s.carrier for _, s in shipments],
                [s.tracking_number for _, s in shipments],
                [s.promised_delivery for _, s in shipments],
                [s.estimated_delivery for _, s in shipments],
                [s.dispatched_at for _, s in shipments],
                [s.delivered_at for _, s in shipments],
                [encode_json(s.tracking) for _, s in shipments],
                [s.planned_at for _, s in shipments],
                [s.ready_at for _, s in shipments],
                [s.expires_at for _, s in shipments],
                [s.reminded_at for _, s in shipments],
                [s.collected_at for _, s in shipments],
                [str(s.kind) for _, s in shipments],
                [s.destination for _, s in shipments],
                [s.fed_by for _, s in shipments],
                [s.awaiting_transfer for _, s in shipments],
                [s.release_at for _, s in shipments],
                [o.placed_at for o, _ in shipments],  # copied, as on the lines, for order search by location
            )

    async def _write_decisions(self, conn: Connection, decisions: list[tuple[SourcingDecided, int]]) -> None:
        """Every decision is kept (an order is sourced again when supply serves its backorder, or a location
        declines its units), keyed by its event's version in the order stream."""
        await conn.execute(
            query("upsert_sourcing_decisions"),
            [d.order_id for d, _ in decisions],
            [v for _, v in decisions],
            [d.algorithm for d, _ in decisions],
            [d.total_cost for d, _ in decisions],
            [d.objective for d, _ in decisions],
            [d.fallback_used for d, _ in decisions],
            [d.profile_version for d, _ in decisions],
            [d.decided_at for d, _ in decisions],
            [encode_json(d.candidates) for d, _ in decisions],
            [encode_json(d.shipments) for d, _ in decisions],
            [encode_json(d.backordered) for d, _ in decisions],
            [d.trigger for d, _ in decisions],
            [d.lower_bound for d, _ in decisions],
            [_gap(d) for d, _ in decisions],
        )


def _gap(decision: SourcingDecided) -> float | None:
    """The solver's gap as it recorded it. Decisions from before it was recorded derive it the way the engine
    does, from the objective and the bound it proved; without a bound (a heuristic) there is none."""
    if decision.gap is not None or decision.lower_bound is None:
        return decision.gap
    if decision.objective <= 0:
        return 0.0
    return max(0.0, (decision.objective - decision.lower_bound) / decision.objective)
