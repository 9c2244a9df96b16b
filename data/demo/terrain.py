"""The demo county's terrain (a synthetic DEM) and its communities' population groups.

The seat lies in a valley: the river 清溪河 at about 320 m, the ground rising gently away from it
on both banks; 凤凰山 (between the old town and the new district, no streets) stands about
110 m above the valley; the old town's north-east corner climbs a steep hillside towards it
(the lanes there are steps); low hills roll under the villages. :func:`elevation` is the surface,
:func:`write_dem` samples it into a GeoTIFF in WGS84 lon/lat at 1 arc-second, as SRTM, ALOS and
Copernicus tiles come (so the DEM's CRS differs from the analysis's UTM zone).

:func:`group_counts` gives each community its people aged 60 or over and aged 0–6, the shares
varying by district (an ageing countryside, a young new district); two communities have none
given, so their shares are the profile's assumed ones. It draws from its own seeded generator
so the other files stay as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pyproj import Transformer

from lifecircle.data.demo.layout import SEED, UTM_CRS, Community, FloatArray, river_y

#: The DEM's extent in the local frame (m): the streets with a margin.
DEM_EXTENT_M = (-7400.0, -4200.0, 5300.0, 4300.0)
#: 1 arc-second, the cell of SRTM 1″ and Copernicus GLO-30.
DEM_CELL_DEG = 1.0 / 3600.0
#: Communities whose group counts are left empty (their shares are assumed).
NO_GROUP_COUNTS = ("C26", "C37")
#: Share of people aged 60 or over, and aged 0–6, by district.
GROUP_SHARES = {
    "old": (0.24, 0.055),
    "south": (0.19, 0.07),
    "new": (0.11, 0.10),
    "town": (0.23, 0.06),
    "village": (0.30, 0.05),
}


def _smoothstep(t: FloatArray) -> FloatArray:
    t = np.clip(t, 0.0, 1.0)
    return np.asarray(t * t * (3.0 - 2.0 * t), dtype=np.float64)


def elevation(x: FloatArray, y: FloatArray) -> FloatArray:
    """Ground elevation (m) at local coordinates (m east and north of the seat's centre).

    Examples
    --------
    >>> round(float(elevation(np.array(0.0), np.array(0.0))), 1)
    320.0
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    valley = 320.0 + 0.015 * np.abs(y - river_y(x))
    fenghuang = 110.0 * np.exp(-0.5 * (((x - 1550.0) / 420.0) ** 2 + ((y - 1150.0) / 500.0) ** 2))
    # the old town's north-east hillside: 45 m up between y = 950 and 1,400 m, east of x = 300 m
    hillside = 45.0 * _smoothstep((y - 950.0) / 450.0) * _smoothstep((x - 300.0) / 500.0)
    hillside *= 1.0 - _smoothstep((np.abs(y - 1175.0) - 400.0) / 300.0)
    rolling = 25.0 * np.sin(x / 1300.0) * np.cos(y / 1100.0) * _smoothstep((np.abs(y) - 1800) / 900)
    return np.asarray(valley + fenghuang + hillside + rolling, dtype=np.float64)


def write_dem(path: Path, e0: float, n0: float) -> None:
    """Write the DEM (float32 metres, WGS84 lon/lat, 1″ cells) at ``path``."""
    import rasterio
    from rasterio.transform import Affine

    to_ll = Transformer.from_crs(UTM_CRS, "EPSG:4326", always_xy=True)
    to_utm = Transformer.from_crs("EPSG:4326", UTM_CRS, always_xy=True)
    x0, y0, x1, y1 = DEM_EXTENT_M
    lon_a, lat_a = to_ll.transform(x0 + e0, y1 + n0)
    lon_b, lat_b = to_ll.transform(x1 + e0, y0 + n0)
    lon0 = np.floor(min(lon_a, lon_b) / DEM_CELL_DEG) * DEM_CELL_DEG
    lat0 = np.ceil(max(lat_a, lat_b) / DEM_CELL_DEG) * DEM_CELL_DEG
    ncol = int(np.ceil((max(lon_a, lon_b) - lon0) / DEM_CELL_DEG))
    nrow = int(np.ceil((lat0 - min(lat_a, lat_b)) / DEM_CELL_DEG))
    lon = lon0 + (np.arange(ncol) + 0.5) * DEM_CELL_DEG
    lat = lat0 - (np.arange(nrow) + 0.5) * DEM_CELL_DEG
    glon, glat = np.meshgrid(lon, lat)
    e, n = to_utm.transform(glon, glat)
    z = elevation(np.asarray(e) - e0, np.asarray(n) - n0)
    profile = {
        "driver": "GTiff",
        "width": ncol,
        "height": nrow,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:4326",
        "transform": Affine(DEM_CELL_DEG, 0.0, lon0, 0.0, -DEM_CELL_DEG, lat0),
        "nodata": -9999.0,
        "compress": "deflate",
        "predictor": 3,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.round(z, 2).astype(np.float32), 1)
        dst.set_band_description(1, "elevation_m")


def group_counts(
    communities: Sequence[Community], population: Sequence[int]
) -> tuple[list[int | None], list[int | None]]:
    """People aged 60 or over and aged 0–6 per community (None for :data:`NO_GROUP_COUNTS`)."""
    rng = np.random.default_rng([SEED, 19])
    elderly: list[int | None] = []
    children: list[int | None] = []
    for c, pop in zip(communities, population, strict=True):
        old, young = GROUP_SHARES[c.district]
        e = round(pop * (old + float(rng.uniform(-0.02, 0.02))))
        k = round(pop * (young + float(rng.uniform(-0.01, 0.01))))
        given = c.cid not in NO_GROUP_COUNTS
        elderly.append(e if given else None)
        children.append(k if given else None)
    return elderly, children


__all__ = ["elevation", "group_counts", "write_dem"]
