"""The GraphQL shape of a delivery window, shared by `deliveryWindows` and `Order.deliveryWindow`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain.delivery import ChosenWindow

from .scalars import ServiceLevel


@strawberry.type
class DeliveryWindow:
    start: datetime
    end: datetime
    service_level: ServiceLevel
    cost: float
    available: bool = strawberry.field(
        description="False when the window's capacity is used up or the stock cannot make it."
    )
    remaining: int | None = strawberry.field(description="Deliveries the window can still take (null: unlimited).")

    @classmethod
    def of_order(cls, window: ChosenWindow) -> DeliveryWindow:
        """The window an order holds: its slot is the order's, so it is available to it; `remaining` is the
        window's business (`deliveryWindows`), not the order's."""
        return cls(
            start=window.start,
            end=window.end,
            service_level=ServiceLevel(window.service_level),
            cost=window.cost,
            available=True,
            remaining=None,
        )
