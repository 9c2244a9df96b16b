"""Generate the embedded demo county 示例县 (synthetic data) deterministically.

示例县 is fictional. Its county seat is placed at a real position in Sichuan (31.1°N, 107.9°E) so
that coordinate handling is exercised for real (WGS84 / UTM 48N, CGCS2000 3° Gauss–Krüger CM 108°E,
GCJ-02 facility coordinates). The layout is built in a local metric frame (metres east and north
of the centre, in UTM zone 48N) from a seeded :class:`numpy.random.Generator`; nothing depends on
the clock, on set order or on the platform, so two runs write byte-identical files.

The county seat, west to east::

    临溪镇 (town) ── county road ── 城关街道 (old town, dense irregular grain)
                                         │  凤凰山 (hill, no streets)  新城街道 (gated superblocks)
    ~~~~~~~~~~~~~~~~ 清溪河 (river, three walkable bridges, one expressway bridge) ~~~~~~~~~~~~~~
                       滨河街道 (grid district south of the river)
    and ten villages around it on winding rural roads.

Designed properties (tests assert them from the files):

* 新城街道's superblocks are gated compounds whose inner roads reach the street only at 1–3 gates,
  and no elderly day care lies within 1 km walking of their residents;
* 滨河街道 (south of the river) has no kindergarten within 300 m walking of its residents;
* station failures: 府前 C03 has a 650 m² station (urban minimum 800 m²), 沙坝 C16 has
  20 m² per 100 households, 白鹤村 C35's station is 150 m² (village minimum 200 m²) and 阳光
  C23 has no station at all;
* size failures: 书院 C05 has 5,000 households (urban range 2,000–4,000) and 观音村 C38 has 250
  (rural range 300–1,500).

Run ``python -m lifecircle.data.demo.generate [OUT_DIR]`` (default: this folder) or
``make demo-data``.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import scipy.sparse as sp
import shapely
from affine import Affine
from numpy.typing import NDArray
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from lifecircle.geo.chinacrs import wgs84_to_gcj02

logger = logging.getLogger(__name__)

SEED = 20240615
ORIGIN_LON = 107.9
ORIGIN_LAT = 31.1
UTM_CRS = "EPSG:32648"
COMMUNITIES_CRS = "EPSG:4545"
CANDIDATES_CRS = "EPSG:4490"
GPKG_DATE = "2024-01-01T00:00:00Z"
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

FILES = (
    "streets.osm",
    "communities.gpkg",
    "population.tif",
    "facilities.csv",
    "candidates.gpkg",
    "compounds.gpkg",
)

FloatArray = NDArray[np.float64]
Point = tuple[float, float]


def river_y(x: float | FloatArray) -> FloatArray:
    """Return the river centreline's local northing (m) at local easting ``x`` (m)."""
    return np.asarray(RIVER_AMP_M * np.sin(np.asarray(x, dtype=float) / RIVER_WAVE_M))


def _ry(x: float) -> float:
    return float(RIVER_AMP_M * math.sin(x / RIVER_WAVE_M))


@dataclass
class _Osm:
    """OSM nodes and ways in local metres; junction nodes are shared by their rounded position."""

    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    shared: dict[tuple[int, int], int] = field(default_factory=dict)
    ways: list[tuple[list[int], dict[str, str]]] = field(default_factory=list)
    walk_edges: list[tuple[int, int]] = field(default_factory=list)

    def _new(self, x: float, y: float) -> int:
        self.xs.append(x)
        self.ys.append(y)
        return len(self.xs)  # OSM ids start at 1

    def node(self, x: float, y: float) -> int:
        key = (round(x * 10.0), round(y * 10.0))
        found = self.shared.get(key)
        if found is None:
            found = self._new(x, y)
            self.shared[key] = found
        return found

    def way(
        self,
        pts: Sequence[Point],
        tags: dict[str, str],
        *,
        step_m: float = 10.0,
        walk: bool = True,
        share: bool = True,
    ) -> list[int]:
        """Add a way through ``pts`` with shape nodes every ``step_m`` metres; return its ids."""
        ids: list[int] = []
        for k, (x, y) in enumerate(pts):
            if k > 0:
                px, py = pts[k - 1]
                n = max(1, math.ceil(math.hypot(x - px, y - py) / step_m))
                for s in range(1, n):
                    t = s / n
                    ids.append(self._new(px + t * (x - px), py + t * (y - py)))
            ids.append(self.node(x, y) if share else self._new(x, y))
        self.ways.append((ids, tags))
        if walk:
            self.walk_edges.extend(itertools.pairwise(ids))
        return ids

    def closed(self, pts: Sequence[Point], tags: dict[str, str]) -> None:
        """Add a closed, non-walkable way (a building outline) with its own nodes."""
        ids = [self._new(x, y) for x, y in pts]
        self.ways.append(([*ids, ids[0]], tags))


@dataclass(frozen=True)
class _Community:
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


def _box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _ring_pos(p: Point, rx0: float, ry0: float, rx1: float, ry1: float) -> float:
    """Position (m) of a point on a rectangle's outline, counter-clockwise from its SW corner."""
    px, py = p
    w, h = rx1 - rx0, ry1 - ry0
    if py == ry0:
        return px - rx0
    if px == rx1:
        return w + py - ry0
    if py == ry1:
        return w + h + rx1 - px
    return 2 * w + h + ry1 - py


def _runs(keep: Sequence[bool]) -> list[tuple[int, int]]:
    """Index ranges [a, b) of consecutive True edges."""
    out: list[tuple[int, int]] = []
    a: int | None = None
    for k, flag in enumerate(keep):
        if flag and a is None:
            a = k
        if not flag and a is not None:
            out.append((a, k))
            a = None
    if a is not None:
        out.append((a, len(keep)))
    return out


@dataclass
class _County:
    osm: _Osm
    communities: list[_Community]
    compounds: list[tuple[str, shapely.Polygon]]
    gates: list[tuple[str, str, Point]]
    facility_spots: dict[str, list[Point]]  # community id -> points near streets
    candidate_parcels: list[tuple[str, str, shapely.Polygon]]  # name, kind, polygon
    ot: FloatArray
    sd: FloatArray
    tn: FloatArray


OT_STREETS_V = {0: "西城路", 6: "文庙街", 12: "中山街", 18: "东大街", 24: "东环路"}
OT_STREETS_H = {5: "解放路", 10: "人民路", 15: "北街"}
SD_STREETS_V = {0: "沙坝路", 5: "河街", 10: "南桥路", 15: "金沙路", 20: "望江路"}
SD_STREETS_H = {4: "滨河大道", 8: "南环路"}
ND_STREETS_V = ("迎宾大道", "新城一路", "新城二路", "新城三路", "东环大道")
ND_STREETS_H = ("锦绣路", "学府路", "翠屏路", "凤凰路")
LANE_NAMES = (
    "书院巷",
    "仓前巷",
    "盐井巷",
    "状元巷",
    "鼓楼巷",
    "城隍巷",
    "水井巷",
    "铁匠巷",
    "染坊巷",
    "竹林巷",
    "槐树巷",
    "马号巷",
)

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


def _build_county(rng: np.random.Generator) -> _County:
    osm = _Osm()

    # ---- river (not walkable), drawn first so its nodes come first -----------------------------
    river_xs = np.arange(-9000.0, 9001.0, 100.0)
    osm.way(
        [(float(x), _ry(float(x))) for x in river_xs],
        {"waterway": "river", "name": "清溪河"},
        step_m=100.0,
        walk=False,
        share=False,
    )

    # ---- old town grid -------------------------------------------------------------------------
    jit = rng.uniform(-16.0, 16.0, size=(OT_NX, OT_NY, 2))
    ot = np.empty((OT_NX, OT_NY, 2))
    for i in range(OT_NX):
        for j in range(OT_NY):
            x = OT_X0 + i * OT_DX
            if j > 0 and 0 < i < OT_NX - 1:
                x += jit[i, j, 0]
            y = _ry(x) + BANK_ROAD_M + j * OT_DY + (jit[i, j, 1] if j > 0 else 0.0)
            ot[i, j] = (x, y)

    def pt(a: FloatArray, i: int, j: int) -> Point:
        return (float(a[i, j, 0]), float(a[i, j, 1]))

    lane_names = iter(LANE_NAMES * 4)
    for i in range(OT_NX):  # north-south lines, j from the river bank upwards
        main = i in OT_STREETS_V
        keep = [main or rng.random() > 0.12 for _ in range(OT_NY - 1)]
        for a, b in _runs(keep):
            tags = {"highway": "secondary" if main else "residential"}
            if main:
                tags["name"] = OT_STREETS_V[i]
                if i == 12:
                    tags["oneway"] = "yes"
            elif i >= 19 and a >= 12:
                tags = {"highway": "steps"}
            elif rng.random() < 0.15:
                tags = {"highway": "footway"}
            elif rng.random() < 0.5:
                tags["name"] = next(lane_names)
            osm.way([pt(ot, i, j) for j in range(a, b + 1)], tags)
    for j in range(1, OT_NY):  # east-west lines
        main = j in OT_STREETS_H
        keep = [main or rng.random() > 0.12 for _ in range(OT_NX - 1)]
        for a, b in _runs(keep):
            tags = {"highway": "tertiary" if main else "residential"}
            if main:
                tags["name"] = OT_STREETS_H[j]
                if j == 5:
                    tags["oneway"] = "yes"
            elif j >= 13 and a >= 18:
                tags = {"highway": "steps"}
            elif rng.random() < 0.15:
                tags = {"highway": "footway"}
            elif rng.random() < 0.5:
                tags["name"] = next(lane_names)
            osm.way([pt(ot, i, j) for i in range(a, b + 1)], tags)
    for i in range(OT_NX - 1):  # a few diagonal alleys
        for j in range(1, OT_NY - 1):
            if rng.random() < 0.06:
                osm.way([pt(ot, i, j), pt(ot, i + 1, j + 1)], {"highway": "footway"})

    # ---- south district grid -------------------------------------------------------------------
    jit = rng.uniform(-20.0, 20.0, size=(SD_NX, SD_NY, 2))
    sd = np.empty((SD_NX, SD_NY, 2))
    for i in range(SD_NX):
        for j in range(SD_NY):
            x = SD_X0 + i * SD_DX + (jit[i, j, 0] if j > 0 and 0 < i < SD_NX - 1 else 0.0)
            y = _ry(x) - BANK_ROAD_M - j * SD_DY + (jit[i, j, 1] if j > 0 else 0.0)
            sd[i, j] = (x, y)
    for i in range(SD_NX):
        main = i in SD_STREETS_V
        keep = [main or rng.random() > 0.05 for _ in range(SD_NY - 1)]
        for a, b in _runs(keep):
            tags = {"highway": "secondary" if main else "residential"}
            if main:
                tags["name"] = SD_STREETS_V[i]
            osm.way([pt(sd, i, j) for j in range(a, b + 1)], tags)
    for j in range(1, SD_NY):
        main = j in SD_STREETS_H
        keep = [main or rng.random() > 0.05 for _ in range(SD_NX - 1)]
        for a, b in _runs(keep):
            tags = {"highway": "tertiary" if main else "residential"}
            if main:
                tags["name"] = SD_STREETS_H[j]
                if j == 8:
                    tags["oneway"] = "yes"
            osm.way([pt(sd, i, j) for i in range(a, b + 1)], tags)

    # ---- riverside roads and bridges -----------------------------------------------------------
    north_bank = [(x, _ry(x) + BANK_ROAD_M) for x in np.arange(-1800.0, -1000.0, 100.0)]
    north_bank += [pt(ot, i, 0) for i in range(OT_NX)]
    north_bank += [(x, _ry(x) + BANK_ROAD_M) for x in np.arange(1000.0, 4201.0, 50.0)]
    osm.way(
        [(float(x), float(y)) for x, y in north_bank],
        {"highway": "primary", "name": "滨江路"},
    )
    south_bank = [(x, _ry(x) - BANK_ROAD_M) for x in np.arange(-2000.0, -1500.0, 100.0)]
    south_bank += [pt(sd, i, 0) for i in range(SD_NX)]
    south_bank += [(x, _ry(x) - BANK_ROAD_M) for x in (1900.0, 2000.0)]
    osm.way(
        [(float(x), float(y)) for x, y in south_bank],
        {"highway": "secondary", "name": "滨河路"},
    )
    for bx, bname in zip(BRIDGES_X, BRIDGE_NAMES, strict=True):
        osm.way(
            [(bx, _ry(bx) + BANK_ROAD_M), (bx, _ry(bx) - BANK_ROAD_M)],
            {"highway": "primary", "name": bname, "bridge": "yes", "layer": "1"},
        )

    # ---- expressway: not walkable (foot=no), crosses the river on its own bridge ---------------
    ex = EXPRESSWAY_X
    ex_tags = {"highway": "trunk", "foot": "no", "name": "城东快速通道", "ref": "S202"}
    osm.way([(ex, -4200.0), (ex, _ry(ex) - BANK_ROAD_M)], ex_tags, step_m=50.0, walk=False)
    osm.way(
        [(ex, _ry(ex) - BANK_ROAD_M), (ex, _ry(ex) + BANK_ROAD_M)],
        {**ex_tags, "bridge": "yes", "layer": "1"},
        walk=False,
    )
    osm.way([(ex, _ry(ex) + BANK_ROAD_M), (ex, 4200.0)], ex_tags, step_m=50.0, walk=False)

    # ---- new district: gated superblocks -------------------------------------------------------
    col_gates: list[list[float]] = [[] for _ in ND_XS]  # gate northings on each column
    row_gates: list[list[float]] = [[] for _ in ND_YS]  # gate eastings on each row
    compounds: list[tuple[str, shapely.Polygon]] = []
    gates: list[tuple[str, str, Point]] = []
    inner: list[tuple[str, float, float, float, float, list[Point]]] = []
    used: set[tuple[int, int]] = set()
    k = 0
    for j in range(len(ND_YS) - 1):
        for i in range(len(ND_XS) - 1):
            k += 1
            gid = f"G{k:02d}"
            x0, x1, y0, y1 = ND_XS[i], ND_XS[i + 1], ND_YS[j], ND_YS[j + 1]
            ins = COMPOUND_INSET_M
            compounds.append((gid, _box(x0 + ins, y0 + ins, x1 - ins, y1 - ins)))
            n_gates = int(rng.integers(1, 4))
            sides = sorted(int(s) for s in rng.permutation(4)[:n_gates])
            gate_pts: list[Point] = []
            for side in sides:
                off = float(rng.integers(-10, 11)) * 10.0
                if off == 0.0:
                    off = 40.0
                while True:
                    if side in (0, 2):  # south / north: a gate on a row
                        gp = ((x0 + x1) / 2 + off, y0 if side == 0 else y1)
                    else:  # east / west: a gate on a column
                        gp = (x1 if side == 1 else x0, (y0 + y1) / 2 + off)
                    key = (round(gp[0]), round(gp[1]))
                    if key not in used:
                        break
                    off += 20.0
                used.add(key)
                if side in (0, 2):
                    row_gates[j if side == 0 else j + 1].append(gp[0])
                else:
                    col_gates[i + 1 if side == 1 else i].append(gp[1])
                gates.append((f"{gid}-{len(gate_pts) + 1}", gid, gp))
                gate_pts.append(gp)
            inner.append((gid, x0, y0, x1, y1, gate_pts))
    for i, x in enumerate(ND_XS):
        ys = sorted({_ry(x) + BANK_ROAD_M, *ND_YS, *col_gates[i]})
        tags = {"highway": "primary" if i == 0 else "secondary", "name": ND_STREETS_V[i]}
        osm.way([(x, y) for y in ys], tags)
    for j, y in enumerate(ND_YS):
        xs = sorted({*ND_XS, *row_gates[j]})
        osm.way([(x, y) for x in xs], {"highway": "secondary", "name": ND_STREETS_H[j]})
    private = {"highway": "service", "access": "private"}
    for gid, x0, y0, x1, y1, gate_pts in inner:
        r = RING_INSET_M
        rx0, rx1, ry0, ry1 = x0 + r, x1 - r, y0 + r, y1 - r
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        joins: list[Point] = [(xm, ry0), (rx1, ym), (xm, ry1), (rx0, ym)]
        for gx, gy in gate_pts:
            ring_pt = (
                gx if gy in (y0, y1) else (rx0 if gx == x0 else rx1),
                gy if gx in (x0, x1) else (ry0 if gy == y0 else ry1),
            )
            osm.way([(gx, gy), ring_pt], {**private, "name": f"{gid}号门"}, step_m=35.0)
            joins.append(ring_pt)

        corners: list[Point] = [(rx0, ry0), (rx1, ry0), (rx1, ry1), (rx0, ry1)]
        ring = sorted(set(corners + joins), key=lambda p: _ring_pos(p, rx0, ry0, rx1, ry1))
        osm.way([*ring, ring[0]], dict(private))
        for p in joins[:4]:
            osm.way([p, (xm, ym)], {"highway": "footway"})
        for qx, qy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            bx, by = xm + qx * 77.5, ym + qy * 77.5
            osm.closed(
                [(bx - 30, by - 7), (bx + 30, by - 7), (bx + 30, by + 7), (bx - 30, by + 7)],
                {"building": "residential"},
            )

    # ---- town 临溪镇 -----------------------------------------------------------------------------
    jit = rng.uniform(-12.0, 12.0, size=(TN_NX, TN_NY, 2))
    tn = np.empty((TN_NX, TN_NY, 2))
    for i in range(TN_NX):
        for j in range(TN_NY):
            tn[i, j] = (TN_X0 + i * TN_DX + jit[i, j, 0], TN_Y0 + j * TN_DY + jit[i, j, 1])
    for i in range(TN_NX):
        keep = [rng.random() > 0.1 for _ in range(TN_NY - 1)]
        for a, b in _runs(keep):
            osm.way([pt(tn, i, j) for j in range(a, b + 1)], {"highway": "residential"})
    for j in range(TN_NY):
        main = j == 4
        keep = [main or rng.random() > 0.1 for _ in range(TN_NX - 1)]
        for a, b in _runs(keep):
            tags = (
                {"highway": "tertiary", "name": "临溪正街"} if main else {"highway": "residential"}
            )
            osm.way([pt(tn, i, j) for i in range(a, b + 1)], tags)
    yang_liu_hub = (-3300.0, 900.0)

    def rural(a: Point, b: Point, tags: dict[str, str], amp_m: float) -> None:
        length = math.hypot(b[0] - a[0], b[1] - a[1])
        nx, ny = -(b[1] - a[1]) / length, (b[0] - a[0]) / length
        n = max(2, math.ceil(length / 60.0))
        waves = float(rng.integers(1, 4))
        phase = float(rng.uniform(0.0, math.pi))
        pts = [a]
        for s in range(1, n):
            t = s / n
            off = amp_m * math.sin(math.pi * t) * math.sin(waves * math.pi * t + phase)
            pts.append((a[0] + t * (b[0] - a[0]) + off * nx, a[1] + t * (b[1] - a[1]) + off * ny))
        pts.append(b)
        osm.way(pts, tags, step_m=15.0)

    county_road = {"highway": "secondary", "name": "临溪路"}
    rural(pt(tn, TN_NX - 1, 4), yang_liu_hub, county_road, 80.0)
    rural(yang_liu_hub, pt(ot, 0, 9), county_road, 80.0)

    # ---- villages ------------------------------------------------------------------------------
    hubs: list[Point] = [
        pt(ot, 0, OT_NY - 1),
        pt(ot, 6, OT_NY - 1),
        pt(ot, OT_NX - 1, OT_NY - 1),
        (ND_XS[2], ND_YS[-1]),
        pt(tn, 0, TN_NY - 1),
        yang_liu_hub,
        pt(sd, 0, SD_NY - 1),
        pt(sd, 7, SD_NY - 1),
        pt(sd, SD_NX - 1, SD_NY - 1),
    ]
    village_grids: list[FloatArray] = []
    for v, (vname, cx, cy, _street) in enumerate(VILLAGES):
        vg = np.empty((3, 3, 2))
        for a in range(3):
            for b in range(3):
                vg[a, b] = (cx + (a - 1) * 90.0, cy + (b - 1) * 90.0)
        vg += rng.uniform(-15.0, 15.0, size=vg.shape)
        village_grids.append(vg)
        lane = {"highway": "residential"}
        track = {"highway": "track"}
        for a in range(3):
            osm.way([pt(vg, a, b) for b in range(3)], lane if a == 1 else track)
            osm.way([pt(vg, b, a) for b in range(3)], lane if a == 1 else track)
        hub = hubs[v] if v < len(hubs) else pt(village_grids[v - 1], 2, 1)
        d2 = [
            (vg[a, b, 0] - hub[0]) ** 2 + (vg[a, b, 1] - hub[1]) ** 2
            for a in (0, 2)
            for b in (0, 2)
        ]
        a, b = [(0, 0), (0, 2), (2, 0), (2, 2)][int(np.argmin(d2))]
        rural(hub, pt(vg, a, b), {"highway": "unclassified", "name": f"{vname[:2]}路"}, 150.0)

    # ---- old-town buildings (ignored by a walk loader) -----------------------------------------
    for i in range(OT_NX - 1):
        for j in range(1, OT_NY - 1):
            if rng.random() < 0.6:
                cx = float(ot[i, j, 0] + ot[i + 1, j + 1, 0]) / 2
                cy = float(ot[i, j, 1] + ot[i + 1, j + 1, 1]) / 2
                osm.closed(
                    [(cx - 12, cy - 8), (cx + 12, cy - 8), (cx + 12, cy + 8), (cx - 12, cy + 8)],
                    {"building": "yes"},
                )

    for i in range(SD_NX - 1):
        for j in range(1, SD_NY - 1):
            cx = float(sd[i, j, 0] + sd[i + 1, j + 1, 0]) / 2
            cy = float(sd[i, j, 1] + sd[i + 1, j + 1, 1]) / 2
            for dx in (-35.0, 35.0):
                osm.closed(
                    [
                        (cx + dx - 20, cy - 30),
                        (cx + dx + 20, cy - 30),
                        (cx + dx + 20, cy + 30),
                        (cx + dx - 20, cy + 30),
                    ],
                    {"building": "apartments"},
                )

    # ---- communities ---------------------------------------------------------------------------
    communities: list[_Community] = []
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
            communities.append(_Community(f"C{n:02d}", name, "urban", "城关街道", poly, "old"))
    sd_bottom = BANK_ROAD_M + (SD_NY - 1) * SD_DY + 50.0
    sd_band = (sd_bottom - 150.0) / 2
    for band in range(2):
        for col in range(4):
            n += 1
            xa = SD_X0 - 40.0 + col * (3380.0 / 4)
            hi = -150.0 - band * sd_band
            poly = _band_polygon(xa, xa + 3380.0 / 4, hi - sd_band, hi, follow_river=True)
            name = SD_NAMES[n - 13] + "社区"
            communities.append(_Community(f"C{n:02d}", name, "urban", "滨河街道", poly, "south"))
    for j in range(3):
        for half in range(2):
            n += 1
            xa, xb = ND_XS[2 * half], ND_XS[2 * half + 2]
            poly = _box(xa, ND_YS[j], xb, ND_YS[j + 1])
            name = ND_NAMES[n - 21] + "社区"
            communities.append(_Community(f"C{n:02d}", name, "urban", "新城街道", poly, "new"))
    tx0, tx1 = TN_X0 - 50.0, TN_X0 + (TN_NX - 1) * TN_DX + 50.0
    ty0, ty1 = TN_Y0 - 50.0, TN_Y0 + (TN_NY - 1) * TN_DY + 50.0
    tmid = TN_X0 + 4 * TN_DX + 0.5
    for t, (xa, xb) in enumerate(((tx0, tmid), (tmid, tx1))):
        n += 1
        name = TOWN_NAMES[t] + "社区"
        communities.append(
            _Community(f"C{n:02d}", name, "town", "临溪镇", _box(xa, ty0, xb, ty1), "town")
        )
    for vname, cx, cy, street in VILLAGES:
        n += 1
        poly = _box(cx - 500.0, cy - 500.0, cx + 500.0, cy + 500.0)
        communities.append(_Community(f"C{n:02d}", vname, "rural", street, poly, "village"))

    # ---- places for facilities: beside streets, inside each community --------------------------
    spots: dict[str, list[Point]] = {c.cid: [] for c in communities}
    street_pts: list[Point] = []
    for arr, j0 in ((ot, 1), (sd, 1), (tn, 0)):
        for i in range(arr.shape[0]):
            for j in range(j0, arr.shape[1]):
                street_pts.append((float(arr[i, j, 0]) + 8.0, float(arr[i, j, 1]) + 8.0))
    for x in ND_XS:
        for y in np.arange(ND_YS[0] + 60.0, ND_YS[-1], 60.0):
            street_pts += [(x - 12.0, float(y)), (x + 12.0, float(y))]
    for y in ND_YS:
        for x in np.arange(ND_XS[0] + 60.0, ND_XS[-1], 60.0):
            street_pts += [(float(x), y - 12.0), (float(x), y + 12.0)]
    for vg in village_grids:
        street_pts += [
            (float(vg[a, b, 0]) + 8.0, float(vg[a, b, 1]) + 8.0) for a in range(3) for b in range(3)
        ]
    sx = np.array([p[0] for p in street_pts])
    sy = np.array([p[1] for p in street_pts])
    for c in communities:
        inside = shapely.contains_xy(c.polygon, sx, sy)
        spots[c.cid] = [street_pts[int(q)] for q in np.flatnonzero(inside)]

    # ---- candidate parcels ---------------------------------------------------------------------
    parcels: list[tuple[str, str, shapely.Polygon]] = []

    def cell_centre(arr: FloatArray, i: int, j: int, dj: int) -> Point:
        return (
            float(arr[i, j, 0] + arr[i + 1, j + dj, 0]) / 2,
            float(arr[i, j, 1] + arr[i + 1, j + dj, 1]) / 2,
        )

    ot_cells = rng.permutation((OT_NX - 1) * (OT_NY - 2))[:14]
    for q in sorted(int(v) for v in ot_cells):
        cx, cy = cell_centre(ot, q // (OT_NY - 2), q % (OT_NY - 2) + 1, 1)
        s = float(rng.uniform(20.0, 30.0))
        kind = "public_building" if rng.random() < 0.5 else "vacant"
        label = "旧址改造" if kind == "public_building" else "闲置地块"
        parcels.append((f"老城{label}", kind, _box(cx - s, cy - s, cx + s, cy + s)))
    sd_cells = rng.permutation((SD_NX - 1) * (SD_NY - 2))[:10]
    for q in sorted(int(v) for v in sd_cells):
        cx, cy = cell_centre(sd, q // (SD_NY - 2), q % (SD_NY - 2) + 1, 1)
        s = float(rng.uniform(25.0, 45.0))
        kind = "vacant" if rng.random() < 0.7 else "public_building"
        label = "闲置地块" if kind == "vacant" else "旧厂房改造"
        parcels.append((f"滨河{label}", kind, _box(cx - s, cy - s, cx + s, cy + s)))
    for gid, x0, y0, _x1, _y1, _g in inner[::2] + inner[1::4]:
        cx, cy = x0 + RING_INSET_M + 40.0, y0 + RING_INSET_M + 40.0
        parcels.append(
            (f"{gid}小区会所改造", "public_building", _box(cx - 25, cy - 25, cx + 25, cy + 25))
        )
    for x in (2420.0, 2880.0, 3330.0, 3780.0):
        parcels.append(("新城滨江空地", "vacant", _box(x - 30.0, 315.0, x + 30.0, 375.0)))
    for i, j in ((1, 1), (5, 5), (6, 2)):
        cx, cy = cell_centre(tn, i, j, 1)
        parcels.append(("临溪镇闲置地块", "vacant", _box(cx - 20, cy - 20, cx + 20, cy + 20)))
    for vg in village_grids[:3]:
        cx, cy = cell_centre(vg, 0, 0, 1)
        parcels.append(
            ("村集体闲置用房", "public_building", _box(cx - 15, cy - 15, cx + 15, cy + 15))
        )

    return _County(osm, communities, compounds, gates, spots, parcels, ot, sd, tn)


# ---- attributes ---------------------------------------------------------------------------------
DESIGNED_HOUSEHOLDS = {"C05": 5000, "C03": 2050, "C16": 2600, "C38": 250, "C35": 700}
DESIGNED_STATION_M2 = {"C03": 650.0, "C16": 520.0, "C35": 150.0}
NO_STATION = frozenset({"C23"})
MISSING_STAFF = frozenset({"C10", "C19", "C26", "C33", "C37"})
MISSING_ACTIVITY = frozenset({"C08", "C22", "C31", "C36"})


@dataclass(frozen=True)
class _Attrs:
    households: list[int]
    population: list[int]
    workers: list[int | None]
    social_orgs: list[int | None]
    volunteers: list[int | None]
    station_m2: list[float | None]
    activity_m2: list[float | None]


def _attributes(rng: np.random.Generator, communities: Sequence[_Community]) -> _Attrs:
    hh: list[int] = []
    pop: list[int] = []
    workers: list[int | None] = []
    orgs: list[int | None] = []
    vols: list[int | None] = []
    station: list[float | None] = []
    activity: list[float | None] = []
    for c in communities:
        if c.kind == "urban":
            h = int(rng.integers(1500, 2600))
            pph = float(rng.uniform(2.5, 2.75))
            st = max(float(rng.uniform(800.0, 1300.0)), 0.33 * h + float(rng.uniform(0, 200)))
            w, o, v = int(rng.integers(8, 21)), int(rng.integers(3, 13)), int(rng.integers(60, 400))
        elif c.kind == "town":
            h = int(rng.integers(1100, 1700))
            pph = float(rng.uniform(2.6, 2.9))
            st = max(float(rng.uniform(500.0, 800.0)), 0.33 * h)
            w, o, v = int(rng.integers(6, 12)), int(rng.integers(2, 8)), int(rng.integers(40, 200))
        else:
            h = int(rng.integers(350, 1400))
            pph = float(rng.uniform(2.8, 3.2))
            st = max(float(rng.uniform(220.0, 420.0)), 0.33 * h + float(rng.uniform(0, 60)))
            w, o, v = int(rng.integers(3, 8)), int(rng.integers(1, 5)), int(rng.integers(10, 90))
        h = DESIGNED_HOUSEHOLDS.get(c.cid, h)
        st = DESIGNED_STATION_M2.get(c.cid, round(st / 10.0) * 10.0)
        hh.append(h)
        pop.append(round(h * pph))
        missing = c.cid in MISSING_STAFF
        workers.append(None if missing else w)
        orgs.append(None if missing else o)
        vols.append(None if missing else v)
        station.append(None if c.cid in NO_STATION else st)
        act = None if c.cid in MISSING_ACTIVITY or c.cid in NO_STATION else round(0.5 * st)
        activity.append(float(act) if act is not None else None)
    return _Attrs(hh, pop, workers, orgs, vols, station, activity)


# ---- facilities ---------------------------------------------------------------------------------
CATEGORY_ZH = {
    "community_service_station": "社区综合服务站",
    "kindergarten": "幼儿园",
    "nursery": "托儿所",
    "elderly_day_care": "老年人日间照料中心",
    "community_health_station": "社区卫生服务站",
    "cultural_activity_station": "文化活动站",
    "outdoor_fitness": "室外综合健身场地",
    "supermarket": "综合超市",
    "primary_school": "小学",
    "fresh_market": "菜市场",
    "sports_ground": "中型多功能运动场地",
    "middle_school": "初中",
    "community_health_center": "社区卫生服务中心",
    "nursing_home": "养老院",
    "cultural_center": "文化活动中心",
    "street_service_center": "街道(乡镇)党群服务中心",
}
CATEGORY_ALIAS = {"elderly_day_care": "老年服务站", "fresh_market": "生鲜超市"}
FLOOR_M2 = {
    "kindergarten": (1800, 3600),
    "nursery": (200, 600),
    "elderly_day_care": (350, 900),
    "community_health_station": (150, 400),
    "cultural_activity_station": (200, 600),
    "outdoor_fitness": (300, 1500),
    "supermarket": (300, 2000),
    "primary_school": (6000, 12000),
    "fresh_market": (800, 2500),
    "sports_ground": (800, 1800),
    "middle_school": (10000, 18000),
    "community_health_center": (1500, 3000),
    "nursing_home": (2000, 6000),
    "cultural_center": (1500, 4000),
    "street_service_center": (1000, 2000),
}
# per district: (category, probability per community) — drawn for every community of the district
PER_COMMUNITY = {
    "old": (
        ("kindergarten", 0.75),
        ("elderly_day_care", 0.8),
        ("community_health_station", 0.6),
        ("cultural_activity_station", 0.7),
        ("outdoor_fitness", 0.8),
        ("supermarket", 1.0),
        ("nursery", 0.3),
    ),
    "south": (
        ("elderly_day_care", 0.6),
        ("community_health_station", 0.6),
        ("cultural_activity_station", 0.7),
        ("outdoor_fitness", 0.8),
        ("supermarket", 1.0),
        ("nursery", 0.25),
    ),
    "new": (
        ("kindergarten", 0.8),
        ("community_health_station", 0.5),
        ("cultural_activity_station", 0.6),
        ("outdoor_fitness", 1.0),
        ("supermarket", 1.0),
    ),
    "town": (
        ("kindergarten", 1.0),
        ("elderly_day_care", 1.0),
        ("community_health_station", 1.0),
        ("cultural_activity_station", 1.0),
        ("outdoor_fitness", 1.0),
        ("supermarket", 1.0),
    ),
    "village": (
        ("kindergarten", 0.3),
        ("elderly_day_care", 0.4),
        ("community_health_station", 0.6),
        ("cultural_activity_station", 0.5),
        ("outdoor_fitness", 0.6),
    ),
}
# community id -> larger facilities hosted there
HOSTED = {
    "C02": ("primary_school", "fresh_market", "street_service_center", "cultural_center"),
    "C07": ("primary_school", "middle_school", "community_health_center", "sports_ground"),
    "C09": ("fresh_market", "nursing_home"),
    "C12": ("primary_school", "fresh_market"),
    "C14": ("primary_school", "fresh_market", "street_service_center", "community_health_center"),
    "C18": ("primary_school", "middle_school", "sports_ground", "cultural_center", "nursing_home"),
    "C21": ("street_service_center", "primary_school", "community_health_center"),
    "C25": ("fresh_market", "sports_ground", "cultural_center"),
    "C27": ("street_service_center", "primary_school", "middle_school", "fresh_market"),
    "C28": ("community_health_center", "cultural_center", "sports_ground"),
    "C33": ("primary_school", "nursing_home"),
    "C36": ("primary_school",),
}
# a street-level centre below the 1000 m² minimum
SMALL_CENTRE = ("C21", 900.0)


@dataclass(frozen=True)
class _Facility:
    category: str
    name: str
    floor_area_m2: float
    community_id: str
    x: float
    y: float


def _walk_distances(osm: _Osm, sources_xy: FloatArray, xy: FloatArray) -> FloatArray:
    """Walking distance (m) on the generator's own graph from the nearest source to each point,
    both snapped to their nearest walk node."""
    ex = np.asarray(osm.walk_edges, dtype=np.int64) - 1
    nodes = np.unique(ex)
    x = np.asarray(osm.xs)
    y = np.asarray(osm.ys)
    w = np.hypot(x[ex[:, 0]] - x[ex[:, 1]], y[ex[:, 0]] - y[ex[:, 1]])
    n = len(osm.xs)
    g = sp.coo_matrix((w, (ex[:, 0], ex[:, 1])), shape=(n, n)).tocsr()
    tree = cKDTree(np.column_stack([x[nodes], y[nodes]]))
    _, src = tree.query(sources_xy)
    dist = dijkstra(g, directed=False, indices=np.unique(nodes[src]), min_only=True)
    _, tgt = tree.query(xy)
    return np.asarray(dist[nodes[tgt]], dtype=np.float64)


def _facilities(rng: np.random.Generator, county: _County, attrs: _Attrs) -> list[_Facility]:
    comms = county.communities
    out: list[_Facility] = []

    def place(c: _Community, category: str, name: str, floor_m2: float, with_id: bool) -> None:
        spots = county.facility_spots[c.cid]
        sx, sy = spots[int(rng.integers(0, len(spots)))]
        sx += float(rng.uniform(-4.0, 4.0))
        sy += float(rng.uniform(-4.0, 4.0))
        out.append(_Facility(category, name, floor_m2, c.cid if with_id else "", sx, sy))

    def area(category: str) -> float:
        lo, hi = FLOOR_M2[category]
        return float(round(rng.uniform(lo, hi) / 10.0) * 10.0)

    for c, st in zip(comms, attrs.station_m2, strict=True):
        place_name = c.name.removesuffix("社区")
        if st is not None:
            suffix = "便民服务站" if c.kind == "rural" else "社区综合服务站"
            place(c, "community_service_station", place_name + suffix, st, True)
        for category, prob in PER_COMMUNITY[c.district]:
            count = 2 if category == "supermarket" and rng.random() < 0.3 else 1
            for k in range(count):
                if rng.random() < prob:
                    extra = "" if k == 0 else "二店"
                    zh = CATEGORY_ZH[category]
                    if category == "elderly_day_care":
                        zh = "日间照料中心"
                    place(c, category, f"{place_name}{zh}{extra}", area(category), False)
        for category in HOSTED.get(c.cid, ()):
            street_level = ("street_service_center", "community_health_center", "cultural_center")
            prefix = c.street if category in street_level else place_name
            zh = CATEGORY_ZH[category].replace("街道(乡镇)", "")
            floor = area(category)
            if (c.cid, category) == (SMALL_CENTRE[0], "street_service_center"):
                floor = SMALL_CENTRE[1]
            place(c, category, f"{prefix}{zh}", floor, False)

    # designed gaps: no elderly day care within 1 km of 新城街道, no kindergarten within 300 m
    # of 滨河街道 (urban); drop any that the random draws put too close, with a margin.
    fxy = np.array([[f.x, f.y] for f in out])
    keep = np.ones(len(out), dtype=bool)
    for district, category, min_m in (
        ("new", "elderly_day_care", 1150.0),
        ("south", "kindergarten", 400.0),
    ):
        polys = [c.polygon for c in comms if c.district == district]
        area_union = shapely.buffer(shapely.union_all(polys), 30.0)
        ox = np.asarray(county.osm.xs)
        oy = np.asarray(county.osm.ys)
        inside = shapely.contains_xy(area_union, ox, oy)
        src = np.column_stack([ox[inside], oy[inside]])
        dist = _walk_distances(county.osm, src, fxy)
        for q, f in enumerate(out):
            if f.category == category and dist[q] < min_m:
                keep[q] = False
    dropped = [f.name for f, k in zip(out, keep, strict=True) if not k]
    if dropped:
        logger.info("dropped %d facilities to keep the designed gaps: %s", len(dropped), dropped)
    return [f for f, k in zip(out, keep, strict=True) if k]


# ---- writing ------------------------------------------------------------------------------------
def _origin() -> tuple[float, float]:
    e, n = Transformer.from_crs("EPSG:4326", UTM_CRS, always_xy=True).transform(
        ORIGIN_LON, ORIGIN_LAT
    )
    return float(round(e / CELL_M) * CELL_M), float(round(n / CELL_M) * CELL_M)


def _to_lonlat(x: FloatArray, y: FloatArray, e0: float, n0: float) -> tuple[FloatArray, FloatArray]:
    t = Transformer.from_crs(UTM_CRS, "EPSG:4326", always_xy=True)
    lon, lat = t.transform(np.asarray(x) + e0, np.asarray(y) + n0)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _write_osm(path: Path, osm: _Osm, e0: float, n0: float) -> None:
    lon, lat = _to_lonlat(np.asarray(osm.xs), np.asarray(osm.ys), e0, n0)
    buf = io.StringIO()
    buf.write("<?xml version='1.0' encoding='UTF-8'?>\n")
    buf.write('<osm version="0.6" generator="lifecircle demo generator">\n')
    buf.write(
        f'  <bounds minlat="{lat.min():.7f}" minlon="{lon.min():.7f}" '
        f'maxlat="{lat.max():.7f}" maxlon="{lon.max():.7f}"/>\n'
    )
    for k in range(len(osm.xs)):
        buf.write(f'  <node id="{k + 1}" lat="{lat[k]:.7f}" lon="{lon[k]:.7f}"/>\n')
    for w, (ids, tags) in enumerate(osm.ways, start=1):
        buf.write(f'  <way id="{w}">\n')
        for i in ids:
            buf.write(f'    <nd ref="{i}"/>\n')
        for key in sorted(tags):
            buf.write(f'    <tag k="{key}" v="{_xml_escape(tags[key])}"/>\n')
        buf.write("  </way>\n")
    buf.write("</osm>\n")
    path.write_bytes(buf.getvalue().encode("utf-8"))


def _shift(geom: shapely.Geometry, e0: float, n0: float) -> shapely.Geometry:
    return shapely.transform(geom, lambda c: c + np.array([e0, n0]))


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str, *, append: bool = False) -> None:
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    try:
        pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG", append=append)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def _write_population(
    path: Path,
    rng: np.random.Generator,
    communities: Sequence[_Community],
    population: Sequence[int],
    compounds: Sequence[tuple[str, shapely.Polygon]],
    e0: float,
    n0: float,
) -> None:
    bounds = np.array([c.polygon.bounds for c in communities])
    x0 = math.floor((bounds[:, 0].min() - CELL_M) / CELL_M) * CELL_M
    y0 = math.floor((bounds[:, 1].min() - CELL_M) / CELL_M) * CELL_M
    x1 = math.ceil((bounds[:, 2].max() + CELL_M) / CELL_M) * CELL_M
    y1 = math.ceil((bounds[:, 3].max() + CELL_M) / CELL_M) * CELL_M
    ncol, nrow = round((x1 - x0) / CELL_M), round((y1 - y0) / CELL_M)
    cx = x0 + (np.arange(ncol) + 0.5) * CELL_M
    cy = y1 - (np.arange(nrow) + 0.5) * CELL_M
    gx, gy = np.meshgrid(cx, cy)
    grid = np.zeros((nrow, ncol), dtype=np.float64)
    gated = shapely.union_all([p for _, p in compounds])
    noise = rng.gamma(3.0, 1.0 / 3.0, size=grid.shape)
    for c, pop in zip(communities, population, strict=True):
        inside = shapely.contains_xy(c.polygon, gx, gy)
        w: FloatArray = np.asarray(noise * inside, dtype=np.float64)
        if c.district == "new":
            w = np.where(shapely.contains_xy(gated, gx, gy), w, 0.02 * w)
        elif c.district == "village":
            ccx, ccy = c.polygon.centroid.x, c.polygon.centroid.y
            d2 = (gx - ccx) ** 2 + (gy - ccy) ** 2
            w = w * np.exp(-d2 / (2 * 220.0**2))
            w = np.where(w > 0.02, w, 0.0)
        if w.sum() <= 0:
            raise RuntimeError(f"community {c.cid} has no population cell")
        grid += pop * w / w.sum()
    profile = {
        "driver": "GTiff",
        "width": ncol,
        "height": nrow,
        "count": 1,
        "dtype": "float32",
        "crs": UTM_CRS,
        "transform": Affine(CELL_M, 0.0, x0 + e0, 0.0, -CELL_M, y1 + n0),
        "nodata": 0.0,
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(grid.astype(np.float32), 1)
        dst.set_band_description(1, "population")


def generate(out_dir: Path | str) -> list[Path]:
    """Write the demo county's data files into ``out_dir`` and return their paths.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing). Existing demo files there are replaced;
        ``README.md``, ``project.toml`` and ``profile.toml`` are not touched.

    Returns
    -------
    list of Path
        ``streets.osm``, ``communities.gpkg``, ``population.tif``, ``facilities.csv``,
        ``candidates.gpkg`` and ``compounds.gpkg`` in ``out_dir``.

    Examples
    --------
    >>> generate(tmp_path)  # doctest: +SKIP
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        (out / name).unlink(missing_ok=True)
    rng = np.random.default_rng(SEED)
    county = _build_county(rng)
    attrs = _attributes(rng, county.communities)
    facilities = _facilities(rng, county, attrs)
    e0, n0 = _origin()

    _write_osm(out / "streets.osm", county.osm, e0, n0)

    comms = county.communities
    gdf = gpd.GeoDataFrame(
        {
            "id": [c.cid for c in comms],
            "name": [c.name for c in comms],
            "kind": [c.kind for c in comms],
            "households": np.asarray(attrs.households, dtype=np.int64),
            "population": np.asarray(attrs.population, dtype=np.int64),
            "street": [c.street for c in comms],
            "workers": pd.array(attrs.workers, dtype="Int64"),
            "social_orgs": pd.array(attrs.social_orgs, dtype="Int64"),
            "volunteers": pd.array(attrs.volunteers, dtype="Int64"),
            "activity_floor_area_m2": pd.array(attrs.activity_m2, dtype="Float64"),
        },
        geometry=[_shift(c.polygon, e0, n0) for c in comms],
        crs=UTM_CRS,
    ).to_crs(COMMUNITIES_CRS)
    _write_gpkg(gdf, out / "communities.gpkg", "communities")

    _write_population(
        out / "population.tif", rng, comms, attrs.population, county.compounds, e0, n0
    )

    fx = np.array([f.x for f in facilities])
    fy = np.array([f.y for f in facilities])
    lon, lat = _to_lonlat(fx, fy, e0, n0)
    glon, glat = wgs84_to_gcj02(lon, lat)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(["编号", "名称", "类别", "建筑面积", "所属社区", "经度", "纬度"])
    alias_every = {"elderly_day_care": 4, "fresh_market": 4}
    seen: dict[str, int] = {}
    for k, f in enumerate(facilities):
        seen[f.category] = seen.get(f.category, 0) + 1
        every = alias_every.get(f.category)
        zh = CATEGORY_ALIAS[f.category] if every and seen[f.category] % every == 0 else None
        writer.writerow(
            [
                f"F{k + 1:04d}",
                f.name,
                zh or CATEGORY_ZH[f.category],
                f"{f.floor_area_m2:.0f}",
                f.community_id,
                f"{glon[k]:.6f}",
                f"{glat[k]:.6f}",
            ]
        )
    (out / "facilities.csv").write_bytes(text.getvalue().encode("gbk"))

    cand = gpd.GeoDataFrame(
        {
            "id": [f"S{k + 1:02d}" for k in range(len(county.candidate_parcels))],
            "name": [p[0] for p in county.candidate_parcels],
            "kind": [p[1] for p in county.candidate_parcels],
            "max_floor_area_m2": [
                float(round(rng.uniform(300.0, 3000.0) / 10.0) * 10.0)
                for _ in county.candidate_parcels
            ],
        },
        geometry=[_shift(p[2], e0, n0) for p in county.candidate_parcels],
        crs=UTM_CRS,
    ).to_crs(CANDIDATES_CRS)
    _write_gpkg(cand, out / "candidates.gpkg", "candidates")

    comp = gpd.GeoDataFrame(
        {"id": [g for g, _ in county.compounds]},
        geometry=[_shift(p, e0, n0) for _, p in county.compounds],
        crs=UTM_CRS,
    ).to_crs(COMMUNITIES_CRS)
    gate_gdf = gpd.GeoDataFrame(
        {"id": [g[0] for g in county.gates], "compound_id": [g[1] for g in county.gates]},
        geometry=[shapely.Point(g[2][0] + e0, g[2][1] + n0) for g in county.gates],
        crs=UTM_CRS,
    ).to_crs(COMMUNITIES_CRS)
    _write_gpkg(comp, out / "compounds.gpkg", "compounds")
    _write_gpkg(gate_gdf, out / "compounds.gpkg", "gates", append=True)

    logger.info(
        "demo county: %d OSM nodes, %d ways, %d communities, %d facilities, %d candidates",
        len(county.osm.xs),
        len(county.osm.ways),
        len(comms),
        len(facilities),
        len(county.candidate_parcels),
    )
    return [out / name for name in FILES]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: ``python -m lifecircle.data.demo.generate [OUT_DIR]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1:
        sys.stderr.write("usage: python -m lifecircle.data.demo.generate [OUT_DIR]\n")
        return 2
    out_dir = Path(args[0]) if args else Path(__file__).resolve().parent
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        for path in generate(out_dir):
            logger.info("wrote %s (%d bytes)", path.name, path.stat().st_size)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
