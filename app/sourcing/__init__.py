"""Pure sourcing: eligibility rules, cost and transit model, optimiser, explanation.

Public API: `source`, `source_batch` (engine), `PreparedNetwork` and its `quote` (quotes),
`pickup_options` (pickup), `alternatives` (alternatives), the value types (model),
`default_profile`, `resolve_postal_code` (geo).
"""

from app.sourcing.alternatives import (
    Alternative,
    AlternativeKind,
    AlternativeLine,
    IncomingUnits,
    alternatives,
    served_as_asked,
)
from app.sourcing.engine import SolverNeeded, Strategy, source, source_batch
from app.sourcing.geo import UnknownPostalCode, resolve_postal_code
from app.sourcing.model import (
    Availability,
    CandidateLocation,
    CandidateReport,
    CostModel,
    EligibilityRule,
    Explanation,
    FulfillmentOption,
    RateBand,
    ShipmentPlan,
    SourcingPlan,
    SourcingProfile,
    SourcingRequest,
    default_profile,
)
from app.sourcing.pickup import PICKUP_SERVICE, PickupOption, pickup_options, ready_after, source_pickup
from app.sourcing.quotes import PreparedNetwork, QuotedPlan, QuotedShipment
from app.sourcing.transit import CarrierService, TransitModel

__all__ = [
    "PICKUP_SERVICE",
    "Alternative",
    "AlternativeKind",
    "AlternativeLine",
    "Availability",
    "CandidateLocation",
    "CandidateReport",
    "CarrierService",
    "CostModel",
    "EligibilityRule",
    "Explanation",
    "FulfillmentOption",
    "IncomingUnits",
    "PickupOption",
    "PreparedNetwork",
    "QuotedPlan",
    "QuotedShipment",
    "RateBand",
    "ShipmentPlan",
    "SolverNeeded",
    "SourcingPlan",
    "SourcingProfile",
    "SourcingRequest",
    "Strategy",
    "TransitModel",
    "UnknownPostalCode",
    "alternatives",
    "default_profile",
    "pickup_options",
    "ready_after",
    "resolve_postal_code",
    "served_as_asked",
    "source",
    "source_batch",
    "source_pickup",
]
