"""The demo county's fixed layout: seed, coordinate systems, local frame, positions and communities.

Everything is laid out in metres east and north of the county seat's centre (UTM zone 48N). What
does not depend on a random draw is fixed here and shared by the street, compound, community and
facility modules: the river's centreline, the district grids' junction counts and spacings, the new
district's arterials, the bridges, the villages, and the communities' outlines
(:func:`community_layout`). :func:`origin` and :func:`to_lonlat` place the frame on Earth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer

SEED = 20240615
ORIGIN_LON = 107.9
ORIGIN_LAT = 31.1
UTM_CRS = "EPSG:32648"
COMMUNITIES_CRS = "EPSG:4545"
CANDIDATES_CRS = "EPSG:4490"
CELL_M = 100.0

RIVER_AMP_M = 120.0
RIVER_WAVE_M = 900.0
BANK_ROAD_M = 170.0  # distance of the riverside roads from the river centreline

# old town (城关街道) grid: 25 × 18 junctions, 80 m × 75 m, jittered
OT_NX, OT_NY, OT_X0, OT_DX, OT_DY = 25, 18, -1000.0, 80.0, 75.0
# south district (滨河街道) grid: 23 × 11 junctions, 150 m × 130 m
SD_NX, SD_NY, SD_X0, SD_DX, SD_DY = 23, 11, -1500.0, 150.0, 130.0
# new district (新城街道) arterials bounding 4 × 3 superblocks of 450 m
ND_XS = (2200.0, 2650.0, 3100.0, 3550.0, 4000.0)
ND_YS = (400.0, 850.0, 1300.0, 1750.0)
COMPOUND_INSET_M = 20.0
RING_INSET_M = 70.0
# town (临溪镇) grid: 9 × 8 junctions, 75 m × 70 m
TN_NX, TN_NY, TN_X0, TN_Y0, TN_DX, TN_DY = 9, 8, -5500.0, 650.0, 75.0, 70.0
BRIDGES_X = (-600.0, 600.0, 1650.0)
BRIDGE_NAMES = ("西门大桥", "清溪大桥", "东风桥")
EXPRESSWAY_X = 1900.0

# name, centre x, centre y, parent street
VILLAGES = (
    ("青石村", -3000.0, 3400.0, "临溪镇"),
    ("桃园村", -800.0, 3600.0, "城关街道"),
    ("柏林村", 1300.0, 3900.0, "城关街道"),
    ("双河村", 3300.0, 3500.0, "新城街道"),
    ("石桥村", -7000.0, 2600.0, "临溪镇"),
    ("杨柳村", -3300.0, 1300.0, "临溪镇"),
    ("白鹤村", -3200.0, -3000.0, "临溪镇"),
    ("龙泉村", -500.0, -3800.0, "滨河街道"),
    ("高峰村", 2400.0, -3400.0, "滨河街道"),
    ("观音村", 4900.0, -2600.0, "滨河街道"),
)


FloatArray = NDArray[np.float64]
Point = tuple[float, float]


def river_y(x: float | FloatArray) -> FloatArray:
    """Return the river centreline's local northing (m) at local easting ``x`` (m)."""
    return np.asarray(RIVER_AMP_M * np.sin(np.asarray(x, dtype=float) / RIVER_WAVE_M))


def river_y_at(x: float) -> float:
    """:func:`river_y` at one easting, as a float."""
    return float(RIVER_AMP_M * math.sin(x / RIVER_WAVE_M))


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """The rectangle between two corners, in any order."""
    return shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def origin() -> tuple[float, float]:
    """The frame's origin: the UTM 48N easting and northing of the seat, on the 100 m cell grid."""
    e, n = Transformer.from_crs("EPSG:4326", UTM_CRS, always_xy=True).transform(
        ORIGIN_LON, ORIGIN_LAT
    )
    return float(round(e / CELL_M) * CELL_M), float(round(n / CELL_M) * CELL_M)


def to_lonlat(x: FloatArray, y: FloatArray, e0: float, n0: float) -> tuple[FloatArray, FloatArray]:
    """Longitude and latitude (WGS84) of local points, the frame's origin at (``e0``, ``n0``)."""
    t = Transformer.from_crs(UTM_CRS, "EPSG:4326", always_xy=True)
    lon, lat = t.transform(np.asarray(x) + e0, np.asarray(y) + n0)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def shift(geom: shapely.Geometry, e0: float, n0: float) -> shapely.Geometry:
    """``geom`` moved from the local frame to UTM 48N (origin at ``e0``, ``n0``)."""
    return shapely.transform(geom, lambda c: c + np.array([e0, n0]))


# community names by district, in id order ("社区" is appended)
OT_NAMES = (
    "文庙",
    "北街",
    "府前",
    "西门",
    "书院",
    "东门",
    "鼓楼",
    "城隍",
    "仓前",
    "状元",
    "盐井",
    "南街",
)
SD_NAMES = ("滨河", "沙坝", "河街", "柳湾", "金沙", "沙湾", "望江", "南桥")
ND_NAMES = ("新城", "锦绣", "阳光", "翠屏", "凤凰", "学府")
TOWN_NAMES = ("临溪", "新街")


@dataclass(frozen=True)
class Community:
    """A community: id, name, kind (urban / town / rural), parent street, outline, district."""

    cid: str
    name: str
    kind: str
    street: str
    polygon: shapely.Polygon
    district: str  # old / south / new / town / village


def _band_polygon(
    xa: float, xb: float, lo: float, hi: float, *, follow_river: bool, step_m: float = 20.0
) -> shapely.Polygon:
    """A polygon between eastings xa..xb whose bottom/top are ``lo``/``hi`` (m), either flat or
    offset from the river centreline (``follow_river``)."""
    n = max(2, math.ceil((xb - xa) / step_m) + 1)
    xs = np.linspace(xa, xb, n)
    base = river_y(xs) if follow_river else np.zeros(n)
    bottom = list(zip(xs, base + lo, strict=True))
    top = list(zip(xs[::-1], base[::-1] + hi, strict=True))
    return shapely.Polygon([*bottom, *top])


def community_layout() -> list[Community]:
    """The 38 communities, in id order: old town, south district, new district, town, villages."""
    communities: list[Community] = []
    ot_top = BANK_ROAD_M + (OT_NY - 1) * OT_DY + 40.0
    ot_band = (ot_top - 150.0) / 3
    n = 0
    for band in range(3):
        for col in range(4):
            n += 1
            xa = OT_X0 - 40.0 + col * 500.0
            lo = 150.0 + band * ot_band
            poly = _band_polygon(xa, xa + 500.0, lo, lo + ot_band, follow_river=True)
            name = OT_NAMES[n - 1] + "社区"
            communities.append(Community(f"C{n:02d}", name, "urban", "城关街道", poly, "old"))
    sd_bottom = BANK_ROAD_M + (SD_NY - 1) * SD_DY + 50.0
    sd_band = (sd_bottom - 150.0) / 2
    for band in range(2):
        for col in range(4):
            n += 1
            xa = SD_X0 - 40.0 + col * (3380.0 / 4)
            hi = -150.0 - band * sd_band
            poly = _band_polygon(xa, xa + 3380.0 / 4, hi - sd_band, hi, follow_river=True)
            name = SD_NAMES[n - 13] + "社区"
            communities.append(Community(f"C{n:02d}", name, "urban", "滨河街道", poly, "south"))
    for j in range(3):
        for half in range(2):
            n += 1
            xa, xb = ND_XS[2 * half], ND_XS[2 * half + 2]
            poly = box(xa, ND_YS[j], xb, ND_YS[j + 1])
            name = ND_NAMES[n - 21] + "社区"
            communities.append(Community(f"C{n:02d}", name, "urban", "新城街道", poly, "new"))
    tx0, tx1 = TN_X0 - 50.0, TN_X0 + (TN_NX - 1) * TN_DX + 50.0
    ty0, ty1 = TN_Y0 - 50.0, TN_Y0 + (TN_NY - 1) * TN_DY + 50.0
    tmid = TN_X0 + 4 * TN_DX + 0.5
    for t, (xa, xb) in enumerate(((tx0, tmid), (tmid, tx1))):
        n += 1
        name = TOWN_NAMES[t] + "社区"
        communities.append(
            Community(f"C{n:02d}", name, "town", "临溪镇", box(xa, ty0, xb, ty1), "town")
        )
    for vname, cx, cy, street in VILLAGES:
        n += 1
        poly = box(cx - 500.0, cy - 500.0, cx + 500.0, cy + 500.0)
        communities.append(Community(f"C{n:02d}", vname, "rural", street, poly, "village"))
    return communities
