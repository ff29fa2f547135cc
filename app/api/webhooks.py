"""Carrier webhooks: EasyPost `tracker.updated` events, HMAC-signed, turned into tracking updates.

A missing or bad signature gets 401 and records nothing. A replayed event finds its checkpoints already on
the shipment and records nothing new.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.domain import order_commands as oc
from app.domain.errors import DomainError
from app.domain.values import TrackingStatus
from eventstore import Metadata
from projections.queries import shipment_by_tracking
from workers.carriers.base import Checkpoint, new_checkpoints
from workers.carriers.base import TrackingStatus as CarrierStatus
from workers.carriers.easypost import parse_tracker_event, verify_signature
from workers.carriers.errors import UnsupportedWebhookEvent, WebhookPayloadInvalid

from .loaders import Loaders
from .services import Services

log = logging.getLogger(__name__)


async def easypost(request: Request) -> Response:
    services: Services = request.app.state.services
    body = await request.body()
    if not verify_signature(services.webhook_secret.encode(), body, request.headers.get("x-hmac-signature")):
        return JSONResponse({"error": "bad or missing signature"}, status_code=401)
    try:
        parcel = parse_tracker_event(body)
    except UnsupportedWebhookEvent:
        return JSONResponse({"status": "ignored"})
    except WebhookPayloadInvalid as bad:
        return JSONResponse({"error": str(bad)}, status_code=400)

    row = await shipment_by_tracking(services.pool, parcel.carrier, parcel.tracking_number)
    if row is None:
        return JSONResponse({"status": "unknown shipment"}, status_code=404)
    order = await Loaders(services.pool, services.store).orders.load(row["order_id"])
    shipment = next((s for s in order.shipments if s.shipment_id == row["shipment_id"]), None) if order else None
    if shipment is None:
        return JSONResponse({"status": "unknown shipment"}, status_code=404)

    known = [
        Checkpoint(
            status=CarrierStatus(t.status.value.lower()),
            message=t.message or "",
            occurred_at=t.occurred_at,
            location=t.location,
        )
        for t in shipment.tracking
    ]
    recorded = 0
    for checkpoint in new_checkpoints(known, parcel):
        command = oc.RecordTracking(
            order_id=row["order_id"],
            shipment_id=row["shipment_id"],
            status=TrackingStatus(checkpoint.status.value.upper()),
            occurred_at=checkpoint.occurred_at,
            message=checkpoint.message,
            location=checkpoint.location,
            estimated_delivery=parcel.estimated_delivery,
        )
        try:
            outcome = await services.handlers.handle(command, Metadata(actor="webhook:easypost"))
        except DomainError as refused:
            log.info("easypost update refused for %s: %s", parcel.tracking_number, refused.message)
            continue
        recorded += len(outcome.events)
    return JSONResponse({"status": "ok", "recorded": recorded})
