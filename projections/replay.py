"""`meridian replay`: rebuild every read model from position 0 beside the live one, compare, optionally swap.

The copy is built in schema `readmodel_rebuild` by the very same projections (checkpoints
`projection:<name>@rebuild`, never partitioned: one process builds it). Both sides are then brought to the same
log position and compared table by table, row by row (EXCEPT ALL both ways); differing rows are paired by
primary key and printed column by column. With `swap`, the copy replaces the live schema in one transaction that
holds the projections' checkpoint locks, so no batch of a running runner straddles the swap; every partition's
checkpoint of a projection takes its copy's position.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import asyncpg

from eventstore import Connection, EventStore

from .names import partitions_of
from .runner import ProjectionRunner, all_projections, checkpoint_name, checkpoint_names, log_head
from .schema import LIVE, REBUILD, build_schema, create_readmodel_pool
from .sql import query

# Table -> primary key columns. These identifiers are constants, never caller text (they cannot be bound).
TABLES: dict[str, tuple[str, ...]] = {
    "locations": ("code",),
    "stock_levels": ("sku", "location_code"),
    "incoming_supply": ("sku", "location_code", "supply_id"),
    "orders": ("order_id",),
    "order_lines": ("order_id", "line_no"),
    "shipments": ("order_id", "shipment_id"),
    "returns": ("return_id",),
    "sourcing_decisions": ("order_id", "stream_version"),
    "cart_reservations": ("cart_id",),
    "delivery_slots": ("slot_key",),
    "order_money": ("order_id",),
    "order_refunds": ("order_id", "stream_version"),
}
_SHOWN_PER_TABLE = 20
_CATCH_UP_TIMEOUT = 30.0  # seconds for either side to reach the log's head
_MAX_VALUE = 160


class Progress:
    """One self-overwriting line on stderr while a rebuild runs (nothing when it ends within a second)."""

    def __init__(self, total: int, stream: TextIO | None = None, every: float = 1.0) -> None:
        self.total, self.every = total, every
        self.stream = stream or sys.stderr
        self.started = self.last = time.monotonic()
        self.shown = False

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last, self.shown = now, True
        share = min(done / self.total, 1.0) if self.total else 1.0
        rate = done / max(now - self.started, 1e-9)
        self.stream.write(f"\rrebuild [{'#' * int(share * 30):<30}] {done:,}/{self.total:,} events {rate:,.0f}/s")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


async def rebuild(dsn: str, *, batch_size: int = 10_000, progress: bool = True) -> int:
    """Builds fresh read models in `readmodel_rebuild` from position 0; returns how many events the log held."""
    pool = await create_readmodel_pool(dsn, schema=REBUILD, max_size=len(all_projections()) + 1)
    try:
        async with pool.acquire() as conn:
            await build_schema(conn, REBUILD)
            total = await EventStore(pool).event_count()
        runner = ProjectionRunner(pool, batch_size=batch_size, rebuild=True)
        await runner.store.delete_checkpoints(runner.names)
        meter = Progress(total) if progress else None
        # The bulk reads ahead while each batch is written; then the tail, up to where the log stands now.
        await runner.catch_up(read_ahead=True, on_batch=meter.update if meter is not None else None)
        if (head := await log_head(pool)) is not None:
            await runner.wait_for(head, _CATCH_UP_TIMEOUT)
        if meter is not None:
            meter.close()
        return total
    finally:
        await pool.close()


async def _align(live: ProjectionRunner, rebuilt: ProjectionRunner, attempts: int = 10) -> bool:
    """Brings both sides to the same log position (new events may arrive meanwhile; a few rounds do it)."""
    for _ in range(attempts):
        if (head := await log_head(live.store.pool)) is not None:
            await live.wait_for(head, _CATCH_UP_TIMEOUT)
            await rebuilt.wait_for(head, _CATCH_UP_TIMEOUT)
        at_live = await live.store.read_checkpoints(live.names)
        at_rebuilt = await rebuilt.store.read_checkpoints(rebuilt.names)
        if len({*at_live.values(), *at_rebuilt.values()}) == 1:  # every checkpoint of either side at one place
            return True
    return False


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."


async def compare(conn: Connection, out: TextIO) -> int:
    """Prints every row that differs between the live and rebuilt read models; returns how many differ."""
    differing = 0
    for table, key in TABLES.items():
        live_only = await conn.fetch(f"SELECT * FROM {LIVE}.{table} EXCEPT ALL SELECT * FROM {REBUILD}.{table}")  # noqa: S608
        rebuilt_only = await conn.fetch(
            f"SELECT * FROM {REBUILD}.{table} EXCEPT ALL SELECT * FROM {LIVE}.{table}"  # noqa: S608
        )
        pairs: dict[tuple[Any, ...], list[asyncpg.Record | None]] = {}
        for side, rows in ((0, live_only), (1, rebuilt_only)):
            for row in rows:
                pairs.setdefault(tuple(row[k] for k in key), [None, None])[side] = row
        differing += len(pairs)
        for shown, (pk, (live_row, rebuilt_row)) in enumerate(pairs.items()):
            if shown == _SHOWN_PER_TABLE:
                out.write(f"{table}: ... and {len(pairs) - shown} more differing rows\n")
                break
            where = ", ".join(f"{k}={v!r}" for k, v in zip(key, pk, strict=True))
            if live_row is None:
                out.write(f"{table} [{where}]: missing from the live table\n")
            elif rebuilt_row is None:
                out.write(f"{table} [{where}]: in the live table only (the log does not produce it)\n")
            else:
                for column in live_row.keys():  # noqa: SIM118 (a Record is not a dict)
                    if live_row[column] != rebuilt_row[column]:
                        out.write(
                            f"{table} [{where}]: {column} live {_show(live_row[column])}"
                            f" != rebuilt {_show(rebuilt_row[column])}\n"
                        )
    return differing


async def swap_in(store: EventStore, conn: Connection, *, partitions: int = 1) -> None:
    """Makes the rebuilt schema the live one, with its checkpoints, and drops the old one: all or nothing."""
    shares = partitions_of(partitions)
    live = [checkpoint_name(p, partition=share) for p in all_projections() for share in shares]
    rebuilt = [checkpoint_name(p, rebuild=True) for p in all_projections() for _ in shares]
    async with conn.transaction():
        # The locks the runners take per batch: wait for running batches, keep new ones out.
        await store.lock_checkpoints(conn, live + rebuilt, wait=True)
        await conn.execute(query("swap_schemas"))
        await store.move_checkpoints(conn, live, rebuilt)


async def drop_rebuild(store: EventStore, conn: Connection) -> None:
    async with conn.transaction():
        await conn.execute(query("drop_rebuild_schema"))
        await store.delete_checkpoints(checkpoint_names(rebuild=True), conn=conn)


async def replay(dsn: str, *, swap: bool, out: TextIO, partitions: int = 1) -> int:
    """Rebuilds, compares and (with `swap`) swaps in. Exit code: 0 identical, 1 differences. `partitions` is the
    live projections' (MERIDIAN_PROJECTION_PARTITIONS): this process brings each of them to the log's head.

    Without `swap`, an identical copy is dropped and a differing one is kept in `readmodel_rebuild` to
    inspect. With `swap`, the copy is swapped in either way: the log is the truth.
    """
    total = await rebuild(dsn)
    live_pool = await create_readmodel_pool(dsn, schema=LIVE, max_size=len(all_projections()) + 1)
    rebuilt_pool = await create_readmodel_pool(dsn, schema=REBUILD, max_size=len(all_projections()) + 1)
    try:
        live = ProjectionRunner(live_pool, batch_size=5000, partitions=partitions)
        rebuilt = ProjectionRunner(rebuilt_pool, batch_size=5000, rebuild=True)
        if not await _align(live, rebuilt):
            out.write("warning: the log kept moving; live and rebuilt read models may stand at different positions\n")
        async with live_pool.acquire() as conn:
            differing = await compare(conn, out)
            out.write(
                f"replayed {total:,} events: "
                + ("read models identical\n" if not differing else f"{differing} rows differ\n")
            )
            if swap:
                await swap_in(live.store, conn, partitions=partitions)
                out.write("swapped the rebuilt read models in\n")
            elif not differing:
                await drop_rebuild(live.store, conn)
    finally:
        await live_pool.close()
        await rebuilt_pool.close()
    return 0 if not differing else 1
