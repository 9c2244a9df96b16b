"""The one cover solver behind MCLP and LSCP.

Both problems choose sites ``y`` on the coverage rows of
:func:`~lifecircle.analysis.siting._cover_model.coverage_rows`, and both weigh the same two linear
forms: the number of sites ``Σ y`` and the newly covered weight ``Σ w z`` (with capacities
``Σ w x``). One form is the objective and one more row holds the other: MCLP maximises covered
weight with exactly ``p`` sites, LSCP minimises sites with covered weight at least its target
(:func:`cover_milp`; LSCP's full cover is the plain set cover of :func:`set_cover_milp`).

:func:`solve_cover` takes such a model and a greedy solution (:func:`greedy_cover`, lazy greedy
without capacities): HiGHS starts from the greedy solution and its answer is kept when proven
optimal, better than the greedy one, or the only feasible one; otherwise the greedy solution
stands with HiGHS' dual bound. A model with more pairs than ``max_exact_pairs`` skips the MILP
and gets the LP relaxation's bound. :func:`report_cover` then assigns demand to the chosen sites
(capacities), ranks them and states the objective and bound of the problem.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from lifecircle.analysis.siting import _greedy as greedy
from lifecircle.analysis.siting._arrays import FloatArray, IntArray
from lifecircle.analysis.siting._cover_model import (
    CoverModel,
    assign_fixed,
    coverage_rows,
    covered_weight,
    rank_cover,
)
from lifecircle.analysis.siting._highs import lp_bound, solve
from lifecircle.analysis.siting._validate import Capacity
from lifecircle.analysis.siting.result import SitingResult, finish, share
from lifecircle.vocab import SitingProblem


@dataclass(frozen=True)
class GreedyCover:
    """A greedy solution: the fallback, and HiGHS' warm start."""

    selected: IntArray  # in the order picked
    x: FloatArray | None  # with capacities: the share of each pair's demand point served
    covered: float  # newly covered weight


def greedy_cover(
    model: CoverModel,
    capacity_hh: FloatArray | None,
    *,
    max_sites: int,
    stop_weight: float = np.inf,
    fill: bool = False,
) -> GreedyCover:
    """Greedy sites until ``max_sites`` or covered weight ``stop_weight``.

    Lazy greedy without capacities, else the capacitated greedy of
    :mod:`lifecircle.analysis.siting._greedy`; ``fill`` pads the selection to ``max_sites``
    with unused candidates.
    """
    n = model.n_candidates
    x: FloatArray | None = None
    if capacity_hh is None:
        cover = greedy.by_candidate(model.candidate, model.demand, n, model.demand_ids.size)
        sel, _ = greedy.lazy_greedy_cover(
            cover, model.weight, max_sites=max_sites, stop_weight=stop_weight
        )
    else:
        assert model.households is not None
        sel, x = greedy.greedy_capacitated(
            model.candidate,
            model.demand,
            model.weight,
            model.households,
            capacity_hh,
            max_sites=max_sites,
            stop_weight=stop_weight,
        )
    if fill:
        sel = greedy.pad(sel, max_sites, n)
    if x is None:
        return GreedyCover(sel, None, covered_weight(model, sel))
    return GreedyCover(sel, x, float((model.weight[model.demand] * x).sum()))


@dataclass(frozen=True)
class CoverMilp:
    """A cover model for HiGHS: columns ``[y (n sites), then n_second z or x]``, all in [0, 1],
    ``y`` integer."""

    cost: FloatArray
    matrix: sp.csr_array
    row_lower: FloatArray
    row_upper: FloatArray
    n_second: int
    maximize: bool


def cover_milp(
    model: CoverModel,
    capacity_hh: FloatArray | None,
    *,
    objective: Literal["weight", "sites"],
    lower: float,
    upper: float,
) -> CoverMilp:
    """The coverage rows and one row on the other form.

    ``objective="weight"``: maximise covered weight with ``lower ≤ Σ y ≤ upper`` (MCLP);
    ``"sites"``: minimise ``Σ y`` with ``lower ≤ covered weight ≤ upper`` (LSCP).
    """
    n = model.n_candidates
    a, lo, hi, k = coverage_rows(model, capacity_hh)
    second = model.weight if capacity_hh is None else model.weight[model.demand]
    if objective == "weight":
        at, coef = np.arange(n), np.ones(n)
        cost = np.concatenate([np.zeros(n), second])
    else:
        at, coef = n + np.arange(k), second
        cost = np.concatenate([np.ones(n), np.zeros(k)])
    row = sp.csr_array((coef, (np.zeros(at.size, dtype=np.int64), at)), shape=(1, n + k))
    return CoverMilp(
        cost=cost,
        matrix=sp.vstack([a, row], format="csr"),
        row_lower=np.concatenate([lo, [lower]]),
        row_upper=np.concatenate([hi, [upper]]),
        n_second=k,
        maximize=objective == "weight",
    )


def set_cover_milp(model: CoverModel) -> CoverMilp:
    """Every model demand point covered by the fewest sites: one row per point, ``y`` only."""
    n, m = model.n_candidates, model.demand_ids.size
    matrix = sp.csr_array(
        (np.ones(model.candidate.size), (model.demand, model.candidate)), shape=(m, n)
    )
    return CoverMilp(
        cost=np.ones(n),
        matrix=matrix,
        row_lower=np.ones(m),
        row_upper=np.full(m, np.inf),
        n_second=0,
        maximize=False,
    )


@dataclass(frozen=True)
class CoverSolution:
    """What :func:`solve_cover` found."""

    selected: IntArray
    x: FloatArray | None  # with capacities: the model's assignment per pair
    objective: float  # model objective of ``selected`` (HiGHS' or the greedy one's)
    bound: float  # best proven bound on the model optimum (``objective`` when exact)
    exact: bool
    method: str
    found: bool  # ``selected`` is feasible (the greedy start may not be)


def solve_cover(
    model: CoverModel,
    milp: CoverMilp,
    start: GreedyCover,
    *,
    start_objective: float,
    start_feasible: bool = True,
    max_exact_pairs: int,
    deadline: float,
) -> CoverSolution:
    """Solve a cover model with HiGHS from a greedy start, or keep the start with a bound.

    Parameters
    ----------
    model, milp
        The coverage model and its MILP.
    start
        The greedy solution; ``start_objective`` is its value in ``milp``'s objective and
        ``start_feasible`` whether it satisfies ``milp``'s rows (else HiGHS gets no start and
        runs even above ``max_exact_pairs``).
    max_exact_pairs
        Above this many model pairs: no MILP, the start with the LP relaxation's bound.
    deadline
        ``time.perf_counter()`` value by which HiGHS must stop.

    Returns
    -------
    CoverSolution
        ``found`` is false only when the start was infeasible and HiGHS found nothing.
    """
    n, k = model.n_candidates, milp.n_second
    x0 = None
    if start_feasible:
        x0 = np.zeros(n + k)
        x0[start.selected] = 1.0
        if k and start.x is None:
            is_open = x0[:n] > 0
            x0[n + model.demand[is_open[model.candidate]]] = 1.0
        elif k:
            assert start.x is not None
            x0[n:] = start.x
    col_lo, col_hi = np.zeros(n + k), np.ones(n + k)
    sel, x, obj, found = start.selected, start.x, start_objective, start_feasible
    exact, method = False, "lazy-greedy+lp-bound" if start.x is None else "greedy+lp-bound"
    if model.candidate.size == 0 and start_feasible:
        exact, bound, method = True, obj, "highs-milp"
    elif model.candidate.size <= max_exact_pairs or not start_feasible:
        res = solve(
            cost=milp.cost,
            matrix=milp.matrix,
            row_lower=milp.row_lower,
            row_upper=milp.row_upper,
            col_lower=col_lo,
            col_upper=col_hi,
            integer=np.concatenate([np.ones(n, dtype=bool), np.zeros(k, dtype=bool)]),
            maximize=milp.maximize,
            time_limit_s=deadline - time.perf_counter(),
            start=x0,
        )
        bound = res.bound
        better = res.objective > obj if milp.maximize else res.objective < obj
        if res.x is not None and (res.optimal or not found or better):
            sel = np.flatnonzero(res.x[:n] > 0.5).astype(np.int64)
            obj = res.objective
            x = None if start.x is None else res.x[n:]
            method = "highs-milp" if res.optimal else "highs-milp (time limit)"
            found = True
        exact = res.optimal
        if exact:
            bound = obj
    else:
        bound = lp_bound(
            milp.cost,
            milp.matrix,
            milp.row_lower,
            milp.row_upper,
            col_lo,
            col_hi,
            milp.maximize,
            deadline - time.perf_counter(),
        )
    return CoverSolution(sel, x, obj, bound, exact, method, found)


def report_cover(
    problem: SitingProblem,
    model: CoverModel,
    cap: Capacity,
    sol: CoverSolution,
    *,
    t0: float,
    deadline: float,
) -> SitingResult:
    """Assign demand to the chosen sites (capacities), rank them and state the result.

    ``problem`` is ``"mclp"`` or ``"lscp"``. MCLP's objective is the newly covered weight
    (with capacities, of the best assignment to the chosen sites); LSCP's is the number of
    sites, with the bound rounded up to a whole number of sites.
    """
    x, assigned = sol.x, None
    if x is not None and cap.capacity_hh is not None:
        assigned, x = assign_fixed(
            model, cap.capacity_hh, sol.selected, max(deadline - time.perf_counter(), 5)
        )
    if problem == "mclp":
        objective = sol.objective if assigned is None else assigned
        covered, bound = objective, max(sol.bound, objective)
    else:
        objective = float(sol.selected.size)
        covered = covered_weight(model, sol.selected) if assigned is None else assigned
        bound = objective if sol.exact else min(objective, math.ceil(sol.bound - 1e-6))
    ranked, gains, served = rank_cover(model, sol.selected, x)
    before, total = model.covered_before, model.total_weight
    return finish(
        problem,
        ranked,
        gains,
        served,
        cap,
        objective=objective,
        bound=bound,
        exact=sol.exact,
        method=sol.method,
        t0=t0,
        before=share(before, total),
        after=share(before + covered, total),
    )
