"""The exact optimiser: a mixed-integer programme solved by HiGHS through `scipy.optimize.milp`.

Variables, for lanes l and SKUs s (x only where lane l holds s):

    x[l,s] integer in [0, supply(l,s)]   units of s shipped from l
    y[l]   binary                        l sends a shipment
    b[s]   in [0, demand(s)]             units of s backordered

    minimise  sum (fixed[l] - bias[l]) y[l] + sum unit_cost[l,s] x[l,s] + penalty * sum b[s]
    s.t.      sum_l x[l,s] + b[s] = demand(s)              every unit is shipped or backordered
              x[l,s] <= supply(l,s) y[l]                   no units without a parcel (tight linking)
              sum_s x[l,s] <= capacity(l) y[l]             capacity in units, when it binds
              sum_l y[l] <= max_shipments                  the split cap, when set
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.optimize import LinearConstraint, milp
from scipy.sparse import coo_array

from app.sourcing.lanes import Lane, Pricing

Allocation = dict[str, dict[str, int]]  # location code -> sku -> units


class MilpOutcome:
    __slots__ = ("allocation", "lower_bound", "optimal", "timed_out")

    def __init__(
        self, allocation: Allocation | None, *, optimal: bool, timed_out: bool, lower_bound: float | None
    ) -> None:
        self.allocation = allocation  # None when the solver found no solution in time
        self.optimal = optimal
        self.timed_out = timed_out
        self.lower_bound = lower_bound  # on the objective as reported (bias removed), when known


def solve(
    lanes: Sequence[Lane],
    pricing: Pricing,
    *,
    max_shipments: int | None,
    time_limit: float | None,
) -> MilpOutcome:
    pairs: list[tuple[int, str, int]] = []  # (lane index, sku, supply)
    for i, lane in enumerate(lanes):
        for sku in pricing.skus:
            units = pricing.supply(lane, sku)
            if units > 0:
                pairs.append((i, sku, units))
    n_x, n_y, n_b = len(pairs), len(lanes), len(pricing.skus)
    y0, b0 = n_x, n_x + n_y
    n = n_x + n_y + n_b
    sku_index = {sku: k for k, sku in enumerate(pricing.skus)}

    c = np.empty(n)
    upper = np.empty(n)
    for j, (i, sku, units) in enumerate(pairs):
        c[j] = pricing.unit_cost(lanes[i], sku)
        upper[j] = units
    for i, lane in enumerate(lanes):
        c[y0 + i] = lane.fixed - lane.bias
        upper[y0 + i] = 1.0
    for k, sku in enumerate(pricing.skus):
        c[b0 + k] = pricing.penalty
        upper[b0 + k] = pricing.demand[sku]
    integrality = np.zeros(n)
    integrality[:b0] = 1

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []

    def entry(row: int, col: int, val: float) -> None:
        rows.append(row)
        cols.append(col)
        vals.append(val)

    for k, sku in enumerate(pricing.skus):  # demand rows 0..n_b-1
        entry(k, b0 + k, 1.0)
        lo.append(pricing.demand[sku])
        hi.append(pricing.demand[sku])
    row = n_b
    per_lane: dict[int, list[tuple[int, int]]] = {}
    for j, (i, sku, units) in enumerate(pairs):
        entry(sku_index[sku], j, 1.0)
        entry(row, j, 1.0)
        entry(row, y0 + i, -float(units))
        lo.append(-math.inf)
        hi.append(0.0)
        row += 1
        per_lane.setdefault(i, []).append((j, units))
    for i, lane in enumerate(lanes):
        members = per_lane.get(i, [])
        if lane.cap is not None and lane.cap < sum(units for _, units in members):
            for j, _ in members:
                entry(row, j, 1.0)
            entry(row, y0 + i, -float(lane.cap))
            lo.append(-math.inf)
            hi.append(0.0)
            row += 1
    if max_shipments is not None and max_shipments < n_y:
        for i in range(n_y):
            entry(row, y0 + i, 1.0)
        lo.append(-math.inf)
        hi.append(float(max_shipments))
        row += 1

    matrix = coo_array((vals, (rows, cols)), shape=(row, n)).tocsr()
    bounds = (np.zeros(n), upper)
    constraints = LinearConstraint(matrix, np.array(lo), np.array(hi))
    options: dict[str, float | bool] = {"disp": False, "presolve": True}
    # The LP relaxation first: with the tight linking rows it is often integral already, and then it *is*
    # the MIP optimum (its value bounds the MIP from below), at a fraction of branch-and-bound's set-up cost.
    # The budget is the solver's own (HiGHS measures it); the engine itself never reads a clock.
    if time_limit is not None:
        options["time_limit"] = time_limit
    relaxed = milp(c, integrality=np.zeros(n), bounds=bounds, constraints=constraints, options=options)
    if relaxed.status == 0 and relaxed.x is not None and _integral(relaxed.x[:b0]):
        allocation = _allocation(relaxed.x, pairs, lanes)
        return MilpOutcome(allocation, optimal=True, timed_out=False, lower_bound=float(relaxed.fun))
    result = milp(c, integrality=integrality, bounds=bounds, constraints=constraints, options=options)
    timed_out = result.status == 1
    if result.x is None:
        return MilpOutcome(None, optimal=False, timed_out=timed_out, lower_bound=None)
    allocation = _allocation(result.x, pairs, lanes)
    # The bound is on cost minus the preferred-location bias; since the bias is never negative it is also a
    # valid (if slightly loose) bound on the reported cost.
    bound = getattr(result, "mip_dual_bound", None)
    lower = float(bound) if bound is not None and math.isfinite(bound) else None
    return MilpOutcome(allocation, optimal=result.status == 0, timed_out=timed_out, lower_bound=lower)


def _integral(values: np.ndarray) -> bool:
    return bool(np.all(np.abs(values - np.round(values)) <= 1e-6))


def _allocation(x: np.ndarray, pairs: Sequence[tuple[int, str, int]], lanes: Sequence[Lane]) -> Allocation:
    allocation: Allocation = {}
    for j, (i, sku, _) in enumerate(pairs):
        units = round(float(x[j]))
        if units > 0:
            allocation.setdefault(lanes[i].code, {})[sku] = units
    return allocation
