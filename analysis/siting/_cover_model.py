"""The coverage model shared by MCLP and LSCP: demand not yet covered, its rows, assignment
and the rank order of chosen sites.

Columns are ``[y (n candidates), z (m demand points)]`` without capacities, where ``z_i`` is
"demand point ``i`` is covered", and ``[y, x (pairs)]`` with them, where ``x_ij`` is the share of
demand point ``i`` that site ``j`` serves. A demand point may be split between sites (a grid
cell's households can use two centres); covered weight counts the assigned share.

Rank order. The chosen sites of an uncapacitated solution are ordered greedily: rank 1 is the
chosen site covering the most new weight, rank 2 the one adding most given rank 1, and so on;
``marginal_gain`` is that added weight, so the gains sum to the objective. With capacities a
site's gain is the weight the model assigned to it, ranked from largest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from lifecircle.analysis.siting import _greedy as greedy
from lifecircle.analysis.siting._arrays import FloatArray, IntArray
from lifecircle.analysis.siting._highs import solve
from lifecircle.analysis.siting._validate import Capacity, Pairs, per_demand, validate_capacity
from lifecircle.analysis.siting.result import served_households
from lifecircle.errors import LifecircleError


@dataclass(frozen=True)
class CoverModel:
    """Pairs restricted to demand not yet covered, with compressed demand indices."""

    candidate: IntArray
    demand: IntArray  # compressed 0..m-1
    dist_m: FloatArray | None
    demand_ids: IntArray  # original index of each compressed demand point
    weight: FloatArray  # per compressed demand
    households: FloatArray | None  # per compressed demand
    n_candidates: int
    total_weight: float
    covered_before: float


def cover_model(
    pairs: Pairs,
    already_covered: ArrayLike | None,
    households: ArrayLike | None,
    capacity_m2: ArrayLike | None,
    area_per_100hh_m2: float | None,
    problems: list[str],
) -> tuple[CoverModel, Capacity]:
    """Check the rest of the coverage input and keep the pairs of demand not yet covered.

    Raises :class:`~lifecircle.errors.InputError` with every problem found (those already in
    ``problems`` included).
    """
    w = pairs.weight
    already = per_demand("already_covered", already_covered, w.size, problems)
    cap = validate_capacity(
        households, capacity_m2, area_per_100hh_m2, w.size, pairs.n_candidates, problems
    )
    hh = cap.households
    done = np.zeros(w.size, dtype=bool) if already is None else already.astype(bool)
    keep = ~done[pairs.demand] & (w[pairs.demand] > 0)
    ids, comp = np.unique(pairs.demand[keep], return_inverse=True)
    model = CoverModel(
        candidate=pairs.candidate[keep],
        demand=comp.astype(np.int64),
        dist_m=None if pairs.dist_m is None else pairs.dist_m[keep],
        demand_ids=ids.astype(np.int64),
        weight=w[ids],
        households=None if hh is None else hh[ids],
        n_candidates=pairs.n_candidates,
        total_weight=float(w.sum()),
        covered_before=float(w[done].sum()),
    )
    return model, cap


def coverage_rows(
    model: CoverModel, capacity_hh: FloatArray | None
) -> tuple[sp.csr_array, FloatArray, FloatArray, int]:
    """Rows shared by MCLP and LSCP; columns ``[y (n), z (m) or x (pairs)]``.

    Returns the matrix, row bounds and the number of second-block columns.
    """
    n, m, p = model.n_candidates, model.demand_ids.size, model.candidate.size
    if capacity_hh is None:
        # z_i − Σ_{j covers i} y_j ≤ 0
        rows = np.concatenate([np.arange(m), model.demand])
        cols = np.concatenate([n + np.arange(m), model.candidate])
        vals = np.concatenate([np.ones(m), -np.ones(p)])
        a = sp.csr_array((vals, (rows, cols)), shape=(m, n + m))
        return a, np.full(m, -np.inf), np.zeros(m), m
    assert model.households is not None
    # Σ_j x_ij ≤ 1 ; x_ij − y_j ≤ 0 ; Σ_i h_i x_ij − cap_j y_j ≤ 0 (finite cap only)
    pi = np.arange(p)
    capped = np.flatnonzero(np.isfinite(capacity_hh))
    cap_row = np.full(n, -1, dtype=np.int64)
    cap_row[capped] = m + p + np.arange(capped.size)
    in_cap = cap_row[model.candidate] >= 0
    rows = np.concatenate(
        [model.demand, m + pi, m + pi, cap_row[model.candidate][in_cap], cap_row[capped]]
    )
    cols = np.concatenate([n + pi, n + pi, model.candidate, n + pi[in_cap], capped])
    vals = np.concatenate(
        [
            np.ones(p),
            np.ones(p),
            -np.ones(p),
            model.households[model.demand][in_cap],
            -capacity_hh[capped],
        ]
    )
    n_row = m + p + capped.size
    a = sp.csr_array((vals, (rows, cols)), shape=(n_row, n + p))
    lower = np.full(n_row, -np.inf)
    upper = np.concatenate([np.ones(m), np.zeros(p + capped.size)])
    return a, lower, upper, p


def covered_weight(model: CoverModel, selected: IntArray) -> float:
    """Weight of the model demand that the sites ``selected`` cover."""
    is_open = np.zeros(model.n_candidates, dtype=bool)
    is_open[selected] = True
    hit = np.zeros(model.demand_ids.size, dtype=bool)
    hit[model.demand[is_open[model.candidate]]] = True
    return float(model.weight[hit].sum())


def assign_fixed(
    model: CoverModel, capacity_hh: FloatArray, selected: IntArray, time_limit_s: float
) -> tuple[float, FloatArray]:
    """Best capacitated assignment for fixed open sites (an LP): covered weight, x per pair."""
    n = model.n_candidates
    a, lo, hi, k = coverage_rows(model, capacity_hh)
    y = np.zeros(n)
    y[selected] = 1.0
    cost = np.concatenate([np.zeros(n), model.weight[model.demand]])
    res = solve(
        cost=cost,
        matrix=a,
        row_lower=lo,
        row_upper=hi,
        col_lower=np.concatenate([y, np.zeros(k)]),
        col_upper=np.concatenate([y, np.ones(k)]),
        integer=np.zeros(n + k, dtype=bool),
        maximize=True,
        time_limit_s=time_limit_s,
    )
    if res.x is None:
        raise LifecircleError(f"HiGHS could not assign demand to the chosen sites: {res.status}")
    return res.objective, res.x[n:]


def rank_cover(
    model: CoverModel,
    selected: IntArray,
    assign_x: FloatArray | None,
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Rank order, marginal gains and served households of chosen sites (see the module doc)."""
    if selected.size == 0:
        return selected, np.zeros(0), np.zeros(0)
    hh = model.households
    if assign_x is not None:
        gain = np.bincount(
            model.candidate,
            weights=model.weight[model.demand] * assign_x,
            minlength=model.n_candidates,
        )[selected]
        order = np.lexsort((selected, -gain))
        ranked = selected[order]
        assert hh is not None
        served = np.bincount(
            model.candidate, weights=hh[model.demand] * assign_x, minlength=model.n_candidates
        )[ranked]
        return ranked, gain[order].astype(np.float64), served.astype(np.float64)
    cover = greedy.by_candidate(
        model.candidate, model.demand, model.n_candidates, model.demand_ids.size
    )
    allowed = np.zeros(model.n_candidates, dtype=bool)
    allowed[selected] = True
    ranked, gains = greedy.lazy_greedy_cover(
        cover, model.weight, allowed=allowed, max_sites=selected.size
    )
    if ranked.size < selected.size:  # cannot happen: every allowed site is popped once
        raise LifecircleError("ranking lost sites")
    if hh is None:
        return ranked, gains, np.full(ranked.size, np.nan)
    return (
        ranked,
        gains,
        served_households(
            model.candidate, model.demand, model.dist_m, ranked, hh, model.n_candidates
        ),
    )
