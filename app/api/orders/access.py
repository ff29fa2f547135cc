"""Who may see which order: customers their own, operators those with a shipment at their locations."""

from __future__ import annotations

from app.domain.order_state import Order
from app.security import Role

from ..context import Info


def may_see(info: Info, order: Order) -> bool:
    principal = info.context.principal
    if principal is None:
        return False
    if principal.role is Role.CUSTOMER:
        return order.customer_id == principal.customer_id
    if principal.role is Role.OPERATOR:
        return any(s.location_code in principal.locations for s in order.shipments)
    return True


async def visible_order(info: Info, order_id: str) -> Order | None:
    """The order if it exists and the caller may see it; None otherwise (no leak of its existence)."""
    order = await info.context.loaders.orders.load(order_id)
    return order if order is not None and may_see(info, order) else None
