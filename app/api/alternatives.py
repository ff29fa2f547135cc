"""What else a cart could be when it cannot be served as asked (`alternatives`): public, like `fulfillmentOptions`.

Which kinds apply, their promises, costs, ranking and explanations are worked out in app/sourcing/alternatives.py
from the quote's own plans; this resolver checks the cart (`public_cart`: the same limits, network and stock as
`fulfillmentOptions`) and, only for a cart that is not served as asked, reads what else it needs: the substitution
lists of its SKUs (and their substitutes' stock), the supply on its way and the units already waiting for it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import strawberry

from app.handlers.substitutions import substitutes_of
from app.sourcing import AlternativeKind, IncomingUnits, alternatives, served_as_asked
from projections.queries import backordered_units, incoming_supply

from .access import can_see_alternatives, sees_network
from .context import Info
from .errors import forbidden
from .fulfillment import FulfillmentOptionsInput, public_cart
from .locations import Location
from .pickup import _shown
from .substitutions import AlternativeLine

strawberry.enum(AlternativeKind)


@strawberry.type(description="A plan the network can keep for a cart it cannot serve as asked.")
class Alternative:
    kind: AlternativeKind
    lines: list[AlternativeLine]
    promised_delivery: datetime | None
    pickup_location: Location | None
    shipments: int
    cost: float
    explanation: str


@strawberry.type
class AlternativeQueries:
    @strawberry.field(
        description="What else a cart could be (substitutes, a later date, pickup, a split, partial, backorder), "
        "soonest complete first; empty when it is served in full now, in one shipment."
    )
    async def alternatives(self, info: Info, input: FulfillmentOptionsInput) -> list[Alternative]:
        if not can_see_alternatives(info.context.principal):
            raise forbidden()
        given = await public_cart(info, input.lines, input.ship_to, "input.shipTo")
        if served_as_asked(given.prepared, given.lines, given.near, given.availability, given.now):
            return []  # the common case costs what `fulfillmentOptions` does, no more
        services = info.context.services
        skus = sorted(given.lines)
        lists, supply, waiting, locations = await asyncio.gather(
            substitutes_of(services.store, services.codec, skus),
            incoming_supply(services.read_pool, skus),
            backordered_units(services.read_pool, skus),
            services.network.locations(),
        )
        availability = given.availability
        others = {s for subs in lists.values() for s in subs} - set(skus)
        if others:
            availability = {**availability, **await services.network.availability(others)}
        incoming = [IncomingUnits(location_code=r[0], sku=r[1], quantity=r[2], expected_at=r[3]) for r in supply]
        found = alternatives(
            given.prepared,
            given.lines,
            given.near,
            availability,
            given.now,
            substitutes=lists,
            incoming=incoming,
            waiting=waiting,
            names={loc.code: loc.name for loc in locations},
        )
        staff = sees_network(info.context.principal)
        stores = {
            code: None if row is None else _shown(Location.from_row(row), staff)
            for code in {a.pickup_location_code for a in found if a.pickup_location_code}
            for row in [await info.context.loaders.locations.load(code)]
        }
        return [
            Alternative(
                kind=a.kind,
                lines=[AlternativeLine(sku=ln.sku, quantity=ln.quantity, replaces=ln.replaces) for ln in a.lines],
                promised_delivery=a.promised_delivery,
                pickup_location=None if a.pickup_location_code is None else stores[a.pickup_location_code],
                shipments=a.shipments,
                cost=round(a.cost, 2),
                explanation=a.explanation,
            )
            for a in found
            if a.pickup_location_code is None or stores[a.pickup_location_code] is not None
        ]
