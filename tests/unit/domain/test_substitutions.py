"""Substitution lists: given events, when SetSubstitutes, then events — and every refusal at its field."""

from __future__ import annotations

import msgspec
import pytest

from app.domain import EVENTS_BY_NAME, orders
from app.domain.errors import DomainError
from app.domain.events import Event
from app.domain.order_commands import PlaceOrder
from app.domain.order_events import OrderPlaced
from app.domain.substitutions import (
    MAX_SUBSTITUTES,
    SetSubstitutes,
    SubstituteLine,
    SubstitutesSet,
    Substitution,
    decide,
    evolve,
)
from app.domain.values import Address, Coordinates, Line
from tests.unit.domain.support import NOW, given


def after(state: Substitution | None, events: list[Event]) -> Substitution | None:
    return given(evolve, state, events)


def refusals(command: SetSubstitutes) -> list[tuple[str, tuple[str, ...] | None]]:
    with pytest.raises(DomainError) as refused:
        decide(None, command, NOW)
    return [(r.code, r.field) for r in refused.value.reasons]


def test_a_list_is_set_whole_and_replaced_whole() -> None:
    events = decide(None, SetSubstitutes(sku="oat-500", substitutes=("oat-1000", "soy-500")), NOW)
    assert events == [SubstitutesSet(sku="oat-500", substitutes=("oat-1000", "soy-500"), set_at=NOW)]
    state = after(None, events)
    assert state == Substitution(sku="oat-500", substitutes=("oat-1000", "soy-500"))
    shorter = decide(state, SetSubstitutes(sku="oat-500", substitutes=("soy-500",)), NOW)
    assert after(state, shorter) == Substitution(sku="oat-500", substitutes=("soy-500",))
    cleared = decide(state, SetSubstitutes(sku="oat-500", substitutes=()), NOW)
    assert after(state, cleared) == Substitution(sku="oat-500", substitutes=())


def test_the_same_list_again_appends_nothing_but_a_new_order_of_preference_does() -> None:
    state = Substitution(sku="oat-500", substitutes=("oat-1000", "soy-500"))
    assert decide(state, SetSubstitutes(sku="oat-500", substitutes=("oat-1000", "soy-500")), NOW) == []
    assert decide(state, SetSubstitutes(sku="oat-500", substitutes=("soy-500", "oat-1000")), NOW) != []


def test_every_problem_is_refused_at_once_each_at_its_field() -> None:
    command = SetSubstitutes(sku="oat-500", substitutes=("oat-500", "soy", "soy", " ", "x" * 201, " padded"))
    assert refusals(command) == [
        ("SELF_SUBSTITUTION", ("substitutes", "0")),
        ("DUPLICATE", ("substitutes", "2")),
        ("INVALID_INPUT", ("substitutes", "3")),
        ("INVALID_INPUT", ("substitutes", "4")),
        ("INVALID_INPUT", ("substitutes", "5")),
    ]
    assert refusals(SetSubstitutes(sku="", substitutes=("soy",))) == [("INVALID_INPUT", ("sku",))]
    assert refusals(SetSubstitutes(sku="s" * 201, substitutes=())) == [("INVALID_INPUT", ("sku",))]
    too_many = SetSubstitutes(sku="oat", substitutes=tuple(f"s{i}" for i in range(MAX_SUBSTITUTES + 1)))
    assert refusals(too_many) == [("INVALID_INPUT", ("substitutes",))]


def test_the_event_is_registered() -> None:
    assert EVENTS_BY_NAME["SubstitutesSet"] is SubstitutesSet


# Orders record their substitute lines.

SHIP_TO = Address(coordinates=Coordinates(52.1, 4.3))


def place(*substitutes: SubstituteLine) -> PlaceOrder:
    lines = (Line("oat-1000", 2), Line("bread", 1))
    return PlaceOrder(order_id="o1", customer_id="c1", lines=lines, ship_to=SHIP_TO, substitutions=substitutes)


def test_an_order_records_which_lines_stand_in_for_another_sku() -> None:
    swap = SubstituteLine(sku="oat-1000", replaces="oat-500")
    (placed,) = orders.decide(None, place(swap), NOW)
    assert isinstance(placed, OrderPlaced) and placed.substitutions == (swap,)
    order = orders.evolve(None, placed)
    assert order is not None and order.substitutions == (swap,) and order.lines == place().lines


def test_an_order_placed_before_substitutes_existed_has_none() -> None:
    (placed,) = orders.decide(None, place(), NOW)
    old = msgspec.json.encode(placed).replace(b',"substitutions":[]', b"")
    assert b"substitutions" not in old
    assert msgspec.json.decode(old, type=OrderPlaced).substitutions == ()


def test_substitute_lines_are_refused_at_the_line_they_mark() -> None:
    with pytest.raises(DomainError) as refused:
        orders.decide(
            None,
            place(
                SubstituteLine(sku="bread", replaces="bread"),
                SubstituteLine(sku="oat-1000", replaces=""),
                SubstituteLine(sku="tea", replaces="coffee"),
            ),
            NOW,
        )
    assert [(r.code, r.field) for r in refused.value.reasons] == [
        ("SELF_SUBSTITUTION", ("lines", "1", "replaces")),
        ("INVALID_INPUT", ("lines", "0", "replaces")),
        ("INVALID_INPUT", ("lines",)),
    ]
