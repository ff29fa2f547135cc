"""Money in the domain: validation per currency, the one rounding rule, prices on orders, refunds from what was
paid (given events, when command, then events), and the property that refunds never exceed what was paid."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest
from hypothesis import event as hypothesis_event
from hypothesis import given as hypothesis_given
from hypothesis import settings
from hypothesis import strategies as st

from app.domain import money, orders, refunds, returns
from app.domain.errors import DomainError
from app.domain.events import Event
from app.domain.money import Money, round_to_currency, valid_money
from app.domain.notifications import NotificationType, notice_for
from app.domain.order_commands import (
    AllocateOrder,
    CancelOrder,
    CancelOrderLines,
    ConfirmPick,
    DispatchShipment,
    EditOrder,
    MarkShipmentDelivered,
    OpenReturn,
    OrderCommand,
    PackShipment,
    PickLine,
    PlaceOrder,
)
from app.domain.order_events import LinePrice, OrderPlaced, OrderRefunded, PlannedShipment, RefundCause
from app.domain.order_state import Order, order_total
from app.domain.pickup_events import ExpirePickup
from app.domain.registry import ALL_EVENTS
from app.domain.return_events import ReceivedLine, RefundLine, ReturnLine, ReturnRefunded, ReturnRequested
from app.domain.returns import Return
from app.domain.values import Address, Coordinates, DeliveryMethod, ItemCondition, Line, ServiceLevel
from eventstore import EventCodec, RecordedEvent
from tests.unit.domain.support import NOW, location

ADDRESS = Address(coordinates=Coordinates(40.7, -74.0))
codec = EventCodec(ALL_EVENTS)


def m(amount: str, currency: str = "USD") -> Money:
    return Money(amount=Decimal(amount), currency=currency)


def refused(code: str, field: tuple[str, ...] | None = None) -> pytest.RaisesExc[DomainError]:
    return pytest.raises(DomainError, check=lambda e: e.code == code and (field is None or e.field == field))


# --- the value ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "normalised"),
    [("19.99", "USD", "19.99"), ("19.9", "USD", "19.90"), ("1000", "JPY", "1000"), ("1.234", "KWD", "1.234"),
     ("0", "EUR", "0.00"), ("19.990", "USD", "19.99")],
)  # fmt: skip
def test_an_amount_within_its_currency_is_kept_exactly_at_the_currency_exponent(
    amount: str, currency: str, normalised: str
) -> None:
    assert f"{valid_money(m(amount, currency)).amount:f}" == normalised


@pytest.mark.parametrize(
    ("amount", "currency", "code", "part"),
    [("19.999", "USD", "INVALID_AMOUNT", "amount"), ("10.5", "JPY", "INVALID_AMOUNT", "amount"),
     ("1.2345", "KWD", "INVALID_AMOUNT", "amount"), ("-0.01", "USD", "INVALID_AMOUNT", "amount"),
     ("NaN", "USD", "INVALID_AMOUNT", "amount"), ("1e13", "USD", "INVALID_AMOUNT", "amount"),
     ("1.00", "ZZZ", "INVALID_CURRENCY", "currency"), ("1.00", "usd", "INVALID_CURRENCY", "currency"),
     ("1.00", "", "INVALID_CURRENCY", "currency")],
)  # fmt: skip
def test_invalid_amounts_and_currencies_are_refused_at_their_field(
    amount: str, currency: str, code: str, part: str
) -> None:
    with refused(code, ("unitPrice", part)):
        valid_money(m(amount, currency), ("unitPrice",))


def test_minor_units_come_from_the_currency_table() -> None:
    assert (money.minor_units("USD"), money.minor_units("JPY"), money.minor_units("KWD")) == (2, 0, 3)


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [("0.125", "USD", "0.12"), ("0.135", "USD", "0.14"), ("2.5", "JPY", "2"), ("3.5", "JPY", "4"),
     ("1.2345", "KWD", "1.234"), ("1.2355", "KWD", "1.236")],
)  # fmt: skip
def test_rounding_is_half_even_to_the_minor_unit(amount: str, currency: str, rounded: str) -> None:
    assert f"{round_to_currency(Decimal(amount), currency):f}" == rounded


def test_the_restocking_fee_comes_off_each_returned_unit_rounded_half_even() -> None:
    assert refunds.returned_unit_refund(m("19.99"), Decimal(15)) == m("16.99")  # 16.9915
    assert refunds.returned_unit_refund(m("1005", "JPY"), Decimal(10)) == m("904", "JPY")  # 904.5, half to even
    assert refunds.returned_unit_refund(m("2.345", "KWD"), Decimal("12.5")) == m("2.052", "KWD")  # 2.051875
    assert refunds.returned_unit_refund(m("19.99")) == m("19.99")
    with refused("INVALID_AMOUNT"):
        refunds.returned_unit_refund(m("19.99"), Decimal(101))


def test_adding_two_currencies_is_refused() -> None:
    with refused("MIXED_CURRENCY"):
        money.add(m("1.00"), m("1", "JPY"))
    assert money.total([]) is None


# --- prices on an order ------------------------------------------------------------------------------------------


def place(*priced: tuple[str, int, Money | None], order_id: str = "o1") -> PlaceOrder:
    return PlaceOrder(
        order_id=order_id,
        customer_id="c1",
        lines=tuple(Line(sku, quantity) for sku, quantity, _ in priced),
        ship_to=ADDRESS,
        prices=tuple(LinePrice(sku=sku, unit_price=price) for sku, _, price in priced if price is not None),
    )


def run(state: Order | None, *commands: OrderCommand) -> tuple[Order | None, list[Event]]:
    """Decides each command on the state the earlier ones left; the state after all, and every event."""
    events: list[Event] = []
    for command in commands:
        fresh = orders.decide(state, command, NOW)
        for event in fresh:
            state = orders.evolve(state, event)
        events += fresh
    return state, events


def test_a_priced_order_records_its_prices_and_what_was_paid() -> None:
    order, events = run(None, place(("TEE", 3, m("19.9")), ("MUG", 1, m("5.00")), ("GIFT", 1, None)))
    placed = events[0]
    assert isinstance(placed, OrderPlaced)
    assert placed.prices == (LinePrice(sku="TEE", unit_price=m("19.90")), LinePrice(sku="MUG", unit_price=m("5.00")))
    assert order is not None and order.paid == m("64.70") and order.refunded is None
    assert order_total(order) == m("64.70")


def test_an_unpriced_order_has_no_total() -> None:
    order, _ = run(None, place(("TEE", 3, None)))
    assert order is not None and order.paid is None and order_total(order) is None


def test_every_bad_price_is_named_at_its_line() -> None:
    command = place(("A", 1, m("1.00")), ("B", 1, m("1.001")), ("C", 1, m("5", "JPY")), ("D", 1, m("1", "XYZ")))
    with pytest.raises(DomainError) as caught:
        orders.decide(None, command, NOW)
    assert [(e.code, e.field) for e in caught.value.reasons] == [
        ("INVALID_AMOUNT", ("lines", "1", "unitPrice", "amount")),
        ("MIXED_CURRENCY", ("lines", "2", "unitPrice", "currency")),
        ("INVALID_CURRENCY", ("lines", "3", "unitPrice", "currency")),
    ]


# --- refunds from what was paid ----------------------------------------------------------------------------------


def test_cancelled_units_are_refunded_in_the_same_decision() -> None:
    order, _ = run(None, place(("TEE", 3, m("19.99")), ("GIFT", 2, None)))
    order, events = run(order, CancelOrderLines(order_id="o1", lines=(Line("TEE", 2), Line("GIFT", 1))))
    refund = events[-1]
    assert isinstance(refund, OrderRefunded)
    assert (refund.amount, refund.cause, refund.lines) == (
        m("39.98"),
        RefundCause.CANCELLED,
        (Line("TEE", 2), Line("GIFT", 1)),
    )
    assert order is not None and order.refunded == m("39.98") and order_total(order) == m("19.99")
    order, events = run(order, CancelOrder(order_id="o1"))
    assert [type(e).__name__ for e in events] == ["OrderCancelled", "OrderRefunded"]
    assert order is not None and order.refunded == m("59.97") and order_total(order) == m("0.00")


def test_units_edited_away_are_refunded_with_the_edit() -> None:
    order, _ = run(None, place(("TEE", 3, m("19.99")), ("MUG", 1, m("5.00"))))
    order, events = run(order, EditOrder(order_id="o1", lines=(Line("TEE", 1),)))
    assert [type(e).__name__ for e in events] == ["OrderEdited", "OrderRefunded"]
    refund = events[-1]
    assert isinstance(refund, OrderRefunded)
    assert (refund.amount, refund.cause) == (m("44.98"), RefundCause.EDITED)  # 2 tees and the mug
    assert order is not None and order.refunded == m("44.98") and order_total(order) == m("19.99")


def test_units_an_edit_adds_are_paid_at_their_lines_price_and_refundable() -> None:
    order, _ = run(None, place(("TEE", 1, m("19.99"))))
    more = EditOrder(
        order_id="o1", lines=(Line("TEE", 2), Line("MUG", 1)), prices=(LinePrice(sku="MUG", unit_price=m("5")),)
    )
    order, events = run(order, more)
    assert [type(e).__name__ for e in events] == ["OrderEdited"]
    assert order is not None and order.paid == m("44.98") and order_total(order) == m("44.98")
    # Refunding the added units is no longer capped at what the first placement paid.
    order, events = run(order, CancelOrder(order_id="o1"))
    assert order is not None and order.refunded == m("44.98")


def test_an_edit_keeps_the_price_paid_and_the_orders_currency() -> None:
    order, _ = run(None, place(("TEE", 1, m("19.99"))))
    repriced = EditOrder(order_id="o1", lines=(Line("TEE", 1),), prices=(LinePrice(sku="TEE", unit_price=m("9.99")),))
    with refused("INVALID_INPUT", ("lines", "0", "unitPrice")):
        orders.decide(order, repriced, NOW)
    euros = EditOrder(
        order_id="o1",
        lines=(Line("TEE", 1), Line("MUG", 1)),
        prices=(LinePrice(sku="MUG", unit_price=m("5.00", "EUR")),),
    )
    with refused("MIXED_CURRENCY", ("lines", "1", "unitPrice", "currency")):
        orders.decide(order, euros, NOW)


def test_an_uncollected_pickup_is_refunded_when_its_hold_expires() -> None:
    shipment = PlannedShipment(
        shipment_id="S1", location_code="ST1", lines=(Line("TEE", 2),), kind=DeliveryMethod.PICKUP
    )
    order, _ = run(None, place(("TEE", 2, m("10.00"))))
    order, _ = run(order, AllocateOrder(order_id="o1", shipments=(shipment,)))
    pick = ConfirmPick(order_id="o1", shipment_id="S1", lines=(PickLine(sku="TEE", picked=2),), pickup_code="123456")
    order, _ = run(order, pick)
    assert order is not None and order.shipments[0].expires_at is not None
    expired = orders.decide(order, ExpirePickup(order_id="o1", shipment_id="S1"), order.shipments[0].expires_at)
    assert [type(e).__name__ for e in expired] == ["PickupExpired", "OrderLinesCancelled", "OrderRefunded"]
    refund = expired[-1]
    assert isinstance(refund, OrderRefunded)
    assert (refund.amount, refund.cause) == (m("20.00"), RefundCause.PICKUP_EXPIRED)


def test_cancelling_an_unpriced_order_refunds_nothing() -> None:
    order, _ = run(None, place(("TEE", 3, None)))
    _, events = run(order, CancelOrder(order_id="o1"))
    assert [type(e).__name__ for e in events] == ["OrderCancelled"]


def test_a_refund_never_exceeds_the_units_price_or_what_is_left() -> None:
    order, _ = run(None, place(("TEE", 2, m("10.00"))))
    assert order is not None
    with refused("REFUND_EXCEEDS_PAID", ("amount", "amount")):
        refunds.refund_for(order, [Line("TEE", 1)], RefundCause.RETURNED, NOW, amount=m("10.01"))
    with refused("MIXED_CURRENCY", ("amount", "currency")):
        refunds.refund_for(order, [Line("TEE", 1)], RefundCause.RETURNED, NOW, amount=m("10", "JPY"))
    order, _ = run(order, CancelOrderLines(order_id="o1", lines=(Line("TEE", 1),)))
    assert order is not None and order.refunded == m("10.00")
    with refused("REFUND_EXCEEDS_PAID"):  # the unit price would allow it; what is left does not
        refunds.refund_for(order, [Line("TEE", 2)], RefundCause.EDITED, NOW)
    assert refunds.refund_for(order, [Line("TEE", 1)], RefundCause.PICKUP_EXPIRED, NOW, amount=m("0.00")) is None


def test_a_refund_notifies_the_customer_with_the_exact_amount() -> None:
    refund = OrderRefunded(
        order_id="o1", amount=m("1.005", "KWD"), cause=RefundCause.CANCELLED, lines=(Line("A", 1),), refunded_at=NOW
    )
    notice = notice_for(refund, "ev-1")
    assert notice is not None and notice.type is NotificationType.REFUND_ISSUED
    assert notice.data == {"amount": "1.005", "currency": "KWD", "cause": "CANCELLED", "returnId": None}


# --- returns refund the paid price -------------------------------------------------------------------------------


class World:
    """An order and its returns, driven through both aggregates the way the return handler does."""

    def __init__(self, *priced: tuple[str, int, Money | None]) -> None:
        self.order, _ = run(None, place(*priced))
        self.returns: dict[str, Return | None] = {}
        self.refunds: list[OrderRefunded] = []

    def order_does(self, *commands: OrderCommand) -> None:
        self.order, events = run(self.order, *commands)
        self.refunds += [e for e in events if isinstance(e, OrderRefunded)]

    def deliver_everything(self) -> None:
        assert self.order is not None
        left = tuple(Line(s.sku, s.ordered - s.cancelled) for s in orders.line_summaries(self.order))
        lines = tuple(line for line in left if line.quantity > 0)
        shipment = PlannedShipment(shipment_id=f"s{len(self.order.shipments)}", location_code="DC1", lines=lines)
        sid, oid = shipment.shipment_id, self.order.order_id
        self.order_does(
            AllocateOrder(order_id=oid, shipments=(shipment,)),
            PackShipment(order_id=oid, shipment_id=sid),
            DispatchShipment(order_id=oid, shipment_id=sid, carrier="ups", tracking_number="1Z"),
            MarkShipmentDelivered(order_id=oid, shipment_id=sid, delivered_at=NOW),
        )

    def return_does(self, return_id: str, command: returns.ReturnCommand, **kw: object) -> list[Event]:
        state = self.returns.get(return_id)
        events = returns.decide(state, command, NOW, order=self.order, location=location("RC1"), **kw)  # type: ignore[arg-type]
        for event in events:
            state = returns.evolve(state, event)
            assert state is not None
            follow: OrderCommand | None = returns.order_close_for(state, event) or returns.order_refund_for(
                state, event
            )
            if isinstance(event, ReturnRequested):
                claimed = tuple(Line(line.sku, line.quantity) for line in state.lines)
                follow = OpenReturn(order_id=state.order_id, return_id=return_id, lines=claimed)
            if follow is not None:
                self.order_does(follow)
        self.returns[return_id] = state
        return events

    def bring_back(self, return_id: str, *lines: ReceivedLine) -> None:
        totals: dict[str, int] = {}
        for line in lines:
            totals[line.sku] = totals.get(line.sku, 0) + line.quantity
        asked = tuple(ReturnLine(sku=sku, quantity=quantity) for sku, quantity in totals.items())
        self.return_does(return_id, returns.RequestReturn(return_id=return_id, order_id="o1", lines=asked))
        self.return_does(return_id, returns.ApproveReturn(return_id=return_id))
        self.return_does(return_id, returns.ReceiveReturn(return_id=return_id, location_code="RC1", lines=lines))


def test_a_received_return_refunds_the_paid_price_less_the_fee_of_its_condition() -> None:
    world = World(("TEE", 3, m("19.99")), ("MUG", 1, m("5.00")), ("GIFT", 1, None))
    world.deliver_everything()
    world.bring_back(
        "r1",
        ReceivedLine(sku="TEE", quantity=1, condition=ItemCondition.RESELLABLE),
        ReceivedLine(sku="TEE", quantity=1, condition=ItemCondition.DAMAGED),
        ReceivedLine(sku="GIFT", quantity=1, condition=ItemCondition.RESELLABLE),
    )
    fees = {ItemCondition.DAMAGED: Decimal(15)}
    [refunded] = world.return_does("r1", returns.RefundReturn(return_id="r1"), restocking_fees=fees)
    assert isinstance(refunded, ReturnRefunded)
    assert refunded.amount == m("36.98")  # 19.99 + 16.99 (19.99 less 15%, half-even); the gift was never priced
    assert refunded.lines == (RefundLine(sku="TEE", amount=Decimal("36.98")),)
    state = world.returns["r1"]
    assert state is not None and state.refund == m("36.98") and state.refund_amount == Decimal("36.98")
    assert [(r.amount, r.cause, r.return_id) for r in world.refunds] == [(m("36.98"), RefundCause.RETURNED, "r1")]
    assert world.order is not None and world.order.refunded == m("36.98")


def test_an_operator_may_refund_a_return_less_never_more() -> None:
    world = World(("TEE", 3, m("1000", "JPY")))
    world.deliver_everything()
    world.bring_back("r1", ReceivedLine(sku="TEE", quantity=2, condition=ItemCondition.RESELLABLE))
    with refused("REFUND_EXCEEDS_PAID", ("amount",)):
        world.return_does("r1", returns.RefundReturn(return_id="r1", amount=m("2001", "JPY")))
    with refused("REFUND_EXCEEDS_PAID", ("lines", "0", "amount")):
        too_much = (RefundLine(sku="TEE", amount=Decimal(2001)),)
        world.return_does("r1", returns.RefundReturn(return_id="r1", lines=too_much))
    with refused("MIXED_CURRENCY", ("amount", "currency")):
        world.return_does("r1", returns.RefundReturn(return_id="r1", amount=m("10.00")))
    with refused("INVALID_AMOUNT", ("amount", "amount")):
        world.return_does("r1", returns.RefundReturn(return_id="r1", amount=m("10.5", "JPY")))
    world.return_does("r1", returns.RefundReturn(return_id="r1", amount=m("1500", "JPY"), reason="worn"))
    assert [(r.amount, r.reason) for r in world.refunds] == [(m("1500", "JPY"), "worn")]


def test_a_return_of_an_unpriced_order_settles_without_an_amount() -> None:
    world = World(("TEE", 1, None))
    world.deliver_everything()
    world.bring_back("r1", ReceivedLine(sku="TEE", quantity=1, condition=ItemCondition.RESELLABLE))
    [refunded] = world.return_does("r1", returns.RefundReturn(return_id="r1"))
    assert isinstance(refunded, ReturnRefunded) and refunded.amount is None and world.refunds == []


# --- exact through the log ---------------------------------------------------------------------------------------


def recorded(event: Event, data: str | None = None) -> RecordedEvent:
    new = codec.encode(event)
    return RecordedEvent(
        global_position=1,
        transaction_id=1,
        stream_id="order-o1",
        stream_version=1,
        event_id=new.event_id,
        event_type=new.event_type,
        schema_version=new.schema_version,
        data=data if data is not None else new.data,
        metadata=new.metadata,
        recorded_at=NOW,
    )


amounts = st.sampled_from(["USD", "JPY", "KWD"]).flatmap(
    lambda c: st.builds(
        lambda units: Money(amount=Decimal(units).scaleb(-money.minor_units(c)), currency=c),
        st.integers(min_value=0, max_value=10**14),
    )
)


@hypothesis_given(amounts)
def test_amounts_round_trip_exactly_through_the_event_codec(amount: Money) -> None:
    refund = OrderRefunded(
        order_id="o1", amount=amount, cause=RefundCause.RETURNED, lines=(Line("A", 1),), refunded_at=NOW
    )
    back = codec.decode(recorded(refund))
    assert back == refund and f"{back.amount.amount:f}" == f"{amount.amount:f}"
    assert msgspec.json.decode(msgspec.json.encode(amount), type=Money) == amount


def test_events_recorded_before_prices_existed_still_decode() -> None:
    placed = OrderPlaced(
        order_id="o1",
        customer_id="c1",
        lines=(Line("A", 1),),
        ship_to=ADDRESS,
        service_level=ServiceLevel.STANDARD,
        priority=0,
        channel="web",
        placed_at=NOW,
    )
    old = msgspec.json.decode(codec.encode(placed).data)
    del old["prices"]
    decoded = codec.decode(recorded(placed, msgspec.json.encode(old).decode()))
    assert decoded == placed and decoded.prices == ()
    old_refund = '{"return_id":"r-1","lines":[{"sku":"A","amount":"19.99"}],"refunded_at":"2025-03-05T10:00:00Z"}'
    refund = codec.decode(recorded(ReturnRefunded(return_id="r-1", lines=(), refunded_at=NOW), old_refund))
    assert (refund.amount, refund.lines[0].amount) == (None, Decimal("19.99"))


# --- the property: Σ refunds ≤ Σ paid, whatever happens --------------------------------------------------------

SKUS = ("A", "B", "C")
cancel_lines = st.tuples(st.just("cancel_lines"), st.integers(0, 2), st.integers(1, 4))
a_return = st.tuples(
    st.just("return"),
    st.integers(0, 2),
    st.integers(1, 3),
    st.sampled_from(list(ItemCondition)),
    st.one_of(st.none(), st.integers(0, 300_000)),  # an operator's figure, in minor units
    st.sampled_from([Decimal(0), Decimal("12.5"), Decimal(100)]),
)
steps = st.one_of(cancel_lines, st.tuples(st.just("cancel_order")), a_return, a_return, a_return)


@settings(max_examples=500, deadline=None)
@hypothesis_given(
    currency=st.sampled_from(["USD", "JPY", "KWD", "EUR"]),
    lines=st.lists(
        st.tuples(st.integers(1, 5), st.one_of(st.none(), st.integers(0, 100_000), st.integers(1, 999))),
        min_size=1,
        max_size=3,
    ),
    # A few cancels, a delivery of what is left, then anything: most histories get to returns.
    plan=st.tuples(st.lists(cancel_lines, max_size=2), st.lists(steps, min_size=2, max_size=8)).map(
        lambda parts: [*parts[0], ("deliver",), *parts[1]]
    ),
)
def test_refunds_never_exceed_what_was_paid(
    currency: str, lines: list[tuple[int, int | None]], plan: list[tuple[object, ...]]
) -> None:
    unit = Decimal(1).scaleb(-money.minor_units(currency))
    priced = [
        (SKUS[i], quantity, None if cents is None else Money(amount=cents * unit, currency=currency))
        for i, (quantity, cents) in enumerate(lines)
    ]
    world = World(*priced)
    returns_made = 0
    for step in plan:
        try:
            match step:
                case ("cancel_lines", int(i), int(quantity)) if i < len(priced):
                    world.order_does(CancelOrderLines(order_id="o1", lines=(Line(SKUS[i], quantity),)))
                case ("cancel_order",):
                    world.order_does(CancelOrder(order_id="o1"))
                case ("deliver",):
                    world.deliver_everything()
                case ("return", int(i), int(quantity), ItemCondition() as condition, override, Decimal() as fee):
                    if i >= len(priced):
                        continue
                    returns_made += 1
                    rid = f"r{returns_made}"
                    world.bring_back(rid, ReceivedLine(sku=SKUS[i], quantity=quantity, condition=condition))
                    amount = None if not isinstance(override, int) else Money(amount=override * unit, currency=currency)
                    refund = returns.RefundReturn(return_id=rid, amount=amount)
                    world.return_does(rid, refund, restocking_fees={condition: fee})
        except DomainError as refusal:
            hypothesis_event(f"refused {step[0]}: {refusal.code}")  # refused: nothing changed
        order = world.order
        assert order is not None
        total_refunded = sum((r.amount.amount for r in world.refunds), Decimal(0))
        if order.paid is None:
            assert world.refunds == [] and order.refunded is None
            continue
        assert all(r.amount.currency == currency and r.amount.amount > 0 for r in world.refunds)
        assert total_refunded == (order.refunded.amount if order.refunded else 0)
        assert total_refunded <= order.paid.amount
        total = order_total(order)
        assert total is not None and total.amount <= order.paid.amount
    hypothesis_event(f"refunded for: {sorted({r.cause.value for r in world.refunds})}")  # --hypothesis-show-statistics
