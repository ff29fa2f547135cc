"""The schema: each feature's queries and mutations merged into the root types, with the limits on."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from .alternatives import AlternativeQueries
from .carts import CartMutations, CartQueries
from .delivery_windows import DeliveryCapacityMutations, DeliverySlotQueries, DeliveryWindowQueries
from .fulfillment import FulfillmentQueries
from .inventory import InventoryMutations, InventoryQueries
from .ledger import LedgerQueries, LedgerSubscriptions
from .locations import LocationMutations, LocationQueries
from .naming import CachedNameConverter
from .node import NodeQueries
from .nul import RejectNulCharacters
from .observability import MaskUnexpected, OperationMetrics, log_errors
from .operation_limits import OperationLimits
from .orders.counter import CounterMutations
from .orders.edits import OrderEditMutations
from .orders.exchanges import ExchangeMutations
from .orders.mutations import OrderMutations
from .orders.picking import PickingMutations
from .orders.queries import OrderQueries
from .orders.queue import FulfillmentQueueQueries
from .orders.returns import ReturnMutations
from .orders.types import Order, Return, Shipment
from .pickup import PickupQueries
from .return_policy import ReturnPolicyMutations, ReturnPolicyQueries
from .scalars import DATETIME, DECIMAL
from .sourcing_profiles import SourcingProfileMutations, SourcingProfileQueries
from .stock_levels import StockLevelQueries
from .subscriptions import Subscription as ObjectSubscriptions
from .substitutions import SubstitutionMutations, SubstitutionQueries
from .system_status import SystemStatusQueries, SystemStatusSubscriptions

Query = merge_types(
    "Query",
    (
        NodeQueries,
        LocationQueries,
        InventoryQueries,
        OrderQueries,
        FulfillmentQueueQueries,
        FulfillmentQueries,
        PickupQueries,
        LedgerQueries,
        ReturnPolicyQueries,
        CartQueries,
        AlternativeQueries,
        SubstitutionQueries,
        DeliveryWindowQueries,
        DeliverySlotQueries,
        SourcingProfileQueries,
        StockLevelQueries,
        SystemStatusQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        LocationMutations,
        InventoryMutations,
        OrderMutations,
        OrderEditMutations,
        PickingMutations,
        CounterMutations,
        ReturnMutations,
        ReturnPolicyMutations,
        ExchangeMutations,
        CartMutations,
        SubstitutionMutations,
        DeliveryCapacityMutations,
        SourcingProfileMutations,
    ),
)

Subscription = merge_types("Subscription", (ObjectSubscriptions, SystemStatusSubscriptions))


# The depth and alias limits are validation rules that each limiter builds as a new class when constructed.
# Built here once, they are the same classes in every request, so ValidationCache (keyed on the document and
# the rules) hits; a limiter constructed per request missed it every time and validated every query afresh.
LIMITS = [
    *QueryDepthLimiter(max_depth=10).validation_rules,
    *MaxAliasesLimiter(max_alias_count=15).validation_rules,
]


class MeridianSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        log_errors(errors, execution_context)  # the originals, with tracebacks, before MaskErrors hides them


schema = MeridianSchema(
    query=Query,
    scalar_overrides={datetime: DATETIME, Decimal: DECIMAL},
    mutation=Mutation,
    subscription=merge_types("Subscription", (Subscription, LedgerSubscriptions)),
    types=[Order, Shipment, Return],
    config=StrawberryConfig(name_converter=CachedNameConverter()),
    extensions=[
        OperationMetrics,
        OperationLimits,
        lambda: AddValidationRules(LIMITS),
        lambda: MaxTokensLimiter(max_token_count=2000),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        RejectNulCharacters,
        MaskUnexpected,
    ],
)
