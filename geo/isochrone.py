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
The access legs themselves (point → street) are not drawn.
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
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from lifecircle.geo.network import WalkGraph
from lifecircle.geo.reach import seed_distances
from lifecircle.geo.snap import SnappedPoints

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]

#: Collinear vertices closer than this to the line through their neighbours are dropped (m).
_MERGE_TOLERANCE_M = 0.01
#: Chords per quarter circle in round caps, joins and the rounded corners of block holes.
_QUAD_SEGS = 3
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


def _merge(ivals: list[tuple[float, float]]) -> list[tuple[float, float]]:
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
    straight = np.hypot(
        graph.x[graph.edge_u] - graph.x[graph.edge_v], graph.y[graph.edge_u] - graph.y[graph.edge_v]
    )
    metric = bool(np.all(graph.edge_length_m >= straight * (1.0 - 1e-9)))
    tree = cKDTree(np.column_stack([graph.x, graph.y])) if metric else None
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


def _erode(faces: NDArray[np.object_], radius_m: float) -> NDArray[np.object_]:
    """Each face shrunk by ``radius_m``: the points of the face farther than that from its edge.

    The inward offset is built with numpy for all faces at once: a convex corner moves to where
    its two edges, shifted inwards, meet; a reflex corner becomes an arc of radius ``radius_m``
    around it, with as many chords as GEOS would draw (``_QUAD_SEGS`` per quarter circle). The
    result is exact (up to those chords) while no edge vanishes and the offset ring does not cross
    itself; faces where that fails (a narrow neck, an edge shorter than the offset allows) and
    faces with holes go to GEOS.

    Parameters
    ----------
    faces
        Polygons (m).
    radius_m
        Erosion distance (m).

    Returns
    -------
    numpy.ndarray
        One Polygon or MultiPolygon per face, possibly empty.
    """
    out = np.empty(len(faces), dtype=object)
    coords, ring = shapely.get_coordinates(faces, return_index=True)
    counts = np.bincount(ring, minlength=len(faces))
    # Drop each ring's closing vertex; link every vertex to the next and previous one.
    keep = np.ones(len(coords), dtype=bool)
    keep[np.cumsum(counts) - 1] = False
    p = coords[keep]
    idx = ring[keep]
    n = counts - 1
    first = np.concatenate([[0], np.cumsum(n)[:-1]])
    nxt = np.arange(len(p)) + 1
    last = first + n - 1
    nxt[last] = first
    prv = np.arange(len(p)) - 1
    prv[first] = last
    d = p[nxt] - p
    seg = np.hypot(d[:, 0], d[:, 1])
    twice_area = np.bincount(idx, p[:, 0] * p[nxt, 1] - p[nxt, 0] * p[:, 1], minlength=len(faces))
    side = np.where(twice_area > 0, 1.0, -1.0)[idx]  # +1: counter-clockwise, interior on the left
    with np.errstate(divide="ignore", invalid="ignore"):
        t = d / seg[:, None]
        n_in = side[:, None] * np.column_stack([-t[:, 1], t[:, 0]])  # inward unit normal
        n_prev = n_in[prv]
        turn = side * (d[prv, 0] * d[:, 1] - d[prv, 1] * d[:, 0])  # ≥ 0 at a convex corner
        cos = np.einsum("ij,ij->i", n_prev, n_in)
        # A corner bent outwards by less than 1e-3 rad is taken as straight: its arc would lie
        # within radius_m · 1e-6 / 8 of the corner point.
        tol = 1e-3 * seg * seg[prv]
        convex = turn >= -tol
        miter = p + radius_m * (n_prev + n_in) / (1.0 + cos)[:, None]
    # A reflex corner: an arc from n_prev to n_in in n_arc + 1 points.
    sweep = np.arctan2(n_prev[:, 0] * n_in[:, 1] - n_prev[:, 1] * n_in[:, 0], cos)
    n_arc = np.where(convex, 0, np.maximum(1, np.rint(np.abs(sweep) / (np.pi / 2 / _QUAD_SEGS))))
    n_arc = n_arc.astype(np.int64)
    per = n_arc + 1
    vert = np.repeat(np.arange(len(p)), per)
    step = np.arange(len(vert)) - np.repeat(np.cumsum(per) - per, per)
    phi = np.arctan2(n_prev[vert, 1], n_prev[vert, 0]) + sweep[vert] * step / np.maximum(
        n_arc[vert], 1
    )
    q = np.where(
        convex[vert][:, None],
        miter[vert],
        p[vert] + radius_m * np.column_stack([np.cos(phi), np.sin(phi)]),
    )
    # Each straight piece of the offset must run the same way as its edge.
    end = np.cumsum(per) - 1  # last point of each corner
    begin = np.cumsum(per) - per  # first point of each corner
    forward = np.einsum("ij,ij->i", q[begin[nxt]] - q[end], d) > 0
    good = (seg > 0) & (1.0 + cos > 1e-6) & forward
    ok = np.bincount(idx, ~good, minlength=len(faces)) == 0
    ok &= n >= 3
    bent = np.bincount(idx, ~convex, minlength=len(faces)) > 0
    fast = np.flatnonzero(ok)
    if len(fast):
        sel = ok[idx[vert]]
        qq = q[sel]
        rid = np.searchsorted(fast, idx[vert][sel])
        starts = np.flatnonzero(np.diff(np.concatenate([[-1], rid])) != 0)
        ends = np.append(starts[1:], len(qq))
        closed = np.insert(qq, ends, qq[starts], axis=0)
        cid = np.insert(rid, ends, np.arange(len(fast)))
        polys = shapely.polygons(shapely.linearrings(closed, indices=cid))
        # With a reflex corner the offset ring may still cross itself (a narrow neck).
        check = bent[fast]
        if check.any():
            crossed = np.zeros(len(fast), dtype=bool)
            crossed[check] = ~shapely.is_valid(polys[check])
            ok[fast[crossed]] = False
            polys, fast = polys[~crossed], fast[~crossed]
        out[fast] = polys
    slow = np.flatnonzero(~ok)
    if len(slow):
        out[slow] = shapely.buffer(faces[slow], -radius_m, quad_segs=_QUAD_SEGS)
    return out


class _Faces:
    """The street blocks enclosed by whole reachable edges (see :func:`_trace_faces`)."""

    def __init__(
        self,
        polygons: NDArray[np.object_],
        sides: NDArray[np.int64],
        outer: FloatArray | None = None,
    ) -> None:
        self.polygons = polygons  # one simple Polygon per block
        self.sides = sides  # per input segment: the blocks on its two sides (-1: none)
        # one node on the outline of each connected piece of street (m), shape (k, 2)
        self.outer = np.empty((0, 2)) if outer is None else outer


def _cycles(succ: NDArray[np.int64]) -> NDArray[np.int64]:
    """Label each element of a permutation by the smallest element of its cycle."""
    label = np.arange(len(succ))
    jump = succ.copy()
    span = 1
    while span < len(succ):
        np.minimum(label, label[jump], out=label)
        jump = jump[jump]
        span *= 2
    return label


def _straight_runs(
    pts: FloatArray,
    vert: NDArray[np.int64],
    ring: NDArray[np.int64],
    anchor: NDArray[np.bool_],
    tol_m: float,
) -> NDArray[np.bool_]:
    """Which ring vertices to keep when each straight run between junctions becomes one edge.

    Rings are given vertex by vertex (``vert``, sorted by ``ring``, in walking order). A run is the
    stretch between two consecutive anchors (junctions) of a ring; it is replaced by the segment
    between its anchors when every vertex of it lies within ``tol_m`` of that segment, and kept
    whole otherwise. The decision depends on the run alone (not on its direction or on the ring),
    so the two blocks on either side of a street thin it the same way and still fit together.
    Rings without anchors are kept whole.
    """
    n = len(vert)
    if anchor.all():
        return np.ones(n, dtype=bool)
    pos = np.arange(n)
    starts = np.flatnonzero(np.diff(np.concatenate([[-1], ring])) != 0)
    sizes = np.diff(np.append(starts, n))
    ring_start = np.repeat(starts, sizes)
    ring_end = np.repeat(starts + sizes - 1, sizes)
    # The anchor at or before / at or after each vertex within its ring (odd/even tagging keeps
    # an earlier or later ring's anchors out of reach), wrapping around the ring's end.
    before = np.maximum.accumulate(np.where(anchor, 2 * pos + 1, 2 * ring_start))
    after = np.minimum.accumulate(np.where(anchor, 2 * pos, 2 * ring_end + 1)[::-1])[::-1]
    prev_a = np.where(before % 2 == 1, (before - 1) // 2, -1)
    next_a = np.where(after % 2 == 0, after // 2, -1)
    prev_a = np.where(prev_a >= 0, prev_a, prev_a[ring_end])
    next_a = np.where(next_a >= 0, next_a, next_a[ring_start])
    inner = ~anchor & (prev_a >= 0)
    a = pts[vert[np.maximum(prev_a, 0)]]
    ab = pts[vert[np.maximum(next_a, 0)]] - a
    ap = pts[vert] - a
    l2 = np.einsum("ij,ij->i", ab, ab)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip(np.where(l2 > 0, np.einsum("ij,ij->i", ap, ab) / l2, 0.0), 0.0, 1.0)
    off = np.hypot(*(ap - t[:, None] * ab).T)
    worst = np.zeros(n)
    np.maximum.at(worst, prev_a[inner], off[inner])
    return ~inner | (worst[np.maximum(prev_a, 0)] >= tol_m)


def _trace_faces(
    x: FloatArray, y: FloatArray, a: NDArray[np.int64], b: NDArray[np.int64]
) -> _Faces:
    """The bounded faces of a set of straight segments between numbered nodes.

    Half-edges are sorted by angle around each node; the face to the left of ``a → b`` continues
    with the half-edge leaving ``b`` next clockwise from ``b → a``. Edges with the same face on
    both sides (dead ends, links between blocks) are removed and the faces traced again, so every
    face is bounded by a closed walk; walks that pass a node twice are dropped.

    Parameters
    ----------
    x, y
        Node coordinates (m).
    a, b
        End nodes of each segment.

    Returns
    -------
    _Faces
        Counter-clockwise block polygons, and which segments lie on their boundaries.
    """
    n = len(a)
    sides = np.full((n, 2), -1, dtype=np.int64)
    empty = _Faces(np.empty(0, dtype=object), sides)
    if n < 3:
        return empty
    used, node = np.unique(np.concatenate([a, b]), return_inverse=True)
    pts = np.column_stack([x[used], y[used]])
    a, b = node[:n], node[n:]
    seg = np.flatnonzero(a != b)  # a loop on one node bounds nothing (graph edges are unique)
    px = pts[:, 0] - pts[:, 0].mean()  # centred: the cross products below stay exact enough
    py = pts[:, 1] - pts[:, 1].mean()
    if len(seg) < 3:
        return empty
    tail = np.stack([a[seg], b[seg]], axis=1).ravel()  # half-edge 2i: a→b, 2i+1: b→a
    head = np.stack([b[seg], a[seg]], axis=1).ravel()
    # Around each node by angle: one sort of node + angle / 8 (the angle spans < 2π < 8).
    angle = np.arctan2(py[head] - py[tail], px[head] - px[tail])
    order = np.argsort(tail + (angle + np.pi) / 8.0)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    degree = np.bincount(tail, minlength=len(pts))
    start = np.concatenate([[0], np.cumsum(degree)[:-1]])
    twin = np.arange(len(tail)) ^ 1
    r = rank[twin] - start[head]
    succ = order[start[head] + (r - 1) % degree[head]]
    label = _cycles(succ)
    bridge = label[0::2] == label[1::2]
    if bridge.any():
        # Take the bridges out of the rotation: a walk that turned into one now turns into the
        # next street clockwise at that node, i.e. where the bridge's own return would go.
        gone = np.repeat(bridge, 2)
        nxt = succ.copy()
        hit = np.flatnonzero(~gone & gone[nxt])
        while len(hit):
            nxt[hit] = succ[nxt[hit] ^ 1]
            hit = hit[gone[nxt[hit]]]
        stay = np.flatnonzero(~gone)
        renum = np.cumsum(~gone) - 1
        succ = renum[nxt[stay]]
        tail, head = tail[stay], head[stay]
        seg = seg[~bridge]
        if len(seg) < 3:
            return empty
        degree = np.bincount(tail, minlength=len(pts))
        label = _cycles(succ)
    cross = px[tail] * py[head] - px[head] * py[tail]
    area2 = np.bincount(label, cross, minlength=len(tail))
    length = np.bincount(label, minlength=len(tail))
    # Walks that pass one place twice (a node, or two nodes at one position) bound no block.
    by_xy = np.lexsort((pts[:, 1], pts[:, 0]))
    moved = np.any(np.diff(pts[by_xy], axis=0) != 0, axis=1)
    place = np.empty(len(pts), dtype=np.int64)
    place[by_xy] = np.concatenate([[0], np.cumsum(moved)])
    visit, count = np.unique(label * len(pts) + place[tail], return_counts=True)
    repeat = np.zeros(len(tail), dtype=bool)
    repeat[visit[count > 1] // len(pts)] = True
    usable = (area2 > 0) & (length >= 3) & ~repeat
    outer_walks = np.flatnonzero((area2 < 0) & (np.arange(len(tail)) == label))
    outer = pts[tail[outer_walks]]  # a node on each piece's outline (its walk's first)
    face_of = np.where(usable[label], label, -1)
    half = np.flatnonzero(face_of >= 0)
    leads = np.unique(label[half])  # block k is the walk led by half-edge leads[k]
    block = np.where(face_of >= 0, np.searchsorted(leads, face_of), -1)
    sides[seg] = block.reshape(-1, 2)
    # Order each face's half-edges along its walk: rank them by steps to the walk's last one.
    succ_f = succ[half]
    pos = np.full(len(tail), -1)
    pos[half] = np.arange(len(half))
    nxt = pos[succ_f]
    lead = label[half]
    last = succ_f == lead  # the half-edge whose successor is the walk's smallest one
    nxt = np.where(last, np.arange(len(half)), nxt)
    steps = np.where(last, 0, 1)
    span = 1
    while span < len(half):
        steps = steps + steps[nxt]
        nxt = nxt[nxt]
        span *= 2
    walk = np.argsort(lead * len(half) + (len(half) - steps))
    vert = tail[half[walk]]
    ring_id = np.searchsorted(leads, lead[walk])
    # Straight runs of 2-way nodes (a street drawn with a node every few metres) become one edge.
    keep = _straight_runs(pts, vert, ring_id, degree[vert] != 2, _MERGE_TOLERANCE_M)
    vert, ring_id = vert[keep], ring_id[keep]
    left = np.bincount(ring_id, minlength=len(leads))
    if (left < 3).any():  # two straight runs between the same two junctions: no block between
        ok = left >= 3
        renum = np.cumsum(ok) - 1
        sides = np.where((sides >= 0) & ok[np.maximum(sides, 0)], renum[np.maximum(sides, 0)], -1)
        sel = ok[ring_id]
        vert, ring_id = vert[sel], renum[ring_id[sel]]
    if len(vert) == 0:
        return _Faces(np.empty(0, dtype=object), np.full((n, 2), -1, dtype=np.int64), outer)
    ring_xy = pts[vert]
    closing = np.flatnonzero(np.diff(np.append(ring_id, -1)) != 0)  # last vertex of each ring
    first_v = np.concatenate([[0], closing[:-1] + 1])
    ring_xy = np.insert(ring_xy, closing + 1, ring_xy[first_v], axis=0)
    ring_id = np.insert(ring_id, closing + 1, ring_id[closing])
    polygons = shapely.polygons(shapely.linearrings(ring_xy, indices=ring_id))
    return _Faces(np.asarray(polygons, dtype=object), sides, outer)


def _block_union(
    faces: NDArray[np.object_], outer: FloatArray
) -> tuple[NDArray[np.bool_], shapely.Geometry] | None:
    """Which blocks tile the plane without overlap, and their union.

    A loop of streets inside a block, joined to it by a single street (the inner ring of a
    compound), makes a piece of its own inside that block; a block's outline crosses itself where
    two nodes share one position; blocks overlap when streets cross without a shared node (a
    footbridge). Such blocks are dropped, cheapest test first (their streets are then buffered as
    lines): invalid blocks and blocks holding another piece's outline (``outer``: one node per
    piece), then blocks with another block's corner inside, then every overlapping block. None
    when the blocks still do not tile.
    """
    keep = np.ones(len(faces), dtype=bool)
    for attempt in range(4):
        if not keep.any():
            return None
        kept = faces[keep]
        try:
            union = shapely.coverage_union_all(kept)
        except shapely.errors.GEOSException:
            union = None
        total = float(shapely.area(kept).sum())
        # Blocks that overlap or nest do not add up, or their "union" is not a valid polygon.
        if union is not None and abs(union.area - total) <= 1e-9 * total and union.is_valid:
            return keep, union
        if attempt == 3:
            return None
        idx = np.flatnonzero(keep)
        tree = shapely.STRtree(kept)
        bad = np.zeros(len(kept), dtype=bool)
        if attempt == 0:
            bad = ~shapely.is_valid(kept)
            bad[tree.query(shapely.points(outer), predicate="within")[1]] = True
        elif attempt == 1:
            corners = shapely.points(shapely.get_coordinates(kept))
            bad[tree.query(corners, predicate="within")[1]] = True
        else:
            i, j = tree.query(kept, predicate="overlaps")
            k, m = tree.query(kept, predicate="contains")
            bad[i] = bad[j] = True
            bad[k[k != m]] = True
        keep[idx[bad]] = False
    return None


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
    """
    parts = [] if polygon is None else [polygon]
    if len(lines):
        parts.append(shapely.simplify(shapely.line_merge(_multi(lines)), _MERGE_TOLERANCE_M))
    if not parts:
        return shapely.Polygon()
    return shapely.buffer(shapely.geometrycollections(parts), radius_m, quad_segs=_QUAD_SEGS)


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
    faces = _trace_faces(graph.x, graph.y, graph.edge_u[whole_edge], graph.edge_v[whole_edge])
    tiled = _block_union(faces.polygons, faces.outer)
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
    holes = _erode(blocks, radius_m)
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
                holes[cut_holes], shapely.buffer(cuts, radius_m, quad_segs=_QUAD_SEGS)
            )
        holes = shapely.get_parts(holes)
        holes = holes[~shapely.is_empty(holes)]
    if shapely.get_num_interior_rings(holes).any():
        return None  # an island inside a hole: left to the direct buffer
    parts = shapely.get_parts(outline.result())
    rings = shapely.get_exterior_ring(holes)
    owner = np.zeros(len(rings), dtype=np.int64)
    if len(parts) > 1 and len(rings):
        pts = shapely.get_point(rings, 0)
        found, part = shapely.STRtree(parts).query(pts, predicate="within")
        owner[:] = -1
        owner[found] = part
        if (owner < 0).any():
            return None
    out = []
    for k, piece in enumerate(parts):
        inner = shapely.get_interior_ring(piece, np.arange(shapely.get_num_interior_rings(piece)))
        inner = np.concatenate([inner, rings[owner == k]])
        out.append(shapely.polygons(shapely.get_exterior_ring(piece), holes=inner))
    return out[0] if len(out) == 1 else shapely.multipolygons(out)


def _polygon(
    graph: WalkGraph,
    edge: NDArray[np.int64],
    lo_m: FloatArray,
    hi_m: FloatArray,
    walk_width_m: float,
) -> Area:
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
    return _polygon(graph, edge, lo, hi, walk_width_m)


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
        out[int(i)] = _polygon(graph, edge, lo, hi, walk_width_m)
    logger.debug("built %d isochrones of %g m", len(index), cutoff_m)
    return out
