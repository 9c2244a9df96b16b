"""Uncovered population as classed cells: the demand points of each level gathered into cells.

The map used to draw one circle per uncovered demand point and category (773,000 features for a
county seat of 50,000 populated cells). It now draws, per level, one cell per place where people
are not covered: the population of the distinct demand points in that cell that miss at least one
category of the level, with the categories they miss.

The cells follow the points' own lattice when they have one (a population raster, in whatever
projection and rotation it was made): each point then keeps its own cell, drawn as the raster
cell it came from. Scattered points (buildings, compounds) are gathered into squares of a round
size at least their typical spacing. Either way a cell's population is the sum of its points',
so the totals per level are those of the points.

The lattice is found in the UTM zone of the points' centre: nearest-neighbour steps give its
orientation and spacing, and it is taken when every point lies within a quarter step of a
lattice node, no two on the same node.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from scipy.spatial import cKDTree

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Sizes (m) a square grid of scattered points may take.
NICE_SIZES_M = (10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0)
#: A square grid has at most this many cells along the longer side of the points' extent.
MAX_CELLS_ACROSS = 1500
#: How far (in steps) a point may lie from its lattice node for the lattice to be taken.
LATTICE_SLACK = 0.25


@dataclass(frozen=True)
class CellGrid:
    """Cells in a metric CRS: the centre of cell ``(i, j)`` is ``origin + i · step_i + j · step_j``.

    Attributes
    ----------
    crs
        The metric CRS the grid is laid out in (a UTM zone).
    origin, step_i, step_j
        Metres in that CRS.
    lattice
        True when the cells are the points' own lattice (one point per cell).
    """

    crs: CRS
    origin: FloatArray
    step_i: FloatArray
    step_j: FloatArray
    lattice: bool

    @property
    def size_m(self) -> tuple[float, float]:
        """The cells' side lengths (m)."""
        return float(np.hypot(*self.step_i)), float(np.hypot(*self.step_j))

    def index(self, xy: FloatArray) -> tuple[IntArray, IntArray]:
        """The cell holding each point ``(n, 2)`` (metric)."""
        basis = np.column_stack([self.step_i, self.step_j])
        ij = np.linalg.solve(basis, (xy - self.origin).T).T
        return np.rint(ij[:, 0]).astype(np.int64), np.rint(ij[:, 1]).astype(np.int64)

    def centres(self, i: IntArray, j: IntArray) -> FloatArray:
        """Cell centres ``(n, 2)`` (metric)."""
        return self.origin + np.outer(i, self.step_i) + np.outer(j, self.step_j)


@dataclass(frozen=True)
class LevelCells:
    """The uncovered population of one level, cell by cell.

    Attributes
    ----------
    level
        The level (``5min``, ``10min``, ``15min``).
    centre_lonlat
        Cell centres, lon/lat ``(n, 2)``.
    population
        Persons per cell: the distinct demand points in it that miss a category of the level.
    missing
        Per cell, a bit mask over ``categories``: bit ``k`` set when a point in the cell misses
        ``categories[k]``.
    categories
        The categories of the level that some point misses, in the order of the mask bits.
    population_by_category
        Persons per category missing it (summed over the cells), in the order of ``categories``.
    """

    level: str
    centre_lonlat: FloatArray
    population: FloatArray
    missing: IntArray
    categories: tuple[str, ...]
    population_by_category: FloatArray


def _utm(lon: FloatArray, lat: FloatArray) -> CRS:
    series = gpd.GeoSeries(shapely.points(lon, lat), crs="EPSG:4326")
    crs = series.estimate_utm_crs()
    assert crs is not None
    return crs


def _lattice(xy: FloatArray, crs: CRS) -> CellGrid | None:
    """The points' own lattice, when they lie on one (see the module docstring), else None."""
    if len(xy) < 4:
        return None
    dist, nn = cKDTree(xy).query(xy, k=2)
    step = xy[nn[:, 1]] - xy
    if not np.all(dist[:, 1] > 0):
        return None
    # orientation: the nearest-neighbour steps' angle folded into [-45°, 45°)
    angle = np.mod(np.arctan2(step[:, 1], step[:, 0]) + np.pi / 4, np.pi / 2) - np.pi / 4
    theta = float(np.median(angle))
    c, s = math.cos(theta), math.sin(theta)
    rot = np.array([[c, s], [-s, c]])  # rotates by -theta
    local = step @ rot.T
    along = np.abs(local[:, 0]) >= np.abs(local[:, 1])
    size_i = float(np.median(np.abs(local[along, 0]))) if along.any() else 0.0
    size_j = float(np.median(np.abs(local[~along, 1]))) if (~along).any() else size_i
    if size_i <= 0 or size_j <= 0:
        return None
    step_i = np.array([c, s]) * size_i
    step_j = np.array([-s, c]) * size_j
    grid = CellGrid(crs, xy[0].copy(), step_i, step_j, lattice=True)
    basis = np.column_stack([step_i, step_j])
    ij = np.linalg.solve(basis, (xy - grid.origin).T).T
    if np.abs(ij - np.rint(ij)).max() > LATTICE_SLACK:
        return None
    keys = np.rint(ij).astype(np.int64)
    if len(np.unique(keys, axis=0)) != len(keys):
        return None
    return grid


def _square(xy: FloatArray, crs: CRS) -> CellGrid:
    """A north-up square grid whose round size is at least the points' typical spacing."""
    spacing = 0.0
    if len(xy) >= 2:
        dist, _ = cKDTree(xy).query(xy, k=2)
        spacing = float(np.median(dist[:, 1]))
    extent = float(np.max(np.ptp(xy, axis=0))) if len(xy) else 0.0
    need = max(spacing, extent / MAX_CELLS_ACROSS)
    size = next((s for s in NICE_SIZES_M if s >= need), NICE_SIZES_M[-1])
    origin = (np.floor(xy.min(axis=0) / size) + 0.5) * size if len(xy) else np.zeros(2)
    return CellGrid(crs, origin, np.array([size, 0.0]), np.array([0.0, size]), lattice=False)


def cell_grid(lon: FloatArray, lat: FloatArray) -> CellGrid:
    """The grid for points at ``lon``, ``lat``: their own lattice, else a square grid.

    Parameters
    ----------
    lon, lat
        Distinct point positions (degrees).

    Returns
    -------
    CellGrid
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    crs = _utm(lon, lat) if len(lon) else CRS.from_epsg(3857)
    to_m = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    xy = np.column_stack(to_m.transform(lon, lat)) if len(lon) else np.zeros((0, 2))
    return _lattice(xy, crs) or _square(xy, crs)


def uncovered_cells(
    frame: gpd.GeoDataFrame, levels: Sequence[str]
) -> tuple[CellGrid | None, list[LevelCells]]:
    """Gather the uncovered demand points of each level into cells.

    Parameters
    ----------
    frame
        One row per uncovered point and category (EPSG:4326 points), columns ``population``,
        ``category`` and ``level`` (``RunResults.uncovered``).
    levels
        The levels to draw, in order.

    Returns
    -------
    grid, cells
        The grid shared by every level (None when there is no point), and one
        :class:`LevelCells` per level with at least one uncovered point.
    """
    if len(frame) == 0:
        return None, []
    xy = shapely.get_coordinates(np.asarray(frame.geometry.values, dtype=object))
    pop = pd.to_numeric(frame["population"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    level = frame["level"].astype(str).to_numpy()
    category = frame["category"].astype(str).to_numpy()
    # distinct points (a point appears once per category it misses)
    keys, point_of = np.unique(xy[:, 0] + 1j * xy[:, 1], return_inverse=True)
    points = np.column_stack([keys.real, keys.imag])
    grid = cell_grid(points[:, 0], points[:, 1])
    to_m = Transformer.from_crs("EPSG:4326", grid.crs, always_xy=True)
    to_ll = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
    pi, pj = grid.index(np.column_stack(to_m.transform(points[:, 0], points[:, 1])))
    point_pop = np.zeros(len(points))
    point_pop[point_of] = pop  # the same person count on each of a point's rows
    out = []
    for lev in levels:
        rows = np.flatnonzero(level == lev)
        if len(rows) == 0:
            continue
        cats = tuple(str(c) for c in pd.unique(category[rows]))
        code = pd.Categorical(category[rows], categories=list(cats)).codes.astype(np.int64)
        pts = np.unique(point_of[rows])
        mask = np.zeros(len(points), dtype=np.int64)
        np.bitwise_or.at(mask, point_of[rows], np.left_shift(1, code))
        # cells numbered row by row: i, then j
        span = int(pj[pts].max() - pj[pts].min()) + 1
        cell_key = (pi[pts] - pi[pts].min()) * span + (pj[pts] - pj[pts].min())
        _, first, cell_of = np.unique(cell_key, return_index=True, return_inverse=True)
        cell_pop = np.bincount(cell_of, weights=point_pop[pts], minlength=len(first)).astype(float)
        cell_mask = np.zeros(len(first), dtype=np.int64)
        np.bitwise_or.at(cell_mask, cell_of, mask[pts])
        centre = grid.centres(pi[pts][first], pj[pts][first])
        lon, lat = to_ll.transform(centre[:, 0], centre[:, 1])
        by_cat = np.bincount(code, weights=pop[rows], minlength=len(cats)).astype(float)
        out.append(
            LevelCells(
                level=lev,
                centre_lonlat=np.column_stack([lon, lat]),
                population=cell_pop,
                missing=cell_mask,
                categories=cats,
                population_by_category=by_cat,
            )
        )
    return grid, out


def half_steps_lonlat(grid: CellGrid, centre_lonlat: FloatArray) -> FloatArray:
    """The two half steps of a cell at ``centre_lonlat``, ``[[dlon, dlat], [dlon, dlat]]`` (°).

    The page draws each cell as the parallelogram ``centre ± half_i ± half_j``; across a county
    the steps turn by less than a thousandth of a radian, a few centimetres on a cell.
    """
    to_m = Transformer.from_crs("EPSG:4326", grid.crs, always_xy=True)
    to_ll = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
    cx, cy = to_m.transform(centre_lonlat[0], centre_lonlat[1])
    out = []
    for step in (grid.step_i, grid.step_j):
        lon, lat = to_ll.transform(cx + step[0] / 2.0, cy + step[1] / 2.0)
        out.append([lon - centre_lonlat[0], lat - centre_lonlat[1]])
    return np.asarray(out)
