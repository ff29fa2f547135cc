"""A stream's partition is stable (the same in every process and version) and each stream has exactly one."""

from __future__ import annotations

import re

import pytest

from eventstore import Partition, partition_of
from projections.names import checkpoint_name, checkpoint_names, former_layouts, partitions_of


def test_a_streams_partition_is_fixed_across_processes_and_versions() -> None:
    # Known values: a change of hash function would move streams between partitions whose checkpoints differ,
    # and skip or repeat their events. (Python's own `hash` of a str differs from process to process.)
    assert [partition_of(s, 6) for s in ("order-1", "order-2", "stock-SKU-A@DC1", "location-DC1")] == [5, 5, 0, 1]
    assert partition_of("order-1", 1) == 0


def test_every_stream_belongs_to_exactly_one_partition_and_they_share_the_streams() -> None:
    shares = [Partition(i, 6) for i in range(6)]
    streams = [f"order-{n}" for n in range(600)]
    owners = [[s for s in shares if s.holds(stream)] for stream in streams]
    assert all(len(o) == 1 for o in owners)
    sizes = [sum(1 for o in owners if o[0] is s) for s in shares]
    assert min(sizes) > 600 / 6 / 2  # roughly even: no partition starves or hoards


def test_one_partition_keeps_todays_checkpoint_names() -> None:
    assert partitions_of(1) == [None]
    assert checkpoint_names()[:2] == ["projection:locations", "projection:stock"]
    assert checkpoint_name("orders", rebuild=True) == "projection:orders@rebuild"
    names = checkpoint_names(partitions=3)
    assert len(names) == 3 * len(checkpoint_names())
    assert "projection:orders#2/3" in names
    with pytest.raises(ValueError):
        partitions_of(0)


def test_a_former_layout_is_any_partition_count_of_the_same_projection() -> None:
    layout = re.compile(former_layouts("orders"))
    assert layout.match("projection:orders") and layout.match("projection:orders#4/6")
    assert not layout.match("projection:orders@rebuild") and not layout.match("projection:orders_x")
    assert not layout.match("projection:returns#1/2")
    assert re.match(former_layouts("orders", rebuild=True), "projection:orders#1/2@rebuild")
