"""Street blocks: the faces that whole street segments enclose, their union and their erosion.

:mod:`lifecircle.geo.isochrone` draws an isochrone from the street blocks its wholly reachable
edges enclose instead of buffering every segment (see its ``_face_polygon``); this module owns
that block machinery. It works on plain coordinates in metres and numbered nodes, not on the walk
graph:

* :func:`trace_faces`: the bounded faces (blocks) of a set of straight segments, and which
  segments bound them; straight runs of 2-way nodes become one edge (:func:`_straight_runs`).
* :func:`block_union`: which blocks tile the plane without overlap, and their union.
* :func:`erode`: every block shrunk by a distance, with numpy for all blocks at once.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Collinear vertices closer than this to the line through their neighbours are dropped (m).
MERGE_TOLERANCE_M = 0.01
#: Chords per quarter circle in round caps, joins and the rounded corners of block holes.
QUAD_SEGS = 3


def erode(faces: NDArray[np.object_], radius_m: float) -> NDArray[np.object_]:
    """Each face shrunk by ``radius_m``: the points of the face farther than that from its edge.

    The inward offset is built with numpy for all faces at once: a convex corner moves to where
    its two edges, shifted inwards, meet; a reflex corner becomes an arc of radius ``radius_m``
    around it, with as many chords as GEOS would draw (``QUAD_SEGS`` per quarter circle). The
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
    n_arc = np.where(convex, 0, np.maximum(1, np.rint(np.abs(sweep) / (np.pi / 2 / QUAD_SEGS))))
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
        out[slow] = shapely.buffer(faces[slow], -radius_m, quad_segs=QUAD_SEGS)
    return out


class Faces:
    """The street blocks enclosed by whole reachable edges (see :func:`trace_faces`)."""

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


def trace_faces(x: FloatArray, y: FloatArray, a: NDArray[np.int64], b: NDArray[np.int64]) -> Faces:
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
    Faces
        Counter-clockwise block polygons, and which segments lie on their boundaries.
    """
    n = len(a)
    sides = np.full((n, 2), -1, dtype=np.int64)
    empty = Faces(np.empty(0, dtype=object), sides)
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
    keep = _straight_runs(pts, vert, ring_id, degree[vert] != 2, MERGE_TOLERANCE_M)
    vert, ring_id = vert[keep], ring_id[keep]
    left = np.bincount(ring_id, minlength=len(leads))
    if (left < 3).any():  # two straight runs between the same two junctions: no block between
        ok = left >= 3
        renum = np.cumsum(ok) - 1
        sides = np.where((sides >= 0) & ok[np.maximum(sides, 0)], renum[np.maximum(sides, 0)], -1)
        sel = ok[ring_id]
        vert, ring_id = vert[sel], renum[ring_id[sel]]
    if len(vert) == 0:
        return Faces(np.empty(0, dtype=object), np.full((n, 2), -1, dtype=np.int64), outer)
    ring_xy = pts[vert]
    closing = np.flatnonzero(np.diff(np.append(ring_id, -1)) != 0)  # last vertex of each ring
    first_v = np.concatenate([[0], closing[:-1] + 1])
    ring_xy = np.insert(ring_xy, closing + 1, ring_xy[first_v], axis=0)
    ring_id = np.insert(ring_id, closing + 1, ring_id[closing])
    polygons = shapely.polygons(shapely.linearrings(ring_xy, indices=ring_id))
    return Faces(np.asarray(polygons, dtype=object), sides, outer)


def block_union(
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
