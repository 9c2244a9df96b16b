"""Demand points: where people live, from a population layer or spread over the communities.

A population layer may be a grid raster (GeoTIFF, persons per cell), grid polygons, residential
buildings or compound points with a value per feature. Without one, each community's population
is spread evenly over its area (:func:`spread_population`).
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lifecircle.dataissues import IssueLog
from lifecircle.geo.crs import WGS84, crs_label, is_geographic, lonlat_to_wgs84
from lifecircle.geo.layerfile import RASTER_SUFFIXES, declared_crs
from lifecircle.geo.layers import LayerSpec, read_layer
from lifecircle.geo.schemas import GROUP_ALIASES
from lifecircle.geo.validate import check_coordinates, no_crs_problem, raise_problems

logger = logging.getLogger(__name__)

POPULATION_COLUMNS = ("id", "population", "households", "geometry")


def read_population(
    spec: LayerSpec, *, issues: IssueLog, persons_per_household: float
) -> gpd.GeoDataFrame:
    """Read a population layer as demand points.

    Parameters
    ----------
    spec
        A GeoTIFF (band 1 = persons per cell) or a vector layer of points or polygons. For a
        vector layer, ``fields.value`` names the persons column (default ``value``, then
        ``population``) or ``fields.households`` a households column.
    issues
        Problems worked around are added here.
    persons_per_household
        Persons per household, used when a vector layer gives only households.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:4326 with columns ``id`` (str), ``population`` (persons, float),
        ``households`` (float, NaN where the layer does not give it) and, where a vector layer
        gives them (``fields`` or columns such as 60岁以上人口, 0-6岁人口), the population
        groups' counts ``elderly`` and ``children`` (persons, NaN where not given). A raster
        gives one point per cell with a value > 0, at the cell centre, id ``"r{row}_c{col}"``
        (0-based raster row and column); polygons give their representative point.

    Raises
    ------
    LayerError
        Missing file, no CRS, negative values, neither a persons nor a households column, and the
        problems :func:`~lifecircle.geo.layers.read_layer` finds in a vector layer.
    """
    if persons_per_household <= 0:
        raise ValueError(f"persons_per_household must be > 0, got {persons_per_household}")
    if spec.path.suffix.lower() in RASTER_SUFFIXES:
        return _read_raster(spec)
    frame = read_layer(spec, kind="population", issues=issues)
    value = frame["value"].to_numpy(dtype=float)
    households = frame["households"].to_numpy(dtype=float)
    if not np.isfinite(value).any() and not np.isfinite(households).any():
        raise_problems(
            spec.path,
            "population",
            [
                f"{spec.path.name}: no population values (no column 'value' or 'population' "
                "with numbers); give fields = "
                '{ value = "<persons column>" } or { households = "<households column>" } '
                "in [layers.population]; the file has columns: "
                + ", ".join(
                    c for c in frame.columns if c not in ("row", "geometry", *GROUP_ALIASES)
                )
            ],
        )
    population = np.where(np.isfinite(value), value, households * persons_per_household)
    missing = ~np.isfinite(population)
    for i in np.flatnonzero(missing):
        issues.add("population", frame["id"].iloc[i], "population_value_missing")
    population = np.where(missing, 0.0, population)
    points = frame.geometry.representative_point()
    columns = {
        "id": frame["id"].astype(str).to_numpy(),
        "population": population.astype(float),
        "households": households,
    }
    # counts of the population groups (persons), where the layer gives them
    for g in GROUP_ALIASES:
        counts = frame[g].to_numpy(dtype=float) if g in frame else np.array([np.nan])
        if np.isfinite(counts).any():
            columns[g] = counts
    return gpd.GeoDataFrame(columns, geometry=points.values, crs=WGS84)


def _read_raster(spec: LayerSpec) -> gpd.GeoDataFrame:
    import rasterio

    path = spec.path
    name = path.name
    if not path.exists():
        raise_problems(
            path, "population", [f"{path}: file not found; check the path in [layers.population]"]
        )
    problems: list[str] = []
    decl, crs_problem = declared_crs(spec, "population")
    if crs_problem:
        problems.append(crs_problem)
    try:
        with rasterio.open(path) as src:
            band = src.read(1, masked=True)
            transform = src.transform
            file_crs = src.crs
    except rasterio.errors.RasterioIOError as exc:
        raise_problems(path, "population", [f"{name}: cannot read it as a GeoTIFF: {exc}"])
        raise AssertionError("unreachable") from exc
    if decl is None and crs_problem is None:
        if file_crs is None:
            problems.append(no_crs_problem(path, "population"))
        else:
            decl = CRS.from_user_input(file_crs.to_wkt())
    values = np.ma.filled(band.astype(float), np.nan)
    negative = np.isfinite(values) & (values < 0)
    if negative.any():
        r, c = np.nonzero(negative)
        cells = ", ".join(f"r{i}_c{j}" for i, j in list(zip(r, c, strict=True))[:10])
        more = len(r) - 10
        problems.append(
            f"{name}: {len(r)} cells have negative population (cells {cells}"
            + (f" and {more} more" if more > 0 else "")
            + "); set them to 0 or to the raster's nodata value"
        )
    rows, cols = np.nonzero(np.isfinite(values) & (values > 0))
    col_c = cols + 0.5
    row_c = rows + 0.5
    x = transform.a * col_c + transform.b * row_c + transform.c
    y = transform.d * col_c + transform.e * row_c + transform.f
    if decl is not None:
        bounds = np.column_stack([x, y, x, y])
        problems += check_coordinates(
            name,
            "population",
            bounds,
            np.arange(1, len(x) + 1, dtype=np.int64),
            geographic=is_geographic(decl),
            crs_text=crs_label(decl),
        )
    raise_problems(path, "population", problems)
    assert decl is not None
    lon, lat = lonlat_to_wgs84(x, y, decl)
    ids = [f"r{i}_c{j}" for i, j in zip(rows, cols, strict=True)]
    logger.info("read %s: %d populated cells", name, len(ids))
    return gpd.GeoDataFrame(
        {
            "id": pd.Series(ids, dtype=object),
            "population": values[rows, cols].astype(float),
            "households": np.full(len(ids), np.nan),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )


def spread_population(
    communities: gpd.GeoDataFrame,
    *,
    cell_m: float = 100.0,
    metric_crs: CRS | str,
    persons_per_household: float | None = None,
) -> gpd.GeoDataFrame:
    """Spread each community's population evenly over its area on a grid of points.

    The grid is aligned to multiples of ``cell_m`` in ``metric_crs``; each community gets the
    grid cell centres inside its polygon, or its representative point when none is inside (a
    small community), and its population and households are divided equally among them.

    Parameters
    ----------
    communities
        Polygons with ``id``, ``population`` and ``households`` (as :func:`read_layer` returns
        them), in any CRS.
    cell_m
        Grid spacing in metres.
    metric_crs
        The metric CRS the grid is laid in.
    persons_per_household
        When given, a community without population gets households × this.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:4326 with ``id`` (``"{community_id}_{k}"``), ``population``,
        ``households`` (NaN where the community has none) and ``community_id``.

    Examples
    --------
    A 300 m × 200 m community of 600 people on a 100 m grid gives 6 points of 100 people.
    """
    if cell_m <= 0:
        raise ValueError(f"cell_m must be > 0, got {cell_m}")
    metric = communities.to_crs(metric_crs)
    population = metric["population"].to_numpy(dtype=float)
    households = metric["households"].to_numpy(dtype=float)
    if persons_per_household is not None:
        population = np.where(
            np.isfinite(population), population, households * persons_per_household
        )
    geoms = np.asarray(metric.geometry.values, dtype=object)
    ids: list[str] = []
    community_ids: list[str] = []
    pops: list[np.ndarray] = []
    hhs: list[np.ndarray] = []
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    for i, geom in enumerate(geoms):
        if geom is None or shapely.is_empty(geom):
            continue
        xmin, ymin, xmax, ymax = shapely.bounds(geom)
        gx = np.arange(np.floor(xmin / cell_m), np.ceil(xmax / cell_m)) * cell_m + cell_m / 2
        gy = np.arange(np.floor(ymin / cell_m), np.ceil(ymax / cell_m)) * cell_m + cell_m / 2
        grid_x, grid_y = np.meshgrid(gx, gy)
        mx = grid_x.ravel()
        my = grid_y.ravel()
        shapely.prepare(geom)
        inside = shapely.contains_xy(geom, mx, my)
        if inside.any():
            px, py = mx[inside], my[inside]
        else:
            point = shapely.point_on_surface(geom)
            px, py = np.array([shapely.get_x(point)]), np.array([shapely.get_y(point)])
        n = len(px)
        cid = str(metric["id"].iloc[i])
        ids += [f"{cid}_{k}" for k in range(n)]
        community_ids += [cid] * n
        pops.append(np.full(n, population[i] / n))
        hhs.append(np.full(n, households[i] / n))
        xs.append(px)
        ys.append(py)
    if xs:
        x, y = np.concatenate(xs), np.concatenate(ys)
        pop, hh = np.concatenate(pops), np.concatenate(hhs)
    else:
        x = y = pop = hh = np.zeros(0)
    points = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=metric_crs).to_crs(WGS84)
    logger.info("spread %d communities over %d points (%g m grid)", len(geoms), len(x), cell_m)
    return gpd.GeoDataFrame(
        {
            "id": pd.Series(ids, dtype=object),
            "population": pop,
            "households": hh,
            "community_id": pd.Series(community_ids, dtype=object),
        },
        geometry=points.values,
        crs=WGS84,
    )
