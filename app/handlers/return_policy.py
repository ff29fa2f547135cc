"""The return policy in the log: defining a version, the version in force for a new return, and the restocking
fees of the version a return was requested under (for its refund).

The policy is one small stream (a version or two a year), so it is loaded whole where needed, inside the unit
of work that decides with it: a request is judged by the policy as the log holds it at that moment.
"""

from __future__ import annotations

from decimal import Decimal

from app.domain import return_policy
from app.domain.aggregates import RETURN_POLICY
from app.domain.return_policy import ReturnPolicy
from app.domain.returns import Return
from app.domain.streams import return_policy_stream
from app.domain.values import ItemCondition
from eventstore import EventCodec, EventStore, load_state

from .unit_of_work import UnitOfWork


async def define_return_policy(uow: UnitOfWork, command: return_policy.DefineReturnPolicy) -> ReturnPolicy:
    """Appends the next version (or nothing for the terms in force); returns the policy now in force."""
    stream = return_policy_stream()
    state = await uow.get(RETURN_POLICY, stream)
    after = uow.record(RETURN_POLICY, stream, return_policy.decide(state, command, uow.now))
    return return_policy.policy_in_force(after)


async def policy_in_force(uow: UnitOfWork) -> ReturnPolicy:
    return return_policy.policy_in_force(await uow.get(RETURN_POLICY, return_policy_stream()))


async def restocking_fees_of(uow: UnitOfWork, state: Return) -> dict[ItemCondition, Decimal]:
    """The percent withheld from a unit's refund per condition it may come back in, by the policy version the
    return recorded when it was requested (never the one in force now: a later policy does not apply to it)."""
    policies = await uow.get(RETURN_POLICY, return_policy_stream())
    policy = return_policy.policy_version(policies, state.policy_version)
    return {condition: return_policy.restocking_fee_percent(policy, condition) for condition in ItemCondition}


async def read_policy_in_force(store: EventStore, codec: EventCodec) -> ReturnPolicy:
    """For readers outside a command (the `returnPolicy` query): the policy as the log holds it now."""
    state, _ = await load_state(store, codec, RETURN_POLICY, return_policy_stream())
    return return_policy.policy_in_force(state)
