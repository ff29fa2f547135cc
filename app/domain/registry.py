"""Every event class, for the event store's codec (stored type name = class name)."""

from __future__ import annotations

from app.domain.carts import CART_EVENTS
from app.domain.delivery import SLOT_EVENTS
from app.domain.events import Event
from app.domain.locations import LOCATION_EVENTS
from app.domain.notifications import NOTIFICATION_EVENTS
from app.domain.order_events import ORDER_EVENTS
from app.domain.pickup_events import PICKUP_COUNTER_EVENTS
from app.domain.profiles import PROFILE_EVENTS
from app.domain.return_events import RETURN_EVENTS
from app.domain.return_policy import RETURN_POLICY_EVENTS
from app.domain.stock_events import STOCK_EVENTS
from app.domain.substitutions import SUBSTITUTION_EVENTS

ALL_EVENTS: tuple[type[Event], ...] = (
    *LOCATION_EVENTS,
    *STOCK_EVENTS,
    *ORDER_EVENTS,
    *PICKUP_COUNTER_EVENTS,
    *RETURN_EVENTS,
    *PROFILE_EVENTS,
    *NOTIFICATION_EVENTS,
    *RETURN_POLICY_EVENTS,
    *CART_EVENTS,
    *SUBSTITUTION_EVENTS,
    *SLOT_EVENTS,
)

EVENTS_BY_NAME: dict[str, type[Event]] = {cls.__name__: cls for cls in ALL_EVENTS}
