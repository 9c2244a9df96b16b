"""Walking-time isochrones: the streets from which a facility is reached within some minutes.

Walking time runs from home to the facility and depends on the direction (uphill is slower than
downhill, :mod:`lifecircle.geo.walktime`). A time isochrone of a set of facilities is therefore
the set of places from which one of them is reached within ``t`` minutes, not the places reached
from them. With a walker's flat-ground pace ``s`` (m/s) the budget is the effort
``B = t · 60 · s`` in flat-equivalent metres, and every node gets its effort ``E`` to the nearest
facility from one pass over the reversed graph
(:func:`lifecircle.geo.reach.facility_efforts`).

On an edge ``(u, v)`` a point at offset ``x`` from ``u`` reaches a facility

* through ``u`` when ``back(x) + E_u ≤ B``, with ``back(x)`` the effort of walking from the
  point back to ``u`` (``WalkCost.cum_bwd_m``): the part ``[0, x_u]``;
* through ``v`` when ``fwd − ahead(x) + E_v ≤ B``, with ``ahead(x)`` the effort of walking from
  ``u`` forward to the point (``WalkCost.cum_fwd_m``) and ``fwd`` that of the whole edge: the
  part ``[x_v, L]``;
* on a facility's own edge (facility at ``t``, access leg ``a``), directly: from ``x ≤ t`` when
  ``ahead(t) − ahead(x) + a ≤ B``, from ``x ≥ t`` when ``back(x) − back(t) + a ≤ B``.

The efforts along an edge are piecewise linear (a constant grade per piece of at most 25 m), so
``x_u`` and ``x_v`` are found by inverting the cumulative efforts piece by piece, not by a linear
share of the whole edge. The polygon is drawn from these parts exactly as a distance isochrone is
(:func:`lifecircle.geo.isochrone.parts_polygon`): one geometry, two ways of finding the parts.
On flat ground without steps the effort is the length, and a time isochrone at ``t`` minutes and
pace ``s`` is the distance isochrone of ``t · 60 · s`` metres.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from lifecircle.geo.isochrone import Area, merge_intervals, parts_polygon, stack_parts
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.reach import facility_efforts
from lifecircle.geo.snap import SnappedPoints
from lifecircle.geo.walktime import WalkCost

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Per walking cost: the cumulative efforts of every edge made one ascending array each
#: (edge ``e``'s values shifted by ``shift[e]``), so that one ``searchsorted`` finds the piece of
#: a given effort on any edge.
_KEYS: weakref.WeakKeyDictionary[WalkCost, tuple[FloatArray, FloatArray, FloatArray]] = (
    weakref.WeakKeyDictionary()
)
_KEYS_LOCK = threading.Lock()  # the isochrones of a run are drawn on several threads


def _keys(cost: WalkCost) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``shift`` per edge and the shifted ascending ``cum_fwd_m`` and ``cum_bwd_m``."""
    with _KEYS_LOCK:
        if cost not in _KEYS:
            _KEYS[cost] = _shifted(cost)
        return _KEYS[cost]


def _shifted(cost: WalkCost) -> tuple[FloatArray, FloatArray, FloatArray]:
    ptr = cost.cut_ptr
    n_cuts = np.diff(ptr)
    # each edge's values start 1 m above the end of the previous edge's: the whole array ascends
    top = np.maximum(cost.cum_fwd_m[ptr[1:] - 1], cost.cum_bwd_m[ptr[1:] - 1]) + 1.0
    shift = np.concatenate([[0.0], np.cumsum(top)[:-1]])
    per_cut = np.repeat(shift, n_cuts)
    return shift, cost.cum_fwd_m + per_cut, cost.cum_bwd_m + per_cut


def _offset_at(
    graph: WalkGraph, cost: WalkCost, edge: IntArray, effort_m: FloatArray, *, forward: bool
) -> FloatArray:
    """The offset (m from ``edge_u``) at which the cumulative effort along ``edge`` equals
    ``effort_m`` (clipped to the edge): forward from ``edge_u`` to the point, or back from the
    point to ``edge_u``. Linear within the piece that holds it, where the grade is constant."""
    shift, keys_fwd, keys_bwd = _keys(cost)
    keys = keys_fwd if forward else keys_bwd
    cum = cost.cum_fwd_m if forward else cost.cum_bwd_m
    first = cost.cut_ptr[edge]
    last = cost.cut_ptr[edge + 1] - 1
    y = np.clip(effort_m, 0.0, cum[last])
    b = np.searchsorted(keys, shift[edge] + y, side="right") - 1
    b = np.clip(b, first, last - 1)
    c0, c1 = cum[b], cum[b + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(c1 > c0, np.clip((y - c0) / (c1 - c0), 0.0, 1.0), 1.0)
    return np.asarray((b - first + frac) / (last - first) * graph.edge_length_m[edge])


def time_reachable_parts(
    graph: WalkGraph,
    cost: WalkCost,
    sources: SnappedPoints,
    *,
    budget_m: float,
    node_effort_m: FloatArray | None = None,
) -> tuple[IntArray, FloatArray, FloatArray]:
    """The parts of edges from which a source is reached within an effort ``budget_m``.

    Parameters
    ----------
    graph
        The walk network.
    cost
        Its walking efforts (:func:`lifecircle.geo.walktime.walk_cost`).
    sources
        Snapped facilities; unsnapped ones are ignored.
    budget_m
        The effort budget in flat-equivalent metres: minutes × 60 × the walker's pace (m/s).
    node_effort_m
        Each node's effort to the nearest source, when already computed
        (:func:`lifecircle.geo.reach.facility_efforts` with a limit of at least ``budget_m``).

    Returns
    -------
    edge, lo_m, hi_m
        Non-overlapping intervals ``[lo_m, hi_m]`` along ``edge``, measured from ``edge_u`` (m).

    Raises
    ------
    ValueError
        If ``budget_m`` is negative or not finite.
    """
    if not (budget_m >= 0 and np.isfinite(budget_m)):
        raise ValueError(f"budget_m must be a finite effort ≥ 0 m, got {budget_m}")
    if node_effort_m is None:
        node_effort_m = facility_efforts(graph, cost, sources, limit_m=budget_m)[0]
    eu = node_effort_m[graph.edge_u]
    ev = node_effort_m[graph.edge_v]
    ok = sources.ok & (sources.access_m <= budget_m)
    src_e = sources.edge[ok]
    cand = np.union1d(np.flatnonzero((eu <= budget_m) | (ev <= budget_m)), src_e)
    length = graph.edge_length_m[cand]
    ru = budget_m - eu[cand]  # effort left at u; < 0 (or -inf) where u is beyond the budget
    rv = budget_m - ev[cand]
    x_u = np.where(
        ru >= cost.bwd_m[cand],
        length,
        _offset_at(graph, cost, cand, ru, forward=False),
    )
    x_v = np.where(
        rv >= cost.fwd_m[cand],
        0.0,
        _offset_at(graph, cost, cand, cost.fwd_m[cand] - rv, forward=True),
    )
    from_u = ru >= 0
    from_v = rv >= 0
    full = (from_u & (x_u >= length)) | (from_v & (x_v <= 0.0)) | (from_u & from_v & (x_u >= x_v))
    own = np.isin(cand, src_e) & ~full
    iu = np.flatnonzero(from_u & ~full & ~own)
    iv = np.flatnonzero(from_v & ~full & ~own)
    ifull = np.flatnonzero(full)
    edges = [cand[ifull], cand[iu], cand[iv]]
    los = [np.zeros(len(ifull)), np.zeros(len(iu)), x_v[iv]]
    his = [length[ifull], x_u[iu], length[iv]]
    if own.any():
        # a source's own edge: its direct interval merged with what the two ends give
        s_idx = np.flatnonzero(ok)
        s_edge = sources.edge[s_idx]
        s_to, s_from = cost.along(graph, s_edge, sources.offset_m[s_idx])
        s_left = budget_m - sources.access_m[s_idx]
        s_lo = _offset_at(graph, cost, s_edge, s_to - s_left, forward=True)
        s_hi = _offset_at(graph, cost, s_edge, s_from + s_left, forward=False)
        extra: list[tuple[int, float, float]] = []
        for i in np.flatnonzero(own):
            e = int(cand[i])
            mine = s_edge == e
            ivals = list(zip(s_lo[mine].tolist(), s_hi[mine].tolist(), strict=True))
            if from_u[i]:
                ivals.append((0.0, float(x_u[i])))
            if from_v[i]:
                ivals.append((float(x_v[i]), float(length[i])))
            extra += [(e, lo, hi) for lo, hi in merge_intervals(ivals)]
        arr = np.asarray(extra, dtype=np.float64).reshape(-1, 3)
        edges.append(arr[:, 0].astype(np.int64))
        los.append(arr[:, 1])
        his.append(arr[:, 2])
    return stack_parts(edges, los, his)


def time_isochrones(
    graph: WalkGraph,
    cost: WalkCost,
    sources: SnappedPoints,
    *,
    minutes: Sequence[float],
    speed_mps: float,
    walk_width_m: float = 25.0,
) -> list[Area]:
    """The areas from which a source is reached within each of ``minutes`` (home → facility).

    One search serves every level: the node efforts up to the largest budget, then the parts and
    the polygon of each level.

    Parameters
    ----------
    graph
        The walk network the sources were snapped to.
    cost
        Its walking efforts (slope, steps).
    sources
        Snapped facilities; unsnapped ones are ignored.
    minutes
        The time levels (min), e.g. ``[5, 10, 15]``.
    speed_mps
        The walker's flat-ground pace (m/s), e.g. 0.8 for an elderly person.
    walk_width_m
        Width of the band drawn along reachable streets (m).

    Returns
    -------
    list of Polygon or MultiPolygon
        One area per level, in the graph's CRS; an empty Polygon where nothing is reached.

    Raises
    ------
    ValueError
        If a level is negative or not finite, ``speed_mps`` ≤ 0 or ``walk_width_m`` ≤ 0.

    Examples
    --------
    A 300 m flat street, a facility at its west end, an elderly walker at 0.8 m/s: 5 minutes
    reach 240 m of street (the band reaches 12.5 m beyond).

    >>> from lifecircle.geo.snap import snap_points
    >>> from lifecircle.geo.walktime import walk_cost
    >>> g = WalkGraph.from_edges([0, 300], [0, 0], [0], [1], crs="EPSG:32648")
    >>> f = snap_points(g, [0.0], [0.0], max_snap_m=10)
    >>> [iso] = time_isochrones(g, walk_cost(g), f, minutes=[5], speed_mps=0.8)
    >>> round(iso.bounds[2], 6)
    252.5
    """
    if not speed_mps > 0:
        raise ValueError(f"speed_mps must be > 0 m/s, got {speed_mps}")
    if not walk_width_m > 0:
        raise ValueError(f"walk_width_m must be > 0 m, got {walk_width_m}")
    budgets = [float(t) * 60.0 * speed_mps for t in minutes]
    bad = [t for t, b in zip(minutes, budgets, strict=True) if not (b >= 0 and np.isfinite(b))]
    if bad:
        raise ValueError(f"minutes must be finite and ≥ 0, got {bad}")
    if not budgets:
        return []
    node_effort, _ = facility_efforts(graph, cost, sources, limit_m=max(budgets))
    out: list[Area] = []
    for budget in budgets:
        edge, lo, hi = time_reachable_parts(
            graph, cost, sources, budget_m=budget, node_effort_m=node_effort
        )
        out.append(parts_polygon(graph, edge, lo, hi, walk_width_m))
    return out


__all__ = ["time_isochrones", "time_reachable_parts"]
