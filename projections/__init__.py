"""Read models fed from the log: tables in schema `readmodel`, the runner that feeds them, rebuild, as-of.

pool = await create_readmodel_pool(dsn)          # search_path: readmodel, public
runner = ProjectionRunner(pool, listener=listener)
await runner.run(stop)
"""

from .asof import inventory_as_of, order_as_of, slots_as_of, stock_as_of
from .base import Projection
from .replay import replay
from .runner import (
    PROJECTED,
    ProjectionRunner,
    ProjectionWatch,
    all_projections,
    checkpoint_name,
    checkpoint_names,
    wait_for,
)
from .schema import LIVE, PROJECTIONS, REBUILD, ReadModelMigrations, create_readmodel_pool

__all__ = [
    "LIVE",
    "PROJECTED",
    "PROJECTIONS",
    "REBUILD",
    "Projection",
    "ProjectionRunner",
    "ProjectionWatch",
    "ReadModelMigrations",
    "all_projections",
    "checkpoint_name",
    "checkpoint_names",
    "create_readmodel_pool",
    "inventory_as_of",
    "order_as_of",
    "replay",
    "slots_as_of",
    "stock_as_of",
    "wait_for",
]
