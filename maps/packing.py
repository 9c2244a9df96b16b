"""Compact geometry for the map page: simplified to the display scale, quantised, varint-packed.

The map draws its layers from packed integer streams instead of GeoJSON text: coordinates are
rounded to a grid of ``quantum_deg`` degrees, written as differences from the previous point,
zig-zag encoded as variable-length integers (7 bits a byte) and the bytes as base64. A street
vertex then takes about two bytes instead of some twenty characters of GeoJSON. The page's
script (``static/lcmap.js``, :func:`lifecircle.maps.runtime`) decodes them.

How coarse the page may be is set once per map by :class:`DisplayScale`: outlines and lines are
simplified by at most ``0.75 × tolerance_m`` and coordinates rounded to a grid of at most
``tolerance_m / 4`` per axis, so a drawn outline lies within ``tolerance_m`` of the exact one
(``0.75 + √2 / 8 < 1``). The tolerance is the map's diagonal / 8000: about 4 m for a county seat
of 22 km × 22 km, a quarter of a screen pixel when the whole county is in view and about two
pixels at zoom 16, where one street block fills the screen.

Stream layouts (all integers, one stream per layer):

* points: per feature ``dx dy``;
* lines: per feature ``n_parts``, per part ``n_points`` and the points;
* polygons: per feature ``n_parts``, per part ``n_rings``, per ring ``n_points`` (the closing
  point left out) and the points.

Points continue from the previous point of the stream, starting at the grid's origin.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
from numpy.typing import NDArray

#: Metres per degree of latitude (and of longitude at the equator), for the display scale only.
M_PER_DEG = 111_320.0
#: The display tolerance is the map's diagonal divided by this.
DIAGONAL_PER_TOLERANCE = 8000.0

Kind = Literal["points", "lines", "polygons"]


@dataclass(frozen=True)
class DisplayScale:
    """How finely a map draws: the tolerance, the coordinate grid and its origin.

    Attributes
    ----------
    tolerance_m
        Largest distance (m) between a drawn vertex and the exact geometry.
    quantum_deg
        Size of the coordinate grid in degrees (both axes): ``tolerance_m / 4`` in latitude.
    x0, y0
        The grid's origin (degrees of longitude and latitude), a multiple of ``quantum_deg``.
    """

    tolerance_m: float
    quantum_deg: float
    x0: float
    y0: float

    @classmethod
    def for_bounds(cls, bounds: tuple[float, float, float, float] | None) -> DisplayScale:
        """The scale of a map showing ``bounds`` (lon/lat box): tolerance = diagonal / 8000.

        Examples
        --------
        >>> s = DisplayScale.for_bounds((108.0, 30.5, 108.2, 30.7))
        >>> round(s.tolerance_m, 1)
        3.7
        """
        if bounds is None:
            return cls(1.0, 1e-6, 0.0, 0.0)
        lat0 = math.radians((bounds[1] + bounds[3]) / 2.0)
        dx = (bounds[2] - bounds[0]) * M_PER_DEG * math.cos(lat0)
        dy = (bounds[3] - bounds[1]) * M_PER_DEG
        tolerance_m = max(math.hypot(dx, dy) / DIAGONAL_PER_TOLERANCE, 0.05)
        # a round number of degrees (1, 2 or 5 × 10^k) no larger than a quarter of the tolerance
        target = tolerance_m / 4.0 / M_PER_DEG
        exp = math.floor(math.log10(target))
        mantissa = max(m for m in (1, 2, 5) if m * 10.0**exp <= target)
        quantum = float(f"{mantissa}e{exp}")
        x0 = round(math.floor(bounds[0] / quantum) * quantum, 9)
        y0 = round(math.floor(bounds[1] / quantum) * quantum, 9)
        return cls(tolerance_m, quantum, x0, y0)

    @property
    def simplify_deg(self) -> float:
        """The simplification tolerance in degrees (``0.75 × tolerance_m``, in latitude)."""
        return 0.75 * self.tolerance_m / M_PER_DEG

    def spec(self) -> dict[str, float]:
        """The grid as the page's script reads it."""
        return {"q": self.quantum_deg, "x0": self.x0, "y0": self.y0}

    def grid(self, xy: NDArray[np.float64]) -> NDArray[np.int64]:
        """Lon/lat coordinates ``(n, 2)`` as integer grid positions."""
        origin = np.array([self.x0, self.y0])
        return np.rint((xy - origin) / self.quantum_deg).astype(np.int64)

    def degrees(self, cells: NDArray[np.int64]) -> NDArray[np.float64]:
        """Integer grid positions back to lon/lat (what the page draws)."""
        return np.asarray(cells, dtype=np.float64) * self.quantum_deg + np.array([self.x0, self.y0])


def varints(values: NDArray[np.int64]) -> bytes:
    """Zig-zag variable-length integers (7 bits a byte, high bit = more), as the page decodes.

    Examples
    --------
    >>> varints(np.array([0, -1, 1, 64])).hex()
    '0001028001'
    """
    v = np.asarray(values, dtype=np.int64)
    if len(v) and np.abs(v).max() >= 2**30:
        raise ValueError("packed integers must stay within ±2^30 (the page decodes 32-bit)")
    z = ((v << 1) ^ (v >> 63)).astype(np.uint64)
    n_bytes = np.ones(len(z), dtype=np.int64)
    for k in range(1, 5):
        n_bytes += z >= np.uint64(1 << (7 * k))
    end = np.cumsum(n_bytes)
    out = np.zeros(int(end[-1]) if len(end) else 0, dtype=np.uint8)
    start = end - n_bytes
    for k in range(5):
        has = n_bytes > k
        byte = (z[has] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (n_bytes[has] > k + 1).astype(np.uint64) << np.uint64(7)
        out[start[has] + k] = (byte | more).astype(np.uint8)
    return out.tobytes()


def pack_ints(values: NDArray[np.int64]) -> str:
    """:func:`varints` as base64 text."""
    return base64.b64encode(varints(values)).decode("ascii")


def unpack_ints(text: str) -> NDArray[np.int64]:
    """The inverse of :func:`pack_ints` (what the page's ``LC.ints`` computes), for tests."""
    data = np.frombuffer(base64.b64decode(text), dtype=np.uint8).astype(np.int64)
    last = np.flatnonzero(data < 0x80)
    out = np.zeros(len(last), dtype=np.int64)
    first = np.concatenate([[0], last[:-1] + 1])
    for k in range(5):
        pos = first + k
        use = pos <= last
        out[use] |= (data[pos[use]] & 0x7F) << (7 * k)
    return (out >> 1) ^ -(out & 1)


def _ring_order(first_xy: NDArray[np.float64], part: NDArray[np.int64], outer: NDArray[np.bool_]):
    """An order of rings that keeps each part's outer ring first and walks its holes row by row.

    Consecutive rings then start close together, so the jumps between them pack short.
    """
    band = np.floor(first_xy[:, 1] / 0.002)  # rows of about 200 m
    return np.lexsort((first_xy[:, 0], band, ~outer, part))


def _gather(xy: NDArray[np.float64], counts: NDArray[np.int64], order: NDArray[np.int64]):
    """The coordinates of runs ``order`` (runs of ``counts`` points, stored one after another)."""
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    n = counts[order]
    idx = np.repeat(start[order] - np.cumsum(n) + n, n) + np.arange(int(n.sum()))
    return xy[idx]


def chain_lines(lines: NDArray[np.object_], scale: DisplayScale) -> NDArray[np.object_]:
    """Lines joined end to end through junctions into long polylines, for drawing only.

    At each junction the line ends, in the order of their directions, are paired with the end
    half a turn further round (at a crossing of two straight streets, the end opposite; at a T
    junction the two ends most nearly opposite); the pairs link the lines into paths and loops.
    Every line is drawn once, and a street of a hundred blocks becomes one polyline instead of a
    hundred, so the page stores one jump between lines instead of a hundred.
    """
    lines = np.asarray(lines, dtype=object)
    if len(lines) < 2:
        return lines
    xy, line = shapely.get_coordinates(lines, return_index=True)
    counts = np.bincount(line, minlength=len(lines))
    keep = counts >= 2
    if not keep.all():
        lines = lines[keep]
        xy, line = shapely.get_coordinates(lines, return_index=True)
        counts = np.bincount(line, minlength=len(lines))
    n = len(lines)
    last = np.cumsum(counts) - 1
    first = last - counts + 1
    # end 2k: the start of line k, end 2k + 1: its end; the direction each end leaves in
    end_xy = np.empty((2 * n, 2))
    end_xy[0::2], end_xy[1::2] = xy[first], xy[last]
    nxt = np.empty((2 * n, 2))
    nxt[0::2], nxt[1::2] = xy[first + 1], xy[last - 1]
    angle = np.arctan2(nxt[:, 1] - end_xy[:, 1], nxt[:, 0] - end_xy[:, 0])
    node = np.unique(scale.grid(end_xy) @ np.array([1, 1 << 31]), return_inverse=True)[1]
    order = np.lexsort((angle, node))
    node_s = node[order]
    start = np.flatnonzero(np.diff(np.concatenate([[-1], node_s])) != 0)
    degree = np.diff(np.append(start, len(order)))
    rank = np.arange(len(order)) - np.repeat(start, degree)
    # pair end ``r`` with end ``r + d // 2`` around the node (opposite when streets are
    # straight; an odd one out is the last); at a T junction, the two ends most nearly opposite
    even = degree - degree % 2
    half = np.repeat(even // 2, degree)
    has = (rank < half) & (degree != 3)[np.repeat(np.arange(len(start)), degree)]
    mate = np.full(2 * n, -1)
    a = order[has]
    b = order[np.flatnonzero(has) + half[has]]
    t = start[degree == 3]
    if len(t):
        ang = angle[order[t[:, None] + np.arange(3)]]
        pairs = np.array([[0, 1], [1, 2], [0, 2]])
        cost = np.abs(ang[:, pairs[:, 1]] - ang[:, pairs[:, 0]] - np.pi)
        best = pairs[np.argmin(cost, axis=1)]
        a = np.concatenate([a, order[t + best[:, 0]]])
        b = np.concatenate([b, order[t + best[:, 1]]])
    mate[a], mate[b] = b, a
    out: list[object] = []
    seen = np.zeros(n, dtype=bool)
    mate_l = mate.tolist()

    def walk(k: int, from_start: bool) -> list[tuple[int, bool]]:
        """Lines from line k onwards, each with whether it is walked forwards."""
        path = []
        while True:
            seen[k] = True
            path.append((k, from_start))
            m = mate_l[2 * k + (1 if from_start else 0)]  # the far end's mate
            if m < 0 or seen[m // 2]:
                return path
            k, from_start = m // 2, m % 2 == 0

    # open paths first (from a line end without a mate), then the loops
    starts = [e for e in range(2 * n) if mate_l[e] < 0]
    for e in [*starts, *range(0, 2 * n, 2)]:
        if seen[e // 2]:
            continue
        path = walk(e // 2, e % 2 == 0)
        pieces: list[NDArray[np.float64]] = []
        for k, forward in path:
            c = xy[first[k] : last[k] + 1]
            c = c if forward else c[::-1]
            pieces.append(c if not pieces else c[1:])
        out.append(shapely.linestrings(np.concatenate(pieces)))
    return np.asarray(out, dtype=object)


def _structure(
    geoms: NDArray[np.object_], kind: Kind, scale: DisplayScale
) -> tuple[list[NDArray[np.int64]], NDArray[np.float64]]:
    """The counts that give the stream its shape, and the points they count, in order.

    Lines are simplified as lines and polygons ring by ring (Douglas–Peucker, which never
    moves a kept vertex); holes smaller than the tolerance are dropped.
    """
    if kind == "points":
        return [], shapely.get_coordinates(geoms).reshape(-1, 2)
    parts, owner = shapely.get_parts(geoms, return_index=True)
    tol = scale.simplify_deg
    if kind == "lines":
        parts = shapely.simplify(parts, tol, preserve_topology=False)
        xy, line = shapely.get_coordinates(parts, return_index=True)
        n_pts = np.bincount(line, minlength=len(parts))
        keep = n_pts >= 2
        n_parts = np.bincount(owner[keep], minlength=len(geoms))
        return [n_parts, n_pts[keep]], xy[keep[line]]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    outer = np.ones(len(rings), dtype=bool)
    outer[1:] = ring_part[1:] != ring_part[:-1]
    rings = shapely.simplify(rings, tol, preserve_topology=False)
    box = shapely.bounds(rings)
    extent = np.hypot(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1])
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    n_coords = np.bincount(ring, minlength=len(rings))
    # the closing point is left out; rings of fewer than three points, holes smaller than the
    # tolerance, and parts whose outer ring is gone are dropped
    good = (n_coords >= 4) & (outer | (extent >= scale.tolerance_m / M_PER_DEG))
    part_ok = np.zeros(len(parts), dtype=bool)
    part_ok[ring_part[outer & good]] = True
    keep_ring = good & part_ok[ring_part]
    last = np.zeros(len(xy), dtype=bool)
    last[np.cumsum(n_coords)[n_coords > 0] - 1] = True
    xy = xy[~last]
    n_open = np.maximum(n_coords - 1, 0)
    kept = np.flatnonzero(keep_ring)
    first_xy = xy[np.concatenate([[0], np.cumsum(n_open)[:-1]])[kept]]
    kept = kept[_ring_order(first_xy, ring_part[kept], outer[kept])]
    xy = _gather(xy, n_open, kept)
    n_rings = np.bincount(ring_part[keep_ring], minlength=len(parts))
    n_parts = np.bincount(owner[part_ok], minlength=len(geoms))
    return [n_parts, n_rings[part_ok], n_open[kept]], xy


def encode(geoms: NDArray[np.object_], kind: Kind, scale: DisplayScale) -> dict[str, str]:
    """Simplify and pack geometries (lon/lat) into two base64 integer streams.

    Parameters
    ----------
    geoms
        Points, (multi)lines or (multi)polygons, one kind per call.
    kind
        ``"points"``, ``"lines"`` or ``"polygons"``.
    scale
        The map's display scale: simplification tolerance, grid and origin.

    Returns
    -------
    dict
        ``{"s": structure, "c": coordinates}``, both base64 (see the module docstring): the
        structure stream holds the counts feature by feature, the coordinate stream the points as
        grid differences, ``dx dy`` after ``dx dy``.
    """
    counts, xy = _structure(np.asarray(geoms, dtype=object), kind, scale)
    structure = _interleave(counts, kind, len(geoms))
    cells = scale.grid(xy) if len(xy) else np.zeros((0, 2), dtype=np.int64)
    deltas = np.diff(cells, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    return {"s": pack_ints(structure), "c": pack_ints(deltas)}


def decode(
    packed: dict[str, str], kind: Kind, n: int, scale: DisplayScale
) -> list[shapely.Geometry]:
    """The geometries the page draws from a packed stream (as the page's ``LC`` reads it).

    For tests and checks: points, MultiLineStrings or MultiPolygons in lon/lat.
    """
    counts = iter(unpack_ints(packed["s"]).tolist())
    xy = scale.degrees(np.cumsum(unpack_ints(packed["c"]).reshape(-1, 2), axis=0))
    pos = 0

    def run(k: int) -> NDArray[np.float64]:
        nonlocal pos
        pos += k
        return xy[pos - k : pos]

    out: list[object] = []
    for _ in range(n):
        if kind == "points":
            out.append(shapely.points(run(1)[0]))
            continue
        n_parts = next(counts)
        if kind == "lines":
            out.append(shapely.multilinestrings([run(next(counts)) for _ in range(n_parts)]))
            continue
        polys = []
        for _ in range(n_parts):
            rings = [run(next(counts)) for _ in range(next(counts))]
            polys.append(shapely.Polygon(rings[0], rings[1:]))
        out.append(shapely.MultiPolygon(polys))
    return out  # type: ignore[return-value]


def _interleave(counts: list[NDArray[np.int64]], kind: Kind, n_features: int) -> NDArray[np.int64]:
    """The structure stream in reading order: each count followed by the counts it holds."""
    if kind == "points":
        return np.zeros(0, dtype=np.int64)
    if kind == "lines":
        n_parts, n_pts = counts
        # feature f: n_parts[f], then its parts' point counts
        pos = np.arange(n_features) + np.concatenate([[0], np.cumsum(n_parts)[:-1]])
        out = np.empty(n_features + len(n_pts), dtype=np.int64)
        is_head = np.zeros(len(out), dtype=bool)
        is_head[pos] = True
        out[pos] = n_parts
        out[~is_head] = n_pts
        return out
    n_parts, n_rings, n_pts = counts
    # part p: n_rings[p], then its rings' point counts
    part_block = 1 + n_rings
    part_pos = np.concatenate([[0], np.cumsum(part_block)[:-1]])
    part_stream = np.empty(int(part_block.sum()), dtype=np.int64)
    is_head = np.zeros(len(part_stream), dtype=bool)
    is_head[part_pos] = True
    part_stream[part_pos] = n_rings
    part_stream[~is_head] = n_pts
    # feature f: n_parts[f], then its parts' blocks
    owner = np.repeat(np.arange(n_features), n_parts)
    feat_len = np.bincount(owner, weights=part_block, minlength=n_features).astype(np.int64)
    pos = np.arange(n_features) + np.concatenate([[0], np.cumsum(feat_len)[:-1]])
    out = np.empty(n_features + len(part_stream), dtype=np.int64)
    is_feat = np.zeros(len(out), dtype=bool)
    is_feat[pos] = True
    out[pos] = n_parts
    out[~is_feat] = part_stream
    return out
