"""Value types shared by the whole business: location kinds, service levels, coordinates.

Pure: the standard library only. Both the domain and the sourcing engine speak these words.
"""

from __future__ import annotations

import enum
import math
from datetime import datetime

import msgspec


class LocationType(enum.StrEnum):
    DISTRIBUTION_CENTER = "DISTRIBUTION_CENTER"
    STORE = "STORE"
    THIRD_PARTY_LOGISTICS = "THIRD_PARTY_LOGISTICS"
    DROP_SHIP_VENDOR = "DROP_SHIP_VENDOR"
    RETURNS_CENTER = "RETURNS_CENTER"


class LocationCapability(enum.StrEnum):
    """What a location does for customers: ship parcels, hand over pickups, take returns."""

    SHIP = "SHIP"
    PICKUP = "PICKUP"
    RETURNS = "RETURNS"


class DeliveryMethod(enum.StrEnum):
    """How the customer receives an order, and what kind of work a shipment is: a parcel or a store pickup."""

    SHIP = "SHIP"
    PICKUP = "PICKUP"


class ServiceLevel(enum.StrEnum):
    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"
    SAME_DAY = "SAME_DAY"


class Coordinates(msgspec.Struct, frozen=True):
    latitude: float
    longitude: float

    def distance_km(self, other: Coordinates) -> float:
        """Great-circle distance (haversine); good to a fraction of a percent for shipping estimates."""
        lat1, lon1 = math.radians(self.latitude), math.radians(self.longitude)
        lat2, lon2 = math.radians(other.latitude), math.radians(other.longitude)
        a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


EARTH_RADIUS_KM = 6371.0088


# The enums below mirror the public GraphQL contract (api-contract.graphql) name for name, so the API layer
# can map them one to one.


class OrderStatus(enum.StrEnum):
    PLACED = "PLACED"
    ON_HOLD = "ON_HOLD"
    ALLOCATED = "ALLOCATED"
    PARTIALLY_ALLOCATED = "PARTIALLY_ALLOCATED"
    BACKORDERED = "BACKORDERED"
    IN_FULFILLMENT = "IN_FULFILLMENT"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    PARTIALLY_DELIVERED = "PARTIALLY_DELIVERED"
    DELIVERED = "DELIVERED"
    READY_FOR_PICKUP = "READY_FOR_PICKUP"
    COLLECTED = "COLLECTED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class ShipmentStatus(enum.StrEnum):
    PLANNED = "PLANNED"
    PICKED = "PICKED"
    PACKED = "PACKED"
    DISPATCHED = "DISPATCHED"
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    EXCEPTION = "EXCEPTION"
    CANCELLED = "CANCELLED"
    READY_FOR_PICKUP = "READY_FOR_PICKUP"  # a pickup shipment picked and waiting at the counter
    COLLECTED = "COLLECTED"  # the customer took it
    # Not picked within its location's SLA (its units were sourced again elsewhere), or a pickup nobody collected
    # within the store's hold (its units went back to the store's stock).
    EXPIRED = "EXPIRED"


class PickDeclineReason(enum.StrEnum):
    """Why a picker took fewer units than planned. NOT_FOUND and DAMAGED also correct the on-hand count."""

    NOT_FOUND = "NOT_FOUND"
    DAMAGED = "DAMAGED"
    OTHER = "OTHER"


class TrackingStatus(enum.StrEnum):
    """EasyPost's normalised tracker statuses, upper-cased."""

    PRE_TRANSIT = "PRE_TRANSIT"
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    AVAILABLE_FOR_PICKUP = "AVAILABLE_FOR_PICKUP"
    RETURN_TO_SENDER = "RETURN_TO_SENDER"
    FAILURE = "FAILURE"
    CANCELLED = "CANCELLED"
    ERROR = "ERROR"
    UNKNOWN = "UNKNOWN"


class Scan(msgspec.Struct, frozen=True, kw_only=True):
    """One scan or status change a carrier reported for a parcel (the shipment's tracking timeline)."""

    status: TrackingStatus
    message: str | None
    occurred_at: datetime
    location: str | None = None

    @property
    def key(self) -> tuple[TrackingStatus, datetime, str]:
        """What makes two reports the same scan: the same status, at the same instant, with the same words."""
        return (self.status, self.occurred_at, self.message or "")


class ReturnStatus(enum.StrEnum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    IN_TRANSIT = "IN_TRANSIT"
    RECEIVED = "RECEIVED"
    REFUNDED = "REFUNDED"
    REPLACED = "REPLACED"
    CANCELLED = "CANCELLED"  # withdrawn before the goods came back (an exchange's unsourced replacement goes too)


class ItemCondition(enum.StrEnum):
    RESELLABLE = "RESELLABLE"
    DAMAGED = "DAMAGED"


class SupplyKind(enum.StrEnum):
    TRANSFER = "TRANSFER"
    PURCHASE_ORDER = "PURCHASE_ORDER"


class Address(msgspec.Struct, frozen=True, kw_only=True):
    """Where an order goes. Coordinates drive sourcing; postal code and country are for the carrier."""

    coordinates: Coordinates
    postal_code: str | None = None
    country: str | None = None


MAX_LINE_QUANTITY = 100_000  # more of one SKU in one order is a typo, not a sale
MAX_SKU_LENGTH = 200


class Line(msgspec.Struct, frozen=True):
    """A SKU and a quantity: the unit of ordering, allocating, shipping and returning."""

    sku: str
    quantity: int
