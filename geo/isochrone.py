"""Edge-based isochrone polygons: the streets reachable within a walking distance, buffered.

The reachable part of each edge ``(u, v)`` of length ``L`` is computed exactly from the node
distances ``du``, ``dv`` of a bounded shortest-path pass from the sources (for a few sources a
search on the streets within the budget's straight-line reach only, for many
:func:`~lifecircle.geo.reach.seed_distances` over the whole network): with
budget ``c`` the walker covers ``[0, c − du]`` from ``u`` and ``[L − (c − dv), L]`` from ``v``
(the whole edge when the two overlap), and on a source's own edge ``[t − r, t + r]`` with
``r = c − access``. Only edges at reached nodes are examined, so the cost follows the area reached,
not the size of the network.

The polygon is the buffer of these parts by ``walk_width_m / 2`` with round caps and joins (three
chords per quarter circle, so an outline lies within 0.076 × the half-width of the true round
band), so it follows the streets, keeps the holes of blocks wider than the walk width and never
spans unreachable land as a convex hull would. It is built from the street blocks the whole
reachable edges enclose (:func:`_face_polygon`): the blocks' union buffered with the remaining
segments, and each block shrunk by the half-width as a hole. That equals buffering every segment
but costs a few milliseconds for a 15-minute walk through a dense grid instead of a few hundred.
The blocks are traced, joined and shrunk in :mod:`lifecircle.geo.blocks`; this module owns the
search, the reachable parts of edges and their buffering. The access legs themselves
(point → street) are not drawn.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from typing import cast

import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from lifecircle.geo.blocks import MERGE_TOLERANCE_M, QUAD_SEGS, block_union, erode, trace_faces
from lifecircle.geo.localreach import is_metric
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.reach import seed_distances
from lifecircle.geo.snap import SnappedPoints

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]

#: From this many partial edges on, the frontier of an isochrone is buffered on a second thread.
_PARALLEL_PARTS = 48
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()

#: What an isochrone is: a Polygon or MultiPolygon (an empty Polygon when nothing is reached).
Area = shapely.Polygon | shapely.MultiPolygon


def _check(cutoff_m: float, walk_width_m: float) -> None:
    if not (cutoff_m >= 0 and np.isfinite(cutoff_m)):
        raise ValueError(f"cutoff_m must be a finite distance ≥ 0 m, got {cutoff_m}")
    if not walk_width_m > 0:
        raise ValueError(f"walk_width_m must be > 0 m, got {walk_width_m}")


def stack_parts(
    edges: list[NDArray[np.int64]], los: list[FloatArray], his: list[FloatArray]
) -> tuple[NDArray[np.int64], FloatArray, FloatArray]:
    """The reachable parts gathered in pieces as three flat arrays (edge, from m, to m), empty
    parts left out."""
    edge = np.concatenate(edges).astype(np.int64)
    lo_m = np.concatenate(los)
    hi_m = np.concatenate(his)
    keep = hi_m > lo_m
    return edge[keep], lo_m[keep], hi_m[keep]


def merge_intervals(ivals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    ivals.sort()
    out = [ivals[0]]
    for lo, hi in ivals[1:]:
        if lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


#: Each graph's node positions in a k-d tree, built on its first isochrone (None when some edge
#: is shorter than the straight line between its nodes: the local search would not be exact).
_TREES: weakref.WeakKeyDictionary[WalkGraph, cKDTree | None] = weakref.WeakKeyDictionary()


def _node_tree(graph: WalkGraph) -> cKDTree | None:
    if graph in _TREES:
        return _TREES[graph]
    tree = cKDTree(np.column_stack([graph.x, graph.y])) if is_metric(graph) else None
    _TREES[graph] = tree
    return tree


#: Up to this many sources, the search runs on the streets near them only (see
#: :func:`_local_distances`); more sources get one pass over the graph (``seed_distances``).
_FEW_SOURCES = 4


def _local_distances(
    graph: WalkGraph, sources: SnappedPoints, cutoff_m: float, tree: cKDTree
) -> tuple[NDArray[np.int64], FloatArray]:
    """Nodes within ``cutoff_m`` of walking from the nearest source, and their distances (m).

    A walk of length ``d`` from the end of a source's edge never leaves the disc of radius ``d``
    around that end, so the shortest paths within the budget all run inside the union of the discs
    of radius ``cutoff_m − start`` around the ends (``start``: access leg plus the way along the
    source's edge). The search runs on the streets inside those discs only: its cost follows the
    area reached, not the size of the network.

    Returns
    -------
    node, dist_m
        Reached nodes (sorted) and their walking distances, all ≤ ``cutoff_m``.
    """
    none = (np.empty(0, dtype=np.int64), np.empty(0))
    ok = np.flatnonzero(sources.ok)
    e = sources.edge[ok]
    t = sources.offset_m[ok]
    a = sources.access_m[ok]
    ends = np.concatenate([graph.edge_u[e], graph.edge_v[e]])
    start = np.concatenate([a + t, a + graph.edge_length_m[e] - t])
    radius = cutoff_m - start
    use = radius >= 0
    if not use.any():
        return none
    ends, start, radius = ends[use], start[use], radius[use]
    # Both ends' discs lie in the disc of radius cutoff − access around the snapped point; a hair
    # more, so that a node exactly on the circle is not lost to rounding.
    sel = a <= cutoff_m
    u, v = graph.edge_u[e[sel]], graph.edge_v[e[sel]]
    f = (t / graph.edge_length_m[e])[sel]
    at = np.column_stack(
        [graph.x[u] + f * (graph.x[v] - graph.x[u]), graph.y[u] + f * (graph.y[v] - graph.y[u])]
    )
    near = tree.query_ball_point(at, (cutoff_m - a[sel]) * (1 + 1e-9) + 1e-6)
    node = np.unique(np.concatenate([np.asarray(n, dtype=np.int64) for n in near]))
    arcs, degree = _arcs(graph, node)
    to = graph.indices[arcs]
    col = np.minimum(np.searchsorted(node, to), len(node) - 1)
    inside = node[col] == to
    row_len = np.bincount(np.repeat(np.arange(len(node)), degree)[inside], minlength=len(node))
    indptr = np.zeros(len(node) + 1, dtype=np.int32)
    np.cumsum(row_len, out=indptr[1:])
    local = sp.csr_array(
        (graph.arc_length_m[arcs[inside]], col[inside].astype(np.int32), indptr),
        shape=(len(node), len(node)),
    )
    dist = np.atleast_2d(
        dijkstra(local, directed=True, indices=np.searchsorted(node, ends), limit=radius.max())
    )
    dist += start[:, None]
    best = dist.min(axis=0)
    keep = best <= cutoff_m
    return node[keep], best[keep]


def _arcs(graph: WalkGraph, node: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The arcs leaving the given nodes (CSR positions, node by node) and each node's degree."""
    first = graph.indptr[node]
    degree = graph.indptr[node + 1] - first
    arcs = np.repeat(first - np.cumsum(degree) + degree, degree) + np.arange(degree.sum())
    return arcs, degree


def _lookup(node: NDArray[np.int64], dist_m: FloatArray, query: NDArray[np.int64]) -> FloatArray:
    """Distances of ``query`` nodes from sorted ``node`` / ``dist_m`` (inf where absent)."""
    if len(node) == 0:
        return np.full(len(query), np.inf)
    at = np.minimum(np.searchsorted(node, query), len(node) - 1)
    return np.where(node[at] == query, dist_m[at], np.inf)


def reachable_parts(
    graph: WalkGraph,
    sources: SnappedPoints,
    *,
    cutoff_m: float,
    node_dist: FloatArray | None = None,
) -> tuple[NDArray[np.int64], FloatArray, FloatArray]:
    """The parts of edges reachable within ``cutoff_m`` from any snapped source.

    Only the edges at reached nodes and the sources' own edges are examined, so the cost grows
    with the area reached, not with the network.

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
    tree = None
    if node_dist is None and np.count_nonzero(sources.ok) <= _FEW_SOURCES:
        tree = _node_tree(graph)
    if tree is not None:
        reached, reached_dist = _local_distances(graph, sources, cutoff_m, tree)
    else:
        if node_dist is None:
            node_dist = seed_distances(graph, sources, cutoff_m=cutoff_m)[0]
        reached = np.flatnonzero(node_dist <= cutoff_m)
        reached_dist = node_dist[reached]
    ok = sources.ok & (sources.access_m < cutoff_m)
    src_e = sources.edge[ok]
    cand = np.unique(np.concatenate([graph.arc_edge[_arcs(graph, reached)[0]], src_e]))
    length = graph.edge_length_m[cand]
    ru = cutoff_m - _lookup(reached, reached_dist, graph.edge_u[cand])  # -inf where unreached
    rv = cutoff_m - _lookup(reached, reached_dist, graph.edge_v[cand])
    full = (ru + rv >= length) & ((ru >= 0) | (rv >= 0))
    from_u = ~full & (ru > 0)
    from_v = ~full & (rv > 0)
    own = np.zeros(len(cand), dtype=bool)
    own[np.searchsorted(cand, src_e)] = True
    own &= ~full
    eu = np.flatnonzero(from_u & ~own)
    ev = np.flatnonzero(from_v & ~own)
    ef = np.flatnonzero(full)
    edges = [cand[ef], cand[eu], cand[ev]]
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
            i = int(np.searchsorted(cand, e))
            if full[i]:
                continue
            big = float(length[i])
            ivals = [
                (max(0.0, float(t - r)), min(big, float(t + r)))
                for t, r in zip(st[grp], sr[grp], strict=True)
            ]
            if from_u[i]:
                ivals.append((0.0, float(ru[i])))
            if from_v[i]:
                ivals.append((big - float(rv[i]), big))
            extra += [(e, lo, hi) for lo, hi in merge_intervals(ivals)]
        if extra:
            arr = np.asarray(extra, dtype=np.float64)
            edges.append(arr[:, 0].astype(np.int64))
            los.append(arr[:, 1])
            his.append(arr[:, 2])
    return stack_parts(edges, los, his)


def _segments(
    graph: WalkGraph, edge: NDArray[np.int64], lo_m: FloatArray, hi_m: FloatArray
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Segment coordinates ``(n, 2, 2)`` of the reachable parts, and which parts are whole edges.

    Whole edges take their end coordinates from the nodes themselves (not ``a + L · unit``), so
    segments that meet at a node share bit-identical end points, as polygonizing needs.
    """
    u, v = graph.edge_u[edge], graph.edge_v[edge]
    ax, ay, bx, by = graph.x[u], graph.y[u], graph.x[v], graph.y[v]
    length = graph.edge_length_m[edge]
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero-length edge is whole
        dx = (bx - ax) / length
        dy = (by - ay) / length
    at_u = lo_m <= 0.0
    at_v = hi_m >= length
    coords = np.empty((len(edge), 2, 2))
    coords[:, 0, 0] = np.where(at_u, ax, ax + lo_m * dx)
    coords[:, 0, 1] = np.where(at_u, ay, ay + lo_m * dy)
    coords[:, 1, 0] = np.where(at_v, bx, ax + hi_m * dx)
    coords[:, 1, 1] = np.where(at_v, by, ay + hi_m * dy)
    return coords, at_u & at_v


def _lines(coords: FloatArray) -> NDArray[np.object_]:
    """One LineString per segment of ``coords`` (shape ``(n, 2, 2)``)."""
    return np.asarray(shapely.linestrings(coords), dtype=object)


def _multi(lines: NDArray[np.object_]) -> shapely.Geometry:
    """The segments as one MultiLineString."""
    return cast(shapely.Geometry, shapely.multilinestrings(lines))


def _pool() -> ThreadPoolExecutor:
    """The worker threads that buffer an isochrone's frontier (one per core, made on first use)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
        return _POOL


def _buffer_merged(
    lines: NDArray[np.object_], radius_m: float, polygon: shapely.Geometry | None = None
) -> shapely.Geometry:
    """Buffer segments together with an optional polygon by ``radius_m``.

    The segments are joined into polylines and collinear vertices (within 1 cm) dropped first:
    buffering cost grows with the number of parts and vertices; the area changes by < 0.01 %.
    Many polylines without a polygon (an isochrone's frontier) are buffered by clusters
    (:func:`_buffer_clusters`).
    """
    parts = [] if polygon is None else [polygon]
    if len(lines):
        merged = shapely.simplify(shapely.line_merge(_multi(lines)), MERGE_TOLERANCE_M)
        if polygon is None and shapely.get_num_geometries(merged) >= _CLUSTERS_FROM:
            return _buffer_clusters(np.asarray(shapely.get_parts(merged), dtype=object), radius_m)
        parts.append(merged)
    if not parts:
        return shapely.Polygon()
    return shapely.buffer(shapely.geometrycollections(parts), radius_m, quad_segs=QUAD_SEGS)


#: From this many polylines on, a frontier is buffered cluster by cluster.
_CLUSTERS_FROM = 256


def _buffer_clusters(lines: NDArray[np.object_], radius_m: float) -> shapely.Geometry:
    """The buffer of many polylines, made cluster by cluster: the same polygons, faster.

    GEOS buffers a collection of ``k`` separate pieces in time growing with ``k²`` (each
    piece's depth is found against the others): 16,000 frontier segments take 5 s, 40,000 take
    40 s. Polylines closer than twice the radius are clustered (their buffers may meet); the
    clusters' buffers lie apart, so buffering each cluster alone gives the same polygons
    (identical vertices) in a few hundred milliseconds.
    """
    a, b = shapely.STRtree(lines).query(lines, predicate="dwithin", distance=2.0 * radius_m)
    n = len(lines)
    _, label = connected_components(
        sp.coo_array((np.ones(len(a)), (a, b)), shape=(n, n)), directed=False
    )
    order = np.argsort(label, kind="stable")
    groups = shapely.multilinestrings(lines[order], indices=label[order])
    pieces = shapely.get_parts(shapely.buffer(groups, radius_m, quad_segs=QUAD_SEGS))
    return cast(shapely.Geometry, shapely.multipolygons(pieces))


def _face_polygon(
    graph: WalkGraph,
    edge: NDArray[np.int64],
    coords: FloatArray,
    whole: NDArray[np.bool_],
    radius_m: float,
) -> Area | None:
    """The buffer of the segments, built from the street blocks they enclose (None: not possible).

    The buffer of linework ``S`` by ``r`` equals ``buffer(F ∪ O, r)`` with, for every block ``f``
    of ``S`` (a face whose whole boundary is reachable), a hole ``erode(f, r)`` less the buffer of
    the segments that run inside ``f``. Here ``F`` is the union of the blocks and ``O`` the
    segments on no block's boundary (dead ends, partial edges at the frontier, links between
    blocks). A point of ``erode(f, r)`` is farther than ``r`` from every segment outside ``f``, so
    only segments inside a block can touch its hole. The union of the blocks is cheap to buffer
    (a few rings instead of thousands of overlapping segment buffers) and each hole is a single
    erosion, which makes a city-block isochrone an order of magnitude faster than buffering every
    segment. On a big isochrone the partial edges at the frontier (never on a block) are buffered
    on a second thread while the blocks are traced, and joined to the outline at the end. None
    when no block is enclosed, the blocks do not tile the plane, or a hole would hold an island;
    the caller then buffers the segments directly.
    """
    whole_edge = edge[whole]
    # The partial edges at the frontier never bound a block: on a big isochrone their buffer
    # is drawn on a second thread (GEOS runs without the GIL) while the blocks are traced.
    partial = _lines(coords[~whole])
    frontier: Future[shapely.Geometry] | None = None
    if len(partial) >= _PARALLEL_PARTS:
        frontier = _pool().submit(_buffer_merged, partial, radius_m)
    faces = trace_faces(graph.x, graph.y, graph.edge_u[whole_edge], graph.edge_v[whole_edge])
    tiled = block_union(faces.polygons, faces.outer)
    if tiled is None:
        return None
    keep, union = tiled
    blocks = faces.polygons[keep]
    kept_side = np.where(faces.sides >= 0, keep[faces.sides], False)
    on_block = np.zeros(len(coords), dtype=bool)
    on_block[np.flatnonzero(whole)] = kept_side.any(axis=1)
    loose = _lines(coords[whole & ~on_block])  # dead ends, links between blocks
    outline: Future[shapely.Geometry] = Future()
    if frontier is None:
        outline.set_result(_buffer_merged(np.concatenate([loose, partial]), radius_m, union))
    else:
        # joined on the second thread too, while this one erodes the blocks
        blocks_outline = _buffer_merged(loose, radius_m, union)
        done = frontier
        outline = _pool().submit(lambda: shapely.union(blocks_outline, done.result()))
    others = np.concatenate([loose, partial])
    holes = erode(blocks, radius_m)
    holes = holes[~shapely.is_empty(holes)]
    if len(others) and len(holes):
        # Segments inside a block (a dead end into it, a footbridge over it) cut its hole.
        inside, hole = shapely.STRtree(holes).query(
            others, predicate="dwithin", distance=radius_m * (1.0 - 1e-9)
        )
        if len(hole):
            order = np.argsort(hole, kind="stable")
            cut_holes, group = np.unique(hole[order], return_inverse=True)
            cuts = shapely.multilinestrings(others[inside[order]], indices=group)
            holes[cut_holes] = shapely.difference(
                holes[cut_holes], shapely.buffer(cuts, radius_m, quad_segs=QUAD_SEGS)
            )
        if (shapely.get_type_id(holes) != 3).any():  # a cut split a hole in two
            holes = shapely.get_parts(holes)
        holes = holes[~shapely.is_empty(holes)]
    if shapely.get_num_interior_rings(holes).any():
        return None  # an island inside a hole: left to the direct buffer
    parts = shapely.get_parts(outline.result())
    hole_xy, hole_of = shapely.get_coordinates(holes, return_index=True)
    owner = np.zeros(len(holes), dtype=np.int64)
    if len(parts) > 1 and len(holes):
        # which piece holds each hole: the pieces, prepared, test the holes' first points (a
        # point tested against an unprepared piece of thousands of vertices costs thousands)
        first = hole_xy[np.searchsorted(hole_of, np.arange(len(holes)))]
        pts = np.asarray(shapely.points(first), dtype=object)
        part, found = shapely.STRtree(pts).query(parts, predicate="contains")
        owner[:] = -1
        owner[found] = part
        if (owner < 0).any():
            return None
    # each piece from coordinates, in one go: its own rings (outer first), then its block holes
    rings, ring_piece = shapely.get_rings(parts, return_index=True)
    ring_xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    xy = np.concatenate([ring_xy, hole_xy])
    ring_id = np.concatenate([ring_of, hole_of + len(rings)])
    piece = np.concatenate([ring_piece, owner])
    order = np.argsort(piece, kind="stable")  # a piece's own rings stay ahead of its holes
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    by_ring = np.argsort(rank[ring_id], kind="stable")
    ring_geoms = np.asarray(
        shapely.linearrings(xy[by_ring], indices=rank[ring_id][by_ring]), dtype=object
    )
    out = np.asarray(shapely.polygons(ring_geoms, indices=piece[order]), dtype=object)
    return out[0] if len(out) == 1 else cast(Area, shapely.multipolygons(out))


def parts_polygon(
    graph: WalkGraph,
    edge: NDArray[np.int64],
    lo_m: FloatArray,
    hi_m: FloatArray,
    walk_width_m: float,
) -> Area:
    """The isochrone polygon of reachable parts of edges: their band of ``walk_width_m``.

    Parameters
    ----------
    graph
        The walk network.
    edge, lo_m, hi_m
        Non-overlapping intervals ``[lo_m, hi_m]`` along ``edge``, measured from ``edge_u`` (m),
        as :func:`reachable_parts` gives them.
    walk_width_m
        Width of the band drawn along the parts (m).

    Returns
    -------
    Polygon or MultiPolygon
        In the graph's CRS, holes kept; an empty Polygon for no parts.
    """
    if len(edge) == 0:
        return shapely.Polygon()
    coords, whole = _segments(graph, edge, lo_m, hi_m)
    radius = walk_width_m / 2.0
    poly = _face_polygon(graph, edge, coords, whole, radius) if whole.sum() >= 3 else None
    if poly is not None:
        return poly
    direct = _buffer_merged(_lines(coords), radius)
    assert isinstance(direct, shapely.Polygon | shapely.MultiPolygon)
    return direct


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
    return parts_polygon(graph, edge, lo, hi, walk_width_m)


def isochrones_per_source(
    graph: WalkGraph, sources: SnappedPoints, *, cutoff_m: float, walk_width_m: float = 25.0
) -> list[Area]:
    """One isochrone polygon per source (see :func:`isochrone`); empty for unsnapped sources.

    Each source costs one search on the streets near it and one polygon.
    """
    _check(cutoff_m, walk_width_m)
    out: list[Area] = [shapely.Polygon() for _ in range(len(sources))]
    index = np.flatnonzero(sources.ok)
    for i in index:
        one = sources.subset(np.array([i]))
        edge, lo, hi = reachable_parts(graph, one, cutoff_m=cutoff_m)
        out[int(i)] = parts_polygon(graph, edge, lo, hi, walk_width_m)
    logger.debug("built %d isochrones of %g m", len(index), cutoff_m)
    return out
