"""Walking distances from snapped points: nearest facility and per-facility catchments.

Distances follow the snapped geometry exactly. A point snapped on edge ``(u, v)`` of length ``L``
at offset ``t`` with access leg ``a`` reaches ``u`` at ``a + t`` and ``v`` at ``a + L − t``; two
points on the same edge also have the direct along-edge path ``|t1 − t2| + a1 + a2``.

Each set of sources is added to the graph as virtual nodes with one-way arcs to the two ends of
its edge, so a single ``scipy.sparse.csgraph.dijkstra`` call with ``min_only=True`` and
``limit=cutoff_m`` gives every node its distance to, and the identity of, the nearest source.
Virtual nodes have no incoming arcs, so no path passes through another source's access leg.

Walking *time* (:func:`nearest_facility_time`) is direction-dependent (uphill is slower than
downhill, :mod:`lifecircle.geo.walktime`): times run from home to the facility, so the search
from the facilities runs on the reversed directed graph (each arc weighted by the effort of
walking it the other way), and the parts of the snapped edges take the efforts of the pieces they
cover (:meth:`~lifecircle.geo.walktime.WalkCost.along`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from lifecircle.geo.localreach import is_metric, local_batch, spatial_batches
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.snap import SnappedPoints
from lifecircle.geo.walktime import WalkCost

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Upper bound on the entries of one dense batch array in :func:`catchments` (8 bytes each).
_BATCH_ENTRIES = 1 << 23


@dataclass(frozen=True, eq=False)
class Nearest:
    """Distance from every demand point to its nearest facility.

    Attributes
    ----------
    dist_m
        Walking distance in metres, both access legs included; inf where no facility is within
        the cutoff or the demand point was not snapped.
    facility
        Index (into the facilities passed) of the nearest facility; -1 where ``dist_m`` is inf.
    """

    dist_m: FloatArray
    facility: IntArray


@dataclass(frozen=True, eq=False)
class NearestTime:
    """Walking time from every demand point to the nearest facility (home → facility).

    Attributes
    ----------
    time_min
        Walking time in minutes at the walker's pace, both access legs included (walked as
        flat ground); inf where no facility is within the cutoff or the point was not snapped.
    facility
        Index (into the facilities passed) of the facility reached soonest; -1 where
        ``time_min`` is inf.
    """

    time_min: FloatArray
    facility: IntArray


@dataclass(frozen=True, eq=False)
class Catchments:
    """Sparse facility × demand walking distances within a cutoff.

    Attributes
    ----------
    facility, demand
        Indices of each pair into the facilities and demand points passed, sorted by facility
        then demand.
    dist_m
        Walking distance of each pair in metres (access legs included), ``<= cutoff_m``.
    n_facilities, n_demand
        Sizes of the inputs, so the table can be turned into a sparse matrix.
    """

    facility: IntArray
    demand: IntArray
    dist_m: FloatArray
    n_facilities: int
    n_demand: int

    def to_sparse(self) -> sp.csr_array:
        """Return the table as a ``(n_facilities, n_demand)`` CSR array of distances (m).

        Pairs at exactly 0 m are stored explicitly, so a missing entry always means "beyond the
        cutoff".
        """
        return sp.csr_array(
            (self.dist_m, (self.facility, self.demand)),
            shape=(self.n_facilities, self.n_demand),
        )


def graph_with_seeds(graph: WalkGraph, seeds: SnappedPoints) -> tuple[sp.csr_array, IntArray]:
    """The graph's directed CSR adjacency plus one virtual source node per snapped seed.

    Virtual node ``graph.n_nodes + j`` stands for seed ``index[j]``: it has two outgoing arcs, to
    ``edge_u`` and ``edge_v`` of the seed's edge, weighted by the access leg plus the offset to
    that end (m), and no incoming arc, so no shortest path passes through a seed. Running
    ``scipy.sparse.csgraph.dijkstra(csr, directed=True, indices=graph.n_nodes + j)`` gives seed
    ``index[j]``'s distances to every node (entries ``:graph.n_nodes``).

    Parameters
    ----------
    graph
        The walk network.
    seeds
        Snapped points; unsnapped ones get no virtual node.

    Returns
    -------
    csr, index
        The ``(n + k, n + k)`` adjacency of lengths in metres (``k`` snapped seeds) and the index
        into ``seeds`` of each virtual node.
    """
    index = np.flatnonzero(seeds.ok).astype(np.int64)
    e = seeds.edge[index]
    t = seeds.offset_m[index]
    a = seeds.access_m[index]
    length = graph.edge_length_m[e]
    return _seeded_csr(graph, graph.arc_length_m, e, a + t, a + (length - t)), index


def _seeded_csr(
    graph: WalkGraph, arc_weight: FloatArray, edge: IntArray, to_u: FloatArray, to_v: FloatArray
) -> sp.csr_array:
    """The graph's CSR with arc weights ``arc_weight`` plus one virtual node per seed, with arcs
    to ``edge_u`` / ``edge_v`` of its ``edge`` weighted ``to_u`` / ``to_v``."""
    n = graph.n_nodes
    k = len(edge)
    indptr = np.concatenate(
        [graph.indptr, graph.indptr[-1] + 2 * np.arange(1, k + 1, dtype=np.int64)]
    ).astype(np.int32)
    ends = np.stack([graph.edge_u[edge], graph.edge_v[edge]], axis=1).ravel()
    weights = np.stack([to_u, to_v], axis=1).ravel()
    indices = np.concatenate([graph.indices, ends]).astype(np.int32)
    data = np.concatenate([arc_weight, weights])
    return sp.csr_array((data, indices, indptr), shape=(n + k, n + k))


def seed_distances(
    graph: WalkGraph, seeds: SnappedPoints, *, cutoff_m: float
) -> tuple[FloatArray, IntArray]:
    """Multi-source distances from snapped seeds to every node.

    Parameters
    ----------
    graph
        The walk network.
    seeds
        Snapped source points; unsnapped ones are ignored.
    cutoff_m
        Nodes farther than this (m) get inf.

    Returns
    -------
    dist_m, source
        Per node: the walking distance to the nearest seed (access leg included, m; inf beyond
        the cutoff) and that seed's index into ``seeds`` (-1 where unreached).
    """
    n = graph.n_nodes
    csr, index = graph_with_seeds(graph, seeds)
    if len(index) == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    dist, _, src = dijkstra(
        csr,
        directed=True,
        indices=np.arange(n, n + len(index)),
        limit=cutoff_m,
        min_only=True,
        return_predecessors=True,
    )
    source = np.full(n, -1, dtype=np.int64)
    reached = src[:n] >= 0
    source[reached] = index[src[:n][reached] - n]
    return np.asarray(dist[:n], dtype=np.float64), source


def same_edge_pairs(a_edge: IntArray, b_edge: IntArray) -> tuple[IntArray, IntArray]:
    """Return every pair ``(i, j)`` with ``a_edge[i] == b_edge[j] >= 0``."""
    b_valid = b_edge[b_edge >= 0]
    # Only the few ``a`` on an edge some ``b`` is on take part: filter them first.
    sel = np.flatnonzero(np.isin(a_edge, b_valid)) if len(b_valid) else np.zeros(0, np.int64)
    a_sel = a_edge[sel]
    order = np.argsort(b_edge, kind="stable")
    sorted_b = b_edge[order]
    lo = np.searchsorted(sorted_b, a_sel, side="left")
    hi = np.searchsorted(sorted_b, a_sel, side="right")
    cnt = hi - lo
    ia = np.repeat(sel.astype(np.int64), cnt)
    start = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt)
    jb = order[start + np.arange(int(cnt.sum()), dtype=np.int64)]
    return ia, jb.astype(np.int64)


def _check_cutoff(cutoff_m: float) -> None:
    if not cutoff_m >= 0:
        raise ValueError(f"cutoff_m must be ≥ 0 m (or inf), got {cutoff_m}")


def nearest_facility(
    graph: WalkGraph,
    demand: SnappedPoints,
    facilities: SnappedPoints,
    *,
    cutoff_m: float = np.inf,
) -> Nearest:
    """Walking distance from every demand point to the nearest facility.

    One multi-source shortest-path pass over the graph (call it once per facility category).

    Parameters
    ----------
    graph
        The walk network the points were snapped to.
    demand, facilities
        Snapped points (:func:`~lifecircle.geo.snap.snap_points`); unsnapped facilities are
        ignored and unsnapped demand gets inf.
    cutoff_m
        Distances above this (m) are reported as inf; a finite cutoff makes the pass faster.

    Returns
    -------
    Nearest
        Per demand point: distance (m, both access legs included) and facility index.

    Raises
    ------
    ValueError
        If ``cutoff_m`` is negative or nan.

    Examples
    --------
    >>> from lifecircle.geo.snap import snap_points
    >>> g = WalkGraph.from_edges([0, 100, 200], [0, 0, 0], [0, 1], [1, 2], crs="EPSG:32648")
    >>> f = snap_points(g, [0.0], [5.0], max_snap_m=50)
    >>> d = snap_points(g, [150.0], [10.0], max_snap_m=50)
    >>> float(nearest_facility(g, d, f).dist_m[0])
    165.0
    """
    _check_cutoff(cutoff_m)
    node_dist, node_src = seed_distances(graph, facilities, cutoff_m=cutoff_m)
    nd = len(demand)
    dist = np.full(nd, np.inf)
    fac = np.full(nd, -1, dtype=np.int64)
    idx = np.flatnonzero(demand.ok)
    if len(idx):
        e = demand.edge[idx]
        t = demand.offset_m[idx]
        a = demand.access_m[idx]
        u = graph.edge_u[e]
        v = graph.edge_v[e]
        via_u = node_dist[u] + t
        via_v = node_dist[v] + (graph.edge_length_m[e] - t)
        use_v = via_v < via_u
        dist[idx] = np.where(use_v, via_v, via_u) + a
        fac[idx] = np.where(use_v, node_src[v], node_src[u])
        f_edge = np.where(facilities.ok, facilities.edge, -1)
        ia, jf = same_edge_pairs(demand.edge[idx], f_edge)
        if len(ia):
            di = idx[ia]
            direct = (
                np.abs(demand.offset_m[di] - facilities.offset_m[jf])
                + demand.access_m[di]
                + facilities.access_m[jf]
            )
            # Sort so that, per demand point, the smallest direct distance is written last.
            order = np.argsort(-direct, kind="stable")
            di, jf, direct = di[order], jf[order], direct[order]
            better = direct < dist[di]
            dist[di[better]] = direct[better]
            fac[di[better]] = jf[better]
    beyond = ~(dist <= cutoff_m)
    dist[beyond] = np.inf
    fac[beyond] = -1
    return Nearest(dist, fac)


def facility_efforts(
    graph: WalkGraph, cost: WalkCost, facilities: SnappedPoints, *, limit_m: float = np.inf
) -> tuple[FloatArray, IntArray]:
    """Walking effort from every node to the facility it reaches soonest (node → facility).

    One multi-source pass over the reversed directed graph, weighted by the efforts of ``cost``:
    a facility snapped at offset ``t`` of edge ``(u, v)`` with access leg ``a`` is reached from
    ``u`` with the effort of walking forward from ``u`` to ``t`` plus ``a``, from ``v`` with the
    effort of walking back from ``v`` to ``t`` plus ``a`` (access legs walked as flat ground).

    Parameters
    ----------
    graph
        The walk network the facilities were snapped to.
    cost
        Its walking efforts (:func:`lifecircle.geo.walktime.walk_cost`).
    facilities
        Snapped points; unsnapped ones are ignored.
    limit_m
        Efforts above this (flat-equivalent m) are inf; a finite limit makes the pass faster.

    Returns
    -------
    effort_m, facility
        Per node: the effort in flat-equivalent metres (a walker of pace ``s`` m/s takes
        ``effort_m / s`` seconds; inf beyond ``limit_m``), and the index into ``facilities`` of
        the facility reached soonest (-1 where none is reached).
    """
    n = graph.n_nodes
    f_idx = np.flatnonzero(facilities.ok).astype(np.int64)
    if len(f_idx) == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    fe = facilities.edge[f_idx]
    f_to, f_from = cost.along(graph, fe, facilities.offset_m[f_idx])
    fa = facilities.access_m[f_idx]
    # reversed graph: a seed is reached from edge_u walking forward to it, from edge_v back
    csr = _seeded_csr(graph, cost.arc_reverse_m, fe, f_to + fa, cost.bwd_m[fe] - f_from + fa)
    node_eff, _, src = dijkstra(
        csr,
        directed=True,
        indices=np.arange(n, n + len(f_idx)),
        limit=limit_m,
        min_only=True,
        return_predecessors=True,
    )
    node_src = np.where(src[:n] >= 0, f_idx[np.maximum(src[:n] - n, 0)], -1)
    return np.asarray(node_eff[:n], dtype=np.float64), node_src


def nearest_facility_time(
    graph: WalkGraph,
    cost: WalkCost,
    demand: SnappedPoints,
    facilities: SnappedPoints,
    *,
    speed_mps: float,
    cutoff_min: float = np.inf,
) -> NearestTime:
    """Walking time from every demand point to the facility it reaches soonest (home → facility).

    One multi-source pass over the reversed directed graph, weighted by the walking efforts of
    ``cost`` (flat-equivalent metres); times are ``effort / speed_mps``. Access legs are walked
    as flat ground; the snapped parts of edges take the efforts of the pieces they cover.

    Parameters
    ----------
    graph
        The walk network the points were snapped to.
    cost
        Its walking efforts (:func:`lifecircle.geo.walktime.walk_cost`).
    demand, facilities
        Snapped points; unsnapped facilities are ignored and unsnapped demand gets inf.
    speed_mps
        The walker's pace on flat ground (m/s), e.g. 1.2 for an adult, 0.8 for an elderly
        person.
    cutoff_min
        Times above this (minutes) are reported as inf; a finite cutoff makes the pass faster.

    Returns
    -------
    NearestTime
        Per demand point: minutes and facility index.

    Raises
    ------
    ValueError
        If ``speed_mps`` is not > 0 or ``cutoff_min`` is negative or nan.

    Examples
    --------
    >>> from lifecircle.geo.snap import snap_points
    >>> from lifecircle.geo.walktime import walk_cost
    >>> g = WalkGraph.from_edges([0, 100, 200], [0, 0, 0], [0, 1], [1, 2], crs="EPSG:32648")
    >>> f = snap_points(g, [0.0], [0.0], max_snap_m=50)
    >>> d = snap_points(g, [120.0], [0.0], max_snap_m=50)
    >>> float(nearest_facility_time(g, walk_cost(g), d, f, speed_mps=1.0).time_min[0])
    2.0
    """
    if not speed_mps > 0:
        raise ValueError(f"speed_mps must be > 0 m/s, got {speed_mps}")
    if not cutoff_min >= 0:
        raise ValueError(f"cutoff_min must be ≥ 0 min (or inf), got {cutoff_min}")
    limit_m = cutoff_min * 60.0 * speed_mps
    f_idx = np.flatnonzero(facilities.ok).astype(np.int64)
    fe = facilities.edge[f_idx]
    f_to, f_from = cost.along(graph, fe, facilities.offset_m[f_idx])
    fa = facilities.access_m[f_idx]
    nd = len(demand)
    effort = np.full(nd, np.inf)
    fac = np.full(nd, -1, dtype=np.int64)
    idx = np.flatnonzero(demand.ok)
    if len(f_idx) and len(idx):
        node_eff, node_src = facility_efforts(graph, cost, facilities, limit_m=limit_m)
        e = demand.edge[idx]
        d_to, d_from = cost.along(graph, e, demand.offset_m[idx])
        via_u = node_eff[graph.edge_u[e]] + d_from
        via_v = node_eff[graph.edge_v[e]] + (cost.fwd_m[e] - d_to)
        use_v = via_v < via_u
        effort[idx] = np.where(use_v, via_v, via_u) + demand.access_m[idx]
        fac[idx] = np.where(use_v, node_src[graph.edge_v[e]], node_src[graph.edge_u[e]])
        ia, jf = same_edge_pairs(e, fe)
        if len(ia):
            di = idx[ia]
            ahead = facilities.offset_m[f_idx[jf]] >= demand.offset_m[di]
            along = np.where(ahead, f_to[jf] - d_to[ia], d_from[ia] - f_from[jf])
            direct = along + demand.access_m[di] + fa[jf]
            order = np.argsort(-direct, kind="stable")
            di, jf, direct = di[order], jf[order], direct[order]
            better = direct < effort[di]
            effort[di[better]] = direct[better]
            fac[di[better]] = f_idx[jf[better]]
    beyond = ~(effort <= limit_m)
    effort[beyond] = np.inf
    fac[beyond] = -1
    return NearestTime(effort / speed_mps / 60.0, fac)


def catchments(
    graph: WalkGraph,
    demand: SnappedPoints,
    facilities: SnappedPoints,
    *,
    cutoff_m: float,
    batch_size: int = 256,
) -> Catchments:
    """Every (facility, demand point) pair within ``cutoff_m`` of walking, with its distance.

    Facilities are processed in batches of at most ``batch_size``: on a metric network (no edge
    shorter than the straight line between its nodes) batches of nearby facilities, each searched
    on the streets within the cutoff of them only (:mod:`lifecircle.geo.localreach`), else
    batches on the whole network (fewer when the graph or the demand is large, so that each dense
    batch array stays under 64 MB); memory beyond that is the size of the result.

    Parameters
    ----------
    graph
        The walk network the points were snapped to.
    demand, facilities
        Snapped points; unsnapped ones appear in no pair.
    cutoff_m
        The largest distance kept (m), typically the largest life-circle threshold.
    batch_size
        Largest number of facilities per shortest-path call.

    Returns
    -------
    Catchments
        The sparse table, sorted by facility then demand.

    Raises
    ------
    ValueError
        If ``cutoff_m`` is negative or nan, or ``batch_size`` < 1.
    """
    _check_cutoff(cutoff_m)
    if batch_size < 1:
        raise ValueError(f"batch_size must be ≥ 1, got {batch_size}")
    n = graph.n_nodes
    d_idx = np.flatnonzero(demand.ok)
    f_idx = np.flatnonzero(facilities.ok)
    out_f: list[IntArray] = []
    out_d: list[IntArray] = []
    out_dist: list[FloatArray] = []
    if len(d_idx) and len(f_idx):
        e = demand.edge[d_idx]
        t = demand.offset_m[d_idx]
        a = demand.access_m[d_idx]
        u = graph.edge_u[e]
        v = graph.edge_v[e]
        rest = graph.edge_length_m[e] - t
        # Direct same-edge pairs, as (facility position in f_idx, demand position in d_idx).
        same_d, same_f = same_edge_pairs(e, facilities.edge[f_idx])
        same_dist = (
            np.abs(t[same_d] - facilities.offset_m[f_idx[same_f]])
            + a[same_d]
            + facilities.access_m[f_idx[same_f]]
        )
        batch = int(max(1, min(batch_size, _BATCH_ENTRIES // max(n + batch_size, len(d_idx)))))
        # On a metric network, batches of nearby facilities are searched on the streets near
        # them only (lifecircle.geo.localreach); else batch by batch on the whole network.
        local = bool(np.isfinite(cutoff_m)) and is_metric(graph)
        groups = (
            spatial_batches(facilities.px[f_idx], facilities.py[f_idx], cutoff_m, batch_size)
            if local
            else [np.arange(b0, min(b0 + batch, len(f_idx))) for b0 in range(0, len(f_idx), batch)]
        )
        row_of = np.full(len(f_idx), -1, dtype=np.int64)
        for pos in groups:
            sel = f_idx[pos]
            row_of[pos] = np.arange(len(pos))
            in_batch = row_of[same_f] >= 0
            if local:
                node_dist, lu, lv, cols = local_batch(
                    graph,
                    facilities.subset(sel),
                    cutoff_m=cutoff_m,
                    edge_u=u,
                    edge_v=v,
                    must=same_d[in_batch],
                )
                du = np.where(lu >= 0, node_dist[:, np.maximum(lu, 0)], np.inf)
                dv = np.where(lv >= 0, node_dist[:, np.maximum(lv, 0)], np.inf)
            else:
                csr, _ = graph_with_seeds(graph, facilities.subset(sel))
                node_dist = dijkstra(
                    csr, directed=True, indices=np.arange(n, n + len(sel)), limit=cutoff_m
                )
                cols = np.arange(len(d_idx))
                du, dv = node_dist[:, u], node_dist[:, v]
            dm = np.minimum(du + t[cols], dv + rest[cols])
            dm += a[cols]
            if in_batch.any():
                rows = row_of[same_f[in_batch]]
                at = np.searchsorted(cols, same_d[in_batch])
                dm[rows, at] = np.minimum(dm[rows, at], same_dist[in_batch])
            row_of[pos] = -1
            r, c = np.nonzero(dm <= cutoff_m)
            out_f.append(sel[r].astype(np.int64))
            out_d.append(d_idx[cols[c]].astype(np.int64))
            out_dist.append(dm[r, c])
    fa = np.concatenate(out_f) if out_f else np.zeros(0, dtype=np.int64)
    da = np.concatenate(out_d) if out_d else np.zeros(0, dtype=np.int64)
    dist = np.concatenate(out_dist) if out_dist else np.zeros(0)
    order = np.lexsort((da, fa))
    logger.debug("catchments: %d pairs within %g m", len(order), cutoff_m)
    return Catchments(fa[order], da[order], dist[order], len(facilities), len(demand))
