"""Siting new facilities: MCLP, LSCP and p-median on sparse coverage pairs, solved with HiGHS.

The models take plain arrays, never a dense cost matrix: the pairs ``(candidate, demand)``
(with ``dist_m`` for the p-median) that the engine's catchments found within the category's
walking distance. Only those pairs enter the model, so a county (10⁵ demand points × 10³
candidates) stays a model of a few hundred thousand non-zeros. Existing facilities are always
kept: demand they already cover (``already_covered``) adds nothing new, and in the p-median a
demand point keeps its existing facility when that is nearer (``existing_dist_m``).

Solutions are exact (HiGHS branch and bound, relative gap 1e-9). The p-median starts from a
greedy + swap solution on each demand point's nearest distance levels, then relaxes the
assignment constraints in the Lagrangian way (:mod:`lifecircle.analysis._siting_lagrange`):
subgradient ascent gives a lower bound as good as the LP's in milliseconds and meets better
solutions on the way. When bound and best solution meet (relative gap 1e-9), that solution is
proven optimal with no MILP; otherwise the Lagrangian reduced costs close (or open) every
candidate, and drop every pair, that no solution as good as the best one can use, and HiGHS
solves what is left, whose optimum is the full model's (when much is left, first on a core of
the cheapest candidates, for a better solution and a smaller remainder). Either way the method
reads ``"highs-milp"`` for a proven optimum. HiGHS gets the radius formulation (Elloumi 2010):
per demand point its distinct pair distances ``D¹ < D² < …`` and ``z^k`` = "no open site within
``D^k``", whose LP relaxation is nearly integral and whose size is pairs + levels, not pairs ×
2. Small models keep every level; otherwise each demand point first keeps only its nearest
levels (the incumbent's, and at least 1.5 n / p); distance beyond the last kept level is free,
so that model is a relaxation, and its lists grow until its optimum serves every point within
them, which makes that optimum exact for the full model. An instance with more model pairs
than ``max_exact_pairs``, or one whose MILP does not finish within ``time_limit_s``, gets the
greedy (lazy-greedy for coverage) solution, or the best one met later (Lagrangian, HiGHS),
with the best proven bound (p-median: the Lagrangian or HiGHS' dual bound; coverage: HiGHS'
dual bound; else the LP relaxation) and the relative gap ``|bound − objective| / |objective|``.

Rank order. The chosen sites of an uncapacitated solution are ordered greedily: rank 1 is the
chosen site covering the most new weight, rank 2 the one adding most given rank 1, and so on;
``marginal_gain`` is that added weight, so the gains sum to the objective. With capacities a
site's gain is the weight the model assigned to it, ranked from largest. In the p-median the
gain is the weighted distance saved given the sites ranked before, where a demand point with no
facility yet counts at the catchment cutoff (the largest pair distance): for newly reached
demand the gain is a lower bound on the distance saved.

Capacity. With ``capacity_m2`` (a floor-area limit per candidate) and the norm
``area_per_100hh_m2``, a site may serve at most ``capacity_m2 × 100 / area_per_100hh_m2``
households. Assignment variables exist only on the sparse pairs, and a demand point may be split
between sites (a grid cell's households can use two centres); covered weight counts the
assigned share.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from lifecircle.analysis import _siting_greedy as greedy, _siting_lagrange as lagrange
from lifecircle.analysis._siting_highs import Solved, solve
from lifecircle.errors import InputError, LifecircleError

log = logging.getLogger(__name__)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

Problem = Literal["mclp", "lscp", "p_median"]

#: Above this many model pairs the MILP is not attempted: greedy with an LP bound instead.
DEFAULT_MAX_EXACT_PAIRS = 3_000_000
_TOL = 1e-9
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

    problem: Problem
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


# ----------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class _Pairs:
    candidate: IntArray
    demand: IntArray
    dist_m: FloatArray | None
    weight: FloatArray
    n_candidates: int


def _as_1d(name: str, value: ArrayLike, problems: list[str], dtype: type) -> NDArray:
    arr = np.asarray(value)
    if arr.ndim != 1:
        problems.append(f"{name} must be one-dimensional, got shape {arr.shape}")
        return np.zeros(0, dtype=dtype)
    try:
        return arr.astype(dtype, casting="safe" if dtype is np.int64 else "unsafe")
    except TypeError:
        problems.append(f"{name} must hold integers, got dtype {arr.dtype}")
        return np.zeros(0, dtype=dtype)


def _per_demand(
    name: str, value: ArrayLike | None, n_demand: int, problems: list[str]
) -> FloatArray | None:
    if value is None:
        return None
    arr = _as_1d(name, value, problems, np.float64)
    if arr.size != n_demand:
        problems.append(f"{name} has {arr.size} values; weight has {n_demand}")
        return None
    return arr


def _bad_rows(mask: NDArray[np.bool_]) -> str:
    rows = np.flatnonzero(mask)
    shown = ", ".join(str(r) for r in rows[:5])
    return f"{rows.size} (rows {shown}{', …' if rows.size > 5 else ''})"


def _increasing(key: IntArray) -> bool:
    return bool((key[1:] > key[:-1]).all())


def _validate_pairs(
    pair_candidate: ArrayLike,
    pair_demand: ArrayLike,
    pair_dist_m: ArrayLike | None,
    weight: ArrayLike,
    n_candidates: int,
    problems: list[str],
    *,
    any_order: bool = False,
) -> _Pairs:
    cand = _as_1d("pair_candidate", pair_candidate, problems, np.int64)
    dem = _as_1d("pair_demand", pair_demand, problems, np.int64)
    w = _as_1d("weight", weight, problems, np.float64)
    dist = None if pair_dist_m is None else _as_1d("pair_dist_m", pair_dist_m, problems, np.float64)
    if not isinstance(n_candidates, int | np.integer) or n_candidates < 1:
        problems.append(f"n_candidates must be a positive integer, got {n_candidates!r}")
        n_candidates = 0
    if cand.size != dem.size:
        problems.append(
            f"pair_candidate has {cand.size} values and pair_demand {dem.size}; they must match"
        )
    if dist is not None and dist.size != dem.size:
        problems.append(f"pair_dist_m has {dist.size} values; pair_demand has {dem.size}")
    if problems:
        raise InputError("invalid siting input:\n" + "\n".join(problems), problems)
    if (~np.isfinite(w)).any() or (w < 0).any():
        problems.append(
            f"weight has {_bad_rows(~(np.isfinite(w) & (w >= 0)))} negative or missing values;"
            " weights (population) must be finite and ≥ 0"
        )
    if cand.size and (cand.min() < 0 or cand.max() >= n_candidates):
        problems.append(
            f"pair_candidate has {_bad_rows((cand < 0) | (cand >= n_candidates))} values "
            f"outside 0..{n_candidates - 1} (n_candidates = {n_candidates})"
        )
    if dem.size and (dem.min() < 0 or dem.max() >= w.size):
        problems.append(
            f"pair_demand has {_bad_rows((dem < 0) | (dem >= w.size))} values outside "
            f"0..{w.size - 1} (weight has {w.size} demand points)"
        )
    if dist is not None and ((~np.isfinite(dist)).any() or (dist < 0).any()):
        problems.append(
            f"pair_dist_m has {_bad_rows(~(np.isfinite(dist) & (dist >= 0)))} negative or "
            "missing distances; pairs must carry finite distances in metres"
        )
    if problems:
        raise InputError("invalid siting input:\n" + "\n".join(problems), problems)
    # Duplicate pairs: keep one (the shortest when distances are given). Pairs already in
    # strictly increasing (candidate, demand) order, or (demand, candidate) order when the
    # caller takes any order, have none and need no sort.
    key = cand * max(w.size, 1) + dem
    if _increasing(key) or (any_order and _increasing(dem * max(n_candidates, 1) + cand)):
        return _Pairs(
            candidate=cand, demand=dem, dist_m=dist, weight=w, n_candidates=int(n_candidates)
        )
    order = np.lexsort((dist, key)) if dist is not None else np.argsort(key, kind="stable")
    keep = np.ones(order.size, dtype=bool)
    keep[1:] = key[order][1:] != key[order][:-1]
    sel = order[keep]
    return _Pairs(
        candidate=cand[sel],
        demand=dem[sel],
        dist_m=None if dist is None else dist[sel],
        weight=w,
        n_candidates=int(n_candidates),
    )


@dataclass(frozen=True)
class _Capacity:
    households: FloatArray | None
    capacity_hh: FloatArray | None  # per candidate, inf = unlimited; None = uncapacitated
    area_per_100hh_m2: float | None


def _validate_capacity(
    households: ArrayLike | None,
    capacity_m2: ArrayLike | None,
    area_per_100hh_m2: float | None,
    n_demand: int,
    n_candidates: int,
    problems: list[str],
) -> _Capacity:
    hh = _per_demand("households", households, n_demand, problems)
    if hh is not None and ((~np.isfinite(hh)).any() or (hh < 0).any()):
        problems.append(
            f"households has {_bad_rows(~(np.isfinite(hh) & (hh >= 0)))} negative or missing "
            "values; households must be finite and ≥ 0"
        )
    if area_per_100hh_m2 is not None and not (
        math.isfinite(area_per_100hh_m2) and area_per_100hh_m2 > 0
    ):
        problems.append(f"area_per_100hh_m2 must be > 0 m², got {area_per_100hh_m2}")
    if area_per_100hh_m2 is not None and hh is None:
        problems.append(
            "area_per_100hh_m2 needs households: pass households per demand point to size sites"
        )
    cap_hh = None
    if capacity_m2 is not None:
        cap = _as_1d("capacity_m2", capacity_m2, problems, np.float64)
        if cap.size != n_candidates:
            problems.append(f"capacity_m2 has {cap.size} values; n_candidates is {n_candidates}")
        elif (cap < 0).any():
            problems.append(
                f"capacity_m2 has {_bad_rows(cap < 0)} negative values; use nan for unlimited"
            )
        elif area_per_100hh_m2 is None or hh is None:
            problems.append(
                "capacity_m2 needs area_per_100hh_m2 and households: a site's limit is in m² of "
                "floor area, served households × area_per_100hh_m2 / 100 must fit it"
            )
        elif np.isfinite(cap).any():
            cap_hh = np.where(np.isnan(cap) | np.isinf(cap), np.inf, cap * 100.0)
            cap_hh = cap_hh / float(area_per_100hh_m2)
    if problems:
        raise InputError("invalid siting input:\n" + "\n".join(problems), problems)
    return _Capacity(households=hh, capacity_hh=cap_hh, area_per_100hh_m2=area_per_100hh_m2)


def _validate_sites(name: str, n_sites: int, n_candidates: int, problems: list[str]) -> None:
    if not isinstance(n_sites, int | np.integer) or n_sites < 1:
        problems.append(f"{name} must be a positive integer, got {n_sites!r}")
    elif n_sites > n_candidates:
        problems.append(
            f"{name} = {n_sites} is more than the {n_candidates} candidates; add candidates "
            "or ask for fewer sites"
        )


def _gap(objective: float, bound: float) -> float:
    diff = abs(bound - objective)
    if diff <= _TOL * max(1.0, abs(objective)):
        return 0.0
    return diff / abs(objective) if objective != 0 else math.inf


# ----------------------------------------------------------------------------- coverage models


@dataclass(frozen=True)
class _CoverModel:
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


def _cover_model(pairs: _Pairs, already: BoolArray | None, hh: FloatArray | None) -> _CoverModel:
    w = pairs.weight
    done = np.zeros(w.size, dtype=bool) if already is None else already
    keep = ~done[pairs.demand] & (w[pairs.demand] > 0)
    ids, comp = np.unique(pairs.demand[keep], return_inverse=True)
    return _CoverModel(
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


def _coverage_rows(
    model: _CoverModel, capacity_hh: FloatArray | None
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


def _covered_weight(model: _CoverModel, selected: IntArray) -> float:
    is_open = np.zeros(model.n_candidates, dtype=bool)
    is_open[selected] = True
    hit = np.zeros(model.demand_ids.size, dtype=bool)
    hit[model.demand[is_open[model.candidate]]] = True
    return float(model.weight[hit].sum())


def _assign_fixed(
    model: _CoverModel, capacity_hh: FloatArray, selected: IntArray, time_limit_s: float
) -> tuple[float, FloatArray]:
    """Best capacitated assignment for fixed open sites (an LP): covered weight, x per pair."""
    n = model.n_candidates
    a, lo, hi, k = _coverage_rows(model, capacity_hh)
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


def _rank_cover(
    model: _CoverModel,
    selected: IntArray,
    assign_x: FloatArray | None,
    cap: _Capacity,
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Rank order, marginal gains and served households of chosen sites (see module doc)."""
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
    rank_of = np.full(model.n_candidates, -1, dtype=np.int64)
    rank_of[ranked] = np.arange(ranked.size)
    on = rank_of[model.candidate] >= 0
    d, r = model.demand[on], rank_of[model.candidate[on]]
    # nearest chosen site if distances are known, else the highest-ranked covering site
    key = r.astype(np.float64) if model.dist_m is None else model.dist_m[on]
    order = np.lexsort((r, key, d))
    first = np.ones(order.size, dtype=bool)
    first[1:] = d[order][1:] != d[order][:-1]
    pick = order[first]
    served = np.bincount(r[pick], weights=hh[d[pick]], minlength=ranked.size)
    return ranked, gains, served.astype(np.float64)


def _finish(
    problem: Problem,
    ranked: IntArray,
    gains: FloatArray,
    served: FloatArray,
    cap: _Capacity,
    *,
    objective: float,
    bound: float,
    exact: bool,
    method: str,
    t0: float,
    before: float,
    after: float,
) -> SitingResult:
    if cap.area_per_100hh_m2 is None:
        area = np.zeros(ranked.size)
    else:
        area = served * cap.area_per_100hh_m2 / 100.0
    gap = 0.0 if exact else _gap(objective, bound)
    result = SitingResult(
        problem=problem,
        selected=ranked.astype(np.int64),
        marginal_gain=gains.astype(np.float64),
        served_households=served.astype(np.float64),
        required_floor_area_m2=area.astype(np.float64),
        objective=float(objective),
        bound=float(objective if exact else bound),
        gap=float(gap),
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


def _share(value: float, total: float) -> float:
    return value / total if total > 0 else 1.0


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
    pairs = _validate_pairs(
        pair_candidate, pair_demand, pair_dist_m, weight, n_candidates, problems
    )
    _validate_sites("n_sites", n_sites, pairs.n_candidates, problems)
    already = _per_demand("already_covered", already_covered, pairs.weight.size, problems)
    cap = _validate_capacity(
        households, capacity_m2, area_per_100hh_m2, pairs.weight.size, pairs.n_candidates, problems
    )
    if problems:
        raise InputError("invalid siting input:\n" + "\n".join(problems), problems)
    model = _cover_model(pairs, None if already is None else already.astype(bool), cap.households)
    n, k_sites = model.n_candidates, int(n_sites)
    deadline = t0 + time_limit_s

    # greedy first: the fallback, and a warm start for the MILP
    if cap.capacity_hh is None:
        cover = greedy.by_candidate(model.candidate, model.demand, n, model.demand_ids.size)
        g_sel, _ = greedy.lazy_greedy_cover(cover, model.weight, max_sites=k_sites)
        g_sel = _pad(g_sel, k_sites, n)
        g_obj = _covered_weight(model, g_sel)
        g_x = None
    else:
        assert model.households is not None
        g_sel, g_x = greedy.greedy_capacitated(
            model.candidate,
            model.demand,
            model.weight,
            model.households,
            cap.capacity_hh,
            max_sites=k_sites,
        )
        g_sel = _pad(g_sel, k_sites, n)
        g_obj = float((model.weight[model.demand] * g_x).sum())

    a, lo, hi, k = _coverage_rows(model, cap.capacity_hh)
    card = sp.csr_array((np.ones(n), (np.zeros(n, dtype=np.int64), np.arange(n))), shape=(1, n + k))
    matrix = sp.vstack([a, card], format="csr")
    row_lo = np.concatenate([lo, [k_sites]])
    row_hi = np.concatenate([hi, [k_sites]])
    second = model.weight if cap.capacity_hh is None else model.weight[model.demand]
    cost = np.concatenate([np.zeros(n), second])
    col_lo, col_hi = np.zeros(n + k), np.ones(n + k)
    integer = np.concatenate([np.ones(n, dtype=bool), np.zeros(k, dtype=bool)])
    start = np.zeros(n + k)
    start[g_sel] = 1.0
    if g_x is None:
        is_open = start[:n] > 0
        z = np.zeros(k)
        z[model.demand[is_open[model.candidate]]] = 1.0
        start[n:] = z
    else:
        start[n:] = g_x

    sel, obj, x, bound = g_sel, g_obj, g_x, math.inf
    exact, method = False, "lazy-greedy+lp-bound" if g_x is None else "greedy+lp-bound"
    if model.candidate.size == 0:
        exact, bound, method = True, 0.0, "highs-milp"
    elif model.candidate.size <= max_exact_pairs:
        res = solve(
            cost=cost,
            matrix=matrix,
            row_lower=row_lo,
            row_upper=row_hi,
            col_lower=col_lo,
            col_upper=col_hi,
            integer=integer,
            maximize=True,
            time_limit_s=deadline - time.perf_counter(),
            start=start,
        )
        bound = res.bound
        if res.x is not None and (res.optimal or res.objective > g_obj):
            sel = np.flatnonzero(res.x[:n] > 0.5).astype(np.int64)
            obj = res.objective
            x = None if g_x is None else res.x[n:]
            method = "highs-milp" if res.optimal else "highs-milp (time limit)"
        exact = res.optimal
        if exact:
            bound = obj
    else:
        bound = _lp_bound(
            cost, matrix, row_lo, row_hi, col_lo, col_hi, True, deadline - time.perf_counter()
        )
    if x is not None and cap.capacity_hh is not None:
        obj, x = _assign_fixed(model, cap.capacity_hh, sel, max(deadline - time.perf_counter(), 5))
    ranked, gains, served = _rank_cover(model, sel, x, cap)
    before = model.covered_before
    return _finish(
        "mclp",
        ranked,
        gains,
        served,
        cap,
        objective=obj,
        bound=max(bound, obj),
        exact=exact,
        method=method,
        t0=t0,
        before=_share(before, model.total_weight),
        after=_share(before + obj, model.total_weight),
    )


def _pad(sel: IntArray, k: int, n: int) -> IntArray:
    """Fill a greedy selection up to ``k`` sites with unused candidates (zero gain)."""
    if sel.size >= k:
        return sel
    unused = np.setdiff1d(np.arange(n), sel)[: k - sel.size]
    return np.concatenate([sel, unused]).astype(np.int64)


def _lp_bound(
    cost: FloatArray,
    matrix: sp.csr_array,
    row_lo: FloatArray,
    row_hi: FloatArray,
    col_lo: FloatArray,
    col_hi: FloatArray,
    maximize: bool,
    time_left_s: float,
) -> float:
    res: Solved = solve(
        cost=cost,
        matrix=matrix,
        row_lower=row_lo,
        row_upper=row_hi,
        col_lower=col_lo,
        col_upper=col_hi,
        integer=np.zeros(cost.size, dtype=bool),
        maximize=maximize,
        time_limit_s=max(time_left_s, 1.0),
        relax=True,
    )
    return res.bound


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
    pairs = _validate_pairs(
        pair_candidate, pair_demand, pair_dist_m, weight, n_candidates, problems
    )
    if not (0.0 < target_share <= 1.0):
        problems.append(f"target_share must be in (0, 1], got {target_share}")
    already = _per_demand("already_covered", already_covered, pairs.weight.size, problems)
    cap = _validate_capacity(
        households, capacity_m2, area_per_100hh_m2, pairs.weight.size, pairs.n_candidates, problems
    )
    if problems:
        raise InputError("invalid siting input:\n" + "\n".join(problems), problems)
    model = _cover_model(pairs, None if already is None else already.astype(bool), cap.households)
    n, total, before = model.n_candidates, model.total_weight, model.covered_before
    need = target_share * total - before - _TOL * max(total, 1.0)
    if need <= 0:
        share = _share(before, total)
        empty = np.zeros(0)
        return _finish(
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
            before=share,
            after=share,
        )
    deadline = t0 + time_limit_s
    everyone = np.arange(n, dtype=np.int64)
    if cap.capacity_hh is None:
        reach = float(model.weight.sum())
    else:
        reach = _assign_fixed(model, cap.capacity_hh, everyone, max(time_limit_s, 5.0))[0]
    if reach < need:
        raise InputError(
            f"target_share {target_share:g} cannot be reached: with all {n} candidates open at "
            f"most {_share(before + reach, total):.4f} of the weight is covered (existing "
            f"facilities {_share(before, total):.4f}); lower target_share or add candidates"
        )

    full_cover = cap.capacity_hh is None and target_share >= 1.0
    if cap.capacity_hh is None:
        cover = greedy.by_candidate(model.candidate, model.demand, n, model.demand_ids.size)
        g_sel, _ = greedy.lazy_greedy_cover(cover, model.weight, max_sites=n, stop_weight=need)
        g_x = None
        g_ok = _covered_weight(model, g_sel) >= need
    else:
        assert model.households is not None
        g_sel, g_x = greedy.greedy_capacitated(
            model.candidate,
            model.demand,
            model.weight,
            model.households,
            cap.capacity_hh,
            max_sites=n,
            stop_weight=need,
        )
        g_ok = float((model.weight[model.demand] * g_x).sum()) >= need

    if full_cover:
        m = model.demand_ids.size
        matrix = sp.csr_array(
            (np.ones(model.candidate.size), (model.demand, model.candidate)), shape=(m, n)
        )
        row_lo, row_hi, k = np.ones(m), np.full(m, np.inf), 0
    else:
        a, lo, hi, k = _coverage_rows(model, cap.capacity_hh)
        second = model.weight if cap.capacity_hh is None else model.weight[model.demand]
        cov_row = sp.csr_array(
            (second, (np.zeros(k, dtype=np.int64), n + np.arange(k))), shape=(1, n + k)
        )
        matrix = sp.vstack([a, cov_row], format="csr")
        row_lo, row_hi = np.concatenate([lo, [need]]), np.concatenate([hi, [np.inf]])
    cost = np.concatenate([np.ones(n), np.zeros(k)])
    col_lo, col_hi = np.zeros(n + k), np.ones(n + k)
    integer = np.concatenate([np.ones(n, dtype=bool), np.zeros(k, dtype=bool)])
    start = None
    if g_ok:
        start = np.zeros(n + k)
        start[g_sel] = 1.0
        if k and g_x is None:
            is_open = start[:n] > 0
            start[n + model.demand[is_open[model.candidate]]] = 1.0
        elif k:
            assert g_x is not None
            start[n:] = g_x

    sel, x, bound = g_sel, g_x, 0.0
    exact, method = False, "lazy-greedy+lp-bound" if g_x is None else "greedy+lp-bound"
    if model.candidate.size <= max_exact_pairs or not g_ok:
        res = solve(
            cost=cost,
            matrix=matrix,
            row_lower=row_lo,
            row_upper=row_hi,
            col_lower=col_lo,
            col_upper=col_hi,
            integer=integer,
            maximize=False,
            time_limit_s=deadline - time.perf_counter(),
            start=start,
        )
        bound = res.bound
        if res.x is not None and (res.optimal or not g_ok or res.objective < g_sel.size):
            sel = np.flatnonzero(res.x[:n] > 0.5).astype(np.int64)
            x = None if g_x is None else res.x[n:]
            method = "highs-milp" if res.optimal else "highs-milp (time limit)"
            g_ok = True
        exact = res.optimal
        if not g_ok:
            raise LifecircleError(
                f"no site set reaching target_share {target_share:g} was found within "
                f"time_limit_s = {time_limit_s:g} s; allow more time"
            )
    else:
        bound = _lp_bound(
            cost, matrix, row_lo, row_hi, col_lo, col_hi, False, deadline - time.perf_counter()
        )
    obj = float(sel.size)
    bound = obj if exact else min(obj, math.ceil(bound - 1e-6))
    if x is not None and cap.capacity_hh is not None:
        covered, x = _assign_fixed(
            model, cap.capacity_hh, sel, max(deadline - time.perf_counter(), 5)
        )
    else:
        covered = _covered_weight(model, sel)
    ranked, gains, served = _rank_cover(model, sel, x, cap)
    return _finish(
        "lscp",
        ranked,
        gains,
        served,
        cap,
        objective=obj,
        bound=bound,
        exact=exact,
        method=method,
        t0=t0,
        before=_share(before, total),
        after=_share(before + covered, total),
    )


# ----------------------------------------------------------------------------- p-median


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
    pairs = _validate_pairs(
        pair_candidate, pair_demand, pair_dist_m, weight, n_candidates, problems, any_order=True
    )
    _validate_sites("n_sites", n_sites, pairs.n_candidates, problems)
    w = pairs.weight
    exist = _per_demand("existing_dist_m", existing_dist_m, w.size, problems)
    if exist is None:
        exist = np.full(w.size, np.inf)
    elif np.isnan(exist).any() or (exist < 0).any():
        problems.append(
            f"existing_dist_m has {_bad_rows(np.isnan(exist) | (exist < 0))} negative or nan "
            "values; use inf for demand points without an existing facility"
        )
    cap = _validate_capacity(households, None, area_per_100hh_m2, w.size, pairs.n_candidates, [])
    if problems:
        raise InputError("invalid siting input:\n" + "\n".join(problems), problems)
    assert pairs.dist_m is not None
    n, k_sites = pairs.n_candidates, int(n_sites)
    has_pair = np.zeros(w.size, dtype=bool)
    has_pair[pairs.demand] = True
    lost = (w > 0) & ~has_pair & ~np.isfinite(exist)
    if lost.any():
        raise InputError(
            f"{int(lost.sum())} demand points with weight are out of reach: no candidate pair "
            f"and no existing facility (demand rows {_bad_rows(lost)}); add candidates, "
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
    m, p = ids.size, pc.size
    wm, em = w[ids], exist[ids]
    fixed = (w > 0) & np.isfinite(exist)
    fixed[ids] = False
    constant = float((w[fixed] * exist[fixed]).sum())

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
    g_sel = _pad(g_sel, k_sites, n)
    g_sel = _swap(near_pairs, wm, base, g_sel, n, k_sites, deadline=t0 + 0.25 * time_limit_s)
    g_obj, g_ok = _median_cost(pc, pdm, dist, wm, em, g_sel, n)

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
        rm = _radius_model(levels, pc, pdm, wm, em, levels.count, n, k_sites)
        bound = rm.constant + _lp_bound(
            rm.cost,
            rm.matrix,
            rm.row_lower,
            rm.row_upper,
            np.zeros(rm.cost.size),
            np.ones(rm.cost.size),
            False,
            deadline - time.perf_counter(),
        )

    # rank: greedy among the chosen, no-facility demand counted at the cutoff
    allowed = np.zeros(n, dtype=bool)
    allowed[sel] = True
    rank_base = np.minimum(em, cutoff_m)
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
        rank_of = np.full(n, -1, dtype=np.int64)
        rank_of[ranked] = np.arange(ranked.size)
        on = allowed[pc]
        d_on, r_on = pdm[on], rank_of[pc[on]]
        order = np.lexsort((r_on, dist[on], d_on))
        first = np.ones(order.size, dtype=bool)
        first[1:] = d_on[order][1:] != d_on[order][:-1]
        pick = order[first]
        served = np.bincount(
            r_on[pick], weights=cap.households[ids][d_on[pick]], minlength=ranked.size
        )
    total = float(w.sum())
    within_before = (exist <= cutoff_m) & (w > 0)
    within_after = within_before.copy()
    within_after[ids[new_d <= cutoff_m]] = True
    obj_total = obj + constant
    bound_total = bound + constant
    return _finish(
        "p_median",
        ranked,
        gains,
        served,
        cap,
        objective=obj_total,
        bound=obj_total if exact else min(bound_total, obj_total),
        exact=exact,
        method=method,
        t0=t0,
        before=_share(float(w[within_before].sum()), total),
        after=_share(float(w[within_after].sum()), total),
    )


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
    levels: _Levels,
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
    tests of :mod:`lifecircle.analysis._siting_lagrange` fix candidates and drop pairs, and
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
    if not np.array_equal(np.sort(sel), np.sort(start)) and obj - bound > _TOL * max(1.0, obj):
        polished = _swap(near_pairs, wm, base, sel, n, k_sites, deadline=t0 + 0.5 * time_limit_s)
        p_obj, p_ok = _median_cost(pc, pdm, dist, wm, em, polished, n)
        if p_ok and p_obj < obj:
            sel, obj = polished, p_obj
    if obj - bound <= _TOL * max(1.0, abs(obj)):
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
            c_obj, c_ok = _median_cost(pc, pdm, dist, wm, em, found.selected, n)
            if c_ok and c_obj < obj:
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
        r_obj, r_ok = _median_cost(pc, pdm, dist, wm, em, res.selected, n)
        if r_ok and r_obj < obj:
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
    r_start_obj, _ = _median_cost(rc, rd, rdist, r_w, r_e, r_start, n_sub)
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
    levels: _Levels,
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
        n_keep = np.minimum(_assign_level(levels, pc, pdm, start, n) + 1, levels.count)
        n_keep = np.minimum(np.maximum(n_keep, math.ceil(1.5 * n / k_sites)), levels.count)
        n_keep = _grow(levels, pdm, dist, n_keep, np.ones(m, dtype=bool), 1.0)
    else:
        n_keep = levels.count.copy()
    best_sel, best_obj, inc = None, start_obj, start
    bound, optimal = -math.inf, False
    while True:
        rm = _radius_model(levels, pc, pdm, wm, em, n_keep, n, k_sites)
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
            start=None if inc is None else _radius_start(rm, levels, pc, pdm, inc, n),
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
        r_obj, r_ok = _median_cost(pc, pdm, dist, wm, em, r_sel, n)
        if r_ok and r_obj < best_obj:
            best_sel, best_obj, inc = r_sel, r_obj, r_sel
        if not res.optimal:
            break
        level = _assign_level(levels, pc, pdm, r_sel, n)
        short = (n_keep < levels.count) & (level >= n_keep)
        if not short.any() or best_obj <= bound + _TOL * max(1.0, abs(best_obj)):
            optimal = inc is not None
            break
        n_keep = np.maximum(n_keep, np.where(short, np.minimum(level + 1, levels.count), 0))
        n_keep = _grow(levels, pdm, dist, n_keep, short, 2.0)
        log.debug("p-median: %d demand points need more distance levels", int(short.sum()))
    return _RadiusResult(best_sel, best_obj, bound, optimal)


def _median_cost(
    pc: IntArray,
    pdm: IntArray,
    dist: FloatArray,
    wm: FloatArray,
    em: FloatArray,
    sel: IntArray,
    n: int,
) -> tuple[float, bool]:
    """Weighted distance of the model demand for open sites ``sel``, and whether all is reached.

    The pairs must be sorted by demand point, then distance.
    """
    cost = lagrange.median_cost(pc, pdm, dist, wm, em, sel, n)
    return cost, math.isfinite(cost)


@dataclass(frozen=True)
class _Levels:
    """Each model demand point's distinct pair distances, ascending (the radius levels)."""

    pair_level: IntArray  # per pair: 0-based level of its distance within its demand point
    start: IntArray  # per demand point: index of its first level in ``dist_m``
    count: IntArray  # per demand point: number of levels
    dist_m: FloatArray  # per level


def _levels(pdm: IntArray, dist: FloatArray, m: int) -> _Levels:
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
    return _Levels(pair_level=pair_level, start=start, count=count, dist_m=sdist[new_level])


def _assign_level(levels: _Levels, pc: IntArray, pdm: IntArray, sel: IntArray, n: int) -> IntArray:
    """Level of each demand point's nearest open site; ``count`` when none is open."""
    is_open = np.zeros(n, dtype=bool)
    is_open[sel] = True
    level = levels.count.copy()
    on = is_open[pc]
    np.minimum.at(level, pdm[on], levels.pair_level[on])
    return level


@dataclass(frozen=True)
class _RadiusModel:
    cost: FloatArray
    matrix: sp.csr_array
    row_lower: FloatArray
    row_upper: FloatArray
    integer: BoolArray
    constant: float
    z_dem: IntArray  # per z column: demand point
    last_z: IntArray  # per demand point: column of its last kept level's z; -1 when all kept
    z_dist_m: FloatArray  # per z column: its level's distance


def _radius_model(
    levels: _Levels,
    pc: IntArray,
    pdm: IntArray,
    wm: FloatArray,
    em: FloatArray,
    n_keep: IntArray,
    n: int,
    k_sites: int,
) -> _RadiusModel:
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
    return _RadiusModel(
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


def _grow(
    levels: _Levels,
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


def _radius_start(
    rm: _RadiusModel, levels: _Levels, pc: IntArray, pdm: IntArray, sel: IntArray, n: int
) -> FloatArray:
    """A feasible start for the radius model: open ``sel``; ``z`` = 1 beyond the nearest site."""
    level = _assign_level(levels, pc, pdm, sel, n)
    near = levels.dist_m[levels.start + np.minimum(level, levels.count - 1)]
    near = np.where(level < levels.count, near, np.inf)
    x = np.zeros(rm.cost.size)
    x[sel] = 1.0
    x[n:] = (near[rm.z_dem] > rm.z_dist_m).astype(np.float64)
    return x


# ----------------------------------------------------------------------------- candidates


def generate_candidates(
    x: FloatArray, y: FloatArray, *, uncovered: BoolArray, spacing_m: float
) -> IntArray:
    """Candidate sites from points (e.g. walk-network nodes) in uncovered areas, thinned.

    Points are visited in index order; a point flagged ``uncovered`` is kept unless a kept point
    lies closer than ``spacing_m``. The result is deterministic for the same input.

    Parameters
    ----------
    x, y
        Point coordinates in a metric CRS, metres.
    uncovered
        Which points lie in uncovered areas (bool, same length).
    spacing_m
        Minimum distance between two candidates, metres (> 0).

    Returns
    -------
    IntArray
        Indices of the kept points, ascending.

    Raises
    ------
    InputError
        Mismatched lengths, non-finite coordinates or ``spacing_m ≤ 0``.

    Examples
    --------
    >>> generate_candidates(np.array([0.0, 50, 120, 400]), np.zeros(4),
    ...                     uncovered=np.array([True, True, True, False]), spacing_m=100)
    array([0, 2])
    """
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    mask = np.asarray(uncovered, dtype=bool)
    problems: list[str] = []
    if not (xa.shape == ya.shape == mask.shape) or xa.ndim != 1:
        problems.append(
            f"x, y and uncovered must be 1-D of equal length, got {xa.shape}, {ya.shape}, "
            f"{mask.shape}"
        )
    elif not (np.isfinite(xa).all() and np.isfinite(ya).all()):
        problems.append(f"x/y have {_bad_rows(~(np.isfinite(xa) & np.isfinite(ya)))} non-finite")
    if not (math.isfinite(spacing_m) and spacing_m > 0):
        problems.append(f"spacing_m must be > 0 metres, got {spacing_m}")
    if problems:
        raise InputError("invalid candidate generation input:\n" + "\n".join(problems), problems)
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return np.zeros(0, dtype=np.int64)
    pts = np.column_stack([xa[idx], ya[idx]])
    tree = cKDTree(pts)
    blocked = np.zeros(idx.size, dtype=bool)
    kept: list[int] = []
    for i in range(idx.size):
        if blocked[i]:
            continue
        kept.append(int(idx[i]))
        near = np.asarray(tree.query_ball_point(pts[i], r=spacing_m), dtype=np.int64)
        d = np.hypot(pts[near, 0] - pts[i, 0], pts[near, 1] - pts[i, 1])
        blocked[near[d < spacing_m]] = True
    return np.asarray(kept, dtype=np.int64)
