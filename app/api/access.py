"""Who may see or act on what: one function per resource, and every path to it calls that function.

A query, a subscription, `node` and a mutation reach the same order, return, stock level or location; deciding
here, once, is what keeps them from disagreeing (an order hidden from `order` but streamed by `orderUpdated`).
`docs/security.md` states the same rules as a role-by-operation table, and tests/e2e/test_access_table.py runs
that table against the app.

Roles: `admin` everything; `service` (workers, integrations) everything but the ledger and creating or changing
locations; `operator` the stock and shipments of the locations its token names (no `locations` claim: no location);
`customer` its own orders. Anonymous callers reach only `fulfillmentOptions`, `pickupOptions`, `deliveryWindows`,
`alternatives`, `substitutes` and `returnPolicy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.order_state import Order
from app.domain.returns import Return
from app.security import Principal, Role

from .context import Info

STAFF = frozenset({Role.ADMIN, Role.SERVICE, Role.OPERATOR})


# Orders, and what hangs off them (shipments, returns, history, sourcing decision).


def can_see_order(principal: Principal | None, order: Order) -> bool:
    """Customers their own; operators those with a shipment at one of their locations; admin and service all."""
    if principal is None:
        return False
    if principal.role is Role.CUSTOMER:
        return order.customer_id == principal.customer_id
    if principal.role is Role.OPERATOR:
        return any(s.location_code in principal.locations for s in order.shipments)
    return True


def can_manage_order(principal: Principal | None, order: Order) -> bool:
    """Cancel it, ask to return from it: its customer, admin and service (operators work on shipments only)."""
    return principal is not None and principal.role is not Role.OPERATOR and can_see_order(principal, order)


def can_read_pickup_code(principal: Principal | None, order: Order, location_code: str) -> bool:
    """The code that hands a pickup over: its customer (who says it at the counter), the operators of the counter
    that checks it, and admins. Not services, nor operators elsewhere who see the order for another shipment."""
    if principal is None:
        return False
    if principal.role is Role.CUSTOMER:
        return order.customer_id == principal.customer_id
    if principal.role is Role.OPERATOR:
        return location_code in principal.locations
    return principal.role is Role.ADMIN


def can_see_return(principal: Principal | None, owner: Order | None) -> bool:
    """A return is seen by whoever sees the order it returns from."""
    return owner is not None and can_see_order(principal, owner)


def sees_network(principal: Principal | None) -> bool:
    """The network's reasoning (every candidate location, its cost, who on staff did what) is for staff only;
    a customer sees its order and where its shipments come from."""
    return principal is not None and principal.role in STAFF


def can_place_order_for(principal: Principal, customer_id: str) -> bool:
    """A customer places orders for itself; admin and service for anyone; operators not at all."""
    if principal.role is Role.CUSTOMER:
        return principal.customer_id == customer_id
    return principal.role in (Role.ADMIN, Role.SERVICE)


def can_manage_cart(principal: Principal | None, customer_id: str) -> bool:
    """Reserve, read or release a cart reservation: its customer, admin and service (operators not at all)."""
    if principal is None:
        return False
    if principal.role is Role.CUSTOMER:
        return principal.customer_id == customer_id
    return principal.role in (Role.ADMIN, Role.SERVICE)


@dataclass(frozen=True)
class OrderReach:
    """The orders a search may list: a customer's (None: anyone's), with a shipment at one of some locations
    (None: anywhere; empty: none)."""

    customer_id: str | None
    location_codes: frozenset[str] | None


def orders_in_reach(principal: Principal, customer_id: str | None, location_code: str | None) -> OrderReach | None:
    """What a page of `orders` lists when `principal` asks for this customer's orders at this location; None:
    refused. As `can_see_order`: a customer's page is always its own whatever it asks for; an operator's, the
    orders with a shipment at its locations (naming another location is refused, as for stock and queues);
    admin and service anyone's."""
    asked = None if location_code is None else frozenset({location_code})
    if principal.role is Role.CUSTOMER:
        return None if principal.customer_id is None else OrderReach(principal.customer_id, asked)
    if principal.role is Role.OPERATOR:
        if location_code is not None and location_code not in principal.locations:
            return None
        return OrderReach(customer_id, asked if asked is not None else principal.locations)
    return OrderReach(customer_id, asked)


def may_set_priority(principal: Principal) -> bool:
    """Priority decides who gets scarce stock first: set by staff and services (or left to rules), never by
    the customer it would favour."""
    return principal.role in (Role.ADMIN, Role.SERVICE)


# Locations and the stock they hold.


def can_act_at(principal: Principal, location_code: str) -> bool:
    """Change stock, pick, pack or dispatch shipments, receive returns at a location."""
    if principal.role is Role.OPERATOR:
        return location_code in principal.locations
    return principal.role in (Role.ADMIN, Role.SERVICE)


def can_see_work_at(principal: Principal, location_code: str) -> bool:
    """A location's fulfilment queue, its pick list and the stream of its queue's changes are seen by whoever may
    pick, pack and dispatch there."""
    return can_act_at(principal, location_code)


def can_see_stock_at(principal: Principal, location_code: str) -> bool:
    """Stock levels (the `inventory` query and the `inventoryChanged` stream alike) are seen where one may act."""
    return can_act_at(principal, location_code)


def can_see_delivery_slots_at(principal: Principal, location_code: str) -> bool:
    """How full a location's delivery windows are is its own work, seen where its queue is (`can_see_work_at`);
    changing their capacity is a location setting (`can_manage_locations`)."""
    return can_see_work_at(principal, location_code)


def can_see_capacity_used_at(principal: Principal | None, location_code: str) -> bool:
    """How much of a location's day is taken is part of its work (`can_see_work_at`): an operator sees its own
    locations' only, a customer meeting a location as its shipment's origin none."""
    return principal is not None and can_see_work_at(principal, location_code)


def can_see_locations(principal: Principal) -> bool:
    """The network's locations (`locations`, `node`): staff. Customers meet a location only as the origin of
    their own shipments."""
    return principal.role in STAFF


def can_manage_locations(principal: Principal) -> bool:
    """Create a location or change its settings (capabilities, SLAs, activity, delivery capacity): the shape of
    the network is the admin's, not the workers' nor a store's own operator's."""
    return principal.role is Role.ADMIN


def can_read_ledger(principal: Principal) -> bool:
    """The log itself (`events`), its verification (`verifyLog`) and the last result (`lastVerification`): every
    fact about everyone, and a walk of all of it. Admins only: there is no auditor role (app/security.py), and
    services read the log through their own followers, not the API."""
    return principal.role is Role.ADMIN


def can_watch_system(principal: Principal) -> bool:
    """The system's state (readers' lag, queues, admission) and the order flow across the whole network: admin
    only, like the ledger they are read from."""
    return principal.role is Role.ADMIN


# Sourcing profiles: the rules every decision applies.


def can_see_sourcing_profiles(principal: Principal) -> bool:
    """Staff: the rules explain the network's decisions, which only staff see (`sees_network`)."""
    return sees_network(principal)


def can_define_sourcing_profile(principal: Principal) -> bool:
    """A new version of `default` changes every decision made after it: the admin's alone."""
    return principal.role is Role.ADMIN


def can_simulate_sourcing(principal: Principal) -> bool:
    """What-if re-sources a period of past orders with a draft: the admin who would define it (and a costly
    query, not for every caller)."""
    return principal.role is Role.ADMIN


def stock_locations_of(principal: Principal) -> frozenset[str] | None:
    """The locations whose stock a listing shows: an operator's own (`can_see_stock_at`); None: every one."""
    return principal.locations if principal.role is Role.OPERATOR else None


# The return policy.


def can_see_return_policy(principal: Principal | None) -> bool:
    """Anyone, without a token: shops show the policy at checkout, and it holds nothing about anyone."""
    return True


def can_define_return_policy(principal: Principal) -> bool:
    """What every customer's returns are judged by is the admin's, as the sourcing rules are."""
    return principal.role is Role.ADMIN


def can_see_alternatives(principal: Principal | None) -> bool:
    """Anyone, like `fulfillmentOptions`: what else a cart could be, with its public limits (`cart`)."""
    return True


def can_see_substitutes(principal: Principal | None) -> bool:
    """Anyone: shops show what may stand in for a product, and the list names no one."""
    return True


def can_set_substitutes(principal: Principal) -> bool:
    """What may be sent instead of what a customer ordered is the merchant's call: admin only."""
    return principal.role is Role.ADMIN


async def visible_order(info: Info, order_id: str) -> Order | None:
    """The order if it exists and the caller may see it; None otherwise (no leak of its existence)."""
    order = await info.context.loaders.orders.load(order_id)
    return order if order is not None and can_see_order(info.context.principal, order) else None


async def visible_return(info: Info, return_id: str) -> Return | None:
    state = await info.context.loaders.returns.load(return_id)
    owner = await info.context.loaders.orders.load(state.order_id) if state is not None else None
    return state if state is not None and can_see_return(info.context.principal, owner) else None


# What a customer sees of its own order's history: the facts about its order, not the network's reasoning.
# Per event type, the fields it keeps; a type not listed keeps only its order id (new events start hidden).
_CUSTOMER_FIELDS: dict[str, frozenset[str]] = {
    "OrderPlaced": frozenset(
        {
            "customer_id",
            "lines",
            "ship_to",
            "service_level",
            "priority",
            "channel",
            "placed_at",
            "idempotency_key",
            "replacement_for",
            "prices",  # what the customer paid
        }
    ),
    "OrderAllocated": frozenset({"shipments", "allocated_at"}),  # its shipments' locations and lines
    "OrderBackordered": frozenset({"lines"}),
    "OrderCancelled": frozenset({"reason", "cancelled_at"}),  # not the stock reservations released
    "OrderLinesCancelled": frozenset({"lines", "reductions", "reason"}),
    "OrderEdited": frozenset({"lines", "cancelled", "reductions", "ship_to", "service_level", "edited_at"}),
    "AllocationReverted": frozenset({"shipment_id", "sku", "quantity"}),  # not the stock count behind it
    "ShipmentPicked": frozenset({"shipment_id", "picked_at", "declines"}),  # not the reservations released
    "ShipmentPacked": frozenset({"shipment_id", "packed_at"}),
    "ShipmentDispatched": frozenset(
        {"shipment_id", "carrier", "tracking_number", "promised_delivery", "dispatched_at"}
    ),
    "TrackingUpdated": frozenset({"shipment_id", "status", "message", "occurred_at", "location", "estimated_delivery"}),
    "ShipmentDelivered": frozenset({"shipment_id", "delivered_at"}),
    "ShipmentException": frozenset({"shipment_id", "reason", "occurred_at"}),
    "OrderCompleted": frozenset({"completed_at"}),
    "OrderReturnOpened": frozenset({"return_id", "lines"}),
    "OrderReturnClosed": frozenset({"return_id", "returned"}),
    "SourcingDecided": frozenset({"decided_at"}),  # that it was sourced, not the candidates and their costs
    "OrderRefunded": frozenset({"amount", "cause", "lines", "refunded_at", "return_id", "reason"}),  # the money back
    "OrderPlacedOnHold": frozenset(),  # a hold's reason is the staff's note
    "OrderHoldReleased": frozenset(),
    "ShipmentReadyForPickup": frozenset({"shipment_id", "ready_at", "expires_at"}),  # the code: see below
    "PickupCodeRejected": frozenset({"shipment_id", "rejected_at", "attempts", "locked_until"}),
    "ShipmentCollected": frozenset({"shipment_id", "collected_at"}),
    "PickupReminderIssued": frozenset({"shipment_id", "reminded_at", "expires_at"}),
    "PickupExpired": frozenset({"shipment_id", "expired_at"}),
}
# Left out of every history, staff's too: a pickup code is read where its rule is (`Shipment.pickupCode`).
_NEVER_IN_HISTORY = frozenset({"pickup_code"})


def history_entry_view(
    principal: Principal | None, event_type: str, data: Any, actor: str | None
) -> tuple[Any, str | None]:
    """(data, actor) of one history entry as `principal` may see them. Staff see everything; a customer sees
    the fields above and an actor only when it was the customer itself."""
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in _NEVER_IN_HISTORY}
    if sees_network(principal):
        return data, actor
    keep = _CUSTOMER_FIELDS.get(event_type, frozenset()) | {"order_id"}
    trimmed = {k: v for k, v in data.items() if k in keep} if isinstance(data, dict) else {}
    own = principal is not None and actor == f"{principal.role.value}:{principal.subject}"
    return trimmed, actor if own else None
