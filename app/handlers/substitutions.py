"""Substitution lists in the log: setting one, and reading the lists of the SKUs a cart is short of.

A list is one small stream per SKU (`substitutes-<sku>`, a few versions in its life), loaded whole where needed
(one round trip for a cart's SKUs), like the return policy: no read model to lag behind the admin's last change.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.domain import substitutions
from app.domain.aggregates import SUBSTITUTES
from app.domain.streams import substitutes_stream
from app.domain.substitutions import Substitution
from eventstore import EventCodec, EventStore, load_state, load_states

from .unit_of_work import UnitOfWork


async def set_substitutes(uow: UnitOfWork, command: substitutions.SetSubstitutes) -> Substitution:
    """Appends the new list (or nothing for the list in force); returns the list now in force."""
    stream = substitutes_stream(command.sku)
    state = await uow.get(SUBSTITUTES, stream)
    after = uow.record(SUBSTITUTES, stream, substitutions.decide(state, command, uow.now))
    return after or Substitution(sku=command.sku)


async def read_substitutes(store: EventStore, codec: EventCodec, sku: str) -> Substitution:
    """For readers outside a command: the SKU's list as the log holds it now (empty if never set)."""
    state, _ = await load_state(store, codec, SUBSTITUTES, substitutes_stream(sku))
    return state or Substitution(sku=sku)


async def substitutes_of(store: EventStore, codec: EventCodec, skus: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """sku -> its substitutes in order of preference, for the SKUs that have any."""
    loaded = await load_states(store, codec, {substitutes_stream(sku): SUBSTITUTES for sku in set(skus)})
    lists = (state for state, _ in loaded.values() if state is not None)
    return {s.sku: s.substitutes for s in lists if s.substitutes}
