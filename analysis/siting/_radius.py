"""The radius formulation of the p-median (Elloumi 2010) on sparse pairs.

Per demand point its distinct pair distances ``D¹ < D² < …`` are its levels, and ``z^k`` says
"no open site within ``D^k``". The LP relaxation is nearly integral and the model's size is
pairs + levels, not pairs × 2. Keeping only each demand point's first levels gives a relaxation:
distance beyond the last kept level is free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from lifecircle.analysis.siting._arrays import BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class Levels:
    """Each model demand point's distinct pair distances, ascending (the radius levels)."""

    pair_level: IntArray  # per pair: 0-based level of its distance within its demand point
    start: IntArray  # per demand point: index of its first level in ``dist_m``
    count: IntArray  # per demand point: number of levels
    dist_m: FloatArray  # per level


def assign_level(levels: Levels, pc: IntArray, pdm: IntArray, sel: IntArray, n: int) -> IntArray:
    """Level of each demand point's nearest open site; ``count`` when none is open."""
    is_open = np.zeros(n, dtype=bool)
    is_open[sel] = True
    level = levels.count.copy()
    on = is_open[pc]
    np.minimum.at(level, pdm[on], levels.pair_level[on])
    return level


@dataclass(frozen=True)
class RadiusModel:
    cost: FloatArray
    matrix: sp.csr_array
    row_lower: FloatArray
    row_upper: FloatArray
    integer: BoolArray
    constant: float
    z_dem: IntArray  # per z column: demand point
    last_z: IntArray  # per demand point: column of its last kept level's z; -1 when all kept
    z_dist_m: FloatArray  # per z column: its level's distance


def radius_model(
    levels: Levels,
    pc: IntArray,
    pdm: IntArray,
    wm: FloatArray,
    em: FloatArray,
    n_keep: IntArray,
    n: int,
    k_sites: int,
) -> RadiusModel:
    """The radius p-median model on each demand point's first ``n_keep`` levels.

    With levels ``D¹ < D² < …`` of demand point ``i`` and ``z_i^k`` = "no open site within
    ``D^k``": rows ``z_i^k − z_i^{k−1} + Σ_{d_ij = D^k} y_j ≥ 0`` (``z_i^0 = 1``), cost
    ``w_i (D^1 + Σ_k (D^{k+1} − D^k) z_i^k)`` with the existing facility's distance as the last
    level. Without one, the last level's ``z`` is dropped (the point must be reached). With
    fewer levels kept the model is a relaxation: distance beyond the last kept level is free.
    """
    m = n_keep.size
    full = n_keep >= levels.count
    n_z = np.where(full & ~np.isfinite(em), n_keep - 1, n_keep)
    n_rows = int(n_keep.sum())
    row_off = np.cumsum(n_keep) - n_keep
    z_off = np.cumsum(n_z) - n_z
    lev_dem = np.repeat(np.arange(m), n_keep)
    lev_k = np.arange(n_rows) - row_off[lev_dem]
    gl = levels.start[lev_dem] + lev_k
    has_next = lev_k + 1 < levels.count[lev_dem]
    nxt = np.where(has_next, levels.dist_m[np.minimum(gl + 1, levels.dist_m.size - 1)], em[lev_dem])
    has_z = lev_k < n_z[lev_dem]
    rows_all = np.arange(n_rows)
    z_col = n + z_off[lev_dem] + lev_k
    y_on = levels.pair_level < n_keep[pdm]
    prev = lev_k >= 1
    rows = np.concatenate(
        [
            row_off[pdm[y_on]] + levels.pair_level[y_on],
            rows_all[has_z],
            rows_all[prev],
            np.full(n, n_rows),
        ]
    )
    cols = np.concatenate([pc[y_on], z_col[has_z], z_col[prev] - 1, np.arange(n)])
    vals = np.concatenate(
        [np.ones(int(y_on.sum())), np.ones(int(has_z.sum())), -np.ones(int(prev.sum())), np.ones(n)]
    )
    n_col = n + int(n_z.sum())
    matrix = sp.csr_array((vals, (rows, cols)), shape=(n_rows + 1, n_col))
    z_cost = wm[lev_dem] * (nxt - levels.dist_m[gl])
    return RadiusModel(
        cost=np.concatenate([np.zeros(n), z_cost[has_z]]),
        matrix=matrix,
        row_lower=np.concatenate([np.where(lev_k == 0, 1.0, 0.0), [k_sites]]),
        row_upper=np.concatenate([np.full(n_rows, np.inf), [k_sites]]),
        integer=np.concatenate([np.ones(n, dtype=bool), np.zeros(n_col - n, dtype=bool)]),
        constant=float((wm * levels.dist_m[levels.start]).sum()),
        z_dem=lev_dem[has_z],
        z_dist_m=levels.dist_m[gl][has_z],
        last_z=np.where(full, -1, n + z_off + n_keep - 1),
    )


def grow_lists(
    levels: Levels,
    pdm: IntArray,
    dist: FloatArray,
    n_keep: IntArray,
    grow: BoolArray,
    factor: float,
) -> IntArray:
    """Longer level lists for ``grow``: one level more, and every level within ``factor`` × the
    last kept level's distance."""
    out = n_keep.copy()
    out[grow] += 1
    reach = levels.dist_m[levels.start + n_keep - 1] * factor
    inside = grow[pdm] & (dist <= reach[pdm])
    np.maximum.at(out, pdm[inside], levels.pair_level[inside] + 1)
    return np.minimum(out, levels.count)


def radius_start(
    rm: RadiusModel, levels: Levels, pc: IntArray, pdm: IntArray, sel: IntArray, n: int
) -> FloatArray:
    """A feasible start for the radius model: open ``sel``; ``z`` = 1 beyond the nearest site."""
    level = assign_level(levels, pc, pdm, sel, n)
    near = levels.dist_m[levels.start + np.minimum(level, levels.count - 1)]
    near = np.where(level < levels.count, near, np.inf)
    x = np.zeros(rm.cost.size)
    x[sel] = 1.0
    x[n:] = (near[rm.z_dem] > rm.z_dist_m).astype(np.float64)
    return x
