"""Shared GraphQL building blocks: the Node interface, enums (the domain's own), JSON, page info."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from decimal import Decimal

import strawberry
from strawberry.scalars import JSON
from strawberry.schema.types.base_scalars import DateTimeDefinition, DecimalDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition

from app.domain.values import (
    DeliveryMethod,
    ItemCondition,
    LocationType,
    OrderStatus,
    PickDeclineReason,
    ReturnStatus,
    ServiceLevel,
    ShipmentStatus,
    TrackingStatus,
)

from .errors import InvalidDateTime

# The domain's own enums are the GraphQL enums: their values are their names, as the contract spells them.
for _enum in (
    DeliveryMethod,
    ItemCondition,
    LocationType,
    OrderStatus,
    PickDeclineReason,
    ReturnStatus,
    ServiceLevel,
    ShipmentStatus,
    TrackingStatus,
):
    strawberry.enum(_enum)

MAX_PAGE = 100


def parse_datetime(value: object) -> datetime:
    """strawberry's DateTime parsing, and a moment that exists in UTC: every instant is stored and compared in
    UTC, so "0001-01-01T00:00:00+14:00" (the last day of year 0 in UTC) is a caller's mistake, answered as one
    (INVALID_DATETIME), not a database error."""
    parsed = DateTimeDefinition.parse_value(value) if DateTimeDefinition.parse_value else value
    assert isinstance(parsed, datetime)  # what strawberry's parser returns, or it raised
    if parsed.tzinfo is not None:
        try:
            parsed.astimezone(UTC)
        except OverflowError:
            raise InvalidDateTime(str(value), f"{value} is outside the years 1 to 9999 in UTC") from None
    return parsed


# The same scalar as strawberry's (its name and description unchanged), with the range check on input.
DATETIME: ScalarDefinition = dataclasses.replace(DateTimeDefinition, parse_value=parse_datetime)


# Plain decimal notation only: no exponent, no "NaN", no "1_000", no float. A sign is let through so that a
# negative amount reaches the domain and is refused there as INVALID_AMOUNT at its field.
_DECIMAL = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?")


def parse_decimal(text: str) -> Decimal:
    if not _DECIMAL.fullmatch(text):
        raise ValueError("an amount is written like 19.99")
    return Decimal(text)


# Money crosses the API as a string ("19.99"): a JSON number would be a float to most clients.
DECIMAL: ScalarDefinition = dataclasses.replace(
    DecimalDefinition,
    description='An exact amount as a string, e.g. "19.99"; never a float.',
    serialize=lambda value: f"{value:f}",
    parse_value=wrap_parser(parse_decimal, "Decimal"),
)


@strawberry.interface(description="Anything with a global id, fetchable with `node(id)`.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


__all__ = [
    "DATETIME",
    "DECIMAL",
    "JSON",
    "MAX_PAGE",
    "DeliveryMethod",
    "ItemCondition",
    "LocationType",
    "Node",
    "OrderStatus",
    "PageInfo",
    "PickDeclineReason",
    "ReturnStatus",
    "ServiceLevel",
    "ShipmentStatus",
    "TrackingStatus",
]
