"""Command handlers: the only code that writes to the event store on the business's behalf.

    handlers = Handlers(Context(store, codec), network=LogNetwork(store, codec))
    outcome = await handlers.handle(ReceiveStock(sku="SKU-1", location_code="DC1", quantity=5), metadata)

`handle` picks the handler for the command's type and runs it through `execute` (load, decide, append with
expected versions, retry on conflict). Entry points (GraphQL, workers, CLI) only build commands.
"""

from __future__ import annotations

from typing import Any

from app.domain import order_commands as oc
from app.domain.carts import CartCommand, ReserveCart
from app.domain.locations import CreateLocation, DeactivateLocation, ReactivateLocation, UpdateLocation
from app.domain.notifications import RecordNotificationDelivered, RecordNotificationFailed, RequestNotification
from app.domain.pickup_events import ConfirmCollection, ExpirePickup
from app.domain.profiles import DefineSourcingProfile
from app.domain.return_policy import DefineReturnPolicy
from app.domain.returns import RequestExchange, ReturnCommand
from app.domain.stock import StockCommand
from app.domain.substitutions import SetSubstitutes
from app.sourcing import SourcingProfile
from eventstore import Metadata

from . import carts as cart_handlers
from . import edits as edit_handlers
from . import exchanges as exchange_handlers
from . import fast_path
from . import locations as location_handlers
from . import notifications as notification_handlers
from . import orders as order_handlers
from . import picking as picking_handlers
from . import pickup_counter as pickup_handlers
from . import returns as return_handlers
from . import stock as stock_handlers
from . import transfers as transfer_handlers
from . import windows as window_handlers
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
from .return_policy import define_return_policy
from .sourcing import source_order
from .substitutions import set_substitutes
from .unit_of_work import MAX_ATTEMPTS, ConcurrencyConflict, Context, Outcome, UnitOfWork, execute

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
        fast_path: bool = False,
    ) -> None:
        self.ctx = ctx
        # Allocate orders the engine decides without the solver while placing them (app/handlers/fast_path.py).
        self.fast_path = fast_path
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
        windowed = isinstance(command, oc.PlaceOrder) and command.delivery_window is not None
        attempts = window_handlers.WINDOW_ATTEMPTS if windowed else MAX_ATTEMPTS
        outcome = await execute(self.ctx, metadata, self._handler_for(command), attempts=attempts)
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
                case oc.EditOrder():
                    return await edit_handlers.edit_order(uow, command, self.network, await self.profiles.active())
                case oc.ExpirePick():
                    return await picking_handlers.expire_pick(uow, command, self.network, await self.profiles.active())
                case ConfirmCollection():
                    return await pickup_handlers.collect(uow, command)
                case ExpirePickup():
                    return await pickup_handlers.expire(uow, command)
                case oc.AllocateOrder():
                    raise TypeError("allocate through SourceOrder: an allocation must reserve its stock")
                case oc.PlaceOrder() if command.reservation_id is not None:
                    return await cart_handlers.place_reserved_order(uow, command)
                case oc.PlaceOrder() if command.delivery_window is not None:
                    profile = await self.profiles.active()
                    return await window_handlers.place_for_window(uow, command, self.network, profile)
                case oc.PlaceOrder() if self.fast_path:
                    profile = await self.profiles.active()
                    return await fast_path.place_and_allocate(uow, command, self.network, profile)
                case oc.PlaceOrder():
                    return await order_handlers.place(uow, command)
                case oc.RecordScans() | oc.MarkShipmentDelivered():
                    return await transfer_handlers.track(uow, command)
                case oc.OrderCommand():
                    return await order_handlers.change_order(uow, command)
                case RequestExchange():
                    return await exchange_handlers.exchange_items(uow, command)
                case ReturnCommand():
                    return await return_handlers.change_return(uow, command)
                case ReserveCart():
                    return await cart_handlers.reserve_cart(uow, command, self.network, await self.profiles.active())
                case CartCommand():
                    return await cart_handlers.change_cart(uow, command)
                case SourceOrder():
                    return await source_order(uow, command, self.network, await self.profiles.active())
                case DefineSourcingProfile():
                    return await define_profile(uow, command)
                case DefineReturnPolicy():
                    return await define_return_policy(uow, command)
                case SetSubstitutes():
                    return await set_substitutes(uow, command)
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
