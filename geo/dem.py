"""Elevation models (DEM GeoTIFFs: SRTM, ALOS, Copernicus tiles …) read and sampled at points.

:func:`read_dem` reads band 1 of a raster in any CRS (only the window around the area asked for),
with nodata cells as NaN and the band's scale and offset applied; elevations are taken to be in
metres. :func:`sample_dem` reprojects points into the DEM's CRS with pyproj and interpolates
bilinearly between the four surrounding cell centres; a point outside the raster, or whose
interpolation would use a nodata cell, gets NaN. Several tiles are read as one through a GDAL
virtual raster (``gdalbuildvrt dem.vrt *.tif``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer

from lifecircle.errors import LayerError

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Dem:
    """A window of an elevation raster.

    Attributes
    ----------
    elevation_m
        Cell values in metres, shape ``(rows, cols)``; NaN where the raster has no data.
    transform
        The affine transform ``(a, b, c, d, e, f)`` of the window: the cell at column ``j`` and
        row ``i`` has its corner at ``x = a·j + b·i + c``, ``y = d·j + e·i + f`` (DEM CRS units).
    crs
        The DEM's CRS as a string pyproj reads (WKT when read from a file).
    name
        The file name, for messages.
    """

    elevation_m: FloatArray
    transform: tuple[float, float, float, float, float, float]
    crs: str
    name: str


def read_dem(
    path: Path,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    bounds_crs: str | None = None,
    margin_cells: int = 2,
) -> Dem:
    """Read band 1 of an elevation raster, or the window of it around ``bounds``.

    Parameters
    ----------
    path
        A GeoTIFF (or any raster GDAL reads, a ``.vrt`` of tiles included) with a CRS.
    bounds
        ``(xmin, ymin, xmax, ymax)`` of the area needed, in ``bounds_crs``; default the whole
        raster.
    bounds_crs
        The CRS of ``bounds`` (any string pyproj reads).
    margin_cells
        Cells added around the window on every side (for the interpolation at its edge).

    Returns
    -------
    Dem
        Elevations in metres (nodata as NaN) with the window's transform; an empty array when
        the raster does not overlap ``bounds``.

    Raises
    ------
    LayerError
        If the file is missing, cannot be read as a raster, or has no CRS.
    """
    import rasterio
    from rasterio.windows import Window, from_bounds

    name = path.name
    if not path.is_file():
        raise LayerError(f"{path}: DEM file not found; check [walking] dem in the project file")
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise LayerError(
                    f"{name}: the DEM has no CRS; save it with one (SRTM/ALOS/Copernicus tiles "
                    "are EPSG:4326)"
                )
            crs = src.crs.to_wkt()
            t = src.transform
            window = Window(0, 0, src.width, src.height)
            if bounds is not None and t.b == 0 and t.d == 0:
                tr = Transformer.from_crs(
                    CRS.from_user_input(bounds_crs or crs), CRS.from_user_input(crs), always_xy=True
                )
                xmin, ymin, xmax, ymax = tr.transform_bounds(*bounds, densify_pts=21)
                want = from_bounds(xmin, ymin, xmax, ymax, transform=t)
                c0 = max(int(np.floor(want.col_off)) - margin_cells, 0)
                r0 = max(int(np.floor(want.row_off)) - margin_cells, 0)
                c1 = min(int(np.ceil(want.col_off + want.width)) + margin_cells, src.width)
                r1 = min(int(np.ceil(want.row_off + want.height)) + margin_cells, src.height)
                window = Window(c0, r0, max(c1 - c0, 0), max(r1 - r0, 0))
            if window.width == 0 or window.height == 0:
                values = np.zeros((0, 0))
            else:
                band = src.read(1, window=window, masked=True)
                scale = float(src.scales[0]) if src.scales else 1.0
                offset = float(src.offsets[0]) if src.offsets else 0.0
                values = np.ma.filled(band.astype(np.float64), np.nan) * scale + offset
    except rasterio.errors.RasterioIOError as exc:
        raise LayerError(f"{name}: cannot read it as an elevation raster (GeoTIFF): {exc}") from exc
    # the window's origin, computed here (rasterio's window_transform warns on newer affine)
    c = t.a * window.col_off + t.b * window.row_off + t.c
    f = t.d * window.col_off + t.e * window.row_off + t.f
    logger.info("read DEM %s: %d × %d cells", name, values.shape[1], values.shape[0])
    return Dem(values, (t.a, t.b, c, t.d, t.e, f), crs, name)


def sample_dem(dem: Dem, x: ArrayLike, y: ArrayLike, *, crs: str) -> FloatArray:
    """Elevation (m) at points, bilinearly interpolated between cell centres.

    Parameters
    ----------
    dem
        The elevation raster.
    x, y
        Point coordinates in ``crs``.
    crs
        The CRS of the points (any string pyproj reads); they are reprojected into the DEM's.

    Returns
    -------
    ndarray
        Elevation in metres per point; NaN outside the raster or where a cell the
        interpolation uses (with a weight > 0) has no data. Points in the outer half cell of
        the raster take the nearest centres' values (constant extrapolation to the edge).

    Examples
    --------
    >>> dem = Dem(np.array([[10.0, 20.0], [30.0, 40.0]]), (1, 0, 0, 0, -1, 2), "EPSG:32648", "t")
    >>> sample_dem(dem, [1.0], [1.0], crs="EPSG:32648").tolist()
    [25.0]
    """
    xa = np.asarray(x, dtype=np.float64).ravel()
    ya = np.asarray(y, dtype=np.float64).ravel()
    out = np.full(len(xa), np.nan)
    z = dem.elevation_m
    if z.size == 0 or len(xa) == 0:
        return out
    src, dst = CRS.from_user_input(crs), CRS.from_user_input(dem.crs)
    if src != dst:
        xa, ya = Transformer.from_crs(src, dst, always_xy=True).transform(xa, ya)
        xa, ya = np.asarray(xa, dtype=np.float64), np.asarray(ya, dtype=np.float64)
    a, b, c, d, e, f = dem.transform
    det = a * e - b * d
    col = (e * (xa - c) - b * (ya - f)) / det
    row = (-d * (xa - c) + a * (ya - f)) / det
    n_rows, n_cols = z.shape
    inside = (col >= 0) & (col <= n_cols) & (row >= 0) & (row <= n_rows)
    cx = np.clip(col[inside] - 0.5, 0.0, n_cols - 1.0)
    cy = np.clip(row[inside] - 0.5, 0.0, n_rows - 1.0)
    j0 = np.minimum(np.floor(cx).astype(np.int64), max(n_cols - 2, 0))
    i0 = np.minimum(np.floor(cy).astype(np.int64), max(n_rows - 2, 0))
    j1 = np.minimum(j0 + 1, n_cols - 1)
    i1 = np.minimum(i0 + 1, n_rows - 1)
    fx = cx - j0
    fy = cy - i0
    total = np.zeros(len(cx))
    bad = np.zeros(len(cx), dtype=bool)
    for w, zz in (
        ((1 - fx) * (1 - fy), z[i0, j0]),
        (fx * (1 - fy), z[i0, j1]),
        ((1 - fx) * fy, z[i1, j0]),
        (fx * fy, z[i1, j1]),
    ):
        used = w > 0
        bad |= used & np.isnan(zz)
        total += np.where(used & ~np.isnan(zz), w * np.nan_to_num(zz), 0.0)
    out[inside] = np.where(bad, np.nan, total)
    return out


__all__ = ["Dem", "read_dem", "sample_dem"]
