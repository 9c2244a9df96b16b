"""Greedy heuristics for the siting models, on sparse pairs.

All functions take pairs already cleaned by :mod:`lifecircle.analysis.siting` (compressed demand
indices ``0..n_demand-1``, no duplicates) and return candidate indices in the order picked, which
is also the rank order the results report.
"""

from __future__ import annotations

import heapq
import time

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from lifecircle.analysis.siting._arrays import BoolArray, FloatArray, IntArray


def by_demand_order(pair_demand: IntArray, pair_dist_m: FloatArray) -> IntArray | None:
    """Order sorting pairs by demand point, then distance; ``None`` when already so sorted."""
    if pair_demand.size < 2:
        return None
    size = pair_demand.size
    step = np.diff(pair_demand)
    if (step >= 0).all():
        same = step == 0
        if (pair_dist_m[1:][same] >= pair_dist_m[:-1][same]).all():
            return None
        # grouped by demand point already: sort each group's distances as one row of a grid
        starts = np.concatenate([[0], np.flatnonzero(~same) + 1])
        lens = np.diff(np.append(starts, size))
        width = int(lens.max())
        if (lens == width).all():
            rows = np.argsort(pair_dist_m.reshape(starts.size, width), axis=1, kind="stable")
            return (starts[:, None] + rows).ravel().astype(np.int64)
        if starts.size * width <= 2 * size + 1024:
            grid = np.full((starts.size, width), np.inf)
            grid[
                np.repeat(np.arange(starts.size), lens), np.arange(size) - np.repeat(starts, lens)
            ] = pair_dist_m
            rows = np.argsort(grid, axis=1, kind="stable")  # inf padding sorts last
            used = np.arange(width)[None, :] < lens[:, None]
            return (starts[:, None] + rows)[used].astype(np.int64)
    by_dist = np.argsort(pair_dist_m, kind="stable")
    return by_dist[np.argsort(pair_demand[by_dist], kind="stable")].astype(np.int64)


def pad(sel: IntArray, k: int, n: int) -> IntArray:
    """Fill a greedy selection up to ``k`` sites with unused candidates (zero gain)."""
    if sel.size >= k:
        return sel
    unused = np.setdiff1d(np.arange(n), sel)[: k - sel.size]
    return np.concatenate([sel, unused]).astype(np.int64)


def by_candidate(
    pair_candidate: IntArray, pair_demand: IntArray, n_candidates: int, n_demand: int
) -> sp.csr_array:
    """Candidate × demand incidence matrix (1 where the candidate covers the demand point)."""
    data = np.ones(pair_candidate.size, dtype=np.float64)
    return sp.csr_array((data, (pair_candidate, pair_demand)), shape=(n_candidates, n_demand))


def lazy_greedy_cover(
    cover: sp.csr_array,
    weight: FloatArray,
    *,
    allowed: BoolArray | None = None,
    max_sites: int,
    stop_weight: float = np.inf,
) -> tuple[IntArray, FloatArray]:
    """Pick sites one at a time, each covering the most weight not yet covered (lazy greedy).

    Coverage gains only shrink as sites are added (submodularity), so a stale gain at the top
    of the heap that still beats the next one after recomputation is the true best.

    Parameters
    ----------
    cover
        Candidate × demand incidence matrix (CSR).
    weight
        Weight of each demand point.
    allowed
        Candidates that may be picked (all when ``None``).
    max_sites
        Stop after this many sites.
    stop_weight
        Stop as soon as the covered weight reaches this.

    Returns
    -------
    picked, gains
        Candidate indices in the order picked, and the weight each newly covered.
    """
    indptr, indices = cover.indptr, cover.indices
    covered = np.zeros(weight.size, dtype=bool)
    gains0 = cover @ weight
    candidates = np.arange(cover.shape[0]) if allowed is None else np.flatnonzero(allowed)
    heap = [(-float(gains0[j]), int(j)) for j in candidates]
    heapq.heapify(heap)
    picked: list[int] = []
    gains: list[float] = []
    total = 0.0
    while heap and len(picked) < max_sites and total < stop_weight:
        _, j = heapq.heappop(heap)
        rows = indices[indptr[j] : indptr[j + 1]]
        fresh = rows[~covered[rows]]
        gain = float(weight[fresh].sum())
        if heap and gain < -heap[0][0]:
            heapq.heappush(heap, (-gain, j))
            continue
        covered[fresh] = True
        picked.append(j)
        gains.append(gain)
        total += gain
    return np.asarray(picked, dtype=np.int64), np.asarray(gains, dtype=np.float64)


def greedy_capacitated(
    pair_candidate: IntArray,
    pair_demand: IntArray,
    weight: FloatArray,
    households: FloatArray,
    capacity_hh: FloatArray,
    *,
    max_sites: int,
    stop_weight: float = np.inf,
) -> tuple[IntArray, FloatArray]:
    """Greedy for capacitated coverage: each step opens the site that can serve the most weight.

    A site serves the not yet served part of its demand points, in pair order, until its
    household capacity is used up (demand points may be split between sites).

    Returns
    -------
    picked, served
        Candidates in the order picked, and per pair the fraction of the demand point served by
        the pair's candidate (a feasible assignment for the picked sites).
    """
    n_candidates = capacity_hh.size
    order = np.argsort(pair_candidate, kind="stable")
    starts = np.searchsorted(pair_candidate[order], np.arange(n_candidates + 1))
    remaining = np.ones(weight.size, dtype=np.float64)
    served = np.zeros(pair_candidate.size, dtype=np.float64)
    is_open = np.zeros(n_candidates, dtype=bool)
    picked: list[int] = []
    total = 0.0

    def fill(j: int) -> tuple[NDArray[np.int64], FloatArray, float]:
        p = order[starts[j] : starts[j + 1]]
        d = pair_demand[p]
        take = remaining[d].copy()
        hh = households[d] * take
        if np.isfinite(capacity_hh[j]) and hh.sum() > capacity_hh[j]:
            before = np.concatenate(([0.0], np.cumsum(hh)[:-1]))
            room = np.clip(capacity_hh[j] - before, 0.0, None)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(hh > 0, np.minimum(1.0, room / hh), 1.0)
            take = take * share
        return p, take, float((weight[d] * take).sum())

    while len(picked) < max_sites and total < stop_weight:
        best_j, best_gain = -1, -1.0
        for j in np.flatnonzero(~is_open):
            gain = fill(int(j))[2]
            if gain > best_gain:
                best_j, best_gain = int(j), gain
        if best_j < 0:
            break
        p, take, gain = fill(best_j)
        served[p] = take
        remaining[pair_demand[p]] -= take
        is_open[best_j] = True
        picked.append(best_j)
        total += gain
    return np.asarray(picked, dtype=np.int64), served


def greedy_median(
    pair_candidate: IntArray,
    pair_demand: IntArray,
    pair_dist_m: FloatArray,
    weight: FloatArray,
    base_dist_m: FloatArray,
    *,
    n_candidates: int,
    max_sites: int,
    allowed: BoolArray | None = None,
) -> tuple[IntArray, FloatArray]:
    """Greedy p-median: each step opens the site that saves the most weighted distance.

    Parameters
    ----------
    base_dist_m
        Each demand point's distance before any new site (finite: callers replace "no facility"
        by a penalty distance).

    Returns
    -------
    picked, saved
        Candidates in the order picked and the weighted distance each saved.
    """
    cur = base_dist_m.astype(np.float64).copy()
    is_open = np.zeros(n_candidates, dtype=bool)
    if allowed is not None:
        is_open |= ~allowed
    picked: list[int] = []
    saved: list[float] = []
    wp = weight[pair_demand]
    for _ in range(max_sites):
        gain_pair = wp * np.maximum(cur[pair_demand] - pair_dist_m, 0.0)
        savings = np.bincount(pair_candidate, weights=gain_pair, minlength=n_candidates)
        savings[is_open] = -1.0
        j = int(np.argmax(savings))
        if savings[j] < 0:
            break
        mask = pair_candidate == j
        d = pair_demand[mask]
        np.minimum.at(cur, d, pair_dist_m[mask])
        is_open[j] = True
        picked.append(j)
        saved.append(float(savings[j]))
    return np.asarray(picked, dtype=np.int64), np.asarray(saved, dtype=np.float64)


def _nearest_two(
    s_cand: IntArray,
    s_dem: IntArray,
    s_dist: FloatArray,
    is_open: BoolArray,
    base_dist_m: FloatArray,
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Nearest and second-nearest facility of each demand point.

    The pairs must be sorted by (demand, distance). ``base_dist_m`` is the always-open
    fallback (an existing facility, or a penalty), labelled site ``-1``.
    """
    on = is_open[s_cand]
    oc, od, odist = s_cand[on], s_dem[on], s_dist[on]
    first = np.ones(od.size, dtype=bool)
    first[1:] = od[1:] != od[:-1]
    second = np.zeros(od.size, dtype=bool)
    second[1:] = first[:-1] & ~first[1:]
    d1 = base_dist_m.copy()
    a1 = np.full(d1.size, -1, dtype=np.int64)
    d2 = base_dist_m.copy()
    near = odist[first] < d1[od[first]]
    d1[od[first][near]] = odist[first][near]
    a1[od[first][near]] = oc[first][near]
    has2 = np.minimum(d2[od[second]], odist[second])
    d2[od[second]] = has2
    return d1, a1, d2


def swap_median(
    pair_candidate: IntArray,
    pair_demand: IntArray,
    pair_dist_m: FloatArray,
    weight: FloatArray,
    base_dist_m: FloatArray,
    selected: IntArray,
    *,
    n_candidates: int,
    max_rounds: int,
    deadline: float,
) -> IntArray:
    """Improve a p-median selection by best-improvement swaps (fast interchange).

    Each round evaluates every (site in, site out) swap at once: with ``d1``/``d2`` each demand
    point's nearest and second-nearest open facility, the saving of swapping ``out`` for ``in``
    is ``G[in] − L[out] + C[in, out]`` where ``G`` is the saving of adding ``in``, ``L`` the
    loss of removing ``out`` and ``C`` corrects demand served by ``out`` that ``in`` reaches
    before its second facility: ``w · (d2 − max(d_in, d1))``.

    Parameters
    ----------
    base_dist_m
        Each demand point's always-available distance (existing facility or a finite penalty).
    selected
        The starting selection (e.g. greedy).
    max_rounds
        At most this many swaps.
    deadline
        ``time.perf_counter()`` value after which no further round starts.

    Returns
    -------
    IntArray
        The improved selection (same size), in no particular order.
    """
    order = by_demand_order(pair_demand, pair_dist_m)
    if order is None:
        s_cand, s_dem, s_dist = pair_candidate, pair_demand, pair_dist_m
    else:
        s_cand, s_dem, s_dist = pair_candidate[order], pair_demand[order], pair_dist_m[order]
    wp = weight[s_dem]
    sel = np.asarray(selected, dtype=np.int64).copy()
    k = sel.size
    if k == 0 or k >= n_candidates or s_cand.size == 0:
        return sel
    for _ in range(max_rounds):
        if time.perf_counter() > deadline:
            break
        is_open = np.zeros(n_candidates, dtype=bool)
        is_open[sel] = True
        d1, a1, d2 = _nearest_two(s_cand, s_dem, s_dist, is_open, base_dist_m)
        total = float((weight * d1).sum())
        gain_in = np.bincount(
            s_cand, weights=wp * np.maximum(d1[s_dem] - s_dist, 0.0), minlength=n_candidates
        )
        slot = np.full(n_candidates, -1, dtype=np.int64)
        slot[sel] = np.arange(k)
        served = a1 >= 0
        loss_out = np.bincount(slot[a1[served]], weights=(weight * (d2 - d1))[served], minlength=k)
        a1p = a1[s_dem]
        d2p = d2[s_dem]
        hit = (a1p >= 0) & (s_dist < d2p)
        corr = np.bincount(
            s_cand[hit] * k + slot[a1p[hit]],
            weights=wp[hit] * (d2p[hit] - np.maximum(s_dist[hit], d1[s_dem[hit]])),
            minlength=n_candidates * k,
        ).reshape(n_candidates, k)
        delta = gain_in[:, None] - loss_out[None, :] + corr
        delta[is_open] = -np.inf
        j_in, j_out = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if not delta[j_in, j_out] > 1e-9 * max(total, 1.0):
            break
        sel[j_out] = j_in
    return sel
