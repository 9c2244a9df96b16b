"""Solving the p-median on its model arrays: heuristics, Lagrangian bound, reduction, radius MILP.

The p-median starts from a greedy + swap solution on each demand point's nearest distance
levels, then relaxes the assignment constraints in the Lagrangian way
(:mod:`lifecircle.analysis.siting._lagrange`): subgradient ascent gives a lower bound as good as
the LP's in milliseconds and meets better solutions on the way. When bound and best solution
meet (relative gap 1e-9), that solution is proven optimal with no MILP; otherwise the Lagrangian
reduced costs close (or open) every candidate, and drop every pair, that no solution as good as
the best one can use, and HiGHS solves what is left, whose optimum is the full model's (when much
is left, first on a core of the cheapest candidates, for a better solution and a smaller
remainder). Either way the method reads ``"highs-milp"`` for a proven optimum.

HiGHS gets the radius formulation (:mod:`lifecircle.analysis.siting._radius`). Small models keep
every level; otherwise each demand point first keeps only its nearest levels (the incumbent's,
and at least 1.5 n / p); distance beyond the last kept level is free, so that model is a
relaxation, and its lists grow until its optimum serves every point within them, which makes
that optimum exact for the full model. An instance with more model pairs than
``max_exact_pairs``, or one whose MILP does not finish within ``time_limit_s``, gets the greedy
solution, or the best one met later (Lagrangian, HiGHS), with the best proven bound (the
Lagrangian or HiGHS' dual bound; else the LP relaxation) and the relative gap.

All arrays are on the model demand (weight > 0, compressed indices ``0..m-1``) with the pairs
sorted by demand point, then distance.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np

from lifecircle.analysis.siting import _greedy as greedy, _lagrange as lagrange
from lifecircle.analysis.siting._arrays import FloatArray, IntArray
from lifecircle.analysis.siting._highs import lp_bound, solve
from lifecircle.analysis.siting._radius import (
    Levels,
    assign_level,
    grow_lists,
    radius_model,
    radius_start,
)
from lifecircle.analysis.siting.result import TOL
from lifecircle.errors import InputError, LifecircleError

log = logging.getLogger(__name__)

#: The p-median heuristics see each demand point's nearest max(4 n / p, 8) distance levels.
_NEAR_LEVELS = 4.0
_MIN_NEAR_LEVELS = 8
#: When more than ``_CORE_FACTOR`` p + ``_CORE_EXTRA`` candidates are left after the reduction,
#: the p-median is first solved on a core of the 2 p + 10 cheapest (a better incumbent).
_CORE_FACTOR = 4
_CORE_EXTRA = 20
#: A reduced p-median with at most this many pairs is solved on full level lists at once (one
#: branch and bound instead of one per growth of the lists).
_FULL_LISTS_PAIRS = 50_000


@dataclass(frozen=True)
class MedianModel:
    """The p-median's model: pairs nearer than their demand point's existing facility, sorted by
    demand point, then distance, on the model demand (weight > 0, indices ``0..m-1``)."""

    candidate: IntArray  # per pair
    demand: IntArray  # per pair: model demand point
    dist_m: FloatArray  # per pair, metres
    weight: FloatArray  # per model demand point
    existing_dist_m: FloatArray  # per model demand point, metres (inf: none)
    n_candidates: int


@dataclass(frozen=True)
class MedianSolution:
    """The best p-median solution found (model demand, weight × metres)."""

    selected: IntArray
    objective: float
    bound: float  # lower bound on the optimum (−inf when none)
    exact: bool
    method: str


def solve_median(
    model: MedianModel,
    *,
    n_sites: int,
    cutoff_m: float,
    t0: float,
    time_limit_s: float,
    max_exact_pairs: int,
) -> MedianSolution:
    """Open ``n_sites`` candidates minimising the model demand's weighted distance (metres).

    Parameters
    ----------
    model
        The model arrays.
    n_sites
        How many sites to open.
    cutoff_m
        The catchment cutoff (largest pair distance), metres; the heuristics count demand
        without a facility at a penalty beyond it.
    t0, time_limit_s
        ``time.perf_counter()`` at the start of the call and the budget from then, seconds.
    max_exact_pairs
        Above this many model pairs: no exact solve, the heuristic with the LP bound.

    Returns
    -------
    MedianSolution

    Raises
    ------
    InputError
        When ``n_sites`` sites cannot reach every demand point without an existing facility.
    LifecircleError
        When no solution reaching every such point was found in time.
    """
    pc, pdm, dist = model.candidate, model.demand, model.dist_m
    wm, em, n, k_sites = model.weight, model.existing_dist_m, model.n_candidates, n_sites
    m, p = wm.size, pc.size
    # greedy + swaps: no-facility demand counts at a penalty so reaching it comes first. They
    # work on each point's nearest distance levels only (a point served from further away
    # counts at its fallback), which leaves out pairs a good solution hardly uses.
    deadline = t0 + time_limit_s
    penalty = 2.0 * cutoff_m + 1.0
    base = np.where(np.isfinite(em), em, penalty)
    levels = _levels(pdm, dist, m)
    near = levels.pair_level < max(math.ceil(_NEAR_LEVELS * n / k_sites), _MIN_NEAR_LEVELS)
    near_pairs = (pc[near], pdm[near], dist[near])
    g_sel, _ = greedy.greedy_median(*near_pairs, wm, base, n_candidates=n, max_sites=k_sites)
    g_sel = greedy.pad(g_sel, k_sites, n)
    g_sel = _swap(near_pairs, wm, base, g_sel, n, k_sites, deadline=t0 + 0.25 * time_limit_s)
    g_obj = lagrange.median_cost(pc, pdm, dist, wm, em, g_sel, n)
    g_ok = math.isfinite(g_obj)  # every demand point reached

    sel, obj, bound = g_sel, g_obj, -math.inf
    exact, method = False, "greedy+lp-bound"
    if p == 0:
        sel, obj, bound, exact, method = g_sel, 0.0, 0.0, True, "highs-milp"
    elif p <= max_exact_pairs and g_ok:
        found = _median_exact(
            levels,
            pc,
            pdm,
            dist,
            near_pairs,
            wm,
            em,
            base,
            n,
            k_sites,
            g_sel,
            g_obj,
            t0,
            time_limit_s,
        )
        sel, obj, bound, exact = found.selected, found.objective, found.bound, found.exact
        if exact:
            method = "highs-milp"
        elif found.by_highs:
            method = "highs-milp (time limit)"
    elif p <= max_exact_pairs or not g_ok:
        # no feasible start: the whole radius model
        res = _radius_solve(levels, pc, pdm, dist, wm, em, n, k_sites, None, math.inf, deadline)
        if res.selected is None:
            raise LifecircleError(
                f"no p-median solution reaching every demand point was found within "
                f"time_limit_s = {time_limit_s:g} s; allow more time"
            )
        sel, obj, bound, exact = res.selected, res.objective, res.bound, res.optimal
        method = "highs-milp" if exact else "highs-milp (time limit)"
    else:
        rm = radius_model(levels, pc, pdm, wm, em, levels.count, n, k_sites)
        bound = rm.constant + lp_bound(
            rm.cost,
            rm.matrix,
            rm.row_lower,
            rm.row_upper,
            np.zeros(rm.cost.size),
            np.ones(rm.cost.size),
            False,
            deadline - time.perf_counter(),
        )
    return MedianSolution(sel, obj, bound, exact, method)


@dataclass(frozen=True)
class _Solved:
    """Best solution of an exact p-median step (model demand, weight × metres)."""

    selected: IntArray
    objective: float
    bound: float
    exact: bool
    by_highs: bool  # the solution is HiGHS' (better than the start)


def _swap(
    near_pairs: tuple[IntArray, IntArray, FloatArray],
    wm: FloatArray,
    base: FloatArray,
    start: IntArray,
    n: int,
    k_sites: int,
    *,
    deadline: float,
) -> IntArray:
    """Swap search from ``start`` on each point's nearest distance levels (pairs as candidate,
    demand, metres), at most 20 rounds per site or until ``deadline`` (a perf_counter time)."""
    return greedy.swap_median(
        *near_pairs,
        wm,
        base,
        start,
        n_candidates=n,
        max_rounds=20 * k_sites,
        deadline=deadline,
    )


def _median_exact(
    levels: Levels,
    pc: IntArray,
    pdm: IntArray,
    dist: FloatArray,
    near_pairs: tuple[IntArray, IntArray, FloatArray],
    wm: FloatArray,
    em: FloatArray,
    base: FloatArray,
    n: int,
    k_sites: int,
    start: IntArray,
    start_obj: float,
    t0: float,
    time_limit_s: float,
) -> _Solved:
    """Exact p-median from a feasible start: Lagrangian bound, reduction, then the radius MILP.

    The subgradient ascent raises the bound and meets better solutions; a swap search polishes
    the best. When bound and incumbent meet, the incumbent is optimal. Otherwise the reduction
    tests of :mod:`lifecircle.analysis.siting._lagrange` fix candidates and drop pairs, and
    HiGHS solves the smaller radius model (whose optimum is the full model's).
    """
    deadline = t0 + time_limit_s
    lag = lagrange.subgradient(
        pc,
        pdm,
        dist,
        levels.pair_level,
        wm,
        em,
        n_candidates=n,
        n_sites=k_sites,
        incumbent=start,
        incumbent_cost=start_obj,
        deadline=t0 + 0.5 * time_limit_s,
    )
    sel, obj, bound = lag.selected, lag.objective, lag.bound
    if not np.array_equal(np.sort(sel), np.sort(start)) and obj - bound > TOL * max(1.0, obj):
        polished = _swap(near_pairs, wm, base, sel, n, k_sites, deadline=t0 + 0.5 * time_limit_s)
        p_obj = lagrange.median_cost(pc, pdm, dist, wm, em, polished, n)
        if p_obj < obj:
            sel, obj = polished, p_obj
    if obj - bound <= TOL * max(1.0, abs(obj)):
        log.debug("p-median: the Lagrangian bound %.10g closes the gap to %.10g", bound, obj)
        return _Solved(sel, obj, bound, True, False)
    red = _reduce(pc, pdm, dist, wm, em, lag, sel, obj, n, k_sites)
    by_highs = False
    if red.free.size > _CORE_FACTOR * red.n_sites + _CORE_EXTRA and red.candidate.size:
        # a weak incumbent leaves much to decide: first solve the model on a core of the
        # cheapest candidates (by ρ) and the incumbent's; a better incumbent reduces more
        size = 2 * red.n_sites + 10
        core = red.free[np.argsort(lag.rho[red.free], kind="stable")[:size]]
        core = np.union1d(core, np.setdiff1d(sel, red.opened))
        left = max(deadline - time.perf_counter(), 0.0)
        found = _solve_reduced(red, sel, core, time.perf_counter() + 0.25 * left, full_lists=False)
        if found.selected is not None:
            c_obj = lagrange.median_cost(pc, pdm, dist, wm, em, found.selected, n)
            if c_obj < obj:
                log.debug("p-median: the core of %d candidates improves to %.10g", core.size, c_obj)
                sel, obj, by_highs = found.selected, c_obj, True
                red = _reduce(pc, pdm, dist, wm, em, lag, sel, obj, n, k_sites)
    if red.n_sites == 0 or red.free.size <= red.n_sites or red.candidate.size == 0:
        log.debug("p-median: the reduction leaves no choice; the incumbent is optimal")
        return _Solved(sel, obj, obj, True, by_highs)
    log.debug(
        "p-median: MILP on the reduced model, %d candidates and %d pairs",
        red.free.size,
        red.candidate.size,
    )
    res = _solve_reduced(red, sel, red.free, deadline, full_lists=True)
    if math.isfinite(res.bound):
        bound = max(bound, res.bound)
    if res.selected is not None:
        r_obj = lagrange.median_cost(pc, pdm, dist, wm, em, res.selected, n)
        if r_obj < obj:
            sel, obj, by_highs = res.selected, r_obj, True
    return _Solved(sel, obj, bound, res.optimal, by_highs)


def _reduce(
    pc: IntArray,
    pdm: IntArray,
    dist: FloatArray,
    wm: FloatArray,
    em: FloatArray,
    lag: lagrange.Lagrangian,
    sel: IntArray,
    obj: float,
    n: int,
    k_sites: int,
) -> lagrange.Reduction:
    """:func:`lagrange.reduce` with ``sel`` (objective ``obj``) as incumbent, logged."""
    red = lagrange.reduce(
        pc,
        pdm,
        dist,
        wm,
        em,
        lag,
        incumbent=sel,
        incumbent_cost=obj,
        n_candidates=n,
        n_sites=k_sites,
    )
    log.debug(
        "p-median: Lagrangian bound %.10g, incumbent %.10g; %d of %d candidates left "
        "(%d open for good), %d of %d pairs",
        lag.bound,
        obj,
        red.free.size,
        n,
        red.opened.size,
        red.candidate.size,
        pc.size,
    )
    return red


def _solve_reduced(
    red: lagrange.Reduction,
    start: IntArray,
    allowed: IntArray,
    deadline: float,
    *,
    full_lists: bool,
) -> _RadiusResult:
    """Solve the reduced p-median exactly, on the candidates ``allowed`` (original indices).

    ``start`` (original indices, feasible for the reduced model) must lie within ``allowed``
    and the opened candidates. Returns the solution in original indices (opened included) and
    the bound on the full model's objective (model demand) when ``allowed`` is all of
    ``red.free``.
    """
    n_free = red.free.size
    is_allowed = np.zeros(n_free, dtype=bool)
    is_allowed[np.searchsorted(red.free, allowed)] = True
    new_id = np.full(n_free, -1, dtype=np.int64)
    new_id[is_allowed] = np.arange(int(is_allowed.sum()))
    on = is_allowed[red.candidate]
    rc, rdist = new_id[red.candidate[on]], red.dist_m[on]
    # demand points left without a pair keep their fallback (finite: the start serves them)
    head = np.ones(int(on.sum()), dtype=bool)
    rd_all = red.demand[on]
    head[1:] = rd_all[1:] != rd_all[:-1]
    ids = rd_all[head]
    rd = (np.cumsum(head) - 1).astype(np.int64)
    alone = np.ones(red.demand_ids.size, dtype=bool)
    alone[ids] = False
    constant = red.constant + float(red.weight[alone] @ red.existing_dist_m[alone])
    r_w, r_e = red.weight[ids], red.existing_dist_m[ids]
    n_sub = int(is_allowed.sum())
    rev = np.flatnonzero(is_allowed)
    r_start = new_id[np.searchsorted(red.free, np.setdiff1d(start, red.opened))]
    r_levels = _levels(rd, rdist, ids.size)
    r_start_obj = lagrange.median_cost(rc, rd, rdist, r_w, r_e, r_start, n_sub)
    res = _radius_solve(
        r_levels,
        rc,
        rd,
        rdist,
        r_w,
        r_e,
        n_sub,
        red.n_sites,
        r_start,
        r_start_obj,
        deadline,
        full_lists=full_lists and rc.size <= _FULL_LISTS_PAIRS,
    )
    sel = None
    if res.selected is not None:
        sel = np.concatenate([red.free[rev[res.selected]], red.opened]).astype(np.int64)
    return _RadiusResult(sel, res.objective, res.bound + constant, res.optimal)


@dataclass(frozen=True)
class _RadiusResult:
    selected: IntArray | None  # HiGHS' best solution when better than the start
    objective: float
    bound: float  # lower bound on the model's optimum (−inf when none)
    optimal: bool  # the better of start and ``selected`` is proven optimal


def _radius_solve(
    levels: Levels,
    pc: IntArray,
    pdm: IntArray,
    dist: FloatArray,
    wm: FloatArray,
    em: FloatArray,
    n: int,
    k_sites: int,
    start: IntArray | None,
    start_obj: float,
    deadline: float,
    *,
    full_lists: bool = False,
) -> _RadiusResult:
    """Solve the radius model exactly on growing level lists (see the module docstring).

    Each demand point first keeps its nearest levels (the start's level plus one, and at least
    1.5 n / p); distance beyond the last kept level is free, so that model is a relaxation. When
    its optimum serves every point within the levels kept it is optimal for the full model;
    otherwise the short lists grow and the model is solved again.
    """
    m = wm.size
    if start is not None and not full_lists:
        n_keep = np.minimum(assign_level(levels, pc, pdm, start, n) + 1, levels.count)
        n_keep = np.minimum(np.maximum(n_keep, math.ceil(1.5 * n / k_sites)), levels.count)
        n_keep = grow_lists(levels, pdm, dist, n_keep, np.ones(m, dtype=bool), 1.0)
    else:
        n_keep = levels.count.copy()
    best_sel, best_obj, inc = None, start_obj, start
    bound, optimal = -math.inf, False
    while True:
        rm = radius_model(levels, pc, pdm, wm, em, n_keep, n, k_sites)
        res = solve(
            cost=rm.cost,
            matrix=rm.matrix,
            row_lower=rm.row_lower,
            row_upper=rm.row_upper,
            col_lower=np.zeros(rm.cost.size),
            col_upper=np.ones(rm.cost.size),
            integer=rm.integer,
            maximize=False,
            time_limit_s=deadline - time.perf_counter(),
            start=None if inc is None else radius_start(rm, levels, pc, pdm, inc, n),
        )
        if res.status == "Infeasible":
            raise InputError(
                f"n_sites = {k_sites} sites cannot reach every demand point without an "
                "existing facility; open more sites or add candidates"
            )
        if math.isfinite(res.bound):
            bound = max(bound, res.bound + rm.constant)
        if res.x is None:
            break
        r_sel = np.flatnonzero(res.x[:n] > 0.5).astype(np.int64)
        r_obj = lagrange.median_cost(pc, pdm, dist, wm, em, r_sel, n)
        if r_obj < best_obj:
            best_sel, best_obj, inc = r_sel, r_obj, r_sel
        if not res.optimal:
            break
        level = assign_level(levels, pc, pdm, r_sel, n)
        short = (n_keep < levels.count) & (level >= n_keep)
        if not short.any() or best_obj <= bound + TOL * max(1.0, abs(best_obj)):
            optimal = inc is not None
            break
        n_keep = np.maximum(n_keep, np.where(short, np.minimum(level + 1, levels.count), 0))
        n_keep = grow_lists(levels, pdm, dist, n_keep, short, 2.0)
        log.debug("p-median: %d demand points need more distance levels", int(short.sum()))
    return _RadiusResult(best_sel, best_obj, bound, optimal)


def _levels(pdm: IntArray, dist: FloatArray, m: int) -> Levels:
    """The distance levels of each model demand point (pairs as demand point, metres)."""
    order = greedy.by_demand_order(pdm, dist)
    if order is None:
        order = np.arange(pdm.size)
    sd, sdist = pdm[order], dist[order]
    new_level = np.ones(sd.size, dtype=bool)
    new_level[1:] = (sd[1:] != sd[:-1]) | (sdist[1:] != sdist[:-1])
    gid = np.cumsum(new_level) - 1
    count = np.bincount(sd[new_level], minlength=m).astype(np.int64)
    start = (np.cumsum(count) - count).astype(np.int64)
    pair_level = np.empty(pdm.size, dtype=np.int64)
    pair_level[order] = gid - start[sd]
    return Levels(pair_level=pair_level, start=start, count=count, dist_m=sdist[new_level])
