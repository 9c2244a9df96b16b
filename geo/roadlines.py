"""Walk networks from road-line layers (a planning institute's GPKG/SHP/GeoJSON road centrelines).

Road layers drawn in CAD or GIS rarely share vertices where roads meet, so the lines are *noded*:

* lines that cross get a node at the crossing, in both lines (unless a ``layer`` column says they
  are on different levels, as at a bridge);
* a line end within ``snap_tolerance_m`` of another line joins it at the nearest point on it (the
  T-junction digitised a little short or long);
* vertices of different lines within ``snap_tolerance_m`` of each other become one node (the first
  vertex read keeps its coordinates).

Every vertex becomes a node and every pair of consecutive vertices a straight edge, as for OSM
ways. When the layer has ``highway``, ``foot`` or ``access`` columns (an OSM export), the OSM
walking rules of :func:`lifecircle.geo.walkrules.is_walkable` apply; otherwise every line is
walkable. A line is a flight of steps where ``highway`` is ``steps`` or a ``steps`` column holds
a true value (1, yes, true, 是, 台阶).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from lifecircle.dataissues import IssueLog
from lifecircle.errors import NetworkError
from lifecircle.geo.crs import crs_string, resolve_crs
from lifecircle.geo.dbf import shapefile_encoding
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.roadrules import RoadRules, apply_road_rules
from lifecircle.geo.walkrules import is_walkable

if TYPE_CHECKING:
    import geopandas as gpd

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def node_lines(
    lines: NDArray[np.object_],
    *,
    snap_tolerance_m: float = 1.0,
    level: NDArray[np.object_] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Node LineStrings in a metric CRS into a segment graph.

    Parameters
    ----------
    lines
        Shapely LineStrings (metres), none empty.
    snap_tolerance_m
        Line ends and vertices of different lines closer than this (m) are joined.
    level
        Optional level of each line (OSM ``layer``); lines on different levels are not noded
        where they cross (their ends still join).

    Returns
    -------
    x, y, u, v
        Node coordinates (m) and segment end-node indices, ready for
        :meth:`WalkGraph.from_edges`.
    """
    return _noded(lines, snap_tolerance_m=snap_tolerance_m, level=level)[:4]


def _noded(
    lines: NDArray[np.object_],
    *,
    snap_tolerance_m: float,
    level: NDArray[np.object_] | None,
) -> tuple[FloatArray, FloatArray, IntArray, IntArray, IntArray]:
    """:func:`node_lines`, also returning the line (index into ``lines``) of each segment."""
    tol = max(float(snap_tolerance_m), 0.0)
    n_lines = len(lines)
    coords, line_of = shapely.get_coordinates(lines, return_index=True)
    tree = shapely.STRtree(lines)

    # crossings between lines (shared vertices included: they coincide and merge below)
    pi, pj = tree.query(lines, predicate="intersects")
    keep = pi < pj
    if level is not None:
        keep &= level[pi] == level[pj]
    pi, pj = pi[keep], pj[keep]
    cross = shapely.intersection(lines[pi], lines[pj])
    cross_xy, cross_pair = shapely.get_coordinates(cross, return_index=True)
    ins_line = [pi[cross_pair], pj[cross_pair]]
    ins_xy = [cross_xy, cross_xy]

    # line ends near another line: add the nearest point on that line
    ends = np.concatenate([shapely.get_point(lines, 0), shapely.get_point(lines, -1)])
    end_line = np.concatenate([np.arange(n_lines), np.arange(n_lines)])
    if tol > 0:
        ei, lj = tree.query(ends, predicate="dwithin", distance=tol)
        other = end_line[ei] != lj
        ei, lj = ei[other], lj[other]
        proj = shapely.line_interpolate_point(
            lines[lj], shapely.line_locate_point(lines[lj], ends[ei])
        )
        ins_line.append(lj)
        ins_xy.append(shapely.get_coordinates(proj))
    extra_line = np.concatenate(ins_line).astype(np.int64)
    extra_xy = np.concatenate(ins_xy).reshape(-1, 2)

    # position along each line: cumulative vertex distance, projection for inserted points
    step = np.hypot(*np.diff(coords, axis=0).T)
    step[line_of[1:] != line_of[:-1]] = 0.0
    cum = np.concatenate([[0.0], np.cumsum(step)])
    first = np.searchsorted(line_of, np.arange(n_lines))
    along = cum - cum[first[line_of]]
    extra_along = shapely.line_locate_point(lines[extra_line], shapely.points(extra_xy))

    xy = np.concatenate([coords, extra_xy])
    pt_line = np.concatenate([line_of, extra_line])
    pt_along = np.concatenate([along, extra_along])
    pt_rank = np.concatenate([np.zeros(len(coords)), np.ones(len(extra_xy))])

    # merge points: identical ones always, points of different lines within the tolerance
    kd = cKDTree(xy)
    pairs = kd.query_pairs(r=max(tol, 1e-9), output_type="ndarray")
    if len(pairs):
        a, b = pairs[:, 0], pairs[:, 1]
        same_spot = np.all(xy[a] == xy[b], axis=1)
        ok = same_spot | (pt_line[a] != pt_line[b])
        a, b = a[ok], b[ok]
    else:
        a = b = np.zeros(0, dtype=np.int64)
    n_pts = len(xy)
    adj = coo_array((np.ones(len(a)), (a, b)), shape=(n_pts, n_pts))
    _, comp = connected_components(adj, directed=False)
    rep = np.full(comp.max() + 1, n_pts, dtype=np.int64)
    np.minimum.at(rep, comp, np.arange(n_pts))  # the first (original) point of each cluster

    order = np.lexsort((pt_rank, pt_along, pt_line))
    node = comp[order]
    same_line = pt_line[order][1:] == pt_line[order][:-1]
    u = node[:-1][same_line]
    v = node[1:][same_line]
    seg_line = pt_line[order][1:][same_line]
    return xy[rep, 0], xy[rep, 1], u.astype(np.int64), v.astype(np.int64), seg_line.astype(np.int64)


#: Values of a ``steps`` column that mark a flight of steps (compared lower-cased).
_TRUE_STEPS = frozenset({"1", "1.0", "yes", "true", "y", "t", "是", "台阶"})


def _read(path: Path) -> gpd.GeoDataFrame:
    import geopandas as gpd

    try:
        if path.suffix.lower() == ".parquet":
            return gpd.read_parquet(path)
        return gpd.read_file(path, encoding=shapefile_encoding(path))
    except Exception as exc:
        raise NetworkError(f"{path}: cannot read the road-line layer ({exc})") from exc


def _column(gdf: gpd.GeoDataFrame, name: str) -> NDArray[np.object_] | None:
    """The values of column ``name`` (any letter case) as str or None, or None if absent."""
    columns = {str(c).lower(): c for c in gdf.columns}
    if name not in columns:
        return None
    values = gdf[columns[name]].astype(object)
    return np.array([None if v is None or v != v else str(v) for v in values], dtype=object)


def load_road_lines(
    path: Path,
    *,
    crs: str | None = None,
    keep_private: bool = False,
    snap_tolerance_m: float = 1.0,
    issues: IssueLog | None = None,
    rules: RoadRules | None = None,
) -> WalkGraph:
    """Load a road-line layer as a walk graph, noding lines where they cross or touch.

    Parameters
    ----------
    path
        A GPKG, SHP (or zipped SHP), GeoJSON or GeoParquet layer of (multi)lines with a CRS.
    crs
        Metric CRS to project to; default the UTM zone of the layer's centre.
    keep_private
        Passed to :func:`lifecircle.geo.walkrules.is_walkable` when the layer has OSM tag columns.
    snap_tolerance_m
        Joining distance for line ends and vertices (m), see :func:`node_lines`.
    issues
        Receives one entry per row left out (empty or non-line geometry).
    rules
        The layer's own columns and the classes not walked on (``[network] fields`` and
        ``walkable``, :mod:`lifecircle.geo.roadrules`).

    Returns
    -------
    WalkGraph
        ``node_id`` is the node's index (road layers have no stable node ids).

    Raises
    ------
    NetworkError
        If the layer cannot be read, has no CRS, holds no walkable line, or ``rules`` name a
        column it does not have.
    """
    gdf = _read(path)
    gdf, allowed = apply_road_rules(gdf, rules or RoadRules(), path, issues=issues)
    if gdf.crs is None:
        raise NetworkError(
            f"{path}: the road layer has no CRS; save it with one (a .prj next to a .shp) "
            "or reproject it to EPSG:4326 / CGCS2000 first"
        )
    geoms = gdf.geometry.to_numpy()
    is_line = shapely.get_type_id(geoms) == 1
    is_line |= shapely.get_type_id(geoms) == 5
    is_line &= ~shapely.is_empty(geoms)
    if issues is not None:
        for row in np.flatnonzero(~is_line):
            issues.add("network", gdf.index[row], "road_without_line")
    highway = _column(gdf, "highway")
    keep = is_line & allowed
    if highway is not None:
        foot = _column(gdf, "foot")
        access = _column(gdf, "access")
        for row in np.flatnonzero(keep):
            keep[row] = is_walkable(
                highway[row],
                foot=None if foot is None else foot[row],
                access=None if access is None else access[row],
                keep_private=keep_private,
            )
    level = _column(gdf, "layer")
    steps_col = _column(gdf, "steps")
    steps = np.zeros(len(gdf), dtype=bool)
    if highway is not None:
        steps |= highway == "steps"
    if steps_col is not None:
        steps |= np.array([v is not None and v.strip().lower() in _TRUE_STEPS for v in steps_col])
    sub = gdf.loc[keep, [gdf.geometry.name]].copy()
    sub["_steps"] = steps[keep]
    if level is not None:
        sub["_level"] = np.where(level[keep] == None, "0", level[keep])  # noqa: E711
    sub = sub.explode(index_parts=False, ignore_index=True)
    sub = sub[~sub.geometry.is_empty]
    if len(sub) == 0:
        raise NetworkError(
            f"{path}: no walkable road line found; the layer needs LineString features "
            "(and, if it has a highway column, walkable highway values)"
        )
    ll = sub.geometry.to_crs("EPSG:4326").bounds if not sub.crs.is_geographic else sub.bounds
    target = resolve_crs(
        crs,
        np.array([ll["minx"].min(), ll["maxx"].max()]),
        np.array([ll["miny"].min(), ll["maxy"].max()]),
    )
    lines = sub.geometry.to_crs(target).to_numpy()
    x, y, u, v, seg_line = _noded(
        lines,
        snap_tolerance_m=snap_tolerance_m,
        level=None if level is None else sub["_level"].to_numpy(dtype=object),
    )
    graph = WalkGraph.from_edges(
        x,
        y,
        u,
        v,
        crs=crs_string(target),
        label=f"{path.name} (road lines)",
        steps=sub["_steps"].to_numpy(dtype=bool)[seg_line],
    )
    logger.info(
        "%s: walk graph with %d nodes and %d edges from %d lines",
        path.name,
        graph.n_nodes,
        graph.n_edges,
        len(lines),
    )
    return graph
