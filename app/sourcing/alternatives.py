"""Alternatives for a cart that cannot be served as asked (backs `alternatives`).

"As asked" is the default order: every unit shipped now (from stock on hand), STANDARD, in one shipment. When the
quote of that order says so, there is nothing to offer. Otherwise each kind below is offered when — and only
when — it applies, every one of them a quote of the engine's own promise model (`PreparedNetwork.plan`: the
lanes, carriers, cut-offs and costs placing the order is sourced with), never a second planner:

- SUBSTITUTE: each short line replaced by the first substitute (the admin's list, in preference order) that the
  network holds in full, and the cart so changed served in full now. Its lines carry `replaces`.
- SPLIT_SHIPMENT: nothing is short, but no one location sends it all: served in full now, in several shipments.
- PICKUP_ELSEWHERE: the nearest-ready store with the PICKUP capability that can have it all (from its own stock
  or one transfer, app/sourcing/pickup.py). Collecting costs the customer no carrier: its cost is the
  transfer's, if one is needed.
- LATER_DATE: supply on its way covers what is short. Incoming units go to the SKU's open backorders first
  (they were promised earlier), then to this cart, earliest supply first; the later part is quoted from each
  supply's location as if placed when that supply arrives (its cut-off, processing and transit).
- PARTIAL: some of it ships now and incoming supply does not cover the rest, which waits, undated.
- BACKORDER: nothing ships now and incoming supply does not cover it: everything waits, undated.

PARTIAL, LATER_DATE and BACKORDER are the same order (the cart as it is: the engine ships what it can now and
the rest when supply is received); exactly one of them applies to a cart with a short line, saying what the
customer will get and when. Alternatives are ranked by when the customer has it all (soonest first, undated
last), then by the first delivery, then the cheapest.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import msgspec

from app.domain.values import Coordinates, ServiceLevel
from app.sourcing.model import Availability
from app.sourcing.pickup import pickup_options
from app.sourcing.quotes import PreparedNetwork, QuotedPlan

DEFAULT_PICKUP_RADIUS_KM = 50.0  # the stores a shopper would drive to, as `pickupOptions` lists by default
LEVEL = ServiceLevel.STANDARD  # an order's service level unless it says otherwise


class AlternativeKind(enum.StrEnum):
    SUBSTITUTE = "SUBSTITUTE"
    LATER_DATE = "LATER_DATE"
    PICKUP_ELSEWHERE = "PICKUP_ELSEWHERE"
    SPLIT_SHIPMENT = "SPLIT_SHIPMENT"
    PARTIAL = "PARTIAL"
    BACKORDER = "BACKORDER"


class AlternativeLine(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    quantity: int
    replaces: str | None = None  # the SKU a substitute stands in for


class IncomingUnits(msgspec.Struct, frozen=True, kw_only=True):
    """Supply still expected at a location (a transfer or a purchase order)."""

    location_code: str
    sku: str
    quantity: int
    expected_at: datetime


class Alternative(msgspec.Struct, frozen=True, kw_only=True):
    kind: AlternativeKind
    lines: tuple[AlternativeLine, ...]  # what to place to get it
    promised_delivery: datetime | None  # None: it waits for supply nobody has dated
    shipments: int
    cost: float
    explanation: str
    pickup_location_code: str | None = None


def served_as_asked(
    prepared: PreparedNetwork,
    lines: Mapping[str, int],
    near: Coordinates,
    availability: Availability,
    now: datetime,
    *,
    channel: str = "web",
) -> bool:
    """Whether the default order ships in full now, in one shipment: then there is nothing else to offer."""
    asked = prepared.plan(lines, near, availability, now, level=LEVEL, channel=channel)
    return _as_asked(asked)


def _as_asked(asked: QuotedPlan) -> bool:
    return asked.option.available and asked.option.shipments <= 1


def alternatives(
    prepared: PreparedNetwork,
    lines: Mapping[str, int],
    near: Coordinates,
    availability: Availability,
    now: datetime,
    *,
    substitutes: Mapping[str, Sequence[str]] = {},
    incoming: Sequence[IncomingUnits] = (),
    waiting: Mapping[str, int] = {},
    names: Mapping[str, str] = {},
    pickup_radius_km: float = DEFAULT_PICKUP_RADIUS_KM,
    channel: str = "web",
) -> list[Alternative]:
    """What else the customer may choose (module docstring); empty when the cart is served as asked.

    `availability` must cover the substitutes' stock too; `waiting` is the units of each SKU already backordered;
    `names` gives locations' names for the explanations (the code where missing)."""
    asked = prepared.plan(lines, near, availability, now, level=LEVEL, channel=channel)
    if _as_asked(asked):
        return []
    say = _Words(now, names)
    short = {sku: qty - asked.served(sku) for sku, qty in lines.items() if asked.served(sku) < qty}
    found: list[Alternative] = []
    if not short:
        found.append(
            Alternative(
                kind=AlternativeKind.SPLIT_SHIPMENT,
                lines=_as_lines(lines),
                promised_delivery=asked.option.promised_delivery,
                shipments=asked.option.shipments,
                cost=asked.option.cost,
                explanation=f"All {say.units(sum(lines.values()))} {say.when(asked.option.promised_delivery)} in "
                f"{asked.option.shipments} shipments, from {say.places(s.location_code for s in asked.shipments)}",
            )
        )
    else:
        swapped = _substitute(prepared, lines, short, near, availability, now, substitutes, channel, say)
        if swapped is not None:
            found.append(swapped)
        found.append(_waiting(prepared, lines, asked, short, near, now, incoming, waiting, channel, say))
    pickup = _pickup(prepared, lines, near, availability, now, pickup_radius_km, channel, say)
    if pickup is not None:
        found.append(pickup)
    found.sort(key=_rank)
    return found


def _substitute(
    prepared: PreparedNetwork,
    lines: Mapping[str, int],
    short: Mapping[str, int],
    near: Coordinates,
    availability: Availability,
    now: datetime,
    substitutes: Mapping[str, Sequence[str]],
    channel: str,
    say: _Words,
) -> Alternative | None:
    """Every short line replaced by its first substitute the network holds in full, if that serves the cart."""
    replaced: dict[str, str] = {}
    for sku in sorted(short):
        wanted = lines[sku]
        for candidate in substitutes.get(sku, ()):
            if candidate in lines or candidate in replaced.values() or candidate == sku:
                continue  # already in the cart: the order would hold it twice
            alone = prepared.plan({candidate: wanted}, near, availability, now, level=LEVEL, channel=channel)
            if alone.option.available:
                replaced[sku] = candidate
                break
        else:
            return None
    cart = {replaced.get(sku, sku): qty for sku, qty in lines.items()}
    quoted = prepared.plan(cart, near, availability, now, level=LEVEL, channel=channel)
    if not quoted.option.available:
        return None  # each is held somewhere, but not all of them together (capacity)
    by = {sub: sku for sku, sub in replaced.items()}
    swaps = ", ".join(f"{sub} instead of {sku}" for sku, sub in sorted(replaced.items()))
    return Alternative(
        kind=AlternativeKind.SUBSTITUTE,
        lines=tuple(AlternativeLine(sku=sku, quantity=qty, replaces=by.get(sku)) for sku, qty in sorted(cart.items())),
        promised_delivery=quoted.option.promised_delivery,
        shipments=quoted.option.shipments,
        cost=quoted.option.cost,
        explanation=f"{swaps}: all {say.units(sum(cart.values()))} {say.when(quoted.option.promised_delivery)}",
    )


def _waiting(
    prepared: PreparedNetwork,
    lines: Mapping[str, int],
    asked: QuotedPlan,
    short: Mapping[str, int],
    near: Coordinates,
    now: datetime,
    incoming: Sequence[IncomingUnits],
    waiting: Mapping[str, int],
    channel: str,
    say: _Words,
) -> Alternative:
    """LATER_DATE, PARTIAL or BACKORDER: the cart as it is, and when what is short will come (if anyone knows)."""
    total, now_units = sum(lines.values()), sum(sum(s.lines.values()) for s in asked.shipments)
    rest = sum(short.values())
    later = _later(prepared, short, near, now, incoming, waiting, channel)
    first = f"{now_units} of {total} now, " if now_units else ""
    if later is not None:
        promise = max(p.option.promised_delivery for p in later if p.option.promised_delivery is not None)
        if now_units and asked.option.promised_delivery is not None:
            promise = max(promise, asked.option.promised_delivery)
        parts = [
            f"{sum(p.served(sku) for sku in short)} {say.when(p.option.promised_delivery)} "
            f"from {say.places(s.location_code for s in p.shipments)}"
            for p in later
        ]
        if not now_units and len(later) == 1:  # "All 3 items on Friday from Dallas"
            parts[0] = f"all {say.units(total)}" + parts[0][len(str(rest)) :]
        return Alternative(
            kind=AlternativeKind.LATER_DATE,
            lines=_as_lines(lines),
            promised_delivery=promise,
            shipments=asked.option.shipments + sum(p.option.shipments for p in later),
            cost=round(asked.option.cost + sum(p.option.cost for p in later), 2),
            explanation=_sentence(first + ", ".join(parts)),
        )
    if now_units:
        return Alternative(
            kind=AlternativeKind.PARTIAL,
            lines=_as_lines(lines),
            promised_delivery=asked.option.promised_delivery,
            shipments=asked.option.shipments,
            cost=asked.option.cost,
            explanation=f"{now_units} of {total} {say.when(asked.option.promised_delivery)}, "
            f"{rest} backordered until back in stock",
        )
    return Alternative(
        kind=AlternativeKind.BACKORDER,
        lines=_as_lines(lines),
        promised_delivery=None,
        shipments=0,
        cost=0.0,
        explanation=f"All {say.units(total)} backordered until back in stock",
    )


def _later(
    prepared: PreparedNetwork,
    short: Mapping[str, int],
    near: Coordinates,
    now: datetime,
    incoming: Sequence[IncomingUnits],
    waiting: Mapping[str, int],
    channel: str,
) -> list[QuotedPlan] | None:
    """The shipments that would send what is short once incoming supply arrives (one per supply location,
    quoted as if placed at its arrival), or None when the supply does not cover every short unit."""
    shippers = prepared.admitted(channel, LEVEL)
    taken: dict[str, dict[str, int]] = {}  # location -> sku -> units of this cart's
    arrives: dict[str, datetime] = {}
    for sku, missing in sorted(short.items()):
        ahead = waiting.get(sku, 0)  # earlier backorders are served from the same supply first
        supplies = sorted(
            (s for s in incoming if s.sku == sku and s.location_code in shippers),
            key=lambda s: (s.expected_at, s.location_code),
        )
        for supply in supplies:
            units = supply.quantity
            served_ahead = min(units, ahead)
            ahead -= served_ahead
            units = min(units - served_ahead, missing)
            if units <= 0:
                continue
            missing -= units
            at = taken.setdefault(supply.location_code, {})
            at[sku] = at.get(sku, 0) + units
            arrives[supply.location_code] = max(arrives.get(supply.location_code, now), supply.expected_at)
            if missing == 0:
                break
        if missing > 0:
            return None
    plans: list[QuotedPlan] = []
    for code, arriving in sorted(taken.items()):
        supplied = {(code, sku): qty for sku, qty in arriving.items()}
        quoted = prepared.plan(arriving, near, supplied, max(now, arrives[code]), level=LEVEL, channel=channel)
        if not quoted.option.available:
            return None  # it arrives where it cannot be sent from in time for this service level
        plans.append(quoted)
    return plans


def _pickup(
    prepared: PreparedNetwork,
    lines: Mapping[str, int],
    near: Coordinates,
    availability: Availability,
    now: datetime,
    radius_km: float,
    channel: str,
    say: _Words,
) -> Alternative | None:
    found = pickup_options(prepared, lines, near, availability, now, radius_km=radius_km, first=1, channel=channel)
    if not found or not found[0].available:
        return None
    store = found[0]
    cost, shipments, via = 0.0, 1, ""
    if store.transfer_from is not None:
        site = next(loc for loc in prepared.network if loc.code == store.location_code)
        held = {sku: availability.get((store.location_code, sku), 0) for sku in lines}
        rest = {sku: qty - min(qty, held[sku]) for sku, qty in lines.items() if held[sku] < qty}
        source = {(store.transfer_from, sku): qty for sku, qty in rest.items()}
        cost = prepared.plan(rest, site.coordinates, source, now, level=LEVEL, channel=channel).option.cost
        shipments, via = 2, f", brought in from {say.place(store.transfer_from)}"
    return Alternative(
        kind=AlternativeKind.PICKUP_ELSEWHERE,
        lines=_as_lines(lines),
        promised_delivery=store.ready_by,
        shipments=shipments,
        cost=cost,
        explanation=f"All {say.units(sum(lines.values()))} ready to collect at {say.place(store.location_code)} "
        f"{say.when(store.ready_by)}{via}",
        pickup_location_code=store.location_code,
    )


class _Words:
    """The words of an explanation: dates relative to `now`, places by name."""

    DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

    def __init__(self, now: datetime, names: Mapping[str, str]) -> None:
        self.now, self.names = now, names

    def when(self, moment: datetime | None) -> str:
        if moment is None:
            return "when back in stock"
        days = (moment.date() - self.now.astimezone(moment.tzinfo).date()).days
        if days <= 0:
            return "today"
        if days == 1:
            return "tomorrow"
        if days < 7:
            return f"on {self.DAYS[moment.weekday()]}"
        return f"on {moment.day} {moment.strftime('%b')}"

    def place(self, code: str) -> str:
        return self.names.get(code) or code

    def places(self, codes: Iterable[str]) -> str:
        named = [self.place(code) for code in dict.fromkeys(codes)]
        return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]

    @staticmethod
    def units(count: int) -> str:
        return f"{count} item" if count == 1 else f"{count} items"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _as_lines(lines: Mapping[str, int]) -> tuple[AlternativeLine, ...]:
    return tuple(AlternativeLine(sku=sku, quantity=qty) for sku, qty in sorted(lines.items()))


KIND_ORDER = {kind: i for i, kind in enumerate(AlternativeKind)}


def _rank(alternative: Alternative) -> tuple[bool, datetime | None, bool, datetime | None, float, int]:
    # Soonest complete first: a partial's promise is for its first part only, so it and the backorder (the rest
    # undated) come after every dated whole; then the soonest first delivery, the cheapest, and the kind (a
    # total order).
    promised = alternative.promised_delivery
    whole = None if alternative.kind in (AlternativeKind.PARTIAL, AlternativeKind.BACKORDER) else promised
    return (whole is None, whole, promised is None, promised, alternative.cost, KIND_ORDER[alternative.kind])
