"""Covering problems: MCLP (the most weight with ``p`` new sites) and LSCP (the fewest new sites
for a target share), both solved by the one cover solver of :mod:`lifecircle.analysis.siting.cover`.

Existing facilities are always kept: demand they already cover (``already_covered``) adds
nothing new. With ``capacity_m2`` (a floor-area limit per candidate) and the norm
``area_per_100hh_m2``, a site may serve at most ``capacity_m2 × 100 / area_per_100hh_m2``
households.
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import ArrayLike

from lifecircle.analysis.siting._cover_model import assign_fixed, cover_model
from lifecircle.analysis.siting._validate import validate_pairs, validate_sites
from lifecircle.analysis.siting.cover import (
    cover_milp,
    greedy_cover,
    report_cover,
    set_cover_milp,
    solve_cover,
)
from lifecircle.analysis.siting.result import (
    DEFAULT_MAX_EXACT_PAIRS,
    TOL,
    SitingResult,
    finish,
    share,
)
from lifecircle.errors import InputError, LifecircleError


def mclp(
    *,
    pair_candidate: ArrayLike,
    pair_demand: ArrayLike,
    weight: ArrayLike,
    n_candidates: int,
    n_sites: int,
    already_covered: ArrayLike | None = None,
    households: ArrayLike | None = None,
    capacity_m2: ArrayLike | None = None,
    area_per_100hh_m2: float | None = None,
    pair_dist_m: ArrayLike | None = None,
    time_limit_s: float = 60.0,
    max_exact_pairs: int = DEFAULT_MAX_EXACT_PAIRS,
) -> SitingResult:
    """Maximal covering: choose ``n_sites`` new sites covering the most weight not yet covered.

    Parameters
    ----------
    pair_candidate, pair_demand
        The sparse coverage pairs: candidate ``pair_candidate[k]`` covers demand point
        ``pair_demand[k]`` (within the category's walking distance).
    weight
        Weight of each demand point (population), shape ``(n_demand,)``.
    n_candidates
        Number of candidate sites (indices ``0..n_candidates-1``).
    n_sites
        How many new sites to open (exactly this many).
    already_covered
        Demand points the existing facilities cover (bool, ``(n_demand,)``); they add nothing.
    households
        Households per demand point, to size sites.
    capacity_m2
        Floor-area limit per candidate in m² (``nan`` = unlimited); needs
        ``area_per_100hh_m2`` and ``households``.
    area_per_100hh_m2
        The norm: floor area per 100 households, m².
    pair_dist_m
        Optional pair distances in metres, used only to assign covered households to their
        nearest chosen site.
    time_limit_s
        Wall-clock budget for the solver, seconds.
    max_exact_pairs
        Above this many model pairs, skip the MILP: lazy greedy with an LP bound.

    Returns
    -------
    SitingResult
        ``objective`` is the newly covered weight.

    Raises
    ------
    InputError
        Inconsistent arrays, indices out of range, negative weights, ``n_sites`` outside
        ``1..n_candidates``, or capacity without a norm.

    Examples
    --------
    >>> r = mclp(pair_candidate=[0, 0, 1], pair_demand=[0, 1, 2], weight=[5, 5, 7],
    ...          n_candidates=2, n_sites=1)
    >>> r.selected.tolist(), r.objective
    ([0], 10.0)
    """
    t0 = time.perf_counter()
    problems: list[str] = []
    pairs = validate_pairs(pair_candidate, pair_demand, pair_dist_m, weight, n_candidates, problems)
    validate_sites("n_sites", n_sites, pairs.n_candidates, problems)
    model, cap = cover_model(
        pairs, already_covered, households, capacity_m2, area_per_100hh_m2, problems
    )
    k_sites, deadline = int(n_sites), t0 + time_limit_s
    # greedy first: the fallback, and a warm start for the MILP
    start = greedy_cover(model, cap.capacity_hh, max_sites=k_sites, fill=True)
    milp = cover_milp(model, cap.capacity_hh, objective="weight", lower=k_sites, upper=k_sites)
    sol = solve_cover(
        model,
        milp,
        start,
        start_objective=start.covered,
        max_exact_pairs=max_exact_pairs,
        deadline=deadline,
    )
    return report_cover("mclp", model, cap, sol, t0=t0, deadline=deadline)


def lscp(
    *,
    pair_candidate: ArrayLike,
    pair_demand: ArrayLike,
    weight: ArrayLike,
    n_candidates: int,
    target_share: float = 1.0,
    already_covered: ArrayLike | None = None,
    households: ArrayLike | None = None,
    capacity_m2: ArrayLike | None = None,
    area_per_100hh_m2: float | None = None,
    pair_dist_m: ArrayLike | None = None,
    time_limit_s: float = 60.0,
    max_exact_pairs: int = DEFAULT_MAX_EXACT_PAIRS,
) -> SitingResult:
    """Set covering: the fewest new sites so the covered share of the weight reaches a target.

    Parameters
    ----------
    target_share
        Share of the total weight to cover, existing coverage included, in ``(0, 1]``.
    pair_candidate, pair_demand, weight, n_candidates, already_covered, households, capacity_m2,
    area_per_100hh_m2, pair_dist_m, time_limit_s, max_exact_pairs
        As in :func:`mclp`.

    Returns
    -------
    SitingResult
        ``objective`` is the number of new sites; no sites when the existing facilities already
        reach the target.

    Raises
    ------
    InputError
        As :func:`mclp`, and when the target cannot be reached even with every candidate open;
        the message gives the largest reachable share.

    Examples
    --------
    >>> r = lscp(pair_candidate=[0, 1, 1], pair_demand=[0, 1, 2], weight=[1, 1, 1],
    ...          n_candidates=2, target_share=0.6)
    >>> r.selected.tolist(), r.objective
    ([1], 1.0)
    """
    t0 = time.perf_counter()
    problems: list[str] = []
    pairs = validate_pairs(pair_candidate, pair_demand, pair_dist_m, weight, n_candidates, problems)
    if not (0.0 < target_share <= 1.0):
        problems.append(f"target_share must be in (0, 1], got {target_share}")
    model, cap = cover_model(
        pairs, already_covered, households, capacity_m2, area_per_100hh_m2, problems
    )
    n, total, before = model.n_candidates, model.total_weight, model.covered_before
    need = target_share * total - before - TOL * max(total, 1.0)
    if need <= 0:
        empty, now = np.zeros(0), share(before, total)
        return finish(
            "lscp",
            np.zeros(0, dtype=np.int64),
            empty,
            empty,
            cap,
            objective=0.0,
            bound=0.0,
            exact=True,
            method="none needed",
            t0=t0,
            before=now,
            after=now,
        )
    deadline = t0 + time_limit_s
    if cap.capacity_hh is None:
        reach = float(model.weight.sum())
    else:
        everyone = np.arange(n, dtype=np.int64)
        reach = assign_fixed(model, cap.capacity_hh, everyone, max(time_limit_s, 5.0))[0]
    if reach < need:
        raise InputError(
            f"target_share {target_share:g} cannot be reached: with all {n} candidates open at "
            f"most {share(before + reach, total):.4f} of the weight is covered (existing "
            f"facilities {share(before, total):.4f}); lower target_share or add candidates"
        )
    start = greedy_cover(model, cap.capacity_hh, max_sites=n, stop_weight=need)
    if cap.capacity_hh is None and target_share >= 1.0:
        milp = set_cover_milp(model)
    else:
        milp = cover_milp(model, cap.capacity_hh, objective="sites", lower=need, upper=np.inf)
    sol = solve_cover(
        model,
        milp,
        start,
        start_objective=float(start.selected.size),
        start_feasible=start.covered >= need,
        max_exact_pairs=max_exact_pairs,
        deadline=deadline,
    )
    if not sol.found:
        raise LifecircleError(
            f"no site set reaching target_share {target_share:g} was found within "
            f"time_limit_s = {time_limit_s:g} s; allow more time"
        )
    return report_cover("lscp", model, cap, sol, t0=t0, deadline=deadline)
