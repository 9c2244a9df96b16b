"""Coordinate reference systems: declared CRSs, conversion to WGS84, the local metric CRS.

A layer's CRS comes from its file or is declared in the project file (``crs = "gcj02"``); a
declaration is read by :func:`parse_crs` into ``"gcj02"``, ``"bd09"`` or a pyproj CRS, and
:func:`lonlat_to_wgs84` / :func:`geometry_to_wgs84` bring coordinates to WGS84 lon/lat. The
analysis itself runs in the UTM zone :func:`local_metric_crs` picks; a walk network is projected
to the CRS :func:`resolve_crs` chooses, recorded on the graph as :func:`crs_string` writes it.
"""

from __future__ import annotations

import math
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from lifecircle.errors import InputError, NetworkError, ProjectError
from lifecircle.geo.chinacrs import bd09_to_wgs84, gcj02_to_wgs84


def local_metric_crs(lon: float, lat: float) -> CRS:
    """Return the WGS84 / UTM zone CRS that contains a lon/lat point (degrees).

    UTM keeps scale error under 0.04 % inside its zone, well below a metre over a county-sized
    walk. Southern-hemisphere points get the 327xx zone.

    Examples
    --------
    >>> local_metric_crs(107.9, 31.1).to_epsg()
    32648
    """
    if not (-180.0 <= lon <= 180.0 and -80.0 <= lat <= 84.0):
        raise ValueError(f"lon/lat ({lon}, {lat}) is outside the range UTM covers")
    zone = min(math.floor((lon + 180.0) / 6.0) + 1, 60)
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


# --- declared CRSs and conversion to WGS84 ---------------------------------------------------

ChinaLonLat = Literal["gcj02", "bd09"]
"""China's obfuscated lon/lat systems (see :mod:`lifecircle.geo.chinacrs`)."""

CRSDecl = ChinaLonLat | CRS
"""A declared CRS: ``"gcj02"``, ``"bd09"`` or a pyproj :class:`~pyproj.CRS`."""

WGS84 = CRS.from_epsg(4326)

CRS_EXAMPLES = (
    '"EPSG:4326" (WGS84 lon/lat)',
    '"EPSG:4490" (CGCS2000 lon/lat)',
    '"EPSG:4547" (CGCS2000 / 3-degree Gauss-Kruger CM 114E)',
    '"EPSG:32648" (WGS84 / UTM 48N)',
    '"gcj02" (Amap, Tencent lon/lat)',
    '"bd09" (Baidu lon/lat)',
)

_CHINA_ALIASES: dict[str, ChinaLonLat] = {
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "gcj_02": "gcj02",
    "gcj": "gcj02",
    "mars": "gcj02",
    "火星坐标": "gcj02",
    "国测局坐标": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "bd_09": "bd09",
    "bd09ll": "bd09",
    "baidu": "bd09",
    "百度坐标": "bd09",
}


def parse_crs(
    value: str,
    *,
    where: str = "crs",
    error: type[InputError] = ProjectError,
) -> CRSDecl:
    """Read a declared CRS: ``"gcj02"``, ``"bd09"`` or anything pyproj reads.

    Parameters
    ----------
    value
        The declared CRS, e.g. ``"gcj02"``, ``"BD-09"``, ``"EPSG:4490"``, ``"CGCS2000"``, a WKT
        or PROJ string. Case and surrounding spaces are ignored for the Chinese systems.
    where
        Where the value was written, for the message (e.g. ``"[layers.facilities] crs"``).
    error
        The error class to raise: :class:`~lifecircle.errors.ProjectError` for the project file,
        :class:`~lifecircle.errors.LayerError` for a layer.

    Returns
    -------
    ``"gcj02"``, ``"bd09"`` or a :class:`pyproj.CRS`.

    Raises
    ------
    ProjectError (or ``error``)
        When the value is empty or pyproj cannot read it; the message lists examples.

    Examples
    --------
    >>> parse_crs("GCJ-02")
    'gcj02'
    >>> parse_crs("EPSG:4490").to_epsg()
    4490
    """
    text = str(value).strip()
    alias = _CHINA_ALIASES.get(text.lower().replace(" ", ""))
    if alias is not None:
        return alias
    if text:
        try:
            return CRS.from_user_input(text)
        except CRSError:
            pass
    raise error(
        f"{where}: unknown CRS {value!r}; use an EPSG code or a name pyproj reads, e.g. "
        + ", ".join(CRS_EXAMPLES)
    )


def crs_label(decl: CRSDecl) -> str:
    """Return a short label for a declared CRS (``"gcj02"``, ``"EPSG:4490"``, or its name)."""
    if isinstance(decl, str):
        return decl
    epsg = decl.to_epsg()
    return f"EPSG:{epsg}" if epsg is not None else decl.name


def is_geographic(decl: CRSDecl) -> bool:
    """Return True when coordinates in ``decl`` are lon/lat degrees (GCJ-02 and BD-09 are)."""
    return isinstance(decl, str) or bool(decl.is_geographic)


def lonlat_to_wgs84(
    x: ArrayLike, y: ArrayLike, decl: CRSDecl
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert coordinates in ``decl`` to WGS84 lon/lat (degrees), vectorised.

    Parameters
    ----------
    x, y
        Coordinates in ``decl``: lon/lat degrees for a geographic CRS, GCJ-02 or BD-09; metres
        (easting, northing) for a projected one.
    decl
        The CRS of ``x`` and ``y``, as returned by :func:`parse_crs`.

    Returns
    -------
    lon, lat
        WGS84 degrees, float arrays of the input's shape.
    """
    x_a = np.asarray(x, dtype=float)
    y_a = np.asarray(y, dtype=float)
    # (a CRS compared with a string has PROJ parse the string, some 60 ms: test the type first)
    if isinstance(decl, str) and decl == "gcj02":
        return gcj02_to_wgs84(x_a, y_a)
    if isinstance(decl, str) and decl == "bd09":
        return bd09_to_wgs84(x_a, y_a)
    assert isinstance(decl, CRS)
    if decl.equals(WGS84, ignore_axis_order=True):
        return x_a.copy(), y_a.copy()
    transformer = Transformer.from_crs(decl, WGS84, always_xy=True)
    lon, lat = transformer.transform(x_a, y_a)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def geometry_to_wgs84(geometry: gpd.GeoSeries, decl: CRSDecl) -> gpd.GeoSeries:
    """Return ``geometry`` (whose coordinates are in ``decl``) converted to WGS84 (EPSG:4326).

    The series' own ``crs`` is ignored: ``decl`` says what the coordinates are. Every vertex is
    converted, so polygons keep their shape up to the (smooth) GCJ-02 / BD-09 offset.
    """

    def convert(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        if len(coords) == 0:
            return coords
        lon, lat = lonlat_to_wgs84(coords[:, 0], coords[:, 1], decl)
        return np.column_stack([lon, lat])

    values = shapely.transform(np.asarray(geometry.values, dtype=object), convert)
    return gpd.GeoSeries(values, index=geometry.index, crs=WGS84)


def resolve_crs(crs: str | None, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> CRS:
    """Return the metric CRS to project a network to: ``crs`` if given, else the centre's UTM zone.

    Parameters
    ----------
    crs
        The CRS asked for (anything pyproj reads, e.g. ``"EPSG:32648"``), or None.
    lon, lat
        The network's node coordinates in WGS84 degrees; their bounding-box centre picks the UTM
        zone when ``crs`` is None.

    Returns
    -------
    pyproj.CRS
        A projected CRS (metres).

    Raises
    ------
    NetworkError
        If ``crs`` cannot be read or is not projected (metres), or there is no node.
    """
    if crs is not None:
        try:
            target = CRS.from_user_input(crs)
        except Exception as exc:
            raise NetworkError(
                f"network crs {crs!r} is not a CRS pyproj can read ({exc}); "
                "give an EPSG code such as 'EPSG:32648' or leave it out"
            ) from exc
        if not target.is_projected:
            raise NetworkError(
                f"network crs {crs!r} is not a projected (metric) CRS; give a UTM or "
                "Gauss–Krüger CRS such as 'EPSG:32648' or 'EPSG:4547', or leave it out"
            )
        return target
    if len(lon) == 0:
        raise NetworkError("network: no node to choose a metric CRS from")
    centre_lon = 0.5 * (float(np.min(lon)) + float(np.max(lon)))
    centre_lat = 0.5 * (float(np.min(lat)) + float(np.max(lat)))
    return local_metric_crs(centre_lon, centre_lat)


def crs_string(crs: CRS) -> str:
    """Return a compact string pyproj reads back (``"EPSG:32648"`` when there is a code).

    Parameters
    ----------
    crs
        Any pyproj CRS.

    Returns
    -------
    str
        ``"<authority>:<code>"``, or the CRS's WKT when it has no authority code.
    """
    code = crs.to_authority()
    return f"{code[0]}:{code[1]}" if code else crs.to_wkt()
