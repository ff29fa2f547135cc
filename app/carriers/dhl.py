"""DHL Unified Shipment Tracking (`GET {base}/track/shipments?trackingNumber=...`) as a `CarrierAdapter`.

DHL's `statusCode` is coarse (pre-transit, transit, delivered, failure, unknown); the finer statuses
(out for delivery, ready for pickup, returned) are only in its words, so those are matched on the text.
"""

from __future__ import annotations

import re
from types import TracebackType

import httpx
import msgspec

from app.carriers._time import parse_timestamp
from app.carriers.base import TrackingSnapshot, sorted_scans
from app.carriers.errors import (
    CarrierAuthenticationFailed,
    CarrierProtocolError,
    CarrierUnavailable,
    TrackingNotFound,
)
from app.domain.values import Scan, TrackingStatus

CARRIER = "dhl"
DEFAULT_BASE_URL = "https://api-eu.dhl.com"


class _Address(msgspec.Struct, rename="camel"):
    address_locality: str | None = None


class _Location(msgspec.Struct):
    address: _Address | None = None


class _Status(msgspec.Struct, rename="camel"):
    timestamp: str
    status_code: str | None = None
    status: str | None = None
    description: str | None = None
    location: _Location | None = None


class _Shipment(msgspec.Struct, rename="camel"):
    id: str | None = None
    status: _Status | None = None
    estimated_time_of_delivery: str | None = None
    events: list[_Status] = msgspec.field(default_factory=list)


class _Response(msgspec.Struct):
    shipments: list[_Shipment] = msgspec.field(default_factory=list)


_response_decoder = msgspec.json.Decoder(_Response)

# Checked in order against DHL's `status` and `description` text, for a `transit` or `failure` code.
_BY_TEXT: tuple[tuple[re.Pattern[str], TrackingStatus], ...] = (
    (
        re.compile(r"return(ed)? to (the )?(sender|shipper)|being returned|r(ü|ue)cksendung", re.I),
        TrackingStatus.RETURN_TO_SENDER,
    ),
    (re.compile(r"cancel", re.I), TrackingStatus.CANCELLED),
    (
        re.compile(
            r"(ready|available) for (pick ?-?up|collection)|awaiting collection|"
            r"(pick ?-?up|service|parcel) (point|shop|station)|packstation",
            re.I,
        ),
        TrackingStatus.AVAILABLE_FOR_PICKUP,
    ),
    (
        re.compile(r"out for delivery|with (the )?delivery courier|delivery vehicle|in zustellung", re.I),
        TrackingStatus.OUT_FOR_DELIVERY,
    ),
)
_BY_CODE = {
    "pre-transit": TrackingStatus.PRE_TRANSIT,
    "transit": TrackingStatus.IN_TRANSIT,
    "delivered": TrackingStatus.DELIVERED,
    "failure": TrackingStatus.FAILURE,
    "unknown": TrackingStatus.UNKNOWN,
}


def normalise_status(status_code: str | None, text: str = "") -> TrackingStatus:
    """Map a DHL status code, refined by its status/description text, onto the normalised set."""
    coarse = _BY_CODE.get((status_code or "").strip().lower(), TrackingStatus.UNKNOWN)
    if coarse in (TrackingStatus.IN_TRANSIT, TrackingStatus.FAILURE):
        for pattern, status in _BY_TEXT:
            # A failed delivery is not "out for delivery" even if it mentions the vehicle.
            if coarse is TrackingStatus.FAILURE and status is TrackingStatus.OUT_FOR_DELIVERY:
                continue
            if pattern.search(text):
                return status
    return coarse


def _scan(raw: _Status) -> Scan:
    text = " ".join(t for t in (raw.status, raw.description) if t)
    locality = raw.location.address.address_locality if raw.location and raw.location.address else None
    return Scan(
        status=normalise_status(raw.status_code, text),
        message=(raw.description or raw.status or "").strip(),
        occurred_at=parse_timestamp(raw.timestamp),
        location=locality.strip() if locality else None,
    )


def parse_response(tracking_number: str, body: bytes) -> TrackingSnapshot:
    """Turn a DHL 200 body into a snapshot. `TrackingNotFound` if it holds no shipment."""
    try:
        response = _response_decoder.decode(body)
        if not response.shipments:
            raise TrackingNotFound(CARRIER, tracking_number)
        # DHL may return several shipments (other services); prefer the one carrying our number.
        shipment = next((s for s in response.shipments if s.id == tracking_number), response.shipments[0])
        scans = [_scan(event) for event in shipment.events]
        current = _scan(shipment.status) if shipment.status else None
        eta = shipment.estimated_time_of_delivery
        estimated_delivery = parse_timestamp(eta) if eta else None
    except (msgspec.DecodeError, ValueError) as exc:
        raise CarrierProtocolError(f"{CARRIER}: malformed tracking response: {exc}") from exc
    if current is not None and current.key not in {c.key for c in scans}:
        scans.append(current)
    latest = max(scans, key=lambda c: c.occurred_at) if scans else None
    status = current.status if current else (latest.status if latest else TrackingStatus.UNKNOWN)
    return TrackingSnapshot(
        carrier=CARRIER,
        tracking_number=tracking_number,
        status=status,
        estimated_delivery=estimated_delivery,
        scans=sorted_scans(scans),
    )


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None  # absent, or an HTTP date: let the caller's backoff decide


class DhlTracking:
    """The `dhl` carrier adapter.

    Pass `client` to share a connection pool (its lifetime is then yours); otherwise this adapter owns one and
    `aclose()` (or `async with`) releases it.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 10.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/track/shipments"
        self._headers = {"DHL-API-Key": api_key, "Accept": "application/json"}
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=self._timeout)

    async def track(self, tracking_number: str) -> TrackingSnapshot:
        try:
            response = await self._client.get(
                self._url,
                params={"trackingNumber": tracking_number},
                headers=self._headers,
                timeout=self._timeout,
            )
        except httpx.TimeoutException as exc:
            raise CarrierUnavailable(CARRIER, f"timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise CarrierUnavailable(CARRIER, f"transport error: {exc!r}") from exc

        code = response.status_code
        if code == 200:
            return parse_response(tracking_number, response.content)
        if code == 404:
            raise TrackingNotFound(CARRIER, tracking_number)
        if code == 429 or code >= 500:
            raise CarrierUnavailable(CARRIER, f"HTTP {code}", retry_after=_retry_after(response))
        if code in (401, 403):
            raise CarrierAuthenticationFailed(f"{CARRIER} rejected the API key (HTTP {code})")
        raise CarrierProtocolError(f"{CARRIER}: unexpected HTTP {code}: {response.text[:200]!r}")

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> DhlTracking:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
