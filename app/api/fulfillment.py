"""The delivery promise for a cart, without reserving anything: public, and fast (greedy, prepared network).

Public, but not a stock oracle: without a token, a cart may hold at most MERIDIAN_PUBLIC_MAX_QUANTITY of each
SKU (10 by default; larger quantities are refused, INVALID_QUANTITY). `available` then answers what a product
page would show anyway — whether a shopper's cart can ship — and never how much the network holds: asking
"100 available? 50? 75?" gets no answer above the cap. Signed-in callers (customers, staff, services) quote
up to 100 000. The rate limit on unauthenticated requests (app/api/limits.py) bounds the probing below it.
`pickupOptions` (app/api/pickup.py) takes its carts through the same limits (`cart`).

Per call: one stock lookup for the cart's SKUs (shared with concurrent calls); the locations, the profile and
what the engine derives from them are kept by the read-model network (app/handlers/cached_network.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import strawberry

from app.domain.values import Coordinates
from app.sourcing import Availability, PreparedNetwork

from .context import Info
from .errors import ApiError, UserError
from .orders.mutations import AddressInput, OrderLineInput, resolve_address
from .scalars import ServiceLevel


@strawberry.type
class FulfillmentOption:
    service_level: ServiceLevel
    promised_delivery: datetime
    cost: float
    shipments: int
    available: bool


@strawberry.input
class FulfillmentOptionsInput:
    lines: list[OrderLineInput]
    ship_to: AddressInput


def cart(info: Info, given: list[OrderLineInput]) -> dict[str, int]:
    """sku -> quantity of a cart asked about publicly (here and `pickupOptions`), within the limits above."""
    if not given or len(given) > 100:
        raise ApiError("between 1 and 100 lines", "INVALID_ARGUMENT", "input.lines")
    if any(not 0 < line.quantity <= 100_000 for line in given):
        raise ApiError("quantities must be between 1 and 100000", "INVALID_QUANTITY", "input.lines")
    lines: dict[str, int] = {}
    for line in given:
        lines[line.sku] = lines.get(line.sku, 0) + line.quantity
    public_cap = info.context.services.settings.public_max_quantity
    if info.context.principal is None and any(quantity > public_cap for quantity in lines.values()):
        raise ApiError(
            f"without a token, at most {public_cap} of each SKU (sign in to quote larger quantities)",
            "INVALID_QUANTITY",
            "input.lines",
        )
    return lines


@dataclass(frozen=True)
class PublicCart:
    """What a public promise (`fulfillmentOptions`, `pickupOptions`) starts from."""

    lines: dict[str, int]
    near: Coordinates
    prepared: PreparedNetwork
    availability: Availability
    now: datetime


async def public_cart(info: Info, lines: list[OrderLineInput], address: AddressInput, field: str) -> PublicCart:
    """The cart within the public limits (`cart`), where it is going (`field` names the address input), and the
    network and stock the promise is worked out from."""
    quantities = cart(info, lines)
    resolved = resolve_address(address)
    if isinstance(resolved, UserError):
        raise ApiError(resolved.message, resolved.code, field)
    services = info.context.services
    prepared = await services.network.prepared(services.handlers.profiles)
    availability = await services.network.availability(quantities.keys())
    return PublicCart(quantities, resolved.coordinates, prepared, availability, services.handlers.ctx.clock())


@strawberry.type
class FulfillmentQueries:
    @strawberry.field(description="Delivery options for a cart: one per service level that can be promised.")
    async def fulfillment_options(self, info: Info, input: FulfillmentOptionsInput) -> list[FulfillmentOption]:
        given = await public_cart(info, input.lines, input.ship_to, "input.shipTo")
        options = given.prepared.quote(given.lines, given.near, given.availability, given.now)
        return [
            FulfillmentOption(
                service_level=o.service_level,
                promised_delivery=o.promised_delivery,
                cost=round(o.cost, 2),
                shipments=o.shipments,
                available=o.available,
            )
            for o in options
            if o.promised_delivery is not None  # nothing can keep that promise: not an option
        ]
