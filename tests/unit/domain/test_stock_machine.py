"""Any sequence of stock commands: the invariants hold after every step, accepted commands move the state
exactly as a plain model says, rejected commands change nothing, and `fold` over the whole history gives the
state that `evolve` reached step by step."""

from __future__ import annotations

import msgspec
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from app.domain import stock
from app.domain.errors import DomainError
from app.domain.events import Event
from app.domain.stock import (
    EMPTY_STOCK,
    AdjustStock,
    CountStock,
    ReceiveStock,
    ReleaseReservation,
    ReserveStock,
    ReturnStock,
    SetSafetyStock,
    ShipStock,
    StockCommand,
    StockState,
    WriteOffStock,
)
from tests.unit.domain.support import NOW, location

K = {"sku": "SKU-1", "location_code": "DC1"}
quantities = st.integers(min_value=-3, max_value=30)
ids = st.sampled_from(["r1", "r2", "r3", "r4"])


class StockMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state: StockState = EMPTY_STOCK
        # The model: plain numbers, no events.
        self.on_hand = 0
        self.safety = 0
        self.reserved: dict[str, int] = {}
        self.history: list[Event] = []

    def _model_atp(self) -> int:
        return max(0, self.on_hand - sum(self.reserved.values()) - self.safety)

    def _run(self, command: StockCommand) -> bool:
        before = self.state
        try:
            events = stock.decide(self.state, command, NOW, location=location("DC1"))
        except DomainError:
            assert self.state == before
            return False
        for event in events:
            self.state = stock.evolve(self.state, event)
        self.history += events
        return True

    @rule(q=quantities)
    def receive(self, q: int) -> None:
        if self._run(ReceiveStock(**K, quantity=q)):
            self.on_hand += q
        else:
            assert q <= 0

    @rule(q=quantities)
    def return_to_stock(self, q: int) -> None:
        if self._run(ReturnStock(**K, quantity=q)):
            self.on_hand += q

    @rule(delta=st.integers(min_value=-20, max_value=20))
    def adjust(self, delta: int) -> None:
        allowed = delta != 0 and self.on_hand + delta >= sum(self.reserved.values())
        assert self._run(AdjustStock(**K, delta=delta, reason="test")) == allowed
        if allowed:
            self.on_hand += delta

    @rule(counted=st.integers(min_value=-1, max_value=40))
    def count(self, counted: int) -> None:
        if not self._run(CountStock(**K, counted=counted)):
            assert counted < 0
            return
        self.on_hand = counted
        shortfall = sum(self.reserved.values()) - counted
        for rid in reversed(list(self.reserved)):
            if shortfall <= 0:
                break
            cut = min(shortfall, self.reserved[rid])
            self.reserved[rid] -= cut
            shortfall -= cut
            if self.reserved[rid] == 0:
                del self.reserved[rid]

    @rule(rid=ids, q=quantities)
    def reserve(self, rid: str, q: int) -> None:
        allowed = 0 < q <= self._model_atp() and rid not in self.reserved
        assert self._run(ReserveStock(**K, reservation_id=rid, quantity=q)) == allowed
        if allowed:
            self.reserved[rid] = q

    @rule(rid=ids, q=st.one_of(st.none(), quantities))
    def release(self, rid: str, q: int | None) -> None:
        held = self.reserved.get(rid, 0)
        amount = held if q is None else q
        allowed = held > 0 and 0 < amount <= held
        assert self._run(ReleaseReservation(**K, reservation_id=rid, quantity=q)) == allowed
        if allowed:
            self._consume(rid, amount)

    @rule(rid=ids, q=quantities)
    def ship(self, rid: str, q: int) -> None:
        allowed = 0 < q <= self.reserved.get(rid, 0)
        assert self._run(ShipStock(**K, reservation_id=rid, quantity=q)) == allowed
        if allowed:
            self._consume(rid, q)
            self.on_hand -= q

    @rule(q=quantities)
    def write_off(self, q: int) -> None:
        allowed = 0 < q <= self.on_hand - sum(self.reserved.values())
        assert self._run(WriteOffStock(**K, quantity=q, reason="test")) == allowed
        if allowed:
            self.on_hand -= q

    @rule(q=st.integers(min_value=-1, max_value=15))
    def safety_stock(self, q: int) -> None:
        assert self._run(SetSafetyStock(**K, quantity=q)) == (q >= 0)
        if q >= 0:
            self.safety = q

    def _consume(self, rid: str, q: int) -> None:
        self.reserved[rid] -= q
        if self.reserved[rid] == 0:
            del self.reserved[rid]

    @invariant()
    def invariants_hold(self) -> None:
        s = self.state
        assert s.on_hand >= 0
        assert 0 <= s.reserved <= s.on_hand
        assert all(q > 0 for q in s.reservations.values())  # finished reservations are dropped
        assert s.atp == max(0, s.on_hand - s.reserved - s.safety_stock) >= 0

    @invariant()
    def matches_model(self) -> None:
        assert (self.state.on_hand, self.state.safety_stock) == (self.on_hand, self.safety)
        assert self.state.reservations == self.reserved
        assert self.state.atp == self._model_atp()

    @invariant()
    def fold_matches_evolve(self) -> None:
        # Compared as JSON: dicts must agree on order too (SHORTFALL releases the newest reservations first).
        folded = stock.fold(EMPTY_STOCK, self.history)
        assert msgspec.json.encode(folded) == msgspec.json.encode(self.state)

    @invariant()
    def snapshot_round_trips(self) -> None:
        assert msgspec.json.decode(msgspec.json.encode(self.state), type=StockState) == self.state


StockMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestStockMachine = StockMachine.TestCase
