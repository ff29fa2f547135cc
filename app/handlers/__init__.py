"""Command handlers: the only code that writes to the event store on the business's behalf.

    handlers = Handlers(Context(store, codec), network=LogNetwork(store, codec))
    outcome = await handlers.handle(ReceiveStock(sku="SKU-1", location_code="DC1", quantity=5), metadata)

`handle` picks the handler for the command's type and runs it through `execute` (load, decide, append with
expected versions, retry on conflict). Entry points (GraphQL, workers, CLI) only build commands.
"""

from __future__ import annotations

from typing import Any

from app.domain import order_commands as oc
from app.domain.locations import CreateLocation, DeactivateLocation, ReactivateLocation, UpdateLocation
from app.domain.notifications import RecordNotificationDelivered, RecordNotificationFailed, RequestNotification
from app.domain.profiles import DefineSourcingProfile
from app.domain.returns import ReturnCommand
from app.domain.stock import StockCommand
from app.sourcing import SourcingProfile
from eventstore import Metadata

from . import locations as location_handlers
from . import notifications as notification_handlers
from . import orders as order_handlers
from . import picking as picking_handlers
from . import returns as return_handlers
from . import stock as stock_handlers
from .batch import SourcedOrder, source_orders
from .commands import (
    CheckReplenishment,
    FulfilReplenishment,
    SettleReturn,
    SourceOrder,
    SourceOrders,
)
from .network import LogNetwork, NetworkView
from .profiles import FixedProfile, LogProfiles, ProfileSource, define_profile
from .replenishment import fulfil_replenishment
from .sourcing import source_order
from .unit_of_work import ConcurrencyConflict, Context, Outcome, UnitOfWork, execute

__all__ = [
    "CheckReplenishment",
    "ConcurrencyConflict",
    "Context",
    "DefineSourcingProfile",
    "FixedProfile",
    "FulfilReplenishment",
    "Handlers",
    "LogNetwork",
    "LogProfiles",
    "NetworkView",
    "Outcome",
    "ProfileSource",
    "SettleReturn",
    "SourceOrder",
    "SourceOrders",
    "SourcedOrder",
]


class Handlers:
    def __init__(
        self,
        ctx: Context,
        *,
        network: NetworkView | None = None,
        profile: SourcingProfile | ProfileSource | None = None,
    ) -> None:
        self.ctx = ctx
        self.network = network or LogNetwork(ctx.store, ctx.codec)
        # A fixed profile (tests, benchmarks) or, by default, the active profile from the log.
        if isinstance(profile, SourcingProfile):
            profile = FixedProfile(profile)
        self.profiles: ProfileSource = profile or LogProfiles(ctx.store, ctx.codec)

    async def handle(self, command: Any, metadata: Metadata | None = None) -> Outcome[Any]:
        metadata = metadata or Metadata()
        if isinstance(command, SourceOrders):  # one transaction per order, not one for the batch
            profile = await self.profiles.active()
            return await source_orders(self.ctx, metadata, command, self.network, profile)
        outcome = await execute(self.ctx, metadata, self._handler_for(command))
        if isinstance(command, DefineSourcingProfile):
            self.profiles.invalidate()
        return outcome

    def _handler_for(self, command: Any) -> Any:
        async def run(uow: UnitOfWork) -> Any:
            match command:
                case CreateLocation() | UpdateLocation() | DeactivateLocation() | ReactivateLocation():
                    return await location_handlers.change_location(uow, command)
                case StockCommand():
                    return await stock_handlers.change_stock(uow, command)
                case oc.CancelOrder() | oc.CancelOrderLines():
                    return await order_handlers.cancel(uow, command)
                case oc.DispatchShipment():
                    return await order_handlers.dispatch(uow, command)
                case oc.ConfirmPick():
                    return await picking_handlers.confirm_pick(uow, command, self.network, await self.profiles.active())
                case oc.ExpirePick():
                    return await picking_handlers.expire_pick(uow, command, self.network, await self.profiles.active())
                case oc.AllocateOrder():
                    raise TypeError("allocate through SourceOrder: an allocation must reserve its stock")
                case oc.PlaceOrder():
                    return await order_handlers.place(uow, command)
                case oc.OrderCommand():
                    return await order_handlers.change_order(uow, command)
                case ReturnCommand():
                    return await return_handlers.change_return(uow, command)
                case SourceOrder():
                    return await source_order(uow, command, self.network, await self.profiles.active())
                case DefineSourcingProfile():
                    return await define_profile(uow, command)
                case CheckReplenishment():
                    return await stock_handlers.check_replenishment(uow, command, self.network)
                case FulfilReplenishment():
                    return await fulfil_replenishment(uow, command)
                case SettleReturn():
                    return await return_handlers.settle_return(uow, command)
                case RequestNotification() | RecordNotificationDelivered() | RecordNotificationFailed():
                    return await notification_handlers.change_notification(uow, command)
            raise TypeError(f"no handler for {type(command).__name__}")

        return run
