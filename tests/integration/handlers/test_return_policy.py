"""The return policy through the handlers, on PostgreSQL: defined as versions in its own stream, applied to a
request as it stands then, and its fees read back by the version the return recorded."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from app.domain import order_commands as oc
from app.domain import returns
from app.domain.aggregates import RETURN
from app.domain.errors import DomainError
from app.domain.return_events import ReceivedLine, ReturnLine, ReturnRequested
from app.domain.return_policy import ConditionFee, DefineReturnPolicy, ReturnPolicyDefined
from app.domain.streams import return_policy_stream, return_stream
from app.domain.values import ItemCondition, ReturnStatus
from app.handlers import Handlers, SettleReturn, SourceOrder
from app.handlers.return_policy import read_policy_in_force, restocking_fees_of
from app.handlers.unit_of_work import UnitOfWork, execute
from eventstore import EventCodec, EventStore, Metadata, load_state

from .conftest import FixedClock
from .support import NEWARK, location, place, receive

DAMAGED, RESELLABLE = ItemCondition.DAMAGED, ItemCondition.RESELLABLE
ADMIN = Metadata(actor="admin:ops-lead")


def fee(condition: ItemCondition, percent: str) -> ConditionFee:
    return ConditionFee(condition=condition, percent=Decimal(percent))


async def delivered(handlers: Handlers, clock: FixedClock, order_id: str) -> None:
    await handlers.handle(place(order_id, ("TEE", 2), ("GIFT", 1)))
    await handlers.handle(SourceOrder(order_id=order_id))
    await handlers.handle(oc.PackShipment(order_id=order_id, shipment_id="S1"))
    await handlers.handle(oc.DispatchShipment(order_id=order_id, shipment_id="S1", carrier="ups", tracking_number="1"))
    await handlers.handle(oc.MarkShipmentDelivered(order_id=order_id, shipment_id="S1", delivered_at=clock.now))


def request(return_id: str, *skus: str) -> returns.RequestReturn:
    lines = tuple(ReturnLine(sku=sku, quantity=n) for sku, n in Counter(skus).items())
    return returns.RequestReturn(return_id=return_id, order_id="o1", lines=lines)


async def refusal(handlers: Handlers, command: object) -> tuple[str, tuple[str, ...] | None]:
    with pytest.raises(DomainError) as caught:
        await handlers.handle(command)
    return caught.value.code, caught.value.field


async def test_a_return_is_judged_by_the_policy_in_force_and_refunded_by_the_version_it_recorded(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "TEE", 5)
    await receive(handlers, "NWK", "GIFT", 5)
    await delivered(handlers, clock, "o1")
    assert (await read_policy_in_force(store, codec)).version == 0  # the default until an admin defines one

    strict = DefineReturnPolicy(
        window_days=14, non_returnable_skus=("GIFT",), restocking_fees=(fee(DAMAGED, "20"),), reason="peak season"
    )
    defined = await handlers.handle(strict, ADMIN)
    assert defined.value.version == 1 and defined.value.defined_at == clock.now
    [stored] = await store.read_stream(return_policy_stream())
    assert stored.decoded_metadata().actor == "admin:ops-lead"  # who defined it, from the command's metadata
    assert (await handlers.handle(strict, ADMIN)).events == []  # the same terms again: no new version

    assert await refusal(handlers, request("r1", "TEE", "GIFT")) == ("NOT_RETURNABLE", ("lines", "1", "sku"))
    clock.advance(days=14, seconds=1)
    assert await refusal(handlers, request("r1", "TEE")) == ("RETURN_WINDOW_CLOSED", ("orderId",))
    clock.advance(seconds=-2)
    requested = await handlers.handle(request("r1", "TEE", "TEE"))
    assert [e.policy_version for e in requested.events if isinstance(e, ReturnRequested)] == [1]

    # A later policy, defined on the version the admin saw; a stale copy is a conflict.
    lenient = DefineReturnPolicy(
        window_days=60, restocking_fees=(fee(DAMAGED, "50"), fee(RESELLABLE, "10")), expected_version=1
    )
    assert await refusal(handlers, DefineReturnPolicy(window_days=90, expected_version=0)) == (
        "CONFLICT",
        ("expectedVersion",),
    )
    assert isinstance((await handlers.handle(lenient, ADMIN)).events[0], ReturnPolicyDefined)
    assert (await read_policy_in_force(store, codec)).window_days == 60

    await handlers.handle(returns.ApproveReturn(return_id="r1"))
    units = (
        ReceivedLine(sku="TEE", quantity=1, condition=RESELLABLE),
        ReceivedLine(sku="TEE", quantity=1, condition=DAMAGED),
    )
    await handlers.handle(returns.ReceiveReturn(return_id="r1", location_code="NWK", lines=units))
    state, _ = await load_state(store, codec, RETURN, return_stream("r1"))
    assert state is not None and state.policy_version == 1

    async def fees(uow: UnitOfWork) -> dict[ItemCondition, Decimal]:
        assert state is not None
        return await restocking_fees_of(uow, state)

    # Version 1's fees, not those of version 2 now in force (50 and 10).
    assert (await execute(handlers.ctx, Metadata(), fees)).value == {DAMAGED: Decimal("20.00"), RESELLABLE: 0}
    settled = await handlers.handle(SettleReturn(return_id="r1"))
    assert settled.value.status is ReturnStatus.REFUNDED


async def test_old_returns_without_a_recorded_version_use_the_default(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "TEE", 5)
    await receive(handlers, "NWK", "GIFT", 5)
    await delivered(handlers, clock, "o1")
    await handlers.handle(request("r0", "GIFT"))  # under the default: everything returnable
    await handlers.handle(DefineReturnPolicy(window_days=30, restocking_fees=(fee(DAMAGED, "15"),)), ADMIN)
    state, _ = await load_state(store, codec, RETURN, return_stream("r0"))
    assert state is not None and state.policy_version == 0

    async def fees(uow: UnitOfWork) -> dict[ItemCondition, Decimal]:
        assert state is not None
        return await restocking_fees_of(uow, state)

    assert (await execute(handlers.ctx, Metadata(), fees)).value == {DAMAGED: 0, RESELLABLE: 0}
