"""The one fold and the one snapshot policy: a snapshot and the events after it give the state the events
alone give, and a snapshot is due exactly when an append crosses a multiple of the kind's interval."""

from __future__ import annotations

from app.domain.aggregates import LOCATION, ORDER, STOCK
from app.domain.events import Event
from app.domain.stock import EMPTY_STOCK
from app.domain.stock_events import StockReceived, StockReserved, StockShipped


def _history() -> list[Event]:
    events: list[Event] = []
    for n in range(30):
        events.append(StockReceived(sku="S", location_code="DC1", quantity=3))
        events.append(StockReserved(sku="S", location_code="DC1", reservation_id=f"r{n}", quantity=2))
        if n % 3:
            events.append(StockShipped(sku="S", location_code="DC1", reservation_id=f"r{n}", quantity=2))
    return events


def test_rehydrate_from_any_snapshot_equals_folding_from_the_start() -> None:
    events = _history()
    whole = STOCK.rehydrate(None, events)
    assert whole.on_hand == 30 * 3 - 20 * 2 and len(whole.reservations) == 10
    for cut in range(len(events) + 1):
        snapshot = STOCK.freeze(STOCK.rehydrate(None, events[:cut]))
        assert STOCK.rehydrate(snapshot, events[cut:]) == whole


def test_fold_uses_the_domains_one_pass_fold_and_evolve_alike() -> None:
    events = _history()
    one_by_one = EMPTY_STOCK
    for event in events:
        one_by_one = STOCK.evolve(one_by_one, event)
    assert STOCK.fold(EMPTY_STOCK, events) == one_by_one


def test_no_events_and_no_snapshot_is_the_initial_state() -> None:
    assert STOCK.rehydrate(None, []) is EMPTY_STOCK
    assert ORDER.rehydrate(None, []) is None
    assert ORDER.rehydrate(ORDER.freeze(None), []) is None


def test_a_snapshot_is_due_when_an_append_crosses_a_multiple() -> None:
    assert STOCK.snapshot_every == 100
    assert not STOCK.snapshot_due(0, 99)
    assert STOCK.snapshot_due(99, 100)
    assert STOCK.snapshot_due(98, 103)  # stepped over: crossing is what counts
    assert not STOCK.snapshot_due(100, 199)
    assert STOCK.snapshot_due(0, 250)
    assert not STOCK.snapshot_due(100, 100)
    assert not LOCATION.snapshot_due(0, 10_000)  # never snapshotted
