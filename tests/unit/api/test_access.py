"""The access rules themselves, without a server: one function per resource (app/api/access.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.api import access
from app.domain.order_state import Order, Shipment
from app.domain.values import Address, Coordinates, Line, ServiceLevel, ShipmentStatus
from app.security import Principal, Role, issue_token, read_token

SECRET = "a-test-secret-of-at-least-thirty-two-bytes"

ADMIN = Principal("admin", Role.ADMIN)
SERVICE = Principal("worker", Role.SERVICE)
NEWARK = Principal("op", Role.OPERATOR, locations=frozenset({"NWK"}))
UNSCOPED = Principal("op", Role.OPERATOR)
ALICE = Principal("alice", Role.CUSTOMER, customer_id="alice")
BOB = Principal("bob", Role.CUSTOMER, customer_id="bob")


def order(*at: str) -> Order:
    return Order(
        order_id="o-1",
        customer_id="alice",
        lines=(Line("TEE", 1),),
        ship_to=Address(coordinates=Coordinates(40.7, -74.0)),
        service_level=ServiceLevel.STANDARD,
        priority=0,
        channel="web",
        placed_at=datetime(2026, 1, 1, tzinfo=UTC),
        shipments=tuple(
            Shipment(
                shipment_id=f"s-{code}", location_code=code, status=ShipmentStatus.PLANNED, lines=(Line("TEE", 1),)
            )
            for code in at
        ),
    )


def test_an_operator_token_without_a_locations_claim_reaches_no_location() -> None:
    unscoped = read_token(SECRET, issue_token(SECRET, Role.OPERATOR))
    assert unscoped.locations == frozenset()
    assert not access.can_act_at(unscoped, "NWK") and not access.can_see_stock_at(unscoped, "NWK")
    assert not access.can_see_order(unscoped, order("NWK"))
    assert access.can_see_stock_at(NEWARK, "NWK") and not access.can_see_stock_at(NEWARK, "CHI")


def test_orders_are_seen_by_their_customer_and_the_operators_they_ship_from() -> None:
    placed = order("NWK")
    assert [access.can_see_order(p, placed) for p in (ADMIN, SERVICE, NEWARK, UNSCOPED, ALICE, BOB, None)] == [
        True, True, True, False, True, False, False,
    ]  # fmt: skip
    assert not access.can_see_order(NEWARK, order("CHI"))
    assert [access.can_manage_order(p, placed) for p in (ADMIN, SERVICE, NEWARK, ALICE, BOB)] == [
        True, True, False, True, False,
    ]  # fmt: skip
    assert access.can_see_return(ALICE, placed) and not access.can_see_return(BOB, placed)
    assert not access.can_see_return(ADMIN, None)  # a return whose order is unknown is nobody's


def test_priority_is_set_by_staff_and_services_never_by_a_customer() -> None:
    assert access.may_set_priority(ADMIN) and access.may_set_priority(SERVICE)
    assert not access.may_set_priority(ALICE) and not access.may_set_priority(NEWARK)
    assert access.can_place_order_for(ALICE, "alice") and not access.can_place_order_for(ALICE, "bob")
    assert not access.can_place_order_for(NEWARK, "alice")


def test_a_customer_sees_its_orders_facts_not_the_networks_reasoning() -> None:
    decided = {"order_id": "o-1", "decided_at": "x", "candidates": [{"location_code": "CHI", "cost": 9.5}]}
    assert access.history_entry_view(ALICE, "SourcingDecided", decided, "service:worker") == (
        {"order_id": "o-1", "decided_at": "x"},
        None,
    )
    assert access.history_entry_view(ADMIN, "SourcingDecided", decided, "service:worker") == (decided, "service:worker")
    placed = {"order_id": "o-1", "customer_id": "alice", "lines": []}
    assert access.history_entry_view(ALICE, "OrderPlaced", placed, "customer:alice") == (placed, "customer:alice")
    cancelled = {"order_id": "o-1", "reason": "r", "released": [{"location_code": "CHI"}], "cancelled_at": "t"}
    assert access.history_entry_view(ALICE, "OrderCancelled", cancelled, "admin:a")[0] == {
        "order_id": "o-1", "reason": "r", "cancelled_at": "t",
    }  # fmt: skip
    assert access.history_entry_view(ALICE, "SomethingNew", {"order_id": "o-1", "secret": 1}, None)[0] == {
        "order_id": "o-1"
    }  # an event type nobody classified yet starts hidden


def test_a_principal_knows_when_its_token_expires() -> None:
    token = issue_token(SECRET, Role.ADMIN, ttl_seconds=60, now=1_000_000)
    assert read_token(SECRET, token, now=1_000_001).expires_at == 1_000_060


def test_a_pickup_code_is_read_by_its_customer_its_counters_operators_and_admins() -> None:
    both = order("NWK", "CHI")  # seen by NWK's operator for its shipment, wherever the pickup is
    callers = (ADMIN, SERVICE, NEWARK, UNSCOPED, ALICE, BOB, None)
    assert [access.can_read_pickup_code(p, both, "NWK") for p in callers] == [
        True, False, True, False, True, False, False,
    ]  # fmt: skip
    assert access.can_see_order(NEWARK, both) and not access.can_read_pickup_code(NEWARK, both, "CHI")


def test_no_history_shows_a_pickup_code() -> None:
    data = {"order_id": "o-1", "shipment_id": "S1", "pickup_code": "042917", "ready_at": "x", "expires_at": "y"}
    for principal in (ADMIN, SERVICE, NEWARK, ALICE):
        shown, _ = access.history_entry_view(principal, "ShipmentReadyForPickup", data, None)
        assert "pickup_code" not in shown and shown["shipment_id"] == "S1"
