"""Sourcing orders that arrived together: one plan for the batch, then one transaction per order, in order.

Under scarcity the batch decides who gets the stock: `source_batch` plans higher priority first, then the
older order, each plan consuming the availability the next one sees. The orders are then committed in that
same order, each with its reservations in its own `append_many` (expected versions on every stock stream),
so an urgent order's stock is reserved before a patient one's can be. A plan whose stock went elsewhere in
the meantime is re-planned by `source_order` on the true stock, as for a single order. A redelivered batch
finds its orders allocated already and appends nothing for them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.domain.aggregates import ORDER
from app.domain.errors import DomainError
from app.domain.events import Event
from app.domain.order_state import Order, unallocated
from app.domain.streams import order_stream
from app.sourcing import SourcingPlan, SourcingProfile, SourcingRequest, source_batch
from eventstore import Metadata, Position, load_states

from .commands import SourceOrder, SourceOrders
from .network import NetworkView
from .sourcing import candidate, request_for, source_order
from .unit_of_work import ConcurrencyConflict, Context, Outcome, UnitOfWork, execute


@dataclass(frozen=True)
class SourcedOrder:
    """One order of a batch: its plan (None: nothing was left to do), or the domain's refusal."""

    order_id: str
    plan: SourcingPlan | None
    refused: DomainError | None = None


async def source_orders(
    ctx: Context, metadata: Metadata, command: SourceOrders, network: NetworkView, profile: SourcingProfile
) -> Outcome[list[SourcedOrder]]:
    requests = await _requests(ctx, command.order_ids)
    if not requests:
        return Outcome([], [], None)
    sites = [candidate(loc) for loc in await network.locations()]
    hint = await network.availability(sorted({sku for r in requests for sku in r.lines}))
    plans = source_batch(requests, sites, hint, profile, ctx.clock())
    results: list[SourcedOrder] = []
    events: list[Event] = []
    position: Position | None = None
    for plan in plans:  # the batch's order: priority, then age
        try:
            outcome = await execute(ctx, metadata, _sourcing(plan, network, profile))
        except ConcurrencyConflict:
            raise  # contention: the whole batch is worth another try, and the orders done stay done
        except DomainError as refused:
            results.append(SourcedOrder(plan.order_id, None, refused))
            continue
        results.append(SourcedOrder(plan.order_id, outcome.value))
        events += outcome.events
        if outcome.position is not None:
            position = outcome.position if position is None else max(position, outcome.position)
    return Outcome(results, events, position)


def _sourcing(
    plan: SourcingPlan, network: NetworkView, profile: SourcingProfile
) -> Callable[[UnitOfWork], Awaitable[SourcingPlan | None]]:
    async def work(uow: UnitOfWork) -> SourcingPlan | None:
        return await source_order(uow, SourceOrder(order_id=plan.order_id), network, profile, prepared=plan)

    return work


async def _requests(ctx: Context, order_ids: tuple[str, ...]) -> list[SourcingRequest]:
    """The batch's orders that still have something to allocate (unknown ids and settled orders drop out)."""
    ids = list(dict.fromkeys(order_ids))
    loaded = await load_states(ctx.store, ctx.codec, {order_stream(i): ORDER for i in ids})
    requests: list[SourcingRequest] = []
    for order_id in ids:
        order: Order | None = loaded[order_stream(order_id)][0]
        if order is None or order.cancelled or order.completed or order.hold_reason is not None:
            continue
        remaining = {sku: qty for sku, qty in unallocated(order).items() if qty > 0}
        if remaining:
            requests.append(request_for(order, remaining))
    return requests
