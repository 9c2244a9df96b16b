"""What a siting model returns (:class:`SitingResult`) and the small helpers every model shares."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np

from lifecircle.analysis.siting._arrays import FloatArray, IntArray
from lifecircle.analysis.siting._validate import Capacity
from lifecircle.vocab import SitingProblem

log = logging.getLogger(__name__)

#: Above this many model pairs the MILP is not attempted: greedy with an LP bound instead.
DEFAULT_MAX_EXACT_PAIRS = 3_000_000
#: Relative tolerance under which an objective and its bound count as equal.
TOL = 1e-9


@dataclass(frozen=True)
class SitingResult:
    """The sites chosen by one siting model, in rank order.

    Attributes
    ----------
    problem
        ``"mclp"``, ``"lscp"`` or ``"p_median"``.
    selected
        Candidate indices in rank order (rank 1 first).
    marginal_gain
        Per rank: the weight newly covered given the sites ranked before (mclp, lscp; with
        capacities the weight assigned to the site), or the weighted distance saved (p_median,
        weight × metres).
    served_households
        Per rank: households assigned to the site. With capacities the model's assignment;
        otherwise each newly covered demand point goes to its nearest chosen site when pair
        distances are given, else to the highest-ranked site covering it. ``nan`` when no
        households were given.
    required_floor_area_m2
        Per rank: ``served_households × area_per_100hh_m2 / 100`` (0 when no norm was given).
    objective
        Newly covered weight (mclp), number of sites (lscp), or total weighted distance
        including demand served by existing facilities (p_median, weight × metres).
    bound
        Best proven bound on the optimum (equal to ``objective`` when exact).
    gap
        Relative gap ``|bound − objective| / |objective|`` (0 when exact).
    exact
        Whether the solution is proven optimal.
    method
        ``"highs-milp"``, ``"highs-milp (time limit)"``, ``"lazy-greedy+lp-bound"``,
        ``"greedy+lp-bound"`` or ``"none needed"`` (lscp target already met). A p-median
        optimum is ``"highs-milp"`` also when the Lagrangian bound proves it with no MILP;
        ``"greedy+lp-bound"`` is then the best heuristic (greedy, swap or Lagrangian) solution
        with the best bound found.
    solve_time_s
        Wall-clock seconds for the whole call.
    covered_share_before, covered_share_after
        Share of the total weight covered before and after adding the sites (p_median: within
        the catchment cutoff, the largest pair distance).
    """

    problem: SitingProblem
    selected: IntArray
    marginal_gain: FloatArray
    served_households: FloatArray
    required_floor_area_m2: FloatArray
    objective: float
    bound: float
    gap: float
    exact: bool
    method: str
    solve_time_s: float
    covered_share_before: float
    covered_share_after: float


def gap(objective: float, bound: float) -> float:
    """Relative gap ``|bound − objective| / |objective|``; 0 within :data:`TOL`."""
    diff = abs(bound - objective)
    if diff <= TOL * max(1.0, abs(objective)):
        return 0.0
    return diff / abs(objective) if objective != 0 else math.inf


def share(value: float, total: float) -> float:
    """``value / total``; 1 when there is no weight at all."""
    return value / total if total > 0 else 1.0


def finish(
    problem: SitingProblem,
    ranked: IntArray,
    gains: FloatArray,
    served: FloatArray,
    cap: Capacity,
    *,
    objective: float,
    bound: float,
    exact: bool,
    method: str,
    t0: float,
    before: float,
    after: float,
) -> SitingResult:
    """The result of ranked sites: floor areas from the norm, the gap, the time since ``t0``."""
    if cap.area_per_100hh_m2 is None:
        area = np.zeros(ranked.size)
    else:
        area = served * cap.area_per_100hh_m2 / 100.0
    result = SitingResult(
        problem=problem,
        selected=ranked.astype(np.int64),
        marginal_gain=gains.astype(np.float64),
        served_households=served.astype(np.float64),
        required_floor_area_m2=area.astype(np.float64),
        objective=float(objective),
        bound=float(objective if exact else bound),
        gap=float(0.0 if exact else gap(objective, bound)),
        exact=exact,
        method=method,
        solve_time_s=time.perf_counter() - t0,
        covered_share_before=before,
        covered_share_after=after,
    )
    log.info(
        "%s: %d sites, objective %.6g, bound %.6g, gap %.3g, %s, %.2f s",
        problem,
        ranked.size,
        result.objective,
        result.bound,
        result.gap,
        method,
        result.solve_time_s,
    )
    return result


def served_households(
    candidate: IntArray,
    demand: IntArray,
    dist_m: FloatArray | None,
    ranked: IntArray,
    households: FloatArray,
    n_candidates: int,
) -> FloatArray:
    """Households per rank when each demand point goes to its nearest ranked site.

    Pairs are ``(candidate, demand)`` with their distance ``dist_m`` in metres; without
    distances, and between sites equally near, the higher-ranked site serves.
    """
    rank_of = np.full(n_candidates, -1, dtype=np.int64)
    rank_of[ranked] = np.arange(ranked.size)
    on = rank_of[candidate] >= 0
    d, r = demand[on], rank_of[candidate[on]]
    key = r.astype(np.float64) if dist_m is None else dist_m[on]
    order = np.lexsort((r, key, d))
    first = np.ones(order.size, dtype=bool)
    first[1:] = d[order][1:] != d[order][:-1]
    pick = order[first]
    served = np.bincount(r[pick], weights=households[d[pick]], minlength=ranked.size)
    return served.astype(np.float64)


def newly_covered(
    pair_candidate: IntArray,
    pair_demand: IntArray,
    ranked: IntArray,
    weight: FloatArray,
    already_covered: np.ndarray,
) -> tuple[FloatArray, np.ndarray]:
    """Per rank, the weight a site newly brings within reach, and who is within reach after.

    The same figure for every model: a demand point counts for the first ranked site whose
    pair reaches it, unless an existing facility (``already_covered``) or a site ranked before
    already reaches it, so the figures sum to at most the weight not covered before.

    Parameters
    ----------
    pair_candidate, pair_demand
        Pairs ``(candidate, demand point)`` within the category's walking distance.
    ranked
        The chosen candidates in rank order (rank 1 first).
    weight
        Weight (population) of each demand point; 0 for points not counted.
    already_covered
        Bool per demand point: within reach of an existing facility.

    Returns
    -------
    tuple of ndarray
        The newly covered weight per rank (people), and bool per demand point: within reach
        after the sites are built (existing facilities or any chosen site).

    Examples
    --------
    >>> gain, after = newly_covered(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 2]),
    ...                             np.array([1, 0]), np.array([5.0, 7.0, 11.0]),
    ...                             np.array([True, False, False]))
    >>> gain.tolist(), after.tolist()
    ([18.0, 0.0], [True, True, True])
    """
    ranked = np.asarray(ranked, dtype=np.int64)
    pc = np.asarray(pair_candidate, dtype=np.int64)
    chosen = np.isin(pc, ranked)  # the pairs of the chosen sites only, found in one pass
    pc, pd_ = pc[chosen], np.asarray(pair_demand, dtype=np.int64)[chosen]
    w = np.asarray(weight, dtype=np.float64)
    after = np.asarray(already_covered, dtype=bool).copy()
    gains = np.zeros(len(ranked), dtype=np.float64)
    for k, cand in enumerate(ranked):
        reach = np.unique(pd_[pc == cand])
        new = reach[~after[reach]]
        gains[k] = float(w[new].sum())
        after[new] = True
    return gains, after
