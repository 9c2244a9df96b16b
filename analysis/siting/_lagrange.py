"""Lagrangian relaxation of the p-median on sparse pairs: a lower bound, a primal heuristic and
reduction tests that shrink the exact model.

Relaxing each demand point's assignment constraint ``Σ_j x_ij + x_i0 = 1`` (``x_i0``: served by
its existing facility) with a multiplier ``λ_i`` (weight × metres) leaves

    L(λ) = Σ_i λ_i + Σ_i min(0, w_i e_i − λ_i) + min_{|S| = p} Σ_{j ∈ S} ρ_j,
    ρ_j  = Σ_i min(0, w_i d_ij − λ_i),

with ``e_i`` the existing facility's distance. Every ``λ`` gives a lower bound ``L(λ) ≤``
optimum, and the best ``λ`` gives the LP bound of the strong formulation (the subproblem has
integral optima). ``λ`` is improved by projected subgradient steps (Polyak step towards the
incumbent's objective), and each ``S`` met on the way is a candidate solution.

Reduction. With ``UB`` the incumbent's objective and ``L = L(λ)``, a solution that opens a
candidate ``j`` outside the ``p`` cheapest costs at least ``L + ρ_j − ρ_(p)``; one that keeps a
candidate ``j`` inside them closed at least ``L + ρ_(p+1) − ρ_j``; one that serves demand point
``i`` from ``j`` at least ``L + max(0, w_i d_ij − λ_i) + max(0, ρ_j − ρ_(p))``. Whatever costs
more than ``UB`` is in no optimal solution: such candidates are closed or opened for good and
such pairs are dropped. The smaller model keeps every optimal solution and costs no solution
below its true cost, so its optimum is the full model's.

All arrays are on the model demand (weight > 0, compressed indices ``0..m-1``) with the pairs
sorted by demand point, then distance.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np

from lifecircle.analysis.siting._arrays import FloatArray, IntArray

log = logging.getLogger(__name__)

#: Subgradient steps: the step factor starts here and halves after ``_PATIENCE`` steps without
#: a better bound; the ascent stops below ``_MIN_STEP``.
_FIRST_STEP = 2.0
_PATIENCE = 30
_MIN_STEP = 1e-4
_MAX_STEPS = 3000
#: Each demand point's multiplier works on its nearest ``max(_LIST_FACTOR · n / p, _MIN_LIST)``
#: distance levels (its multiplier is capped below the next one, which keeps the bound valid);
#: points whose cap binds get longer lists, at most ``_EXTENSIONS`` times.
_LIST_FACTOR = 4.0
_MIN_LIST = 8
_EXTENSIONS = 4
#: Candidate solutions ``S`` are costed every this many steps (when new).
_PRIMAL_EVERY = 5


@dataclass(frozen=True)
class Lagrangian:
    """Result of the subgradient ascent.

    Attributes
    ----------
    bound
        Best Lagrangian lower bound ``L(λ)`` on the model objective, weight × metres.
    lam
        The multipliers giving ``bound`` (per demand point, weight × metres).
    rho
        Per candidate: ``ρ_j`` at ``lam``, weight × metres (≤ 0).
    selected
        Best solution found (the incumbent or a Lagrangian ``S``), candidate indices.
    objective
        Its objective, weight × metres.
    steps
        Subgradient steps taken.
    """

    bound: float
    lam: FloatArray
    rho: FloatArray
    selected: IntArray
    objective: float
    steps: int


def median_cost(
    pc: IntArray,
    pdm: IntArray,
    dist: FloatArray,
    wm: FloatArray,
    em: FloatArray,
    sel: IntArray,
    n: int,
) -> float:
    """Weighted distance of the model demand with the candidates ``sel`` open.

    Parameters
    ----------
    pc, pdm, dist
        Pairs (candidate, demand point, distance in metres), sorted by demand point, then
        distance.
    wm, em
        Per demand point: weight and fallback distance in metres (``inf``: none).
    sel
        Open candidates.
    n
        Number of candidates.

    Returns
    -------
    float
        Σ weight × distance to the nearest open site or fallback (weight × metres); ``inf``
        when a demand point has neither.
    """
    is_open = np.zeros(n, dtype=bool)
    is_open[sel] = True
    idx = np.flatnonzero(is_open[pc])
    near = em.copy()
    if idx.size:
        dem = pdm[idx]
        first = np.ones(idx.size, dtype=bool)
        first[1:] = dem[1:] != dem[:-1]
        near[dem[first]] = np.minimum(near[dem[first]], dist[idx[first]])
    if not np.isfinite(near).all():
        return math.inf
    return float(wm @ near)


def _sum_by(index: IntArray, values: FloatArray, size: int) -> FloatArray:
    return np.asarray(np.bincount(index, weights=values, minlength=size), dtype=np.float64)


def _cheapest(rho: FloatArray, k: int) -> IntArray:
    if k >= rho.size:
        return np.arange(rho.size, dtype=np.int64)
    return np.argpartition(rho, k - 1)[:k].astype(np.int64)


def subgradient(
    pc: IntArray,
    pdm: IntArray,
    dist: FloatArray,
    level: IntArray,
    wm: FloatArray,
    em: FloatArray,
    *,
    n_candidates: int,
    n_sites: int,
    incumbent: IntArray,
    incumbent_cost: float,
    deadline: float,
) -> Lagrangian:
    """Maximise the Lagrangian bound by projected subgradient ascent.

    Parameters
    ----------
    pc, pdm, dist
        Model pairs (candidate, demand point, distance in metres), sorted by demand point, then
        distance; only pairs nearer than the demand point's existing facility.
    level
        Per pair: 0-based rank of its distance among the demand point's distinct distances.
    wm, em
        Per demand point: weight (> 0) and existing facility's distance in metres (``inf``: none).
    n_candidates, n_sites
        Number of candidates and of sites to open.
    incumbent, incumbent_cost
        A feasible solution and its objective (finite), weight × metres.
    deadline
        ``time.perf_counter()`` value after which the ascent stops.

    Returns
    -------
    Lagrangian
    """
    n, k, m = n_candidates, n_sites, wm.size
    ub, best_sel = float(incumbent_cost), np.asarray(incumbent, dtype=np.int64)
    if not math.isfinite(ub):
        raise ValueError("the incumbent must serve every demand point (finite cost)")
    tol = 1e-9 * max(1.0, abs(ub))
    n_levels = np.zeros(m, dtype=np.int64)
    np.maximum.at(n_levels, pdm, level + 1)
    wd = wm[pdm] * dist
    we = wm * em  # inf without an existing facility
    # starting multipliers: each point's second-nearest distance level (its nearest when alone)
    second = np.zeros(m)
    first_level = level == 0
    second[pdm[first_level]] = dist[first_level]
    on_2 = level == 1
    second[pdm[on_2]] = dist[on_2]
    lam = np.minimum(wm * second, we)
    keep_levels = np.minimum(n_levels, max(math.ceil(_LIST_FACTOR * n / k), _MIN_LIST))

    best, best_lam, steps = -math.inf, lam.copy(), 0
    ones = np.ones(m)
    seen: set[bytes] = set()
    for extension in range(_EXTENSIONS + 1):
        on_list = level < keep_levels[pdm]
        tc, td, twd = pc[on_list], pdm[on_list], wd[on_list]
        # cap: the first distance level left out; beyond it every pair would add 0 to ρ
        cap = we.copy()
        at_end = level == keep_levels[pdm]
        cap[pdm[at_end]] = np.minimum(cap[pdm[at_end]], wd[at_end])
        lam = np.minimum(best_lam if extension else lam, cap)
        step, stall = _FIRST_STEP if extension == 0 else _FIRST_STEP / 4, 0
        is_open = np.zeros(n, dtype=bool)
        while steps < _MAX_STEPS:
            red = twd - lam[td]
            neg = red < 0
            rho = _sum_by(tc[neg], red[neg], n)
            sel = _cheapest(rho, k)
            value = float(lam.sum() + rho[sel].sum())
            if value > best + 1e-12 * max(1.0, abs(value)):
                if value > best + 1e-9 * max(1.0, abs(value)):
                    stall = 0
                best, best_lam = value, lam.copy()
            else:
                stall += 1
            if steps % _PRIMAL_EVERY == 0:
                key = np.sort(sel).tobytes()
                if key not in seen:
                    seen.add(key)
                    # on the lists a point beyond them counts at its cap: a lower estimate
                    low = median_cost(tc, td, twd, ones, cap, sel, n)
                    if low < ub:
                        cost = median_cost(pc, pdm, dist, wm, em, sel, n)
                        if cost < ub:
                            ub, best_sel = cost, np.sort(sel)
            steps += 1
            if ub - best <= tol:
                break
            if stall >= _PATIENCE:
                step, stall = step / 2, 0
                if step < _MIN_STEP:
                    break
            if steps % 50 == 0 and time.perf_counter() > deadline:
                break
            is_open[:] = False
            is_open[sel] = True
            g = 1.0 - np.bincount(td[neg & is_open[tc]], minlength=m)
            g[(lam >= cap) & (g > 0)] = 0.0
            norm = float(g @ g)
            if norm == 0.0:  # λ is optimal for these lists
                break
            lam = np.minimum(lam + (step * (ub - value) / norm) * g, cap)
        # points whose multiplier sits at a list cap while wanting more get longer lists
        red = twd - best_lam[td]
        neg = red < 0
        rho = _sum_by(tc[neg], red[neg], n)
        is_open[:] = False
        is_open[_cheapest(rho, k)] = True
        wants = np.bincount(td[neg & is_open[tc]], minlength=m) < 1
        capped = wants & (best_lam >= cap) & (cap < we) & (keep_levels < n_levels)
        if ub - best <= tol or not capped.any() or time.perf_counter() > deadline:
            break
        keep_levels[capped] = np.minimum(2 * keep_levels[capped], n_levels[capped])
        log.debug("Lagrangian: %d demand points get longer lists", int(capped.sum()))
    log.debug("Lagrangian: bound %.10g, incumbent %.10g after %d steps", best, ub, steps)
    return Lagrangian(
        bound=best, lam=best_lam, rho=rho, selected=best_sel, objective=ub, steps=steps
    )


@dataclass(frozen=True)
class Reduction:
    """The p-median left after the reduction tests, on its own candidate and demand indices.

    Attributes
    ----------
    free
        Original indices of the candidates still to decide (reduced candidate ``r`` is
        ``free[r]``).
    opened
        Original indices of the candidates open in every optimal solution.
    n_sites
        Sites to open among ``free``.
    candidate, demand, dist_m
        The pairs kept, in reduced indices, sorted by demand point, then distance (metres).
    demand_ids
        Per reduced demand point: its model demand index.
    weight, existing_dist_m
        Per reduced demand point: weight and fallback distance in metres (existing facility or
        nearest opened candidate; ``inf`` when it must be served by a kept pair).
    constant
        Weighted distance of the demand points left with no pair (served by their fallback),
        weight × metres.
    """

    free: IntArray
    opened: IntArray
    n_sites: int
    candidate: IntArray
    demand: IntArray
    dist_m: FloatArray
    demand_ids: IntArray
    weight: FloatArray
    existing_dist_m: FloatArray
    constant: float


def reduce(
    pc: IntArray,
    pdm: IntArray,
    dist: FloatArray,
    wm: FloatArray,
    em: FloatArray,
    lag: Lagrangian,
    *,
    incumbent: IntArray,
    incumbent_cost: float,
    n_candidates: int,
    n_sites: int,
) -> Reduction:
    """Fix candidates and drop pairs that no solution at most ``incumbent_cost`` can use.

    Parameters
    ----------
    pc, pdm, dist, wm, em
        As in :func:`subgradient`.
    lag
        Multipliers and bound from :func:`subgradient`.
    incumbent, incumbent_cost
        A feasible solution and its objective, weight × metres; it stays feasible in the
        reduced model (with the same objective).
    n_candidates, n_sites
        Number of candidates and of sites to open.

    Returns
    -------
    Reduction
    """
    n, k, m = n_candidates, n_sites, wm.size
    lam, rho = lag.lam, lag.rho
    # rounding: the bound is a sum of terms up to |λ| and |ρ| in size
    scale = float(np.abs(lam).sum() + np.abs(rho).sum() + abs(incumbent_cost))
    slack = incumbent_cost - lag.bound + 1e-9 * max(1.0, scale)
    in_inc = np.zeros(n, dtype=bool)
    in_inc[incumbent] = True
    if k < n:
        part = np.partition(rho, (k - 1, k))
        rho_k, rho_k1 = float(part[k - 1]), float(part[k])
    else:
        rho_k, rho_k1 = math.inf, math.inf
    open_cost = np.maximum(rho - rho_k, 0.0) if k < n else np.zeros(n)
    closed = (open_cost > slack) & ~in_inc
    opened = (rho_k1 - rho > slack) & in_inc if k < n else np.zeros(n, dtype=bool)
    pen = np.maximum(wm[pdm] * dist - lam[pdm], 0.0) + open_cost[pc]
    keep = (pen <= slack) & ~closed[pc]
    fallback = np.where(np.maximum(wm * em - lam, 0.0) <= slack, em, np.inf)
    # the incumbent's own assignment always stays
    is_inc = in_inc[pc]
    idx = np.flatnonzero(is_inc)
    dem = pdm[idx]
    first = np.ones(idx.size, dtype=bool)
    first[1:] = dem[1:] != dem[:-1]
    keep[idx[first]] = True
    by_pair = np.zeros(m, dtype=bool)
    by_pair[dem[first]] = True
    fallback = np.where(by_pair, fallback, em)
    # opened candidates serve like existing facilities
    on = np.flatnonzero(opened[pc])
    od = pdm[on]
    first = np.ones(on.size, dtype=bool)
    first[1:] = od[1:] != od[:-1]
    fallback[od[first]] = np.minimum(fallback[od[first]], dist[on[first]])
    keep &= ~opened[pc] & (dist < fallback[pdm])
    free = np.flatnonzero(~closed & ~opened).astype(np.int64)
    new_id = np.full(n, -1, dtype=np.int64)
    new_id[free] = np.arange(free.size)
    ids, rd = np.unique(pdm[keep], return_inverse=True)
    alone = np.ones(m, dtype=bool)
    alone[ids] = False
    return Reduction(
        free=free,
        opened=np.flatnonzero(opened).astype(np.int64),
        n_sites=k - int(opened.sum()),
        candidate=new_id[pc[keep]],
        demand=rd.astype(np.int64),
        dist_m=dist[keep],
        demand_ids=ids.astype(np.int64),
        weight=wm[ids],
        existing_dist_m=fallback[ids],
        constant=float(wm[alone] @ fallback[alone]) if alone.any() else 0.0,
    )
