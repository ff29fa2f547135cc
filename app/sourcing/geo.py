"""US ZIP code -> Coordinates, from the offline data shipped inside the `zipcodes` wheel.

The only data lookup in the sourcing package: read-only, in-process, no network, so it keeps the engine pure.
"""

from __future__ import annotations

import functools
import re

import zipcodes

from app.domain.values import Coordinates

_ZIP = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")


class UnknownPostalCode(ValueError):
    """The postal code is malformed or not a known US ZIP code (API code: `UNKNOWN_POSTAL_CODE`)."""

    def __init__(self, postal_code: str) -> None:
        super().__init__(f"unknown US postal code {postal_code!r}")
        self.postal_code = postal_code


def resolve_postal_code(postal_code: str, country: str | None = "US") -> Coordinates:
    """Coordinates of a US ZIP (`12345` or ZIP+4 `12345-6789`); raises `UnknownPostalCode` otherwise."""
    if country not in (None, "", "US", "USA"):
        raise UnknownPostalCode(postal_code)
    match = _ZIP.match(postal_code)
    if match is None:
        raise UnknownPostalCode(postal_code)
    found = _lookup(match.group(1))
    if found is None:
        raise UnknownPostalCode(postal_code)
    return found


@functools.lru_cache(maxsize=4096)
def _lookup(zip5: str) -> Coordinates | None:
    try:
        rows = zipcodes.matching(zip5)  # type: ignore[no-untyped-call]  # the package ships no annotations
    except (TypeError, ValueError):
        return None
    for row in rows:
        try:
            return Coordinates(latitude=float(row["lat"]), longitude=float(row["long"]))
        except (KeyError, TypeError, ValueError):
            continue
    return None
