"""The p-median: open ``p`` sites minimising the total weighted walking distance.

Every demand point walks to its nearest facility, existing or new: a demand point keeps its
existing facility when that is nearer (``existing_dist_m``), and only pairs nearer than it enter
the model, which :mod:`lifecircle.analysis.siting._median_solve` solves.

Rank order. The gain of a chosen site is the weighted distance it saves given the existing
facilities and the sites ranked before, each demand point walking from its existing facility's
distance; a demand point with no facility yet counts at the catchment cutoff (the largest pair
distance): for it the gain is a lower bound on the distance saved.
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import ArrayLike

from lifecircle.analysis.siting import _greedy as greedy
from lifecircle.analysis.siting._median_solve import MedianModel, solve_median
from lifecircle.analysis.siting._validate import (
    bad_rows,
    per_demand,
    raise_problems,
    validate_capacity,
    validate_pairs,
    validate_sites,
)
from lifecircle.analysis.siting.result import (
    DEFAULT_MAX_EXACT_PAIRS,
    SitingResult,
    finish,
    served_households,
    share,
)
from lifecircle.errors import InputError


def p_median(
    *,
    pair_candidate: ArrayLike,
    pair_demand: ArrayLike,
    pair_dist_m: ArrayLike,
    weight: ArrayLike,
    n_candidates: int,
    n_sites: int,
    existing_dist_m: ArrayLike | None = None,
    households: ArrayLike | None = None,
    area_per_100hh_m2: float | None = None,
    time_limit_s: float = 60.0,
    max_exact_pairs: int = DEFAULT_MAX_EXACT_PAIRS,
) -> SitingResult:
    """p-median: open ``n_sites`` sites minimising the total weighted walking distance.

    Every demand point walks to its nearest facility, existing or new; a pair whose distance is
    not shorter than the existing facility's never enters the model.

    Parameters
    ----------
    pair_candidate, pair_demand, pair_dist_m
        Sparse pairs with their walking distance in metres.
    weight
        Weight of each demand point (population).
    n_candidates, n_sites
        Number of candidates and of sites to open.
    existing_dist_m
        Each demand point's distance to its nearest existing facility in metres (``inf`` if
        none); no existing facilities when ``None``.
    households, area_per_100hh_m2
        To size sites: households per demand point and the norm in m² per 100 households.
    time_limit_s, max_exact_pairs
        As in :func:`mclp`.

    Returns
    -------
    SitingResult
        ``objective`` is Σ weight × distance (m) over all demand points.

    Raises
    ------
    InputError
        As :func:`mclp`, when demand points with weight are out of reach (no pair and no
        existing facility), or when ``n_sites`` sites cannot reach all of them.

    Examples
    --------
    >>> r = p_median(pair_candidate=[0, 1, 1], pair_demand=[0, 0, 1], pair_dist_m=[100, 50, 80],
    ...              weight=[2, 1], n_candidates=2, n_sites=1)
    >>> r.selected.tolist(), r.objective
    ([1], 180.0)
    """
    t0 = time.perf_counter()
    problems: list[str] = []
    pairs = validate_pairs(
        pair_candidate, pair_demand, pair_dist_m, weight, n_candidates, problems, any_order=True
    )
    validate_sites("n_sites", n_sites, pairs.n_candidates, problems)
    w = pairs.weight
    exist = per_demand("existing_dist_m", existing_dist_m, w.size, problems)
    if exist is None:
        exist = np.full(w.size, np.inf)
    elif np.isnan(exist).any() or (exist < 0).any():
        problems.append(
            f"existing_dist_m has {bad_rows(np.isnan(exist) | (exist < 0))} negative or nan "
            "values; use inf for demand points without an existing facility"
        )
    cap = validate_capacity(households, None, area_per_100hh_m2, w.size, pairs.n_candidates, [])
    raise_problems(problems)
    assert pairs.dist_m is not None
    n = pairs.n_candidates
    has_pair = np.zeros(w.size, dtype=bool)
    has_pair[pairs.demand] = True
    lost = (w > 0) & ~has_pair & ~np.isfinite(exist)
    if lost.any():
        raise InputError(
            f"{int(lost.sum())} demand points with weight are out of reach: no candidate pair "
            f"and no existing facility (demand rows {bad_rows(lost)}); add candidates, "
            "raise the catchment distance or drop those points"
        )
    cutoff_m = float(pairs.dist_m.max()) if pairs.dist_m.size else 0.0
    keep = (pairs.dist_m < exist[pairs.demand]) & (w[pairs.demand] > 0)
    pc, pd_all, dist = pairs.candidate[keep], pairs.demand[keep], pairs.dist_m[keep]
    # every step below works on the pairs sorted by demand point, then distance
    order = greedy.by_demand_order(pd_all, dist)
    if order is not None:
        pc, pd_all, dist = pc[order], pd_all[order], dist[order]
    head = np.ones(pd_all.size, dtype=bool)
    head[1:] = pd_all[1:] != pd_all[:-1]
    ids = pd_all[head]
    pdm = (np.cumsum(head) - 1).astype(np.int64)
    m = ids.size
    wm, em = w[ids], exist[ids]
    fixed = (w > 0) & np.isfinite(exist)
    fixed[ids] = False
    constant = float((w[fixed] * exist[fixed]).sum())

    model = MedianModel(pc, pdm, dist, wm, em, n)
    found = solve_median(
        model,
        n_sites=int(n_sites),
        cutoff_m=cutoff_m,
        t0=t0,
        time_limit_s=time_limit_s,
        max_exact_pairs=max_exact_pairs,
    )
    sel, obj, bound, exact = found.selected, found.objective, found.bound, found.exact

    # rank: greedy among the chosen, no-facility demand counted at the cutoff
    allowed = np.zeros(n, dtype=bool)
    allowed[sel] = True
    rank_base = np.where(np.isfinite(em), em, cutoff_m)  # no facility yet: at the cutoff
    on_sel = allowed[pc]  # only the chosen sites' pairs can save distance
    ranked, gains = greedy.greedy_median(
        pc[on_sel],
        pdm[on_sel],
        dist[on_sel],
        wm,
        rank_base,
        n_candidates=n,
        max_sites=sel.size,
        allowed=allowed,
    )
    ranked = np.concatenate([ranked, np.setdiff1d(sel, ranked)]).astype(np.int64)
    gains = np.concatenate([gains, np.zeros(ranked.size - gains.size)])
    served = np.full(ranked.size, np.nan)
    new_d = np.full(m, np.inf)
    if ranked.size:
        on = allowed[pc]
        np.minimum.at(new_d, pdm[on], dist[on])
    if cap.households is not None and ranked.size:
        served = served_households(pc, pdm, dist, ranked, cap.households[ids], n)
    total = float(w.sum())
    within_before = (exist <= cutoff_m) & (w > 0)
    within_after = within_before.copy()
    within_after[ids[new_d <= cutoff_m]] = True
    obj_total = obj + constant
    bound_total = bound + constant
    return finish(
        "p_median",
        ranked,
        gains,
        served,
        cap,
        objective=obj_total,
        bound=obj_total if exact else min(bound_total, obj_total),
        exact=exact,
        method=found.method,
        t0=t0,
        before=share(float(w[within_before].sum()), total),
        after=share(float(w[within_after].sum()), total),
    )
