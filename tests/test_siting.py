"""Tests for lifecircle.analysis.siting: hand-checkable cases and agreement with spopt + CBC."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pulp
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog
from spopt.locate import LSCP, MCLP, PMedian

from lifecircle.analysis.siting import (
    _greedy as greedy,
    _lagrange as lagrange,
    _median_solve as siting,
    generate_candidates,
    lscp,
    mclp,
    p_median,
)
from lifecircle.analysis.siting._highs import Solved
from lifecircle.errors import InputError


def _instance(seed: int, n_demand: int, n_cand: int, side_m: float = 1000.0):
    rng = np.random.default_rng(seed)
    dem = rng.uniform(0, side_m, (n_demand, 2))
    cand = rng.uniform(0, side_m, (n_cand, 2))
    cost = np.hypot(dem[:, None, 0] - cand[None, :, 0], dem[:, None, 1] - cand[None, :, 1])
    weight = rng.integers(1, 100, n_demand).astype(float)
    return cost, weight


def _pairs(cost: np.ndarray, cutoff_m: float):
    d, c = np.nonzero(cost <= cutoff_m)
    return c, d, cost[d, c]


def _cbc() -> pulp.PULP_CBC_CMD:
    return pulp.PULP_CBC_CMD(msg=False)


# ----------------------------------------------------------------------------- against spopt


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mclp_same_objective_as_spopt(seed: int) -> None:
    cost, weight = _instance(seed, 60, 20)
    c, d, _ = _pairs(cost, 250.0)
    ours = mclp(pair_candidate=c, pair_demand=d, weight=weight, n_candidates=20, n_sites=4)
    ref = MCLP.from_cost_matrix(cost, weight, service_radius=250.0, p_facilities=4).solve(_cbc())
    assert ours.exact and ours.method == "highs-milp"
    assert ours.objective == pytest.approx(ref.problem.objective.value())
    assert ours.selected.size == 4
    assert ours.marginal_gain.sum() == pytest.approx(ours.objective)
    assert np.all(np.diff(ours.marginal_gain) <= 1e-9)


@pytest.mark.parametrize("seed", [4, 5])
def test_lscp_same_objective_as_spopt(seed: int) -> None:
    cost, weight = _instance(seed, 60, 20)
    radius = float(cost.min(axis=1).max()) + 1.0  # every demand point coverable
    c, d, _ = _pairs(cost, radius)
    ours = lscp(pair_candidate=c, pair_demand=d, weight=weight, n_candidates=20)
    ref = LSCP.from_cost_matrix(cost, service_radius=radius).solve(_cbc())
    assert ours.exact
    assert ours.objective == pytest.approx(ref.problem.objective.value())
    assert ours.covered_share_after == pytest.approx(1.0)


@pytest.mark.parametrize("seed", [6, 7])
def test_p_median_same_objective_as_spopt(seed: int) -> None:
    cost, weight = _instance(seed, 30, 10)
    c, d, dist = _pairs(cost, np.inf)
    ours = p_median(
        pair_candidate=c, pair_demand=d, pair_dist_m=dist, weight=weight, n_candidates=10, n_sites=3
    )
    ref = PMedian.from_cost_matrix(cost, weight, p_facilities=3).solve(_cbc())
    assert ours.exact
    assert ours.objective == pytest.approx(ref.problem.objective.value(), rel=1e-7)
    # the objective is the weighted distance to the nearest chosen site
    assert ours.objective == pytest.approx(float((weight * cost[:, ours.selected].min(1)).sum()))


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_p_median_ties_and_existing_same_objective_as_spopt(seed: int) -> None:
    # distances rounded to 100 m: many ties, so demand points have few distinct levels
    cost, weight = _instance(seed, 40, 17)
    cost = np.round(cost / 100.0) * 100.0
    exist_cols = [15, 16]  # two existing facilities, always open
    existing = cost[:, exist_cols].min(axis=1)
    c, d, dist = _pairs(cost[:, :15], np.inf)
    ours = p_median(
        pair_candidate=c,
        pair_demand=d,
        pair_dist_m=dist,
        weight=weight,
        n_candidates=15,
        n_sites=3,
        existing_dist_m=existing,
    )
    ref = PMedian.from_cost_matrix(
        cost, weight, p_facilities=5, predefined_facilities_arr=np.array(exist_cols)
    ).solve(_cbc())
    assert ours.exact and ours.method == "highs-milp"
    assert ours.objective == pytest.approx(ref.problem.objective.value(), rel=1e-9)
    nearest = np.minimum(cost[:, ours.selected].min(axis=1), existing)
    assert ours.objective == pytest.approx(float((weight * nearest).sum()), rel=1e-12)


def _brute_median(cost: np.ndarray, weight: np.ndarray, existing: np.ndarray, k: int) -> float:
    best = np.inf
    for combo in itertools.combinations(range(cost.shape[1]), k):
        best = min(best, float((weight * np.minimum(cost[:, combo].min(1), existing)).sum()))
    return best


@pytest.mark.parametrize("seed", [31, 32, 33, 34])
def test_p_median_sparse_pairs_match_brute_force(seed: int) -> None:
    # sparse pairs within 400 m, ties from 25 m rounding, existing facilities for some points;
    # many candidates per site (n / p = 6) so the short level lists must grow to stay exact
    rng = np.random.default_rng(seed)
    cost, weight = _instance(seed, 50, 12)
    cost = np.round(cost / 25.0) * 25.0
    sparse = np.where(cost <= 400.0, cost, np.inf)
    # without an existing facility only where candidate 0 reaches, so 2 sites always suffice
    no_facility = np.isfinite(sparse[:, 0]) & (rng.random(50) < 0.7)
    existing = np.where(no_facility, np.inf, rng.uniform(100, 500, 50))
    c, d, dist = _pairs(sparse, 400.0)
    best = _brute_median(sparse, weight, existing, 2)
    ours = p_median(
        pair_candidate=c,
        pair_demand=d,
        pair_dist_m=dist,
        weight=weight,
        n_candidates=12,
        n_sites=2,
        existing_dist_m=existing,
    )
    assert ours.exact
    assert ours.objective == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize(("seed", "n_demand", "n_cand", "k"), [(56, 80, 30, 12), (67, 100, 40, 10)])
def test_p_median_many_sites_grows_level_lists(
    seed: int, n_demand: int, n_cand: int, k: int, caplog: Any, monkeypatch: Any
) -> None:
    # p close to n: the first level lists (≥ 1.5 n / p levels) are short, so the truncated
    # model's optimum leaves some demand beyond them and the lists must grow. The Lagrangian
    # bound settles these instances without a MILP, so for the second run its ascent is
    # switched off (no bound, nothing fixed: the radius model on every candidate) and so are
    # the full lists that small reduced models start from.
    cost, weight = _instance(seed, n_demand, n_cand, side_m=3000.0)
    c, d, dist = _pairs(cost, np.inf)
    kw: dict[str, Any] = dict(
        pair_candidate=c, pair_demand=d, pair_dist_m=dist, weight=weight, n_candidates=n_cand
    )
    ours = p_median(**kw, n_sites=k)
    monkeypatch.setattr(lagrange, "_MAX_STEPS", 0)
    monkeypatch.setattr(siting, "_FULL_LISTS_PAIRS", 0)
    with caplog.at_level("DEBUG", logger="lifecircle.analysis.siting"):
        radius = p_median(**kw, n_sites=k)
    ref = PMedian.from_cost_matrix(cost, weight, p_facilities=k).solve(_cbc())
    assert ours.exact and radius.exact
    assert ours.objective == pytest.approx(ref.problem.objective.value(), rel=1e-9)
    assert radius.objective == pytest.approx(ref.problem.objective.value(), rel=1e-9)
    assert f"{n_cand} of {n_cand} candidates left" in caplog.text
    assert "MILP on the reduced model" in caplog.text
    assert "need more distance levels" in caplog.text


def _lp_bound(
    cost: np.ndarray, weight: np.ndarray, k: int, existing: np.ndarray | None = None
) -> float:
    """LP relaxation of the textbook p-median (``x_ij ≤ y_j``) on the finite entries of ``cost``.

    Independent of the package: scipy's HiGHS LP. ``existing`` is an always-open fallback
    distance per demand point (``inf``: none).
    """
    m, n = cost.shape
    d, c = np.nonzero(np.isfinite(cost))
    e = np.zeros(0, dtype=np.int64) if existing is None else np.flatnonzero(np.isfinite(existing))
    n_x, n_col = d.size, n + d.size + e.size
    x_col, e_col = n + np.arange(n_x), n + n_x + np.arange(e.size)
    e_cost = np.zeros(0) if existing is None else weight[e] * existing[e]
    obj = np.concatenate([np.zeros(n), weight[d] * cost[d, c], e_cost])
    rows = np.concatenate([d, e])
    assign = sp.csr_array(
        (np.ones(rows.size), (rows, np.concatenate([x_col, e_col]))), shape=(m, n_col)
    )
    card = sp.csr_array((np.ones(n), (np.zeros(n, dtype=np.int64), np.arange(n))), shape=(1, n_col))
    link = sp.csr_array(
        (
            np.concatenate([np.ones(n_x), -np.ones(n_x)]),
            (np.tile(np.arange(n_x), 2), np.concatenate([x_col, c])),
        ),
        shape=(n_x, n_col),
    )
    res = linprog(
        obj,
        A_ub=link,
        b_ub=np.zeros(n_x),
        A_eq=sp.vstack([assign, card]),
        b_eq=np.concatenate([np.ones(m), [k]]),
        bounds=(0, 1),
        method="highs",
    )
    assert res.status == 0
    return float(res.fun)


def _gap_instance(seed: int, ties_and_existing: bool):
    """60 demand points, 20 candidates; with ties: 50 m rounding and existing sites 20, 21."""
    if not ties_and_existing:
        cost, weight = _instance(seed, 60, 20)
        return cost, weight, cost, None
    cost, weight = _instance(seed, 60, 22)
    cost = np.round(cost / 50.0) * 50.0
    return cost, weight, cost[:, :20], cost[:, [20, 21]].min(axis=1)


@pytest.mark.parametrize(
    ("seed", "k", "ties_and_existing"),
    [(107, 3, False), (113, 3, False), (119, 5, False), (122, 4, True), (125, 6, True)],
)
def test_p_median_lp_gap_goes_to_the_milp_and_matches_spopt(
    seed: int, k: int, ties_and_existing: bool, caplog: Any
) -> None:
    # the LP bound lies below the optimum here, so the Lagrangian bound (never above it)
    # cannot prove the incumbent: the reduced MILP must run, and still find spopt's optimum
    cost, weight, new_cost, existing = _gap_instance(seed, ties_and_existing)
    c, d, dist = _pairs(new_cost, np.inf)
    with caplog.at_level("DEBUG", logger="lifecircle.analysis.siting"):
        ours = p_median(
            pair_candidate=c,
            pair_demand=d,
            pair_dist_m=dist,
            weight=weight,
            n_candidates=20,
            n_sites=k,
            existing_dist_m=existing,
        )
    if existing is None:
        ref = PMedian.from_cost_matrix(cost, weight, p_facilities=k)
    else:
        ref = PMedian.from_cost_matrix(
            cost, weight, p_facilities=k + 2, predefined_facilities_arr=np.array([20, 21])
        )
    optimum = ref.solve(_cbc()).problem.objective.value()
    assert _lp_bound(new_cost, weight, k, existing) < optimum * (1 - 1e-4)
    assert "MILP on the reduced model" in caplog.text and "closes the gap" not in caplog.text
    assert ours.exact and ours.method == "highs-milp" and ours.gap == 0.0
    assert ours.objective == pytest.approx(optimum, rel=1e-9)
    nearest = new_cost[:, ours.selected].min(axis=1)
    if existing is not None:
        nearest = np.minimum(nearest, existing)
    assert ours.objective == pytest.approx(float((weight * nearest).sum()), rel=1e-12)


def _lagrangian_setup(
    cost: np.ndarray, weight: np.ndarray, existing: np.ndarray, k: int, fallback: np.ndarray
):
    """Model arrays as p_median builds them (pairs nearer than the existing facility, sorted by
    demand point then distance), a greedy incumbent (``fallback`` when greedy leaves a point
    unserved) and the Lagrangian ascent from it."""
    d, c = np.nonzero(np.isfinite(cost) & (cost < existing[:, None]))
    dist = cost[d, c]
    order = greedy.by_demand_order(d, dist)
    if order is not None:
        c, d, dist = c[order], d[order], dist[order]
    levels = siting._levels(d, dist, weight.size)
    n = cost.shape[1]
    base = np.where(np.isfinite(existing), existing, 1e6)
    start, _ = greedy.greedy_median(c, d, dist, weight, base, n_candidates=n, max_sites=k)
    start_cost = lagrange.median_cost(c, d, dist, weight, existing, start, n)
    if not np.isfinite(start_cost):
        start = fallback
        start_cost = lagrange.median_cost(c, d, dist, weight, existing, start, n)
    lag = lagrange.subgradient(
        c,
        d,
        dist,
        levels.pair_level,
        weight,
        existing,
        n_candidates=n,
        n_sites=k,
        incumbent=start,
        incumbent_cost=start_cost,
        deadline=np.inf,
    )
    return (c, d, dist), start, start_cost, lag


def _all_costs(cost: np.ndarray, weight: np.ndarray, existing: np.ndarray, k: int):
    combos = np.array(list(itertools.combinations(range(cost.shape[1]), k)))
    costs = np.array(
        [float((weight * np.minimum(cost[:, cb].min(axis=1), existing)).sum()) for cb in combos]
    )
    return combos, costs


@pytest.mark.parametrize(("seed", "k", "ties_and_existing"), [(107, 3, False), (122, 4, True)])
def test_lagrangian_bound_between_lp_bound_and_optimum(
    seed: int, k: int, ties_and_existing: bool
) -> None:
    _, weight, cost, existing = _gap_instance(seed, ties_and_existing)
    existing = np.full(60, np.inf) if existing is None else existing
    combos, costs = _all_costs(cost, weight, existing, k)
    optimum = float(costs.min())
    _, _, _, lag = _lagrangian_setup(cost, weight, existing, k, combos[int(np.argmin(costs))])
    lp = _lp_bound(cost, weight, k, None if ties_and_existing is False else existing)
    assert lp < optimum * (1 - 1e-3)  # an instance with an LP gap
    # L(λ) never exceeds the LP bound (its dual optimum), and the ascent gets close to it
    assert lag.bound <= lp * (1 + 1e-9)
    assert lag.bound >= lp * (1 - 1e-5)
    assert lag.objective >= optimum * (1 - 1e-12)


@pytest.mark.parametrize(
    ("seed", "k", "cutoff_m", "with_existing"),
    [(107, 3, np.inf, False), (41, 3, 450.0, True), (42, 3, 450.0, True)],
)
def test_lagrangian_reduction_keeps_every_solution_within_the_upper_bound(
    seed: int, k: int, cutoff_m: float, with_existing: bool
) -> None:
    # brute force over all site sets, for upper bounds at the optimum and at the best cost of
    # a site set holding each candidate (the sharpest bounds under which that set must stay):
    # every set costing at most the bound avoids the closed candidates, holds the opened ones
    # and costs the same in the reduced model; no set costs less there than it truly does
    rng = np.random.default_rng(seed)
    cost, weight = _instance(seed, 60, 16)
    cost = np.where(cost <= cutoff_m, np.round(cost / 25.0) * 25.0, np.inf)
    existing = np.full(60, np.inf)
    if with_existing:
        existing = np.where(rng.random(60) < 0.4, rng.uniform(100.0, 400.0, 60), np.inf)
    combos, costs = _all_costs(cost, weight, existing, k)
    optimum = float(costs.min())
    assert np.isfinite(optimum)
    best = combos[int(np.argmin(costs))]
    (c, d, dist), _, _, lag = _lagrangian_setup(cost, weight, existing, k, best)
    bounds = {optimum} | {float(costs[(combos == j).any(axis=1)].min()) for j in range(16)}
    cut = 0
    for ub in sorted(bounds):
        red = lagrange.reduce(
            c,
            d,
            dist,
            weight,
            existing,
            lag,
            incumbent=best,
            incumbent_cost=ub,
            n_candidates=16,
            n_sites=k,
        )
        cut += 16 - red.free.size + c.size - red.candidate.size
        assert red.n_sites == k - red.opened.size
        sub = np.full((red.demand_ids.size, 16), np.inf)
        sub[red.demand, red.free[red.candidate]] = red.dist_m
        reduced = []
        for sites, true_cost in zip(combos, costs, strict=True):
            kept = np.isin(red.opened, sites).all()
            kept &= np.isin(sites, red.free).sum() == red.n_sites
            if true_cost <= ub * (1 + 1e-12):
                assert kept, f"site set {sites} costing at most {ub} was cut off"
            if not kept:
                continue
            near = np.minimum(sub[:, sites].min(axis=1), red.existing_dist_m)
            r_cost = float((red.weight * near).sum()) + red.constant
            assert r_cost >= true_cost * (1 - 1e-12)
            if true_cost <= ub * (1 + 1e-12):
                assert r_cost == pytest.approx(true_cost, rel=1e-12)
            reduced.append(r_cost)
        assert min(reduced) == pytest.approx(optimum, rel=1e-12)
    assert cut > 0  # the tests did fix candidates or drop pairs


@pytest.mark.parametrize("seed", [61, 62])
def test_p_median_rank_order_is_greedy_among_chosen_sites(seed: int) -> None:
    # rank 1 saves the most distance from the cutoff (the largest pair distance), rank 2 the
    # most given rank 1, …; recomputed here on the dense matrix of the chosen sites
    cost, weight = _instance(seed, 60, 15)
    c, d, dist = _pairs(cost, np.inf)
    ours = p_median(
        pair_candidate=c, pair_demand=d, pair_dist_m=dist, weight=weight, n_candidates=15, n_sites=4
    )
    cur = np.full(60, cost.max())
    left = list(ours.selected.tolist())
    for rank, site in enumerate(ours.selected.tolist()):
        saved = {j: float((weight * np.maximum(cur - cost[:, j], 0.0)).sum()) for j in left}
        assert saved[site] == pytest.approx(max(saved.values()), rel=1e-12)
        assert ours.marginal_gain[rank] == pytest.approx(saved[site], rel=1e-12)
        cur = np.minimum(cur, cost[:, site])
        left.remove(site)
    assert ours.marginal_gain.sum() == pytest.approx(weight.sum() * cost.max() - ours.objective)


def test_swap_median_reaches_a_swap_local_optimum() -> None:
    cost, weight = _instance(41, 60, 20)
    c, d, dist = _pairs(cost, np.inf)
    base = np.full(60, 5000.0)

    def total(sel: np.ndarray) -> float:
        return float((weight * np.minimum(cost[:, sel].min(1), base)).sum())

    start, _ = greedy.greedy_median(c, d, dist, weight, base, n_candidates=20, max_sites=4)
    sel = greedy.swap_median(
        c, d, dist, weight, base, start, n_candidates=20, max_rounds=100, deadline=np.inf
    )
    assert sel.size == 4 and np.unique(sel).size == 4
    assert total(sel) <= total(start) + 1e-9
    for out in range(4):
        for j in np.setdiff1d(np.arange(20), sel):
            other = sel.copy()
            other[out] = j
            assert total(other) >= total(sel) - 1e-6


# ----------------------------------------------------------------------------- hand-checked


def test_mclp_hand_case_and_ranking() -> None:
    # candidate 0 covers demand 0, 1 (10 + 10); 1 covers 1, 2 (10 + 15); 2 covers 3 (4)
    r = mclp(
        pair_candidate=[0, 0, 1, 1, 2],
        pair_demand=[0, 1, 1, 2, 3],
        weight=[10, 10, 15, 4],
        n_candidates=3,
        n_sites=2,
        households=[4, 4, 6, 2],
        area_per_100hh_m2=30.0,
    )
    assert r.objective == pytest.approx(35.0)
    assert r.selected.tolist() == [1, 0]  # 1 covers 25 alone, then 0 adds 10
    assert r.marginal_gain.tolist() == pytest.approx([25.0, 10.0])
    assert r.served_households.tolist() == pytest.approx([10.0, 4.0])
    assert r.required_floor_area_m2.tolist() == pytest.approx([3.0, 1.2])
    assert r.covered_share_before == 0.0
    assert r.covered_share_after == pytest.approx(35 / 39)


def test_mclp_already_covered_adds_nothing() -> None:
    r = mclp(
        pair_candidate=[0, 0, 1],
        pair_demand=[0, 1, 2],
        weight=[50, 50, 30],
        n_candidates=2,
        n_sites=1,
        already_covered=[True, True, False],
    )
    assert r.selected.tolist() == [1]
    assert r.objective == pytest.approx(30.0)
    assert r.covered_share_before == pytest.approx(100 / 130)
    assert r.covered_share_after == pytest.approx(1.0)


def test_served_households_go_to_nearest_site_when_distances_given() -> None:
    # demand 1 is covered by both sites; it is nearer to site 1
    kw: dict[str, Any] = dict(
        pair_candidate=[0, 0, 1, 1],
        pair_demand=[0, 1, 1, 2],
        weight=[10, 10, 9],
        n_candidates=2,
        n_sites=2,
        households=[1, 2, 3],
    )
    by_rank = mclp(**kw)
    assert by_rank.selected.tolist() == [0, 1]
    assert by_rank.served_households.tolist() == pytest.approx([3.0, 3.0])
    nearest = mclp(**kw, pair_dist_m=[100, 300, 50, 100])
    assert nearest.served_households.tolist() == pytest.approx([1.0, 5.0])


def test_capacity_makes_uncapacitated_answer_infeasible() -> None:
    # three demand points of 100 households (weight 100 each); site 0 covers all three but
    # holds only 30 m² = 100 households at 30 m²/100 households; site 1 covers 0 and 1, unlimited
    kw: dict[str, Any] = dict(
        pair_candidate=[0, 0, 0, 1, 1],
        pair_demand=[0, 1, 2, 0, 1],
        weight=[100, 100, 100],
        n_candidates=2,
        n_sites=1,
        households=[100, 100, 100],
        area_per_100hh_m2=30.0,
    )
    free = mclp(**kw)
    assert free.selected.tolist() == [0]
    assert free.objective == pytest.approx(300.0)
    assert free.required_floor_area_m2[0] == pytest.approx(90.0)  # > 30 m²: does not fit
    capped = mclp(**kw, capacity_m2=[30.0, np.nan])
    assert capped.exact
    assert capped.selected.tolist() == [1]
    assert capped.objective == pytest.approx(200.0)
    assert capped.served_households.tolist() == pytest.approx([200.0])
    assert capped.required_floor_area_m2.tolist() == pytest.approx([60.0])


def test_capacitated_lscp_needs_a_second_site() -> None:
    kw: dict[str, Any] = dict(
        pair_candidate=[0, 0, 1],
        pair_demand=[0, 1, 1],
        weight=[100, 100],
        n_candidates=2,
        households=[100, 100],
        area_per_100hh_m2=30.0,
    )
    assert lscp(**kw).objective == 1.0
    capped = lscp(**kw, capacity_m2=[30.0, 30.0])
    assert capped.objective == 2.0
    assert sorted(capped.served_households.tolist()) == pytest.approx([100.0, 100.0])
    assert capped.required_floor_area_m2.tolist() == pytest.approx([30.0, 30.0])


def test_lscp_target_100_vs_95_percent() -> None:
    kw: dict[str, Any] = dict(
        pair_candidate=[0, 0, 1, 2],
        pair_demand=[0, 1, 2, 3],
        weight=[50, 30, 19, 1],
        n_candidates=3,
    )
    full = lscp(**kw, target_share=1.0)
    assert full.objective == 3.0 and sorted(full.selected.tolist()) == [0, 1, 2]
    most = lscp(**kw, target_share=0.95)
    assert most.objective == 2.0 and most.selected.tolist() == [0, 1]
    assert most.covered_share_after == pytest.approx(0.99)
    assert lscp(**kw, target_share=0.8).selected.tolist() == [0]


def test_lscp_target_met_by_existing_needs_no_site() -> None:
    r = lscp(
        pair_candidate=[0],
        pair_demand=[1],
        weight=[90, 10],
        n_candidates=1,
        target_share=0.9,
        already_covered=[True, False],
    )
    assert r.objective == 0.0 and r.selected.size == 0 and r.method == "none needed"


def test_lscp_unreachable_target_says_max_share() -> None:
    with pytest.raises(InputError, match=r"at most 0\.9900 of the weight"):
        lscp(
            pair_candidate=[0, 1],
            pair_demand=[0, 1],
            weight=[50, 49, 1],
            n_candidates=2,
            target_share=1.0,
        )


def test_p_median_keeps_existing_facilities() -> None:
    # demand 0 has an existing facility 40 m away: the 100 m pair never helps it
    r = p_median(
        pair_candidate=[0, 0, 1],
        pair_demand=[0, 1, 2],
        pair_dist_m=[100.0, 200.0, 50.0],
        weight=[1, 2, 3],
        n_candidates=2,
        n_sites=2,
        existing_dist_m=[40.0, np.inf, np.inf],
        households=[1, 1, 1],
        area_per_100hh_m2=50.0,
    )
    assert r.objective == pytest.approx(40 + 400 + 150)
    assert r.exact
    assert sorted(r.selected.tolist()) == [0, 1]
    assert r.served_households.sum() == pytest.approx(2.0)  # demand 0 stays with existing


def test_p_median_with_no_pair_nearer_than_the_existing_facilities() -> None:
    # every pair is further than the point's existing facility: nothing to improve, and the
    # swap search must cope with an empty model
    r = p_median(
        pair_candidate=[0, 1, 2],
        pair_demand=[0, 1, 1],
        pair_dist_m=[300.0, 250.0, 400.0],
        weight=[2, 3],
        n_candidates=3,
        n_sites=2,
        existing_dist_m=[100.0, 200.0],
    )
    assert r.exact and r.objective == pytest.approx(2 * 100 + 3 * 200)
    assert r.selected.size == 2


def test_p_median_unreachable_demand_is_an_error() -> None:
    with pytest.raises(InputError, match=r"1 demand points with weight are out of reach"):
        p_median(
            pair_candidate=[0],
            pair_demand=[0],
            pair_dist_m=[10.0],
            weight=[1, 1],
            n_candidates=1,
            n_sites=1,
        )


# ----------------------------------------------------------------------------- fallback


def test_greedy_fallback_reports_bound_and_gap() -> None:
    cost, weight = _instance(11, 200, 40)
    c, d, _ = _pairs(cost, 150.0)
    exact = mclp(pair_candidate=c, pair_demand=d, weight=weight, n_candidates=40, n_sites=5)
    fast = mclp(
        pair_candidate=c,
        pair_demand=d,
        weight=weight,
        n_candidates=40,
        n_sites=5,
        max_exact_pairs=0,
    )
    assert not fast.exact and fast.method == "lazy-greedy+lp-bound"
    assert fast.objective <= exact.objective + 1e-9 <= fast.bound + 2e-9
    assert fast.gap == pytest.approx((fast.bound - fast.objective) / fast.objective)
    assert fast.marginal_gain.sum() == pytest.approx(fast.objective)


def test_greedy_fallback_lscp_and_p_median_bounds() -> None:
    cost, weight = _instance(12, 80, 25)
    radius = float(cost.min(axis=1).max()) + 1.0
    c, d, dist = _pairs(cost, radius)
    exact = lscp(pair_candidate=c, pair_demand=d, weight=weight, n_candidates=25)
    fast = lscp(pair_candidate=c, pair_demand=d, weight=weight, n_candidates=25, max_exact_pairs=0)
    assert fast.bound <= exact.objective <= fast.objective
    assert fast.gap == pytest.approx(abs(fast.objective - fast.bound) / fast.objective)
    k = int(exact.objective) + 2  # enough sites to reach every demand point
    ex_pm = p_median(
        pair_candidate=c, pair_demand=d, pair_dist_m=dist, weight=weight, n_candidates=25, n_sites=k
    )
    gr_pm = p_median(
        pair_candidate=c,
        pair_demand=d,
        pair_dist_m=dist,
        weight=weight,
        n_candidates=25,
        n_sites=k,
        max_exact_pairs=0,
    )
    assert gr_pm.bound <= ex_pm.objective * (1 + 1e-9)
    assert ex_pm.objective <= gr_pm.objective * (1 + 1e-9)


def test_p_median_stopped_by_the_time_limit_reports_the_lagrangian_bound(monkeypatch: Any) -> None:
    # HiGHS runs out of time (simulated: it returns nothing) after a short ascent: the result
    # is the best solution met, with the Lagrangian bound and the gap to it
    cost, weight = _instance(1, 300, 80, side_m=3000.0)
    c, d, dist = _pairs(cost, np.inf)
    kw: dict[str, Any] = dict(
        pair_candidate=c, pair_demand=d, pair_dist_m=dist, weight=weight, n_candidates=80
    )
    exact = p_median(**kw, n_sites=6)

    def out_of_time(**_: Any) -> Solved:
        return Solved(None, math.nan, -math.inf, False, "Time limit reached")

    monkeypatch.setattr(siting, "solve", out_of_time)
    monkeypatch.setattr(lagrange, "_MAX_STEPS", 40)
    stopped = p_median(**kw, n_sites=6)
    assert exact.exact
    assert not stopped.exact and stopped.method == "greedy+lp-bound"
    assert 0 < stopped.bound <= exact.objective * (1 + 1e-12)
    assert exact.objective <= stopped.objective * (1 + 1e-12)
    assert stopped.gap > 0
    assert stopped.gap == pytest.approx((stopped.objective - stopped.bound) / stopped.objective)
    nearest = cost[:, stopped.selected].min(axis=1)
    assert stopped.objective == pytest.approx(float((weight * nearest).sum()), rel=1e-12)


# ----------------------------------------------------------------------------- input errors


def test_bad_input_names_the_problem() -> None:
    with pytest.raises(InputError, match=r"pair_candidate has 1 \(rows 1\) values outside 0\.\.1"):
        mclp(pair_candidate=[0, 2], pair_demand=[0, 1], weight=[1, 1], n_candidates=2, n_sites=1)
    with pytest.raises(InputError, match=r"n_sites = 3 is more than the 2 candidates"):
        mclp(pair_candidate=[0], pair_demand=[0], weight=[1], n_candidates=2, n_sites=3)
    with pytest.raises(InputError, match=r"weight has 1 \(rows 0\) negative"):
        mclp(pair_candidate=[0], pair_demand=[0], weight=[-1], n_candidates=1, n_sites=1)
    with pytest.raises(InputError, match=r"capacity_m2 needs area_per_100hh_m2"):
        mclp(
            pair_candidate=[0],
            pair_demand=[0],
            weight=[1],
            n_candidates=1,
            n_sites=1,
            capacity_m2=[10.0],
        )
    with pytest.raises(InputError, match=r"target_share must be in \(0, 1\]"):
        lscp(pair_candidate=[0], pair_demand=[0], weight=[1], n_candidates=1, target_share=1.5)


# ----------------------------------------------------------------------------- candidates


def test_generate_candidates_thins_uncovered_points() -> None:
    x = np.array([0.0, 50.0, 120.0, 400.0, 190.0])
    keep = generate_candidates(
        x, np.zeros(5), uncovered=np.array([True, True, True, False, True]), spacing_m=100.0
    )
    assert keep.tolist() == [0, 2]


def test_generate_candidates_spacing_and_reach_on_random_points() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 2000, 3000), rng.uniform(0, 2000, 3000)
    uncovered = x + y > 1500
    keep = generate_candidates(x, y, uncovered=uncovered, spacing_m=150.0)
    assert uncovered[keep].all()
    dx = x[keep][:, None] - x[keep][None, :]
    dy = y[keep][:, None] - y[keep][None, :]
    d = np.hypot(dx, dy) + np.eye(keep.size) * 1e9
    assert d.min() >= 150.0
    # every uncovered point lies within the spacing of a kept one
    far = np.hypot(x[uncovered][:, None] - x[keep], y[uncovered][:, None] - y[keep]).min(1)
    assert far.max() < 150.0
    again = generate_candidates(x, y, uncovered=uncovered, spacing_m=150.0)
    assert np.array_equal(keep, again)
    with pytest.raises(InputError, match="spacing_m must be > 0"):
        generate_candidates(x, y, uncovered=uncovered, spacing_m=0.0)
