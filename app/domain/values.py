"""Value types shared by the whole business: location kinds, service levels, coordinates.

Pure: the standard library only. Both the domain and the sourcing engine speak these words.
"""

from __future__ import annotations

import enum
import math

import msgspec


class LocationType(enum.StrEnum):
    DISTRIBUTION_CENTER = "DISTRIBUTION_CENTER"
    STORE = "STORE"
    THIRD_PARTY_LOGISTICS = "THIRD_PARTY_LOGISTICS"
    DROP_SHIP_VENDOR = "DROP_SHIP_VENDOR"
    RETURNS_CENTER = "RETURNS_CENTER"


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
        a = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


EARTH_RADIUS_KM = 6371.0088
