"""A local stand-in for DHL's Unified Shipment Tracking API, speaking its JSON (and RFC 7807 errors)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

API_KEY = "test-key"

Json = dict[str, object]


def dhl_event(code: str, when: str, description: str, locality: str | None = None) -> Json:
    event: Json = {"timestamp": when, "statusCode": code, "status": description, "description": description}
    if locality:
        event["location"] = {"address": {"addressLocality": locality, "countryCode": "DE"}}
    return event


@dataclass
class FakeDhl:
    """Test-controlled state: the shipments it knows, failures to answer with first, and a delay."""

    shipments: dict[str, Json] = field(default_factory=dict)
    failures: dict[str, list[int]] = field(default_factory=dict)
    delay_seconds: float = 0.0
    requests: list[tuple[str | None, str | None]] = field(default_factory=list)

    def reset(self) -> None:
        self.shipments.clear()
        self.failures.clear()
        self.delay_seconds = 0.0
        self.requests.clear()

    def ship(self, number: str, events: list[Json], eta: str | None = None) -> None:
        """Set a shipment's history (any order; DHL's is newest first), its status being the newest event."""
        newest_first = sorted(events, key=lambda e: str(e["timestamp"]), reverse=True)
        shipment: Json = {
            "id": number,
            "service": "parcel-de",
            "status": newest_first[0],
            "events": newest_first,
        }
        if eta is not None:
            shipment["estimatedTimeOfDelivery"] = eta
        self.shipments[number] = shipment

    def fail(self, number: str, *codes: int) -> None:
        self.failures.setdefault(number, []).extend(codes)

    async def track(self, request: Request) -> Response:
        number = request.query_params.get("trackingNumber")
        self.requests.append((request.headers.get("DHL-API-Key"), number))
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if request.headers.get("DHL-API-Key") != API_KEY:
            return problem(401, "Unauthorized", "Invalid API key")
        queued = self.failures.get(number or "")
        if queued:
            code = queued.pop(0)
            headers = {"Retry-After": "7"} if code == 429 else None
            return problem(code, "Failure", "Injected failure", headers)
        if number not in self.shipments:
            return problem(404, "No result found", "No shipment with given tracking number found.")
        return JSONResponse({"shipments": [self.shipments[number]], "possibleAdditionalShipmentsUrl": []})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/track/shipments", self.track)])


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {"title": title, "status": status, "detail": detail},
        status_code=status,
        headers=headers,
        media_type="application/problem+json",
    )
