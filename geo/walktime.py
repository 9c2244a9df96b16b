"""Walking time on the walk network: slope (Tobler's hiking function), steps and walking pace.

Walking time depends on the direction: 300 m up a hillside takes longer than 300 m down it. Every
edge gets two efforts, forward (``edge_u`` → ``edge_v``) and backward, in *flat-equivalent
metres*: the length of flat ground an adult walks in the same time. A walker whose flat-ground
pace is ``speed_mps`` then takes ``effort_m / speed_mps`` seconds, so one shortest-path pass on
efforts serves every walking pace (a group's pace only rescales it).

The model, per edge (:func:`walk_cost`):

* the straight edge is cut into ``k = ceil(length / sample_m)`` equal pieces (at most 25 m by
  default); the elevation at every cut is interpolated bilinearly from the DEM
  (:func:`lifecircle.geo.dem.sample_dem`), and each piece has the constant grade
  ``g = Δh / piece length`` (horizontal length);
* Tobler's hiking function ``v = 6 exp(−3.5 |g + 0.05|)`` km/h, scaled so that flat ground gives
  the walker's pace: ``v(g) / v(0) = exp(−3.5 (|g + 0.05| − 0.05))``, which peaks at 1.19 on a
  5 % downhill and falls to 0.70 on a 10 % uphill; the piece's effort is ``length / (v(g) /
  v(0))``, forward with ``g``, backward with ``−g``;
* on a flight of steps (``WalkGraph.edge_steps``) the effort is multiplied by ``steps_factor``,
  after the slope (with ``slope = "none"`` too);
* an edge with a cut outside the DEM or on a nodata cell is walked as flat ground (and counted in
  ``WalkCost.flat``, for the caller to report).

A point snapped inside an edge at offset ``t`` takes the effort of the part of the edge it walks:
the efforts of the whole pieces before ``t`` plus the share of the piece holding ``t`` (exact in
this model, where the grade is constant within a piece), not a linear share of the whole edge
(:meth:`WalkCost.along`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer

from lifecircle.geo.dem import Dem, sample_dem
from lifecircle.geo.network import WalkGraph
from lifecircle.vocab import SLOPE_MODELS, SlopeModel

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: Tobler's hiking function on flat ground: 6 exp(−3.5 · 0.05) km/h ≈ 5.04 km/h.
TOBLER_FLAT_KMH = 6.0 * float(np.exp(-3.5 * 0.05))


def tobler_ratio(grade: ArrayLike) -> FloatArray:
    """Walking speed on a grade relative to flat ground, by Tobler's hiking function.

    Parameters
    ----------
    grade
        Rise over horizontal run (dh/dx, dimensionless; 0.1 = 10 % uphill, negative downhill).

    Returns
    -------
    ndarray
        ``v(g) / v(0) = exp(−3.5 (|g + 0.05| − 0.05))``: 1 on flat ground, 1.19 at −5 %.

    Examples
    --------
    >>> float(tobler_ratio(0.0)), round(float(tobler_ratio(-0.05)), 4)
    (1.0, 1.1912)
    """
    g = np.asarray(grade, dtype=np.float64)
    return np.asarray(np.exp(-3.5 * (np.abs(g + 0.05) - 0.05)), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class WalkCost:
    """Direction-dependent walking effort of every edge, in flat-equivalent metres.

    Walking time in seconds is ``effort_m / speed_mps`` for a walker whose flat-ground pace is
    ``speed_mps``.

    Attributes
    ----------
    fwd_m, bwd_m
        Effort of walking each whole edge from ``edge_u`` to ``edge_v`` and back (m).
    cut_ptr
        Edge ``e``'s cuts (its ends included) are entries ``cut_ptr[e]:cut_ptr[e + 1]`` of the
        cumulative arrays, equally spaced along the edge from ``edge_u``.
    cum_fwd_m
        At each cut, the effort of walking from ``edge_u`` forward to it (m).
    cum_bwd_m
        At each cut, the effort of walking from it back to ``edge_u`` (m).
    flat
        Per edge: walked as flat ground because it leaves the DEM or touches a nodata cell.
    arc_reverse_m
        Per arc of the graph's CSR (``graph.indices`` order): the effort of walking that arc
        *against* its direction, the weights of the reversed graph on which a search from the
        facilities gives every node its effort *to* the nearest facility.
    sloped
        Whether a DEM and a slope model were applied.
    """

    fwd_m: FloatArray
    bwd_m: FloatArray
    cut_ptr: IntArray
    cum_fwd_m: FloatArray
    cum_bwd_m: FloatArray
    flat: BoolArray
    arc_reverse_m: FloatArray
    sloped: bool

    def along(
        self, graph: WalkGraph, edge: ArrayLike, offset_m: ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """Effort of the part of each edge between ``edge_u`` and a point on it.

        Parameters
        ----------
        graph
            The graph the efforts belong to.
        edge
            Edge index of each point.
        offset_m
            Distance of each point along its edge from ``edge_u`` (m).

        Returns
        -------
        to_point_m, from_point_m
            Effort (flat-equivalent m) of walking from ``edge_u`` forward to the point, and from
            the point back to ``edge_u``. From the point forward to ``edge_v`` it is
            ``fwd_m[edge] − to_point_m``; from ``edge_v`` back to it ``bwd_m[edge] −
            from_point_m``.
        """
        e = np.asarray(edge, dtype=np.int64)
        t = np.asarray(offset_m, dtype=np.float64)
        length = graph.edge_length_m[e]
        k = self.cut_ptr[e + 1] - self.cut_ptr[e] - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            pos = np.where(length > 0, np.clip(t / length, 0.0, 1.0) * k, 0.0)
        j = np.clip(np.floor(pos).astype(np.int64), 0, k - 1)
        frac = pos - j
        b = self.cut_ptr[e] + j
        fwd = self.cum_fwd_m[b] + frac * (self.cum_fwd_m[b + 1] - self.cum_fwd_m[b])
        bwd = self.cum_bwd_m[b] + frac * (self.cum_bwd_m[b + 1] - self.cum_bwd_m[b])
        return fwd, bwd


def walk_cost(
    graph: WalkGraph,
    *,
    dem: Dem | None = None,
    slope: SlopeModel = "tobler",
    steps_factor: float = 2.0,
    sample_m: float = 25.0,
) -> WalkCost:
    """Forward and backward walking effort of every edge (flat-equivalent metres).

    Parameters
    ----------
    graph
        The walk network (metric CRS) with its ``edge_steps``.
    dem
        The elevation model; without one every edge is flat ground.
    slope
        ``"tobler"`` (Tobler's hiking function, scaled to 1 on flat ground) or ``"none"``.
    steps_factor
        Multiplier of the effort on a flight of steps (applied after the slope), ≥ 1 in
        practice.
    sample_m
        Longest piece an edge is cut into for the slope (m).

    Returns
    -------
    WalkCost
        The efforts, per edge and per piece, and the reversed-arc weights.

    Raises
    ------
    ValueError
        If ``slope`` is not a known model, or ``steps_factor`` or ``sample_m`` is not > 0.

    Examples
    --------
    A 100 m edge rising 10 m: uphill (g = 0.1) it takes 100 / exp(−3.5 · 0.1) ≈ 141.9 m of
    flat ground; downhill (g = −0.1, |g + 0.05| = 0.05) exactly as long as flat ground.

    >>> g = WalkGraph.from_edges([0, 100], [0, 0], [0], [1], crs="EPSG:32648")
    >>> dem = Dem(np.array([[0.0, 10.0]]), (100, 0, -50, 0, -1, 0.5), "EPSG:32648", "d")
    >>> c = walk_cost(g, dem=dem)
    >>> round(float(c.fwd_m[0]), 1), round(float(c.bwd_m[0]), 1)
    (141.9, 100.0)
    """
    if slope not in SLOPE_MODELS:
        raise ValueError(f"unknown slope model {slope!r}; valid models: {', '.join(SLOPE_MODELS)}")
    if not steps_factor > 0 or not sample_m > 0:
        raise ValueError(f"steps_factor and sample_m must be > 0, got {steps_factor}, {sample_m}")
    length = graph.edge_length_m
    n_edges = graph.n_edges
    sloped = dem is not None and slope == "tobler"
    if sloped:
        k = np.maximum(np.ceil(length / sample_m).astype(np.int64), 1)
    else:
        k = np.ones(n_edges, dtype=np.int64)
    piece_ptr = np.concatenate([[0], np.cumsum(k)]).astype(np.int64)
    piece_edge = np.repeat(np.arange(n_edges, dtype=np.int64), k)
    piece_len = length[piece_edge] / k[piece_edge]
    cut_ptr = piece_ptr + np.arange(n_edges + 1, dtype=np.int64)
    flat = np.zeros(n_edges, dtype=bool)
    if sloped:
        assert dem is not None
        h = _cut_elevations(graph, dem, k)
        missing = np.isnan(h)
        if missing.any():
            cut_edge = np.repeat(np.arange(n_edges, dtype=np.int64), k + 1)
            flat[cut_edge[missing]] = True
        first_cut = cut_ptr[piece_edge] + (np.arange(len(piece_edge)) - piece_ptr[piece_edge])
        rise = h[first_cut + 1] - h[first_cut]
        with np.errstate(invalid="ignore", divide="ignore"):
            grade = np.where((piece_len > 0) & ~flat[piece_edge], rise / piece_len, 0.0)
        piece_fwd = piece_len / tobler_ratio(grade)
        piece_bwd = piece_len / tobler_ratio(-grade)
    else:
        piece_fwd = piece_len.copy()
        piece_bwd = piece_len.copy()
    factor = np.where(graph.edge_steps, float(steps_factor), 1.0)[piece_edge]
    piece_fwd *= factor
    piece_bwd *= factor
    cum_fwd = _ragged_cumsum(piece_fwd, k)
    cum_bwd = _ragged_cumsum(piece_bwd, k)
    fwd = cum_fwd[cut_ptr[1:] - 1]
    bwd = cum_bwd[cut_ptr[1:] - 1]
    row = np.repeat(np.arange(graph.n_nodes, dtype=np.int64), np.diff(graph.indptr))
    arc_e = graph.arc_edge
    arc_reverse = np.where(graph.edge_u[arc_e] == row, bwd[arc_e], fwd[arc_e])
    logger.debug(
        "walk cost: %d edges, %d pieces, %d walked flat (off the DEM), sloped=%s",
        n_edges,
        int(k.sum()),
        int(flat.sum()),
        sloped,
    )
    return WalkCost(fwd, bwd, cut_ptr, cum_fwd, cum_bwd, flat, arc_reverse, sloped)


def _ragged_cumsum(pieces: FloatArray, k: IntArray) -> FloatArray:
    """Per edge, 0 followed by the running sum of its ``k`` pieces (``k + 1`` values each)."""
    n_edges = len(k)
    out = np.zeros(int(k.sum()) + n_edges)
    piece_edge = np.repeat(np.arange(n_edges, dtype=np.int64), k)
    running = np.cumsum(pieces)
    start = np.concatenate([[0.0], running])[np.concatenate([[0], np.cumsum(k)])[:-1]]
    cut_ptr = np.concatenate([[0], np.cumsum(k + 1)])[:-1]
    pos = cut_ptr[piece_edge] + 1 + (np.arange(len(pieces)) - (np.cumsum(k) - k)[piece_edge])
    out[pos] = running - start[piece_edge]
    return out


def _cut_elevations(graph: WalkGraph, dem: Dem, k: IntArray) -> FloatArray:
    """Elevation (m) at every cut of every edge, ``k + 1`` per edge from ``edge_u``; NaN off
    the DEM. Nodes are reprojected into the DEM's CRS once and the cuts between them placed on
    the straight line there (pieces are at most tens of metres: the curvature of a straight
    metric segment in the DEM's CRS is far below a DEM cell)."""
    src, dst = CRS.from_user_input(graph.crs), CRS.from_user_input(dem.crs)
    if src == dst:
        nx_, ny_ = graph.x, graph.y
    else:
        tx, ty = Transformer.from_crs(src, dst, always_xy=True).transform(graph.x, graph.y)
        nx_, ny_ = np.asarray(tx, dtype=np.float64), np.asarray(ty, dtype=np.float64)
    node_h = sample_dem(dem, nx_, ny_, crs=dem.crs)
    n_edges = graph.n_edges
    cut_edge = np.repeat(np.arange(n_edges, dtype=np.int64), k + 1)
    cut_ptr = np.concatenate([[0], np.cumsum(k + 1)])
    j = np.arange(len(cut_edge), dtype=np.int64) - cut_ptr[cut_edge]
    frac = j / k[cut_edge]
    u, v = graph.edge_u[cut_edge], graph.edge_v[cut_edge]
    h = np.empty(len(cut_edge))
    at_u, at_v = j == 0, j == k[cut_edge]
    h[at_u] = node_h[u[at_u]]
    h[at_v] = node_h[v[at_v]]
    inner = ~(at_u | at_v)
    if inner.any():
        fi = frac[inner]
        ui, vi = u[inner], v[inner]
        h[inner] = sample_dem(
            dem,
            nx_[ui] + fi * (nx_[vi] - nx_[ui]),
            ny_[ui] + fi * (ny_[vi] - ny_[ui]),
            crs=dem.crs,
        )
    return h


__all__ = ["TOBLER_FLAT_KMH", "WalkCost", "tobler_ratio", "walk_cost"]
