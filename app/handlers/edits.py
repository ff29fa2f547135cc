"""Editing an order: the order's `OrderEdited`, the stock it releases and the sourcing of what it adds (a
decision with trigger EDITED), all in one append, refused if the order moved past `expected_version`."""

from __future__ import annotations

from app.domain import order_commands as oc
from app.domain import orders
from app.domain.aggregates import ORDER
from app.domain.order_events import OrderEdited
from app.domain.order_state import Order
from app.domain.streams import order_stream
from app.sourcing import SourcingProfile

from .commands import SourceOrder
from .network import NetworkView
from .picking import release
from .sourcing import source_order
from .unit_of_work import ConcurrencyConflict, UnitOfWork

EDITED = "EDITED"


async def edit_order(
    uow: UnitOfWork, command: oc.EditOrder, network: NetworkView, profile: SourcingProfile
) -> Order | None:
    stream = order_stream(command.order_id)
    order = await uow.get(ORDER, stream)
    # Checked on what this attempt read: if the order moves between this read and the append, the append fails,
    # the retry reads the new version and refuses here. Nothing is appended either way.
    if order is not None and command.expected_version not in (None, uow.version(stream)):
        raise ConcurrencyConflict(
            f"order {command.order_id} is at version {uow.version(stream)}, not {command.expected_version}",
            field=("expectedVersion",),
        )
    events = orders.decide(order, command, uow.now)
    after = uow.record(ORDER, stream, events)
    edited = next((e for e in events if isinstance(e, OrderEdited)), None)
    if edited is None:
        return after  # nothing to change
    await release(uow, edited.released, {}, EDITED)
    # Only what the edit adds, or a whole re-plan for a new address or service level, is sourced: a decrease
    # shrinks what was planned and plans nothing.
    if _adds(order, edited) or edited.ship_to is not None or edited.service_level is not None:
        await source_order(uow, SourceOrder(order_id=command.order_id), network, profile, trigger=EDITED)
    return await uow.get(ORDER, stream)


def _adds(before: Order | None, edited: OrderEdited) -> bool:
    """Whether the edit asks for more of some SKU than the order had."""
    ordered = {line.sku: line.quantity for line in before.lines} if before is not None else {}
    return any(line.quantity > ordered.get(line.sku, 0) for line in edited.lines)
