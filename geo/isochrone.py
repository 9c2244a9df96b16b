"""Edge-based isochrone polygons: the streets reachable within a walking distance, buffered.

The reachable part of each edge ``(u, v)`` of length ``L`` is computed exactly from the node
distances ``du``, ``dv`` of a seeded shortest-path pass
(:func:`~lifecircle.geo.reach.seed_distances`; one source at a time over
:func:`~lifecircle.geo.reach.graph_with_seeds`):
with budget ``c`` the walker covers ``[0, c − du]`` from ``u`` and ``[L − (c − dv), L]`` from ``v``
(the whole edge when the two overlap), and on a source's own edge ``[t − r, t + r]`` with
``r = c − access``. These parts are buffered by ``walk_width_m / 2`` with round caps and round joins
(two segments per quarter circle), so the polygon follows the streets, keeps the holes of blocks
wider than the walk width and never spans unreachable land as a convex hull would. The access legs
themselves (point → street) are not drawn.
"""

from __future__ import annotations

import logging

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from lifecircle.geo.network import WalkGraph
from lifecircle.geo.reach import graph_with_seeds, seed_distances
from lifecircle.geo.snap import SnappedPoints

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]

_MERGE_TOLERANCE_M = 0.01
_QUAD_SEGS = 2

#: What an isochrone is: a Polygon or MultiPolygon (an empty Polygon when nothing is reached).
Area = shapely.Polygon | shapely.MultiPolygon


def _check(cutoff_m: float, walk_width_m: float) -> None:
    if not (cutoff_m >= 0 and np.isfinite(cutoff_m)):
        raise ValueError(f"cutoff_m must be a finite distance ≥ 0 m, got {cutoff_m}")
    if not walk_width_m > 0:
        raise ValueError(f"walk_width_m must be > 0 m, got {walk_width_m}")


def _merge(ivals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    ivals.sort()
    out = [ivals[0]]
    for lo, hi in ivals[1:]:
        if lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def reachable_parts(
    graph: WalkGraph,
    sources: SnappedPoints,
    *,
    cutoff_m: float,
    node_dist: FloatArray | None = None,
) -> tuple[NDArray[np.int64], FloatArray, FloatArray]:
    """The parts of edges reachable within ``cutoff_m`` from any snapped source.

    Parameters
    ----------
    graph
        The walk network.
    sources
        Snapped points; unsnapped ones are ignored.
    cutoff_m
        Walking budget in metres, access legs included.
    node_dist
        Node distances from these sources when already computed (``seed_distances``).

    Returns
    -------
    edge, lo_m, hi_m
        Non-overlapping intervals ``[lo_m, hi_m]`` along ``edge``, measured from ``edge_u`` (m).
        Their summed length is the reachable street length.
    """
    if node_dist is None:
        node_dist, _ = seed_distances(graph, sources, cutoff_m=cutoff_m)
    length = graph.edge_length_m
    ru = cutoff_m - node_dist[graph.edge_u]  # -inf where unreached
    rv = cutoff_m - node_dist[graph.edge_v]
    full = (ru + rv >= length) & ((ru >= 0) | (rv >= 0))
    from_u = ~full & (ru > 0)
    from_v = ~full & (rv > 0)
    ok = sources.ok & (sources.access_m < cutoff_m)
    src_e = sources.edge[ok]
    own = np.zeros(graph.n_edges, dtype=bool)
    own[src_e] = True
    own &= ~full
    eu = np.flatnonzero(from_u & ~own)
    ev = np.flatnonzero(from_v & ~own)
    ef = np.flatnonzero(full)
    edges = [ef, eu, ev]
    los = [np.zeros(len(ef)), np.zeros(len(eu)), length[ev] - rv[ev]]
    his = [length[ef], ru[eu], length[ev]]
    if own.any():
        # A source's own edge: merge its direct interval with what the two ends give.
        src_t = sources.offset_m[ok]
        src_r = cutoff_m - sources.access_m[ok]
        extra: list[tuple[int, float, float]] = []
        order = np.argsort(src_e, kind="stable")
        se, st, sr = src_e[order], src_t[order], src_r[order]
        bounds = np.flatnonzero(np.diff(se)) + 1
        for grp in np.split(np.arange(len(se)), bounds):
            e = int(se[grp[0]])
            if full[e]:
                continue
            big = float(length[e])
            ivals = [
                (max(0.0, float(t - r)), min(big, float(t + r)))
                for t, r in zip(st[grp], sr[grp], strict=True)
            ]
            if from_u[e]:
                ivals.append((0.0, float(ru[e])))
            if from_v[e]:
                ivals.append((big - float(rv[e]), big))
            extra += [(e, lo, hi) for lo, hi in _merge(ivals)]
        if extra:
            arr = np.asarray(extra, dtype=np.float64)
            edges.append(arr[:, 0].astype(np.int64))
            los.append(arr[:, 1])
            his.append(arr[:, 2])
    edge = np.concatenate(edges).astype(np.int64)
    lo_m = np.concatenate(los)
    hi_m = np.concatenate(his)
    keep = hi_m > lo_m
    return edge[keep], lo_m[keep], hi_m[keep]


def _polygon(
    graph: WalkGraph,
    edge: NDArray[np.int64],
    lo_m: FloatArray,
    hi_m: FloatArray,
    walk_width_m: float,
) -> Area:
    if len(edge) == 0:
        return shapely.Polygon()
    ax = graph.x[graph.edge_u[edge]]
    ay = graph.y[graph.edge_u[edge]]
    inv = 1.0 / graph.edge_length_m[edge]
    dx = (graph.x[graph.edge_v[edge]] - ax) * inv
    dy = (graph.y[graph.edge_v[edge]] - ay) * inv
    coords = np.empty((len(edge), 2, 2))
    coords[:, 0, 0] = ax + lo_m * dx
    coords[:, 0, 1] = ay + lo_m * dy
    coords[:, 1, 0] = ax + hi_m * dx
    coords[:, 1, 1] = ay + hi_m * dy
    lines = shapely.multilinestrings(np.asarray(shapely.linestrings(coords)))
    # Buffering cost grows with the number of parts and vertices: join the segments into
    # polylines and drop collinear vertices (within 1 cm) first; the area changes by < 0.01 %.
    merged = shapely.simplify(shapely.line_merge(lines), _MERGE_TOLERANCE_M)
    poly = shapely.buffer(merged, walk_width_m / 2.0, quad_segs=_QUAD_SEGS)
    assert isinstance(poly, shapely.Polygon | shapely.MultiPolygon)
    return poly


def isochrone(
    graph: WalkGraph, sources: SnappedPoints, *, cutoff_m: float, walk_width_m: float = 25.0
) -> Area:
    """The area within ``cutoff_m`` of walking from any of the sources.

    Parameters
    ----------
    graph
        The walk network the sources were snapped to.
    sources
        Snapped points (a facility, or every facility of a category); unsnapped ones are ignored.
    cutoff_m
        Walking distance in metres (access legs included), e.g. 1000 for the 15-minute level.
    walk_width_m
        Width of the band drawn along reachable streets (m).

    Returns
    -------
    Polygon or MultiPolygon
        A Polygon or MultiPolygon in the graph's CRS, holes kept; an empty Polygon when nothing
        is reachable.

    Raises
    ------
    ValueError
        If ``cutoff_m`` is negative or not finite, or ``walk_width_m`` ≤ 0.

    Examples
    --------
    >>> from lifecircle.geo.snap import snap_points
    >>> g = WalkGraph.from_edges([0, 100, 200], [0, 0, 0], [0, 1], [1, 2], crs="EPSG:32648")
    >>> iso = isochrone(g, snap_points(g, [0.0], [0.0], max_snap_m=10), cutoff_m=150)
    >>> round(iso.bounds[2], 6)
    162.5
    """
    _check(cutoff_m, walk_width_m)
    edge, lo, hi = reachable_parts(graph, sources, cutoff_m=cutoff_m)
    return _polygon(graph, edge, lo, hi, walk_width_m)


def isochrones_per_source(
    graph: WalkGraph, sources: SnappedPoints, *, cutoff_m: float, walk_width_m: float = 25.0
) -> list[Area]:
    """One isochrone polygon per source (see :func:`isochrone`); empty for unsnapped sources.

    The graph with every source attached is built once; each source then costs one bounded
    shortest-path call and one buffer.
    """
    _check(cutoff_m, walk_width_m)
    n = graph.n_nodes
    csr, index = graph_with_seeds(graph, sources)
    out: list[Area] = [shapely.Polygon() for _ in range(len(sources))]
    for j, i in enumerate(index):
        dist = dijkstra(csr, directed=True, indices=n + j, limit=cutoff_m)[:n]
        one = sources.subset(np.array([i]))
        edge, lo, hi = reachable_parts(graph, one, cutoff_m=cutoff_m, node_dist=dist)
        out[int(i)] = _polygon(graph, edge, lo, hi, walk_width_m)
    logger.debug("built %d isochrones of %g m", len(index), cutoff_m)
    return out
