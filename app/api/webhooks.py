"""Carrier webhooks: EasyPost `tracker.updated` events, HMAC-signed, turned into `RecordScans`.

A missing or bad signature gets 401 and records nothing. The order aggregate decides which scans are new, so a
replayed event records nothing. A carrier we poll (see `app.carriers.registry`) is tracked by its own API only:
a webhook about one of its parcels is acknowledged and ignored.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.carriers.easypost import parse_tracker_event, verify_signature
from app.carriers.errors import UnsupportedWebhookEvent, WebhookPayloadInvalid
from app.carriers.registry import tracked_by_webhook
from app.domain import order_commands as oc
from app.domain.errors import DomainError, NotFound
from eventstore import Metadata
from projections.queries import shipment_by_tracking

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
    if not tracked_by_webhook(parcel.carrier):
        return JSONResponse({"status": "ignored"})

    row = await shipment_by_tracking(services.pool, parcel.carrier, parcel.tracking_number)
    if row is None:
        return JSONResponse({"status": "unknown shipment"}, status_code=404)
    command = oc.RecordScans(
        order_id=row["order_id"],
        shipment_id=row["shipment_id"],
        scans=parcel.scans,
        estimated_delivery=parcel.estimated_delivery,
    )
    try:
        outcome = await services.handlers.handle(command, Metadata(actor="webhook:easypost"))
    except NotFound:
        return JSONResponse({"status": "unknown shipment"}, status_code=404)
    except DomainError as refused:
        log.info("easypost update refused for %s: %s", parcel.tracking_number, refused.message)
        return JSONResponse({"status": "ok", "recorded": 0})
    return JSONResponse({"status": "ok", "recorded": len(outcome.events)})
